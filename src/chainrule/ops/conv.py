"""Convolution and pooling on (N, C, H, W) arrays, vectorised with im2col.

im2col copies every kh x kw window of the input into a column, so that the
convolution becomes one matrix product (BLAS does the heavy lifting). Its
adjoint, col2im, adds each column back onto the window it came from; windows
overlap, so that is a sum, done with one strided add per kernel offset
(kh * kw NumPy operations, never a Python loop over pixels).
"""
import numpy as np

from .registry import register


def pair(v):
    """An int or a pair of ints, as (v, v) or tuple(v)."""
    return (int(v), int(v)) if np.isscalar(v) else tuple(int(i) for i in v)


def out_size(size, k, stride, pad=0):
    return (size + 2 * pad - k) // stride + 1


def _offsets(kh, kw, sh, sw, ho, wo):
    """For each kernel offset (i, j), the strided slices of the input it touches."""
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(i, i + sh * (ho - 1) + 1, sh), slice(j, j + sw * (wo - 1) + 1, sw))


def im2col(xp, kh, kw, sh, sw):
    """xp (N, C, H, W) -> cols (N, C, kh, kw, Ho, Wo), a contiguous copy of every window."""
    n, c, h, w = xp.shape
    ho, wo = out_size(h, kh, sh), out_size(w, kw, sw)
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=xp.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo):
        cols[:, :, i, j] = xp[:, :, rows, columns]
    return cols


def col2im(cols, shape, sh, sw):
    """Adjoint of im2col: cols (N, C, kh, kw, Ho, Wo) summed back into an array of ``shape``."""
    _, _, kh, kw, ho, wo = cols.shape
    xp = np.zeros(shape, dtype=cols.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo):
        xp[:, :, rows, columns] += cols[:, :, i, j]
    return xp


def _pad(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x


def _conv2d_fwd(x, w, b=None, stride=1, padding=0):
    """x (N, C, H, W), w (F, C, kh, kw), b (F,) -> out (N, F, Ho, Wo),
    Ho = (H + 2 ph - kh) // sh + 1 (likewise Wo)."""
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    f, c, kh, kw = w.shape
    xp = _pad(x, ph, pw)
    cols = im2col(xp, kh, kw, sh, sw)
    n, _, _, _, ho, wo = cols.shape
    cols = cols.reshape(n, c * kh * kw, ho * wo)
    out = np.matmul(w.reshape(f, -1), cols)                # (N, F, Ho*Wo): already NCHW order
    if b is not None:
        out += b[:, None]
    return out.reshape(n, f, ho, wo), (cols, w, xp.shape, (sh, sw), (ph, pw))


def _conv2d_vjp(dout, cache, needs):
    cols, w, padded_shape, (sh, sw), (ph, pw) = cache
    f, c, kh, kw = w.shape
    n = dout.shape[0]
    g = dout.reshape(n, f, -1)                               # (N, F, Ho*Wo)
    dx = dw = db = None
    if needs[1]:
        # dw = sum over images of g_n @ cols_n^T; the batched product reads the transposed
        # view in place, where tensordot would first copy all the columns
        dw = np.matmul(g, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    if len(needs) > 2 and needs[2]:
        db = g.sum(axis=(0, 2))
    if needs[0]:
        dcols = np.matmul(w.reshape(f, -1).T, g)             # (N, CKK, Ho*Wo)
        dcols = dcols.reshape(n, c, kh, kw, *dout.shape[2:])
        dxp = col2im(dcols, padded_shape, sh, sw)
        dx = dxp[:, :, ph:padded_shape[2] - ph, pw:padded_shape[3] - pw]
    return dx, dw, db


conv2d = register("conv2d", _conv2d_fwd, _conv2d_vjp)


def _max_pool2d_fwd(x, kernel_size=2, stride=None):
    """x (N, C, H, W) -> out (N, C, Ho, Wo), the maximum of each window.

    Ties go to the first maximum in row-major order within the window (the
    strict ``>`` below), as PyTorch on the CPU does: all the gradient goes there.
    """
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(stride if stride is not None else kernel_size)
    ho, wo = out_size(x.shape[2], kh, sh), out_size(x.shape[3], kw, sw)
    out = idx = None
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo):
        v = x[:, :, rows, columns]
        if out is None:
            out, idx = v.copy(), np.zeros(v.shape, dtype=np.intp)
            continue
        better = (v > out) | np.isnan(v)     # a NaN wins, as in PyTorch (the last one in the window)
        np.copyto(out, v, where=better)
        idx[better] = i * kw + j
    return out, (idx, x.shape, x.dtype, (kh, kw), (sh, sw))


def _max_pool2d_vjp(dout, cache, needs):
    idx, shape, dtype, (kh, kw), (sh, sw) = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, *dout.shape[2:]):
        dx[:, :, rows, columns] += np.where(idx == i * kw + j, dout, 0)
    return (dx,)


max_pool2d = register("max_pool2d", _max_pool2d_fwd, _max_pool2d_vjp)


def _avg_pool2d_fwd(x, kernel_size=2, stride=None):
    """x (N, C, H, W) -> out (N, C, Ho, Wo), the mean of each window."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(stride if stride is not None else kernel_size)
    ho, wo = out_size(x.shape[2], kh, sh), out_size(x.shape[3], kw, sw)
    out = np.zeros((*x.shape[:2], ho, wo), dtype=x.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo):
        out += x[:, :, rows, columns]
    out /= kh * kw
    return out, (x.shape, (kh, kw), (sh, sw))


def _avg_pool2d_vjp(dout, cache, needs):
    shape, (kh, kw), (sh, sw) = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    share = dout / (kh * kw)                                 # each input of a window gets 1/k of it
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, *dout.shape[2:]):
        dx[:, :, rows, columns] += share
    return (dx,)


avg_pool2d = register("avg_pool2d", _avg_pool2d_fwd, _avg_pool2d_vjp)
