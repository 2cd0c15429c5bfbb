"""Batch normalisation layers (Ioffe & Szegedy, 2015), with PyTorch's train/eval behaviour."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..tensor import ShapeError
from .module import Module, Parameter


class _BatchNorm(Module):
    _ndims: tuple = ()
    _layout = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, dtype=np.float32):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        name = type(self).__name__
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ShapeError(f"{name}({self.num_features}): x must be {self._layout} with "
                             f"C = {self.num_features}, got shape {x.shape}")
        if self.training:
            self.num_batches_tracked[...] += 1               # in place: the buffer stays registered
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=self.training, momentum=self.momentum, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Normalise each feature over the batch (and the length axis, if any), then scale and shift.

    Inputs:  x (N, C) or (N, C, L).  Outputs: the same shape.
    Parameters: weight (gamma) and bias (beta), (C,), initialised to 1 and 0.
    Buffers: running_mean, running_var (C,), updated in training mode as
    running = (1 - momentum) * running + momentum * batch statistic
    (unbiased variance) and used instead of the batch's in eval mode.
    """

    _ndims, _layout = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images: each channel over the batch and all pixels.

    Inputs:  x (N, C, H, W).  Outputs: the same shape. Parameters and buffers as in BatchNorm1d.
    """

    _ndims, _layout = (4,), "(N, C, H, W)"
