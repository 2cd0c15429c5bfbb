"""nbgrader configured like this course, for our own calls and for stock ``nbgrader`` alike.

nbgrader's ``ClearSolutions`` keys its code stub by the kernel's language (``python``), so every
notebook of a Python course gets the same stub: stock nbgrader writes ``# YOUR CODE HERE`` into a
Chinese notebook. :class:`ClearSolutionsByLanguage` replaces it in ``GenerateAssignment``'s
preprocessors and picks the stubs by the notebook's *human* language (``metadata.chainrule.lang``,
which ``make course`` writes), so one assignment can hold notebooks of both languages.

:func:`apply` puts the whole set-up into a traitlets ``Config``: :func:`grader.nbg.api` uses it, and
so does the repository's ``nbgrader_config.py`` (read by ``nbgrader`` and by formgrader), so the two
cannot drift apart. Importing this module imports nbgrader: only nbgrader-facing code does.
"""
from __future__ import annotations

from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions
from traitlets import Dict, Unicode

from .nbg import CODE_STUBS, COURSE_ID, TEXT_STUBS


def notebook_language(nb) -> str | None:
    """The notebook's human language from the metadata that ``make course`` writes, or None."""
    meta = nb.get("metadata", {}).get("chainrule", {})
    lang = meta.get("lang") if isinstance(meta, dict) else None
    return lang if isinstance(lang, str) else None


class ClearSolutionsByLanguage(ClearSolutions):
    """``ClearSolutions`` whose stubs follow the notebook's language (``metadata.chainrule.lang``),
    not only its kernel's. It also reads every ``ClearSolutions`` option (delimiters, enforce_metadata)."""

    code_stubs = Dict(dict(CODE_STUBS), help="code stub per notebook language (en, zh)").tag(config=True)
    text_stubs = Dict(dict(TEXT_STUBS), help="text stub per notebook language (en, zh)").tag(config=True)
    default_language = Unicode("en", help="for a notebook without chainrule.lang metadata").tag(config=True)

    def preprocess(self, nb, resources):
        lang = notebook_language(nb) or self.default_language
        if lang not in self.code_stubs or lang not in self.text_stubs:
            raise ValueError(f"notebook language {lang!r} has no stub in ClearSolutionsByLanguage "
                             f"(known: {', '.join(sorted(self.code_stubs))})")
        kernel = nb.metadata.get("kernelspec", {}).get("language", "python")
        # one instance serves every notebook of a run: set this notebook's stubs before clearing it
        self.code_stub = {**self.code_stub, kernel: self.code_stubs[lang]}
        self.text_stub = self.text_stubs[lang]
        return super().preprocess(nb, resources)


def preprocessors() -> list:
    """nbgrader's own ``GenerateAssignment`` preprocessors, with ``ClearSolutions`` replaced."""
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [ClearSolutionsByLanguage if p is ClearSolutions else p for p in default]


def apply(c, default_language: str = "en", timeout: int = 60):
    """Configure ``c`` (a traitlets Config) as the course needs; returns ``c``."""
    c.CourseDirectory.course_id = COURSE_ID
    c.GenerateAssignment.preprocessors = preprocessors()
    c.ClearSolutionsByLanguage.default_language = default_language
    c.Execute.timeout = timeout          # per cell, seconds (nbgrader autograde)
    c.Execute.interrupt_on_timeout = True
    return c
