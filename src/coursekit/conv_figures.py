"""Pictures for the convolution chapter: a kernel window on an image, its output pixel, the
receptive field of stacked layers, and how pooling routes a gradient back.

Every function takes the labels it writes as arguments, so that a notebook in any language
passes its own words. matplotlib is imported lazily, inside the functions.
"""
from __future__ import annotations

import numpy as np


def _grid(ax, a, cmap="Greys", annotate=False, fmt="{:.1f}", vmin=None, vmax=None, fontsize=8):
    a = np.asarray(a, dtype=float)
    ax.imshow(a, cmap=cmap, vmin=vmin, vmax=vmax)
    h, w = a.shape
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if annotate:
        lo, hi = np.nanmin(a), np.nanmax(a)
        for i in range(h):
            for j in range(w):
                dark = hi > lo and (a[i, j] - lo) / (hi - lo) > 0.6
                ax.text(j, i, fmt.format(a[i, j]), ha="center", va="center", fontsize=fontsize,
                        color="white" if dark and cmap == "Greys" else "black")


def _box(ax, top, left, h, w, color, lw=2.5, fill=False, alpha=1.0):
    import matplotlib.patches as patches
    ax.add_patch(patches.Rectangle((left - 0.5, top - 0.5), w, h, fill=fill, edgecolor=color,
                                   facecolor=color if fill else "none", lw=lw, alpha=alpha))


def sliding_window(image, kernel, positions, titles, stride=1, colors=("tab:red", "tab:blue", "tab:green")):
    """Left: the image with the window of each output position; right: the output map with those
    pixels marked, joined by lines. image (H, W); kernel (kh, kw) array; positions [(i, j), ...];
    titles (left, right). Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import ConnectionPatch
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    h, w = image.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.array([[np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
                     for j in range(wo)] for i in range(ho)])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8.5, 4), gridspec_kw={"width_ratios": [w, wo]})
    _grid(a1, image)
    _grid(a2, out, cmap="coolwarm", vmin=-np.abs(out).max(), vmax=np.abs(out).max())
    for (i, j), color in zip(positions, colors):
        _box(a1, i * stride, j * stride, kh, kw, color)
        _box(a2, i, j, 1, 1, color)
        con = ConnectionPatch(xyA=(j * stride + kw - 0.5, i * stride + kh / 2 - 0.5), coordsA=a1.transData,
                              xyB=(j - 0.5, i), coordsB=a2.transData, color=color, lw=1.2, alpha=0.8)
        fig.add_artist(con)
    a1.set_title(titles[0])
    a2.set_title(titles[1])
    fig.tight_layout()
    return fig


def receptive_field(size, kernel, layers, pixel, titles, suptitle=None):
    """The input pixels that reach one output pixel after ``layers`` stacked kernel × kernel
    convolutions (stride 1, no padding). One panel per depth; titles may use {depth} and {field}.
    Returns the figure."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, layers, figsize=(3.2 * layers, 3.3))
    axes = np.atleast_1d(axes)
    for depth, ax in enumerate(axes, start=1):
        field = depth * (kernel - 1) + 1
        a = np.zeros((size, size))
        i, j = pixel
        a[i:i + field, j:j + field] = 1
        _grid(ax, a, cmap="Blues", vmin=0, vmax=1.6)
        _box(ax, i, j, field, field, "tab:blue")
        ax.set_title(titles[depth - 1].format(depth=depth, field=field))
    if suptitle:
        fig.suptitle(suptitle)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
    else:
        fig.tight_layout()
    return fig


def pool_routing(x, dout, dx, kernel, stride, titles, fmt="{:.1f}"):
    """Three panels: the input x with its windows (the max of each circled), the upstream gradient
    dout, and dx = where each gradient went. x (H, W), dout (Ho, Wo), dx (H, W). Returns the figure."""
    import matplotlib.pyplot as plt
    kh, kw = kernel
    ho, wo = dout.shape
    colors = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown"]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), gridspec_kw={"width_ratios": [x.shape[1], wo, x.shape[1]]})
    _grid(axes[0], x, cmap="Greys", annotate=True, fmt=fmt, vmin=x.min() - 0.5 * np.ptp(x), vmax=x.max())
    _grid(axes[1], dout, cmap="Oranges", annotate=True, fmt=fmt, vmin=0, vmax=1.8 * np.abs(dout).max())
    _grid(axes[2], dx, cmap="Oranges", annotate=True, fmt=fmt, vmin=0, vmax=1.8 * np.abs(dout).max())
    k = 0
    for i in range(ho):
        for j in range(wo):
            color = colors[k % len(colors)]
            k += 1
            _box(axes[0], i * stride, j * stride, kh, kw, color, lw=2)
            _box(axes[1], i, j, 1, 1, color, lw=2)
            window = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            p, q = np.unravel_index(np.argmax(window), window.shape)
            axes[0].add_patch(plt.Circle((j * stride + q, i * stride + p), 0.42, fill=False, color=color, lw=2))
    for ax, title in zip(axes, titles):
        ax.set_title(title)
    fig.tight_layout()
    return fig
