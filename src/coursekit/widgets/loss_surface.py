"""Chapter 4: optimizers on a 2-D loss surface, interactive, with a static fallback.

matplotlib and ipywidgets are imported inside the functions only, so ``import chainrule``
never needs them.

    bowl(a=1, b=25)                      the quadratic bowl f(x, y) = ½(a·x² + b·y²), a :class:`Surface`
    trajectory(surface, optimizer, lr)   the points a ``chainrule.optim`` optimizer visits on it
    plot_trajectories(surface, paths)    contour lines and one line per trajectory, on one Axes
    learning_rate_panels(surface, lrs)   the static figure: one panel per learning rate, side by side
    loss_surface_explorer(surface)       an ipywidgets box: a learning-rate slider and an optimizer
                                         menu redraw the trajectory on the contour plot; without
                                         ipywidgets it returns the static figure instead

The trajectories come from the library's own optimizers (``chainrule.optim.SGD``, with or without
momentum, and ``chainrule.optim.Adam``), fed the exact gradient of the surface at each step.
Labels follow the course language (``coursekit.checks.set_language``) unless ``lang`` is given.
"""
from __future__ import annotations

import io
import math

import numpy as np

from ._common import demo_box

__all__ = ["Surface", "bowl", "OPTIMIZERS", "trajectory", "plot_trajectories", "learning_rate_panels",
           "loss_surface_explorer"]

# optimizer key -> (chainrule.optim class name, settings); "sgd" on a surface is plain gradient descent
OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "adam": ("Adam", {}),
}

_LABELS = {
    "en": {
        "sgd": "gradient descent", "momentum": "momentum (μ = 0.9)", "adam": "Adam",
        "lr": "learning rate η", "optimizer": "optimizer", "steps": "steps",
        "panel": "η = {lr:g}", "diverged": "diverged", "final": "f = {f:.2g} after {n} steps",
        "diverged_after": "diverges: f > {k:g} × f(start) after {n} steps",
        "status": "{opt}, η = {lr:.4g}: after {n} steps at ({x:.3g}, {y:.3g}), f = {f:.3g}",
        "suptitle": "{opt}: {surface}", "frame": "{opt}, {panel}",
        "no_widgets": ("ipywidgets is not installed, so here is the static figure instead "
                       "(pip install 'ipywidgets>=8' for the slider)."),
    },
    "zh": {
        "sgd": "梯度下降", "momentum": "动量（μ = 0.9）", "adam": "Adam",
        "lr": "学习率 η", "optimizer": "优化器", "steps": "步数",
        "panel": "η = {lr:g}", "diverged": "发散", "final": "{n} 步后 f = {f:.2g}",
        "diverged_after": "发散：{n} 步后 f > {k:g} × f（起点）",
        "status": "{opt}，η = {lr:.4g}：{n} 步后位于 ({x:.3g}, {y:.3g})，f = {f:.3g}",
        "suptitle": "{opt}：{surface}", "frame": "{opt}，{panel}",
        "no_widgets": "没有安装 ipywidgets，下面改为显示静态图（pip install 'ipywidgets>=8' 之后才有滑块）。",
    },
}

_DIVERGED = 100.0  # a trajectory stops once f exceeds 100 × its starting value: it diverges


def _lang(lang):
    if lang is None:
        from ..checks.core import get_language
        lang = get_language()
    return lang if lang in _LABELS else "en"


def _label(key, lang, **fields):
    return _LABELS[_lang(lang)][key].format(**fields)


class Surface:
    """A loss surface of two parameters: values and gradients, vectorised over NumPy arrays.

    f(x, y)    the loss (x, y arrays of one shape, or numbers)
    grad(x, y) its gradient, as a pair (∂f/∂x, ∂f/∂y)
    minimum    the point (x, y) of the minimum, for the plots
    xlim, ylim the region the plots show
    name       a short title (mathtext)
    """

    def __init__(self, f, grad, minimum, xlim, ylim, name=""):
        self.f, self.grad = f, grad
        self.minimum = tuple(float(v) for v in minimum)
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.name = name

    def __repr__(self):
        return f"Surface({self.name!r}, xlim={self.xlim}, ylim={self.ylim})"


