"""Check for chapter 8's custom primitive: softplus, registered in chainrule with its own VJP.
Re-exported by :mod:`.ch08`, whose name the chapter's tests cell uses.

Convention (the same as the chapter's docstrings):

    softplus(x) = log(1 + exp(x)), element-wise, finite for every float x (x = ±800 included)
    check_softplus_primitive(softplus)   softplus is what ``@chainrule.primitive(softplus_vjp)`` returned
                                          over ``softplus(x) -> (out, cache)``; its VJP is
                                          ``softplus_vjp(dout, cache, needs) -> (dx,)``

How the judging works
---------------------
The primitive is driven next to the learner's code (``coursekit.ch08``, driver ``"ch08.primitive"``):
its forward and VJP are called once directly (to see that the VJP returns a tuple of one gradient),
then it runs on a Tensor and backward runs with a seeded ``dout``. Only numbers come back: the
forward values and ``x.grad``, compared with the reference (itself verified against central
differences) and with what the typical wrong VJPs give. The cases include large |x|, where
log(1 + exp(x)) written literally overflows.
"""
from __future__ import annotations

import numpy as np

from chainrule import numerical_grad
from .core import call, cases, judge, passed, unchanged
from .answers import check, hidden_cases, reference
KEY = hidden_cases("ch08")  # the hidden cases: grader.key.ch08, where the grader runs
ref_softplus, ref_softplus_vjp, _sigmoid = reference("ch08", "ref_softplus", "ref_softplus_vjp", "stable_sigmoid")


# (seed, shape, scale of x, large): large puts ±(700..800) into the case
_SP_VISIBLE = [(1, (5,), 3.0, False), (2, (3, 4), 6.0, False), (3, (2, 3), 2.0, True)]


def _sp_case(seed, shape, scale, large):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    if large:
        flat = x.reshape(-1)
        flat[0], flat[-1] = 800.0, -750.0
    return x, rng.standard_normal(shape)


@check
def check_softplus_primitive(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.SP_HIDDEN if hidden else _SP_VISIBLE
    descs = [f"x {shape}" + (", with x = 800 and x = −750" if large else "") for _, shape, _, large in specs]
    for case, (seed, shape, scale, large) in zip(cases("softplus_primitive", descs), specs):
        given = _sp_case(seed, shape, scale, large)
        x, dout = (a.copy() for a in given)  # the learner's code may write into what it is given:
        report = call(fn, given, case, driver="ch08.primitive")  # expected values come from copies
        if not isinstance(report, dict) or not report.get("primitive"):
            got = report.get("type", "?") if isinstance(report, dict) else "?"
            case.fail("prim_not_a_primitive", got=got)
        if not report.get("registered"):
            case.fail("prim_not_registered")
        error = report.get("error")
        stage, etype, text = (list(error) + ["", "", ""])[:3] if error else ("", "", "")
        if stage == "forward":
            case.fail("prim_forward_error", etype=etype, emsg=text)
        returned = str(report.get("vjp_returned", ""))
        if returned and returned not in ("tuple 1", "list 1"):     # a bare array, or one gradient too many
            case.fail("prim_vjp_not_tuple", got=returned)
        if error:
            case.fail("prim_error", stage=stage, etype=etype, emsg=text)
        unchanged(x, given[0], case, "x")
        unchanged(dout, given[1], case, "dout")
        out, grad = ref_softplus(x), ref_softplus_vjp(dout, x)
        if not large:
            numeric = numerical_grad(ref_softplus, x.copy(), dout)
            if not np.allclose(numeric, grad, rtol=1e-5, atol=1e-7):  # pragma: no cover - our own safety net
                raise RuntimeError("coursekit.checks: the softplus reference disagrees with the numerical gradient")
        got_out = np.asarray(report.get("out"), dtype=np.float64) if report.get("out") is not None else None
        if large and got_out is not None and got_out.shape == x.shape and not np.all(np.isfinite(got_out)):
            case.fail("prim_forward_overflow")
        judge(out, report.get("out"), case, atol=1e-12, rtol=1e-9, what="what_out", alternatives=[
            ("prim_forward_no_one", lambda: x),
            ("prim_forward_no_one", lambda: np.log(np.exp(np.clip(x, -700, 700)))),
            ("prim_forward_sigmoid", lambda: _sigmoid(x)),
            ("prim_forward_no_log", lambda: 1.0 + np.exp(x))])
        got_grad = report.get("grad")
        if got_grad is None:
            case.fail("prim_no_grad")
        arr = np.asarray(got_grad, dtype=np.float64)
        if large and arr.shape == x.shape and not np.all(np.isfinite(arr)):
            case.fail("prim_vjp_overflow")
        s = _sigmoid(x)
        judge(grad, got_grad, case, atol=1e-12, rtol=1e-9, what="what_dx", alternatives=[
            ("prim_vjp_sigmoid_minus", lambda: dout * _sigmoid(-x)),
            ("prim_vjp_no_dout", lambda: s),
            ("prim_vjp_exp", lambda: dout * np.exp(x)),
            ("prim_vjp_sigmoid_prime", lambda: dout * s * (1.0 - s)),
            ("prim_vjp_at_output", lambda: dout * _sigmoid(out)),
            ("prim_vjp_is_forward", lambda: dout * out),
            ("prim_vjp_sign", lambda: -grad)])
    passed("softplus_primitive", len(specs), hidden)


__all__ = ["check_softplus_primitive"]
