"""Checks for chapter 8 (autodiff in practice).

Conventions (the same as the chapter's docstrings). The models are ``Net``-like modules with
``fc1`` (Linear D→H), ``fc2`` (Linear H→C) and ``gain`` (a Parameter of shape (C,)), float64:

    check_train_steps_fixed(fn)       fn(model, x, y, lr, steps) -> list of the `steps` losses (floats);
                                      plain SGD on F.mse_loss(model(Tensor(x)), Tensor(y)), the bug
                                      (no zero_grad: gradients accumulate) fixed
    check_forward_fixed(fn)           fn(model, x) -> scores Tensor = fc2(tanh(fc1(x))) * gain, the
                                      graph unbroken (every parameter gets its gradient)
    check_logged_forward_fixed(fn)    fn(model, x) -> (scores, h_scaled): scores = fc2(relu(fc1(x))) * gain,
                                      h_scaled = h / h.max() as an ndarray, computed without editing
                                      in place an array the graph saved
    check_grad_norms(fn)              fn(model) -> {name: ‖p.grad‖₂ as float} for every named
                                      parameter, 0.0 where p.grad is None
    check_check_model_gradients(fn)   fn(model, x, y, loss_fn, eps=1e-6, tol=1e-6) ->
                                      (ok, worst_name, rel_error): central differences on every
                                      element of every parameter; per parameter
                                      rel = ‖g_backprop − g_numeric‖₂ / max(‖g_backprop‖₂, ‖g_numeric‖₂, 1e-12);
                                      worst = the parameter with the largest rel; ok = rel(worst) <= tol

How the judging works
---------------------
The find-the-bug exercises are judged by what the code *does*, not how it reads: the check builds a
fresh seeded model, runs your function and compares the losses, the forward values and every
parameter's gradient with a reference (computed by chainrule on an identical model). Your scores are
run backward right next to your code (in grading: inside the sandbox, on its own copy of the model),
and only numbers come back to be compared. A mismatch is
compared with what each typical wrong fix gives (gradients that still accumulate, zero_grad between
backward and step, a graph still cut, an array the graph saved still edited in place) and named.
The gradient-norm monitor gets models where one parameter has no gradient (None). The whole-model
gradient check gets correct models and models with a deliberately wrong VJP in one primitive, all
of the same class and alike from outside (their ``.grad`` already holds a stale gradient, as after
a training step). How wrong a faulty VJP is depends on the parameters, the inputs and the loss, so
the judge computes each case's gradients itself (central differences with the same eps, and
backprop) and compares: on a faulty model ``ok`` must be False, ``worst_name`` the parameter with
the largest relative error and ``rel_error`` that error; on a correct model ``ok`` must be True,
``rel_error`` the small error of central differences (within a factor of the judge's, and not 0)
and ``worst_name`` a parameter whose error is of that size. Afterwards every parameter must hold
exactly its old values.
"""
from __future__ import annotations

import math

import numpy as np

from coursekit.ch08 import VJP_FAULTS, LossFn, Net
from coursekit.data import Opaque, type_name

from chainrule import functional as F
from chainrule import Tensor
from .core import CheckFailed, _digits, as_array, call, cases, fmt, judge, passed
from .seeded import seeded
from .ch08_primitive import check_softplus_primitive, ref_softplus, ref_softplus_vjp  # noqa: F401  (the chapter's name)
from .answers import check, eager, hidden_cases, reference
KEY = hidden_cases("ch08")  # the hidden cases: grader.key.ch08, where the grader runs
ascent_case, forward_case, gc_check_case, gc_rels_case, norm, train_case = reference(
    "ch08", "ascent_case", "forward_case", "gc_check_case", "gc_rels_case", "norm", "train_case")

PARAMS = ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "gain")


# ---------------------------------------------------------------------- models
# The models are inputs (coursekit.ch08): in grading each is described as data (sizes, seed, every
# parameter and its .grad), rebuilt in the sandbox for the learner's code, and its parameters after
# the call come back by value into the judge's copy (Net.load_state validates them). The judge's
# references (:mod:`grader.key.ch08`, with the hidden cases) run on models the judge built and never lent.


def _data(model):
    return {name: p.data.copy() for name, p in model.named_parameters()}


def _grads(model):
    return {name: None if p.grad is None else p.grad.copy() for name, p in model.named_parameters()}


