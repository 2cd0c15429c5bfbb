"""Chapter 8's checks: every correct implementation passes (visible and hidden), every typical
mistake (a wrong fix of a bug, a wrong monitor, a wrong gradient check) fails with the right
diagnosis, and the messages exist in both languages."""
import inspect
import re

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)
from checks_helpers import named_in_zh_too

import chainrule
from chainrule import Tensor, no_grad, optim
import chainrule.functional as F
from coursekit.checks import ch08, core
from grader.key import ch08 as ch08_ref
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def nie(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------------- train_steps_fixed
def train_zero_at_start(model, x, y, lr=0.1, steps=20):
    opt = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    return losses


def train_manual_update(model, x, y, lr=0.1, steps=20):
    losses = []
    for _ in range(steps):
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p.data -= lr * p.grad
        model.zero_grad()                    # zeroing after the step is right too
        losses.append(loss.item())
    return np.array(losses)


def _train(zero="start", record_after=False, new_opt_each_step=False):
    def fn(model, x, y, lr=0.1, steps=20):
        opt = optim.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(steps):
            if new_opt_each_step:
                opt = optim.SGD(model.parameters(), lr=lr)   # a "fix" that clears nothing
            if zero == "start":
                opt.zero_grad()
            loss = F.mse_loss(model(Tensor(x)), Tensor(y))
            loss.backward()
            if zero == "between":
                opt.zero_grad()
            opt.step()
            if record_after:
                loss = F.mse_loss(model(Tensor(x)), Tensor(y))
            losses.append(float(loss.data))
        return losses
    return fn


def _ascent(model, x, y, lr=0.1, steps=20):
    losses = []
    for _ in range(steps):
        model.zero_grad()
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        for p in model.parameters():
            p.data += lr * p.grad                # the sign slip: up the gradient
        losses.append(float(loss.data))
    return losses


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [train_zero_at_start, train_manual_update])
def test_train_steps_fixed_accepts_correct(fn, hidden, capsys):
    ch08.check_train_steps_fixed(fn, hidden=hidden)
    assert "✓ train_steps_fixed" in capsys.readouterr().out


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_train(zero="never"), "ch08_still_accumulates"),
    (_train(zero="never", new_opt_each_step=True), "ch08_still_accumulates"),   # fixed the wrong thing
    (_train(zero="between"), "ch08_zero_grad_between"),
    (_train(record_after=True), "ch08_loss_after_step"),
    (_ascent, "ch08_gradient_ascent"),
    (lambda model, x, y, lr=0.1, steps=20: train_zero_at_start(model, x, y, lr, steps)[:-1], "ch08_wrong_steps"),
    (nie, "not_implemented"),
])
def test_train_steps_fixed_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch08.check_train_steps_fixed, fn, hidden).category == category
    named_in_zh_too(ch08.check_train_steps_fixed, fn, hidden, failure, category)


def test_training_a_copy_is_recognised(failure):
    import copy

    def on_a_copy(model, x, y, lr=0.1, steps=20):
        return train_zero_at_start(copy.deepcopy(model), x, y, lr, steps)
    assert failure(ch08.check_train_steps_fixed, on_a_copy).category == "ch08_params_not_trained"


# ---------------------------------------------------------------------- forward_fixed
def forward_plain(model, x):
    return model.fc2(F.tanh(model.fc1(x))) * model.gain


def forward_functional(model, x):
    h = (model.fc1(x) * 2.0).sigmoid() * 2.0 - 1.0           # tanh(z) = 2σ(2z) − 1
    return model.gain * F.linear(h, model.fc2.weight, model.fc2.bias)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [forward_plain, forward_functional])
def test_forward_fixed_accepts_correct(fn, hidden, capsys):
    ch08.check_forward_fixed(fn, hidden=hidden)
    assert "✓ forward_fixed" in capsys.readouterr().out


def _no_grad_forward(model, x):
    with no_grad():
        return forward_plain(model, x)


