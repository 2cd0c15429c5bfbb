"""Checks for chapter 3 (backprop in a multilayer perceptron).

Conventions (the same as the chapter's docstrings):

    affine layer   w has PyTorch's layout (out_features, in_features):
                   out = x @ w.T + b, x (N, D), w (M, D), b (M,), out (N, M)
    check_affine_forward(fn)     fn(x, w, b) -> (out, cache)
    check_affine_backward(fn)    fn(dout, cache) -> (dx, dw, db), cache = (x, w, b)
    check_sigmoid_backward(fn)   fn(dout, out) -> dx, out = sigmoid(x) (the forward *output*)
    check_tanh_backward(fn)      fn(dout, out) -> dx, out = tanh(x)    (the forward *output*)
    check_relu_backward(fn)      fn(dout, x) -> dx, x = the forward *input*
    check_softmax_cross_entropy(fn)  fn(logits (N, C), y (N,) int) -> (loss, dlogits);
                                     loss = mean over the N samples, dlogits = (p − onehot) / N
    check_mse_loss(fn)           fn(pred, target) -> (loss, dpred); loss = mean over *all* elements
    check_two_layer_net(fn)      fn(x, y, params) -> (loss, grads); affine → ReLU → affine →
                                 softmax cross-entropy, params/grads keys W1 (H, D), b1, W2 (C, H), b2

How the judging works
---------------------
Each case draws seeded random inputs (visible and hidden cases differ; shapes include batch size 1
and non-square matrices, so that a transpose cannot hide). The expected values come from the
reference implementation (:mod:`grader.key.ch03`), and in every case the reference gradients are first
verified against ``chainrule.numerical_grad`` (central differences on the reference loss or forward pass):
a pass therefore means that your gradient agrees with the numerical one. Inputs are kept away
from ReLU's kink at 0, so that every correct implementation, with loops or vectorised, passes.
A wrong result is diagnosed against the typical mistakes (a transposed dw, a missing batch sum in
db, dividing by N twice, a ReLU mask taken from dout, s instead of s(1 − s), a softmax that
overflows, ...), and the report names the output that is wrong (dx, dw, db, ...). A flipped sign, a
doubled or halved gradient get each exercise's own hint (where its minus sign comes from), never
another exercise's. The activations are checked in :mod:`.ch03_act`, the tensor engine's VJPs
(section 3.10) in :mod:`.ch03_tensor`.
"""
from __future__ import annotations

import functools

import numpy as np

from chainrule import numerical_grad
from .core import as_array, call, cases, judge, passed
from .learner import call_with_shape_hint
from .seeded import seeded
from .core import describe as _describe, unchanged as _unchanged, unpack as _unpack, verified as _verified
from . import ch03_act as _act
# the activations (ch03_act), under the chapter's module name; the layer-sized spec is named here too,
# as the LAYER_SIZED table below names it (as ch07 does for ch07_layers). The checks read ch03_act's own.
from .ch03_act import check_relu_backward, check_sigmoid_backward, check_tanh_backward  # noqa: F401
from .ch03_act import _act_case  # noqa: F401
from .answers import check, hidden_cases, reference
KEY = hidden_cases("ch03")  # the hidden cases: grader.key.ch03, where the grader runs
(log_softmax_rows, net_forward, ref_affine_backward, ref_affine_forward, ref_mse_loss,
 ref_relu_backward, ref_sigmoid_backward, ref_softmax_cross_entropy, ref_tanh_backward,
 ref_two_layer_net, sigmoid, softmax_diag_only) = reference(
    "ch03", "log_softmax_rows", "net_forward", "ref_affine_backward", "ref_affine_forward", "ref_mse_loss",
    "ref_relu_backward", "ref_sigmoid_backward", "ref_softmax_cross_entropy", "ref_tanh_backward",
    "ref_two_layer_net", "sigmoid", "softmax_diag_only")


# ---------------------------------------------------------------------- helpers
def _call(fn, args, case, layout_hint=False):
    """Call the learner; a matmul shape error in an affine layer gets the layout hint."""
    __tracebackhide__ = True
    if not layout_hint:
        return call(fn, args, case)
    return call_with_shape_hint(fn, args, case, "affine_layout", words=("matmul", "aligned", "mismatch"))


def _finite_or_overflow(got, case, what):
    """On a case with huge logits, a NaN or inf means the softmax overflowed."""
    __tracebackhide__ = True
    arr = as_array(got, case)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        case.fail("softmax_overflow", what=what)


