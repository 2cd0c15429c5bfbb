"""Matrix products. For C = A @ B with upstream gradient G = dL/dC:
dL/dA = G @ B^T and dL/dB = A^T @ G (batched over leading axes)."""
import numpy as np

from .registry import register, unbroadcast


def _swap(m):
    return np.swapaxes(m, -1, -2)


def _matmul_fwd(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs arrays with at least one dimension; use * for scalars")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(f"matmul: inner dimensions differ: {a.shape} @ {b.shape} "
                         f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})")
    return a @ b, (a, b)


def _matmul_vjp(dout, cache, needs):
    a, b = cache
    # treat vectors as 1-row / 1-column matrices, then undo it
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    if a.ndim == 1 and b.ndim == 1:
        g = np.reshape(dout, (1, 1))
    elif a.ndim == 1:
        g = dout[..., None, :]
    elif b.ndim == 1:
        g = dout[..., None]
    else:
        g = dout
    da = db = None
    if needs[0]:
        da = unbroadcast(g @ _swap(b2), a2.shape).reshape(a.shape)
    if needs[1]:
        db = unbroadcast(_swap(a2) @ g, b2.shape).reshape(b.shape)
    return da, db


matmul = register("matmul", _matmul_fwd, _matmul_vjp)


def _linear_fwd(x, w, b=None):
    """y = x W^T + b, PyTorch layout: x (*, in), w (out, in), b (out,)."""
    out = x @ w.T
    if b is not None:
        out += b
    return out, (x, w)


def _linear_vjp(dout, cache, needs):
    x, w = cache
    g2 = dout.reshape(-1, dout.shape[-1])                    # (N, out)
    dx = (dout @ w) if needs[0] else None                    # (*, in)
    dw = (g2.T @ x.reshape(-1, x.shape[-1])) if needs[1] else None   # (out, in)
    db = g2.sum(axis=0) if len(needs) > 2 and needs[2] else None      # (out,)
    return dx, dw, db


linear = register("linear", _linear_fwd, _linear_vjp)
