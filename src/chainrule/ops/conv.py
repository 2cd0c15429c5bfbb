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


def pads(padding):
    """Padding as (top, bottom, left, right): from p, (ph, pw) or the four sides."""
    p = (int(padding),) * 2 if np.isscalar(padding) else tuple(int(i) for i in padding)
    return p if len(p) == 4 else (p[0], p[0], p[1], p[1])


def out_size(size, k, stride, pad=0, dilation=1):
    """Output length along one axis; ``pad`` is the total added (both sides)."""
    return (size + pad - dilation * (k - 1) - 1) // stride + 1


def _offsets(kh, kw, sh, sw, ho, wo, dh=1, dw=1):
    """For each kernel offset (i, j), the strided slices of the (padded) input it touches."""
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(i * dh, i * dh + sh * (ho - 1) + 1, sh), slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def _pad(x, p, value=0):
    """x (N, C, H, W) with rows and columns of ``value`` added: p = (top, bottom, left, right)."""
    if not any(p):
        return x
    t, b, l, r = p
    n, c, h, w = x.shape
    xp = np.full((n, c, h + t + b, w + l + r), value, dtype=x.dtype)
    xp[:, :, t:t + h, l:l + w] = x
    return xp


def _crop(xp, p):
    t, b, l, r = p
    return xp[:, :, t:xp.shape[2] - b, l:xp.shape[3] - r] if any(p) else xp


def im2col(xp, kh, kw, sh, sw, dh=1, dw=1):
    """xp (N, C, H, W) -> cols (C, kh, kw, N, Ho, Wo), a contiguous copy of every window.

    Channels and kernel offsets first, images and pixels last, so that the convolution is
    one matrix product (F, C kh kw) @ (C kh kw, N Ho Wo): one large BLAS call rather than
    one per image."""
    n, c, h, w = xp.shape
    ho, wo = out_size(h, kh, sh, 0, dh), out_size(w, kw, sw, 0, dw)
    cols = np.empty((c, kh, kw, n, ho, wo), dtype=xp.dtype)
    channels_first = xp.transpose(1, 0, 2, 3)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo, dh, dw):
        cols[:, i, j] = channels_first[:, :, rows, columns]
    return cols


def col2im(cols, shape, sh, sw, dh=1, dw=1):
    """Adjoint of im2col: cols (C, kh, kw, N, Ho, Wo) summed back into an (N, C, H, W) array
    of ``shape`` (returned as a channels-first view)."""
    c, kh, kw, n, ho, wo = cols.shape
    xp = np.zeros((shape[1], shape[0], shape[2], shape[3]), dtype=cols.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo, dh, dw):
        xp[:, :, rows, columns] += cols[:, i, j]
    return xp.transpose(1, 0, 2, 3)


def _conv2d_fwd(x, w, b=None, stride=1, padding=0, dilation=1):
    """x (N, C, H, W), w (F, C, kh, kw), b (F,) -> out (N, F, Ho, Wo),
    Ho = (H + pad_top + pad_bottom - dilation (kh - 1) - 1) // stride + 1 (likewise Wo)."""
    (sh, sw), (dh, dw), p = pair(stride), pair(dilation), pads(padding)
    f, c, kh, kw = w.shape
    xp = _pad(x, p)
    cols = im2col(xp, kh, kw, sh, sw, dh, dw)
    _, _, _, n, ho, wo = cols.shape
    out = w.reshape(f, -1) @ cols.reshape(c * kh * kw, -1)        # (F, N Ho Wo)
    if b is not None:
        out += b[:, None]
    out = out.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)          # a view in (N, F, Ho, Wo) order
    return out, (cols, w, xp.shape, (sh, sw), (dh, dw), p)


def _conv2d_vjp(dout, cache, needs):
    cols, w, padded_shape, (sh, sw), (dh, dw), p = cache
    f, c, kh, kw = w.shape
    g = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(f, -1)   # (F, N Ho Wo)
    dx = dweight = dbias = None
    if needs[1]:
        dweight = (g @ cols.reshape(c * kh * kw, -1).T).reshape(w.shape)   # sum over every window
    if len(needs) > 2 and needs[2]:
        dbias = g.sum(axis=1)
    if needs[0] and (sh, sw) == (1, 1):
        dx = _crop(_conv2d_input_grad_stride1(dout, w, padded_shape, dh, dw), p)
    elif needs[0]:
        dcols = (w.reshape(f, -1).T @ g).reshape(cols.shape)               # (C, kh, kw, N, Ho, Wo)
        dx = _crop(col2im(dcols, padded_shape, sh, sw, dh, dw), p)
    return dx, dweight, dbias


