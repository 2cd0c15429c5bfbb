"""chainrule: backpropagation you can read.

Reverse-mode automatic differentiation on NumPy arrays, with a PyTorch-shaped
API (``Tensor``, ``functional``, ``nn``, ``optim``), forward mode for
comparison (``jvp``) and a numerical gradient checker in float64 (``gradcheck``,
``numerical_grad``).

The library alone: the course built on it (checks, widgets, plots, data sets) is the separate
``coursekit`` package, and nothing here imports it.
"""
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .forward import Dual, jvp
from .gradcheck import GradcheckError, compare, gradcheck, numerical_grad
from .graph import trace as trace_graph
from .tensor import ShapeError, Tensor, as_tensor, maximum, minimum, where
from .creation import (arange, bool, float16, float32, float64, full, int32, int64, manual_seed, ones,
                       ones_like, rand, randn, zeros, zeros_like)
from . import ops
from .ops import primitive

import numpy as np

__version__ = "0.1.0"

# ``from chainrule import *`` leaves Python's sum, max, min, abs and bool alone: chainrule.sum
# and the others exist for ``cr.sum(x, dim)`` (PyTorch's spelling), not to shadow builtins
__all__ = ["Tensor", "tensor", "as_tensor", "ShapeError", "no_grad", "enable_grad", "is_grad_enabled",
           "detect_anomaly", "Dual", "jvp", "gradcheck", "numerical_grad", "compare", "GradcheckError",
           "trace_graph", "primitive", "concatenate", "cat", "stack", "zeros", "ones", "full", "zeros_like", "ones_like",
           "randn", "rand", "arange", "manual_seed", "maximum", "minimum", "where", "exp", "log", "tanh",
           "sigmoid", "relu", "sqrt", "clamp", "matmul", "mean", "argmax", "softmax", "log_softmax",
           "float16", "float32", "float64", "int32", "int64"]


def tensor(data, requires_grad=False, dtype=None):
    """``torch.tensor``: the dtype follows the data, so integers give int64 (class targets),
    booleans bool and floats float64 (chainrule's default float; ``Tensor(...)`` makes every
    number float64)."""
    if dtype is None and not isinstance(data, (np.ndarray, Tensor)):
        kind = np.asarray(data).dtype.kind
        dtype = {"b": np.bool_, "i": np.int64, "u": np.int64}.get(kind)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis (``np.concatenate``, ``torch.cat``); gradients split back."""
    return ops.concatenate(*tensors, axis=axis if dim is None else dim)


cat = concatenate


def stack(tensors, axis=0, *, dim=None):
    """Join tensors along a new axis (``np.stack``, ``torch.stack``)."""
    return ops.stack(*tensors, axis=axis if dim is None else dim)


def exp(x): return as_tensor(x).exp()
def log(x): return as_tensor(x).log()
def tanh(x): return as_tensor(x).tanh()
def sigmoid(x): return as_tensor(x).sigmoid()
def relu(x): return as_tensor(x).relu()
def sqrt(x): return as_tensor(x).sqrt()
def abs(x): return as_tensor(x).abs()
def clamp(x, min=None, max=None): return as_tensor(x).clamp(min, max)
def matmul(a, b): return as_tensor(a) @ b
def sum(x, dim=None, keepdim=False): return as_tensor(x).sum(dim, keepdim)
def mean(x, dim=None, keepdim=False): return as_tensor(x).mean(dim, keepdim)
def max(x, dim=None, keepdim=False): return as_tensor(x).max(dim, keepdim)
def min(x, dim=None, keepdim=False): return as_tensor(x).min(dim, keepdim)
def argmax(x, dim=None, keepdim=False): return as_tensor(x).argmax(dim, keepdim)
def softmax(x, dim): return as_tensor(x).softmax(dim)
def log_softmax(x, dim): return as_tensor(x).log_softmax(dim)


def __getattr__(name):
    # the heavier parts load on first use
    import importlib
    if name in ("functional", "nn", "optim", "monitor"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