def _detached_leaf(model, x):
    h = F.tanh(model.fc1(x))
    h = Tensor(h.numpy(), requires_grad=True)                # a new leaf: still cut from fc1
    return model.fc2(h) * model.gain


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (ch08_ref.buggy_forward, "ch08_graph_broken"),
    (_detached_leaf, "ch08_graph_broken"),
    (lambda m, x: m.fc2(F.tanh(m.fc1(x))) * m.gain.detach(), "ch08_graph_broken"),
    (_no_grad_forward, "ch08_no_graph"),
    (lambda m, x: forward_plain(m, x).numpy(), "ch08_not_a_tensor"),
    (lambda m, x: m.fc2(F.relu(m.fc1(x))) * m.gain, "wrong_values"),
    (nie, "not_implemented"),
])
def test_forward_fixed_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch08.check_forward_fixed, fn, hidden).category == category
    named_in_zh_too(ch08.check_forward_fixed, fn, hidden, failure, category)


def test_graph_broken_names_the_parameter(failure):
    err = failure(ch08.check_forward_fixed, ch08_ref.buggy_forward)
    assert err.fields["name"] in ("fc1.weight", "fc1.bias") and "fc1" in str(err)


# ---------------------------------------------------------------------- logged_forward_fixed
def logged_copy(model, x):
    h = F.relu(model.fc1(x))
    scores = model.fc2(h) * model.gain
    h_scaled = h.data.copy()
    h_scaled /= h_scaled.max()                               # in place, but on a copy: fine
    return scores, h_scaled


def logged_rebind(model, x):
    h = F.relu(model.fc1(x))
    scores = model.fc2(h) * model.gain
    h.data = h.data / h.data.max()                           # rebinding .data leaves the saved array alone
    return scores, h.data


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [ch08_ref.ref_logged_forward, logged_copy, logged_rebind])
def test_logged_forward_fixed_accepts_correct(fn, hidden, capsys):
    ch08.check_logged_forward_fixed(fn, hidden=hidden)
    assert "✓ logged_forward_fixed" in capsys.readouterr().out


def _logged_scaled_before(model, x):
    h = F.relu(model.fc1(x))
    h_scaled = h.data / h.data.max()
    return model.fc2(Tensor(h_scaled)) * model.gain, h_scaled


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (ch08_ref.buggy_logged_forward, "ch08_inplace_saved"),
    (lambda m, x: ch08_ref.ref_logged_forward(m, x)[0], "ch08_bad_return"),
    (_logged_scaled_before, "wrong_values"),
    (nie, "not_implemented"),
])
def test_logged_forward_fixed_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch08.check_logged_forward_fixed, fn, hidden).category == category
    named_in_zh_too(ch08.check_logged_forward_fixed, fn, hidden, failure, category)


def test_inplace_diagnosis_names_fc2_weight(failure):
    err = failure(ch08.check_logged_forward_fixed, ch08_ref.buggy_logged_forward)
    assert err.fields["name"] == "fc2.weight" and "fc2.weight.grad" in str(err)


# ---------------------------------------------------------------------- grad_norms
def norms_loop(model):
    out = {}
    for name, p in model.named_parameters():
        out[name] = 0.0 if p.grad is None else float(np.linalg.norm(p.grad.ravel()))
    return out


def norms_monitor(model):
    return {name: (0.0 if p.grad is None else chainrule.monitor.grad_norm(p.grad))
            for name, p in model.named_parameters()}


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [norms_loop, norms_monitor])
def test_grad_norms_accepts_correct(fn, hidden, capsys):
    ch08.check_grad_norms(fn, hidden=hidden)
    assert "✓ grad_norms" in capsys.readouterr().out


def _norms(f, skip_none=False, none_value=0.0):
    def fn(model):
        out = {}
        for name, p in model.named_parameters():
            if p.grad is None:
                if not skip_none:
                    out[name] = none_value
            else:
                out[name] = f(p)
        return out
    return fn


def _zeroing(model):
    out = norms_loop(model)
    model.zero_grad()
    return out


