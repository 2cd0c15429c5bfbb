"""Checks for chapter 4 (gradient descent and optimizers).

Conventions (the same as the chapter's docstrings):

    params, grads, velocities, m, v: lists of NumPy arrays, one per parameter (element i of each
    has the shape of params[i]). A step function RETURNS new arrays and leaves all of its
    arguments unchanged: no in-place update (``chainrule.optim`` and ``torch.optim`` update in
    place on purpose; these functions do not).

    check_sgd_step(fn)        fn(params, grads, lr) -> new_params;              θ ← θ − η·g
    check_momentum_step(fn)   fn(params, grads, velocities, lr, momentum) -> (new_params, new_velocities)
                              PyTorch's convention: v ← μ·v + g, θ ← θ − η·v (velocities start at 0)
    check_adam_step(fn)       fn(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8)
                              -> (new_params, new_m, new_v); t is the number of this step, 1 at the first;
                              m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², m̂ = m / (1 − β1^t),
                              v̂ = v / (1 − β2^t), θ ← θ − η·m̂ / (√v̂ + ε); m and v hold the UNcorrected moments
    check_train_minibatch(fn) fn(x, y, params, loss_and_grad, lr, batch_size, epochs, seed=0) -> (params, log)
                              one new permutation of the N samples per epoch; batches are consecutive
                              slices of it, the last one holding the N mod B samples left over (kept);
                              each iteration: loss, grads = loss_and_grad(params, xb, yb), then
                              params ← [p − lr·g]; log = {"epochs": E, "iterations": E·⌈N/B⌉,
                              "losses": [the loss of every iteration, in order]}

How the judging works
---------------------
The references, chainrule.optim as the judge, Adam's typical mistakes and the hidden cases live in
:mod:`grader.key.ch04`; reading and judging the returned lists in :mod:`.ch04_lists`.

The three step checks run several steps from seeded parameters, feeding your returned state back
into your function, and compare after every step with ``chainrule.optim.SGD`` (with
``momentum=μ``) and ``chainrule.optim.Adam`` run on the same gradients: the new parameters, and
the optimizer's state (its momentum buffer, its ``exp_avg`` and ``exp_avg_sq``). Step 1 is where
Adam's bias correction matters most. The first value that differs is diagnosed against the
typical mistakes computed from the state before that step (a + where a − belongs, a missing or
misplaced bias correction, β where 1 − β belongs, the other momentum convention, ...).

The training-loop check gives your function a ``loss_and_grad`` that records every batch it is
called with: from those it checks the number of iterations per epoch (⌈N/B⌉, the last partial
batch included), that every epoch visits every sample exactly once in a new shuffled order, that
the same seed gives the same batches (and another seed other batches), that each iteration starts
from the parameters of the previous update, and your returned parameters and log. Any shuffling
method passes: only these properties are checked.
"""
from __future__ import annotations

import functools

import numpy as np

from coursekit.ch04 import Recorder, linear_loss_and_grad

from .core import call, cases, detail_lines, fmt, judge, passed
from .ch04_lists import copies as _copies, describe as _describe, judge_list as _judge_list
from .ch04_lists import shapes_text as _shapes_text, unpack as _unpack, untouched as _untouched
from .ch04_lists import untouched_array as _untouched_array
from .answers import check, hidden_cases, mode, reference
KEY = hidden_cases("ch04")  # the hidden cases: grader.key.ch04, where the grader runs
(adam_variant, optim_run, optim_verified, ref_adam_step, ref_momentum_step, ref_sgd_step,
 ref_train_minibatch) = reference(
    "ch04", "adam_variant", "optim_run", "optim_verified", "ref_adam_step", "ref_momentum_step", "ref_sgd_step",
    "ref_train_minibatch")

__all__ = ["check_sgd_step", "check_momentum_step", "check_adam_step", "check_train_minibatch", "linear_loss_and_grad"]