# ---------------------------------------------------------------------- helpers
def _is_nan(value):
    """A scalar NaN (the learner's stand-in for a missing gradient)?"""
    try:
        return np.ndim(value) == 0 and math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _unpack(got, n, names, case):
    __tracebackhide__ = True
    if not isinstance(got, (tuple, list)) or len(got) != n:
        case.fail("ch08_bad_return", expected="(" + ", ".join(names) + ")", got=type_name(got))
    return got


def _params_unchanged(before, model, case, category):
    __tracebackhide__ = True
    for name, p in model.named_parameters():
        b = before[name]
        diff = np.abs(p.data - b)
        bad = ~(diff <= 1e-12 * np.maximum(np.abs(b), 1.0))
        if bad.any():
            flat = int(np.argmax(np.where(bad, diff, -1)))
            idx = np.unravel_index(flat, b.shape)
            case.fail(category, name=name, index="[" + ", ".join(str(int(i)) for i in idx) + "]",
                      before=fmt(b.flat[flat], 12), after=fmt(p.data.flat[flat], 12))


def _what(name):
    return "ch08_grad_" + name


# ---------------------------------------------------------------------- exercise 1: zero_grad
# (seed, N, D, H, C, lr, steps)
_TRAIN_VISIBLE = [(1, 8, 3, 5, 2, 0.1, 12), (2, 5, 4, 3, 1, 0.05, 8)]


def _train_case(seed, n, d, h, c):
    rng = np.random.default_rng(seed + 1000)
    return rng.standard_normal((n, d)), rng.standard_normal((n, c))