def bowl(a=1.0, b=25.0, xlim=(-5.5, 2.5), ylim=(-2.2, 2.2)):
    """The quadratic bowl f(x, y) = ½(a·x² + b·y²), minimum at (0, 0).

    Its curvatures are a along x and b along y; with b ≫ a the bowl is ill-conditioned (a long,
    narrow valley): gradient descent is stable only for η < 2/b but then crawls along x.
    """
    a, b = float(a), float(b)
    return Surface(lambda x, y: 0.5 * (a * np.square(x) + b * np.square(y)),
                   lambda x, y: (a * np.asarray(x, dtype=float), b * np.asarray(y, dtype=float)),
                   (0.0, 0.0), xlim, ylim, name=rf"$f(x, y) = \frac{{1}}{{2}}({a:g}x^2 + {b:g}y^2)$")


def _make_optimizer(param, optimizer, lr, settings):
    from chainrule import optim
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    cls, defaults = OPTIMIZERS[optimizer]
    return getattr(optim, cls)([param], lr=lr, **{**defaults, **settings})


def trajectory(surface, optimizer="sgd", lr=0.01, start=(-5.0, 1.5), steps=50, **settings):
    """The points visited by ``steps`` updates of a ``chainrule.optim`` optimizer on ``surface``.

    optimizer: "sgd" (plain gradient descent), "momentum" (SGD with momentum 0.9) or "adam";
    settings : passed on to the optimizer (e.g. ``momentum=0.5``, ``betas=(0.9, 0.99)``).
    Returns an array (k + 1, 2): the start, then the point after each update. It stops early
    (k < steps) once the loss exceeds 100 times its starting value or stops being finite: the
    run diverges.
    """
    from chainrule import Tensor
    p = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = _make_optimizer(p, optimizer, lr, settings)
    points = [p.data.copy()]
    for _ in range(int(steps)):
        gx, gy = surface.grad(p.data[0], p.data[1])
        p.grad = np.array([gx, gy], dtype=np.float64)
        opt.step()
        points.append(p.data.copy())
        if _diverges(surface, points[0], points[-1]):
            break
    return np.array(points)


def _diverges(surface, start, point):
    """Has the loss at ``point`` left any sensible plot: not finite, or 100 × its value at ``start``?"""
    value = surface.f(point[0], point[1])
    return not np.isfinite(value) or value > _DIVERGED * max(float(surface.f(start[0], start[1])), 1e-12)


def _contours(ax, surface, levels=12):
    x = np.linspace(*surface.xlim, 200)
    y = np.linspace(*surface.ylim, 160)
    X, Y = np.meshgrid(x, y)
    Z = surface.f(X, Y)
    top = float(Z.max())
    # levels spaced evenly in sqrt(f): the narrow valley keeps its shape in the picture
    ax.contour(X, Y, Z, levels=np.linspace(0, math.sqrt(top), levels + 1)[1:] ** 2, colors="0.7", linewidths=0.8)
    ax.scatter(*surface.minimum, marker="*", s=120, color="black", zorder=4)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def plot_trajectories(surface, paths, ax=None, title=None, lang=None):
    """Contour lines of ``surface`` and one line per trajectory, on one Axes.

    paths: ``{label: array (k, 2)}`` (e.g. from :func:`trajectory`), drawn in order. A trajectory
    that diverged gets "(diverged)" after its label. The start point is a hollow circle.
    Returns the Axes; ``ax.lines`` holds exactly one line per trajectory.
    """
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4.2))
    _contours(ax, surface)
    for label, path in paths.items():
        path = np.asarray(path, dtype=float)
        if _diverges(surface, path[0], path[-1]):
            label = f"{label} ({_label('diverged', lang)})"
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1.3, label=label, zorder=3)
    if paths:
        first = np.asarray(next(iter(paths.values())), dtype=float)
        ax.scatter(first[0, 0], first[0, 1], s=60, facecolors="none", edgecolors="black", zorder=4)
        ax.legend(loc="lower right")
    ax.set_title(surface.name if title is None else title)
    return ax


def _panel(ax, surface, path, lr, lang):
    _contours(ax, surface)
    ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1.3, color="C3", zorder=3)
    ax.scatter(path[0, 0], path[0, 1], s=60, facecolors="none", edgecolors="black", zorder=4)
    n = len(path) - 1
    if _diverges(surface, path[0], path[-1]):
        note = _label("diverged_after", lang, n=n, k=_DIVERGED)
    else:
        note = _label("final", lang, n=n, f=float(surface.f(path[-1, 0], path[-1, 1])))
    ax.set_title(_label("panel", lang, lr=lr) + "\n" + note, fontsize=10)


