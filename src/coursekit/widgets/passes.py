"""Chapter 2: the forward pass, then the backward pass, one node at a time on the drawn computation graph.

    worked_example()        chapter 2's J = ½(wx + b − y)², as named chainrule Tensors (w = 2, x = −1.5,
                            b = 0.5, y = 1)
    pass_steps(root)        the graph and its steps: step 0 shows the inputs; then each operation's value in topological
                            order (forward); then each gradient ∂root/∂node in the order ``backward()``
                            computes it (reverse topological order), with its local × upstream products
    pass_figure(root, ...)  the static figure: the graph at a few steps, one panel each
    pass_stepper(root)      an ipywidgets box: a step slider (and a Play button) redraws the graph

The values and gradients are the library's own: ``pass_steps`` runs ``root.backward()`` with a hook on
every tensor, so the order is the order in which chainrule's walker visits the nodes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._common import (COLORS, demo_box, import_ipywidgets, lang_of, new_figure, no_widgets, png, static,
                      use_fonts)

__all__ = ["worked_example", "pass_steps", "pass_figure", "pass_stepper", "Step"]

_LABELS = {
    "en": {
        "start": "Step 0 of {n}: the inputs are given",
        "forward": "Forward pass, step {k} of {n}: {name} = {value}",
        "backward": "Backward pass, step {k} of {n}: ∂{root}/∂{name} = {value}",
        "start_text": "The inputs and constants are known; no operation has run yet. Move the slider.",
        "forward_text": "<b>{name}</b> = {op}({args}) = {op}({operands}) = <b>{value}</b>",
        "seed_text": ("<b>∂{root}/∂{root} = 1</b>: the backward pass starts at the output and walks the "
                      "edges backwards"),
        "backward_text": "<b>∂{root}/∂{name}</b> = {terms} = <b>{value}</b> (local gradient × upstream gradient)",
        "term": "∂{consumer}/∂{name} · ∂{root}/∂{consumer}",
        "step": "step", "play": "play",
        "suptitle": "Forward, then backward, on the graph of {root}",
    },
    "zh": {
        "start": "第 0 步（共 {n} 步）：输入已给定",
        "forward": "前向传播，第 {k} 步（共 {n} 步）：{name} = {value}",
        "backward": "反向计算，第 {k} 步（共 {n} 步）：∂{root}/∂{name} = {value}",
        "start_text": "输入和常量都已知，还没有任何运算执行。拖动滑块。",
        "forward_text": "<b>{name}</b> = {op}({args}) = {op}({operands}) = <b>{value}</b>",
        "seed_text": "<b>∂{root}/∂{root} = 1</b>：反向计算从输出出发，逆着有向边往回走",
        "backward_text": "<b>∂{root}/∂{name}</b> = {terms} = <b>{value}</b>（局部梯度 × 上游梯度）",
        "term": "∂{consumer}/∂{name} · ∂{root}/∂{consumer}",
        "step": "步", "play": "播放",
        "suptitle": "{root} 的计算图：先前向，再反向",
    },
}


def _label(key, lang, **fields):
    return _LABELS[lang_of(lang, _LABELS)][key].format(**fields)


def _num(v):
    v = float(np.asarray(v).reshape(-1)[0])
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.2e}"


def _paren(text):
    return f"({text})" if text.startswith("-") else text


@dataclass
class Step:
    """One step: ``phase`` "start", "forward" or "backward"; ``node`` the graph node id (None at step 0);
    ``values`` / ``grads`` what is known after this step, ``{node id: number}``; ``detail`` the fields
    of the explanation (operands, or the local × upstream terms)."""
    phase: str
    node: int | None
    values: dict
    grads: dict
    detail: dict = field(default_factory=dict)


def worked_example(w=2.0, x=-1.5, b=0.5, y=1.0):
    """Chapter 2's J = ½(wx + b − y)², node by node, as named chainrule Tensors: returns J."""
    from chainrule import Tensor
    w = Tensor(w, requires_grad=True, name="w")
    b = Tensor(b, requires_grad=True, name="b")
    x, y = Tensor(x, name="x"), Tensor(y, name="y")
    u = w * x
    u.name = "u"
    v = u + b
    v.name = "v"
    e = v - y
    e.name = "e"
    J = 0.5 * e ** 2
    J.name = "J"
    return J


