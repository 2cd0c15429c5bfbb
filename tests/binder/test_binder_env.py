"""The Binder environment, built without Docker from binder/ as repo2docker would (the fixture
``binder_env`` in tests/conftest.py, built once per session by ``binder_env.py``).

Every course and solution notebook is executed in that environment by the course suite
(``tests/course``, fixture ``executed``, checked by ``test_notebook_executes``): once, not twice.
Here: what else a learner on Binder relies on: the package installed by postBuild, the zh-CN
JupyterLab language pack, Chinese plot labels drawn with the font that pip installed from the lock,
and an image without grading or test tools.
Set ``CHAINRULE_BINDER_ENV=0`` to skip (offline); the notebooks then run in the test environment."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from lab_server import running_lab

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "binder"
CJK_FAMILY = "Noto Sans CJK SC"   # a face of noto-cjk-sans-otc's NotoSansCJK-Regular.ttc

pytestmark = pytest.mark.binder


@pytest.fixture(scope="module")
def binder(binder_env):
    if binder_env is None:
        pytest.skip("CHAINRULE_BINDER_ENV=0: no Binder environment built")
    return binder_env


def _python(binder, code: str, timeout=300) -> dict:
    """Run ``code`` with the Binder environment's interpreter, in its repository folder, with its
    environment variables only; the code prints one JSON object as its last line."""
    proc = subprocess.run([str(binder["python"]), "-c", textwrap.dedent(code)], cwd=binder["repo"],
                          env=binder["env"], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_postbuild_installed_the_package(binder):
    """postBuild installs chainrule itself (non-editable, into the environment), so notebooks
    import it from there, never from a path in the repository."""
    got = _python(binder, """
        import json, chainrule
        print(json.dumps({"file": chainrule.__file__, "version": chainrule.__version__}))
    """)
    assert Path(got["file"]).is_relative_to(binder["venv"]), got
    r = subprocess.run([str(binder["python"]), "-m", "pip", "check"], env=binder["env"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"pip check in the Binder environment:\n{r.stdout}{r.stderr}"


def test_the_lock_is_complete(binder):
    """The Binder environment is built by pip *with* dependency resolution from the lock: had the
    lock missed a dependency, pip would have added it. Every distribution there is in the lock
    (besides pip, the venv's own setuptools and chainrule), which is what lets `make lab` install
    the lock with --no-deps."""
    from packaging.utils import canonicalize_name
    lock = {canonicalize_name(line.split("==")[0].strip())
            for line in (REPO / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith((" ", "#"))}
    got = _python(binder, """
        import json
        from importlib.metadata import distributions
        print(json.dumps(sorted({d.metadata["Name"] for d in distributions()})))
    """)
    installed = {canonicalize_name(n) for n in got} - {"pip", "setuptools", "chainrule"}
    assert installed - lock == set(), f"installed but not in binder/requirements.txt (make lock): {installed - lock}"


def test_jupyterlab_offers_chinese(binder):
    """The zh-CN language pack from binder/requirements.txt: JupyterLab lists 中文 among its
    languages (Settings → Language), as README says."""
    reqs = (REPO / "binder" / "requirements.txt").read_text(encoding="utf-8").lower()
    assert "jupyterlab-language-pack-zh-cn" in reqs
    packs = _python(binder, """
        import json
        from jupyterlab_server.translation_utils import get_language_packs
        print(json.dumps(get_language_packs("en")[0]))
    """)
    assert "zh_CN" in packs, f"JupyterLab's languages: {sorted(packs)}"
    assert "中文" in packs["zh_CN"]["nativeName"]


def test_binders_file_browser_shows_the_course_only(binder, tmp_path):
    """BinderHub starts JupyterLab in the repository folder and names no root folder (binderhub's
    BinderSpawner passes only ip, port, base URL, token and default URL): the server configuration
    that postBuild writes makes course/ the root, as `make lab` does, so solutions/ and the grader
    are out of the learner's file browser and out of reach of the contents API."""
    with running_lab(str(binder["python"]), binder["repo"], tmp_path / "lab", binder["env"],
                     root_flag=False) as lab:
        listed = {item["name"] for item in lab.json("/api/contents")["content"]}
        assert listed == {p.name for p in (REPO / "course").iterdir() if not p.name.startswith(".")}, listed
        assert (binder["repo"] / "solutions").is_dir()   # in the image, but not served
        for path in ("..%2Fsolutions", "..%2Fgrader", "solutions"):
            assert lab.get(f"/api/contents/{path}")[0] in (400, 403, 404), path
        assert lab.json("/api/contents/en")["type"] == "directory"
        assert lab.get("/lab")[0] == 200   # the badge's urlpath


def test_the_image_holds_no_grading_or_test_tools(binder):
    """The learner's image: nbgrader, Dask, jupytext, Playwright, pytest are not installed, and
    postBuild put the learner's JupyterLab defaults (no news prompt) in the environment's
    etc/jupyter/labconfig."""
    got = _python(binder, """
        import importlib.util, json, sys
        from pathlib import Path
        names = ["nbgrader", "distributed", "jupytext", "playwright", "pytest", "psycopg", "hypothesis"]
        overrides = Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "default_setting_overrides.json"
        print(json.dumps({"present": [n for n in names if importlib.util.find_spec(n) is not None],
                          "overrides": json.loads(overrides.read_text()) if overrides.exists() else None}))
    """)
    assert got["present"] == [], got
    assert got["overrides"] == json.loads(
        (REPO / "binder" / "jupyter" / "labconfig" / "default_setting_overrides.json").read_text())


def test_chinese_plot_labels_render(binder):
    """A plot with Chinese title, axis labels and legend, set up as a zh notebook does
    (``coursekit.checks.setup("zh")`` → ``viz.use_chinese_font``): every text is drawn with Noto
    Sans CJK SC, from the font package of the lock (or the identical file of a system
    fonts-noto-cjk, where the machine has one), and matplotlib warns of no missing glyph. The PNG
    is saved in test-artifacts/binder/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / "zh-plot.png"
    got = _python(binder, f"""
        import json, warnings
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import font_manager as fm
        import numpy as np
        from coursekit import viz

        family = viz.use_chinese_font(first=True)
        cjk_file = fm.findfont({CJK_FAMILY!r}, fallback_to_default=False)
        viz.style()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, ax = plt.subplots(figsize=(6, 3.6))
            t = np.arange(50)
            for lr in (0.01, 0.1):
                ax.plot(t, np.exp(-lr * t), label=f"学习率 η = {{lr}}")
            ax.set_title("梯度下降的损失曲线")
            ax.set_xlabel("迭代次数")
            ax.set_ylabel("损失（对数坐标）")
            ax.set_yscale("log")
            ax.legend(title="优化器：梯度下降")
            fig.savefig({str(png)!r}, dpi=100, bbox_inches="tight")
            texts = [ax.title, ax.xaxis.label, ax.yaxis.label, ax.get_legend().get_title(),
                     *ax.get_legend().get_texts()]
            drawn = {{t.get_text(): fm.findfont(t.get_fontproperties()) for t in texts}}
        print(json.dumps({{"cjk_file": cjk_file, "family": family, "drawn": drawn,
                          "packaged": viz.packaged_font_files(),
                          "warnings": [str(w.message) for w in caught]}}))
    """)
    print(f"\nChinese plot: {png} (family {got['family']}, {got['cjk_file']})")
    assert got["family"] == CJK_FAMILY, got
    assert len(got["packaged"]) == 1 and "noto_cjk_sans_otc" in got["packaged"][0], got
    assert Path(got["cjk_file"]).name == Path(got["packaged"][0]).name, got
    wrong = {text: path for text, path in got["drawn"].items() if path != got["cjk_file"]}
    assert not wrong, f"Chinese text drawn without {CJK_FAMILY}: {wrong}"
    glyphs = [w for w in got["warnings"] if "missing from" in w or "Glyph" in w]
    assert not glyphs, glyphs
    assert png.stat().st_size > 10_000
