"""Chapter 4's checks: correct step functions and training loops pass in any style (visible and hidden
cases), every typical mistake fails with the right diagnosis, in both languages; the references agree
with chainrule.optim."""
import inspect
import re

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

import chainrule
from coursekit.checks import ch04, ch04_lists, core
from grader.key import ch04 as key04
from grader.key import ch04 as ch04_ref
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def nie(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------------- sgd_step
def sgd_loops(params, grads, lr):
    out = []
    for p, g in zip(params, grads):
        new = np.empty_like(p)
        for i in np.ndindex(p.shape):
            new[i] = p[i] - lr * g[i]
        out.append(new)
    return out


def sgd_copy_then_in_place(params, grads, lr):
    new = [p.copy() for p in params]
    for p, g in zip(new, grads):
        p -= lr * g
    return tuple(new)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [key04.ref_sgd_step, sgd_loops, sgd_copy_then_in_place,
                                lambda ps, gs, lr: [np.subtract(p, np.multiply(lr, g)) for p, g in zip(ps, gs)]])
def test_sgd_step_accepts_correct(fn, hidden, capsys):
    ch04.check_sgd_step(fn, hidden=hidden)
    assert "✓ sgd_step" in capsys.readouterr().out


def sgd_in_place_none(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g


def sgd_in_place_returned(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g
    return params


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (lambda ps, gs, lr: [p + lr * g for p, g in zip(ps, gs)], "update_sign"),
    (lambda ps, gs, lr: [p - g for p, g in zip(ps, gs)], "missing_lr"),
    (lambda ps, gs, lr: [p.copy() for p in ps], "no_update"),
    (lambda ps, gs, lr: [p - g / lr for p, g in zip(ps, gs)], "lr_divides"),
    (sgd_in_place_none, "optim_in_place"),
    (sgd_in_place_returned, "optim_in_place"),
    (lambda ps, gs, lr: None, "optim_returned_none"),
    (lambda ps, gs, lr: ps[0] - lr * gs[0], "optim_bad_list"),
    (nie, "not_implemented"),
])
def test_sgd_step_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch04.check_sgd_step, fn, hidden).category == category


def test_sgd_step_message_names_array_step_and_values(failure):
    text = str(failure(ch04.check_sgd_step, lambda ps, gs, lr: [p + lr * g for p, g in zip(ps, gs)]))
    assert "sgd_step" in text and "case 1 of 3" in text and "new_params[0] after step 1" in text
    assert "expected" in text and "relative error" in text and "uphill" in text
    wrong = str(failure(ch04.check_sgd_step, lambda ps, gs, lr: [p - lr * g + (0.1 if i else 0)
                                                                   for i, (p, g) in enumerate(zip(ps, gs))]))
    assert "new_params[1] after step 1" in wrong


def test_sgd_step_in_place_message_explains_the_contract(failure):
    text = str(failure(ch04.check_sgd_step, sgd_in_place_returned))
    assert "params[0]" in text and "in place" in text and "p - lr * g" in text


# ---------------------------------------------------------------------- momentum_step
def momentum_loops(params, grads, velocities, lr, momentum):
    new_p, new_v = [], []
    for p, g, v in zip(params, grads, velocities):
        nv = np.zeros_like(v)
        np_ = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            nv[i] = momentum * v[i] + g[i]
            np_[i] = p[i] - lr * nv[i]
        new_p.append(np_)
        new_v.append(nv)
    return new_p, new_v


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [key04.ref_momentum_step, momentum_loops])
def test_momentum_step_accepts_correct(fn, hidden, capsys):
    ch04.check_momentum_step(fn, hidden=hidden)
    assert "✓ momentum_step" in capsys.readouterr().out


def _mom(v_rule, p_rule):
    def fn(params, grads, velocities, lr, mu):
        new_v = [v_rule(v, g, lr, mu) for v, g in zip(velocities, grads)]
        return [p_rule(p, v, nv, g, lr) for p, v, nv, g in zip(params, velocities, new_v, grads)], new_v
    return fn


