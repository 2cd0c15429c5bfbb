"""Plot helpers shared by the chapters (matplotlib is imported inside the functions only).

    style()                 the course's plot defaults (size, grid, fonts) — called by checks.setup
    use_chinese_font()      make matplotlib draw Chinese: finds a CJK font, puts it in the
                            sans-serif list, and turns off the Unicode minus sign
    cjk_font_family()       the CJK family matplotlib can use, or None (registers the pip font first)
    cjk_font_file()         the file that family is drawn from
    cjk_font_source()       the pip package it came from, or that file (the environment cell says it)
    register_packaged_fonts()  add the CJK font that pip installed (``noto-cjk-sans-otc``: Noto Sans
                            CJK, whose Simplified Chinese face is "Noto Sans CJK SC", SIL OFL) to
                            matplotlib, so Chinese renders on a laptop without a system CJK font
    draw_graph(t)           draw the computation graph of a Tensor (or a traced Graph), left to right
    PALETTE                 the course's named colours (matplotlib's tab10 hues), for plots that
                            should look alike across chapters
"""
from __future__ import annotations

# the colours the chapters' own plots use ("tab:blue", "tab:red", ...), by name, plus ink for curves
PALETTE = {
    "blue": "#1f77b4", "orange": "#ff7f0e", "green": "#2ca02c", "red": "#d62728",
    "purple": "#9467bd", "grey": "#7f7f7f", "ink": "#1a202c",
}

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Noto Sans CJK JP", "Noto Sans CJK TC",
    "Arial Unicode MS",
)


# pip-installed font packages (module, attribute holding the font file), tried in order; the
# `plot` and `course` extras bring the first. Its file is the very NotoSansCJK-Regular.ttc of
# Debian's fonts-noto-cjk, so a plot looks the same whichever of the two matplotlib picks.
PACKAGED_FONTS = (("noto-cjk-sans-otc", "noto_cjk_sans_otc", "FONT_PATH"),)   # (pip name, module, attribute)
_registered = []   # the packaged font files added to matplotlib's font manager in this process


def packaged_font_files():
    """The CJK font files of the installed font packages (``PACKAGED_FONTS``) that exist."""
    import importlib
    import os
    files = []
    for _, module, attr in PACKAGED_FONTS:
        try:
            path = os.fspath(getattr(importlib.import_module(module), attr))
        except (ImportError, AttributeError, TypeError):
            continue
        if os.path.isfile(path):
            files.append(path)
    return files


def register_packaged_fonts():
    """Add the pip-installed CJK font files to matplotlib's font manager (once per process; no
    cache file is written, nothing outside this process changes). Returns the files added so far.

    A collection (.ttc) adds each of its faces on matplotlib 3.10 and later; older versions see
    only its first face, "Noto Sans CJK JP", which :data:`CJK_FAMILIES` also accepts."""
    try:
        from matplotlib import font_manager as fm
    except ImportError:
        return []
    known = {str(f.fname) for f in fm.fontManager.ttflist}
    for path in packaged_font_files():
        if path in _registered:
            continue
        if path not in known:
            try:
                fm.fontManager.addfont(path)
            except Exception:   # an unreadable file: the system fonts, if any, still serve
                continue
        _registered.append(path)
    return list(_registered)


