"""Fused recurrent primitives: a whole sequence in one op, backprop through time written out.

    rnn_tanh(x, h0, w_ih, w_hh, b_ih, b_hh)        -> hs            (T, N, H)
    rnn_relu(...)                                   -> hs            (T, N, H)
    lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh)         -> [hs; c_T]     (T + 1, N, H)

Shapes (PyTorch layout): x (T, N, I) is time-major, h0 and c0 (N, H), w_ih (G·H, I),
w_hh (G·H, H), b_ih and b_hh (G·H,), with G = 1 for the plain RNN and G = 4 for the
LSTM, whose gates are stacked in PyTorch's order (i, f, g, o). The biases may be
left out (``bias=False``): the Tensor layer drops ``None`` inputs.

Why fused: an unrolled graph of small ops (``nn.RNNCell`` in a loop) is the
transparent version, but it pays Python and graph overhead at every step and every
op. Here the input projection x W_ih^T of *all* steps is one matmul, the time loop
does only what must be sequential (h_{t-1} W_hh^T and the nonlinearity), and the
weight gradients are again one matmul each after the backward loop.

Why the LSTM returns one stacked array: a primitive returns exactly one array, and
the LSTM's results are the hidden states *and* the last cell state c_T, which a
caller may want to differentiate through (``c_n`` passed to the next batch, or into
a loss). Returning ``concatenate([hs, c_T[None]])`` keeps one forward, one cache
and one BPTT loop; ``nn.LSTM`` slices it with ``getitem`` (output = y[:T],
h_n = y[T-1], c_n = y[T]), so a gradient arriving at any of the three flows back
through the same backward. A second primitive for c_T would have to redo the
forward or share a cache between two ops, which the registry does not model.
"""
import numpy as np

from .registry import register


def _sigmoid(z):
    # σ(z) = (1 + tanh(z/2)) / 2: one ufunc call, and no overflow for large |z|
    return 0.5 * np.tanh(0.5 * z) + 0.5


def _check(name, x, h0, w_ih, w_hh, gates, biases, c0=None):
    """Shape checks; a ValueError starting with the op's name reaches the user as a ShapeError."""
    if x.ndim != 3:
        raise ValueError(f"{name}: x must be (seq_len, batch, input_size), got shape {x.shape}")
    T, N, I = x.shape
    H = w_hh.shape[-1]
    want = {"w_ih": (gates * H, I), "w_hh": (gates * H, H), "h0": (N, H)}
    got = {"w_ih": w_ih.shape, "w_hh": w_hh.shape, "h0": h0.shape}
    if c0 is not None:
        want["c0"], got["c0"] = (N, H), c0.shape
    for i, b in enumerate(biases):
        want[f"b{i}"], got[f"b{i}"] = (gates * H,), b.shape
    for key in want:
        if tuple(got[key]) != want[key]:
            raise ValueError(f"{name}: {key} must have shape {want[key]} for x of shape {x.shape} "
                             f"and hidden size {H}, got {got[key]}")
    if T == 0:
        raise ValueError(f"{name}: the sequence is empty (seq_len 0)")
    return T, N, I, H


def _input_projection(x, w_ih, biases):
    """x_t W_ih^T + b_ih + b_hh for every t at once: (T, N, I) -> (T, N, G·H).

    Both biases are added here: they enter every step identically, so folding them
    into the projection costs nothing in the loop."""
    T, N, I = x.shape
    xp = (x.reshape(T * N, I) @ w_ih.T).reshape(T, N, -1)
    for b in biases:
        xp += b
    return xp


def _weight_grads(dz, x, h_prev, needs, n_bias):
    """The gradients of the parameters shared by all steps: sums over time and batch,
    computed as one matmul each over the stacked (T·N) rows.

    dz     : (T, N, G·H)  gradient at the pre-activations, every step
    x      : (T, N, I)    the inputs
    h_prev : (T, N, H)    h_{t-1} for every t (h0 first)
    returns dw_ih, dw_hh and a tuple with one gradient per bias (the same array:
    b_ih and b_hh enter as a sum, so dL/db_ih = dL/db_hh = Σ_t,n dz)
    """
    T, N, GH = dz.shape
    dz2 = dz.reshape(T * N, GH)
    dw_ih = dz2.T @ x.reshape(T * N, -1) if needs[0] else None     # Σ_t dz_t^T x_t
    dw_hh = dz2.T @ h_prev.reshape(T * N, -1) if needs[1] else None  # Σ_t dz_t^T h_{t-1}
    db = dz2.sum(axis=0) if any(needs[2:2 + n_bias]) else None
    return dw_ih, dw_hh, (db,) * n_bias


# ---- plain RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) ---------------------------

_ACTS = {
    # activation, and its derivative written in terms of the *output* h = act(a)
    "tanh": (np.tanh, lambda h: 1 - h * h),
    "relu": (lambda a: np.maximum(a, 0), lambda h: (h > 0).astype(h.dtype)),
}