def _conv2d_input_grad_stride1(dout, w, padded_shape, dh, dw):
    """col2im for stride 1, done on the padded grid: the same sums, but each of the kh * kw
    adds is one long contiguous slice instead of N * C * Ho short rows (1.5x faster).

    Flatten the padded input per channel; output pixel q (placed at its window's top-left
    corner, q = n Hp Wp + y Wp + x) then reads input q + i dh Wp + j dw for kernel offset
    (i, j). So dx_flat[:, q + offset] += (W_ij^T dout)[:, q] for every offset, with dout
    zero on the grid positions that are not output pixels."""
    n, c, hp, wp = padded_shape
    f, _, kh, kw = w.shape
    ho, wo = dout.shape[2:]
    grid = np.zeros((f, n, hp, wp), dtype=dout.dtype)
    grid[:, :, :ho, :wo] = dout.transpose(1, 0, 2, 3)
    length = n * hp * wp - ((kh - 1) * dh * wp + (kw - 1) * dw)             # so every shift stays inside
    dcols = (w.reshape(f, -1).T @ grid.reshape(f, -1)[:, :length]).reshape(c, kh, kw, length)
    dx_flat = np.zeros((c, n * hp * wp), dtype=dout.dtype)
    for i in range(kh):
        for j in range(kw):
            offset = i * dh * wp + j * dw
            dx_flat[:, offset:offset + length] += dcols[:, i, j]
    return dx_flat.reshape(c, n, hp, wp).transpose(1, 0, 2, 3)


conv2d = register("conv2d", _conv2d_fwd, _conv2d_vjp)


def _max_pool2d_fwd(x, kernel_size=2, stride=None, padding=0):
    """x (N, C, H, W) -> out (N, C, Ho, Wo), the maximum of each window; padding adds -inf.

    Ties go to the first maximum in row-major order within the window (the strict ``>``
    below) and a NaN wins over any number (the last NaN of the window), as PyTorch on
    the CPU does: all the gradient goes there.
    """
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(stride if stride is not None else kernel_size)
    p = pads(padding)
    xp = _pad(x, p, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
    ho, wo = out_size(xp.shape[2], kh, sh), out_size(xp.shape[3], kw, sw)
    out = idx = None
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo):
        v = xp[:, :, rows, columns]
        if out is None:
            out, idx = v.copy(), np.zeros(v.shape, dtype=np.intp)
            continue
        better = (v > out) | np.isnan(v)
        np.copyto(out, v, where=better)
        idx[better] = i * kw + j
    return out, (idx, xp.shape, (kh, kw), (sh, sw), p)


def _max_pool2d_vjp(dout, cache, needs):
    idx, shape, (kh, kw), (sh, sw), p = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, *dout.shape[2:]):
        dx[:, :, rows, columns] += np.where(idx == i * kw + j, dout, 0)
    return (_crop(dx, p),)


max_pool2d = register("max_pool2d", _max_pool2d_fwd, _max_pool2d_vjp)


def _avg_pool2d_fwd(x, kernel_size=2, stride=None, padding=0):
    """x (N, C, H, W) -> out (N, C, Ho, Wo), the mean of each window; padding adds zeros,
    which count in the mean (PyTorch's default count_include_pad=True)."""
    (kh, kw) = pair(kernel_size)
    (sh, sw) = pair(stride if stride is not None else kernel_size)
    p = pads(padding)
    xp = _pad(x, p)
    ho, wo = out_size(xp.shape[2], kh, sh), out_size(xp.shape[3], kw, sw)
    out = np.zeros((*x.shape[:2], ho, wo), dtype=x.dtype)
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, ho, wo):
        out += xp[:, :, rows, columns]
    out /= kh * kw
    return out, (xp.shape, (kh, kw), (sh, sw), p)


def _avg_pool2d_vjp(dout, cache, needs):
    shape, (kh, kw), (sh, sw), p = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    share = dout / (kh * kw)                                 # each input of a window gets 1/k of it
    for i, j, (rows, columns) in _offsets(kh, kw, sh, sw, *dout.shape[2:]):
        dx[:, :, rows, columns] += share
    return (_crop(dx, p),)


avg_pool2d = register("avg_pool2d", _avg_pool2d_fwd, _avg_pool2d_vjp)
