"""grader.release.parse_notebook: what a submitted file must be before anything else reads it."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from grader.release import MAX_DEPTH, parse_notebook  # noqa: E402


def _nb(cell_meta=None, **top):
    cell = {"cell_type": "code", "id": "c1", "source": ["x = 1\n", "y = 2"], "metadata": cell_meta or {},
            "outputs": [], "execution_count": None}
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell], **top}


def test_a_real_notebook_is_read_and_its_list_sources_joined():
    for path in sorted((REPO / "solutions").glob("*/*.ipynb"))[:4]:
        assert parse_notebook(path.read_bytes())["nbformat"] == 4
    assert parse_notebook(json.dumps(_nb()).encode())["cells"][0]["source"] == "x = 1\ny = 2"


@pytest.mark.parametrize("nbgrader, words", [
    ({"points": "abc", "grade": True, "grade_id": "t"}, "points are \"abc\", not a number"),
    ({"points": True, "grade": True, "grade_id": "t"}, "points are true, not a number"),
    ({"grade_id": ["x"], "solution": True}, "grade id is list, not text"),
    ({"solution": "yes", "grade_id": "s"}, "nbgrader 'solution' flag is \"yes\", not true or false"),
    ([1], "nbgrader metadata is not a JSON object"),
])
def test_a_wrongly_typed_field_is_named_in_plain_words(nbgrader, words):
    with pytest.raises(ValueError, match="cell 1: its " + words.replace("(", r"\(")) as e:
        parse_notebook(json.dumps(_nb({"nbgrader": nbgrader})).encode())
    assert "Download the original notebook again" in str(e.value)


def test_wrong_metadata_containers_are_refused():
    with pytest.raises(ValueError, match="its metadata is not a JSON object"):
        parse_notebook(json.dumps(_nb(metadata=[1])).encode())
    bad = _nb()
    bad["cells"][0]["metadata"] = [1]
    with pytest.raises(ValueError, match="cell 1: its metadata is not a JSON object"):
        parse_notebook(json.dumps(bad).encode())


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 100_000])
def test_json_nested_deeper_than_any_notebook_is_refused_without_recursing(depth):
    data = json.dumps(_nb()).encode()[:-1] + b', "x": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_notebook(data)


def test_nesting_up_to_the_limit_is_fine():
    nb = _nb()
    nb["metadata"]["widgets"] = json.loads("[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2))
    assert parse_notebook(json.dumps(nb).encode())["metadata"]["widgets"] == nb["metadata"]["widgets"]