def _first_known_family(fm):
    known = {f.name for f in fm.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def cjk_font_family():
    """The first family of CJK_FAMILIES that matplotlib knows, or None.

    The pip-installed font (:func:`register_packaged_fonts`) is registered first. When a system
    CJK font is installed but matplotlib's font cache predates it, its files are added to the
    running font manager (no cache rebuild, no restart).
    """
    try:
        from matplotlib import font_manager as fm
    except ImportError:
        return None
    register_packaged_fonts()
    family = _first_known_family(fm)
    if family is not None:
        return family
    # installed after the cache was built? add the files we can find
    try:
        paths = [p for p in fm.findSystemFonts() if "cjk" in p.lower() or "wqy" in p.lower()
                 or "sourcehan" in p.lower().replace(" ", "")]
    except Exception:
        paths = []
    for path in sorted(paths):
        try:
            fm.fontManager.addfont(path)
        except Exception:
            continue
    return _first_known_family(fm)


def cjk_font_source(family=None):
    """Where the Chinese font comes from, for the environment cell: the pip package's name when
    matplotlib draws ``family`` from its file, else that file's path; None without a CJK font."""
    import os
    path = cjk_font_file(family)
    if path is None:
        return None
    for name, module, attr in PACKAGED_FONTS:
        try:
            import importlib
            if os.path.samefile(path, os.fspath(getattr(importlib.import_module(module), attr))):
                return f"pip: {name}"
        except (ImportError, AttributeError, TypeError, OSError):
            continue
    return path


def cjk_font_file(family=None):
    """The font file matplotlib draws ``family`` (default: :func:`cjk_font_family`) from, or None."""
    family = family or cjk_font_family()
    if family is None:
        return None
    from matplotlib import font_manager as fm
    try:
        return fm.findfont(fm.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return None


def use_chinese_font(first=True):
    """Configure matplotlib so that Chinese text renders; returns the CJK family or None.

    first=True puts the CJK font before DejaVu Sans (Chinese notebooks: one consistent
    typeface); first=False keeps DejaVu Sans for Latin text and falls back to the CJK
    font for Chinese characters. Either way ``axes.unicode_minus`` is False, so minus
    signs use the ASCII hyphen, which every font has.
    """
    try:
        import matplotlib as mpl
    except ImportError:
        return None
    family = cjk_font_family()
    sans = [f for f in mpl.rcParams["font.sans-serif"] if f not in CJK_FAMILIES]
    if family is not None:
        others = [f for f in sans if f != "DejaVu Sans"]
        sans = [family, "DejaVu Sans"] + others if first else ["DejaVu Sans", family] + others
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = sans
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def style():
    """The course's plot defaults: small figures, light grid, readable labels."""
    try:
        import matplotlib as mpl
    except ImportError:
        return False
    mpl.rcParams.update({
        "figure.figsize": (6.0, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "lines.linewidth": 1.8,
    })
    return True


# ---------------------------------------------------------------------- computation graphs
def _fmt_number(v):
    v = float(v)
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.2e}"


def _scalar_text(arr):
    """A one-element array as a short number, else None (big tensors show their shape only)."""
    if arr is None:
        return None
    try:
        import numpy as np
        arr = np.asarray(arr)
    except Exception:
        return None
    return _fmt_number(arr.reshape(-1)[0]) if arr.size == 1 else None


def graph_layout(graph):
    """Left-to-right layers of a :class:`chainrule.graph.Graph`: ``{node id: (x, y)}``.

    x is the length of the longest path from a source (the root last; an input or constant
    sits one layer left of its first consumer);
    within a layer, nodes are ordered by the mean height of the nodes feeding them.
    """
    parents = {n.id: [] for n in graph.nodes}
    for a, b in graph.edges:
        parents[b].append(a)
    layer = {}

    def depth(i):  # iterative longest-path depth (graphs may be deep)
        stack = [i]
        while stack:
            j = stack[-1]
            todo = [p for p in parents[j] if p not in layer]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            layer[j] = 1 + max((layer[p] for p in parents[j]), default=-1)
        return layer[i]

    for n in graph.nodes:
        depth(n.id)
    children = {n.id: [] for n in graph.nodes}
    for a, b in graph.edges:
        children[a].append(b)
    for n in graph.nodes:  # an input or constant sits just left of its first consumer, not far away
        if not parents[n.id] and children[n.id]:
            layer[n.id] = min(layer[c] for c in children[n.id]) - 1
    columns = {}
    for n in graph.nodes:  # trace order: root first, then parents; reversed reads inputs first
        columns.setdefault(layer[n.id], []).append(n.id)
    pos = {}
    for x in sorted(columns):
        ids = columns[x][::-1]
        if x > 0:
            ids.sort(key=lambda i: sum(pos[p][1] for p in parents[i]) / max(len(parents[i]), 1))
        k = len(ids)
        for r, i in enumerate(ids):
            pos[i] = (float(x), (k - 1) / 2.0 - r)
    return pos


def draw_graph(root, ax=None, values=False, grads=False, annotations=None, shapes=True, title=None):
    """Draw a computation graph left to right with matplotlib (no graphviz needed).

    root        : a Tensor (its graph is traced with ``chainrule.trace_graph``) or a traced Graph
    ax          : the Axes to draw on (default: a new figure sized to the graph)
    values      : write each scalar node's value under its label
    grads       : write each scalar node's ``.grad`` (leaves, and tensors that called ``retain_grad()``)
    annotations : ``{node id or label: text}``, extra lines under those nodes
    shapes      : write the shape of every non-scalar node
    title       : the Axes title

    Op nodes are blue ellipses, inputs that require grad green boxes, constants grey boxes.
    Each node is a patch with gid ``"node-<id>"``, each edge an arrow with gid ``"edge-<a>-<b>"``.
    Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    from chainrule.graph import Graph, trace
    graph = root if isinstance(root, Graph) else trace(root)
    pos = graph_layout(graph)
    n_layers = 1 + int(max((p[0] for p in pos.values()), default=0))
    height = max((sum(1 for p in pos.values() if p[0] == x) for x in range(n_layers)), default=1)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(14.0, max(4.0, 1.9 * n_layers)), min(10.0, max(2.2, 1.05 * height + 0.6))))
    sx, sy = 1.9, 1.05  # data units per layer / per row
    annotations = dict(annotations or {})
    styles = {"op": ("#dbe9f6", "#2b6cb0"), "leaf": ("#dcf2dc", "#2f855a"), "constant": ("#eeeeee", "#777777")}
    patches = {}
    for n in graph.nodes:
        x, y = pos[n.id][0] * sx, pos[n.id][1] * sy
        face, edge = styles.get(n.kind, styles["op"])
        if n.kind == "op":
            patch = Ellipse((x, y), 1.25, 0.78, facecolor=face, edgecolor=edge, lw=1.4, zorder=2)
        else:
            patch = FancyBboxPatch((x - 0.58, y - 0.34), 1.16, 0.68, boxstyle="round,pad=0.02,rounding_size=0.12",
                                   facecolor=face, edgecolor=edge, lw=1.4, zorder=2)
        patch.set_gid(f"node-{n.id}")
        ax.add_patch(patch)
        patches[n.id] = patch
        lines = [n.label if n.op is None or n.label == n.op else f"{n.label} = {n.op}"]
        if shapes and n.shape not in ((), (1,)):
            lines.append(str(tuple(n.shape)))
        tensor = graph.tensors.get(n.id)
        if values and tensor is not None:
            v = _scalar_text(tensor.data)
            if v is not None:
                lines.append(f"= {v}")
        if grads and tensor is not None:
            g = _scalar_text(getattr(tensor, "grad", None))
            if g is not None:
                lines.append(f"∂ {g}")
        extra = annotations.get(n.id, annotations.get(n.label))
        if extra:
            lines.append(str(extra))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8.5, zorder=3,
                color="#1a202c", linespacing=1.15)
    repeats = {}
    for a, b in graph.edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        k = repeats[(a, b)] = repeats.get((a, b), -1) + 1
        rad = 0.0
        if k:            # the same input used twice by one op (a * a): bend the second edge
            rad = 0.4 * ((k + 1) // 2) * (1 if k % 2 else -1)
        elif xb - xa > 1 and abs(yb - ya) < 0.5:   # a long edge along a row bows around the nodes between
            rad = -0.3
        arrow = FancyArrowPatch((xa * sx, ya * sy), (xb * sx, yb * sy), patchA=patches[a], patchB=patches[b],
                                arrowstyle="-|>", mutation_scale=11, lw=1.1, color="#4a5568", zorder=1,
                                shrinkA=1, shrinkB=1, connectionstyle=f"arc3,rad={rad}")
        arrow.set_gid(f"edge-{a}-{b}")
        ax.add_patch(arrow)
    xs = [p[0] * sx for p in pos.values()] or [0.0]
    ys = [p[1] * sy for p in pos.values()] or [0.0]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