RIGHT_V = lambda v, g, lr, mu: mu * v + g          # noqa: E731
RIGHT_P = lambda p, v, nv, g, lr: p - lr * nv      # noqa: E731


def momentum_in_place(params, grads, velocities, lr, mu):
    for v, g in zip(velocities, grads):
        v *= mu
        v += g
    return [p - lr * v for p, v in zip(params, velocities)], velocities


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_mom(lambda v, g, lr, mu: mu * v - lr * g, lambda p, v, nv, g, lr: p + nv), "momentum_convention"),
    (_mom(lambda v, g, lr, mu: mu * v + lr * g, lambda p, v, nv, g, lr: p - nv), "momentum_lr_in_velocity"),
    (_mom(lambda v, g, lr, mu: mu * v + (1 - mu) * g, RIGHT_P), "momentum_dampened"),
    (_mom(lambda v, g, lr, mu: mu * v - g, lambda p, v, nv, g, lr: p + lr * nv), "momentum_velocity_sign"),
    (_mom(lambda v, g, lr, mu: v.copy(), RIGHT_P), "momentum_velocity_not_updated"),
    (_mom(RIGHT_V, lambda p, v, nv, g, lr: p + lr * nv), "update_sign"),
    (_mom(RIGHT_V, lambda p, v, nv, g, lr: p - lr * v), "momentum_old_velocity"),
    (_mom(RIGHT_V, lambda p, v, nv, g, lr: p - lr * g), "momentum_not_used"),
    (_mom(RIGHT_V, lambda p, v, nv, g, lr: p - nv), "missing_lr"),
    (momentum_in_place, "optim_in_place"),
    (lambda ps, gs, vs, lr, mu: key04.ref_momentum_step(ps, gs, vs, lr, mu)[0], "optim_bad_return"),
    (nie, "not_implemented"),
])
def test_momentum_step_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch04.check_momentum_step, fn, hidden).category == category


def test_momentum_convention_message_explains_both_conventions(failure):
    err = failure(ch04.check_momentum_step, _mom(lambda v, g, lr, mu: mu * v - lr * g, lambda p, v, nv, g, lr: p + nv))
    text = str(err)
    assert "new_velocities[0] after step 1" in text and "v ← μ·v + g" in text and "v ← μ·v − η·g" in text
    assert "torch.optim.SGD" in text


