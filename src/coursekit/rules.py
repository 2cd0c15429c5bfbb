"""What an exercise's code may use, and the in-notebook side of that rule.

A hand-derived backward pass is the point of most exercises: there the code may use NumPy and
the standard library only (``"numpy"``). Chapter 8 teaches working with the library, so its code
may also use ``chainrule`` (``"chainrule"``). Each exercise declares this in its chapter source
(``uses`` on its solution cell, default ``["numpy"]``) and the course manifest carries it
(:mod:`.manifest`): :func:`uses` reads it there. In grading the rule is enforced by what the
sandbox contains (a module that is not allowed is not there); :func:`forbidden_use` lets the
in-notebook check apply the same rule, so that no learner is surprised at grading.
"""
from __future__ import annotations

import types

DEFAULT_USES = ("numpy",)   # an exercise or chapter the manifest does not know: the strictest rule
# libraries that compute derivatives (or whole layers) for you: never inside a numpy-only exercise
TOOLS = ("chainrule", "torch", "jax", "autograd", "tensorflow", "scipy", "sympy", "numdifftools", "mpmath",
         "findiff", "casadi")
# the course kit's checks and the answer key (grader.key, with the grader): never in the grader's sandbox, so
# never in any exercise's code
KIT_ONLY = ("coursekit.checks", "coursekit.key", "grader")


def uses(chapter: str, exercise: str | None = None) -> tuple:
    """What ``exercise``'s code may use, from the manifest; without an exercise, what every
    exercise of ``chapter`` may use (so a chapter-wide answer never allows more than one of them)."""
    from . import manifest
    known = manifest.load().exercises
    if exercise in known:
        return known[exercise].uses
    per_exercise = [e.uses for e in manifest.for_notebook(chapter)]
    if not per_exercise:
        return DEFAULT_USES
    return tuple(u for u in per_exercise[0] if all(u in other for other in per_exercise))


def denied(allowed) -> list:
    """The modules an exercise with ``allowed`` uses may not import: the tools it does not allow,
    and the kit's checks and answer key (:data:`KIT_ONLY`), which no exercise's code may use."""
    return [m for m in TOOLS if m not in allowed] + list(KIT_ONLY)


def rule_of(module: str, deny) -> str | None:
    """The entry of ``deny`` that covers ``module`` (itself or a package above it), or None:
    ``rule_of("chainrule.gradcheck", deny) == "chainrule"``."""
    return next((d for d in deny if module == d or module.startswith(d + ".")), None)


def _module_of(value) -> str:
    if isinstance(value, types.ModuleType):
        return value.__name__
    return getattr(value, "__module__", None) or getattr(type(value), "__module__", "") or ""


def forbidden_use(fn, allowed, depth=3, _seen=None):
    """The first global name ``fn`` (or a function of the notebook it calls) takes from a module
    the exercise does not allow, as ``(name, the module the rule names)`` (``"chainrule"``,
    ``"grader"``, ...); None if there is none. Looks at the names
    the code refers to, so it catches ``chainrule.numerical_grad(...)`` and ``from chainrule
    import gradcheck``; it is a courtesy check (grading enforces the rule by what the sandbox has)."""
    deny = set(denied(allowed))
    seen = _seen if _seen is not None else set()
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:  # a class: look at its methods
        if isinstance(fn, type) and depth > 0:
            for value in vars(fn).values():
                if isinstance(value, (types.FunctionType, staticmethod, classmethod)):
                    found = forbidden_use(getattr(value, "__func__", value), allowed, depth - 1, seen)
                    if found:
                        return found
        return None
    if id(code) in seen:
        return None
    seen.add(id(code))
    gl = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    codes = [code]
    while codes:
        c = codes.pop()
        codes += [k for k in c.co_consts if isinstance(k, types.CodeType)]
        for name in c.co_names:
            if name not in gl:
                continue
            value = gl[name]
            rule = rule_of(_module_of(value), deny)
            if rule:
                return name, rule
            if depth > 0 and (isinstance(value, types.FunctionType) or isinstance(value, type)) \
                    and _module_of(value) == gl.get("__name__"):
                found = forbidden_use(value, allowed, depth - 1, seen)
                if found:
                    return found
    return None
