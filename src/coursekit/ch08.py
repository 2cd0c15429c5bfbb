"""Chapter 8's inputs and drivers: models a learner's chainrule code trains, runs and checks.

Chapter 8 is the one chapter whose exercises use the library itself, so this module (and only
this one in the kit) imports ``chainrule``; in grading that is the sandbox's own copy, so the
learner's code only ever meets models, tensors and losses of its own process.

Inputs (:mod:`.specs`):

* :class:`Net`: the model is described by its sizes, its seed, which of its primitives' VJPs is
  deliberately wrong (``vjp``, 0 for none: the whole-model gradient check hands out correct and
  faulty models of the one class, alike from outside) and the values of every parameter and its
  ``.grad`` (so whatever a check did to its copy, a bias set, a stale gradient, arrives as it
  is); ``state()`` is the same per-parameter data after the call, and the judge's copy takes it
  with ``load_state``, which checks every name, shape and dtype.
* :class:`LossFn`: the loss a gradient check calls, named ("mse", "ce"), never lent.

Drivers (:mod:`.drivers`), for exercises whose answer is a Tensor with a graph, which can only be
examined where it was made:

* ``"ch08.forward_backward"``: call ``fn(model, Tensor(x))``, describe the scores (values,
  ``requires_grad``), run ``backward(dout)`` and report how that went; the gradients come back
  with the model's state.
* ``"ch08.tensor_input"``: ``fn(model, Tensor(x), *rest)`` for exercises whose input is a Tensor
  (a Tensor is not data: the array travels and the tensor is made next to the learner's code).

Nothing here is an answer: the reference fixes and everything expected stay with the checks.
"""
from __future__ import annotations

import numpy as np

from chainrule import functional as F
from chainrule import nn
from chainrule import ops as _ops
from chainrule.ops.registry import Primitive
from chainrule.tensor import Tensor

from .drivers import driver
from .specs import Spec, register

MAX_UNITS = 4096   # a size of a layer in a spec: the judge's cases are tiny, this only bounds a rebuild
_MISSING = object()  # a parameter the sandbox's state does not list