def _forward_order(graph):
    """Node ids, each after everything it is computed from (depth-first post-order from the root)."""
    parents = {n.id: [] for n in graph.nodes}
    for a, b in graph.edges:
        parents[b].append(a)
    order, done, stack = [], set(), [(graph.nodes[0].id, False)]
    while stack:
        i, finished = stack.pop()
        if finished:
            order.append(i)
            continue
        if i in done:
            continue
        done.add(i)
        stack.append((i, True))
        stack.extend((p, False) for p in reversed(parents[i]) if p not in done)
    return order, parents


def pass_steps(root):
    """The traced graph of ``root`` (a scalar graph) and its steps: ``(graph, [Step, ...])``, the forward
    steps first, then the backward ones.

    Runs ``root.backward()`` (so the leaves' ``.grad`` are filled, as after any backward); ``root``
    must not have been through ``backward()`` yet, since its graph still holds the saved values.
    """
    from chainrule.graph import local_gradients, trace
    graph = trace(root)
    if any(t.data.size != 1 for t in graph.tensors.values()):
        raise ValueError("pass_steps draws scalar graphs: every tensor must hold one number")
    if root.is_leaf:
        raise ValueError("root is a leaf: there is nothing to step through")
    order, parents = _forward_order(graph)
    # local gradients ∂node/∂parent from each op's own backward, before backward() frees what it saved
    local = local_gradients(graph)
    arrived, handles = [], []
    for i, t in graph.tensors.items():
        if t.requires_grad:
            handles.append(t.register_hook(lambda g, i=i: arrived.append((i, float(np.asarray(g).sum())))))
    try:
        root.backward(retain_graph=True)
    finally:
        for h in handles:
            h.remove()

    value = {i: float(t.data.reshape(-1)[0]) for i, t in graph.tensors.items()}
    known = {i: value[i] for i in order if graph.tensors[i].is_leaf}
    steps = [Step("start", None, dict(known), {})]
    for i in order:
        if i in known:
            continue
        known[i] = value[i]
        steps.append(Step("forward", i, dict(known), {}, {"parents": parents[i]}))
    grads = {}
    consumers = {}
    for a, b in graph.edges:
        consumers.setdefault(a, []).append(b)
    for i, g in arrived:
        grads[i] = g
        terms = [(c, local[(i, c)], grads[c]) for c in dict.fromkeys(consumers.get(i, [])) if (i, c) in local]
        steps.append(Step("backward", i, dict(known), dict(grads), {"terms": terms}))
    return graph, steps


def _names(graph):
    return {n.id: n.label for n in graph.nodes}


def _text(steps, k, graph, lang):
    """The title and the explanation (HTML) of step ``k``."""
    s, n = steps[k], len(steps) - 1
    names = _names(graph)
    root = names[graph.nodes[0].id]
    if s.phase == "start":
        return _label("start", lang, n=n), _label("start_text", lang)
    name = names[s.node]
    if s.phase == "forward":
        node = next(m for m in graph.nodes if m.id == s.node)
        args = ", ".join(names[p] for p in s.detail["parents"])
        operands = ", ".join(_num(s.values[p]) for p in s.detail["parents"])
        return (_label("forward", lang, k=k, n=n, name=name, value=_num(s.values[s.node])),
                _label("forward_text", lang, name=name, op=node.op, args=args, operands=operands,
                       value=_num(s.values[s.node])))
    value = _num(s.grads[s.node])
    title = _label("backward", lang, k=k, n=n, root=root, name=name, value=value)
    if not s.detail["terms"]:
        return title, _label("seed_text", lang, root=root)
    terms = s.detail["terms"]
    symbolic = " + ".join(_label("term", lang, consumer=names[c], name=name, root=root) for c, _, _ in terms)
    numbers = " + ".join(f"{_num(lg)} × {_paren(_num(up))}" for _, lg, up in terms)
    return title, _label("backward_text", lang, root=root, name=name, terms=f"{symbolic} = {numbers}", value=value)


