"""What the demos share: the course language, label tables, Chinese fonts, PNG frames, and the box that
carries a static picture of itself.

matplotlib and ipywidgets are imported inside the functions only.
"""
from __future__ import annotations

import base64
import io

from ..viz import PALETTE

# one colour per role, the same in every chapter's demo
COLORS = {
    "curve": PALETTE["ink"], "tangent": PALETTE["blue"], "secant": PALETTE["red"], "error": PALETTE["red"],
    "current": PALETTE["orange"], "forward": PALETTE["blue"], "backward": PALETTE["red"],
    "sigmoid": PALETTE["blue"], "tanh": PALETTE["orange"], "relu": PALETTE["green"],
}

NO_WIDGETS = {
    "en": ("ipywidgets is not installed, so here is the static figure instead "
           "(pip install 'ipywidgets>=8' for the controls)."),
    "zh": "没有安装 ipywidgets，下面改为显示静态图（pip install 'ipywidgets>=8' 之后才有控件）。",
}


def lang_of(lang, labels):
    """``lang``, or the course language (``coursekit.checks.set_language``); "en" if ``labels`` lack it."""
    if lang is None:
        from ..checks.core import get_language
        lang = get_language()
    return lang if lang in labels else "en"


def use_fonts(lang):
    """In Chinese, make sure matplotlib can draw the labels: the CJK font set-up of ``coursekit.viz``
    (what ``checks.setup("zh")`` does), unless a CJK family is configured already."""
    if lang != "zh":
        return
    import matplotlib as mpl

    from .. import viz
    if not any(f in viz.CJK_FAMILIES for f in mpl.rcParams["font.sans-serif"]):
        viz.use_chinese_font(first=True)


def new_figure(figsize, lang):
    """A Figure outside pyplot (a frame is never shown twice by the inline backend)."""
    from matplotlib.figure import Figure
    use_fonts(lang)
    return Figure(figsize=figsize, dpi=96)


def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def static(fig):
    """A pyplot-free, closed figure for the static fallback: as a cell's last expression it is shown once."""
    import matplotlib.pyplot as plt
    plt.close(fig)
    return fig


def no_widgets(lang):
    print(NO_WIDGETS[lang_of(lang, NO_WIDGETS)])


def import_ipywidgets():
    """The ipywidgets module, or None when it is not installed."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


_BOX_CLASS = None


def demo_box(widgets, children, image, controls, redraw):
    """An ``ipywidgets.VBox`` of ``children`` that also offers its current frame as a PNG.

    JupyterLab renders the widget; where widgets cannot render (an exported HTML page, a notebook
    viewer: no widget state saved) the same output shows the ``image/png`` of the last frame, so the
    reader still sees a plot. ``box.controls`` and ``box.redraw`` are what tests and notebooks use.
    """
    global _BOX_CLASS
    if _BOX_CLASS is None:
        class DemoBox(widgets.VBox):
            def _repr_mimebundle_(self, **kwargs):
                data = super()._repr_mimebundle_(**kwargs)
                frame = bytes(self._frame.value) if getattr(self, "_frame", None) is not None else b""
                if data is not None and frame:
                    data = dict(data)
                    data["image/png"] = base64.b64encode(frame).decode("ascii")
                return data
        _BOX_CLASS = DemoBox
    box = _BOX_CLASS(children)
    box._frame = image
    box.controls = controls
    box.redraw = redraw
    redraw()
    return box
