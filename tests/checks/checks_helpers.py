"""Shared fixtures of the checks tests (a plain module, not conftest.py: tests/course imports its own
``conftest`` by name, and two modules called conftest on sys.path would collide)."""
import re

import pytest

from coursekit.checks import answers, core

_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True, params=["key", "replay"])
def english(request, monkeypatch):
    """Every test starts in English with no language set; tests that need Chinese say so.

    And every test runs twice: with the answer key, as the grader and a checkout check, and
    ``replay``, as a learner's install does (no key: the answers ``make course`` recorded,
    :mod:`coursekit.checks.answers`). The hidden cases exist only with the key: a test of them is
    skipped in ``replay`` (a learner's hidden check only says that grading runs it)."""
    monkeypatch.delenv("CHAINRULE_LANG", raising=False)
    monkeypatch.setitem(core._state, "lang", "en")
    if request.param == "replay":
        callspec = getattr(request.node, "callspec", None)
        if (callspec is not None and callspec.params.get("hidden") is True) or "layer_sized" in request.fixturenames \
                or _key_only(request.node.function):
            pytest.skip("hidden cases: only where the answer key is (the grader)")
        answers.use("replay")
    yield request.param
    answers.use(None)


def _key_only(test):
    """Does a test ask for cases that only the key has: a hidden check (``hidden=True`` in its body), or
    visible cases of its own making (it replaces a check's ``_*VISIBLE`` table)? A learner's install
    replays the recorded visible cases only."""
    import inspect
    try:
        source = inspect.getsource(test)
    except (OSError, TypeError):
        return False
    return "hidden=True" in source or re.search(r"setattr\([^)]*_VISIBLE", source) is not None


def _failure(check, fn, hidden=False):
    """Run a check that must fail; return the CheckFailed."""
    if hidden and answers.replaying():
        pytest.skip("hidden cases: only where the answer key is (the grader)")
    with pytest.raises(core.CheckFailed) as info:
        check(fn, hidden=hidden)
    return info.value


@pytest.fixture
def failure():
    return _failure


def named(err, category, lang, what=None):
    """``err`` was diagnosed as ``category``, its hint is that category's message in ``lang``, and
    the report names the output ``what``."""
    assert err.category == category, str(err)
    assert core.msg(category, lang, **err.fields) in str(err), str(err)
    hint = str(err).splitlines()[-1].replace(str(err.fields.get("emsg", "")), "")   # NumPy's own words stay
    if lang == "zh":
        assert hint.lstrip().startswith("提示") and _CJK.search(hint[4:]), hint
        assert not re.search(r"\b(got|expected|the|is|and)\b", hint), hint   # no English sentence left
    if what:
        assert any(f"\n  {what}{sep}" in str(err) for sep in (",", ":", "，", "：")), str(err)


def named_in_zh_too(check, fn, hidden, failure, category):
    """The same mistake, diagnosed alike in Chinese: the zh message of the category, in a zh hint."""
    core.set_language("zh")
    try:
        named(failure(check, fn, hidden), category, "zh")
    finally:
        core.set_language("en")


# Every backward exercise has one layer-sized hidden case (``_*_SCALE`` in its check module), sized so
# that finite differences run out of the grader's time. Run with each of the many implementations and
# mistakes below it would only make the suite slow, so there it stands in as a copy of the last small
# hidden case (the number of hidden cases stays the same); the tests that request ``layer_sized`` run
# the real one, with honest solutions, and check its size.
LAYER_SIZED = {  # answer-key module (grader.key) -> (spec attribute, the hidden table whose last case stands in)
    "ch03": [("ACT_SCALE", "ACT_HIDDEN"), ("CE_SCALE", "CE_HIDDEN"), ("MSE_SCALE", "MSE_HIDDEN")],
    "ch05": [("CONV_SCALE", "CONV_HIDDEN"), ("POOL_SCALE", "POOL_HIDDEN")],
    "ch06": [("STEP_SCALE", "STEP_HIDDEN"), ("SEQ_SCALE", "SEQ_HIDDEN"), ("TBPTT_SCALE", "TBPTT_HIDDEN"),
             ("LSTM_SCALE", "LSTM_HIDDEN")],
    "ch07": [("BN_SCALE", "BN_HIDDEN"), ("STAGED_SCALE", "STAGED_HIDDEN"), ("LN_SCALE", "LN_HIDDEN"),
             ("DROP_SCALE", "DROP_HIDDEN")],
}


@pytest.fixture
def layer_sized():
    """Requested by a test that runs the real layer-sized hidden cases."""
    return True


@pytest.fixture(autouse=True)
def small_layer_cases(request, monkeypatch):
    if "layer_sized" in request.fixturenames:
        return
    import importlib
    for name, pairs in LAYER_SIZED.items():
        module = importlib.import_module(f"grader.key.{name}")
        for spec, table in pairs:
            monkeypatch.setattr(module, spec, getattr(module, table)[-1])


def recording(fn):
    """``fn`` that remembers the arguments of every call (to measure the cases a check asks about)."""
    def wrapper(*args):
        wrapper.calls.append(args)
        return fn(*args)
    wrapper.calls = []
    return wrapper


def through_wire(msg, blobs=()):
    """``msg`` (and its array attachments) framed and read back as on the sandbox's pipe."""
    import tempfile

    from grader.inside import wire
    with tempfile.TemporaryFile() as f:
        wire.write_message(f.fileno(), msg, None, blobs)
        f.seek(0)
        return wire.read_message(f.fileno(), None)


def serve_inline(host, msg, blobs=()):
    """The sandbox host's answer to ``msg``, both ways through the wire's framing, as the judge gets it."""
    from grader.inside.host import _error
    from grader.wall import LearnerError
    msg = through_wire(msg, blobs)
    try:
        reply = host.handle(msg["op"], msg)
    except BaseException as e:  # noqa: BLE001 - the learner's exception, as the host reports it
        reply = _error(e)
    reply, out = reply if isinstance(reply, tuple) else (reply, ())
    reply = through_wire(reply, out)
    if "error" in reply:
        err = reply["error"]
        raise LearnerError(err["type"], err["message"], err["where"])
    return reply
