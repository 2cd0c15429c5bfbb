"""Recurrent layers, PyTorch-shaped.

    RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False)
        (output, h_n) = rnn(input, h_0=None)
    LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False)
        (output, (h_n, c_n)) = lstm(input, (h_0, c_0)=None)
    RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')     h' = cell(x, h)
    LSTMCell(input_size, hidden_size, bias=True)                         (h', c') = cell(x, (h, c))

Shapes: input (T, N, I), or (N, T, I) with batch_first, or unbatched (T, I);
output (T, N, H) (batch_first: (N, T, H)); h_n, c_n (num_layers, N, H).

``RNN`` and ``LSTM`` run one fused primitive per layer (``ops/recurrent.py``: all
steps' input projections in one matmul, BPTT written out), so they train fast.
``RNNCell`` and ``LSTMCell`` are built from plain Tensor ops (matmul, add, tanh,
sigmoid), the slow and transparent version: call one in a Python loop and the
graph you get *is* the unrolled network of the lecture. Both give the same
gradients (a test checks it on 1,000 steps).

Parameters are named and shaped as in PyTorch, so weights copy across by name:
``weight_ih_l{k}`` (G·H, I or H), ``weight_hh_l{k}`` (G·H, H), ``bias_ih_l{k}``,
``bias_hh_l{k}`` (G·H,), with G = 4 stacked gates (i, f, g, o) for the LSTM.
All start U(-1/√H, 1/√H), as in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

from ..ops import getitem, reshape, stack, transpose
from ..ops.recurrent import lstm as _lstm, rnn_relu as _rnn_relu, rnn_tanh as _rnn_tanh
from ..tensor import ShapeError, Tensor, as_tensor
from . import init
from .module import Module, Parameter


def _uniform(shape, bound, dtype):
    """A Parameter drawn from U(-bound, bound) by ``nn.init`` (so ``init.manual_seed`` applies)."""
    return init.uniform_(Parameter(np.zeros(shape, dtype=dtype)), -bound, bound)


def _fmt(shape):
    return "(" + ",".join("·" if s is None else str(s) for s in shape) + ")"


class _RNNBase(Module):
    """What RNN and LSTM share: parameters per layer, input checks, the loop over layers."""

    _gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dtype=np.float32):
        super().__init__()
        for what, v in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{type(self).__name__}: {what} must be a positive integer, got {v!r}")
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        G, H = self._gates, self.hidden_size
        k = 1 / math.sqrt(H)
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else H
            setattr(self, f"weight_ih_l{layer}", _uniform((G * H, n_in), k, dtype))
            setattr(self, f"weight_hh_l{layer}", _uniform((G * H, H), k, dtype))
            if bias:
                setattr(self, f"bias_ih_l{layer}", _uniform((G * H,), k, dtype))
                setattr(self, f"bias_hh_l{layer}", _uniform((G * H,), k, dtype))

    def _weights(self, layer):
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        return [getattr(self, f"{n}_l{layer}") for n in names]

    def _time_major(self, x):
        """Check the input's shape; return it as (T, N, I) and whether it had a batch axis."""
        name, I = type(self).__name__, self.input_size
        x = as_tensor(x)
        layout = "(batch, seq_len, input_size)" if self.batch_first else "(seq_len, batch, input_size)"
        if x.ndim == 2 and x.shape[1] == I and x.shape[0] > 0:          # unbatched (T, I)
            return reshape(x, shape=(x.shape[0], 1, I)), False
        if x.ndim != 3 or x.shape[2] != I or 0 in x.shape:
            raise ShapeError(f"{name}: input must be {layout}={_fmt((None, None, I))}, got shape {x.shape}"
                             f" (an unbatched sequence (seq_len, input_size)={_fmt((None, I))} works too)")
        return (transpose(x, axes=(1, 0, 2)) if self.batch_first else x), True

    def _initial(self, state, what, N, batched):
        """h_0 or c_0: (num_layers, N, H), or (num_layers, H) unbatched; zeros when omitted."""
        L, H = self.num_layers, self.hidden_size
        dtype = self.weight_hh_l0.dtype
        if state is None:
            return [Tensor(np.zeros((N, H), dtype=dtype))] * L
        state = as_tensor(state)
        want = (L, N, H) if batched else (L, H)
        if state.shape != want:
            axes = "(num_layers, batch, hidden_size)" if batched else "(num_layers, hidden_size)"
            raise ShapeError(f"{type(self).__name__}: {what} must be {axes}={_fmt(want)}, got shape {state.shape}")
        if not batched:
            state = reshape(state, shape=(L, 1, H))
        return [getitem(state, index=layer) for layer in range(L)]

    def _finish(self, output, finals, batched):
        """Back to the caller's layout: output (T, N, H) or (N, T, H) or (T, H); states stacked."""
        finals = [stack(*f, axis=0) for f in finals]                  # each (L, N, H)
        if not batched:
            output = reshape(output, shape=(output.shape[0], self.hidden_size))
            finals = [reshape(f, shape=(self.num_layers, self.hidden_size)) for f in finals]
        elif self.batch_first:
            output = transpose(output, axes=(1, 0, 2))
        return output, finals

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        return s


