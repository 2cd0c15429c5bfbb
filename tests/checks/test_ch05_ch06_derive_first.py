"""Derive, then check, then read (issue 17, item 1), for the exercises of chapters 5 and 6.

For every graded exercise, nothing of its solution may stand in what the learner reads before
writing it, in either language: not a line of the solution's code (normalised: no comments, no
spaces, ``1.0`` read as ``1``), and not one of a few declared key formulas (the direct mathematical
or verbal form of the answer). "Before" is the learner's notebook up to the exercise: earlier
solutions blanked, hidden tests removed, plus the visible part of the exercise's own cell (its
docstring). Collapsed hints (``<details>``) may give the index-form result, never code, so the key
formulas are looked for outside them and the code lines everywhere. Each exercise also has hints
before it and a "The derivation, written out" / 「推导全过程」 section after its tests cell.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[2]
LANGS = ("en", "zh")
_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END \1", re.S)
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_BOILERPLATE = [
    re.compile(r"^return[\w,]*$"),                  # return dx, dw, db
    re.compile(r"^[\w,()]+=cache(\[\d+\])?$"),      # unpacking the cache
    re.compile(r"^for\w+in.*:$"),                   # loop headers
    re.compile(r"np\.zeros"),                       # initialisations
    re.compile(r"^xp=np\.pad\(x,"),                 # padding the input: the forward pass does it too
    re.compile(r"^\w+=len\(cache\)$"),
    re.compile(r"^cache=\([\w,]+\)$"),           # the cache the exercise asks to return
    re.compile(r"^.{0,9}$"),                        # a continuation such as `axis=1)`
    re.compile(r"^[\w,]+=\w+\.shape(\[[\d:]+\])?$"),  # n, f, ho, wo = dout.shape
]

# The direct form of each answer, as it would be written in the text (normalised like the code:
# no spaces). Looked for outside collapsed hints.
KEY_FORMULAS = {
    "conv2d_forward": [],   # a forward pass: its formula is the definition the exercise starts from
    "conv2d_backward": ["dout.sum(axis=(0,2,3))", r"\partialL}{\partialb[f]}=", r"\partialL}{\partialw[f,c,p,q]}=",
                        r"\partialL}{\partialx_\text{pad}", "dx_\\text{pad}[:,:,p:p+H,p:p+W]", "three`+=`",
                        "三行`+=`"],
    "maxpool_backward": ["routed,whole,tothepositionofthemax", "被整个送到最大值所在的位置",
                         "addedatthepositionofitswindow'smaximum", "加到它的窗口中最大值所在的位置"],
    "avgpool_backward": [r"\text{dout}/(k_hk_w)", "dout/(kh*kw)", "localgradient$1/(k_hk_w)$",
                         "局部梯度都是$1/(k_hk_w)$"],
    "rnn_step_backward": ["dh*(1-h**2)", "dz@Wx.T", "dz@Wh.T", "x.T@dz", "h_prev.T@dz", "dz.sum(axis=0)",
                          r"(1-h^2)", "=1-h^2"],
    "rnn_backward": ["dh_all[t]+dh_next", r"\frac{\partialL}{\partialh_t}=", "+=dWx_t", "dh0=dh_next"],
    "truncated_bptt": ["t%k==0", "step$t$'s`dh_prev`isdropped", "丢掉第$t$步的`dh_prev`",
                       "thedh_prevreturnedbythosestepsisdropped", "这些步返回的dh_prev被丢掉"],
    "lstm_step_backward": ["dc+dh*o*", "dc_t*f", "i*(1-i)", "f*(1-f)", "o*(1-o)", "1-g**2", "dc_t*c_prev",
                           "dh*tanh(c)", "da=[da_i,da_f,da_g,da_o]", r"\partialL}{\partialc}=",
                           r"\partialL}{\partialc_{\text{prev}}}="],
}
CHAPTERS = {"ch05_cnn": ("conv2d_forward", "conv2d_backward", "maxpool_backward", "avgpool_backward"),
            "ch06_rnn": ("rnn_step_backward", "rnn_backward", "truncated_bptt", "lstm_step_backward")}
WRITTEN_OUT = {"en": "The derivation, written out", "zh": "推导全过程"}


def normalise(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<![\w.])1\.0(?!\d)", "1", text)


def code_lines(source: str) -> list[str]:
    """The solution's lines, without comments and blank lines, normalised, boilerplate left out."""
    body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
    lines = []
    for line in body.splitlines():
        line = normalise(line.split("#", 1)[0])
        if line and not any(p.search(line) for p in _BOILERPLATE):
            lines.append(line)
    return lines


