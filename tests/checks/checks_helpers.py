"""Shared fixtures of the checks tests (a plain module, not conftest.py: tests/course imports its own
``conftest`` by name, and two modules called conftest on sys.path would collide)."""
import pytest

from chainrule.checks import core


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Every test starts in English with no language set; tests that need Chinese say so."""
    monkeypatch.delenv("CHAINRULE_LANG", raising=False)
    monkeypatch.setitem(core._state, "lang", "en")
    yield


def _failure(check, fn, hidden=False):
    """Run a check that must fail; return the CheckFailed."""
    with pytest.raises(core.CheckFailed) as info:
        check(fn, hidden=hidden)
    return info.value


@pytest.fixture
def failure():
    return _failure
