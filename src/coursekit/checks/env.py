"""The first-cell environment check: one "environment OK" line, or what to do about each problem."""
from __future__ import annotations

import importlib.util
import sys

from .core import get_language, msg


def _version_tuple(text):
    parts = []
    for p in str(text).split(".")[:3]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def problems(lang=None):
    """A list of (key, fields) for every problem found, and a dict of what was found."""
    lang = lang or get_language()
    found, issues = {}, []
    v = sys.version_info
    found["python"] = f"{v.major}.{v.minor}.{v.micro}"
    if (v.major, v.minor) < (3, 10):
        issues.append(("env_python", {"version": found["python"]}))
    try:
        import numpy
        found["numpy"] = numpy.__version__
        if _version_tuple(numpy.__version__) < (1, 23):
            issues.append(("env_numpy", {"version": numpy.__version__}))
    except ImportError:
        found["numpy"] = "-"
        issues.append(("env_numpy", {"version": "-"}))
    import chainrule
    found["chainrule"] = getattr(chainrule, "__version__", "?")
    if not hasattr(chainrule, "gradcheck") or not hasattr(chainrule, "Tensor"):
        issues.append(("env_chainrule", {"version": found["chainrule"], "path": getattr(chainrule, "__file__", "?")}))
    found["family"] = found["font_source"] = None
    if importlib.util.find_spec("matplotlib") is None:
        found["matplotlib"] = "-"
        issues.append(("env_matplotlib", {}))
    else:
        import matplotlib
        found["matplotlib"] = matplotlib.__version__
        from .. import viz
        found["family"] = viz.cjk_font_family()
        found["font_source"] = viz.cjk_font_source(found["family"]) if found["family"] else None
        if found["family"] is None and lang == "zh":
            issues.append(("env_cjk_font", {}))
    return issues, found


def check_environment(lang=None, quiet=False):
    """Print one OK line, or each problem and its fix; return True when all is well."""
    lang = lang or get_language()
    issues, found = problems(lang)
    if quiet:
        return not issues
    if not issues:
        # a zh notebook names the font its plots use and where it came from: pip's package or a file
        font = (msg("env_font", lang, family=found["family"], source=found["font_source"] or "?")
                if found["family"] and lang == "zh" else "")
        print(msg("env_ok", lang, python=found["python"], chainrule=found["chainrule"], numpy=found["numpy"],
                  matplotlib=found["matplotlib"], font=font))
        return True
    print(msg("env_problems", lang))
    for key, fields in issues:
        print("  • " + msg(key, lang, **fields))
    return False
