"""Checks for chapter 6 (recurrent networks and backpropagation through time).

Conventions (the same as the chapter's docstrings). Time-major, as ``chainrule.nn.RNN``:
x (T, N, D), one (N, D) slice per time step; weights in the layout x @ Wx (CS231n's):

    RNN step     h = tanh(x @ Wx + h_prev @ Wh + b),  x (N, D), h_prev (N, H), Wx (D, H), Wh (H, H), b (H,)
                 cache = (x, h_prev, Wx, Wh, b, h)                     (h: the step's *output*)
    check_rnn_step_backward(fn)  fn(dh, cache) -> (dx, dh_prev, dWx, dWh, db)
    check_rnn_backward(fn)       fn(dh_all, cache) -> (dx, dh0, dWx, dWh, db);
                                 dh_all (T, N, H) = ∂L/∂h_t from the loss at each step (not through
                                 later steps), cache = [step cache of t for t in 0..T-1]
    check_truncated_bptt(fn)     fn(dh_all, cache, k) -> (dx, dh0, dWx, dWh, db): as rnn_backward,
                                 but the hidden state entering steps k, 2k, 3k, ... is detached: the
                                 gradient dh_prev of those steps is dropped (dh0 still gets the gradient
                                 of the first chunk, steps 0..k-1)
    LSTM step    a = x @ Wx + h_prev @ Wh + b, Wx (D, 4H), Wh (H, 4H), b (4H,); gate order (i, f, g, o)
                 as in PyTorch: i, f, o = σ(a blocks 0, 1, 3), g = tanh(a block 2);
                 c = f * c_prev + i * g,  h = o * tanh(c)
                 cache = (x, h_prev, c_prev, Wx, Wh, b, i, f, g, o, c)
    check_lstm_step_backward(fn) fn(dh, dc, cache) -> (dx, dh_prev, dc_prev, dWx, dWh, db)

How the judging works
---------------------
The reference implementation and its typical wrong versions live in :mod:`grader.key.ch06`.

Each case draws seeded random inputs (visible and hidden cases differ; they include sequence length 1,
batch size 1, and H ≠ D so that a transpose cannot hide). The expected gradients come from the reference
implementation below, itself verified in every case against ``chainrule.numerical_grad`` (central
differences of sum(output · upstream)); for truncated BPTT the numerical reference holds the states at
the chunk boundaries fixed (a stop-gradient, exactly what ``detach`` does). Any correct implementation,
loops or vectorised, passes. A wrong result is compared with what each typical mistake produces (the
weight gradients of the last step only, no gradient through the recurrence, tanh' from the
pre-activation, Wh not transposed, a cut one step off, the LSTM without the dc from the next step or
without the o·tanh'(c) path, a forget gate without σ', the gates stacked in another order, ...); the
report names the output that is wrong and the hint for the diagnosed mistake.
"""
from __future__ import annotations

import functools

import numpy as np

from chainrule import numerical_grad
from .core import cases, judge, passed
from .learner import call_with_shape_hint
from .seeded import seeded
from .core import unchanged as _unchanged, unpack as _unpack, verified as _verified
from .answers import check, hidden_cases, reference

GATES = ("i", "f", "g", "o")   # the order of the four blocks of a (and of Wx, Wh, b columns), as the chapter says
KEY = hidden_cases("ch06")  # the hidden cases: grader.key.ch06, where the grader runs
(_bptt, ref_lstm_step_backward, ref_lstm_step_forward, ref_rnn_backward, ref_rnn_forward, ref_rnn_step_backward,
 ref_rnn_step_forward, ref_truncated_bptt, tbptt_cuts) = reference(
    "ch06", "bptt", "ref_lstm_step_backward", "ref_lstm_step_forward", "ref_rnn_backward", "ref_rnn_forward",
    "ref_rnn_step_backward", "ref_rnn_step_forward", "ref_truncated_bptt", "tbptt_cuts")

__all__ = ["LAYER_SIZED", "check_rnn_step_backward", "check_rnn_backward", "check_truncated_bptt",
           "check_lstm_step_backward", "GATES"]


# ---------------------------------------------------------------------- helpers
def _snapshot(arrays):
    return [np.array(a, dtype=np.float64, copy=True) for a in arrays]


def _distinct(named):
    """``(name, array)`` pairs with an array met again kept once, by its first name: the weights (and
    each state h, the next step's h_prev) are the same arrays in every step of a sequence's cache, so
    they are copied and compared once, not once per step."""
    seen, out = set(), []
    for name, a in named:
        if id(a) not in seen:
            seen.add(id(a))
            out.append((name, a))
    return out