def _shape(a):
    return "(" + ", ".join(str(int(s)) for s in np.shape(a)) + (",)" if np.ndim(a) == 1 else ")")


# ---------------------------------------------------------------------- affine layer
# (seed, N, D, M): x (N, D), w (M, D), b (M,)
_AFFINE_VISIBLE = [(1, 4, 5, 3), (2, 1, 3, 2), (3, 2, 6, 4)]


@seeded(lambda: [KEY.AFFINE_SCALE])  # the layer-sized case: drawn once per grading worker
def _affine_case(seed, n, d, m):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d)), rng.standard_normal((m, d)), rng.standard_normal(m),
            rng.standard_normal((n, m)))


def _affine_desc(n, d, m):
    return f"x {(n, d)}, w {(m, d)}, b {(m,)}"


@check
def check_affine_forward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.AFFINE_HIDDEN if hidden else _AFFINE_VISIBLE
    for case, (seed, n, d, m) in zip(cases("affine_forward", [_affine_desc(*s[1:]) for s in specs]), specs):
        x, w, b, _ = _affine_case(seed, n, d, m)
        x0, w0, b0 = x.copy(), w.copy(), b.copy()
        got = _call(fn, (x, w, b), case, layout_hint=True)
        out, _cache = _unpack(got, ("out", "cache"), case)
        for before, after, name in ((x0, x, "x"), (w0, w, "w"), (b0, b, "b")):
            _unchanged(before, after, case, name)
        judge(ref_affine_forward(x0, w0, b0), out, case, atol=1e-10, rtol=1e-8,
              alternatives=[("missing_bias", lambda: x0 @ w0.T), ("affine_out_sign", lambda: -(x0 @ w0.T + b0)),
                            ("affine_bias_twice", lambda: x0 @ w0.T + 2 * b0)], what="what_out")
    passed("affine_forward", len(specs), hidden)




@check
def check_affine_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.AFFINE_HIDDEN + [KEY.AFFINE_SCALE] if hidden else _AFFINE_VISIBLE
    descs = [_affine_desc(*s[1:]) + f", dout {(s[1], s[3])}" for s in specs]
    for case, (seed, n, d, m) in zip(cases("affine_backward", descs), specs):
        x, w, b, dout = _affine_case(seed, n, d, m)
        saved = {"dout": dout.copy(), "x": x.copy(), "w": w.copy(), "b": b.copy()}
        got = _call(fn, (dout, (x, w, b)), case, layout_hint=True)
        dx, dw, db = _unpack(got, ("dx", "dw", "db"), case)
        for name in ("dout", "x", "w", "b"):
            _unchanged(saved[name], {"dout": dout, "x": x, "w": w, "b": b}[name], case, name)
        x, w, b, dout = saved["x"], saved["w"], saved["b"], saved["dout"]
        rdx, rdw, rdb = ref_affine_backward(dout, x, w, b)
        if not (hidden and (seed, n, d, m) == KEY.AFFINE_SCALE):  # same formula at every size
            f = lambda x_, w_, b_: ref_affine_forward(x_, w_, b_)  # noqa: E731
            _verified(rdx, lambda: numerical_grad(lambda v: f(v, w, b), x, dout), "dx")
            _verified(rdw, lambda: numerical_grad(lambda v: f(x, v, b), w, dout), "dw")
            _verified(rdb, lambda: numerical_grad(lambda v: f(x, w, v), b, dout), "db")
        _judge_grads(case, n, [("dx", "x", rdx, dx, "what_dx"), ("dw", "w", rdw, dw, "what_dw"),
                               ("db", "b", rdb, db, "what_db")],
                     per_sample={"dw": lambda: np.einsum("nm,nd->nmd", dout, x), "db": lambda: dout},
                     extra={"db": [("db_wrong_axis", lambda: dout.sum(axis=1), {"name": "db", "n": n})],
                            "dx": [("affine_dx_wT", lambda: dout @ w.T, {"name": "dx"})]},
                     sign="affine_grad_sign")
    passed("affine_backward", len(specs), hidden)