# ---------------------------------------------------------------------- adam_step
def adam_pytorch_order(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """torch's order of operations: step_size = lr / bc1, denom = sqrt(v) / sqrt(bc2) + eps."""
    new_m = [mi + (1 - beta1) * (g - mi) for mi, g in zip(m, grads)]
    new_v = [beta2 * vi + (1 - beta2) * np.square(g) for vi, g in zip(v, grads)]
    step_size = lr / (1 - beta1 ** t)
    denoms = [np.sqrt(vi) / np.sqrt(1 - beta2 ** t) + eps for vi in new_v]
    return [p - step_size * mi / d for p, mi, d in zip(params, new_m, denoms)], new_m, new_v


def adam_loops(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    out = ([], [], [])
    for p, g, mi, vi in zip(params, grads, m, v):
        np_, nm, nv = np.empty_like(p), np.empty_like(p), np.empty_like(p)
        for i in np.ndindex(p.shape):
            nm[i] = beta1 * mi[i] + (1 - beta1) * g[i]
            nv[i] = beta2 * vi[i] + (1 - beta2) * g[i] ** 2
            np_[i] = p[i] - lr * (nm[i] / (1 - beta1 ** t)) / ((nv[i] / (1 - beta2 ** t)) ** 0.5 + eps)
        for lst, a in zip(out, (np_, nm, nv)):
            lst.append(a)
    return out


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [key04.ref_adam_step, adam_pytorch_order, adam_loops])
def test_adam_step_accepts_correct(fn, hidden, capsys):
    ch04.check_adam_step(fn, hidden=hidden)
    assert "✓ adam_step" in capsys.readouterr().out


def _adam(mistake):
    def fn(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        out = [ch04_ref.adam_variant(p, g, mi, vi, t, lr, beta1, beta2, eps, mistake)
               for p, g, mi, vi in zip(params, grads, m, v)]
        return [o[0] for o in out], [o[1] for o in out], [o[2] for o in out]
    return fn


def adam_stores_corrected(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_p, new_m, new_v = key04.ref_adam_step(params, grads, m, v, t, lr, beta1, beta2, eps)
    return new_p, [mi / (1 - beta1 ** t) for mi in new_m], new_v


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_adam("no_bias_correction"), "adam_no_bias_correction"),
    (_adam("only_m_corrected"), "adam_half_bias_correction"),
    (_adam("only_v_corrected"), "adam_half_bias_correction"),
    (_adam("t_minus_1"), "adam_step_index"),        # step index from 0: 1 - beta**0 = 0 at step 1
    (_adam("t_plus_1"), "adam_step_index"),
    (_adam("beta_not_one_minus"), "adam_beta_weights"),
    (_adam("beta_swapped"), "adam_beta_weights"),
    (_adam("not_squared"), "adam_v_not_squared"),
    (_adam("square_outside"), "adam_square_placement"),
    (_adam("missing_sqrt"), "adam_missing_sqrt"),
    (_adam("eps_inside_sqrt"), "adam_eps_placement"),
    (_adam("eps_before_correction"), "adam_eps_placement"),
    (_adam("sign"), "update_sign"),
    (adam_stores_corrected, "adam_stored_corrected"),
    (lambda ps, gs, m, v, t, lr, **kw: key04.ref_adam_step(ps, gs, m, v, t, lr, **kw)[:2], "optim_bad_return"),
    (nie, "not_implemented"),
])
def test_adam_step_rejects_mistakes(fn, category, hidden, failure):
    with np.errstate(all="ignore"):
        assert failure(ch04.check_adam_step, fn, hidden).category == category


def test_adam_bias_correction_is_caught_at_step_1(failure):
    err = failure(ch04.check_adam_step, _adam("no_bias_correction"))
    assert "new_params[0] after step 1" in str(err) and "1 − β1^t" in str(err)


def test_adam_step_index_from_zero_is_caught_before_the_nan(failure):
    with np.errstate(all="ignore"):
        text = str(failure(ch04.check_adam_step, _adam("t_minus_1")))
    assert "1 − β^0 = 0" in text and "NaN" in text


def test_adam_stored_corrected_names_the_moment(failure):
    text = str(failure(ch04.check_adam_step, adam_stores_corrected))
    assert "new_m[0] after step 1" in text and "uncorrected" in text


# ---------------------------------------------------------------------- train_minibatch
def loop_shuffle_in_place(x, y, params, loss_and_grad, lr, batch_size, epochs, seed=0):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    idx_all = np.arange(n)
    losses = []
    for _ in range(epochs):
        rng.shuffle(idx_all)
        i = 0
        while i < n:
            idx = idx_all[i:i + batch_size]
            loss, grads = loss_and_grad(params, x[idx], y[idx])
            params = [p - lr * g for p, g in zip(params, grads)]
            losses.append(loss)
            i += batch_size
    return params, {"losses": losses, "iterations": len(losses), "epochs": epochs}


