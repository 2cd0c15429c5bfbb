"""The answer key of chapter 8's checks: the reference training steps, forward passes, gradient norms
and whole-model gradient check, the typical wrong versions a check compares a wrong answer with (the
unfixed forward passes, gradient ascent, one-sided or element-wise gradient checks) and the hidden
cases. Conventions: see :mod:`coursekit.checks.ch08`. The references run on models the judge built and never lent."""
from __future__ import annotations

import numpy as np

from chainrule import Tensor, no_grad, optim
from chainrule import functional as F


def ref_train_steps(model, x, y, lr, steps, zero="start"):
    """Plain SGD; zero: "start" (right), "never" (the bug), "between" (zero_grad between backward and step)."""
    opt = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        if zero == "start":
            opt.zero_grad()
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        if zero == "between":
            opt.zero_grad()
        opt.step()
        losses.append(float(loss.data))
    return losses


def ascent_steps(model, x, y, lr, steps):
    """The typical sign slip of a hand-written update: p.data += lr * p.grad."""
    losses = []
    for _ in range(steps):
        model.zero_grad()
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        for p in model.parameters():
            with np.errstate(all="ignore"):
                p.data = p.data + lr * p.grad
        losses.append(float(loss.data))
    return losses


def ref_forward(model, x):
    h = F.tanh(model.fc1(x))
    return model.fc2(h) * model.gain


def buggy_forward(model, x):
    h = F.tanh(model.fc1(x))
    h = Tensor(np.nan_to_num(h.numpy()))
    return model.fc2(h) * model.gain


def ref_logged_forward(model, x):
    h = F.relu(model.fc1(x))
    scores = model.fc2(h) * model.gain
    return scores, h.data / h.data.max()


def buggy_logged_forward(model, x):
    h = F.relu(model.fc1(x))
    scores = model.fc2(h) * model.gain
    h.data /= h.data.max()
    return scores, h.data


def norm(g):
    return 0.0 if g is None else float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))


def ref_grad_norms(model):
    return {name: norm(p.grad) for name, p in model.named_parameters()}


def ref_gc_rels(model, x, y, loss_fn, eps=1e-6, one_sided=False, elementwise=False):
    """{name: relative error of backprop against finite differences} of every parameter, in order;
    one_sided=True uses forward differences, elementwise=True the largest element-wise relative
    error (two typical variants)."""
    model.zero_grad()
    loss_fn(model(x), y).backward()
    rels = {}
    for name, p in model.named_parameters():
        analytic = np.zeros_like(p.data) if p.grad is None else p.grad.copy()
        numeric = np.zeros_like(p.data)
        flat = p.data.reshape(-1)
        with no_grad():
            base = float(loss_fn(model(x), y).data) if one_sided else None
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + eps
                up = float(loss_fn(model(x), y).data)
                flat[i] = old - eps
                down = base if one_sided else float(loss_fn(model(x), y).data)
                flat[i] = old
                numeric.flat[i] = (up - down) / (eps if one_sided else 2 * eps)
        if elementwise:
            scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
            rels[name] = float(np.max(np.abs(analytic - numeric) / scale))
        else:
            rels[name] = float(np.linalg.norm(analytic - numeric) /
                               max(np.linalg.norm(analytic), np.linalg.norm(numeric), 1e-12))
    return rels


def ref_check_model_gradients(model, x, y, loss_fn, eps=1e-6, tol=1e-6, one_sided=False, elementwise=False):
    """(ok, worst_name, rel_error), the reference (variants: see :func:`ref_gc_rels`)."""
    rels = ref_gc_rels(model, x, y, loss_fn, eps, one_sided, elementwise)
    worst = max(rels, key=rels.get)                 # the first of equals, as a strict ">" loop finds
    return rels[worst] <= tol, worst, rels[worst]