def _guard(named, saved, case):
    __tracebackhide__ = True
    for (name, arr), before in zip(named, saved):
        _unchanged(before, arr, case, name)


def _judge_all(case, names, expected, got, variants, n, extra=None):
    """Judge the outputs in order. variants: [(category, callable returning all outputs of a mistake[,
    extra message fields])];
    extra: {output name: [(category, value, fields)]}, tried after the variants. Then, for every output,
    a flipped sign, a factor 2 or 1/2, and for the weights a mean over the batch where a sum belongs."""
    __tracebackhide__ = True
    memo = {}

    def alt(j, index, make):
        def value():
            if index not in memo:
                memo[index] = make()
            return memo[index][j]
        return value

    for j, name in enumerate(names):
        fields = {"name": name, "n": n}
        alternatives = [(category, alt(j, index, make), {**fields, **(more[0] if more else {})})
                        for index, (category, make, *more) in enumerate(variants)]
        e = np.asarray(expected[j], dtype=np.float64)
        if name.startswith("dW"):
            alternatives.append(("rnn_dw_transposed", e.T, fields))
        alternatives += list((extra or {}).get(name, ()))
        # computed only when the answer does not match (a layer-sized case makes each one a pass over it)
        alternatives += [("rnn_grad_sign", lambda e=e: -e, fields),
                         ("rnn_grad_factor", lambda e=e: 2 * e, {**fields, "factor": "2"}),
                         ("rnn_grad_factor", lambda e=e: e / 2, {**fields, "factor": "1/2"})]
        if name.startswith(("dW", "db")) and n > 1:
            alternatives.append(("rnn_batch_mean", lambda e=e: e / n, fields))
        judge(e, got[j], case, atol=1e-9, rtol=1e-7, alternatives=alternatives, what=f"what_rnn_{name}")


def _call(fn, args, case):
    """Call the learner; a matrix product of clashing shapes gets the layout hint."""
    __tracebackhide__ = True
    return call_with_shape_hint(fn, args, case, "rnn_shape_error",
                                words=("matmul", "aligned", "mismatch", "broadcast", "shape"))


def _per_sample(x, h_prev, da, name="dW"):
    """The weight gradients of each sample, not summed over the batch: (N, D, H), (N, H, H)."""
    fields = {"name": name}
    grad = da if callable(da) else (lambda: da)  # da: the array, or a function of none that computes it
    return {"dWx": [("rnn_dw_missing_batch_sum", lambda: np.einsum("nd,nh->ndh", x, grad()),
                     {**fields, "name": "dWx"})],
            "dWh": [("rnn_dw_missing_batch_sum", lambda: np.einsum("nk,nh->nkh", h_prev, grad()),
                     {**fields, "name": "dWh"})]}


# ---------------------------------------------------------------------- cases
def _rnn_params(rng, D, H):
    return rng.standard_normal((D, H)) * 0.6, rng.standard_normal((H, H)) * 0.6, rng.standard_normal(H) * 0.3


# (seed, N, D, H)
_STEP_VISIBLE = [(1, 3, 4, 5), (2, 1, 3, 2), (3, 2, 5, 3)]


@seeded(lambda: [KEY.STEP_SCALE])  # the layer-sized case: drawn once per grading worker
def _step_case(seed, n, d, hd):
    rng = np.random.default_rng(seed)
    x, h_prev = rng.standard_normal((n, d)), rng.standard_normal((n, hd)) * 0.8
    Wx, Wh, b = _rnn_params(rng, d, hd)
    return x, h_prev, Wx, Wh, b, rng.standard_normal((n, hd))


def _step_desc(n, d, h):
    return f"x ({n}, {d}), h_prev ({n}, {h}), Wx ({d}, {h}), Wh ({h}, {h}), b ({h},), dh ({n}, {h})"


_RNN_STEP_VARIANTS = [("rnn_tanh_preactivation", "tanh_pre"), ("rnn_tanh_applied_twice", "tanh_twice"),
                      ("rnn_missing_tanh_grad", "no_tanh"), ("rnn_tanh_form", "tanh_form"),
                      ("rnn_wh_not_transposed", "wh_not_t"), ("rnn_db_missing_batch_sum", "db_per_sample")]


