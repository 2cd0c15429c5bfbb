"""Chapter 2's forward-mode exercise: the learner's ``Dual`` class (dual numbers).

    check_dual_numbers(Dual, hidden=False)   Dual(val, dot): .val, .dot; +, * (with Duals or numbers,
                                             either side), .tanh(), .exp(); the class counter Dual.mults
                                             grows by the products of two numbers each operation computes

How the judging works: each case's expression is recorded as a program (:func:`.ch02_value.program_of`)
and run on the learner's class by the driver ``"ch02.dual_expression"`` (:mod:`coursekit.ch02`) with
the case's tangents on the leaves; only numbers come back (the result's ``.val`` and ``.dot`` and how
much ``Dual.mults`` grew). The expected tangent comes from a reference dual number that never leaves
the judge (tested against numerical directional derivatives); a wrong one is explained by re-running
the case with each typical slip switched on (one term of the product rule, the tangent of ``+``
taken from one side, ``tanh``'s derivative from its input, the inner tangent not multiplied...).
The count is judged only once the numbers are right: one pass of forward mode costs
3 products per ``*``, 2 per ``tanh``, 1 per ``exp`` and none per ``+``.
"""
from __future__ import annotations

import math

import numpy as np

from coursekit.data import type_name

from .ch02_value import program_of
from .core import call, cases, diagnose, fmt, msg, passed, rel_error, _digits
from .answers import check, eager, hidden_cases, reference
KEY = hidden_cases("ch02_dual")  # the hidden cases: grader.key.ch02_dual, where the grader runs
run_program = reference("ch02_dual", "run_program")

DRIVER = "ch02.dual_expression"
COST = {"mul": 3, "tanh": 2, "exp": 1, "add": 0}   # products of two numbers, per operation


OPS = ("+", "*", "tanh", "exp")
_BUGS = (
    [("dual_mul_one_term", {"mul": "left_only"}, {"term": "a.dot · b.val"}),
     ("dual_mul_one_term", {"mul": "right_only"}, {"term": "a.val · b.dot"}),
     ("dual_mul_dots", {"mul": "dots"}, {}),
     ("dual_mul_swapped", {"mul": "swapped"}, {}),
     ("dual_mul_minus", {"mul": "minus"}, {}),
     ("dual_mul_with_vals", {"mul": "with_vals"}, {}),
     ("dual_add_one_side", {"add": "one_side"}, {}),
     ("dual_add_vals", {"add": "vals"}, {}),
     ("dual_add_product", {"add": "product"}, {}),
     ("dual_tanh_input", {"tanh": "x"}, {"wrong": "(1 − x²) · a.dot"}),
     ("dual_tanh_input", {"tanh": "no_square"}, {"wrong": "(1 − t) · a.dot"}),
     ("dual_tanh_input", {"tanh": "value"}, {"wrong": "t · a.dot"}),
     ("dual_no_chain", {"tanh": "no_chain"}, {"op": "tanh"}),
     ("dual_no_chain", {"exp": "no_chain"}, {"op": "exp"}),
     ("dual_no_chain", {"tanh": "no_chain", "exp": "no_chain"}, {"op": "tanh, exp"}),
     ("dual_exp_wrong", {"exp": "x"}, {"wrong": "x · a.dot"}),
     ("dual_exp_wrong", {"exp": "one"}, {"wrong": "a.dot"})]
    + [("dual_sign_in_op", {"sign": op}, {"op": op}) for op in OPS]
    + [("dual_factor_2_in_op", {"factor_2": op}, {"op": op}) for op in OPS]
)




def net_expression(x1, x2, w1, w2, w3):
    h1 = (w1 * x1 + w2 * x2).tanh()
    h2 = (w2 * x1 + -1.0 * x2).exp()
    return w3 * h1 * h2 + h1


# (description, names, expression, values, tangents). One op per case first, with tangents that
# are neither 0 nor 1 on both sides, so that each slip of each rule shows.
VISIBLE = [
    ("a + b", "ab", lambda a, b: a + b, (1.5, -2.0), (0.7, -1.3)),
    ("a * b", "ab", lambda a, b: a * b, (1.5, -2.0), (0.7, -1.3)),
    ("3 * a + 2", "a", lambda a: 3 * a + 2, (0.4,), (1.0,)),
    ("a.tanh()", "a", lambda a: a.tanh(), (0.8,), (2.5,)),
    ("a.exp()", "a", lambda a: a.exp(), (0.4,), (-1.5,)),
    ("(a * a).tanh() * a", "a", lambda a: (a * a).tanh() * a, (0.9,), (1.0,)),
    ("tanh(w1·x1 + w2·x2)·exp(w2·x1 − x2)·w3 + tanh(...)", ["x1", "x2", "w1", "w2", "w3"], net_expression,
     (0.5, -1.2, 0.8, 0.3, -1.1), (1.0, 0.0, 0.0, 0.0, 0.0)),
]