# ---------------------------------------------------------------------- hidden cases
# (seed, N, D, H, C, lr, steps)
TRAIN_HIDDEN = [(11, 10, 2, 6, 3, 0.08, 15), (12, 6, 5, 4, 2, 0.12, 10), (13, 1, 3, 3, 1, 0.1, 6)]
# (seed, N, D, H, C)
FWD_HIDDEN = [(11, 6, 5, 4, 3), (12, 3, 2, 6, 4), (13, 8, 6, 3, 1)]
# (seed, N, D, H, C, names whose grad is set to None)
NORM_HIDDEN = [(11, 6, 5, 4, 3, ()), (12, 2, 2, 6, 4, ("fc1.bias",)), (13, 5, 6, 3, 1, ("fc2.bias", "gain"))]
# (seed, N, D, H, C, loss, wrong VJP or None): see ch08._GC_VISIBLE
GC_HIDDEN = [(11, 6, 4, 5, 3, "ce", None), (12, 3, 2, 4, 3, "ce", "fc2_one_sample"),
            (13, 4, 5, 3, 1, "mse", "tanh_no_square"), (14, 2, 3, 6, 4, "mse", None),
            (15, 5, 3, 4, 2, "mse", "mul_forgets_factor"), (16, 4, 3, 3, 3, "ce", "fc1_one_sample")]


# ---------------------------------------------------------------------- softplus, a primitive of its own
def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def ref_softplus(x):
    return np.logaddexp(0.0, x)


def ref_softplus_vjp(dout, x):
    return dout * stable_sigmoid(x)


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch08_primitive
SP_HIDDEN = [(11, (7,), 4.0, False), (12, (2, 3, 2), 10.0, False), (13, (4, 4), 1.0, True), (14, (1,), 2.0, False)]


# ---------------------------------------------------------------------- one case, as data in and data out
# What coursekit.checks.ch08 asks of the key: each builds its own model from the case's numbers (the
# check's public model builders), runs a reference on it and returns numbers, so that a learner's
# install can replay the recorded results (coursekit.checks.answers).
def train_case(seed, d, h, c, x, y, lr, steps, zero="start"):
    """``{"losses", "params" (after training), "final_loss"}`` of the reference loop on Net(d, h, c, seed)."""
    from coursekit.ch08 import Net
    model = Net(d, h, c, seed)
    losses = ref_train_steps(model, x, y, lr, steps, zero)
    with no_grad():
        final = float(F.mse_loss(model(Tensor(x)), Tensor(y)).data)
    return {"losses": [float(v) for v in losses], "final_loss": final,
            "params": {name: p.data.copy() for name, p in model.named_parameters()}}


def ascent_case(seed, d, h, c, x, y, lr, steps):
    """The losses of the loop that steps up the gradient (a typical mistake), on Net(d, h, c, seed)."""
    from coursekit.ch08 import Net
    return [float(v) for v in ascent_steps(Net(d, h, c, seed), x, y, lr, steps)]


def forward_case(logged, buggy, seed, d, h, c, x, dout):
    """``{"scores", "h" (logged only), "grads"}`` of the fixed (or, ``buggy``, the shipped) forward pass on the
    check's model, run backward from ``dout``."""
    from coursekit.checks.ch08 import forward_model
    model = forward_model(seed, d, h, c, x)
    fn = {(False, False): ref_forward, (False, True): buggy_forward, (True, False): ref_logged_forward,
          (True, True): buggy_logged_forward}[(bool(logged), bool(buggy))]
    out = fn(model, Tensor(x))
    scores, h_scaled = out if logged else (out, None)
    scores.backward(dout)
    return {"scores": scores.data.copy(), "h": None if h_scaled is None else np.array(h_scaled, dtype=np.float64),
            "grads": {name: None if p.grad is None else p.grad.copy() for name, p in model.named_parameters()}}


def gc_rels_case(spec, **kw):
    """:func:`ref_gc_rels` on the check's case ``spec`` (a fresh model)."""
    from coursekit.checks.ch08 import gc_case
    model, x, y, loss_fn = gc_case(*spec)
    return ref_gc_rels(model, Tensor(x), y, loss_fn, **kw)


def gc_check_case(spec, **kw):
    """:func:`ref_check_model_gradients` on the check's case ``spec`` (a fresh model)."""
    from coursekit.checks.ch08 import gc_case as build
    model, x, y, loss_fn = build(*spec)
    return ref_check_model_gradients(model, Tensor(x), y, loss_fn, **kw)