def loop_global_seeded(x, y, params, loss_and_grad, lr, batch_size, epochs, seed=0):
    np.random.seed(seed)
    n, count, losses = len(x), 0, []
    params = [p.copy() for p in params]
    for _ in range(epochs):
        order = np.random.permutation(n)
        for b in range(int(np.ceil(n / batch_size))):
            idx = order[b * batch_size:(b + 1) * batch_size]
            loss, grads = loss_and_grad(params, x[idx], y[idx])
            for p, g in zip(params, grads):
                p -= lr * g             # in place on its own copies: allowed
            losses.append(loss)
            count += 1
    return params, {"epochs": epochs, "iterations": count, "losses": np.array(losses)}


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [key04.ref_train_minibatch, loop_shuffle_in_place, loop_global_seeded])
def test_train_minibatch_accepts_correct(fn, hidden, capsys):
    ch04.check_train_minibatch(fn, hidden=hidden)
    assert "✓ train_minibatch" in capsys.readouterr().out


def _loop(drop_last=False, shuffle="epoch", count="calls", separate_y=False, replace=False, update=True,
          sign=1.0, reset_counter=False, seed_fixed=None, per_epoch_losses=False, extra_epoch=False,
          return_start=False, in_place=False, log_as_list=False, skip_y=False):
    """The reference loop with one typical mistake switched on."""
    def fn(x, y, params, loss_and_grad, lr, batch_size, epochs, seed=0):
        rng = np.random.default_rng(seed if seed_fixed is None else seed_fixed)
        n, losses, iterations, p = len(x), [], 0, params
        fixed = rng.permutation(n)
        for _ in range(epochs + (1 if extra_epoch else 0)):
            if reset_counter:
                iterations = 0
            order = {"epoch": lambda: rng.permutation(n), "once": lambda: fixed,
                     "reseed": lambda: np.random.default_rng(seed).permutation(n),
                     "global": lambda: np.random.permutation(n), "none": lambda: np.arange(n)}[shuffle]()
            epoch_losses = []
            for start in range(0, n - batch_size + 1 if drop_last else n, batch_size):
                idx = order[start:start + batch_size]
                if replace:
                    idx = rng.integers(0, n, len(idx))
                y_idx = rng.permutation(n)[:len(idx)] if separate_y else idx
                loss, grads = loss_and_grad(p, x[idx], y[y_idx])
                if in_place:
                    for a, g in zip(p, grads):
                        a -= lr * g
                new = [a - sign * lr * g for a, g in zip(p, grads)]
                if update and not in_place:
                    p = new
                losses.append(loss)
                epoch_losses.append(loss)
                iterations += 1
            if per_epoch_losses:
                losses = losses[:-len(epoch_losses)] + [float(np.mean(epoch_losses))]
        total = {"calls": iterations, "samples": epochs * n, "floor": epochs * (n // batch_size),
                 "epochs": epochs}[count]
        log = {"epochs": epochs, "iterations": total, "losses": losses}
        return (params if return_start else p), ([log] if log_as_list else log)
    return fn


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_loop(drop_last=True), "loop_dropped_last_batch"),
    (_loop(shuffle="none"), "loop_not_shuffled"),
    (_loop(shuffle="once"), "loop_not_reshuffled"),
    (_loop(shuffle="reseed"), "loop_not_reshuffled"),
    (_loop(shuffle="global"), "loop_not_seeded"),
    (_loop(seed_fixed=0), "loop_seed_ignored"),
    (_loop(separate_y=True), "xy_mismatch"),
    (_loop(replace=True), "loop_not_a_partition"),
    (_loop(update=False), "loop_params_not_updated"),
    (_loop(sign=-1.0), "update_sign"),
    (_loop(reset_counter=True), "loop_iterations_per_epoch_only"),
    (_loop(count="samples"), "loop_iterations_counted_samples"),
    (_loop(count="floor"), "loop_iterations_floor"),
    (_loop(count="epochs"), "loop_iterations_counted_epochs"),
    (_loop(per_epoch_losses=True), "loop_losses_per_epoch"),
    (_loop(extra_epoch=True), "loop_epoch_count"),
    (_loop(return_start=True), "loop_returned_start"),
    (_loop(in_place=True), "optim_in_place"),
    (_loop(log_as_list=True), "loop_log_not_dict"),
    (lambda x, y, params, f, lr, b, e, seed=0: (params, {}), "loop_no_calls"),
    (nie, "not_implemented"),
])
def test_train_minibatch_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch04.check_train_minibatch, fn, hidden).category == category


