"""All primitives, registered on import. See ``registry.py`` for the contract."""
from .registry import REGISTRY, Primitive, normalize_axes, normalize_axis, primitive, register, unbroadcast
from .elementwise import (add, sub, mul, div, neg, pow, exp, log, sqrt, abs, tanh, sigmoid,
                          relu, leaky_relu, maximum, where, clamp)
from .reduce import sum, mean, max
from .shape import (reshape, transpose, getitem, concatenate, stack, broadcast_to, take_along_axis,
                    cast)
from .linalg import matmul, linear
from .nn import softmax, log_softmax, cross_entropy, mse_loss, batch_norm
from .conv import conv2d, max_pool2d, avg_pool2d
from .recurrent import rnn_tanh, rnn_relu, lstm
