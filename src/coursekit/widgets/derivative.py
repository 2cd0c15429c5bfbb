"""Chapter 1: the derivative as the slope of a secant, with a step slider, and a static fallback.

    secant_slope(f, x, h, method)        the forward or central difference quotient
    secant_figure(f, df, x, h)           the static figure: the curve, the secant(s) and the tangent on the
                                         left; the error of the slope against the step (log-log) on the right
    derivative_explorer(f, df, x)        an ipywidgets box: a logarithmic step slider and a forward/central
                                         switch redraw the figure and print slope, derivative and error;
                                         without ipywidgets it returns the static figure of a few steps

The defaults are chapter 1's example: J(w) = w² at w = 3, where J'(3) = 6.
"""
from __future__ import annotations

import math

import numpy as np

from ._common import (COLORS, demo_box, import_ipywidgets, lang_of, new_figure, no_widgets, png, static,
                      use_fonts)
from ..viz import PALETTE

__all__ = ["secant_slope", "secant_figure", "derivative_explorer"]

METHODS = ("forward", "central")

_LABELS = {
    "en": {
        "forward": "forward difference", "central": "central difference",
        "h": "step ε", "method": "difference",
        "curve": "{f}({x})", "tangent": "tangent: slope {f}′({x0:g}) = {d:.6g}",
        "secant": "secant, ε = {h:.0e}: slope {k:.10g}",
        "left": "Secant through {x} = {x0:g} and {x} {pm} ε",
        "right": "Error of the slope, {method}",
        "err_x": "step ε (log scale)", "err_y": "|slope − {f}′({x0:g})| (log scale)",
        "err_curve": "error", "now": "ε = {h:.0e}",
        "status": ("ε = {h:.1e}, {method}: secant slope <b>{k:.12g}</b>, derivative {f}′({x0:g}) = {d:.12g}, "
                   "error <b>{err:.1e}</b> (relative {rel:.1e})"),
    },
    "zh": {
        "forward": "前向差分", "central": "中心差分",
        "h": "步长 ε", "method": "差分",
        "curve": "{f}({x})", "tangent": "切线：斜率 {f}′({x0:g}) = {d:.6g}",
        "secant": "割线，ε = {h:.0e}：斜率 {k:.10g}",
        "left": "过 {x} = {x0:g} 与 {x} {pm} ε 的割线",
        "right": "斜率的误差（{method}）",
        "err_x": "步长 ε（对数坐标）", "err_y": "|斜率 − {f}′({x0:g})|（对数坐标）",
        "err_curve": "误差", "now": "ε = {h:.0e}",
        "status": ("ε = {h:.1e}，{method}：割线斜率 <b>{k:.12g}</b>，导数 {f}′({x0:g}) = {d:.12g}，"
                   "误差 <b>{err:.1e}</b>（相对误差 {rel:.1e}）"),
    },
}

_FLOOR = 1e-17  # an error of exactly 0 has no logarithm


def _label(key, lang, **fields):
    return _LABELS[lang_of(lang, _LABELS)][key].format(**fields)


def _square(w):
    return w * w


def _two_w(w):
    return 2 * w


def secant_slope(f, x, h, method="forward"):
    """(f(x + h) − f(x)) / h ("forward") or (f(x + h) − f(x − h)) / (2h) ("central"), in float64."""
    x, h = float(x), float(h)
    if method == "forward":
        return (f(x + h) - f(x)) / h
    if method == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    raise ValueError(f"unknown method {method!r}; choose 'forward' or 'central'")


def _errors(f, df, x, hs, method):
    exact = float(df(x))
    return np.maximum(np.array([abs(secant_slope(f, x, h, method) - exact) for h in hs]), _FLOOR)