class RNN(_RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh or relu.

    forward(input, h_0=None) -> (output, h_n): output holds the last layer's h_t for every
    t; h_n (num_layers, N, H) holds every layer's last h_t.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dtype=np.float32):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, batched = self._time_major(input)
        h0 = self._initial(hx, "h_0", x.shape[1], batched)
        step = _rnn_tanh if self.nonlinearity == "tanh" else _rnn_relu
        h_n = []
        for layer in range(self.num_layers):
            x = step(x, h0[layer], *self._weights(layer))           # (T, N, H), input of the next layer
            h_n.append(getitem(x, index=-1))
        output, (h_n,) = self._finish(x, [h_n], batched)
        return output, h_n

    def extra_repr(self):
        s = super().extra_repr()
        return s + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(_RNNBase):
    """Long short-term memory, gates (i, f, g, o) as in PyTorch.

    forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n)).
    """

    _gates = 4

    def forward(self, input, hx=None):
        x, batched = self._time_major(input)
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError("LSTM: the state must be a pair (h_0, c_0)")
        N, T = x.shape[1], x.shape[0]
        h0 = self._initial(None if hx is None else hx[0], "h_0", N, batched)
        c0 = self._initial(None if hx is None else hx[1], "c_0", N, batched)
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            y = _lstm(x, h0[layer], c0[layer], *self._weights(layer))   # (T + 1, N, H): [h_1..h_T; c_T]
            x = getitem(y, index=slice(0, T))
            h_n.append(getitem(y, index=T - 1))
            c_n.append(getitem(y, index=T))
        output, (h_n, c_n) = self._finish(x, [h_n, c_n], batched)
        return output, (h_n, c_n)


# ---- cells: one step, made of plain Tensor ops ------------------------------------------------

class _CellBase(Module):
    _gates = 1

    def __init__(self, input_size, hidden_size, bias=True, dtype=np.float32):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bool(bias)
        G, H, k = self._gates, hidden_size, 1 / math.sqrt(hidden_size)
        self.weight_ih = _uniform((G * H, input_size), k, dtype)
        self.weight_hh = _uniform((G * H, H), k, dtype)
        if bias:
            self.bias_ih = _uniform((G * H,), k, dtype)
            self.bias_hh = _uniform((G * H,), k, dtype)

    def _batch(self, x):
        """(N, I) stays; unbatched (I,) becomes (1, I). Returns the tensor and whether it was batched."""
        x = as_tensor(x)
        if x.ndim == 1 and x.shape[0] == self.input_size:
            return reshape(x, shape=(1, self.input_size)), False
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ShapeError(f"{type(self).__name__}: input must be (batch, input_size)={_fmt((None, self.input_size))}"
                             f" or (input_size,)=({self.input_size},), got shape {x.shape}")
        return x, True

    def _state(self, h, what, N, batched):
        H = self.hidden_size
        if h is None:
            return Tensor(np.zeros((N, H), dtype=self.weight_hh.dtype))
        h = as_tensor(h)
        want = (N, H) if batched else (H,)
        if h.shape != want:
            raise ShapeError(f"{type(self).__name__}: {what} must have shape {want}, got {h.shape}")
        return h if batched else reshape(h, shape=(1, H))

    def _preactivation(self, x, h):
        """x W_ih^T + b_ih + h W_hh^T + b_hh: (N, G·H)."""
        z = x @ self.weight_ih.T + h @ self.weight_hh.T
        if self.bias:
            z = z + self.bias_ih + self.bias_hh
        return z

    def _unbatch(self, t, batched):
        return t if batched else reshape(t, shape=(self.hidden_size,))

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(_CellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    forward(input (N, I) or (I,), hx (N, H) or None) -> h' (N, H)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=np.float32):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, batched = self._batch(input)
        h = self._state(hx, "hx", x.shape[0], batched)
        z = self._preactivation(x, h)
        h = z.tanh() if self.nonlinearity == "tanh" else z.relu()
        return self._unbatch(h, batched)


class LSTMCell(_CellBase):
    """One LSTM step. With z = x W_ih^T + b_ih + h W_hh^T + b_hh split into four (N, H) blocks:

        i, f, o = σ(z_i), σ(z_f), σ(z_o)      input, forget and output gates
        g = tanh(z_g)                          the candidate cell content
        c' = f * c + i * g,   h' = o * tanh(c')

    forward(input (N, I) or (I,), (h, c) or None) -> (h', c')
    """

    _gates = 4

    def forward(self, input, hx=None):
        x, batched = self._batch(input)
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError("LSTMCell: the state must be a pair (h, c)")
        N, H = x.shape[0], self.hidden_size
        h = self._state(None if hx is None else hx[0], "h", N, batched)
        c = self._state(None if hx is None else hx[1], "c", N, batched)
        z = self._preactivation(x, h)
        i = z[:, 0 * H:1 * H].sigmoid()
        f = z[:, 1 * H:2 * H].sigmoid()
        g = z[:, 2 * H:3 * H].tanh()
        o = z[:, 3 * H:4 * H].sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        return self._unbatch(h, batched), self._unbatch(c, batched)