@functools.lru_cache(maxsize=None)
def cells_of(stem: str, lang: str):
    nb = jupytext.read(REPO / "chapters" / f"{stem}.md")
    return tuple(c for c in nb.cells if c.metadata.get("lang") in (None, lang))


def split_at(stem: str, lang: str, exercise: str):
    """(what the learner reads before writing ``exercise``, the solution cell, the cells after it)."""
    cells = cells_of(stem, lang)
    idx = next(i for i, c in enumerate(cells)
               if c.metadata.get("exercise", {}) == {**c.metadata.get("exercise", {}), "id": exercise,
                                                       "role": "solution"})
    seen = [_REGION.sub("", c.source) for c in cells[:idx + 1]]
    return seen, cells[idx], list(cells[idx + 1:])


def earlier_solutions(stem: str, lang: str, exercise: str) -> set:
    """The lines the learner wrote in the chapter's earlier exercises: their own work, not a giveaway
    (truncated_bptt is rnn_backward with a cut; an LSTM step ends like an RNN step)."""
    lines = set()
    for ex in CHAPTERS[stem][:CHAPTERS[stem].index(exercise)]:
        lines |= set(code_lines(split_at(stem, lang, ex)[1].source))
    return lines


CASES = [(stem, ex, lang) for stem, exs in CHAPTERS.items() for ex in exs for lang in LANGS]
BACKWARD = [case for case in CASES if KEY_FORMULAS[case[1]]]


@pytest.mark.parametrize("stem, exercise, lang", CASES)
def test_no_line_of_the_solution_before_the_exercise(stem, exercise, lang):
    seen, solution, _ = split_at(stem, lang, exercise)
    everything = normalise("\n".join(seen))
    outside_hints = normalise("\n".join(_DETAILS.sub("", s) for s in seen))
    lines = [line for line in code_lines(solution.source) if line not in earlier_solutions(stem, lang, exercise)]
    assert lines, "the solution has no key lines: the filter is wrong"
    found = [line for line in lines if line in everything]
    found += [f for f in KEY_FORMULAS[exercise] if normalise(f) in outside_hints]
    assert not found, f"{exercise} ({lang}): the solution stands before the exercise: {found}"


@pytest.mark.parametrize("stem, exercise, lang", BACKWARD)
def test_hints_before_and_the_derivation_after(stem, exercise, lang):
    seen, _, after = split_at(stem, lang, exercise)
    tail = "\n".join(s for s in seen[-6:])   # the exercise's own set-up, just above it
    assert "<details>" in tail and "<summary>" in tail, f"{exercise} ({lang}): no collapsed hint before it"
    hints = "\n".join(_DETAILS.findall(tail))
    assert "```" not in hints, f"{exercise} ({lang}): a hint shows code"
    tests = next(i for i, c in enumerate(after) if c.metadata.get("exercise", {}).get("role") == "tests")
    following = [c for c in after[tests + 1:tests + 4] if c.cell_type == "markdown"]
    assert any(WRITTEN_OUT[lang] in c.source for c in following), (
        f"{exercise} ({lang}): no '{WRITTEN_OUT[lang]}' section right after the tests cell")


def test_the_detector_finds_a_solution_line():
    """The test above would catch a transcribed line: a line of the solution, pasted into the text."""
    seen, solution, _ = split_at("ch06_rnn", "en", "rnn_step_backward")
    line = solution.source.split("### BEGIN SOLUTION")[1].splitlines()[2]
    assert normalise(line) in code_lines(solution.source)
    assert normalise(line) in normalise("\n".join(seen + [f"so `{line.strip()}`"]))
