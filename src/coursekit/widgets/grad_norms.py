"""Chapter 7: depth, activation and initialisation against the gradient norm of each layer.

    layer_grad_norms(activation, depth, init)  ‖∂L/∂W_l‖ of every Linear layer of an MLP, one forward and
                                               one backward pass of chainrule on a fixed batch of digits
    grad_norm_panels(depth)                    the static figure: one panel per initialisation, one line per
                                               activation
    grad_norm_explorer()                       an ipywidgets box: activation and initialisation menus and a
                                               depth slider redraw the per-layer norms (log scale)

The network is chapter 7's: ``depth`` Linear layers, 64 inputs -> (depth - 1) hidden layers of ``width``
units, each followed by the activation -> 10 class scores, cross-entropy on the first ``batch`` training
digits. The same seed builds the same weights every time; the global generator of
``chainrule.nn.init`` is left as it was.
"""
from __future__ import annotations

import math

import numpy as np

from ._common import (COLORS, demo_box, import_ipywidgets, lang_of, new_figure, no_widgets, png, static,
                      use_fonts)

__all__ = ["ACTIVATIONS", "INITS", "layer_grad_norms", "grad_norm_panels", "grad_norm_explorer"]

ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}   # key -> chainrule.nn class
INITS = ("default", "xavier", "he")

_LABELS = {
    "en": {
        "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
        "default": "default (nn.Linear)", "xavier": "Xavier (normal)", "he": "He (normal)",
        "activation": "activation", "init": "initialisation", "depth": "layers",
        "x": "layer (1 = next to the input)", "y": "‖∂L/∂W‖ (log scale)",
        "title": "Gradient norm per layer: {act}, {depth} layers, {init}",
        "panel": "{init}", "suptitle": "Gradient norm per layer, {depth} layers of {width}",
        "status": ("{act}, {depth} layers, {init}: the first layer gets <b>{ratio:.1e}</b> times the gradient "
                   "norm of the last ({first:.1e} against {last:.1e})"),
    },
    "zh": {
        "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
        "default": "默认（nn.Linear）", "xavier": "Xavier（正态）", "he": "He（正态）",
        "activation": "激活函数", "init": "初始化", "depth": "层数",
        "x": "层（1 = 紧挨输入的一层）", "y": "‖∂L/∂W‖（对数坐标）",
        "title": "逐层梯度范数：{act}，{depth} 层，{init}",
        "panel": "{init}", "suptitle": "逐层梯度范数：{depth} 层，每层 {width} 个单元",
        "status": ("{act}，{depth} 层，{init}：第一层的梯度范数是最后一层的 <b>{ratio:.1e}</b> 倍"
                   "（{first:.1e} 对 {last:.1e}）"),
    },
}

_DATA = {}


def _label(key, lang, **fields):
    return _LABELS[lang_of(lang, _LABELS)][key].format(**fields)


def _batch(batch):
    if batch not in _DATA:
        from ..datasets import load_digits
        x, y, _, _ = load_digits()
        _DATA[batch] = (x[:batch].astype(np.float32), y[:batch])
    return _DATA[batch]


def _mlp(activation, depth, width, init, seed):
    from chainrule import nn
    from chainrule.nn import init as nn_init
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    # seeded through the library's own generator, whose state is put back after: the caller's stream
    # of initial weights goes on as if this network had never been built
    generator = nn_init.default_generator()
    saved = generator.bit_generator.state
    generator.bit_generator.state = np.random.default_rng(seed).bit_generator.state
    try:
        layers, d = [], 64
        for _ in range(depth - 1):
            linear = nn.Linear(d, width)
            if init == "xavier":
                nn_init.xavier_normal_(linear.weight)
                nn_init.zeros_(linear.bias)
            elif init == "he":
                nn_init.kaiming_normal_(linear.weight, nonlinearity="relu")
                nn_init.zeros_(linear.bias)
            layers += [linear, getattr(nn, ACTIVATIONS[activation])()]
            d = width
        layers.append(nn.Linear(d, 10))
    finally:
        generator.bit_generator.state = saved
    return nn.Sequential(*layers)


def layer_grad_norms(activation="sigmoid", depth=15, init="default", width=64, batch=128, seed=0):
    """‖∂L/∂W_l‖ for l = 1 .. depth (input side first), after one backward pass of chainrule.

    activation: "sigmoid", "tanh" or "relu"; init: "default" (nn.Linear's U(±1/√fan_in)), "xavier"
    (xavier_normal_, zero biases) or "he" (kaiming_normal_ for ReLU, zero biases). Returns an array
    of ``depth`` norms.
    """
    from chainrule import functional as F
    from chainrule.monitor import grad_norm
    from chainrule import Tensor
    depth = int(depth)
    if depth < 1:
        raise ValueError("depth must be at least 1")
    model = _mlp(activation, depth, width, init, seed)
    x, y = _batch(batch)
    F.cross_entropy(model(Tensor(x)), y).backward()
    return np.array([grad_norm(p.grad) for name, p in model.named_parameters()
                     if name.endswith("weight") and p.ndim == 2])