def _judge_grads(case, n, items, per_sample=(), extra=(), loss_is_ours=False, sign="net_grad_sign"):
    """Judge gradients in order, each with the typical mistakes of a parameter gradient.

    items: (name, kind, expected, got, what-key), kind "x" (an input), "w" (a weight matrix)
    or "b" (a bias); per_sample: name -> per-sample gradients (N, *shape);
    extra: name -> more (category, value[, fields]) alternatives, tried first;
    loss_is_ours: the function also computes the mean loss (then ×N means "not divided by N");
    sign: the exercise's own message for a gradient of the wrong sign (the place its minus comes from)
    """
    __tracebackhide__ = True
    per_sample, extra = dict(per_sample), dict(extra)
    for name, kind, expected, got, what in items:
        fields = {"name": name, "n": n}
        alternatives = list(extra.get(name, ()))
        if name in per_sample:
            alternatives.append(("db_missing_batch_sum" if kind == "b" else "grad_missing_batch_sum",
                                 per_sample[name], fields))
        if kind == "w":
            alternatives.append(("dw_transposed", lambda e=expected: e.T, fields))
        alternatives += [(sign, lambda e=expected: -e, fields), ("grad_doubled", lambda e=expected: 2 * e, fields),
                         ("grad_halved", lambda e=expected: e / 2, fields)]
        if n > 1 and kind != "x":
            alternatives.append(("grad_divided_by_n", lambda e=expected: e / n, fields))
            if loss_is_ours:
                alternatives.append(("ce_grad_not_divided", lambda e=expected: e * n, fields))
        judge(expected, got, case, atol=1e-9, rtol=1e-7, alternatives=alternatives, what=what)


# ---------------------------------------------------------------------- softmax + cross-entropy
# (seed, N, C, offset): logits = standard normal * 2 + offset (a huge offset overflows a naive softmax)
_CE_VISIBLE = [(1, 4, 3, 0.0), (2, 1, 5, 0.0), (3, 3, 4, 1000.0)]


@seeded(lambda: [KEY.CE_SCALE])  # the layer-sized case: drawn once per grading worker
def _ce_case(seed, n, c, offset):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, c)) * 2.0 + offset
    y = rng.integers(0, c, n)
    if n >= 2:
        y[0], y[1] = 0, c - 1  # not all samples in one class
    return logits, y


@check
def check_softmax_cross_entropy(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.CE_HIDDEN + [KEY.CE_SCALE] if hidden else _CE_VISIBLE
    descs = [f"logits {(n, c)}" + (f" + {off:g}" if off else "") + f", y {(n,)}, C = {c}"
             for _, n, c, off in specs]
    for case, (seed, n, c, offset) in zip(cases("softmax_cross_entropy", descs), specs):
        logits, y = _ce_case(seed, n, c, offset)
        saved, saved_y = logits.copy(), y.copy()
        with np.errstate(all="ignore"):
            got = _call(fn, (logits, y), case)
        loss, dlogits = _unpack(got, ("loss", "dlogits"), case)
        _unchanged(saved, logits, case, "logits")
        _unchanged(saved_y.astype(float), y, case, "y")
        logits = saved
        if offset:
            _finite_or_overflow(loss, case, "loss")
            _finite_or_overflow(dlogits, case, "dlogits")
        r_loss, r_d = ref_softmax_cross_entropy(logits, y)
        if not (hidden and (seed, n, c, offset) == KEY.CE_SCALE):  # same formula at every size
            _verified(r_d, lambda: numerical_grad(lambda z: ref_softmax_cross_entropy(z, y)[0], logits), "dlogits")
        p = np.exp(log_softmax_rows(logits))
        onehot = np.zeros((n, c))  # not np.eye(c)[y]: with C = 10,000 classes that is a 800 MB identity
        onehot[np.arange(n), y] = 1.0
        fields = {"n": n, "name": "dlogits", "c": c}
        loss_alts = [("loss_sign", -r_loss, fields)]
        if n > 1:
            loss_alts.append(("loss_sum_not_mean", n * r_loss, fields))
        loss_alts += [("ce_mean_over_classes", r_loss / c, fields),
                      ("ce_log_missing", lambda: -np.mean(p[np.arange(n), y]), fields),
                      ("ce_log_missing", lambda: np.mean(1 - p[np.arange(n), y]), fields)]
        judge(r_loss, loss, case, atol=1e-9, rtol=1e-7, alternatives=loss_alts, what="what_loss")
        d_alts = []
        if n > 1:
            d_alts += [("ce_grad_not_divided", r_d * n, fields), ("grad_divided_by_n", r_d / n, fields)]
        d_alts += [("ce_missing_onehot", p / n, fields), ("ce_missing_onehot", p, fields),
                   ("ce_grad_over_classes", r_d / c, fields), ("ce_grad_sign", onehot / n - p / n, fields),
                   ("ce_grad_softmax_jacobian", lambda: softmax_diag_only(p, onehot) / n, fields)]
        judge(r_d, dlogits, case, atol=1e-10, rtol=1e-7, alternatives=d_alts, what="what_dlogits")
    passed("softmax_cross_entropy", len(specs), hidden)


# ---------------------------------------------------------------------- mean squared error
# (seed, N, D)
_MSE_VISIBLE = [(1, 4, 3), (2, 1, 1), (3, 5, 1)]


@seeded(lambda: [KEY.MSE_SCALE])  # the layer-sized case: drawn once per grading worker
def _mse_case(seed, n, d):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, d))


