"""Chapter 8's checks as grading runs them: every learner function is reached only through the
sandbox wall (:mod:`grader.wall` on the judge's side, :class:`grader.inside.host.Host` on the
other), every message a JSON round trip. Here both sides share one process and one chainrule,
but nothing passes between them except that JSON: the models, inputs and losses the learner's
code gets are rebuilt from their specs, and the judge sees only decoded data.

The same accept/reject tests as ``test_ch08.py`` run with the check's ``call`` routed so."""
import json

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)
from test_ch08 import (  # noqa: F401  (collected again here, through the wall)
    test_a_check_that_says_ok_with_huge_error_is_rejected, test_check_model_gradients_accepts_correct,
    test_check_model_gradients_rejects_mistakes, test_elementwise_relative_error_is_named_on_the_broken_model,
    test_forward_fixed_accepts_correct, test_forward_fixed_rejects_mistakes, test_grad_norms_accepts_correct,
    test_grad_norms_rejects_mistakes, test_graph_broken_names_the_parameter, test_inplace_diagnosis_names_fc2_weight,
    test_logged_forward_fixed_accepts_correct, test_logged_forward_fixed_rejects_mistakes,
    test_train_steps_fixed_accepts_correct, test_train_steps_fixed_rejects_mistakes,
    test_training_a_copy_is_recognised, test_red_team_answers_without_gradients_fail,
    test_red_team_constant_answer_is_told_why, test_a_rel_error_that_does_not_match_the_gradients_is_named)

from chainrule import Tensor
from coursekit.checks import ch08, core
from grader.key import ch08 as ch08_ref
from coursekit import specs
from coursekit.ch08 import Net

grader = pytest.importorskip("grader")
from grader import wall  # noqa: E402
from grader.inside.host import Host, _error  # noqa: E402


class InProcess:
    """A wall channel whose host runs here; requests and replies are serialised as on the pipe."""

    def __init__(self, fn):
        self.host = Host()
        self.host.ns["fn"] = fn
        self.deadline = None
        self.seen = []          # every reply, as JSON text

    def request(self, msg, blobs=()):
        from checks_helpers import serve_inline
        reply = serve_inline(self.host, msg, blobs)
        self.seen.append(json.dumps({k: v for k, v in reply.items() if k != "$blobs"}, allow_nan=True))
        return reply


@pytest.fixture(autouse=True)
def through_the_wall(monkeypatch):
    """Every ``call`` of chapter 8's checks reaches the learner's function as a remote name."""
    channels = []

    def call(fn, args, case, kwargs=None, driver="call"):
        __tracebackhide__ = True
        channels.append(InProcess(fn))
        return core.call(wall.Remote(channels[-1], "fn"), args, case, kwargs, driver)
    monkeypatch.setattr(ch08, "call", call)
    return channels


def test_the_checks_go_through_the_wall(through_the_wall):
    seen = []

    def forward(model, x):
        seen.append((type(model), type(x)))
        return model.fc2(model.fc1(x).tanh()) * model.gain
    ch08.check_forward_fixed(forward)
    assert len(through_the_wall) == 2 and seen == [(Net, Tensor)] * 2


def test_the_learner_gets_a_rebuilt_model_and_the_judge_only_data():
    judge_model = Net(3, 4, 2, seed=1)
    judge_model.fc1.bias.data[0] = 7.0                       # a tweak of the check's travels too
    seen = {}

    def forward(model, x):
        seen["model"], seen["x"] = model, x
        return model(x)
    channel = InProcess(forward)
    x = np.ones((2, 3))
    rep = wall.Remote(channel, "fn").invoke("ch08.forward_backward", [judge_model, x, np.ones((2, 2))], {})
    assert seen["model"] is not judge_model and type(seen["model"]) is Net and isinstance(seen["x"], Tensor)
    assert seen["model"].fc1.bias.data[0] == 7.0
    assert rep["tensor"] is True and rep["requires_grad"] is True and isinstance(rep["scores"], np.ndarray)
    # the gradients came back by value: the judge's parameters hold arrays of their own
    for (name, p), (_, q) in zip(judge_model.named_parameters(), seen["model"].named_parameters()):
        assert p.grad is not q.grad and np.array_equal(p.grad, q.grad), name
    assert all('"$obj"' not in text for text in channel.seen)


def test_a_malformed_model_state_becomes_nan():
    model = Net(3, 4, 2)
    model.load_state([["fc1.weight", "not an array", None], ["gain", np.zeros(5), np.zeros(2)]])
    params = dict(model.named_parameters())
    assert np.isnan(params["fc1.weight"].data).all() and params["fc1.weight"].grad is None
    assert np.isnan(params["gain"].data).all() and np.array_equal(params["gain"].grad, np.zeros(2))
    assert np.isnan(params["fc2.bias"].data).all() and np.isnan(params["fc2.bias"].grad).all()  # missing


def test_the_specs_are_registered_by_name():
    for name in ("ch08.Net", "ch08.LossFn"):
        assert name in specs.SPECS


def test_a_faulty_model_arrives_faulty_and_looks_like_a_correct_one():
    """The sandbox rebuilds the wrong VJP (an honest check finds it there), and the learner's code sees
    the same class, attributes and primitives (by name) as for a correct model."""
    seen = []

    def look(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
        seen.append((type(model), sorted(vars(model)), repr(model._ops)))
        return ch08_ref.ref_check_model_gradients(model, x, y, loss_fn)
    got = []
    for spec in ch08._GC_VISIBLE:
        model, x, y, loss_fn = ch08.gc_case(*spec)
        got.append(wall.Remote(InProcess(look), "fn").invoke("ch08.tensor_input", [model, x, y, loss_fn], {}))
        assert got[-1][0] is (spec[-1] is None) and got[-1][1] == ch08_ref.gc_check_case(spec)[1]
    assert all(s[0] is Net for s in seen) and all(s[1:] == seen[0][1:] for s in seen)
