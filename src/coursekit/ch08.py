"""Chapter 8's inputs and drivers: models a learner's chainrule code trains, runs and checks.

Chapter 8 is the one chapter whose exercises use the library itself, so this module (and only
this one in the kit) imports ``chainrule``; in grading that is the sandbox's own copy, so the
learner's code only ever meets models, tensors and losses of its own process.

Inputs (:mod:`.specs`):

* :class:`Net` (and the two deliberately broken variants :class:`BrokenGainNet`,
  :class:`BrokenLinearNet`): the model is described by its sizes, its seed and the values of
  every parameter and its ``.grad`` (so whatever a check did to its copy, a bias set, a stale
  gradient, arrives as it is); ``state()`` is the same per-parameter data after the call, and
  the judge's copy takes it with ``load_state``, which checks every name, shape and dtype.
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
    """fc1 (D→H), fc2 (H→C), a gain per output; forward: fc2(tanh(fc1(x))) * gain (float64)."""

    spec_name = "ch08.Net"

    def __init__(self, d, h, c, seed=0):
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

    def forward(self, x):
        return self.fc2(F.tanh(self.fc1(x))) * self.gain

    # ---- as a spec: the parameters travel by value, .grad included (None stays None)
    def spec(self):
        return {"sizes": list(self.sizes), "seed": self.seed, "params": self.state()}

    @classmethod
    def rebuild(cls, data):
        sizes = data["sizes"]
        if not (isinstance(sizes, list) and len(sizes) == 3
                and all(type(s) is int and 1 <= s <= MAX_UNITS for s in sizes)):
            raise ValueError("a Net spec needs three layer sizes")
        model = cls(*sizes, seed=int(data["seed"]))
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


def _scale_fwd(a, s):
    return a * s, (a, s)


def _scale_vjp_wrong(dout, cache, needs):
    a, s = cache
    return dout * s, 2.0 * dout * a          # d/ds is twice too big: the deliberate bug


def _linear_fwd(x, w):
    return x @ w.T, (x, w)


def _linear_vjp_wrong(dout, cache, needs):
    x, w = cache
    return dout @ w, 0.5 * (dout.T @ x)      # dw is half the right one: the deliberate bug


_BAD_SCALE = Primitive("bad_scale", _scale_fwd, _scale_vjp_wrong)      # not registered: a private op
_BAD_LINEAR = Primitive("bad_linear", _linear_fwd, _linear_vjp_wrong)


@register
class BrokenGainNet(Net):
    """Net whose output scaling uses a primitive with a wrong VJP for the gain."""

    spec_name = "ch08.BrokenGainNet"

    def forward(self, x):
        return _BAD_SCALE(self.fc2(F.tanh(self.fc1(x))), self.gain)


@register
class BrokenLinearNet(Net):
    """Net whose second layer's matrix product has a wrong VJP for the weight."""

    spec_name = "ch08.BrokenLinearNet"

    def forward(self, x):
        return (_BAD_LINEAR(F.tanh(self.fc1(x)), self.fc2.weight) + self.fc2.bias) * self.gain


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