def _plot(ax, norms, activation, lang, highlight=True):
    layers = np.arange(1, len(norms) + 1)
    ax.semilogy(layers, np.maximum(norms, 1e-30), "o-", ms=3.5 if highlight else 2.5,
                lw=2.2 if highlight else 1.2, alpha=1.0 if highlight else 0.35,
                color=COLORS[activation], label=_label(activation, lang))


def _axes(ax, depth, lang):
    ax.set_xlabel(_label("x", lang))
    ax.set_ylabel(_label("y", lang))
    ax.set_xlim(0.5, depth + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)


def grad_norm_panels(depth=15, inits=INITS, width=64, batch=128, lang=None):
    """The static figure: one panel per initialisation in ``inits``, one line per activation, log y."""
    import matplotlib.pyplot as plt
    use_fonts(lang_of(lang, _LABELS))
    inits = list(inits)
    fig, axes = plt.subplots(1, len(inits), figsize=(4.2 * len(inits), 3.6), sharey=True, squeeze=False)
    for ax, init in zip(axes[0], inits):
        for act in ACTIVATIONS:
            _plot(ax, layer_grad_norms(act, depth, init, width, batch), act, lang)
        _axes(ax, depth, lang)
        ax.set_title(_label("panel", lang, init=_label(init, lang)), fontsize=10)
        ax.legend(fontsize=8)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    fig.suptitle(_label("suptitle", lang, depth=depth, width=width), fontsize=11)
    fig.tight_layout()
    return fig


def _frame(activation, depth, init, width, batch, lang):
    """One explorer frame: the chosen activation bold, the other two faint; returns (png, norms)."""
    norms = {act: layer_grad_norms(act, depth, init, width, batch) for act in ACTIVATIONS}
    fig = new_figure((7.2, 3.8), lang_of(lang, _LABELS))
    ax = fig.add_subplot()
    for act in ACTIVATIONS:
        if act != activation:
            _plot(ax, norms[act], act, lang, highlight=False)
    _plot(ax, norms[activation], activation, lang)
    _axes(ax, depth, lang)
    ax.set_title(_label("title", lang, act=_label(activation, lang), depth=depth, init=_label(init, lang)),
                 fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.14, top=0.91)   # tight_layout costs a draw
    return png(fig), norms[activation]


def grad_norm_explorer(activation="sigmoid", depth=15, init="default", width=64, batch=128, depth_range=(2, 30),
                       lang=None, static_inits=INITS):
    """Per-layer gradient norms of an MLP: an activation menu, an initialisation menu and a depth slider.

    Each redraw builds the network with chainrule.nn (same seed), runs one forward and one backward pass
    on the first ``batch`` digits and plots ‖∂L/∂W_l‖ per layer on a log scale: the chosen activation
    bold, the other two faint for comparison. Returns an ``ipywidgets.VBox`` whose ``controls`` are
    ``{"activation": Dropdown, "init": Dropdown, "depth": IntSlider, "image": Image, "status": HTML}``,
    and ``redraw()`` draws again. Without ipywidgets it prints a note and returns
    :func:`grad_norm_panels` (a closed Figure, shown once).
    """
    widgets = import_ipywidgets()
    if widgets is None:
        no_widgets(lang)
        return static(grad_norm_panels(depth, static_inits, width, batch, lang))
    style = {"description_width": "initial"}
    act_menu = widgets.Dropdown(options=[(_label(a, lang), a) for a in ACTIVATIONS], value=activation,
                                description=_label("activation", lang), style=style)
    init_menu = widgets.Dropdown(options=[(_label(i, lang), i) for i in INITS], value=init,
                                 description=_label("init", lang), style=style)
    depth_slider = widgets.IntSlider(value=depth, min=depth_range[0], max=depth_range[1], step=1,
                                     description=_label("depth", lang), continuous_update=False, style=style)
    image = widgets.Image(format="png")
    status = widgets.HTML()

    def redraw(*_):
        png_bytes, norms = _frame(act_menu.value, depth_slider.value, init_menu.value, width, batch, lang)
        image.value = png_bytes
        first, last = float(norms[0]), float(norms[-1])
        status.value = _label("status", lang, act=_label(act_menu.value, lang), depth=depth_slider.value,
                              init=_label(init_menu.value, lang), ratio=first / last if last else math.inf,
                              first=first, last=last)

    for w in (act_menu, init_menu, depth_slider):
        w.observe(redraw, names="value")
    return demo_box(widgets, [widgets.HBox([act_menu, init_menu, depth_slider]), image, status], image,
                    {"activation": act_menu, "init": init_menu, "depth": depth_slider, "image": image,
                     "status": status}, redraw)