def _draw(fig, f, df, x, hs, method, lang, names, window):
    """Both panels on ``fig``; returns (left Axes, right Axes)."""
    fname, xname = names
    ax, ax_err = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
    d = float(df(x))
    lo, hi = x - window, x + window
    xs = np.linspace(lo, hi, 200)
    ys = np.array([f(v) for v in xs])
    ax.plot(xs, ys, color=COLORS["curve"], lw=2, label=_label("curve", lang, f=fname, x=xname))
    ax.plot(xs, f(x) + d * (xs - x), color=COLORS["tangent"], lw=1.5,
            label=_label("tangent", lang, f=fname, x0=x, d=d))
    shades = [COLORS["secant"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"]]
    for h, color in zip(hs, shades * len(hs)):
        k = secant_slope(f, x, h, method)
        left = x - h if method == "central" else x
        ax.plot(xs, f(left) + k * (xs - left), "--", color=color, lw=1.5,
                label=_label("secant", lang, h=h, k=k))
        ax.plot([left, x + h], [f(left), f(x + h)], "o", color=color, ms=5)
    ax.plot([x], [f(x)], "o", color=COLORS["curve"], ms=6)
    span = float(ys.max() - ys.min()) or 1.0
    ax.set_xlim(lo, hi)
    ax.set_ylim(ys.min() - 0.15 * span, ys.max() + 0.1 * span)
    ax.set_xlabel(xname)
    ax.set_ylabel(f"{fname}({xname})")
    ax.set_title(_label("left", lang, x=xname, x0=x, pm="±" if method == "central" else "+"), fontsize=10)
    ax.legend(loc="upper left", fontsize=7.5)

    grid = np.logspace(-16, 0, 161)
    ax_err.loglog(grid, _errors(f, df, x, grid, method), color=COLORS["error"], lw=1.5,
                  label=_label("err_curve", lang))
    for h, color in zip(hs, shades * len(hs)):
        ax_err.plot([h], _errors(f, df, x, [h], method), "o", ms=8, color=color, mec="black",
                    label=_label("now", lang, h=h))
    ax_err.set_ylim(_FLOOR / 2, 10.0)
    ax_err.set_xlabel(_label("err_x", lang))
    ax_err.set_ylabel(_label("err_y", lang, f=fname, x0=x))
    ax_err.set_title(_label("right", lang, method=_label(method, lang)), fontsize=10)
    ax_err.legend(loc="lower left", fontsize=7.5)
    return ax, ax_err


def secant_figure(f=None, df=None, x=3.0, h=(1.0, 1e-3, 1e-12), method="forward", names=("J", "w"),
                  window=2.5, lang=None):
    """The static figure: one secant per step in ``h`` next to the tangent, and the error of the slope.

    f, df  : the function and its exact derivative (default: J(w) = w², J'(w) = 2w)
    x      : where the derivative is taken
    h      : one step or a few; each gets a dashed secant (left) and a marker on the error curve (right)
    method : "forward" (secant through x and x + h) or "central" (through x − h and x + h)
    names  : (function name, variable name) for the labels
    Returns the Figure (two Axes: the curve and the error, log-log, of the slope against the step).
    """
    if f is None:
        f, df = _square, _two_w
    import matplotlib.pyplot as plt
    hs = [float(v) for v in np.atleast_1d(h)]
    use_fonts(lang_of(lang, _LABELS))
    fig = plt.figure(figsize=(10.5, 3.9))
    _draw(fig, f, df, float(x), hs, method, lang, names, window)
    fig.tight_layout()
    return fig


def _status(f, df, x, h, method, lang, names):
    k, d = secant_slope(f, x, h, method), float(df(x))
    err = abs(k - d)
    return _label("status", lang, h=h, method=_label(method, lang), k=k, f=names[0], x0=x, d=d, err=err,
                  rel=err / max(abs(d), 1e-300))


def derivative_explorer(f=None, df=None, x=3.0, h=0.5, method="forward", h_range=(1e-16, 1.0),
                        names=("J", "w"), window=2.5, lang=None, static_h=(1.0, 1e-3, 1e-12)):
    """An interactive secant: a logarithmic ε slider and a forward/central switch redraw it.

    f, df   : the function and its exact derivative (default chapter 1's J(w) = w², J'(w) = 2w)
    x       : where the derivative is taken (default 3)
    h       : the starting step ε; the slider spans ``h_range`` on a log scale
    Returns an ``ipywidgets.VBox`` whose ``controls`` are ``{"h": FloatLogSlider, "method":
    ToggleButtons, "image": Image, "status": HTML}`` (the status line prints slope, derivative and
    error), and ``redraw()`` draws again. Without ipywidgets it prints a note and returns
    :func:`secant_figure` for the steps ``static_h`` (a closed Figure, shown once).
    """
    if f is None:
        f, df = _square, _two_w
    x = float(x)
    widgets = import_ipywidgets()
    if widgets is None:
        no_widgets(lang)
        return static(secant_figure(f, df, x, static_h, method, names, window, lang))
    lo, hi = (math.log10(v) for v in h_range)
    slider = widgets.FloatLogSlider(value=h, base=10, min=lo, max=hi, step=0.25, readout_format=".1e",
                                    description=_label("h", lang), continuous_update=True,
                                    style={"description_width": "initial"}, layout=widgets.Layout(width="420px"))
    switch = widgets.ToggleButtons(options=[(_label(m, lang), m) for m in METHODS], value=method,
                                   description=_label("method", lang), style={"description_width": "initial"})
    image = widgets.Image(format="png")
    status = widgets.HTML()

    def redraw(*_):
        fig = new_figure((10.5, 3.9), lang_of(lang, _LABELS))
        _draw(fig, f, df, x, [slider.value], switch.value, lang, names, window)
        fig.subplots_adjust(left=0.065, right=0.99, bottom=0.14, top=0.92, wspace=0.28)  # tight_layout costs a draw
        image.value = png(fig)
        status.value = _status(f, df, x, slider.value, switch.value, lang, names)

    for w in (slider, switch):
        w.observe(redraw, names="value")
    return demo_box(widgets, [widgets.HBox([slider, switch]), image, status], image,
                    {"h": slider, "method": switch, "image": image, "status": status}, redraw)
