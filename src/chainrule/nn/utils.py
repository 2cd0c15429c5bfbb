"""Gradient clipping, as ``torch.nn.utils``: call after ``backward()``, before ``step()``.

    clip_grad_norm_(model.parameters(), max_norm=1.0)    rescale all gradients together
    clip_grad_value_(model.parameters(), clip_value=0.5) clamp each gradient element

Clipping by norm keeps the gradient's *direction* and only shortens it, which is why
it is the usual cure for exploding gradients in RNNs; clipping by value changes the
direction.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(a, norm_type):
    a = np.abs(a)
    if norm_type == math.inf:
        return float(a.max(initial=0.0))
    return float(np.sum(a.astype(np.float64) ** norm_type) ** (1.0 / norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients in place so that their total norm is at most ``max_norm``.

    The total norm is taken over all gradients together, as if they were one long
    vector: total = ‖(‖g_1‖, ‖g_2‖, ...)‖. When it exceeds ``max_norm`` every gradient
    is multiplied by ``max_norm / (total + 1e-6)`` (the 1e-6 guards against dividing
    by zero). ``norm_type`` may be ``float('inf')`` (the largest |element|).

    Returns the total norm *before* clipping, as a 0-d tensor (as PyTorch: ``.item()`` or
    ``float()`` gives the number): log it to watch for explosions.
    """
    grads = _grads(parameters)
    norm_type, max_norm = float(norm_type), float(max_norm)
    if not grads:
        return Tensor(0.0)
    total = _norm(np.array([_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of the gradients is {total}; "
                           "some gradient holds NaN or inf (see chainrule.monitor.check_finite)")
    coef = min(max_norm / (total + 1e-6), 1.0)   # never scale up
    if coef < 1.0 or not math.isfinite(total):
        for g in grads:
            g *= coef
    return Tensor(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