def _make_rnn(nonlinearity):
    act, act_grad = _ACTS[nonlinearity]
    name = f"rnn_{nonlinearity}"

    def forward(x, h0, w_ih, w_hh, *biases):
        T, N, I, H = _check(name, x, h0, w_ih, w_hh, 1, biases)
        xp = _input_projection(x, w_ih, biases)              # (T, N, H)
        hs = np.empty(xp.shape, dtype=np.result_type(xp, h0, w_hh))
        h = h0
        for t in range(T):
            h = hs[t] = act(xp[t] + h @ w_hh.T)
        return hs, (x, h0, w_ih, w_hh, hs, len(biases))

    def backward(dout, cache, needs):
        x, h0, w_ih, w_hh, hs, n_bias = cache
        T = len(hs)
        # BPTT: dh_t gets dout_t from above and da_{t+1} W_hh from the next step
        da = np.empty_like(hs)                                 # dL/da_t, a_t the pre-activation
        dh_next = np.zeros_like(hs[0])
        for t in range(T - 1, -1, -1):
            da[t] = (dout[t] + dh_next) * act_grad(hs[t])
            dh_next = da[t] @ w_hh                             # dL/dh_{t-1} = da_t W_hh
        dh0 = dh_next if needs[1] else None
        dx = (da.reshape(T * len(h0), -1) @ w_ih).reshape(x.shape) if needs[0] else None
        h_prev = np.concatenate([h0[None], hs[:-1]])           # h_{t-1} for every t
        dw_ih, dw_hh, dbs = _weight_grads(da, x, h_prev, needs[2:], n_bias)
        return (dx, dh0, dw_ih, dw_hh) + dbs

    return register(name, forward, backward)


rnn_tanh = _make_rnn("tanh")
rnn_relu = _make_rnn("relu")


# ---- LSTM ---------------------------------------------------------------------------------------
#   z_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh        (N, 4H), split into i, f, g, o
#   i, f, o = σ(z_i), σ(z_f), σ(z_o);   g = tanh(z_g)
#   c_t = f * c_{t-1} + i * g;          h_t = o * tanh(c_t)

def _lstm_fwd(x, h0, c0, w_ih, w_hh, *biases):
    T, N, I, H = _check("lstm", x, h0, w_ih, w_hh, 4, biases, c0=c0)
    xp = _input_projection(x, w_ih, biases)                   # (T, N, 4H)
    dtype = np.result_type(xp, h0, c0, w_hh)
    gates = np.empty(xp.shape, dtype=dtype)                    # i, f, g, o after activation
    cs = np.empty((T, N, H), dtype=dtype)
    tanh_cs = np.empty((T, N, H), dtype=dtype)
    out = np.empty((T + 1, N, H), dtype=dtype)                 # rows 0..T-1: h_t; row T: c_T
    h, c = h0, c0
    for t in range(T):
        z = xp[t] + h @ w_hh.T
        a = gates[t]
        a[:, :2 * H] = _sigmoid(z[:, :2 * H])                  # i, f
        a[:, 2 * H:3 * H] = np.tanh(z[:, 2 * H:3 * H])         # g
        a[:, 3 * H:] = _sigmoid(z[:, 3 * H:])                  # o
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        c = cs[t] = f * c + i * g
        tanh_cs[t] = np.tanh(c)
        h = out[t] = o * tanh_cs[t]
    out[T] = c
    return out, (x, h0, c0, w_ih, w_hh, gates, cs, tanh_cs, out[:T], len(biases))


def _lstm_vjp(dout, cache, needs):
    x, h0, c0, w_ih, w_hh, gates, cs, tanh_cs, hs, n_bias = cache
    T, N, H = cs.shape
    dz = np.empty_like(gates)                                  # dL/dz_t, all four gates
    dh_next = np.zeros((N, H), dtype=dz.dtype)
    dc_next = dout[T].astype(dz.dtype)                         # the gradient that reached c_n
    for t in range(T - 1, -1, -1):
        a = gates[t]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        c_prev = cs[t - 1] if t > 0 else c0
        dh = dout[t] + dh_next
        # c_t reaches the loss through h_t = o tanh(c_t) and through c_{t+1} = f c_t + ...
        dc = dc_next + dh * o * (1 - tanh_cs[t] ** 2)
        d = dz[t]
        d[:, :H] = dc * g * i * (1 - i)                        # di · σ'
        d[:, H:2 * H] = dc * c_prev * f * (1 - f)              # df · σ'
        d[:, 2 * H:3 * H] = dc * i * (1 - g * g)               # dg · tanh'
        d[:, 3 * H:] = dh * tanh_cs[t] * o * (1 - o)           # do · σ'
        dc_next = dc * f
        dh_next = d @ w_hh                                     # dL/dh_{t-1} = dz_t W_hh
    dh0 = dh_next if needs[1] else None
    dc0 = dc_next if needs[2] else None
    dx = (dz.reshape(T * N, -1) @ w_ih).reshape(x.shape) if needs[0] else None
    h_prev = np.concatenate([h0[None], hs[:-1]])
    dw_ih, dw_hh, dbs = _weight_grads(dz, x, h_prev, needs[3:], n_bias)
    return (dx, dh0, dc0, dw_ih, dw_hh) + dbs


lstm = register("lstm", _lstm_fwd, _lstm_vjp)