@check
def check_train_steps_fixed(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.TRAIN_HIDDEN if hidden else _TRAIN_VISIBLE
    descs = [f"Net({d}, {h}, {c}), x {(n, d)}, y {(n, c)}, lr = {lr}, steps = {steps}"
             for _, n, d, h, c, lr, steps in specs]
    for case, (seed, n, d, h, c, lr, steps) in zip(cases("train_steps_fixed", descs), specs):
        x, y = _train_case(seed, n, d, h, c)
        model = Net(d, h, c, seed)
        got = call(fn, (model, x.copy(), y.copy()), case, kwargs={"lr": lr, "steps": steps})
        right = train_case(seed, d, h, c, x, y, lr, steps)
        expected = right["losses"]
        arr = as_array(got, case)
        if arr.shape != (steps,):
            case.fail("ch08_wrong_steps", steps=steps, got_shape=tuple(arr.shape))
        fields = {"steps": steps}
        if not np.all(np.isfinite(arr)):   # going up the gradient can overflow: compare NaN for NaN
            with np.errstate(all="ignore"):
                ascent = np.asarray(ascent_case(seed, d, h, c, x, y, lr, steps), dtype=np.float64)
            if np.allclose(arr, ascent, rtol=1e-8, atol=1e-10, equal_nan=True):
                case.fail("ch08_gradient_ascent", **fields)
        judge(expected, arr, case, atol=1e-10, rtol=1e-8, what="ch08_what_losses", alternatives=[
            ("ch08_still_accumulates", lambda: train_case(seed, d, h, c, x, y, lr, steps, "never")["losses"], fields),
            ("ch08_zero_grad_between", lambda: train_case(seed, d, h, c, x, y, lr, steps, "between")["losses"],
             fields),
            ("ch08_loss_after_step", lambda: expected[1:] + [right["final_loss"]], fields),
            ("ch08_gradient_ascent", lambda: ascent_case(seed, d, h, c, x, y, lr, steps), fields)])
        ref_data = right["params"]
        for name, p in model.named_parameters():
            judge(ref_data[name], p.data, case, atol=1e-10, rtol=1e-8, what="ch08_param_" + name,
                  alternatives=[("ch08_params_not_trained", _data(Net(d, h, c, seed))[name], fields)])
    passed("train_steps_fixed", len(specs), hidden)


# ---------------------------------------------------------------------- exercises 2 and 3: forward passes
# (seed, N, D, H, C)
_FWD_VISIBLE = [(1, 4, 3, 5, 2), (2, 1, 4, 3, 3)]


def forward_model(seed, d, h, c, x):
    """Net(d, h, c, seed) with hidden unit 0 active on every sample (so that h.max() > 0)."""
    model = Net(d, h, c, seed)
    w = model.fc1.weight.data
    model.fc1.bias.data[0] = 1.0 - (x @ w[0]).min()
    return model


def _report(got, case):
    """The forward_backward driver's report (:mod:`coursekit.ch08`): a dict of data, or a failure.
    Anything else means the driver did not run as shipped (the learner's code replaced it)."""
    __tracebackhide__ = True
    if not isinstance(got, dict):
        case.fail("bad_type", gtype=type_name(got))
    return got


def _forward_check(exercise, fn, hidden, logged):
    __tracebackhide__ = True
    specs = KEY.FWD_HIDDEN if hidden else _FWD_VISIBLE
    descs = [f"Net({d}, {h}, {c}), x {(n, d)}" for _, n, d, h, c in specs]
    for case, (seed, n, d, h, c) in zip(cases(exercise, descs), specs):
        rng = np.random.default_rng(seed + 2000)
        x_arr = rng.standard_normal((n, d))
        dout = rng.standard_normal((n, c))
        model = forward_model(seed, d, h, c, x_arr)
        before = _data(model)
        # the scores are a Tensor with a graph: the driver examines and runs it backward next to the
        # learner's code; what comes back is its report (numbers, flags) and the model's parameters
        rep = _report(call(fn, (model, x_arr.copy(), dout.copy()), case, kwargs={"logged": logged},
                           driver="ch08.forward_backward"), case)
        if logged and "returned" in rep:       # the sandbox's name of what came back instead of a pair
            returned = rep["returned"]
            case.fail("ch08_bad_return", expected="(scores, h_scaled)",
                      got=returned[:100] if isinstance(returned, str) else type_name(returned))
        scores = rep.get("scores")
        if rep.get("tensor") is not True:
            if scores is not None and not isinstance(scores, (np.ndarray, float, int, list)):
                case.fail("bad_type", gtype=type_name(scores))
            case.fail("ch08_not_a_tensor", gtype=type_name(scores))
        right = forward_case(logged, False, seed, d, h, c, x_arr, dout)
        ref_h = right["h"]
        judge(right["scores"], scores, case, atol=1e-10, rtol=1e-8, what="ch08_what_scores")
        if rep.get("requires_grad") is not True:
            case.fail("ch08_no_graph")
        _params_unchanged(before, model, case, "ch08_params_changed")
        if logged:
            judge(ref_h, rep.get("h_scaled"), case, atol=1e-10, rtol=1e-8, what="ch08_what_h_scaled")
        error = rep.get("backward_error")
        if error is not None:  # e.g. a graph freed by an earlier backward inside the function
            etype, emsg = error if isinstance(error, list) and len(error) == 2 else ("Exception", "")
            case.fail("exception", etype=etype[:100] if isinstance(etype, str) else "Exception",
                      emsg=emsg[:200] if isinstance(emsg, str) else "")
        ref_g, bug_g = right["grads"], forward_case(logged, True, seed, d, h, c, x_arr, dout)["grads"]
        for name, p in model.named_parameters():     # the output side first, as backward visits them
            if p.grad is None:
                case.fail("ch08_graph_broken", name=name)
        for name in ("gain", "fc2.weight", "fc2.bias", "fc1.weight", "fc1.bias"):
            p = dict(model.named_parameters())[name]
            alts = [("ch08_inplace_saved", bug_g[name], {"name": name})] if bug_g[name] is not None else []
            judge(ref_g[name], p.grad, case, atol=1e-10, rtol=1e-8, what=_what(name), alternatives=alts)
    passed(exercise, len(specs), hidden)


@check
def check_forward_fixed(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _forward_check("forward_fixed", fn, hidden, logged=False)


@check
def check_logged_forward_fixed(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _forward_check("logged_forward_fixed", fn, hidden, logged=True)


# ---------------------------------------------------------------------- exercise 4: gradient norms
# (seed, N, D, H, C, names whose grad is set to None)
_NORM_VISIBLE = [(1, 4, 3, 5, 2, ()), (2, 3, 4, 3, 3, ("gain",))]


@check
def check_grad_norms(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.NORM_HIDDEN if hidden else _NORM_VISIBLE
    descs = [f"Net({d}, {h}, {c}), x {(n, d)}" + (f", grad None: {', '.join(none)}" if none else "")
             for _, n, d, h, c, none in specs]
    for case, (seed, n, d, h, c, none) in zip(cases("grad_norms", descs), specs):
        rng = np.random.default_rng(seed + 3000)
        model = Net(d, h, c, seed)
        loss = F.mse_loss(model(Tensor(rng.standard_normal((n, d)))), Tensor(rng.standard_normal((n, c))))
        loss.backward()
        params = dict(model.named_parameters())
        for name in none:
            params[name].grad = None
        saved, weights = _grads(model), _data(model)
        try:
            got = call(fn, (model,), case)
        except CheckFailed as e:  # a crash on a None gradient is the typical mistake: name it
            if none and e.category in ("exception", "broadcast_error") and \
                    e.fields.get("etype") in ("TypeError", "AttributeError", "ValueError"):
                case.fail("ch08_norms_none_crash", name=none[0], etype=e.fields["etype"])
            raise
        for name, p in model.named_parameters():
            g0 = saved[name]
            if (g0 is None) != (p.grad is None) or (g0 is not None and not np.array_equal(g0, p.grad)):
                case.fail("ch08_norms_changed_grads", name=name)
        if not isinstance(got, dict):
            case.fail("ch08_norms_not_dict", gtype=type_name(got))
        missing = [k for k in PARAMS if k not in got]
        if missing:
            category = "ch08_norms_skip_none" if missing[0] in none else "ch08_norms_missing"
            case.fail(category, name=missing[0], keys=", ".join(map(str, got)) or "—")
        extra = [k for k in got if k not in PARAMS]
        if extra:
            case.fail("ch08_norms_extra", name=extra[0])
        # expected values from the judge's own copies, taken before the call
        expected = {name: norm(saved[name]) for name in PARAMS}
        for name in PARAMS:
            value = got[name]
            g = saved[name]
            if isinstance(value, Opaque):          # a Tensor, say: not a number
                case.fail("bad_type", gtype=type_name(value))
            if np.ndim(value) != 0 and g is not None and np.shape(value) == g.shape:
                case.fail("ch08_norms_per_element", name=name)
            if name in none and _is_nan(value):
                case.fail("ch08_norms_none_nan", name=name)
            alts = [("ch08_norms_per_element", lambda g=g: np.abs(g), {"name": name})] if g is not None else []
            if g is not None:
                w = weights[name]
                alts += [("ch08_norms_squared", float(np.sum(g * g)), {"name": name}),
                         ("ch08_norms_of_weights", float(np.linalg.norm(w)), {"name": name}),
                         ("ch08_norms_wrong_kind", float(np.abs(g).max()), {"name": name}),
                         ("ch08_norms_wrong_kind", float(np.abs(g).mean()), {"name": name}),
                         ("ch08_norms_wrong_kind", float(np.abs(g).sum()), {"name": name}),
                         ("ch08_norms_wrong_kind", float(np.sqrt(np.mean(g * g))), {"name": name})]
            judge(expected[name], value, case, atol=1e-12, rtol=1e-9, what="ch08_norm_" + name, alternatives=alts)
    passed("grad_norms", len(specs), hidden)


# ---------------------------------------------------------------------- exercise 5: whole-model gradient check
# (seed, N, D, H, C, loss, wrong VJP or None). Every model is a Net, correct or not: which primitive
# is wrong, and so which parameters, differs from case to case, and how wrong depends on the data.
_GC_VISIBLE = [(1, 5, 3, 4, 2, "mse", None), (2, 4, 3, 3, 2, "mse", "tanh_at_input"),
               (3, 6, 2, 5, 3, "ce", "mul_swapped")]
# On a correct model the errors are the rounding noise of central differences, and another way of
# perturbing (p.data[i] += eps, then -= 2 * eps, ...) draws other noise: on 1,000 random small Nets
# its largest error was 0.03 to 5 times the judge's, and its worst parameter's error (by the judge)
# at least 0.03 times the largest. So rel_error must be within this factor of the judge's (and not
# 0), and worst_name a parameter whose error is within this factor of the largest. A faulty model's
# errors are of order 1, where such noise is 1e-9 of it: there both must match closely.
GC_NOISE_FACTOR = 100.0


def gc_case(seed, n, d, h, c, loss_name, fault):
    """A fresh (model, x as an array, y, loss_fn): the learner gets one, each reference its own."""
    rng = np.random.default_rng(seed + 4000)
    x = rng.standard_normal((n, d))
    y = rng.integers(0, c, n) if loss_name == "ce" else rng.standard_normal((n, c))
    return Net(d, h, c, seed, vjp=VJP_FAULTS[fault] if fault else 0), x, y, LossFn(loss_name)


@seeded(lambda: [(s,) for s in _GC_VISIBLE + KEY.GC_HIDDEN])  # finite differences of every case: once per worker
def _ref_gc_rels(spec, **kw):
    return gc_rels_case(spec, **kw)


def _ref_gc(spec, **kw):
    return gc_check_case(spec, **kw)


@check
def check_check_model_gradients(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.GC_HIDDEN if hidden else _GC_VISIBLE
    descs = [f"Net({d}, {h}, {c}), x {(n, d)}, loss {'cross_entropy' if ln == 'ce' else 'mse_loss'}"
             for _, n, d, h, c, ln, _ in specs]
    for case, spec in zip(cases("check_model_gradients", descs), specs):
        model, x, y, loss_fn = gc_case(*spec)
        broken = spec[-1] is not None
        loss_fn(model(Tensor(x)), y).backward()  # a stale gradient, as right after a training step
        before = _data(model)
        # x is a Tensor for the learner: the driver makes it from the array next to their code
        got = call(fn, (model, x.copy(), y.copy(), loss_fn), case, driver="ch08.tensor_input")
        _params_unchanged(before, model, case, "ch08_gc_not_restored")
        ok, worst, rel = _unpack(got, 3, ("ok", "worst_name", "rel_error"), case)
        names = [name for name, _ in model.named_parameters()]
        if not isinstance(worst, str) or worst not in names:
            case.fail("ch08_gc_bad_name", got=repr(worst)[:60], names=", ".join(names))
        try:
            rel = float(rel)                     # an Opaque (a Tensor, say) raises TypeError
        except (TypeError, ValueError):
            case.fail("ch08_gc_bad_rel", got=type_name(rel))
        # the judge's own gradients of this case: the relative error of every parameter
        rels = _ref_gc_rels(spec)
        eager([(None, lambda: _ref_gc(spec, one_sided=True)), (None, lambda: _ref_gc(spec, elementwise=True))])
        r_worst = max(rels, key=rels.get)
        r_rel = rels[r_worst]
        fields = {"rel": fmt(rel, 3), "ref_rel": fmt(r_rel, 3), "name": r_worst, "got": worst,
                  "got_rel": fmt(rels[worst], 3)}
        if not broken:
            one = _ref_gc(spec, one_sided=True)[2]
            if abs(rel - 1.0) < 1e-3:
                case.fail("ch08_gc_perturbs_copy", **fields)
            if abs(rel - 0.5) < 1e-3:
                case.fail("ch08_gc_stale_grads", **fields)
            if rel > 1e-7:
                el = _ref_gc(spec, elementwise=True)[2]
                if abs(rel - el) <= 1e-2 * el:
                    case.fail("ch08_gc_rel_definition", **fields)
                if one / 3 < rel < one * 3:
                    case.fail("ch08_gc_one_sided", **fields, one=fmt(one, 3))
            if not ok:
                case.fail("ch08_gc_false_alarm", **fields)
            if not (0.0 <= rel <= 1e-6):
                case.fail("ch08_gc_rel_too_large", **fields)
            if r_rel > 0 and rel == 0.0:
                case.fail("ch08_gc_rel_zero", **fields)
            if not (r_rel / GC_NOISE_FACTOR <= rel <= r_rel * GC_NOISE_FACTOR):
                case.fail("ch08_gc_rel_mismatch", **fields, factor=fmt(GC_NOISE_FACTOR, 3))
            if not rels[worst] >= r_rel / GC_NOISE_FACTOR:
                case.fail("ch08_gc_worst_mismatch", **fields)
        else:
            if ok:
                case.fail("ch08_gc_missed_bug", **fields)
            worst_ok = rels[worst] >= r_rel * (1 - 1e-6)       # a tie to rounding: either name
            if not (worst_ok and abs(rel - r_rel) <= 1e-4 * r_rel):
                el = _ref_gc(spec, elementwise=True)[2]
                if abs(rel - el) <= 1e-2 * el:
                    case.fail("ch08_gc_rel_definition", **fields)
                if not worst_ok:
                    case.fail("ch08_gc_wrong_worst", **fields)
                digits = _digits(r_rel, rel)              # enough that the two print differently
                case.fail("ch08_gc_bug_rel_mismatch", **{**fields, "rel": fmt(rel, digits),
                                                         "ref_rel": fmt(r_rel, digits)})
    passed("check_model_gradients", len(specs), hidden)


__all__ = ["check_softplus_primitive", "check_train_steps_fixed", "check_forward_fixed", "check_logged_forward_fixed",
           "check_grad_norms", "check_check_model_gradients", "Net", "VJP_FAULTS", "PARAMS", "forward_model", "gc_case"]