@check
def check_rnn_step_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.STEP_HIDDEN + [KEY.STEP_SCALE] if hidden else _STEP_VISIBLE
    names = ("dx", "dh_prev", "dWx", "dWh", "db")
    for case, (seed, n, d, hd) in zip(cases("rnn_step_backward", [_step_desc(*s[1:]) for s in specs]), specs):
        x, h_prev, Wx, Wh, b, dh = _step_case(seed, n, d, hd)
        h, cache = ref_rnn_step_forward(x, h_prev, Wx, Wh, b)
        named = [("dh", dh)] + list(zip(("x", "h_prev", "Wx", "Wh", "b", "h"), cache))
        saved = _snapshot(a for _, a in named)
        got = _unpack(_call(fn, (dh, cache), case), names, case)
        _guard(named, saved, case)
        expected = ref_rnn_step_backward(dh, cache)
        fwd = lambda x_, hp, wx, wh, b_: ref_rnn_step_forward(x_, hp, wx, wh, b_)[0]  # noqa: E731
        args = [x, h_prev, Wx, Wh, b]
        for j in range(5) if not (hidden and (seed, n, d, hd) == KEY.STEP_SCALE) else ():  # same formula at every size
            def f(v, j=j):
                a = list(args)
                a[j] = v
                return fwd(*a)
            _verified(expected[j], lambda: numerical_grad(f, args[j], dh), names[j])
        variants = [(cat, (lambda m=m: ref_rnn_step_backward(dh, cache, m))) for cat, m in _RNN_STEP_VARIANTS]
        _judge_all(case, names, expected, got, variants, n, _per_sample(x, h_prev, dh * (1.0 - h ** 2)))
    passed("rnn_step_backward", len(specs), hidden)


# (seed, T, N, D, H)
_SEQ_VISIBLE = [(1, 1, 2, 3, 4), (2, 5, 1, 3, 2), (3, 4, 3, 2, 3)]


@seeded(lambda: [KEY.SEQ_SCALE, KEY.TBPTT_SCALE[:5]])  # the layer-sized cases: drawn once per grading worker
def _sequence(seed, T, n, d, hd):
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((T, n, d)), rng.standard_normal((n, hd)) * 0.8
    Wx, Wh, b = _rnn_params(rng, d, hd)
    dh_all = rng.standard_normal((T, n, hd))
    return x, h0, Wx, Wh, b, dh_all


def _seq_desc(T, n, d, hd, k=None):
    s = f"T = {T}, x ({T}, {n}, {d}), h0 ({n}, {hd}), Wx ({d}, {hd}), Wh ({hd}, {hd}), dh_all ({T}, {n}, {hd})"
    return s if k is None else s + f", k = {k}"


def _numeric_bptt(x, h0, Wx, Wh, b, dh_all, cut):
    """Central differences of sum(h_all · dh_all), the states entering the steps in ``cut`` held fixed."""
    fixed = ref_rnn_forward(x, h0, Wx, Wh, b)[0]

    def run(x_, h0_, wx, wh, b_):
        h, hs = h0_, []
        for t in range(x_.shape[0]):
            if t in cut:
                h = fixed[t - 1]
            h = np.tanh(x_[t] @ wx + h @ wh + b_)
            hs.append(h)
        return np.stack(hs)

    args = [x, h0, Wx, Wh, b]
    out = []
    for j in range(5):
        def f(v, j=j):
            a = list(args)
            a[j] = v
            return run(*a)
        out.append(numerical_grad(f, args[j], dh_all))
    return out


_SEQ_NAMES = ("dx", "dh0", "dWx", "dWh", "db")
_SEQ_VARIANTS = [("rnn_not_accumulated", {"mistake": "overwrite"}), ("rnn_not_accumulated", {"mistake": "last_only"}),
                 ("rnn_no_recurrence", {"mistake": "no_recurrence"}),
                 ("rnn_upstream_replaced", {"mistake": "upstream_replaced"}),
                 ("rnn_wrong_direction", {"mistake": "forward_order"}),
                 ("rnn_dx_time_reversed", {"mistake": "dx_reversed"}),
                 ("rnn_dh0_off_by_one", {"mistake": "dh0_output"}),
                 ("rnn_last_upstream_twice", {"mistake": "last_twice"})] + [
    (cat, {"step_mistake": m}) for cat, m in _RNN_STEP_VARIANTS]


