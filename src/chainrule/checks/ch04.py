"""Checks for chapter 4 (gradient descent and optimizers).

Conventions (the same as the chapter's docstrings):

    params, grads, velocities, m, v: lists of NumPy arrays, one per parameter (element i of each
    has the shape of params[i]). A step function RETURNS new arrays and leaves all of its
    arguments unchanged: no in-place update (``chainrule.optim`` and ``torch.optim`` update in
    place on purpose; these functions do not).

    check_sgd_step(fn)        fn(params, grads, lr) -> new_params;              θ ← θ − η·g
    check_momentum_step(fn)   fn(params, grads, velocities, lr, momentum) -> (new_params, new_velocities)
                              PyTorch's convention: v ← μ·v + g, θ ← θ − η·v (velocities start at 0)
    check_adam_step(fn)       fn(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8)
                              -> (new_params, new_m, new_v); t is the number of this step, 1 at the first;
                              m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², m̂ = m / (1 − β1^t),
                              v̂ = v / (1 − β2^t), θ ← θ − η·m̂ / (√v̂ + ε); m and v hold the UNcorrected moments
    check_train_minibatch(fn) fn(x, y, params, loss_and_grad, lr, batch_size, epochs, seed=0) -> (params, log)
                              one new permutation of the N samples per epoch; batches are consecutive
                              slices of it, the last one holding the N mod B samples left over (kept);
                              each iteration: loss, grads = loss_and_grad(params, xb, yb), then
                              params ← [p − lr·g]; log = {"epochs": E, "iterations": E·⌈N/B⌉,
                              "losses": [the loss of every iteration, in order]}

How the judging works
---------------------
The three step checks run several steps from seeded parameters, feeding your returned state back
into your function, and compare after every step with ``chainrule.optim.SGD`` (with
``momentum=μ``) and ``chainrule.optim.Adam`` run on the same gradients: the new parameters, and
the optimizer's state (its momentum buffer, its ``exp_avg`` and ``exp_avg_sq``). Step 1 is where
Adam's bias correction matters most. The first value that differs is diagnosed against the
typical mistakes computed from the state before that step (a + where a − belongs, a missing or
misplaced bias correction, β where 1 − β belongs, the other momentum convention, ...).

The training-loop check gives your function a ``loss_and_grad`` that records every batch it is
called with: from those it checks the number of iterations per epoch (⌈N/B⌉, the last partial
batch included), that every epoch visits every sample exactly once in a new shuffled order, that
the same seed gives the same batches (and another seed other batches), that each iteration starts
from the parameters of the previous update, and your returned parameters and log. Any shuffling
method passes: only these properties are checked.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from coursekit.ch04 import Recorder, linear_loss_and_grad
from coursekit.data import type_name

from .core import _index, as_array, call, cases, detail_lines, fmt, judge, passed

__all__ = ["check_sgd_step", "check_momentum_step", "check_adam_step", "check_train_minibatch",
           "ref_sgd_step", "ref_momentum_step", "ref_adam_step", "ref_train_minibatch", "linear_loss_and_grad"]


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
def _optim_run(kind, params0, grad_seq, **settings):
    """Run chainrule.optim on the gradient sequence; after each step: params and the state lists."""
    from .. import optim
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


def _verified(reference, ours, what):
    """Our own safety net: chainrule.optim and the formulas above agree."""
    for a, b in zip(reference, ours):
        if not np.allclose(a, b, rtol=1e-12, atol=1e-14):  # pragma: no cover
            raise RuntimeError(f"chainrule.checks.ch04: chainrule.optim and the reference {what} disagree")


# ---------------------------------------------------------------------- seeded cases
def _case_data(seed, shapes, steps):
    """Starting parameters and one list of gradients per step; gradient entries are kept away from
    0 (|g| ≥ 0.1 × scale) and have different scales per parameter, as real gradients do."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) for s in shapes]
    scales = [float(s) for s in rng.choice([0.3, 1.0, 4.0], size=len(shapes))]
    grad_seq = []
    for _ in range(steps):
        grads = []
        for s, scale in zip(shapes, scales):
            mag = rng.uniform(0.1, 2.0, s) * scale
            grads.append(np.where(rng.random(s) < 0.5, -mag, mag))
        grad_seq.append(grads)
    return params, grad_seq


