"""Layers as Modules: each holds its parameters and calls ``chainrule.functional``.

Parameters are float32 by default, as in PyTorch (pass ``dtype=np.float64`` to
gradcheck a layer); they are initialised as PyTorch does, from the generator
that ``chainrule.nn.init.manual_seed`` seeds.
"""
from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..ops.conv import pair
from ..tensor import as_tensor
from . import init
from .module import Module, Parameter
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = ["Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "ReLU", "Sigmoid",
           "Tanh", "Flatten", "Identity", "Dropout", "Sequential", "ModuleList", "ResidualBlock",
           "CrossEntropyLoss", "MSELoss", "LayerNorm"]


def _reset_like_torch(weight, bias):
    """PyTorch's default for Linear and Conv2d: kaiming_uniform_ with a = sqrt(5), which
    works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias uses the same bound."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """Fully connected layer: y = x W^T + b.

    Inputs:  x (*, in_features)
    Outputs: y (*, out_features)
    Parameters: weight (out_features, in_features), bias (out_features,) (or none if bias=False),
    both drawn from U(-1/sqrt(in_features), 1/sqrt(in_features)).
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        _reset_like_torch(self.weight, self.bias)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Conv2d(Module):
    """2-D convolution (cross-correlation) of images with out_channels learned filters.

    Inputs:  x (N, in_channels, H, W)
    Outputs: y (N, out_channels, Ho, Wo), Ho = (H + 2 * padding - kh) // stride + 1 (likewise Wo)
    Parameters: weight (out_channels, in_channels, kh, kw), bias (out_channels,),
    both from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels * kh * kw.
    kernel_size, stride, padding: an int or a (vertical, horizontal) pair.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, bias=True,
                 dtype=np.float32):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size)
        self.stride, self.dilation = pair(stride), pair(dilation)
        self.padding = padding if isinstance(padding, str) else pair(padding)
        self.weight = Parameter(np.empty((out_channels, in_channels, *self.kernel_size), dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        _reset_like_torch(self.weight, self.bias)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding = padding

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Maximum over kernel_size windows. (N, C, H, W) -> (N, C, Ho, Wo); stride defaults to kernel_size."""

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """Mean over kernel_size windows. (N, C, H, W) -> (N, C, Ho, Wo); stride defaults to kernel_size."""

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class ReLU(Module):
    """max(x, 0) element-wise; any shape."""

    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) element-wise; any shape."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x) element-wise; any shape."""

    def forward(self, x):
        return F.tanh(x)


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for a skipped layer)."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge the axes from start_dim on: (N, C, H, W) -> (N, C*H*W) with the default start_dim=1."""

    def __init__(self, start_dim=1):
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x):
        return as_tensor(x).flatten(self.start_dim)


class Dropout(Module):
    """Zero each element with probability p while training (scaling the rest by 1/(1-p));
    the identity in eval mode. Any shape."""

    def __init__(self, p=0.5):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p is a probability and must be in [0, 1], got {p}")
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class Sequential(Module):
    """Modules applied one after the other: Sequential(a, b, c)(x) = c(b(a(x))).

    The i-th module is registered under the name "i", so its parameters are
    named "0.weight", "0.bias", ... exactly as in PyTorch. Indexable (an int
    gives a module, a slice a new Sequential), has len() and iterates.
    """

    def __init__(self, *modules):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: {type(module).__name__} is not a Module")
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        items = list(self._modules.values())
        return Sequential(*items[index]) if isinstance(index, slice) else items[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def forward(self, x):
        for m in self:
            x = m(x)
        return x


class ModuleList(Module):
    """A list of modules whose parameters the parent finds (named "0.weight", ... as in
    PyTorch); unlike Sequential it has no forward: the parent decides how to call them."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: {type(module).__name__} is not a Module")
        setattr(self, str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def __getitem__(self, index):
        items = list(self._modules.values())
        return ModuleList(items[index]) if isinstance(index, slice) else items[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class CrossEntropyLoss(Module):
    """``loss_fn = CrossEntropyLoss(); loss = loss_fn(logits, targets)``: F.cross_entropy as a module."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__()
        self.weight, self.ignore_index, self.reduction = weight, ignore_index, reduction
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class MSELoss(Module):
    """``MSELoss()(input, target)``: F.mse_loss as a module."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class ResidualBlock(Module):
    """A residual block: out = relu(x + F(x)), so the block only learns a correction to x
    and the gradient reaches x directly through the "+" (He et al., 2016).

    ResidualBlock(features):            F = Linear -> ReLU -> Linear.
        Inputs: x (N, features). Outputs: (N, features).
    ResidualBlock(channels, conv=True): F = Conv2d 3x3 -> BatchNorm2d -> ReLU -> Conv2d 3x3 -> BatchNorm2d
        (padding 1 keeps the size; no conv bias, the batch norm's shift replaces it).
        Inputs: x (N, channels, H, W). Outputs: (N, channels, H, W).
    """

    def __init__(self, features, conv=False, dtype=np.float32):
        super().__init__()
        self.conv = conv
        if conv:
            self.conv1 = Conv2d(features, features, 3, padding=1, bias=False, dtype=dtype)
            self.bn1 = BatchNorm2d(features, dtype=dtype)
            self.conv2 = Conv2d(features, features, 3, padding=1, bias=False, dtype=dtype)
            self.bn2 = BatchNorm2d(features, dtype=dtype)
        else:
            self.fc1 = Linear(features, features, dtype=dtype)
            self.fc2 = Linear(features, features, dtype=dtype)

    def forward(self, x):
        if self.conv:
            fx = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        else:
            fx = self.fc2(F.relu(self.fc1(x)))
        return F.relu(x + fx)