def _sequence_check(exercise, fn, hidden, with_k):
    __tracebackhide__ = True
    if with_k:
        specs = KEY.TBPTT_HIDDEN + [KEY.TBPTT_SCALE] if hidden else _TBPTT_VISIBLE
    else:
        specs = [s + (None,) for s in (KEY.SEQ_HIDDEN + [KEY.SEQ_SCALE] if hidden else _SEQ_VISIBLE)]
    descs = [_seq_desc(*s[1:]) for s in specs]
    for case, (seed, T, n, d, hd, k) in zip(cases(exercise, descs), specs):
        x, h0, Wx, Wh, b, dh_all = _sequence(seed, T, n, d, hd)
        _, cache = ref_rnn_forward(x, h0, Wx, Wh, b)
        named = [("dh_all", dh_all)] + [(f"cache[{t}][{j}]", a) for t, c in enumerate(cache) for j, a in enumerate(c)]
        named = _distinct(named)
        saved = _snapshot(a for _, a in named)
        args = (dh_all, list(cache), k) if with_k else (dh_all, list(cache))   # the learner gets a copy of the list
        got = _unpack(_call(fn, args, case), _SEQ_NAMES, case)
        _guard(named, saved, case)
        cut = tbptt_cuts(T, k) if with_k else set()
        expected = _bptt(dh_all, cache, cut)
        if not (hidden and (seed, T, n, d, hd) in (KEY.SEQ_SCALE, KEY.TBPTT_SCALE[:5])):  # same at every size
            numeric = functools.cache(lambda: _numeric_bptt(x, h0, Wx, Wh, b, dh_all, cut))  # not in grading
            for j in range(len(_SEQ_NAMES)):
                _verified(expected[j], lambda j=j: numeric()[j], _SEQ_NAMES[j])
        variants = []
        if with_k:
            variants += [(cat, (lambda c=c: _bptt(dh_all, cache, c))) for cat, c in _cut_variants(T, k)]
            variants += [("tbptt_cut_upstream", lambda: _bptt(dh_all, cache, cut, "cut_upstream")),
                         ("tbptt_dh0_cut", lambda: _bptt(dh_all, cache, cut, "dh0_zero")),
                         ("tbptt_weights_reset", lambda: _bptt(dh_all, cache, cut, "weights_reset")),
                         ("tbptt_weights_reset", lambda: _bptt(dh_all, cache, cut, "weights_reset_before"))]
        else:
            variants.append(("rnn_dh0_missing", lambda: _bptt(dh_all, cache, cut, "dh0_zero")))
        variants += [(cat, (lambda kw=kw: _bptt(dh_all, cache, cut, **kw))) for cat, kw in _SEQ_VARIANTS]
        stacked = functools.lru_cache(maxsize=None)(lambda: _bptt(dh_all, cache, cut, "stack_time"))  # on demand
        extra = {name: [("rnn_dw_missing_time_sum", (lambda j=j: stacked()[j]), {"name": name, "n": n, "T": T})]
                 + ([("rnn_time_mean", lambda j=j: expected[j] / T, {"name": name, "n": n, "T": T})] if T > 1 else [])
                 for j, name in enumerate(_SEQ_NAMES) if j >= 2}
        _judge_all(case, _SEQ_NAMES, expected, got, variants, n, extra)
    passed(exercise, len(specs), hidden)


@check
def check_rnn_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _sequence_check("rnn_backward", fn, hidden, with_k=False)


# ---------------------------------------------------------------------- truncated BPTT
# (seed, T, N, D, H, k): the first cases have T mod k = 2 with k = 4, so that chunks counted from the end
# differ from every cut shifted by one step
_TBPTT_VISIBLE = [(1, 10, 2, 3, 4, 4), (2, 5, 1, 2, 3, 2), (3, 4, 2, 3, 2, 4)]


def _cut_variants(T, k):
    """(category, cut set) of the typical wrong boundaries, each different from the right one."""
    right = tbptt_cuts(T, k)
    out = [("tbptt_no_cut", set()),
           ("tbptt_off_by_one", {t for t in range(1, T) if (t + 1) % k == 0}),
           ("tbptt_off_by_one", {t for t in range(1, T) if (t - 1) % k == 0}),
           ("tbptt_off_by_one", set(range(k + 1, T, k + 1))),
           ("tbptt_chunks_from_end", {t for t in range(1, T) if (T - t) % k == 0}),
           ("tbptt_every_step", set(range(1, T)))]
    if k > 1:
        out.append(("tbptt_off_by_one", set(range(k - 1, T, k - 1)) - {0}))
    return [(cat, cut) for cat, cut in out if cut != right]