def _shapes_text(shapes):
    return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"


def _describe(got):
    if isinstance(got, (tuple, list)):
        return f"{type_name(got)} of {len(got)}"
    shape = got.shape if isinstance(got, (np.ndarray, np.generic)) else None
    return f"{type_name(got)} {tuple(shape)}" if shape is not None else type_name(got)


def _copies(arrays):
    return [np.array(a, dtype=np.float64, copy=True) for a in arrays]


def _unpack(got, names, case):
    """The learner's tuple of len(names) results."""
    __tracebackhide__ = True
    if got is None:
        case.fail("optim_returned_none", expected=", ".join(names))
    if not isinstance(got, (tuple, list)) or len(got) != len(names) or any(
            isinstance(item, np.ndarray) for item in got):   # one list of arrays, not a tuple of lists
        case.fail("optim_bad_return", expected="(" + ", ".join(names) + ")", got=_describe(got))
    return list(got)


def _as_list(got, n, name, case):
    """A list (or tuple) of n arrays, one per parameter."""
    __tracebackhide__ = True
    if got is None:
        case.fail("optim_returned_none", expected=name)
    if not isinstance(got, (list, tuple)) or len(got) != n:
        case.fail("optim_bad_list", name=name, n=n, got=_describe(got))
    return list(got)


def _untouched(saved, passed, name, case):
    """CheckFailed('optim_in_place') when an argument list or one of its arrays was changed."""
    __tracebackhide__ = True
    if not isinstance(passed, list) or len(passed) != len(saved):
        case.fail("optim_in_place", name=name, index="", before=f"list of {len(saved)}", after=_describe(passed))
    for i, (before, after) in enumerate(zip(saved, passed)):
        _untouched_array(before, after, f"{name}[{i}]", case)


def _untouched_array(before, after, name, case):
    __tracebackhide__ = True
    after = np.asarray(after, dtype=np.float64)
    if after.shape != before.shape:
        case.fail("optim_in_place", name=name, index="", before=before.shape, after=after.shape)
    if not np.array_equal(after, before):
        flat = int(np.argmax(np.abs(after - before)))
        idx = np.unravel_index(flat, before.shape) if before.ndim else ()
        case.fail("optim_in_place", name=name, index=_index(idx) if before.ndim else "",
                  before=fmt(before.flat[flat], 10), after=fmt(after.flat[flat], 10))


# Each exercise's own hint for a returned array that is −expected (a negated element of the returned
# tuple), and for parameters that moved twice or half as far as expected: (exercise, returned list).
# (A negated velocity is −g at step 1, where v starts at 0: "momentum_velocity_sign" names it.)
_NEGATED = {("sgd_step", "new_params"): "sgd_params_negated",
            ("momentum_step", "new_params"): "momentum_params_negated",
            ("adam_step", "new_params"): "adam_params_negated",
            ("adam_step", "new_m"): "adam_moment_negated", ("adam_step", "new_v"): "adam_moment_negated"}
_STEP_SCALED = {"sgd_step": "sgd_step_scaled", "momentum_step": "momentum_step_scaled",
                "adam_step": "adam_step_scaled"}


def _judge_list(expected, got, name, t, case, alternatives_of, atol=1e-10, rtol=1e-8, start=None):
    """Judge element i of a returned list against expected[i], with per-element alternatives, then the
    exercise's own negated / doubled-step / halved-step diagnoses (``start``: the parameters before
    the step, for the step's size)."""
    __tracebackhide__ = True
    got = _as_list(got, len(expected), name, case)
    for i, (e, g) in enumerate(zip(expected, got)):
        label = f"{name}[{i}]"
        alts = [(cat, alt, {"name": label, "t": t, **extra}) for cat, alt, extra in alternatives_of(i)]
        own = {"name": label, "t": t}
        if (case.exercise, name) in _NEGATED:
            alts.append((_NEGATED[case.exercise, name], lambda e=e: -np.asarray(e), own))
        if start is not None and case.exercise in _STEP_SCALED:
            p0 = np.asarray(start[i], dtype=np.float64)
            alts += [(_STEP_SCALED[case.exercise], lambda e=e, p0=p0: p0 + 2 * (e - p0), {**own, "factor": 2}),
                     (_STEP_SCALED[case.exercise], lambda e=e, p0=p0: p0 + (e - p0) / 2, {**own, "factor": "1/2"})]
        judge(e, g, case, atol=atol, rtol=rtol, alternatives=alts,
              what=("what_step_item", {"name": name, "i": i, "t": t}))
    return [as_array(g, case) for g in got]


