"""Making tensors, with PyTorch's names: ``zeros``, ``ones``, ``randn``, ``arange``, ...

The dtype defaults to float64, chainrule's default float (PyTorch's is float32): the
course checks gradients by central differences, which need the precision. Layers'
parameters are float32, as in PyTorch. Random tensors come from the generator that
``manual_seed`` seeds, the one behind layer initialisation and dropout.
"""
import numpy as np

from .tensor import Tensor

float16, float32, float64, int32, int64 = np.float16, np.float32, np.float64, np.int32, np.int64
bool = np.bool_


def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def _generator():
    from .nn import init
    return init.default_generator()


def manual_seed(seed):
    """Seed the random numbers of ``randn``, ``rand``, layer initialisation and dropout."""
    from .nn import init
    return init.manual_seed(seed)


def zeros(*size, dtype=np.float64, requires_grad=False):
    return Tensor(np.zeros(_shape(size), dtype=dtype), requires_grad=requires_grad)


def ones(*size, dtype=np.float64, requires_grad=False):
    return Tensor(np.ones(_shape(size), dtype=dtype), requires_grad=requires_grad)


def full(size, fill_value, dtype=np.float64, requires_grad=False):
    return Tensor(np.full(_shape((size,)), fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return Tensor(np.zeros_like(getattr(t, "data", t), dtype=dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return Tensor(np.ones_like(getattr(t, "data", t), dtype=dtype), requires_grad=requires_grad)


def randn(*size, dtype=np.float64, requires_grad=False):
    """Samples of the standard normal N(0, 1)."""
    return Tensor(_generator().standard_normal(_shape(size)).astype(dtype), requires_grad=requires_grad)


def rand(*size, dtype=np.float64, requires_grad=False):
    """Samples of the uniform U(0, 1)."""
    return Tensor(_generator().random(_shape(size)).astype(dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """``arange(5)`` is 0..4, int64 for integer arguments and float64 otherwise, as PyTorch."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, (int, np.integer)) for v in (start, end, step)) else np.float64
    return Tensor(np.arange(start, end, step, dtype=dtype), requires_grad=requires_grad)
