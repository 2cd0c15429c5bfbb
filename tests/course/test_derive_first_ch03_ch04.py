"""Derive, then check, then read (issue 17, item 1), for chapters 3 and 4.

For every graded exercise, nothing of its solution may stand in the notebook before the exercise's
solution cell, in either language: neither a line of the solution's code (normalised: comments
and whitespace dropped) nor one of the exercise's declared key formulas (code or LaTeX). The
text before an exercise sets up the derivation; collapsed hints (``<details>``) may state the
index-form result, never code; the derivation written out comes after the tests cell.

Read from the generated solution notebooks (what ``make course`` built from ``chapters/``), so the
check sees exactly the cells a learner reads, in order, per language.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ("ch03", "ch04")
LANGS = ("en", "zh")

# Solution lines that are the exercise's interface, stated by its own docstring or statement (the
# order of a returned tuple, unpacking the cache it receives): they give nothing of the derivation.
INTERFACE = {
    "affine_forward": {"cache=(x,w,b)", "returnout,cache"},
    "affine_backward": {"x,w,b=cache", "returndx,dw,db"},
    "momentum_step": {"returnnew_params,new_velocities"},
    "adam_step": {"returnnew_params,new_m,new_v", "new_params=[]"},
    "train_minibatch": {"n=len(x)", "losses,iterations=[],0"},
}

# The direct forms of each answer, code or LaTeX, compared with whitespace (and LaTeX's thin
# spaces) removed. Hints may hold the index-form result, so these are looked for outside <details>.
KEY_FORMULAS = {
    "affine_forward": ["x@w.T+b", "x@w.T"],
    "affine_backward": ["dout@w", "dout.T@x", "dout.sum(axis=0)", r"\sum_m\text{dout}_{nm}W_{md}",
                        r"\sum_n\text{dout}_{nm}x_{nd}", r"\sum_n\text{dout}_{nm},"],
    "sigmoid_backward": ["out*(1-out)", "out*(1.0-out)", r"y(1-y)", r"\sigma(x)(1-\sigma(x))"],
    "tanh_backward": ["1-out**2", "1.0-out**2", "1-y^2", r"1-\tanh^2"],
    "relu_backward": ["dout*(x>0)", "(x>0)", r"1$if$x>0"],
    "softmax_cross_entropy": ["p-onehot", r"p-\text{onehot}", r"p_{nk}-[k=y_n]", r"[k=y]-p_k"],
    "mse_loss": ["2*(pred-target)", "2*diff", r"2(\text{pred}-\text{target})",
                 r"2(\text{pred}_{nk}-\text{target}_{nk})"],
    "two_layer_net": ["dscores@", "affine_backward(dscores", r"\text{dscores}\to(\text{dh}"],
    "unbroadcast": ["sum(axis=tuple(range(g.ndim"],
    "matmul_vjp": ["g@b.T", "a.T@g", r"\sum_jg_{ij}b_{kj}"],
    "sum_vjp": ["expand_dims(g", "broadcast_to(g"],
    "log_softmax_vjp": ["g-np.exp(out)", r"g_k-p_k\sum_jg_j"],
    "sgd_step": ["p-lr*g"],
    "momentum_step": ["momentum*v+g", "p-lr*v"],
    "adam_step": ["beta1*mi+(1-beta1)*g", "m_hat/(np.sqrt(v_hat)+eps)"],
    "train_minibatch": ["loss_and_grad(params,x[idx],y[idx])", "rng=np.random.default_rng(seed)"],
}

_MARK = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
_DETAILS = re.compile(r"<details>.*?</details>", re.S)


def _squash(text: str) -> str:
    return re.sub(r"\s+|\\[,!;:]", "", text)


def _code_lines(source: str) -> list:
    """The solution's lines without comments, whitespace removed; empty lines dropped."""
    lines = {}
    for tok in tokenize.generate_tokens(io.StringIO(source + "\n").readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                        tokenize.ENDMARKER):
            continue
        for row in range(tok.start[0], tok.end[0] + 1):
            lines.setdefault(row, [])
        lines[tok.start[0]].append(tok.string)
    return [s for s in ("".join(v) for _, v in sorted(lines.items())) if s]


def _notebook(chapter: str, lang: str):
    paths = sorted((ROOT / "solutions" / lang).glob(f"{chapter}_*.ipynb"))
    assert len(paths) == 1, paths
    return nbformat.read(paths[0], as_version=4)


def _exercises(chapter: str, lang: str):
    """(exercise id, text before its solution cell, text before without hints, solution body)."""
    nb = _notebook(chapter, lang)
    before, seen = [], set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution") and gid not in seen:
            seen.add(gid)
            lines = cell.source.splitlines()
            marks = [i for i, line in enumerate(lines) if _MARK.match(line)]
            stub, body = "\n".join(lines[:marks[0]]), "\n".join(lines[marks[0] + 1:marks[1]])
            text = "\n".join(before + [stub])
            yield gid, text, _DETAILS.sub("", text), body
        before.append(cell.source)


def _cases():
    return [(ch, lang) for ch in CHAPTERS for lang in LANGS]


@pytest.mark.parametrize("chapter, lang", _cases())
def test_no_line_of_a_solution_stands_before_its_exercise(chapter, lang):
    found = []
    for ex, text, _, body in _exercises(chapter, lang):
        squashed = _squash(text)
        for line in _code_lines(body):
            if line not in INTERFACE.get(ex, set()) and line in squashed:
                found.append(f"{ex}: {line}")
    assert not found, f"{chapter} [{lang}] shows solution lines before the exercise:\n" + "\n".join(found)


@pytest.mark.parametrize("chapter, lang", _cases())
def test_no_key_formula_stands_before_its_exercise_outside_the_hints(chapter, lang):
    found = []
    exercises = list(_exercises(chapter, lang))
    assert exercises
    for ex, _, text, _ in exercises:
        squashed = _squash(text)
        found += [f"{ex}: {f}" for f in KEY_FORMULAS.get(ex, ()) if _squash(f) in squashed]
    assert not found, f"{chapter} [{lang}] shows key formulas before the exercise:\n" + "\n".join(found)


@pytest.mark.parametrize("chapter, lang", _cases())
def test_every_exercise_declares_its_key_formulas(chapter, lang):
    assert {ex for ex, *_ in _exercises(chapter, lang)} <= set(KEY_FORMULAS)


@pytest.mark.parametrize("chapter, lang", _cases())
def test_hints_hold_no_code_of_the_solution(chapter, lang):
    """A hint may give the index-form result; a line of code it may not (the first test covers the
    hints too, since it reads the whole text; this one names the hint)."""
    for ex, text, _, body in _exercises(chapter, lang):
        hints = _squash(" ".join(_DETAILS.findall(text)))
        leaked = [line for line in _code_lines(body) if line not in INTERFACE.get(ex, set()) and line in hints]
        assert not leaked, (ex, leaked)


def test_the_normalisation_finds_a_line_written_differently():
    body = "    dx = dout @ w   # the gradient\n"
    assert _code_lines(body) == ["dx=dout@w"]
    assert "dx=dout@w" in _squash("that is `dx  =  dout @ w`, so")
    assert _squash(r"2\,(\text{pred} - \text{target})") == r"2(\text{pred}-\text{target})"
