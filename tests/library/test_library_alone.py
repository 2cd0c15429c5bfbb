"""chainrule is the autodiff library alone: the course (checks, answer key, widgets, plots, data sets)
lives in the course kit, and nothing in chainrule imports the kit or the grader (design.md, "Lines
that never cross")."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import chainrule

PACKAGE = Path(chainrule.__file__).resolve().parent
OURS = ("coursekit", "grader", "grader_inside")
COURSE_PARTS = ("checks", "widgets", "datasets", "data", "viz", "conv_figures", "key")


def imported_modules(path: Path):
    """Every absolute module an import statement of ``path`` names (anywhere in the file, functions
    included), and every string handed to ``importlib.import_module`` / ``__import__``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and getattr(node.func, "attr", getattr(node.func, "id", "")) \
                in ("import_module", "__import__"):
            yield node.args[0].value


def test_no_module_of_chainrule_imports_the_course_kit_or_the_grader():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 10, f"chainrule's sources not found under {PACKAGE}"
    found = [(str(p.relative_to(PACKAGE)), m) for p in sources for m in imported_modules(p)
             if m.split(".")[0] in OURS]
    assert found == [], f"chainrule imports the course kit or the grader: {found}"


def test_chainrule_holds_no_course_material():
    present = [part for part in COURSE_PARTS if (PACKAGE / part).exists() or (PACKAGE / f"{part}.py").exists()]
    assert present == [], f"course material inside chainrule (it belongs in coursekit): {present}"
    for name in ("checks", "check", "widgets", "viz", "datasets", "conv_figures"):
        assert not hasattr(chainrule, name), f"chainrule.{name} still exists"


def test_importing_chainrule_loads_nothing_of_ours():
    code = ("import sys, chainrule, chainrule.nn, chainrule.optim, chainrule.functional, chainrule.monitor; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {OURS!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