def test_dropped_batch_message_counts_with_numbers(failure):
    text = str(failure(ch04.check_train_minibatch, _loop(drop_last=True)))
    assert "N = 10" in text and "B = 4" in text and "⌈N/B⌉ = 3" in text and "2 full batches" in text


def test_iteration_count_message_shows_expected_and_got(failure):
    text = str(failure(ch04.check_train_minibatch, _loop(count="floor")))
    assert "log['iterations']: expected 6, got 4" in text and "⌈N/B⌉ = 3" in text


def test_one_batch_per_epoch_needs_no_shuffling(capsys):
    """With B >= N the order inside the only batch changes nothing: an unshuffled loop passes those cases."""
    from coursekit.checks.core import Case
    for seed, n, d, b, epochs, lr in ch04_ref.LOOP_HIDDEN:
        if b < n:
            continue
        x, y, params = ch04._loop_data(seed, n, d)
        rec = ch04.Recorder(x, y, len(params))
        got = _loop(shuffle="none")(x, y, params, rec, lr, b, epochs)
        ch04._judge_loop_run(rec, got, (x.copy(), y.copy(), [p.copy() for p in params]), n, b, epochs, lr,
                             Case("train_minibatch", 1, 1, ""))


# ---------------------------------------------------------------------- references, registry, messages
def test_references_agree_with_chainrule_optim():
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    grads_seq = [[rng.standard_normal((3, 2)), rng.standard_normal(4)] for _ in range(4)]
    for kind, settings in [("sgd", {"lr": 0.1, "momentum": 0.9}), ("adam", {"lr": 0.01, "betas": (0.8, 0.99)})]:
        ts = [chainrule.Tensor(p.copy(), requires_grad=True) for p in params]
        opt = chainrule.optim.SGD(ts, **settings) if kind == "sgd" else chainrule.optim.Adam(ts, **settings)
        mine, state = [p.copy() for p in params], ([np.zeros_like(p) for p in params],) * 2
        for t, grads in enumerate(grads_seq, start=1):
            for tensor, g in zip(ts, grads):
                tensor.grad = g
            opt.step()
            if kind == "sgd":
                mine, vel = key04.ref_momentum_step(mine, grads, state[0], 0.1, 0.9)
                state = (vel,)
            else:
                mine, m, v = key04.ref_adam_step(mine, grads, state[0], state[1], t, 0.01, 0.8, 0.99)
                state = (m, v)
            for tensor, p in zip(ts, mine):
                np.testing.assert_allclose(tensor.data, p, rtol=1e-12, atol=1e-14)


def test_exercises_are_registered():
    from coursekit import checks
    for ex in ("sgd_step", "momentum_step", "adam_step", "train_minibatch"):
        assert checks.EXERCISES[ex] == "ch04" and checks.get_check(ex) is getattr(ch04, f"check_{ex}")


def test_every_ch04_category_has_a_message():
    src = inspect.getsource(ch04) + inspect.getsource(ch04_lists)   # the returned lists are judged in ch04_lists
    used = set(re.findall(r'\("([a-z_0-9]+)",\s*(?:lambda|variant\()', src))
    used |= set(re.findall(r'fail\(\s*"([a-z_0-9]+)"', src)) | set(re.findall(r'"(what_[a-z_0-9]+)"', src))
    used |= {"loop_iterations_per_epoch_only", "loop_iterations_counted_samples", "loop_iterations_floor",
             "loop_iterations_counted_epochs", "adam_stored_corrected", "adam_moment_not_updated", "xy_mismatch"}
    used -= {"sgd_step", "momentum_step", "adam_step", "train_minibatch"}   # case ids
    assert {"momentum_convention", "adam_step_index", "loop_dropped_last_batch", "optim_in_place"} <= used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))