# ---------------------------------------------------------------------- sgd_step
# (seed, shapes, lr, steps)
_SGD_VISIBLE = [(1, [(3, 2), (2,)], 0.1, 3), (2, [(4,)], 0.5, 3), (3, [(2, 3), (3,), (1,)], 0.01, 2)]
_SGD_HIDDEN = [(11, [(5, 2), (2,)], 0.05, 4), (12, [(1,)], 1.0, 3), (13, [(3, 3), (3,), (2, 4), (4,)], 0.2, 3),
               (14, [(6,)], 0.003, 2), (15, [(2, 2, 2)], 0.7, 3)]


def check_sgd_step(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _SGD_HIDDEN if hidden else _SGD_VISIBLE
    descs = [f"params {_shapes_text(sh)}, lr = {lr}, {steps} steps" for _, sh, lr, steps in specs]
    for case, (seed, shapes, lr, steps) in zip(cases("sgd_step", descs), specs):
        params0, grad_seq = _case_data(seed, shapes, steps)
        reference = _optim_run("sgd", params0, grad_seq, lr=lr)
        params = _copies(params0)
        for t, (grads, ref) in enumerate(zip(grad_seq, reference), start=1):
            before = reference[t - 2]["params"] if t > 1 else params0
            _verified(ref["params"], ref_sgd_step(before, grads, lr), "sgd step")
            args = (_copies(params), _copies(grads), lr)
            got = call(fn, args, case)
            _untouched(params, args[0], "params", case)
            _untouched(grads, args[1], "grads", case)

            def alternatives(i, p=params, g=grads):
                return [("update_sign", lambda: p[i] + lr * g[i], {}),
                        ("missing_lr", lambda: p[i] - g[i], {}),
                        ("no_update", lambda: p[i], {}),
                        ("lr_divides", lambda: p[i] - g[i] / lr, {})]
            params = _judge_list(ref["params"], got, "new_params", t, case, alternatives, start=params)
    passed("sgd_step", len(specs), hidden)


# ---------------------------------------------------------------------- momentum_step
# (seed, shapes, lr, momentum, steps)
_MOM_VISIBLE = [(1, [(3, 2), (2,)], 0.03, 0.9, 4), (2, [(4,)], 0.05, 0.5, 3), (3, [(2, 3), (1,)], 0.3, 0.99, 3)]
_MOM_HIDDEN = [(11, [(5, 2), (2,)], 0.02, 0.9, 5), (12, [(1,)], 0.5, 0.8, 4), (13, [(3, 3), (3,), (4,)], 0.1, 0.95, 4),
               (14, [(6,)], 0.01, 0.0, 3), (15, [(2, 2, 2)], 0.2, 0.7, 4)]


def check_momentum_step(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _MOM_HIDDEN if hidden else _MOM_VISIBLE
    descs = [f"params {_shapes_text(sh)}, lr = {lr}, momentum = {mu}, velocities start at 0, {steps} steps"
             for _, sh, lr, mu, steps in specs]
    for case, (seed, shapes, lr, mu, steps) in zip(cases("momentum_step", descs), specs):
        params0, grad_seq = _case_data(seed, shapes, steps)
        reference = _optim_run("sgd", params0, grad_seq, lr=lr, momentum=mu)
        params, velocities = _copies(params0), [np.zeros(s) for s in shapes]
        for t, (grads, ref) in enumerate(zip(grad_seq, reference), start=1):
            before = reference[t - 2] if t > 1 else {"params": params0, "velocities": velocities}
            _verified(ref["params"] + ref["velocities"],
                      sum(ref_momentum_step(before["params"], grads, before["velocities"], lr, mu), []), "momentum step")
            r_params, r_vel = ref["params"], ref["velocities"]
            nv_mine = ref_momentum_step(params, grads, velocities, lr, mu)[1]
            args = (_copies(params), _copies(grads), _copies(velocities), lr, mu)
            got = call(fn, args, case)
            for saved, passed_, name in zip((params, grads, velocities), args, ("params", "grads", "velocities")):
                _untouched(saved, passed_, name, case)
            new_params, new_velocities = _unpack(got, ("new_params", "new_velocities"), case)

            def v_alternatives(i, v=velocities, g=grads):
                return [("momentum_convention", lambda: mu * v[i] - lr * g[i], {"lr": lr, "mu": mu}),
                        ("momentum_lr_in_velocity", lambda: mu * v[i] + lr * g[i], {"lr": lr, "mu": mu}),
                        ("momentum_dampened", lambda: mu * v[i] + (1 - mu) * g[i], {"mu": mu}),
                        ("momentum_velocity_sign", lambda: mu * v[i] - g[i], {"mu": mu}),
                        ("momentum_velocity_not_updated", lambda: v[i], {})]
            got_v = _judge_list(r_vel, new_velocities, "new_velocities", t, case, v_alternatives)

            def p_alternatives(i, p=params, v=velocities, g=grads, nv=nv_mine):
                return [("update_sign", lambda: p[i] + lr * nv[i], {}),
                        ("momentum_old_velocity", lambda: p[i] - lr * v[i], {}),
                        ("momentum_not_used", lambda: p[i] - lr * g[i], {}),
                        ("missing_lr", lambda: p[i] - nv[i], {}),
                        ("no_update", lambda: p[i], {})]
            params = _judge_list(r_params, new_params, "new_params", t, case, p_alternatives, start=params)
            velocities = got_v
    passed("momentum_step", len(specs), hidden)


# ---------------------------------------------------------------------- adam_step
# (seed, shapes, lr, beta1, beta2, eps, steps)
_ADAM_VISIBLE = [(1, [(3, 2), (2,)], 0.01, 0.9, 0.999, 1e-8, 4), (2, [(4,)], 0.1, 0.5, 0.9, 1e-8, 3),
                 (3, [(2, 3), (1,)], 0.001, 0.9, 0.999, 1e-3, 3)]
_ADAM_HIDDEN = [(11, [(5, 2), (2,)], 0.02, 0.9, 0.999, 1e-8, 5), (12, [(1,)], 0.5, 0.8, 0.99, 1e-8, 4),
                (13, [(3, 3), (3,), (4,)], 0.003, 0.95, 0.9, 1e-8, 4), (14, [(6,)], 0.05, 0.0, 0.5, 1e-2, 3),
                (15, [(2, 2, 2)], 0.2, 0.7, 0.99, 1e-6, 4)]


def _adam_variant(p, g, m, v, t, lr, b1, b2, eps, mistake):
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


def check_adam_step(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _ADAM_HIDDEN if hidden else _ADAM_VISIBLE
    descs = [f"params {_shapes_text(sh)}, lr = {lr}, beta1 = {b1}, beta2 = {b2}, eps = {eps}, m and v start at 0, "
             f"t = 1..{steps}" for _, sh, lr, b1, b2, eps, steps in specs]
    for case, (seed, shapes, lr, b1, b2, eps, steps) in zip(cases("adam_step", descs), specs):
        params0, grad_seq = _case_data(seed, shapes, steps)
        reference = _optim_run("adam", params0, grad_seq, lr=lr, betas=(b1, b2), eps=eps)
        params, m, v = _copies(params0), [np.zeros(s) for s in shapes], [np.zeros(s) for s in shapes]
        for t, (grads, ref) in enumerate(zip(grad_seq, reference), start=1):
            zeros = [np.zeros(sh) for sh in shapes]
            before = reference[t - 2] if t > 1 else {"params": params0, "m": zeros, "v": zeros}
            _verified(ref["params"] + ref["m"] + ref["v"],
                      sum(ref_adam_step(before["params"], grads, before["m"], before["v"], t, lr, b1, b2, eps), []),
                      "adam step")
            r_p, r_m, r_v = ref["params"], ref["m"], ref["v"]
            args = (_copies(params), _copies(grads), _copies(m), _copies(v), t, lr)
            kwargs = {"beta1": b1, "beta2": b2, "eps": eps}
            got = call(fn, args, case, kwargs)
            for saved, passed_, name in zip((params, grads, m, v), args, ("params", "grads", "m", "v")):
                _untouched(saved, passed_, name, case)
            new_p, new_m, new_v = _unpack(got, ("new_params", "new_m", "new_v"), case)
            fields = {"b1": b1, "b2": b2, "eps": eps}

            def variant(mistake, i, which, p=params, g=grads, m_=m, v_=v, t=t):
                return lambda: _adam_variant(p[i], g[i], m_[i], v_[i], t, lr, b1, b2, eps, mistake)[which]

            def m_alternatives(i):
                return [("adam_beta_weights", variant("beta_not_one_minus", i, 1), fields),
                        ("adam_beta_weights", variant("beta_swapped", i, 1), fields),
                        ("adam_stored_corrected", lambda: r_m[i] / (1 - b1 ** t), fields),
                        ("adam_moment_not_updated", lambda: m[i], fields)]
            m_got = _judge_list(r_m, new_m, "new_m", t, case, m_alternatives)

            def v_alternatives(i):
                return [("adam_v_not_squared", variant("not_squared", i, 2), fields),
                        ("adam_square_placement", variant("square_outside", i, 2), fields),
                        ("adam_beta_weights", variant("beta_not_one_minus", i, 2), fields),
                        ("adam_beta_weights", variant("beta_swapped", i, 2), fields),
                        ("adam_stored_corrected", lambda: r_v[i] / (1 - b2 ** t), fields),
                        ("adam_moment_not_updated", lambda: v[i], fields)]
            v_got = _judge_list(r_v, new_v, "new_v", t, case, v_alternatives)

            _adam_step_index_nan(new_p, t, case, fields)

            def p_alternatives(i):
                return [("adam_no_bias_correction", variant("no_bias_correction", i, 0), fields),
                        ("adam_half_bias_correction", variant("only_m_corrected", i, 0), fields),
                        ("adam_half_bias_correction", variant("only_v_corrected", i, 0), fields),
                        ("adam_step_index", variant("t_plus_1", i, 0), fields),
                        ("adam_step_index", variant("t_minus_1", i, 0), fields),
                        ("adam_missing_sqrt", variant("missing_sqrt", i, 0), fields),
                        ("adam_eps_placement", variant("eps_inside_sqrt", i, 0), fields),
                        ("adam_eps_placement", variant("eps_before_correction", i, 0), fields),
                        ("update_sign", variant("sign", i, 0), fields),
                        ("no_update", lambda: params[i], fields)]
            params = _judge_list(r_p, new_p, "new_params", t, case, p_alternatives, start=params)
            m, v = m_got, v_got
    passed("adam_step", len(specs), hidden)


def _adam_step_index_nan(new_p, t, case, fields):
    """At step 1, 1 − β^(t − 1) = 0: a step index counted from 0 divides by zero (NaN or inf)."""
    __tracebackhide__ = True
    if t != 1 or not isinstance(new_p, (list, tuple)):
        return
    try:
        with np.errstate(all="ignore"):
            bad = any(not np.all(np.isfinite(np.asarray(p, dtype=np.float64))) for p in new_p)
    except (TypeError, ValueError):
        return
    if bad:
        case.fail("adam_step_index", [], name="new_params", t=t, **fields)


# ---------------------------------------------------------------------- train_minibatch
# (seed, N, D, batch_size, epochs, lr)
_LOOP_VISIBLE = [(1, 10, 3, 4, 2, 0.1), (2, 12, 2, 4, 2, 0.05), (3, 7, 2, 1, 2, 0.05)]
_LOOP_HIDDEN = [(11, 13, 3, 5, 4, 0.1), (12, 9, 2, 9, 4, 0.1), (13, 6, 4, 10, 2, 0.1), (14, 17, 2, 3, 2, 0.05),
                (15, 20, 3, 8, 2, 0.1)]
_SEEDS = (7, 8)   # the seeds the check passes: the same one twice, then another


def _loop_data(seed, n, d):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = x @ rng.standard_normal(d) + 0.5 + 0.3 * rng.standard_normal(n)
    y = y + 1e-3 * np.arange(n)   # every target distinct: they identify the samples of a batch
    params = [0.5 * rng.standard_normal(d), np.array([0.1])]
    return x, y, params


def _batch_sets(calls):
    """The batches in order, each as a set of sample indices (the order inside a batch changes nothing)."""
    return [frozenset(c[1].tolist()) for c in calls]


def _expected_sizes(n, b):
    return [min(b, n - s) for s in range(0, n, b)]


def check_train_minibatch(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _LOOP_HIDDEN if hidden else _LOOP_VISIBLE
    descs = [f"N = {n}, x {(n, d)}, batch_size = {b}, epochs = {e}, lr = {lr}" for _, n, d, b, e, lr in specs]
    for case, (seed, n, d, b, epochs, lr) in zip(cases("train_minibatch", descs), specs):
        runs = []
        for run_seed in (_SEEDS[0], _SEEDS[0], _SEEDS[1]):
            x, y, params0 = _loop_data(seed, n, d)
            saved = (x.copy(), y.copy(), _copies(params0))
            rec = Recorder(x, y, len(params0))
            got = call(fn, (x, y, params0, rec, lr, b, epochs), case, {"seed": run_seed})
            _untouched_array(saved[0], x, "x", case)
            _untouched_array(saved[1], y, "y", case)
            _untouched(saved[2], params0, "params", case)
            runs.append((rec, got, saved))
            if len(runs) == 1:   # judge the first run in full before comparing runs
                _judge_loop_run(rec, got, saved, n, b, epochs, lr, case)
        if len(_expected_sizes(n, b)) > 1:   # with one batch per epoch the order changes nothing
            batches = [_batch_sets(rec.calls) for rec, _, _ in runs]
            if batches[0] != batches[1]:
                case.fail("loop_not_seeded", seed=_SEEDS[0])
            if batches[0] == batches[2]:
                case.fail("loop_seed_ignored", seed=_SEEDS[0], seed2=_SEEDS[1])
    passed("train_minibatch", len(specs), hidden)


def _judge_loop_run(rec, got, saved, n, b, epochs, lr, case):
    __tracebackhide__ = True
    params0 = saved[2]
    sizes = [len(c[1]) for c in rec.calls]
    want = _expected_sizes(n, b)
    per_epoch = len(want)
    fields = {"n": n, "b": b, "epochs": epochs, "per_epoch": per_epoch, "full": n // b, "rest": n % b,
              "total": epochs * per_epoch, "calls": len(sizes)}
    # 1. the batches: sizes, epochs, every sample once per epoch, shuffled, reshuffled
    if sizes != want * epochs:
        first = " ".join(map(str, sizes[:per_epoch + 2])) + (" …" if len(sizes) > per_epoch + 2 else "")
        fields.update(got_sizes=first or "—", want_sizes=" ".join(map(str, want)))
        if not sizes:
            case.fail("loop_no_calls", **fields)
        if n % b and sizes == [s for s in want if s == b] * epochs:
            case.fail("loop_dropped_last_batch", **fields)
        if len(sizes) % per_epoch == 0 and sizes == want * (len(sizes) // per_epoch):
            case.fail("loop_epoch_count", **fields)
        case.fail("loop_batch_sizes", **fields)
    if rec.problem is not None:
        case.fail(rec.problem[0], iteration=rec.problem[1], **fields)
    epochs_calls = [rec.calls[e * per_epoch:(e + 1) * per_epoch] for e in range(epochs)]
    for e, calls in enumerate(epochs_calls, start=1):
        seen = np.concatenate([c[1] for c in calls]).tolist()
        if sorted(seen) != list(range(n)):
            missing = sorted(set(range(n)) - set(seen))
            case.fail("loop_not_a_partition", epoch=e, missing=", ".join(map(str, missing[:5])) or "—", **fields)
    if per_epoch > 1:   # with one batch per epoch the order changes nothing
        epoch_batches = [_batch_sets(calls) for calls in epochs_calls]
        in_order = [frozenset(range(s, min(s + b, n))) for s in range(0, n, b)]
        if all(bs == in_order for bs in epoch_batches):
            case.fail("loop_not_shuffled", **fields)
        if epochs > 1 and all(bs == epoch_batches[0] for bs in epoch_batches):
            case.fail("loop_not_reshuffled", **fields)
    # 2. each iteration starts from the parameters of the previous update
    for k, (passed_params, _, _, _) in enumerate(rec.calls, start=1):
        if k == 1:
            expected, alternatives = params0, (lambda i: [])
        else:
            p, _, _, g = rec.calls[k - 2]
            expected = [pi - lr * gi for pi, gi in zip(p, g)]

            def alternatives(i, p=p, g=g):
                return [("loop_params_not_updated", lambda: p[i]),
                        ("loop_params_not_updated", lambda: params0[i]),
                        ("update_sign", lambda: p[i] + lr * g[i]),
                        ("missing_lr", lambda: p[i] - g[i])]
        for i, (e_i, g_i) in enumerate(zip(expected, passed_params)):
            judge(e_i, g_i, case, atol=1e-10, rtol=1e-8,
                  alternatives=[(c, a, {"iteration": k, "name": f"params[{i}]", "t": k, **fields})
                                for c, a in alternatives(i)],
                  what=("what_loop_params", {"i": i, "k": k}))
    # 3. what the function returned
    new_params, log = _unpack(got, ("params", "log"), case)
    last_p, _, _, last_g = rec.calls[-1]
    final = [p - lr * g for p, g in zip(last_p, last_g)]
    _judge_list(final, new_params, "params", len(rec.calls), case,
                lambda i: [("loop_returned_start", lambda: params0[i], {}),
                           ("loop_returned_before_last_update", lambda: last_p[i], {})], rtol=1e-8)
    if not isinstance(log, dict):
        case.fail("loop_log_not_dict", got=_describe(log))
    for key in ("epochs", "iterations", "losses"):
        if key not in log:
            case.fail("loop_log_missing_key", missing=key, keys=", ".join(map(str, log)) or "—")
    _judge_count(epochs, log["epochs"], "epochs", [], fields, case)
    total = len(rec.calls)
    _judge_count(total, log["iterations"], "iterations",
                 [("loop_iterations_per_epoch_only", per_epoch), ("loop_iterations_counted_samples", epochs * n),
                  ("loop_iterations_floor", epochs * (n // b)), ("loop_iterations_counted_epochs", epochs)],
                 fields, case)
    losses = [c[2] for c in rec.calls]
    try:
        n_losses = len(log["losses"])
    except TypeError:
        n_losses = None
    if n_losses != total:
        if n_losses == epochs:
            case.fail("loop_losses_per_epoch", got=n_losses, **fields)
        case.fail("loop_losses_length", got=n_losses if n_losses is not None else _describe(log["losses"]),
                  **fields)
    judge(np.array(losses), log["losses"], case, atol=1e-12, rtol=1e-9, what=("what_log", {"entry": "losses"}))


def _judge_count(expected, got, key, alternatives, fields, case):
    """An exact count in the log; a wrong one is matched against typical miscounts."""
    __tracebackhide__ = True
    what = ("what_log", {"entry": key})
    try:
        value = float(got)
    except (TypeError, ValueError):
        case.fail("loop_count_not_number", entry=key, got=_describe(got), **fields)
    if value == expected:
        return
    details = detail_lines(np.float64(expected), np.float64(value), what)
    for category, candidate in alternatives:
        if candidate != expected and value == candidate:
            case.fail(category, details, entry=key, got=fmt(value), **fields)
    case.fail("loop_count_wrong", details, entry=key, got=fmt(value), expected=expected, **fields)