def _safety_net(verify):
    """Our own check that chainrule.optim and the key's formulas agree, where the key is installed (the
    recorded answers were made there)."""
    if mode() == "key":
        verify()


# ---------------------------------------------------------------------- seeded cases
def _case_data(seed, shapes, steps):
    """Starting parameters and one list of gradients per step; gradient entries are kept away from
    0 (|g| ≥ 0.1 × scale) and have different scales per parameter, as real gradients do."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) for s in shapes]
    scales = [float(s) for s in rng.choice([0.3, 1.0, 4.0], size=len(shapes))]
    grad_seq = []
    for _ in range(steps):
        grads = []
        for s, scale in zip(shapes, scales):
            mag = rng.uniform(0.1, 2.0, s) * scale
            grads.append(np.where(rng.random(s) < 0.5, -mag, mag))
        grad_seq.append(grads)
    return params, grad_seq


# ---------------------------------------------------------------------- sgd_step
# (seed, shapes, lr, steps)
_SGD_VISIBLE = [(1, [(3, 2), (2,)], 0.1, 3), (2, [(4,)], 0.5, 3), (3, [(2, 3), (3,), (1,)], 0.01, 2)]


@check
def check_sgd_step(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.SGD_HIDDEN if hidden else _SGD_VISIBLE
    descs = [f"params {_shapes_text(sh)}, lr = {lr}, {steps} steps" for _, sh, lr, steps in specs]
    for case, (seed, shapes, lr, steps) in zip(cases("sgd_step", descs), specs):
        params0, grad_seq = _case_data(seed, shapes, steps)
        reference = optim_run("sgd", params0, grad_seq, lr=lr)
        params = _copies(params0)
        for t, (grads, ref) in enumerate(zip(grad_seq, reference), start=1):
            before = reference[t - 2]["params"] if t > 1 else params0
            _safety_net(lambda: optim_verified(ref["params"], ref_sgd_step(before, grads, lr), "sgd step"))
            args = (_copies(params), _copies(grads), lr)
            got = call(fn, args, case)
            _untouched(params, args[0], "params", case)
            _untouched(grads, args[1], "grads", case)

            def alternatives(i, p=params, g=grads):
                return [("update_sign", lambda: p[i] + lr * g[i], {}),
                        ("missing_lr", lambda: p[i] - g[i], {}),
                        ("no_update", lambda: p[i], {}),
                        ("lr_divides", lambda: p[i] - g[i] / lr, {})]
            params = _judge_list(ref["params"], got, "new_params", t, case, alternatives, start=params)
    passed("sgd_step", len(specs), hidden)


# ---------------------------------------------------------------------- momentum_step
# (seed, shapes, lr, momentum, steps)
_MOM_VISIBLE = [(1, [(3, 2), (2,)], 0.03, 0.9, 4), (2, [(4,)], 0.05, 0.5, 3), (3, [(2, 3), (1,)], 0.3, 0.99, 3)]


@check
def check_momentum_step(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.MOM_HIDDEN if hidden else _MOM_VISIBLE
    descs = [f"params {_shapes_text(sh)}, lr = {lr}, momentum = {mu}, velocities start at 0, {steps} steps"
             for _, sh, lr, mu, steps in specs]
    for case, (seed, shapes, lr, mu, steps) in zip(cases("momentum_step", descs), specs):
        params0, grad_seq = _case_data(seed, shapes, steps)
        reference = optim_run("sgd", params0, grad_seq, lr=lr, momentum=mu)
        params, velocities = _copies(params0), [np.zeros(s) for s in shapes]
        for t, (grads, ref) in enumerate(zip(grad_seq, reference), start=1):
            before = reference[t - 2] if t > 1 else {"params": params0, "velocities": velocities}
            _safety_net(lambda: optim_verified(ref["params"] + ref["velocities"], sum(ref_momentum_step(
                before["params"], grads, before["velocities"], lr, mu), []), "momentum step"))
            r_params, r_vel = ref["params"], ref["velocities"]
            # the right new velocities from the state before this step (the learner's, up to round-off: their
            # earlier steps passed), for the diagnosis only
            nv_right = functools.cache(lambda b=before: ref_momentum_step(b["params"], grads, b["velocities"], lr, mu)[1])
            args = (_copies(params), _copies(grads), _copies(velocities), lr, mu)
            got = call(fn, args, case)
            for saved, passed_, name in zip((params, grads, velocities), args, ("params", "grads", "velocities")):
                _untouched(saved, passed_, name, case)
            new_params, new_velocities = _unpack(got, ("new_params", "new_velocities"), case)

            def v_alternatives(i, v=velocities, g=grads):
                return [("momentum_convention", lambda: mu * v[i] - lr * g[i], {"lr": lr, "mu": mu}),
                        ("momentum_lr_in_velocity", lambda: mu * v[i] + lr * g[i], {"lr": lr, "mu": mu}),
                        ("momentum_dampened", lambda: mu * v[i] + (1 - mu) * g[i], {"mu": mu}),
                        ("momentum_velocity_sign", lambda: mu * v[i] - g[i], {"mu": mu}),
                        ("momentum_velocity_not_updated", lambda: v[i], {})]
            got_v = _judge_list(r_vel, new_velocities, "new_velocities", t, case, v_alternatives)

            def p_alternatives(i, p=params, v=velocities, g=grads, nv=nv_right):
                return [("update_sign", lambda: p[i] + lr * nv()[i], {}),
                        ("momentum_old_velocity", lambda: p[i] - lr * v[i], {}),
                        ("momentum_not_used", lambda: p[i] - lr * g[i], {}),
                        ("missing_lr", lambda: p[i] - nv()[i], {}),
                        ("no_update", lambda: p[i], {})]
            params = _judge_list(r_params, new_params, "new_params", t, case, p_alternatives, start=params)
            velocities = got_v
    passed("momentum_step", len(specs), hidden)


# ---------------------------------------------------------------------- adam_step
# (seed, shapes, lr, beta1, beta2, eps, steps)
_ADAM_VISIBLE = [(1, [(3, 2), (2,)], 0.01, 0.9, 0.999, 1e-8, 4), (2, [(4,)], 0.1, 0.5, 0.9, 1e-8, 3),
                 (3, [(2, 3), (1,)], 0.001, 0.9, 0.999, 1e-3, 3)]


@check
def check_adam_step(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.ADAM_HIDDEN if hidden else _ADAM_VISIBLE
    descs = [f"params {_shapes_text(sh)}, lr = {lr}, beta1 = {b1}, beta2 = {b2}, eps = {eps}, m and v start at 0, "
             f"t = 1..{steps}" for _, sh, lr, b1, b2, eps, steps in specs]
    for case, (seed, shapes, lr, b1, b2, eps, steps) in zip(cases("adam_step", descs), specs):
        params0, grad_seq = _case_data(seed, shapes, steps)
        reference = optim_run("adam", params0, grad_seq, lr=lr, betas=(b1, b2), eps=eps)
        params, m, v = _copies(params0), [np.zeros(s) for s in shapes], [np.zeros(s) for s in shapes]
        for t, (grads, ref) in enumerate(zip(grad_seq, reference), start=1):
            zeros = [np.zeros(sh) for sh in shapes]
            before = reference[t - 2] if t > 1 else {"params": params0, "m": zeros, "v": zeros}
            _safety_net(lambda: optim_verified(ref["params"] + ref["m"] + ref["v"], sum(ref_adam_step(
                before["params"], grads, before["m"], before["v"], t, lr, b1, b2, eps), []), "adam step"))
            r_p, r_m, r_v = ref["params"], ref["m"], ref["v"]
            args = (_copies(params), _copies(grads), _copies(m), _copies(v), t, lr)
            kwargs = {"beta1": b1, "beta2": b2, "eps": eps}
            got = call(fn, args, case, kwargs)
            for saved, passed_, name in zip((params, grads, m, v), args, ("params", "grads", "m", "v")):
                _untouched(saved, passed_, name, case)
            new_p, new_m, new_v = _unpack(got, ("new_params", "new_m", "new_v"), case)
            fields = {"b1": b1, "b2": b2, "eps": eps}

            # a typical mistake from the state before this step: the reference's (the learner's, up to
            # round-off, since their earlier steps passed), so that it is the same where the key is not
            def variant(mistake, i, which, b=before, g=grads, t=t):
                return lambda: adam_variant(b["params"][i], g[i], b["m"][i], b["v"][i], t, lr, b1, b2, eps, mistake)[which]

            def m_alternatives(i):
                return [("adam_beta_weights", variant("beta_not_one_minus", i, 1), fields),
                        ("adam_beta_weights", variant("beta_swapped", i, 1), fields),
                        ("adam_stored_corrected", lambda: r_m[i] / (1 - b1 ** t), fields),
                        ("adam_moment_not_updated", lambda: m[i], fields)]
            m_got = _judge_list(r_m, new_m, "new_m", t, case, m_alternatives)

            def v_alternatives(i):
                return [("adam_v_not_squared", variant("not_squared", i, 2), fields),
                        ("adam_square_placement", variant("square_outside", i, 2), fields),
                        ("adam_beta_weights", variant("beta_not_one_minus", i, 2), fields),
                        ("adam_beta_weights", variant("beta_swapped", i, 2), fields),
                        ("adam_stored_corrected", lambda: r_v[i] / (1 - b2 ** t), fields),
                        ("adam_moment_not_updated", lambda: v[i], fields)]
            v_got = _judge_list(r_v, new_v, "new_v", t, case, v_alternatives)

            _adam_step_index_nan(new_p, t, case, fields)

            def p_alternatives(i):
                return [("adam_no_bias_correction", variant("no_bias_correction", i, 0), fields),
                        ("adam_half_bias_correction", variant("only_m_corrected", i, 0), fields),
                        ("adam_half_bias_correction", variant("only_v_corrected", i, 0), fields),
                        ("adam_step_index", variant("t_plus_1", i, 0), fields),
                        ("adam_step_index", variant("t_minus_1", i, 0), fields),
                        ("adam_missing_sqrt", variant("missing_sqrt", i, 0), fields),
                        ("adam_eps_placement", variant("eps_inside_sqrt", i, 0), fields),
                        ("adam_eps_placement", variant("eps_before_correction", i, 0), fields),
                        ("update_sign", variant("sign", i, 0), fields),
                        ("no_update", lambda: params[i], fields)]
            params = _judge_list(r_p, new_p, "new_params", t, case, p_alternatives, start=params)
            m, v = m_got, v_got
    passed("adam_step", len(specs), hidden)


def _adam_step_index_nan(new_p, t, case, fields):
    """At step 1, 1 − β^(t − 1) = 0: a step index counted from 0 divides by zero (NaN or inf)."""
    __tracebackhide__ = True
    if t != 1 or not isinstance(new_p, (list, tuple)):
        return
    try:
        with np.errstate(all="ignore"):
            bad = any(not np.all(np.isfinite(np.asarray(p, dtype=np.float64))) for p in new_p)
    except (TypeError, ValueError):
        return
    if bad:
        case.fail("adam_step_index", [], name="new_params", t=t, **fields)


# ---------------------------------------------------------------------- train_minibatch
# (seed, N, D, batch_size, epochs, lr)
_LOOP_VISIBLE = [(1, 10, 3, 4, 2, 0.1), (2, 12, 2, 4, 2, 0.05), (3, 7, 2, 1, 2, 0.05)]
_SEEDS = (7, 8)   # the seeds the check passes: the same one twice, then another


def _loop_data(seed, n, d):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = x @ rng.standard_normal(d) + 0.5 + 0.3 * rng.standard_normal(n)
    y = y + 1e-3 * np.arange(n)   # every target distinct: they identify the samples of a batch
    params = [0.5 * rng.standard_normal(d), np.array([0.1])]
    return x, y, params


def _batch_sets(calls):
    """The batches in order, each as a set of sample indices (the order inside a batch changes nothing)."""
    return [frozenset(c[1].tolist()) for c in calls]


def _expected_sizes(n, b):
    return [min(b, n - s) for s in range(0, n, b)]


@check
def check_train_minibatch(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.LOOP_HIDDEN if hidden else _LOOP_VISIBLE
    descs = [f"N = {n}, x {(n, d)}, batch_size = {b}, epochs = {e}, lr = {lr}" for _, n, d, b, e, lr in specs]
    for case, (seed, n, d, b, epochs, lr) in zip(cases("train_minibatch", descs), specs):
        runs = []
        for run_seed in (_SEEDS[0], _SEEDS[0], _SEEDS[1]):
            x, y, params0 = _loop_data(seed, n, d)
            saved = (x.copy(), y.copy(), _copies(params0))
            rec = Recorder(x, y, len(params0))
            got = call(fn, (x, y, params0, rec, lr, b, epochs), case, {"seed": run_seed})
            _untouched_array(saved[0], x, "x", case)
            _untouched_array(saved[1], y, "y", case)
            _untouched(saved[2], params0, "params", case)
            runs.append((rec, got, saved))
            if len(runs) == 1:   # judge the first run in full before comparing runs
                _judge_loop_run(rec, got, saved, n, b, epochs, lr, case)
        if len(_expected_sizes(n, b)) > 1:   # with one batch per epoch the order changes nothing
            batches = [_batch_sets(rec.calls) for rec, _, _ in runs]
            if batches[0] != batches[1]:
                case.fail("loop_not_seeded", seed=_SEEDS[0])
            if batches[0] == batches[2]:
                case.fail("loop_seed_ignored", seed=_SEEDS[0], seed2=_SEEDS[1])
    passed("train_minibatch", len(specs), hidden)


def _judge_loop_run(rec, got, saved, n, b, epochs, lr, case):
    __tracebackhide__ = True
    params0 = saved[2]
    sizes = [len(c[1]) for c in rec.calls]
    want = _expected_sizes(n, b)
    per_epoch = len(want)
    fields = {"n": n, "b": b, "epochs": epochs, "per_epoch": per_epoch, "full": n // b, "rest": n % b,
              "total": epochs * per_epoch, "calls": len(sizes)}
    # 1. the batches: sizes, epochs, every sample once per epoch, shuffled, reshuffled
    if sizes != want * epochs:
        first = " ".join(map(str, sizes[:per_epoch + 2])) + (" …" if len(sizes) > per_epoch + 2 else "")
        fields.update(got_sizes=first or "—", want_sizes=" ".join(map(str, want)))
        if not sizes:
            case.fail("loop_no_calls", **fields)
        if n % b and sizes == [s for s in want if s == b] * epochs:
            case.fail("loop_dropped_last_batch", **fields)
        if len(sizes) % per_epoch == 0 and sizes == want * (len(sizes) // per_epoch):
            case.fail("loop_epoch_count", **fields)
        case.fail("loop_batch_sizes", **fields)
    if rec.problem is not None:
        case.fail(rec.problem[0], iteration=rec.problem[1], **fields)
    epochs_calls = [rec.calls[e * per_epoch:(e + 1) * per_epoch] for e in range(epochs)]
    for e, calls in enumerate(epochs_calls, start=1):
        seen = np.concatenate([c[1] for c in calls]).tolist()
        if sorted(seen) != list(range(n)):
            missing = sorted(set(range(n)) - set(seen))
            case.fail("loop_not_a_partition", epoch=e, missing=", ".join(map(str, missing[:5])) or "—", **fields)
    if per_epoch > 1:   # with one batch per epoch the order changes nothing
        epoch_batches = [_batch_sets(calls) for calls in epochs_calls]
        in_order = [frozenset(range(s, min(s + b, n))) for s in range(0, n, b)]
        if all(bs == in_order for bs in epoch_batches):
            case.fail("loop_not_shuffled", **fields)
        if epochs > 1 and all(bs == epoch_batches[0] for bs in epoch_batches):
            case.fail("loop_not_reshuffled", **fields)
    # 2. each iteration starts from the parameters of the previous update
    for k, (passed_params, _, _, _) in enumerate(rec.calls, start=1):
        if k == 1:
            expected, alternatives = params0, (lambda i: [])
        else:
            p, _, _, g = rec.calls[k - 2]
            expected = [pi - lr * gi for pi, gi in zip(p, g)]

            def alternatives(i, p=p, g=g):
                return [("loop_params_not_updated", lambda: p[i]),
                        ("loop_params_not_updated", lambda: params0[i]),
                        ("update_sign", lambda: p[i] + lr * g[i]),
                        ("missing_lr", lambda: p[i] - g[i])]
        for i, (e_i, g_i) in enumerate(zip(expected, passed_params)):
            judge(e_i, g_i, case, atol=1e-10, rtol=1e-8,
                  alternatives=[(c, a, {"iteration": k, "name": f"params[{i}]", "t": k, **fields})
                                for c, a in alternatives(i)],
                  what=("what_loop_params", {"i": i, "k": k}))
    # 3. what the function returned
    new_params, log = _unpack(got, ("params", "log"), case)
    last_p, _, _, last_g = rec.calls[-1]
    final = [p - lr * g for p, g in zip(last_p, last_g)]
    _judge_list(final, new_params, "params", len(rec.calls), case,
                lambda i: [("loop_returned_start", lambda: params0[i], {}),
                           ("loop_returned_before_last_update", lambda: last_p[i], {})], rtol=1e-8)
    if not isinstance(log, dict):
        case.fail("loop_log_not_dict", got=_describe(log))
    for key in ("epochs", "iterations", "losses"):
        if key not in log:
            case.fail("loop_log_missing_key", missing=key, keys=", ".join(map(str, log)) or "—")
    _judge_count(epochs, log["epochs"], "epochs", [], fields, case)
    total = len(rec.calls)
    _judge_count(total, log["iterations"], "iterations",
                 [("loop_iterations_per_epoch_only", per_epoch), ("loop_iterations_counted_samples", epochs * n),
                  ("loop_iterations_floor", epochs * (n // b)), ("loop_iterations_counted_epochs", epochs)],
                 fields, case)
    losses = [c[2] for c in rec.calls]
    try:
        n_losses = len(log["losses"])
    except TypeError:
        n_losses = None
    if n_losses != total:
        if n_losses == epochs:
            case.fail("loop_losses_per_epoch", got=n_losses, **fields)
        case.fail("loop_losses_length", got=n_losses if n_losses is not None else _describe(log["losses"]),
                  **fields)
    judge(np.array(losses), log["losses"], case, atol=1e-12, rtol=1e-9, what=("what_log", {"entry": "losses"}))


def _judge_count(expected, got, key, alternatives, fields, case):
    """An exact count in the log; a wrong one is matched against typical miscounts."""
    __tracebackhide__ = True
    what = ("what_log", {"entry": key})
    try:
        value = float(got)
    except (TypeError, ValueError):
        case.fail("loop_count_not_number", entry=key, got=_describe(got), **fields)
    if value == expected:
        return
    details = detail_lines(np.float64(expected), np.float64(value), what)
    for category, candidate in alternatives:
        if candidate != expected and value == candidate:
            case.fail(category, details, entry=key, got=fmt(value), **fields)
    case.fail("loop_count_wrong", details, entry=key, got=fmt(value), expected=expected, **fields)