@pytest.mark.parametrize("fn, category, hidden", [
    (_norms(lambda p: np.abs(p.grad)), "ch08_norms_per_element", False),
    (_norms(lambda p: float(np.sum(p.grad ** 2))), "ch08_norms_squared", False),
    (_norms(lambda p: float(np.linalg.norm(p.data))), "ch08_norms_of_weights", True),
    (_norms(lambda p: float(np.abs(p.grad).max())), "ch08_norms_wrong_kind", False),
    (_norms(lambda p: float(np.abs(p.grad).mean())), "ch08_norms_wrong_kind", True),
    (_norms(lambda p: float(np.linalg.norm(p.grad)), skip_none=True), "ch08_norms_skip_none", False),
    (_norms(lambda p: float(np.linalg.norm(p.grad)), none_value=float("nan")), "ch08_norms_none_nan", True),
    (lambda m: {n: float(np.linalg.norm(p.grad)) for n, p in m.named_parameters()}, "ch08_norms_none_crash", False),
    (lambda m: {f"p{i}": 0.0 for i, _ in enumerate(m.parameters())}, "ch08_norms_missing", False),
    (lambda m: {**norms_loop(m), "total": 1.0}, "ch08_norms_extra", True),
    (lambda m: sum(norms_loop(m).values()), "ch08_norms_not_dict", False),
    (_zeroing, "ch08_norms_changed_grads", False),
    (nie, "not_implemented", True),
])
def test_grad_norms_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch08.check_grad_norms, fn, hidden).category == category
    named_in_zh_too(ch08.check_grad_norms, fn, hidden, failure, category)


# ---------------------------------------------------------------------- check_model_gradients
def gc_elementwise(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    model.zero_grad()
    loss_fn(model(x), y).backward()
    worst, worst_rel = None, -1.0
    for name, p in model.named_parameters():
        a = np.zeros_like(p.data) if p.grad is None else p.grad
        n = np.zeros_like(p.data)
        for idx in np.ndindex(p.data.shape):
            old = p.data[idx]
            p.data[idx] = old + eps
            up = float(loss_fn(model(x), y).data)
            p.data[idx] = old - eps
            down = float(loss_fn(model(x), y).data)
            p.data[idx] = old
            n[idx] = (up - down) / (2 * eps)
        rel = np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n), 1e-12)
        if rel > worst_rel:
            worst, worst_rel = name, rel
    return bool(worst_rel <= tol), worst, worst_rel


def gc_numerical_grad(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    """Through chainrule.numerical_grad: it perturbs its own copy, so the copy is put into p.data."""
    for p in model.parameters():
        p.grad = None
    loss_fn(model(x), y).backward()
    rels = {}
    for name, p in model.named_parameters():
        original = p.data

        def loss_at(v, p=p):
            p.data = v
            with no_grad():
                return loss_fn(model(x), y).data

        numeric = chainrule.numerical_grad(loss_at, original, eps=eps)
        p.data = original
        a = p.grad
        rels[name] = np.linalg.norm(a - numeric) / max(np.linalg.norm(a), np.linalg.norm(numeric), 1e-12)
    worst = max(rels, key=rels.get)
    return [rels[worst] <= tol, worst, rels[worst]]


def gc_arithmetic(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    """Perturbs by arithmetic (+= eps, -= 2 eps, += eps): other rounding, so other central-difference
    noise than the judge's; parameters in reverse order, norms by hand, the last of equals kept."""
    model.zero_grad()
    loss_fn(model(x), y).backward()
    rels = []
    for name, p in reversed(list(model.named_parameters())):
        a = p.grad.copy()
        n = np.zeros_like(a)
        with no_grad():
            for idx in np.ndindex(a.shape):
                p.data[idx] += eps
                up = loss_fn(model(x), y).item()
                p.data[idx] -= 2 * eps
                down = loss_fn(model(x), y).item()
                p.data[idx] += eps                    # back to within a rounding of the old value
                n[idx] = (up - down) / eps / 2
        rel = np.sqrt(np.sum((a - n) ** 2)) / max(np.sqrt(np.sum(a * a)), np.sqrt(np.sum(n * n)), 1e-12)
        rels.append((float(rel), name))
    rel, worst = max(rels)
    return rel <= tol, worst, rel


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [gc_elementwise, gc_numerical_grad, gc_arithmetic])
def test_check_model_gradients_accepts_correct(fn, hidden, capsys):
    ch08.check_check_model_gradients(fn, hidden=hidden)
    assert "✓ check_model_gradients" in capsys.readouterr().out


def _gc(copy=False, one_sided=False, stale=False, restore=True, elementwise=False, analytic_twice=False):
    def fn(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
        if not stale:
            model.zero_grad()
        loss_fn(model(x), y).backward()
        worst, worst_rel = None, -1.0
        with no_grad():
            base = float(loss_fn(model(x), y).data)
            for name, p in model.named_parameters():
                a = p.grad.copy()
                n = np.zeros_like(a)
                target = p.data.copy() if copy else p.data
                for idx in np.ndindex(a.shape):
                    old = target[idx]
                    target[idx] = old + eps
                    up = float(loss_fn(model(x), y).data)
                    if one_sided:
                        down, step = base, eps
                    else:
                        target[idx] = old - eps
                        down, step = float(loss_fn(model(x), y).data), 2 * eps
                    if restore:
                        target[idx] = old
                    n[idx] = (up - down) / step
                if analytic_twice:
                    n = a.copy()                           # "numerical" = backprop again: finds nothing
                if elementwise:
                    rel = float(np.max(np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-12)))
                else:
                    rel = float(np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n), 1e-12))
                if rel > worst_rel:
                    worst, worst_rel = name, rel
        return worst_rel <= tol, worst, worst_rel
    return fn


