"""Batch normalisation layers (Ioffe & Szegedy, 2015), with PyTorch's train/eval behaviour."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..tensor import ShapeError
from .module import Module, Parameter


class _BatchNorm(Module):
    _ndims: tuple = ()
    _layout = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float32):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.track_running_stats = track_running_stats
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:       # always the batch's own statistics, in eval mode too
            self.running_mean = self.running_var = None

    def forward(self, x):
        name = type(self).__name__
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ShapeError(f"{name}({self.num_features}): x must be {self._layout} with "
                             f"C = {self.num_features}, got shape {x.shape}")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked[...] += 1               # in place: the buffer stays registered
            if momentum is None:                             # a cumulative average of all batches so far
                momentum = 1.0 / float(self.num_batches_tracked)
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=self.training or not self.track_running_stats, momentum=momentum,
                            eps=self.eps)

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


class LayerNorm(Module):
    """Normalise each sample over its last axes ``normalized_shape``, then scale and shift.

    Inputs: x (*, *normalized_shape). Outputs: the same shape.
    Parameters (elementwise_affine=True): weight (1s) and bias (0s) of normalized_shape.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=np.float32):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.weight = Parameter(np.ones(shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype=dtype)) if elementwise_affine and bias else None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}"
