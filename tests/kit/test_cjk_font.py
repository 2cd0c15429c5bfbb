"""Chinese plots on a laptop without a system CJK font: the font comes through pip
(``noto-cjk-sans-otc``, in the ``plot`` and ``course`` extras) and ``coursekit.viz`` registers it
when a plotting helper looks for a Chinese font (``checks.setup("zh")``, the widgets).

Each case runs in a fresh interpreter with a fresh matplotlib cache (``MPLCONFIGDIR``) and every
font matplotlib found on the system hidden from it (its font list cut to the fonts it ships
itself, its system-font search emptied, fontconfig pointed at an empty configuration): what a
learner's laptop without CJK fonts gives matplotlib."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# hides the system's fonts from matplotlib, then draws a zh plot as a zh notebook does
_SCRIPT = r'''
import json, os, sys, warnings
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager as fm
mpl_data = os.path.realpath(matplotlib.get_data_path())
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist
                          if os.path.realpath(f.fname).startswith(mpl_data)]
fm.findSystemFonts = lambda *a, **k: []
fm.fontManager._findfont_cached.cache_clear()
from coursekit import viz
if not PACKAGED:
    viz.PACKAGED_FONTS = ()
import coursekit.checks
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    coursekit.checks.setup("zh")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 1, 0.5], label="学习率 η = 0.1")
    ax.set_title("梯度下降的损失曲线")
    ax.set_xlabel("迭代次数")
    ax.set_ylabel("损失（对数坐标）")
    ax.legend(title="优化器")
    fig.savefig(os.devnull, format="png")
    files = {t.get_text(): fm.findfont(t.get_fontproperties())
             for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_legend().get_texts()]}
print(json.dumps({"family": viz.cjk_font_family(), "packaged": viz.packaged_font_files(),
                  "files": files, "warnings": [str(w.message) for w in caught]}))
'''


def _zh_plot(tmp_path, packaged: bool) -> tuple[dict, str]:
    empty = tmp_path / "fonts.conf"
    empty.write_text("<?xml version='1.0'?><fontconfig></fontconfig>", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "CHAINRULE_LANG")}
    env.update(MPLCONFIGDIR=str(tmp_path / f"mpl-{packaged}"), FONTCONFIG_FILE=str(empty),
               PYTHONPATH=os.pathsep.join([str(REPO / "src")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])))
    proc = subprocess.run([sys.executable, "-c", f"PACKAGED = {packaged!r}\n" + textwrap.dedent(_SCRIPT)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def _glyph_warnings(got):
    return [w for w in got["warnings"] if "missing from" in w or "Glyph" in w]


@pytest.fixture(scope="module")
def packaged_font():
    pytest.importorskip("matplotlib")
    try:
        import noto_cjk_sans_otc  # noqa: F401
    except ImportError:
        pytest.skip("the font package noto-cjk-sans-otc is not installed (pip install -e '.[plot]'; "
                    "make lab and make test install it)")


def test_without_a_system_font_the_pip_font_draws_chinese(tmp_path, packaged_font):
    got, out = _zh_plot(tmp_path, packaged=True)
    assert got["family"] == "Noto Sans CJK SC", got
    assert len(got["packaged"]) == 1 and "noto_cjk_sans_otc" in got["packaged"][0]
    assert set(got["files"].values()) == set(got["packaged"]), got["files"]
    assert _glyph_warnings(got) == []
    # the environment cell names the font and where it came from
    assert out.startswith("环境正常") and "中文字体 Noto Sans CJK SC（pip: noto-cjk-sans-otc）" in out, out


def test_the_hidden_fonts_really_are_hidden(tmp_path, packaged_font):
    """The control: without the pip font the same plot draws boxes and matplotlib says so, and
    the environment cell says what to install."""
    got, out = _zh_plot(tmp_path, packaged=False)
    assert got["family"] is None
    assert _glyph_warnings(got), got["warnings"]
    assert "pip install noto-cjk-sans-otc" in out