@check
def check_mse_loss(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.MSE_HIDDEN + [KEY.MSE_SCALE] if hidden else _MSE_VISIBLE
    descs = [f"pred {(n, d)}, target {(n, d)}" for _, n, d in specs]
    for case, (seed, n, d) in zip(cases("mse_loss", descs), specs):
        pred, target = _mse_case(seed, n, d)
        saved_p, saved_t = pred.copy(), target.copy()
        got = _call(fn, (pred, target), case)
        loss, dpred = _unpack(got, ("loss", "dpred"), case)
        _unchanged(saved_p, pred, case, "pred")
        _unchanged(saved_t, target, case, "target")
        pred, target = saved_p, saved_t
        r_loss, r_d = ref_mse_loss(pred, target)
        if not (hidden and (seed, n, d) == KEY.MSE_SCALE):  # same formula at every size
            _verified(r_d, lambda: numerical_grad(lambda v: ref_mse_loss(v, target)[0], pred), "dpred")
        size = n * d
        diff = pred - target
        fields = {"n": n, "size": size, "name": "dpred"}
        loss_alts = [("mse_half_convention", r_loss / 2, fields)]
        if size > 1:
            loss_alts.append(("loss_sum_not_mean", r_loss * size, fields))
        if d > 1:
            loss_alts.append(("mse_mean_over_batch_only", r_loss * d, fields))
        loss_alts += [("mse_rmse", np.sqrt(r_loss), fields), ("mse_no_square", lambda: np.mean(diff), fields),
                      ("mse_no_square", lambda: np.mean(np.abs(diff)), fields)]
        judge(r_loss, loss, case, atol=1e-10, rtol=1e-8, alternatives=loss_alts, what="what_loss")
        d_alts = [("mse_missing_2", lambda: r_d / 2, fields), ("mse_grad_sign", lambda: -r_d, fields)]  # lazily
        if size > 1:
            d_alts += [("mse_grad_not_divided", lambda: 2 * diff, fields), ("mse_grad_not_divided", diff, fields),
                       ("mse_grad_divided_twice", lambda: r_d / size, fields)]
        if d > 1:
            d_alts.append(("mse_grad_batch_only", lambda: 2 * diff / n, fields))
        d_alts.append(("mse_grad_doubled", lambda: 2 * r_d, fields))  # last: with D = 2 it equals the one above
        judge(r_d, dpred, case, atol=1e-10, rtol=1e-8, alternatives=d_alts, what="what_dpred")
    passed("mse_loss", len(specs), hidden)


# ---------------------------------------------------------------------- the two-layer network
# (seed, N, D, H, C)
_NET_VISIBLE = [(1, 3, 5, 4, 3), (2, 1, 4, 6, 2)]
PARAM_NAMES = ("W1", "b1", "W2", "b2")


def _net_case(seed, n, d, h, c):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rng.integers(0, c, n)
    params = {"W1": rng.standard_normal((h, d)) * 0.7, "b1": rng.standard_normal(h) * 0.3,
              "W2": rng.standard_normal((c, h)) * 0.7, "b2": rng.standard_normal(c) * 0.3}
    h_pre = x @ params["W1"].T + params["b1"]
    # keep every hidden pre-activation away from ReLU's kink (numerical gradients stay exact)
    params["b1"] = params["b1"] + np.where(np.abs(h_pre).min(axis=0) < 0.05, 0.2, 0.0)
    if n >= 2:  # some hidden units active, some not, in every case
        params["b1"][0] = 1.0 - (x @ params["W1"][0]).min()
        params["b1"][1] = -1.0 - (x @ params["W1"][1]).max()
    return x, y, params




@check
def check_two_layer_net(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.NET_HIDDEN + [KEY.NET_SCALE] if hidden else _NET_VISIBLE
    descs = [f"x {(n, d)}, y {(n,)}, W1 {(hh, d)}, W2 {(c, hh)}" for _, n, d, hh, c in specs]
    for case, (seed, n, d, hh, c) in zip(cases("two_layer_net", descs), specs):
        x, y, params = _net_case(seed, n, d, hh, c)
        saved_x, saved_y = x.copy(), y.copy()
        saved = {k: v.copy() for k, v in params.items()}
        got = _call(fn, (x, y, params), case, layout_hint=True)
        loss, grads = _unpack(got, ("loss", "grads"), case)
        _unchanged(saved_x, x, case, "x")
        _unchanged(saved_y.astype(np.float64), y, case, "y")
        for k in PARAM_NAMES:
            if k not in params:
                case.fail("modified_argument", name=f"params[{k!r}]", index="", before="…", after="—")
            _unchanged(saved[k], params[k], case, f"params[{k!r}]")
        x, y, params = saved_x, saved_y, saved
        r_loss, r_grads = ref_two_layer_net(x, y, params)
        for k in PARAM_NAMES if not (hidden and (seed, n, d, hh, c) == KEY.NET_SCALE) else ():  # same formula at every size
            def loss_of(v, k=k):
                return ref_two_layer_net(x, y, {**params, k: v})[0]
            _verified(r_grads[k], lambda: numerical_grad(loss_of, params[k]), k)
        judge(r_loss, loss, case, atol=1e-9, rtol=1e-7,
              alternatives=[("loss_sum_not_mean", r_loss * n, {"n": n})] if n > 1 else [], what="what_loss")
        if not isinstance(grads, dict):
            case.fail("grads_not_dict", got=_describe(grads))
        missing = [k for k in PARAM_NAMES if k not in grads]
        if missing:
            case.fail("missing_grad_key", missing=missing[0], keys=", ".join(map(str, grads)) or "—")
        # the typical wrong versions: computed only for a wrong answer, each once
        g_dout = functools.cache(lambda: ref_two_layer_net(x, y, params, relu_mask="dout")[1])
        g_none = functools.cache(lambda: ref_two_layer_net(x, y, params, relu_mask="none")[1])

        @functools.cache
        def parts():
            h_pre, h, scores = net_forward(x, y, params)
            dscores = ref_softmax_cross_entropy(scores, y)[1]
            return h, dscores, (dscores @ params["W2"]) * (h_pre > 0)   # h, dscores, dh_pre
        label = {k: f"grads[{k!r}]" for k in PARAM_NAMES}
        relu_alts = {label[k]: [("relu_mask_dout", lambda k=k: g_dout()[k]),
                                ("relu_mask_missing", lambda k=k: g_none()[k])] for k in ("W1", "b1")}
        per_sample = {label["W2"]: lambda: np.einsum("nc,nh->nch", parts()[1], parts()[0]),
                      label["b2"]: lambda: parts()[1],
                      label["W1"]: lambda: np.einsum("nh,nd->nhd", parts()[2], x), label["b1"]: lambda: parts()[2]}
        # backward order: the first wrong gradient is the one nearest to the mistake
        _judge_grads(case, n, [(label[k], k[0].lower(), r_grads[k], grads[k], f"what_grad_{k}")
                               for k in ("W2", "b2", "W1", "b1")],
                     per_sample=per_sample, extra=relu_alts, loss_is_ours=True)
    passed("two_layer_net", len(specs), hidden)


# The exercises whose hidden check has a layer-sized case (the module attribute that holds it): an
# honest backward pass takes milliseconds there, finite differences run out of time. `make course`
# copies this table into the manifest as the exercise's time class ("layer"); it lives here, beside
# the cases, so that it has one source.
LAYER_SIZED = {
    "affine_backward": "AFFINE_SCALE",
    **_act.LAYER_SIZED,
    "softmax_cross_entropy": "CE_SCALE",
    "mse_loss": "MSE_SCALE",
    "two_layer_net": "NET_SCALE",
}

__all__ = ["LAYER_SIZED", "check_affine_forward", "check_affine_backward", "check_sigmoid_backward",
           "check_tanh_backward", "check_relu_backward", "check_softmax_cross_entropy", "check_mse_loss",
           "check_two_layer_net"]