def _draw(ax, graph, steps, k, lang, title=True):
    from ..viz import draw_graph
    s = steps[k]
    notes = {}
    for i in {n.id for n in graph.nodes}:
        lines = []
        if i in s.values:
            lines.append(f"= {_num(s.values[i])}")
        if i in s.grads:
            lines.append(f"∂ {_num(s.grads[i])}")
        notes[i] = "\n".join(lines) or "?"
    draw_graph(graph, ax=ax, annotations=notes, shapes=False, title=_text(steps, k, graph, lang)[0] if title else None)
    if s.node is None:
        return ax
    color = COLORS["forward"] if s.phase == "forward" else COLORS["backward"]
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid == f"node-{s.node}":
            patch.set_edgecolor(COLORS["current"])
            patch.set_linewidth(3.2)
        elif gid.startswith("edge-"):
            a, b = (int(v) for v in gid.split("-")[1:])
            lit = (b == s.node) if s.phase == "forward" else (a == s.node and b in s.grads)
            if lit:
                patch.set_color(color)
                patch.set_linewidth(2.4)
    return ax


def pass_figure(root=None, at=None, lang=None):
    """The static figure: the graph of ``root`` (default :func:`worked_example`) at the steps ``at``.

    at: step numbers, one panel each, stacked (default: the start, the end of the forward pass, the
    middle and the end of the backward pass). Returns the Figure.
    """
    import matplotlib.pyplot as plt
    root = worked_example() if root is None else root
    graph, steps = pass_steps(root)
    if at is None:
        n_fwd = sum(s.phase != "backward" for s in steps) - 1
        n = len(steps) - 1
        at = (0, n_fwd, (n_fwd + n + 1) // 2, n)
    at = list(at)
    use_fonts(lang_of(lang, _LABELS))
    fig, axes = plt.subplots(len(at), 1, figsize=(10, 2.9 * len(at)), squeeze=False)
    for ax, k in zip(axes[:, 0], at):
        _draw(ax, graph, steps, k, lang)
    fig.suptitle(_label("suptitle", lang, root=_names(graph)[graph.nodes[0].id]), fontsize=12)
    fig.tight_layout()
    return fig


def pass_stepper(root=None, step=0, lang=None, interval=1500, static_at=None):
    """Step through the forward and then the backward pass of ``root`` on its drawn graph.

    root : a scalar chainrule Tensor whose graph has not been through backward() (default:
           :func:`worked_example`, chapter 2's J = ½(wx + b − y)²)
    step : the starting step (0: only the inputs are known)
    At step k the graph shows the values of the first k operations (forward, left to right), then the
    gradients ∂root/∂node in the order backward() computes them; the current node is outlined and the
    edges it uses are coloured; the status line writes the computation out (local × upstream).
    Returns an ``ipywidgets.VBox`` whose ``controls`` are ``{"step": IntSlider, "play": Play, "image":
    Image, "status": HTML}``, and ``redraw()`` draws again. Without ipywidgets it prints a note and
    returns :func:`pass_figure` (a closed Figure, shown once).
    """
    root = worked_example() if root is None else root
    widgets = import_ipywidgets()
    if widgets is None:
        no_widgets(lang)
        return static(pass_figure(root, static_at, lang))
    graph, steps = pass_steps(root)
    n = len(steps) - 1
    slider = widgets.IntSlider(value=step, min=0, max=n, step=1, description=_label("step", lang),
                               continuous_update=True, layout=widgets.Layout(width="420px"))
    play = widgets.Play(value=step, min=0, max=n, step=1, interval=interval, description=_label("play", lang))
    widgets.jslink((play, "value"), (slider, "value"))
    image = widgets.Image(format="png")
    status = widgets.HTML()

    def redraw(*_):
        k = slider.value
        fig = new_figure((10, 3.4), lang_of(lang, _LABELS))
        _draw(fig.add_subplot(), graph, steps, k, lang)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.9)   # tight_layout costs a draw
        image.value = png(fig)
        status.value = _text(steps, k, graph, lang)[1]

    slider.observe(redraw, names="value")
    return demo_box(widgets, [widgets.HBox([play, slider]), image, status], image,
                    {"step": slider, "play": play, "image": image, "status": status}, redraw)