# ---------------------------------------------------------------------- models
def _array_of(value, shape):
    """``value`` as a float64 array of exactly ``shape``, or None (not numeric, wrong shape).
    ``value`` is decoded data: an array, a number, a list, or an Opaque stand-in."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.shape != tuple(shape):
            return None
        return value.astype(np.float64)
    if isinstance(value, (list, int, float)) and not isinstance(value, bool):
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None
        return arr if arr.shape == tuple(shape) else None
    return None


@register
class Net(nn.Module, Spec):
    """fc1 (D→H), fc2 (H→C), a gain per output; forward: fc2(tanh(fc1(x))) * gain (float64).

    The forward runs four primitives, ``self._ops`` (linear, tanh, linear, mul): chainrule's own,
    or, for the whole-model gradient check, the same with one VJP deliberately wrong (``vjp``, an
    index into :data:`_FAULTS`). Every Net has the same class and attributes and computes the same
    values; only the gradients of a faulty one differ, by an amount that depends on the data."""

    spec_name = "ch08.Net"

    def __init__(self, d, h, c, seed=0, vjp=0):
        super().__init__()
        self.sizes, self.seed = (int(d), int(h), int(c)), int(seed)
        rng = np.random.default_rng(seed)
        self.fc1 = nn.Linear(d, h, dtype=np.float64)
        self.fc2 = nn.Linear(h, c, dtype=np.float64)
        self.gain = nn.Parameter(rng.uniform(0.5, 1.5, c))
        self.fc1.weight.data[...] = rng.standard_normal((h, d)) * 0.6
        self.fc1.bias.data[...] = rng.standard_normal(h) * 0.2
        self.fc2.weight.data[...] = rng.standard_normal((c, h)) * 0.6
        self.fc2.bias.data[...] = rng.standard_normal(c) * 0.2
        ops = list(_OPS)
        if vjp:
            slot, prim = _FAULTS[vjp]
            ops[slot] = prim
        self._ops = tuple(ops)

    def forward(self, x):
        lin1, act, lin2, scale = self._ops
        h = act(lin1(x, self.fc1.weight, self.fc1.bias))
        return scale(lin2(h, self.fc2.weight, self.fc2.bias), self.gain)

    # ---- as a spec: the parameters travel by value, .grad included (None stays None)
    def spec(self):
        vjp = next((i for i, fault in enumerate(_FAULTS) if fault and self._ops[fault[0]] is fault[1]), 0)
        return {"sizes": list(self.sizes), "seed": self.seed, "vjp": vjp, "params": self.state()}

    @classmethod
    def rebuild(cls, data):
        sizes, vjp = data["sizes"], data.get("vjp", 0)
        if not (isinstance(sizes, list) and len(sizes) == 3
                and all(type(s) is int and 1 <= s <= MAX_UNITS for s in sizes)):
            raise ValueError("a Net spec needs three layer sizes")
        if type(vjp) is not int or not 0 <= vjp < len(_FAULTS):
            raise ValueError("a Net spec's vjp is an index of coursekit.ch08._FAULTS")
        model = cls(*sizes, seed=int(data["seed"]), vjp=vjp)
        model.load_state(data["params"])
        return model

    def state(self):
        """``[[name, data, grad or None], ...]`` of every parameter, as the call left them."""
        return [[name, p.data, p.grad] for name, p in self.named_parameters()]

    def load_state(self, state):
        """Take the parameters of the sandbox's copy, which the learner's code could have made
        anything: a parameter missing or not a numeric array of its own shape becomes NaN, which
        every later comparison reports (an unchanged-parameters check, a gradient, a value)."""
        given = {}
        if isinstance(state, list):
            for item in state[:64]:
                if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str):
                    given.setdefault(item[0], item[1:])
        for name, p in self.named_parameters():
            shape = p.data.shape
            data, grad = given.get(name, (_MISSING, _MISSING))
            arr = _array_of(data, shape)
            p.data = np.full(shape, np.nan) if arr is None else arr
            if grad is None:
                p.grad = None
            else:
                arr = _array_of(grad, shape)
                p.grad = np.full(shape, np.nan) if arr is None else arr


# ---------------------------------------------------------------------- deliberately wrong VJPs
# For the whole-model gradient check (coursekit.checks.ch08). Each replaces one of Net's four
# primitives by one with the same name and the same forward and a wrong VJP, of a kind people
# really write. None is a constant factor: how wrong each gradient is depends on the parameters,
# the inputs and the loss, so no one knows the relative error, nor always which parameter is
# worst, without computing the numerical and the backprop gradients. Not registered (private ops).
def _tanh_keep_input(a):
    return np.tanh(a), a


def _tanh_vjp_at_input(dout, a, needs):
    return (dout * (1 - a * a),)                 # 1 − z² of the input z: should be 1 − tanh(z)²


def _tanh_vjp_no_square(dout, out, needs):
    return (dout * (1 - out),)                   # forgot the square: should be 1 − out²


def _linear_vjp_one_sample(dout, cache, needs):
    x, w = cache                                 # written for one sample: the batch's others dropped
    dx = (dout @ w) if needs[0] else None
    dw = np.outer(dout[0], x[0]) if needs[1] else None
    db = dout[0].copy() if len(needs) > 2 and needs[2] else None
    return dx, dw, db


def _mul_vjp_swapped(dout, cache, needs):
    a, b = cache
    return dout * a, dout * b                    # the operands swapped: should be dout * b, dout * a


def _mul_vjp_forgets_factor(dout, cache, needs):
    a, b = cache
    return dout, dout * a                        # d(a·b)/da taken as 1: should be dout * b


_OPS = (_ops.linear, _ops.tanh, _ops.linear, _ops.mul)   # Net's forward: fc1, tanh, fc2, × gain
_FAULTS = (                                              # (slot in _OPS, primitive); 0: none
    None,
    (1, Primitive("tanh", _tanh_keep_input, _tanh_vjp_at_input)),
    (1, Primitive("tanh", _ops.tanh.forward, _tanh_vjp_no_square)),
    (0, Primitive("linear", _ops.linear.forward, _linear_vjp_one_sample)),
    (2, Primitive("linear", _ops.linear.forward, _linear_vjp_one_sample)),
    (3, Primitive("mul", _ops.mul.forward, _mul_vjp_swapped)),
    (3, Primitive("mul", _ops.mul.forward, _mul_vjp_forgets_factor)),
)
#: the faults by what they break, for the checks' case tables
VJP_FAULTS = {"tanh_at_input": 1, "tanh_no_square": 2, "fc1_one_sample": 3, "fc2_one_sample": 4,
              "mul_swapped": 5, "mul_forgets_factor": 6}


# ---------------------------------------------------------------------- losses
@register
class LossFn(Spec):
    """``loss_fn(out, target)``: "mse" (F.mse_loss against Tensor(target)) or "ce" (F.cross_entropy
    with integer class targets). Rebuilt from its name, so the learner calls its own copy."""

    spec_name = "ch08.LossFn"
    KINDS = ("mse", "ce")

    def __init__(self, kind):
        if kind not in self.KINDS:
            raise ValueError(f"unknown loss {kind!r}")
        self.kind = kind

    def __call__(self, out, target):
        if self.kind == "ce":
            return F.cross_entropy(out, target)
        return F.mse_loss(out, Tensor(target))

    def __repr__(self):
        return "<loss F.cross_entropy>" if self.kind == "ce" else "<loss F.mse_loss>"

    def spec(self):
        return self.kind

    @classmethod
    def rebuild(cls, data):
        return cls(data)


# ---------------------------------------------------------------------- drivers
def _first_line(e):
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else ""


def _values(t):
    """What a check may compare of a returned value: a Tensor's array, anything else as it is
    (the codec sends data by value and anything else as its type's name)."""
    return t.data if isinstance(t, Tensor) else t


@driver("ch08.forward_backward")
def forward_backward(target, model, x, dout, logged=False):
    """Run ``target(model, Tensor(x))``, which returns scores (``logged``: ``(scores, h_scaled)``),
    and ``scores.backward(dout)``. Returns a report, data only:

    * ``returned``: the type's name, when ``logged`` and the result is not a pair (then nothing else);
    * ``tensor``: is scores a Tensor; ``scores``: its values (or, not a Tensor, the value itself);
    * ``requires_grad``; ``backward_error``: ``[type name, first line]`` if backward raised;
    * ``h_scaled``: the logged array's values.

    The parameters' gradients come back with the model's ``state()``."""
    out = target(model, Tensor(x))
    report = {}
    if logged:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return {"returned": type(out).__name__[:100]}
        scores, h_scaled = out
        report["h_scaled"] = _values(h_scaled)
    else:
        scores = out
    if not isinstance(scores, Tensor):
        report.update(tensor=False, scores=scores)
        return report
    report.update(tensor=True, scores=scores.data, requires_grad=bool(scores.requires_grad))
    if scores.requires_grad:
        try:
            scores.backward(np.asarray(dout, dtype=np.float64))
        except Exception as e:  # noqa: BLE001 - e.g. a graph freed by a backward inside the function
            report["backward_error"] = [type(e).__name__[:100], _first_line(e)]
    return report


@driver("ch08.tensor_input")
def tensor_input(target, model, x, *rest, **kwargs):
    """``target(model, Tensor(x), *rest, **kwargs)``: the exercise's input x is a Tensor."""
    return target(model, Tensor(x), *rest, **kwargs)


@driver("ch08.primitive")
def primitive_backward(target, x, dout):
    """The learner's own primitive (``@chainrule.primitive(vjp)`` over its forward) run on ``x``,
    then backward with ``dout``. Returns a report, data only:

    * ``primitive``: is it a chainrule primitive, ``registered``: under its name in the registry;
    * ``vjp_returned``: what its VJP returned when called directly (``"tuple 1"`` is right);
    * ``out``: the forward's values through a Tensor; ``grad``: ``x.grad`` after ``backward(dout)``;
    * ``error``: ``[where, type name, first line]`` if the forward, the VJP or backward raised.
    """
    report = {"primitive": isinstance(target, Primitive)}
    if not report["primitive"]:
        report["type"] = type(target).__name__[:100]
        return report
    report["registered"] = _ops.REGISTRY.get(target.name) is target
    x = np.asarray(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    stage = "forward"
    try:
        out, cache = target.forward(x.copy())
        stage = "vjp"
        grads = target.backward(dout.copy(), cache, (True,))
        report["vjp_returned"] = (f"{type(grads).__name__} {len(grads)}" if isinstance(grads, (tuple, list))
                                  else type(grads).__name__[:100])
        stage = "backward"
        xt = Tensor(x, requires_grad=True)
        y = target(xt)
        report["out"] = y.data
        y.backward(dout)
        report["grad"] = xt.grad
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the learner's bug, named with where it happened
        report["error"] = [stage, type(e).__name__[:100], _first_line(e)]
    return report