def _number(v):
    if isinstance(v, np.ndarray) and v.size == 1 and v.dtype.kind in "iuf":
        return float(v.reshape(()))
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    return None


def _close(a, b, atol=1e-9, rtol=1e-8):
    return a is not None and math.isfinite(a) and abs(a - b) <= atol + rtol * abs(b)


def _detail(what, expected, got):
    d = _digits(expected, got)
    return [msg("detail_scalar", what=msg(what), expected=fmt(expected, d), got=fmt(got, d),
                rel=f"{rel_error(expected, got):.1e}")]


def expected_mults(program):
    """Products of two numbers one forward-mode pass over ``program`` computes."""
    return sum(COST[op] for op, *_ in program)


def _outcome(Dual, values, dots, program, root, case):
    __tracebackhide__ = True
    out = call(Dual, ([float(v) for v in values], [float(d) for d in dots], program, root), case,
               driver=DRIVER)
    if not (isinstance(out, dict) and isinstance(out.get("out"), list) and len(out["out"]) == 2):
        case.fail("bad_type", gtype=type_name(out))   # the driver ran next to their code: their doing
    return out


@check
def check_dual_numbers(Dual, hidden=False):
    """Runs each case's expression on the learner's Dual; compares .val, .dot and the count."""
    __tracebackhide__ = True
    specs = KEY.HIDDEN if hidden else VISIBLE
    descs = [f"{desc}; " + ", ".join(f"{n} = {v:g} (dot {d:g})" for n, v, d in zip(names, values, dots))
             for desc, names, _, values, dots in specs]
    for case, (desc, names, expr, values, dots) in zip(cases("dual_numbers", descs), specs):
        program, root = program_of(expr, len(values))
        ref_val, ref_dot = run_program(program, root, values, dots)
        alternatives = [(category, (lambda bugs=bugs: run_program(program, root, values, dots, bugs)[1]), fields)
                        for category, bugs, fields in _BUGS]
        eager(alternatives)  # recording the key's answers: every typical slip, not only a wrong answer's
        out = _outcome(Dual, values, dots, program, root, case)
        got_val, got_dot = (_number(v) for v in out["out"])
        if not _close(got_val, ref_val):
            case.fail("dual_val", _detail("what_dual_val", ref_val, got_val) if got_val is not None else [],
                      op=desc, got=repr(out["out"][0])[:80])
        if got_dot is None:
            case.fail("dual_dot_type", gtype=type_name(out["out"][1]))
        if not _close(got_dot, ref_dot):
            category, extra = diagnose(np.float64(ref_dot), np.float64(got_dot), 1e-9, 1e-8, alternatives)
            category = {"sign": "dual_sign", "factor_2": "dual_factor_2", "factor_half": "dual_factor_half",
                        "wrong_values": "dual_wrong"}.get(category, category)
            case.fail(category, _detail("what_dual_dot", ref_dot, got_dot), **extra)
        _check_count(out.get("mults"), program, case)
    passed("dual_numbers", len(specs), hidden)


def _check_count(counted, program, case):
    __tracebackhide__ = True
    want = expected_mults(program)
    ops = {op: sum(1 for o, *_ in program if o == op) for op in COST}
    fields = {"want": want, "n_mul": ops["mul"], "n_tanh": ops["tanh"], "n_exp": ops["exp"], "n_add": ops["add"]}
    if counted is None:
        case.fail("dual_no_counter", **fields)
    got = _number(counted)
    if got == want:
        return
    detail = [msg("detail_count", expected=want, got=fmt(got) if got is not None else repr(counted)[:40])]
    if got == 0 and want:
        case.fail("dual_count_zero", detail, **fields)
    n_ops = sum(ops[op] for op in ("mul", "tanh", "exp"))
    # one per operation (or per `*`); a lone tanh counted once is just as likely one product forgotten
    if (got == n_ops and (n_ops >= 2 or ops["mul"])) or (got == ops["mul"] and n_ops >= 2):
        case.fail("dual_count_ops", detail, **fields)
    case.fail("dual_count_wrong", detail, **fields)


__all__ = ["check_dual_numbers", "COST", "expected_mults", "VISIBLE"]