def learning_rate_panels(surface=None, lrs=(0.005, 0.03, 0.07, 0.09), optimizer="sgd", start=(-5.0, 1.5),
                         steps=40, lang=None, **settings):
    """The static figure: the same optimizer, one panel per learning rate, side by side.

    Readable without widgets (exported HTML, a PDF, a slow machine). Each panel shows the contour
    lines, the trajectory from ``start`` and, in its title, η and where the run ended (the loss
    after ``steps`` steps, or when it diverged). Returns the Figure; each Axes holds one line.
    """
    import matplotlib.pyplot as plt
    surface = bowl() if surface is None else surface
    lrs = list(lrs)
    fig, axes = plt.subplots(1, len(lrs), figsize=(3.3 * len(lrs), 3.2), sharey=True, squeeze=False)
    for ax, lr in zip(axes[0], lrs):
        _panel(ax, surface, trajectory(surface, optimizer, lr, start, steps, **settings), lr, lang)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    fig.suptitle(_label("suptitle", lang, opt=_label(optimizer, lang), surface=surface.name), fontsize=11)
    fig.tight_layout()
    return fig


def _png(surface, optimizer, lr, start, steps, lang, settings):
    """One explorer frame as PNG bytes, drawn on a Figure outside pyplot (never auto-displayed)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.4, 3.9), dpi=96)
    ax = fig.add_subplot()
    path = trajectory(surface, optimizer, lr, start, steps, **settings)
    _panel(ax, surface, path, lr, lang)
    ax.set_title(_label("frame", lang, opt=_label(optimizer, lang), panel=ax.get_title()), fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue(), path


def loss_surface_explorer(surface=None, optimizer="sgd", lr=0.03, start=(-5.0, 1.5), steps=40,
                          lr_range=(1e-3, 1.0), lang=None, static_lrs=(0.005, 0.03, 0.07, 0.09)):
    """An interactive trajectory: a learning-rate slider and an optimizer menu redraw it.

    surface   : the loss surface (default: :func:`bowl`, ½(x² + 25y²))
    optimizer : the starting choice, "sgd", "momentum" or "adam"
    lr        : the starting learning rate; the slider is logarithmic over ``lr_range``
    steps     : updates per trajectory (a slider too)
    Returns an ``ipywidgets.VBox`` (display it, or leave it as a cell's last expression; where widgets
    cannot render, the output shows the current frame as a picture). Its
    attribute ``controls`` is ``{"optimizer": Dropdown, "lr": FloatLogSlider, "steps": IntSlider,
    "image": Image, "status": HTML}``, and ``redraw()`` draws the current choice again.
    Without ipywidgets it prints a note and returns :func:`learning_rate_panels` of ``static_lrs``
    (a closed Figure: as a cell's last expression it is shown once).
    """
    surface = bowl() if surface is None else surface
    try:
        import ipywidgets as widgets
    except ImportError:
        import matplotlib.pyplot as plt
        print(_label("no_widgets", lang))
        fig = learning_rate_panels(surface, static_lrs, optimizer, start, steps, lang=lang)
        plt.close(fig)
        return fig
    lo, hi = (math.log10(v) for v in lr_range)
    menu = widgets.Dropdown(options=[(_label(k, lang), k) for k in OPTIMIZERS], value=optimizer,
                            description=_label("optimizer", lang), style={"description_width": "initial"})
    slider = widgets.FloatLogSlider(value=lr, base=10, min=lo, max=hi, step=0.02, readout_format=".4f",
                                    description=_label("lr", lang), continuous_update=False,
                                    style={"description_width": "initial"},
                                    layout=widgets.Layout(width="420px"))
    steps_slider = widgets.IntSlider(value=steps, min=5, max=200, step=5, description=_label("steps", lang),
                                     continuous_update=False)
    image = widgets.Image(format="png")
    status = widgets.HTML()

    def redraw(*_):
        png, path = _png(surface, menu.value, slider.value, start, steps_slider.value, lang, {})
        image.value = png
        status.value = _label("status", lang, opt=_label(menu.value, lang), lr=slider.value, n=len(path) - 1,
                              x=path[-1, 0], y=path[-1, 1], f=float(surface.f(path[-1, 0], path[-1, 1])))

    for w in (menu, slider, steps_slider):
        w.observe(redraw, names="value")
    return demo_box(widgets, [widgets.HBox([menu, slider]), steps_slider, image, status], image,
                    {"optimizer": menu, "lr": slider, "steps": steps_slider, "image": image, "status": status},
                    redraw)
