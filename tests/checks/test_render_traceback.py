"""A failing check in a notebook shows its message, not a traceback through the checks
(``CheckFailed._render_traceback_``, :mod:`coursekit.checks.display`); where the learner's own code
raised, that traceback is shown above the message, from the learner's cell on.

A small notebook is executed by nbclient in a real IPython kernel, and the ``traceback`` list of
each error output (what JupyterLab draws) is read."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MACHINERY = ("checks/core.py", "checks/learner.py", "coursekit/drivers.py", "checks/ch01.py", "Traceback")

CELLS = {
    "setup": 'import coursekit\ncoursekit.setup("{lang}", check_env=False)\nfrom coursekit.checks import ch01',
    # a wrong formula: the check's own finding, nothing of the learner's raised
    "wrong": ("def central_difference(f, x, h):\n    return (f(x + h) - f(x)) / h\n\n"
              "ch01.check_central_difference(central_difference)"),
    # the learner's code raises, two frames deep in their cell
    "raises": ("def helper(h):\n    return 1 / (h - h)\n\n"
               "def central_difference(f, x, h):\n    return helper(h)\n\n"
               "ch01.check_central_difference(central_difference)"),
}


def _run(tmp_path, lang):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELLS["setup"].format(lang=lang)),
                nbformat.v4.new_code_cell(CELLS["wrong"]), nbformat.v4.new_code_cell(CELLS["raises"])]
    env_path = os.pathsep.join([str(REPO / "src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env_path   # the kernel imports this checkout's chainrule
    try:
        client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                                         resources={"metadata": {"path": str(tmp_path)}})
        client.execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    errors = []
    for cell in nb.cells[1:]:
        outs = [o for o in cell.outputs if o.output_type == "error"]
        assert len(outs) == 1, cell.outputs
        errors.append(outs[0])
    return errors


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failing_check_shows_its_message_and_only_the_learners_traceback(tmp_path, lang):
    if not os.access(sys.executable, os.X_OK):
        pytest.skip("no interpreter for a kernel")
    wrong, raises = _run(tmp_path, lang)

    assert wrong.ename == "CheckFailed"
    text = ANSI.sub("", "\n".join(wrong.traceback))
    header = "✗ central_difference: case 1 of" if lang == "en" else "✗ central_difference：第 1 个用例"
    assert text.startswith(header), text
    assert ("forward difference" if lang == "en" else "前向差分") in text, text
    assert not [m for m in MACHINERY if m in text], text
    assert len(wrong.traceback) <= 8, text       # the message, not ten lines of our frames

    text = ANSI.sub("", "\n".join(raises.traceback))
    # the learner's traceback first: their two frames, the exception, then the check's message
    assert "ZeroDivisionError" in text and "return helper(h)" in text and "return 1 / (h - h)" in text, text
    assert text.index("return 1 / (h - h)") < text.index("✗ central_difference"), text
    assert ("Your function raised ZeroDivisionError" if lang == "en" else "你的函数抛出了 ZeroDivisionError") in text
    assert not [m for m in MACHINERY if m in text and m != "Traceback"], text
