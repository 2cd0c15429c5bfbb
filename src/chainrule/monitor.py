"""Watching gradients during training: are they vanishing, exploding, or NaN?

    rec = GradNormRecorder(model)
    for step in range(n):
        ...; loss.backward()
        rec.record()                    # one L2 norm per named parameter
        opt.step()
    rec.history["weight_hh_l0"]         # list of norms, one per record()
    names, norms = rec.as_array()       # (steps, parameters) array, ready for a plot
    rec.layer_norms()                   # {name: last norm}

    h.register_hook ... -> watch(h, "h_t") keeps the norm of dL/dh_t at every backward
    check_finite(model)                 # raises, naming the first parameter whose grad has NaN/inf
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

__all__ = ["GradNormRecorder", "watch", "check_finite", "grad_norm"]


def grad_norm(grad):
    """The L2 norm of one gradient array, as a float (NaN if there is no gradient)."""
    if grad is None:
        return math.nan
    return float(np.sqrt(np.sum(np.square(grad, dtype=np.float64))))


class GradNormRecorder:
    """Record ‖dL/dθ‖₂ of every named parameter of ``model`` each time ``record()`` is called.

    history : OrderedDict name -> list of floats (NaN where a parameter had no gradient)
    """

    def __init__(self, model):
        self.model = model
        self.history = OrderedDict((name, []) for name, _ in model.named_parameters())

    def record(self):
        """Append each parameter's current gradient norm; call after ``backward()``."""
        for name, p in self.model.named_parameters():
            self.history.setdefault(name, []).append(grad_norm(p.grad))
        return self

    def layer_norms(self, step=-1):
        """{name: norm} at one recorded step (default the latest)."""
        return OrderedDict((name, norms[step]) for name, norms in self.history.items() if norms)

    def as_array(self):
        """(names, norms) with norms a (steps, parameters) array, columns in ``names`` order."""
        names = list(self.history)
        if not names or not self.history[names[0]]:
            return names, np.zeros((0, len(names)))
        return names, np.array([self.history[n] for n in names], dtype=np.float64).T

    def clear(self):
        for norms in self.history.values():
            norms.clear()

    def __len__(self):
        return max((len(v) for v in self.history.values()), default=0)

    def __repr__(self):
        return f"GradNormRecorder({len(self.history)} parameters, {len(self)} steps recorded)"


class _Watch(list):
    """A list of gradient norms that also holds the hook's handle (``remove()`` to stop)."""

    handle = None
    name = None

    def remove(self):
        if self.handle is not None:
            self.handle.remove()
            self.handle = None


def watch(tensor, name=None, store=None):
    """Record the L2 norm of the gradient reaching ``tensor`` (an activation) at each backward.

    Returns a list that grows by one norm per backward pass through ``tensor``; pass
    ``store`` (a dict) to collect several watches as ``store[name]``. The hook does
    not change the gradient. ``.remove()`` on the returned list detaches the hook.

        hs = []
        for t in range(T):
            h = cell(x[t], h)
            watch(h, f"h{t}", store=norms)   # norms["h0"], norms["h1"], ...: how dL/dh_t decays
    """
    norms = _Watch()
    norms.name = name

    def hook(grad):
        norms.append(grad_norm(grad))
        return None

    norms.handle = tensor.register_hook(hook)
    if store is not None:
        store[name] = norms
    return norms


def check_finite(model, raise_error=True):
    """Name the first parameter whose value or gradient holds NaN or inf.

    Raises ``FloatingPointError`` saying which (parameter order, as in ``named_parameters()``);
    with ``raise_error=False`` returns that message, or None when everything is finite.
    """
    for name, p in model.named_parameters():
        for what, arr in (("gradient", p.grad), ("value", p.data)):
            if arr is not None and not np.isfinite(arr).all():
                bad = "NaN" if np.isnan(arr).any() else "inf"
                count = int((~np.isfinite(arr)).sum())
                msg = (f"the {what} of parameter {name!r} {tuple(p.shape)} holds {bad} "
                       f"({count} of {arr.size} elements are not finite)")
                if raise_error:
                    raise FloatingPointError(msg)
                return msg
    return None
