"""The course kit and the grader use chainrule's public names only (design.md, "Lines that never
cross"): no attribute access ``x._name`` where ``_name`` is one of chainrule's private names and
is not also a name the kit or the grader define for themselves."""
import ast
from pathlib import Path

import chainrule
import coursekit

CHAINRULE = Path(chainrule.__file__).parent
USERS = [Path(coursekit.__file__).parent, Path(__file__).resolve().parents[2] / "grader"]


def _private(node_name):
    return node_name.startswith("_") and not node_name.startswith("__")


def defined_names(root: Path) -> set:
    """Private names a package defines: module globals, functions, classes, ``self._x = ...``."""
    found = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                found.add(node.attr)
            elif isinstance(node, ast.alias):
                found.add(node.asname or node.name.split(".")[0])
    return {n for n in found if _private(n)}


def test_no_private_name_of_chainrule_is_read_by_the_kit_or_the_grader():
    theirs = defined_names(CHAINRULE)
    ours = set().union(*(defined_names(root) for root in USERS))
    reached = []
    for root in USERS:
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in theirs and node.attr not in ours:
                    reached.append(f"{path.name}:{node.lineno} .{node.attr}")
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chainrule"):
                    reached += [f"{path.name}:{node.lineno} import {a.name}" for a in node.names if _private(a.name)]
    assert not reached, reached


def test_the_rule_sees_a_private_name():
    """The test above can fail: chainrule has private names the kit does not define."""
    assert {"_node", "_FREED"} <= defined_names(CHAINRULE) - set().union(*(defined_names(r) for r in USERS))