@pytest.mark.parametrize("lang, words", [
    ("en", ["adam_step", "case 1 of 3", "new_params[0] after step 1", "worst is at index", "expected",
            "relative error", "Hint", "bias correction"]),
    ("zh", ["adam_step", "第 1 个用例", "第 1 步之后的 new_params[0]", "误差最大的在索引", "期望", "相对误差", "提示",
            "偏差修正"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch04.check_adam_step, _adam("no_bias_correction")))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, words", [
    ("en", ["train_minibatch", "partial batch", "⌈N/B⌉ = 3"]),
    ("zh", ["train_minibatch", "不满的批次", "⌈N/B⌉ = 3"]),
])
def test_loop_message_in_both_languages(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch04.check_train_minibatch, _loop(drop_last=True)))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, line", [("en", "✓ momentum_step: all 5 hidden tests passed."),
                                        ("zh", "✓ momentum_step\uff1a5 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch04.check_momentum_step(key04.ref_momentum_step, hidden=True)
    assert capsys.readouterr().out.strip() == line



# ---------------------------------------------------------------------- each exercise's own sign and step-size hints
def _negate(fn, which):
    """fn with element ``which`` of its returned tuple (or its returned list, which=None) negated."""
    def wrong(*args, **kwargs):
        out = fn(*args, **kwargs)
        if which is None:
            return [-a for a in out]
        out = list(out)
        out[which] = [-a for a in out[which]]
        return tuple(out)
    return wrong


def _scaled_step(fn, factor, which=None):
    """fn whose new parameters moved ``factor`` times as far as they should."""
    def wrong(params, *args, **kwargs):
        out = fn(params, *args, **kwargs)
        new = out if which is None else out[which]
        moved = [p + factor * (n - p) for p, n in zip(params, new)]
        return moved if which is None else (moved, *out[1:])
    return wrong


OWN_HINTS = [
    (ch04.check_sgd_step, _negate(key04.ref_sgd_step, None), "sgd_params_negated"),
    (ch04.check_sgd_step, _scaled_step(key04.ref_sgd_step, 2), "sgd_step_scaled"),
    (ch04.check_sgd_step, _scaled_step(key04.ref_sgd_step, 0.5), "sgd_step_scaled"),
    (ch04.check_momentum_step, _negate(key04.ref_momentum_step, 0), "momentum_params_negated"),
    (ch04.check_momentum_step, _negate(key04.ref_momentum_step, 1), "momentum_velocity_sign"),  # −g at step 1
    (ch04.check_momentum_step, _scaled_step(key04.ref_momentum_step, 2, 0), "momentum_step_scaled"),
    (ch04.check_adam_step, _negate(key04.ref_adam_step, 0), "adam_params_negated"),
    (ch04.check_adam_step, _negate(key04.ref_adam_step, 1), "adam_moment_negated"),
    (ch04.check_adam_step, _negate(key04.ref_adam_step, 2), "adam_moment_negated"),
    (ch04.check_adam_step, _scaled_step(key04.ref_adam_step, 2, 0), "adam_step_scaled"),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check, fn, category", OWN_HINTS)
def test_each_optimizer_names_a_negated_result_and_a_wrong_step_size(check, fn, category, hidden, failure):
    with np.errstate(all="ignore"):
        assert failure(check, fn, hidden).category == category


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("check, fn, category", OWN_HINTS)
def test_own_hints_speak_the_notebook_language(check, fn, category, lang, failure):
    from coursekit.checks.messages import MESSAGES
    core.set_language(lang)
    with np.errstate(all="ignore"):
        err = failure(check, fn)
    text = str(err)
    assert err.category == category and MESSAGES[lang][category].split("{")[-1][-12:] in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) == (lang == "zh")