def _gc_wrong_worst(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    ok, worst, rel = gc_elementwise(model, x, y, loss_fn, eps, tol)
    names = [n for n, _ in model.named_parameters()]
    return ok, names[(names.index(worst) + 1) % len(names)] if not ok else worst, rel


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_gc(copy=True), "ch08_gc_perturbs_copy"),
    (_gc(one_sided=True), "ch08_gc_one_sided"),
    (_gc(stale=True), "ch08_gc_stale_grads"),
    (_gc(restore=False), "ch08_gc_not_restored"),
    (_gc(analytic_twice=True), "ch08_gc_rel_zero"),      # on the correct model, before any faulty one
    (_gc_wrong_worst, "ch08_gc_wrong_worst"),
    (lambda m, x, y, lf, eps=1e-6, tol=1e-6: gc_elementwise(m, x, y, lf, eps, tol)[:2], "ch08_bad_return"),
    (lambda m, x, y, lf, eps=1e-6, tol=1e-6: (True, 0, 0.0), "ch08_gc_bad_name"),
    (nie, "not_implemented"),
])
def test_check_model_gradients_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch08.check_check_model_gradients, fn, hidden).category == category
    named_in_zh_too(ch08.check_check_model_gradients, fn, hidden, failure, category)


def test_a_check_that_says_ok_with_huge_error_is_rejected(failure):
    def lenient(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
        ok, worst, rel = gc_elementwise(model, x, y, loss_fn, eps, tol)
        return True, worst, rel
    assert failure(ch08.check_check_model_gradients, lenient).category == "ch08_gc_missed_bug"


def test_elementwise_relative_error_is_named_on_the_broken_model(failure):
    # the element-wise definition passes the correct model but reports another error on the broken one
    err = failure(ch08.check_check_model_gradients, _gc(elementwise=True), True)
    assert err.category in ("ch08_gc_rel_definition", "ch08_gc_false_alarm", "ch08_gc_rel_too_large")


def test_broken_models_really_are_broken():
    """Every wrong VJP is found by the reference, on a parameter below it, by an error of order 1
    that depends on the data (not a constant factor anyone could know in advance)."""
    below = {"tanh_at_input": {"fc1.weight", "fc1.bias"}, "tanh_no_square": {"fc1.weight", "fc1.bias"},
             "fc1_one_sample": {"fc1.weight", "fc1.bias"}, "fc2_one_sample": {"fc2.weight", "fc2.bias"},
             "mul_swapped": set(ch08.PARAMS), "mul_forgets_factor": set(ch08.PARAMS) - {"gain"}}
    assert set(below) == set(ch08.VJP_FAULTS)
    loss_fn = lambda o, t: F.mse_loss(o, Tensor(t))    # noqa: E731
    for fault, k in ch08.VJP_FAULTS.items():
        rels = []
        for seed in (5, 6):
            model = ch08.Net(3, 4, 2, seed=seed, vjp=k)
            x = Tensor(np.random.default_rng(seed).standard_normal((4, 3)))
            y = np.random.default_rng(seed + 1).standard_normal((4, 2))
            ok, worst, rel = ch08_ref.ref_check_model_gradients(model, x, y, loss_fn)
            assert not ok and worst in below[fault] and rel > 1e-2, (fault, worst, rel)
            rels.append(rel)
        assert abs(rels[0] - rels[1]) > 1e-3 * rels[0], (fault, rels)


def test_faulty_models_look_like_correct_ones():
    """Same class, same attributes, same printout, same forward values: only the gradients differ."""
    x = np.random.default_rng(0).standard_normal((4, 3))
    good = ch08.Net(3, 4, 2, seed=5)
    for k in ch08.VJP_FAULTS.values():
        bad = ch08.Net(3, 4, 2, seed=5, vjp=k)
        assert type(bad) is type(good) and repr(bad) == repr(good) and sorted(vars(bad)) == sorted(vars(good))
        assert repr(bad._ops) == repr(good._ops)
        assert np.array_equal(bad(Tensor(x)).data, good(Tensor(x)).data)


def test_the_cases_vary_the_wrong_parameter_and_its_error():
    """Which parameter is worst, and by how much, changes from case to case (visible and hidden)."""
    found = []
    for spec in ch08._GC_VISIBLE + ch08_ref.GC_HIDDEN:
        ok, worst, rel = ch08_ref.gc_check_case(spec)
        if spec[-1] is None:
            assert ok and 0 < rel < 1e-7, (spec, rel)
        else:
            assert not ok and rel > 1e-2, (spec, rel)
            found.append((worst, rel))
    assert len({w for w, _ in found}) >= 3
    assert len({round(r, 6) for _, r in found}) == len(found)
    assert any(spec[-1] is None for spec in ch08._GC_VISIBLE) and any(spec[-1] for spec in ch08._GC_VISIBLE)
    assert any(spec[-1] is None for spec in ch08_ref.GC_HIDDEN) and any(spec[-1] for spec in ch08_ref.GC_HIDDEN)


# ---------------------------------------------------------------------- red team (finding F4)
# Answers that never compute a gradient: from what the model shows (its class, its attributes, its
# printout, even its private primitives and its spec), from nothing at all. Each must fail the
# visible and the hidden check: the faulty models look like the correct ones, which parameter is
# wrong changes from case to case, and how wrong depends on the data; on a correct model the judge
# compares rel_error and worst_name with its own central differences.
def rt_class_name(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    n = type(model).__name__                              # the red team's answer, verbatim
    if n == "BrokenGainNet":
        return (False, "gain", 0.5)
    if n == "BrokenLinearNet":
        return (False, "fc2.weight", 0.5)
    return (True, "fc1.weight", 0.0)


_TYPICAL = {}                                             # shape of the model -> what it looked like


def rt_attributes(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    """Tells models apart by everything they show to a print but their sizes: all look the same."""
    seen = (type(model).__name__, tuple(sorted(vars(model))), repr(model._ops),
            tuple(n for n, _ in model.named_parameters()), tuple(type(v).__name__ for v in vars(model).values()))
    first = _TYPICAL.setdefault("first", seen)
    return (True, "fc1.weight", 1e-9) if seen == first else (False, "fc1.weight", 0.5)


def rt_private_primitives(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    """Reads the private internals: which primitive is not chainrule's own, so which side of the graph
    is wrong; then the parameter most often worst there and an error of order 1 (no gradient)."""
    from chainrule.ops import REGISTRY
    wrong = [i for i, op in enumerate(model._ops) if REGISTRY.get(op.name) is not op]
    if not wrong:
        return True, "fc1.weight", 1e-9
    return False, {0: "fc1.bias", 1: "fc1.bias", 2: "fc2.weight", 3: "fc1.weight"}[wrong[0]], 0.8


def rt_spec(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
    """Reads the spec the sandbox rebuilt the model from, and answers with the reference's verdict on
    a model with the same fault and other data (the error a fault "usually" gives)."""
    vjp = model.spec()["vjp"]
    if not vjp:
        return True, "fc1.weight", 1e-9
    other = ch08.Net(*model.sizes, seed=model.seed + 1, vjp=vjp)
    xo = Tensor(np.random.default_rng(0).standard_normal(x.shape))
    return ch08_ref.ref_check_model_gradients(other, xo, y, loss_fn)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [
    rt_class_name, rt_attributes, rt_private_primitives, rt_spec,
    lambda m, x, y, lf, eps=1e-6, tol=1e-6: (True, "fc1.weight", 0.0),
    lambda m, x, y, lf, eps=1e-6, tol=1e-6: (True, "fc1.weight", 1e-9),
    lambda m, x, y, lf, eps=1e-6, tol=1e-6: (False, "gain", 0.5),
])
def test_red_team_answers_without_gradients_fail(fn, hidden, failure):
    _TYPICAL.clear()
    err = failure(ch08.check_check_model_gradients, fn, hidden)
    assert err.category.startswith("ch08_gc_"), (err.category, str(err))


def test_red_team_constant_answer_is_told_why(failure):
    err = failure(ch08.check_check_model_gradients, rt_class_name)
    assert err.category == "ch08_gc_rel_zero" and "exactly 0" in str(err)
    err = failure(ch08.check_check_model_gradients, lambda m, x, y, lf, eps=1e-6, tol=1e-6: (True, "gain", 1e-3))
    assert err.category == "ch08_gc_rel_too_large"


def test_a_rel_error_that_does_not_match_the_gradients_is_named(failure, monkeypatch):
    def scaled(model, x, y, loss_fn, eps=1e-6, tol=1e-6):    # right verdicts, numbers made up
        ok, worst, rel = gc_elementwise(model, x, y, loss_fn, eps, tol)
        return ok, worst, rel / 1000 if ok else rel
    assert failure(ch08.check_check_model_gradients, scaled).category == "ch08_gc_rel_mismatch"

    def bug_scaled(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
        ok, worst, rel = gc_elementwise(model, x, y, loss_fn, eps, tol)
        return ok, worst, rel if ok else rel * 1.01
    assert failure(ch08.check_check_model_gradients, bug_scaled).category == "ch08_gc_bug_rel_mismatch"

    def least_name(model, x, y, loss_fn, eps=1e-6, tol=1e-6):
        ok, worst, rel = gc_elementwise(model, x, y, loss_fn, eps, tol)
        rels = ch08_ref.ref_gc_rels(model, x, y, loss_fn)
        return ok, min(rels, key=rels.get) if ok else worst, rel
    # in the real cases every parameter's noise is within GC_NOISE_FACTOR of the largest (any name
    # passes there); this one-unit Net has an error far smaller than the others
    spec = (16, 6, 1, 1, 1, "mse", None)
    rels = ch08_ref.gc_rels_case(spec)
    assert min(rels.values()) < max(rels.values()) / ch08.GC_NOISE_FACTOR
    monkeypatch.setattr(ch08, "_GC_VISIBLE", [spec])
    err = failure(ch08.check_check_model_gradients, least_name)
    assert err.category == "ch08_gc_worst_mismatch" and err.fields["name"] == max(rels, key=rels.get)


# ---------------------------------------------------------------------- registry and messages
def test_exercises_are_registered():
    from coursekit import checks
    for ex in ("train_steps_fixed", "forward_fixed", "logged_forward_fixed", "grad_norms", "check_model_gradients"):
        assert checks.EXERCISES[ex] == "ch08" and checks.get_check(ex) is getattr(ch08, f"check_{ex}")


def test_every_ch08_category_has_a_message():
    src = inspect.getsource(ch08)
    used = set(re.findall(r'"(ch08_[a-z_0-9.A-Z]+)"', src)) | set(re.findall(r'fail\(\s*"([a-z_0-9]+)"', src))
    prefixes = ("ch08_grad_", "ch08_param_", "ch08_norm_")   # completed with the parameter names
    used -= set(prefixes)
    used |= {p + n for p in prefixes for n in ch08.PARAMS}
    assert "ch08_gc_one_sided" in used and "ch08_inplace_saved" in used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))


@pytest.mark.parametrize("lang, words", [
    ("en", ["train_steps_fixed", "case 1 of 2", "the list of losses", "accumulate", "zero_grad", "Hint"]),
    ("zh", ["train_steps_fixed", "第 1 个用例", "损失列表", "累加", "zero_grad", "提示"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch08.check_train_steps_fixed, _train(zero="never")))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, words", [
    ("en", ["check_model_gradients", "copy", "is zero"]), ("zh", ["check_model_gradients", "副本", "原地"])])
def test_gradient_check_messages_in_both_languages(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch08.check_check_model_gradients, _gc(copy=True)))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, line", [("en", "✓ grad_norms: all 3 hidden tests passed."),
                                        ("zh", "✓ grad_norms\uff1a3 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch08.check_grad_norms(norms_loop, hidden=True)
    assert capsys.readouterr().out.strip() == line