@check
def check_truncated_bptt(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _sequence_check("truncated_bptt", fn, hidden, with_k=True)


# ---------------------------------------------------------------------- LSTM step
# (seed, N, D, H)
_LSTM_VISIBLE = [(1, 3, 4, 2), (2, 1, 2, 3), (3, 2, 3, 4)]
_LSTM_VARIANTS = [("lstm_missing_dc", "no_dc"), ("lstm_missing_h_path", "no_h_path"),
                  ("lstm_missing_h_path", "no_o_in_path"), ("lstm_tanh_c_derivative", "tanh_c"),
                  ("lstm_forget_derivative", "no_forget_sigmoid"), ("lstm_forget_derivative", "forget_c"),
                  ("lstm_sigmoid_derivative", "no_sigmoid"), ("lstm_candidate_derivative", "g_sigmoid"),
                  ("lstm_dc_prev_missing_f", "no_f_in_dc_prev"), ("lstm_gate_order", "order_ifog"),
                  ("lstm_gate_order", "order_ifog_params"), ("rnn_db_missing_batch_sum", "db_per_sample"),
                  ("lstm_tanh_form", "tanh_form_c"), ("lstm_tanh_form", "tanh_form_g"),
                  ("lstm_sigmoid_form", "sigmoid_form"), ("lstm_output_gate_tanh", "o_no_tanh")] + [
    ("lstm_block_sign", f"neg_{gate}") for gate in GATES]


@seeded(lambda: [KEY.LSTM_SCALE])  # the layer-sized case: drawn once per grading worker
def _lstm_case(seed, n, d, hd):
    rng = np.random.default_rng(seed)
    x, h_prev = rng.standard_normal((n, d)), rng.standard_normal((n, hd)) * 0.8
    c_prev = rng.standard_normal((n, hd))
    Wx, Wh = rng.standard_normal((d, 4 * hd)) * 0.6, rng.standard_normal((hd, 4 * hd)) * 0.6
    b = rng.standard_normal(4 * hd) * 0.3
    return x, h_prev, c_prev, Wx, Wh, b, rng.standard_normal((n, hd)), rng.standard_normal((n, hd))


def _lstm_desc(n, d, hd):
    return (f"x ({n}, {d}), h_prev ({n}, {hd}), c_prev ({n}, {hd}), Wx ({d}, {4 * hd}), Wh ({hd}, {4 * hd}), "
            f"b ({4 * hd},), dh ({n}, {hd}), dc ({n}, {hd})")


@check
def check_lstm_step_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = KEY.LSTM_HIDDEN + [KEY.LSTM_SCALE] if hidden else _LSTM_VISIBLE
    names = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
    for case, (seed, n, d, hd) in zip(cases("lstm_step_backward", [_lstm_desc(*s[1:]) for s in specs]), specs):
        x, h_prev, c_prev, Wx, Wh, b, dh, dc = _lstm_case(seed, n, d, hd)
        h, c, cache = ref_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
        named = [("dh", dh), ("dc", dc)] + list(zip(("x", "h_prev", "c_prev", "Wx", "Wh", "b", "i", "f", "g", "o",
                                                      "c"), cache))
        saved = _snapshot(a for _, a in named)
        got = _unpack(_call(fn, (dh, dc, cache), case), names, case)
        _guard(named, saved, case)
        expected = ref_lstm_step_backward(dh, dc, cache)
        args = [x, h_prev, c_prev, Wx, Wh, b]
        for j, arg in zip((0, 1, 2, 3, 4, 5) if not (hidden and (seed, n, d, hd) == KEY.LSTM_SCALE) else (), args):
            def f(v, j=j):
                a = list(args)
                a[j] = v
                hh, cc, _ = ref_lstm_step_forward(*a)
                return np.concatenate([hh, cc], axis=1)
            _verified(expected[j], lambda: numerical_grad(f, arg, np.concatenate([dh, dc], axis=1)), names[j])
        variants = [(cat, (lambda m=m: ref_lstm_step_backward(dh, dc, cache, m)), {"gate": m[-1]})
                    for cat, m in _LSTM_VARIANTS]
        da = functools.cache(lambda: ref_lstm_step_backward(dh, dc, cache, "db_per_sample")[5])  # only if wrong
        _judge_all(case, names, expected, got, variants, n, _per_sample(x, h_prev, da))
    passed("lstm_step_backward", len(specs), hidden)


# The exercises whose hidden check has a layer-sized case (the module attribute that holds it): an
# honest backward pass takes milliseconds there, finite differences run out of time. `make course`
# copies this table into the manifest as the exercise's time class ("layer"); it lives here, beside
# the cases, so that it has one source.
LAYER_SIZED = {
    "rnn_step_backward": "STEP_SCALE",
    "rnn_backward": "SEQ_SCALE",
    "truncated_bptt": "TBPTT_SCALE",
    "lstm_step_backward": "LSTM_SCALE",
}
