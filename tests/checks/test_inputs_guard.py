"""Every check is guarded against a learner's call that writes into its inputs, whether or not the
check remembers to guard them itself: :func:`coursekit.checks.core.judge` first asks the case
whether the inputs of the learner's calls are as they were (the red-team finding behind it: a check
that computed its expected values after the call, from arrays the learner's code had zeroed)."""
import numpy as np
import pytest

from coursekit.checks import core
from coursekit.checks.learner import call, snapshot


def forgetful_check(fn, x, params):
    """A check that forgets to copy and guard its inputs: expected values after the call."""
    case = core.cases("demo", ["x (3,)"])[0]
    got = call(fn, (x, params), case)
    core.judge(2.0 * x + params["b"], got, case)


def vandal(x, params):
    x[...] = 0.0            # steer the expected value ...
    params["b"][...] = 0.0
    return np.zeros(3)      # ... to this


def honest(x, params):
    return 2.0 * x + params["b"]


def test_a_vandal_fails_with_the_argument_it_changed_named():
    x, params = np.arange(1.0, 4.0), {"b": np.ones(3)}
    with pytest.raises(core.CheckFailed) as info:
        forgetful_check(vandal, x, params)
    assert info.value.category == "input_changed"
    assert info.value.fields["position"] == "1"


def test_a_nested_array_is_watched_too():
    def only_b(x, params):
        params["b"] -= 1.0
        return 2.0 * x + params["b"]
    with pytest.raises(core.CheckFailed) as info:
        forgetful_check(only_b, np.arange(1.0, 4.0), {"b": np.ones(3)})
    assert info.value.category == "input_changed" and info.value.fields["position"] == "2['b']"


def test_each_call_is_guarded_after_earlier_outputs_were_judged():
    """judge() compares a call's inputs once (several outputs judged after one call do not repeat it);
    a later call's change is still caught, by that call's own snapshot."""
    calls = []

    def second_call_vandal(x):
        calls.append(1)
        if len(calls) == 2:
            x[...] = 0.0
        return 2.0 * x

    x = np.arange(1.0, 4.0)
    case = core.cases("demo", ["x (3,)"])[0]
    got = call(second_call_vandal, (x,), case)
    core.judge(2.0 * np.arange(1.0, 4.0), got, case)   # the first call's outputs, judged one by one
    core.judge(2.0 * np.arange(1.0, 4.0), got, case)
    with pytest.raises(core.CheckFailed) as info:
        core.judge(2.0 * np.arange(1.0, 4.0), call(second_call_vandal, (x,), case), case)
    assert info.value.category == "input_changed" and info.value.fields["position"] == "1"


def test_an_honest_function_and_a_round_off_restore_pass():
    forgetful_check(honest, np.arange(1.0, 4.0), {"b": np.ones(3)})

    def perturb_and_restore(x, params):
        h = 1e-5
        x[0] += h
        x[0] -= h            # leaves x[0] within round-off of what it was
        return 2.0 * x + params["b"]
    forgetful_check(perturb_and_restore, np.array([0.1, 0.7, 1.3]), {"b": np.ones(3)})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_message_names_the_change_in_both_languages(lang):
    core.set_language(lang)
    try:
        with pytest.raises(core.CheckFailed) as info:
            forgetful_check(vandal, np.arange(1.0, 4.0), {"b": np.ones(3)})
    finally:
        core.set_language("en")
    text = str(info.value)
    assert ("in place" in text) if lang == "en" else ("原地" in text)
    assert "1" in text and "0" in text


def test_snapshot_labels_and_skips_non_arrays():
    x = np.zeros(2)
    found = snapshot((x, [np.ones(1), "s"], {"k": np.ones(2)}), {"w": np.ones(3)})
    assert [label for label, _, _ in found] == ["1", "2[0]", "3['k']", "w"]
    assert found[0][1] is x and found[0][2] is not x
