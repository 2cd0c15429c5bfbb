"""Element-wise primitives. Each forward returns ``(out, cache)``; each backward
multiplies the upstream gradient ``dout`` by the local derivative."""
import numpy as np

from .registry import register


def _add_fwd(a, b):
    return a + b, None
def _add_vjp(dout, cache, needs):
    return dout, dout
add = register("add", _add_fwd, _add_vjp)


def _sub_fwd(a, b):
    return a - b, None
def _sub_vjp(dout, cache, needs):
    return dout, -dout
sub = register("sub", _sub_fwd, _sub_vjp)


def _mul_fwd(a, b):
    return a * b, (a, b)
def _mul_vjp(dout, cache, needs):
    a, b = cache
    return dout * b, dout * a
mul = register("mul", _mul_fwd, _mul_vjp)


def _div_fwd(a, b):
    return a / b, (a, b)
def _div_vjp(dout, cache, needs):
    a, b = cache
    da = dout / b
    return da, (-da * a / b) if needs[1] else None
div = register("div", _div_fwd, _div_vjp)


def _neg_fwd(a):
    return -a, None
def _neg_vjp(dout, cache, needs):
    return (-dout,)
neg = register("neg", _neg_fwd, _neg_vjp)


def _pow_fwd(a, b):
    out = a ** b
    return out, (a, b, out)
def _pow_vjp(dout, cache, needs):
    a, b, out = cache
    da = db = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if needs[0]:
            # d(a^b)/da = b a^(b-1), taken as 0 where b == 0 (a^0 is constant, even at a = 0)
            da = dout * np.where(b == 0, 0, b * a ** (b - 1))
        if needs[1]:
            # d(a^b)/db = a^b ln a: NaN for a < 0 (undefined, not hidden as 0), and 0 at
            # a = 0 with b >= 0 (where a^b is 0 or 1 on the side where it is defined), as PyTorch
            db = dout * np.where((a == 0) & (b >= 0), 0, out * np.log(a))
    return da, db
pow = register("pow", _pow_fwd, _pow_vjp)


def _exp_fwd(a):
    out = np.exp(a)
    return out, out
def _exp_vjp(dout, out, needs):
    return (dout * out,)
exp = register("exp", _exp_fwd, _exp_vjp)


def _log_fwd(a):
    return np.log(a), a
def _log_vjp(dout, a, needs):
    return (dout / a,)
log = register("log", _log_fwd, _log_vjp)


def _sqrt_fwd(a):
    out = np.sqrt(a)
    return out, out
def _sqrt_vjp(dout, out, needs):
    return (dout / (2 * out),)
sqrt = register("sqrt", _sqrt_fwd, _sqrt_vjp)


def _abs_fwd(a):
    return np.abs(a), a
def _abs_vjp(dout, a, needs):
    return (dout * np.sign(a),)
abs = register("abs", _abs_fwd, _abs_vjp)


def _tanh_fwd(a):
    out = np.tanh(a)
    return out, out
def _tanh_vjp(dout, out, needs):
    return (dout * (1 - out * out),)  # tanh' = 1 - tanh^2
tanh = register("tanh", _tanh_fwd, _tanh_vjp)


def stable_sigmoid(a):
    """1 / (1 + e^-a) without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _sigmoid_fwd(a):
    out = stable_sigmoid(a)
    return out, out
def _sigmoid_vjp(dout, out, needs):
    return (dout * out * (1 - out),)  # sigma' = sigma (1 - sigma)
sigmoid = register("sigmoid", _sigmoid_fwd, _sigmoid_vjp)


def _relu_fwd(a):
    # the output from maximum, not a * mask: -inf * 0 would be NaN where max(-inf, 0) is 0
    # (NaN stays NaN, as in PyTorch); the mask in a's dtype (not bool) makes the backward
    # product run without a conversion
    mask = (a > 0).astype(a.dtype, copy=False)
    return np.maximum(a, 0), mask
def _relu_vjp(dout, mask, needs):
    return (dout * mask,)  # the gradient at exactly 0 is taken as 0, as in PyTorch
relu = register("relu", _relu_fwd, _relu_vjp)


def _leaky_relu_fwd(a, negative_slope=0.01):
    slope = np.where(a > 0, 1, negative_slope).astype(a.dtype, copy=False)
    return a * slope, slope
def _leaky_relu_vjp(dout, slope, needs):
    return (dout * slope,)
leaky_relu = register("leaky_relu", _leaky_relu_fwd, _leaky_relu_vjp)


def _maximum_fwd(a, b):
    out = np.maximum(a, b)
    return out, (a, b)
def _maximum_vjp(dout, cache, needs):
    a, b = cache
    # ties share the gradient equally, so the sum over both inputs stays dout; a NaN
    # compares false both ways, so both inputs get all of it (PyTorch's rule)
    tie = (a == b) * 0.5
    wa = np.where(tie, tie, ~(a < b)).astype(dout.dtype, copy=False)
    wb = np.where(tie, tie, ~(a > b)).astype(dout.dtype, copy=False)
    return dout * wa, dout * wb
maximum = register("maximum", _maximum_fwd, _maximum_vjp)


def _where_fwd(a, b, condition=None):
    return np.where(condition, a, b), condition
def _where_vjp(dout, condition, needs):
    return dout * condition, dout * ~condition
where = register("where", _where_fwd, _where_vjp)


def _clamp_fwd(a, min=None, max=None):
    return np.clip(a, min, max), (a, min, max)
def _clamp_vjp(dout, cache, needs):
    a, lo, hi = cache
    inside = np.ones(a.shape, dtype=bool)   # the boundary counts as inside, as in PyTorch
    if lo is not None:
        inside &= a >= lo
    if hi is not None:
        inside &= a <= hi
    return (dout * inside,)
clamp = register("clamp", _clamp_fwd, _clamp_vjp)
