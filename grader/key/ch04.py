"""The answer key of chapter 4's checks: the reference steps and training loop, chainrule.optim run
as the judge (with the safety net that it agrees with the formulas), Adam with each typical mistake
(what a check compares a wrong answer with), and the hidden cases. Conventions: see :mod:`coursekit.checks.ch04`."""
from __future__ import annotations

import math

import numpy as np

from chainrule import Tensor


# ---------------------------------------------------------------------- reference implementation
def ref_sgd_step(params, grads, lr):
    return [p - lr * g for p, g in zip(params, grads)]


def ref_momentum_step(params, grads, velocities, lr, momentum):
    new_v = [momentum * v + g for v, g in zip(velocities, grads)]
    return [p - lr * v for p, v in zip(params, new_v)], new_v


def ref_adam_step(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = [beta1 * mi + (1 - beta1) * g for mi, g in zip(m, grads)]
    new_v = [beta2 * vi + (1 - beta2) * g * g for vi, g in zip(v, grads)]
    new_p = [p - lr * (mi / (1 - beta1 ** t)) / (np.sqrt(vi / (1 - beta2 ** t)) + eps)
             for p, mi, vi in zip(params, new_m, new_v)]
    return new_p, new_m, new_v


def ref_train_minibatch(x, y, params, loss_and_grad, lr, batch_size, epochs, seed=0):
    rng = np.random.default_rng(seed)
    n, losses, iterations = len(x), [], 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grad(params, x[idx], y[idx])
            params = [p - lr * g for p, g in zip(params, grads)]
            losses.append(loss)
            iterations += 1
    return params, {"epochs": epochs, "iterations": iterations, "losses": losses}


# ---------------------------------------------------------------------- chainrule.optim as the judge
def optim_run(kind, params0, grad_seq, **settings):
    """Run chainrule.optim on the gradient sequence; after each step: params and the state lists."""
    from chainrule import optim
    ts = [Tensor(p.copy(), requires_grad=True) for p in params0]
    opt = optim.SGD(ts, **settings) if kind == "sgd" else optim.Adam(ts, **settings)
    out = []
    for grads in grad_seq:
        for t, g in zip(ts, grads):
            t.grad = g.copy()
        opt.step()
        rec = {"params": [t.data.copy() for t in ts]}
        if kind == "sgd" and "momentum" in settings:  # momentum 0 keeps no buffer: v = 0·v + g = g
            rec["velocities"] = [opt.state[t]["momentum_buffer"].copy() if settings["momentum"] else g.copy()
                                 for t, g in zip(ts, grads)]
        if kind == "adam":
            rec["m"] = [opt.state[t]["exp_avg"].copy() for t in ts]
            rec["v"] = [opt.state[t]["exp_avg_sq"].copy() for t in ts]
        out.append(rec)
    return out


def optim_verified(reference, ours, what):
    """Our own safety net: chainrule.optim and the formulas above agree."""
    for a, b in zip(reference, ours):
        if not np.allclose(a, b, rtol=1e-12, atol=1e-14):  # pragma: no cover
            raise RuntimeError(f"coursekit.checks.ch04: chainrule.optim and the reference {what} disagree")


# ---------------------------------------------------------------------- the typical mistakes
def adam_variant(p, g, m, v, t, lr, b1, b2, eps, mistake):
    """One parameter's Adam step with a typical mistake: (new_p, new_m, new_v)."""
    new_m = b1 * m + (1 - b1) * g
    new_v = b2 * v + (1 - b2) * g * g
    if mistake == "beta_not_one_minus":
        new_m, new_v = b1 * m + b1 * g, b2 * v + b2 * g * g
    elif mistake == "beta_swapped":
        new_m, new_v = (1 - b1) * m + b1 * g, (1 - b2) * v + b2 * g * g
    elif mistake == "not_squared":
        new_v = b2 * v + (1 - b2) * g
    elif mistake == "square_outside":
        new_v = b2 * v + ((1 - b2) * g) ** 2
    tt = {"t_plus_1": t + 1, "t_minus_1": t - 1}.get(mistake, t)
    c1, c2 = 1 - b1 ** tt, 1 - b2 ** tt
    m_hat, v_hat = new_m / c1, new_v / c2
    if mistake == "no_bias_correction":
        step = new_m / (np.sqrt(new_v) + eps)
    elif mistake == "only_m_corrected":
        step = m_hat / (np.sqrt(new_v) + eps)
    elif mistake == "only_v_corrected":
        step = new_m / (np.sqrt(v_hat) + eps)
    elif mistake == "missing_sqrt":
        step = m_hat / (v_hat + eps)
    elif mistake == "eps_inside_sqrt":
        step = m_hat / np.sqrt(v_hat + eps)
    elif mistake == "eps_before_correction":   # the paper's "efficient" form: eps added to sqrt(v)
        step = math.sqrt(c2) / c1 * new_m / (np.sqrt(new_v) + eps)
    else:
        step = m_hat / (np.sqrt(v_hat) + eps)
    new_p = p + lr * step if mistake == "sign" else p - lr * step
    return new_p, new_m, new_v


# ---------------------------------------------------------------------- hidden cases
# (seed, shapes, lr, steps)
SGD_HIDDEN = [(11, [(5, 2), (2,)], 0.05, 4), (12, [(1,)], 1.0, 3), (13, [(3, 3), (3,), (2, 4), (4,)], 0.2, 3),
             (14, [(6,)], 0.003, 2), (15, [(2, 2, 2)], 0.7, 3)]
# (seed, shapes, lr, momentum, steps)
MOM_HIDDEN = [(11, [(5, 2), (2,)], 0.02, 0.9, 5), (12, [(1,)], 0.5, 0.8, 4), (13, [(3, 3), (3,), (4,)], 0.1, 0.95, 4),
             (14, [(6,)], 0.01, 0.0, 3), (15, [(2, 2, 2)], 0.2, 0.7, 4)]
# (seed, shapes, lr, beta1, beta2, eps, steps)
ADAM_HIDDEN = [(11, [(5, 2), (2,)], 0.02, 0.9, 0.999, 1e-8, 5), (12, [(1,)], 0.5, 0.8, 0.99, 1e-8, 4),
              (13, [(3, 3), (3,), (4,)], 0.003, 0.95, 0.9, 1e-8, 4), (14, [(6,)], 0.05, 0.0, 0.5, 1e-2, 3),
              (15, [(2, 2, 2)], 0.2, 0.7, 0.99, 1e-6, 4)]
# (seed, N, D, batch_size, epochs, lr)
LOOP_HIDDEN = [(11, 13, 3, 5, 4, 0.1), (12, 9, 2, 9, 4, 0.1), (13, 6, 4, 10, 2, 0.1), (14, 17, 2, 3, 2, 0.05),
              (15, 20, 3, 8, 2, 0.1)]
