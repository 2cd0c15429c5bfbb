"""Checks for chapter 2 (computation graphs and the chain rule).

    check_local_gradients(fn, hidden=False)     fn(w, x, b, y) = {"e": ∂J/∂e, "v": ..., "u", "w", "x", "b", "y"}
                                                for J = ½(wx + b − y)² split into u = wx, v = u + b, e = v − y
    check_topological_sort(fn, hidden=False)    fn(root) = every node root depends on, once, each after
                                                its .parents (root last)
    check_value_class(Value, hidden=False)      the learner's scalar autodiff class: +, *, ** number,
                                                .tanh(), .exp(), .backward() filling .grad
    check_dual_numbers(Dual, hidden=False)      the learner's dual numbers (forward mode), see .ch02_dual

How the judging works
---------------------
The local gradients' reference, the hidden cases' seeds and the graphs only hidden cases use live in
:mod:`grader.key.ch02`.

* local gradients: compared node by node in backward order (e, v, u, then the inputs), so the
  message names the first node whose gradient is wrong. Typical slips (the local gradient alone,
  without the upstream factor; a missing ½; a flipped sign; the factors of the product swapped) are
  recognised per node.
* topological sort: the check builds its own graphs of plain nodes (``.parents``, ``.name``), with
  reused nodes (``a * a``, diamonds), deep chains and seeded random DAGs. It accepts any valid order
  (recursive or iterative, either parent first) and names the duplicated, missing, or misplaced node.
  A graph is a :class:`coursekit.ch02.Graph` spec: in grading the learner's function gets a copy
  rebuilt in the sandbox, and its list comes back as the check's own nodes (a node the learner made
  arrives as an opaque object and is reported as not in the graph).
* Value: only public behaviour is used: ``Value(number)``, ``.data``, ``.grad``, the operators
  (``+ - * / **`` with Values or numbers) and the methods ``.tanh()``, ``.exp()``, ``.backward()``.
  The learner's class is exercised next to it by the driver ``"ch02.value_expression"``
  (:mod:`coursekit.ch02`) on each case's expression, recorded as a small program
  (:mod:`.ch02_value`); only numbers come back (the leaves' fresh .data/.grad, the forward value,
  the gradients). Expected gradients come from a reference engine (itself tested against numerical
  gradients), which never leaves the judge.
  The first cases isolate one operation each, behind a non-unit upstream gradient, so a wrong local
  derivative or a missing chain factor is pinned to its operation; later cases reuse nodes
  (``a * a``: ``=`` instead of ``+=``), chain deep, and mix all ops. A mismatch is explained by
  re-running the case through the reference engine with each typical bug switched on.
"""
from __future__ import annotations

import math
import reprlib

import numpy as np

from coursekit.ch02 import Graph, Node
from coursekit.data import Opaque, type_name

from .ch02_dual import check_dual_numbers
from .ch02_value import VISIBLE as _V_VISIBLE, program_of, run_program as _run_program
from .core import CheckFailed, call, cases, diagnose, fmt, invoke, msg, passed, rel_error, _digits
from .answers import check, eager, hidden_cases, reference
KEY = hidden_cases("ch02")  # the hidden cases: grader.key.ch02, where the grader runs
_V_KEY = hidden_cases("ch02_value")  # the Value check's
local_only, reference_local_gradients = reference("ch02", "local_only", "reference_local_gradients")

ATOL, RTOL = 1e-9, 1e-7


def _close(a, b, atol=ATOL, rtol=RTOL):
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * abs(b)


def _number(v):
    """A learner's number (data, see coursekit.data) as a float; None for anything else (a string,
    a bool, a list, an Opaque object of theirs)."""
    if isinstance(v, np.ndarray) and v.size == 1 and v.dtype.kind in "iuf":
        return float(v.reshape(()))
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    return None


# ====================================================================== local gradients
ORDER = ("e", "v", "u", "b", "y", "w", "x")   # backward order: the root's neighbour first
_LG_VISIBLE = [(2.0, -1.5, 0.5, 1.0), (0.5, 3.0, -2.0, 0.25), (-1.2, 0.8, 0.3, -2.0)]


@check
def check_local_gradients(fn, hidden=False):
    """Accepts a dict (or any mapping) with the seven gradients; names the first wrong node."""
    __tracebackhide__ = True
    specs = KEY.lg_hidden() if hidden else _LG_VISIBLE
    descs = [f"w = {w:g}, x = {x:g}, b = {b:g}, y = {y:g}" for w, x, b, y in specs]
    for case, (w, x, b, y) in zip(cases("local_gradients", descs), specs):
        got = call(fn, (w, x, b, y), case)
        if got is None:
            case.fail("none_returned")
        if not isinstance(got, dict):   # a mapping of any kind arrives as a dict (coursekit.data)
            case.fail("lg_not_dict", gtype=type_name(got))
        missing = [k for k in ORDER if k not in got]
        if missing:
            case.fail("lg_missing_key", keys=", ".join(repr(k) for k in missing))
        expected = reference_local_gradients(w, x, b, y)
        local = local_only(w, x, b, y)
        for node in ORDER:
            g = _number(got[node])
            if g is None:
                case.fail("lg_not_number", node=node, gtype=type_name(got[node]))
            exp = float(expected[node])
            if _close(g, exp):
                continue
            d = _digits(exp, g)
            detail = [msg("detail_node", node=node, expected=fmt(exp, d), got=fmt(g, d), rel=f"{rel_error(exp, g):.1e}")]
            e = expected["e"]
            upstream = {"e": 1.0, "v": e, "u": e, "b": e, "y": e, "w": e, "x": e}[node]
            fields = {"node": node, "upstream": fmt(upstream), "local": fmt(local[node])}
            alternatives = [
                ("lg_local_only", local[node]),
                ("lg_missing_half", 2 * exp),
                ("lg_grad_sign", -exp),
            ]
            if node == "w":
                alternatives.append(("lg_swapped_factors", e * w, {"other": "x", "wrong": "w"}))
            if node == "x":
                alternatives.append(("lg_swapped_factors", e * x, {"other": "w", "wrong": "x"}))
            category, extra = diagnose(exp, np.float64(g), ATOL, RTOL, alternatives)
            if category in ("wrong_values", "sign", "factor_2", "factor_half"):
                category = "lg_wrong"
            case.fail(category, detail, **fields, **extra)
    passed("local_gradients", len(specs), hidden)


# ====================================================================== topological sort
# The graphs are coursekit.ch02.Graph specs: in grading the sandbox rebuilds its own copy, the
# learner's order comes back as our own nodes (a node they made up, as an Opaque), and the
# expected answer is computed from the judge's graph only. Node is re-exported for notebooks/tests.
def _worked_graph():
    g = Graph()
    w, x, b, y, half = (g.node(n) for n in ("w", "x", "b", "y", "0.5"))
    u = g.node("u", (w, x))
    v = g.node("v", (u, b))
    e = g.node("e", (v, y))
    sq = g.node("e**2", (e,))
    g.node("J", (half, sq))
    return g, "J = 0.5 * (w*x + b - y)**2"


def _square_graph():
    g = Graph()
    a = g.node("a")
    s = g.node("a*a", (a, a))          # the same parent twice
    g.node("t", (s, a))
    return g, "t = a*a + a"


def _diamond_graph():
    g = Graph()
    a, b = g.node("a"), g.node("b")
    c = g.node("c", (a, b))
    d1 = g.node("d1", (c,))
    d2 = g.node("d2", (c, a))
    e = g.node("e", (d1, d2))
    g.node("f", (e, c))
    return g, "c = op(a, b); d1 = op(c); d2 = op(c, a); e = op(d1, d2); f = op(e, c)"


def _chain_graph(n):
    g = Graph()
    x = g.node("x0")
    k = g.node("k")
    for i in range(1, n + 1):
        x = g.node(f"x{i}", (x, k))
    return g, f"x_i = op(x_(i-1), k), i = 1..{n}"


_TS_VISIBLE = [_worked_graph, _square_graph, _diamond_graph, lambda: _chain_graph(50)]


def _hidden_graph(kind, *args):
    """The maker of a hidden case's graph, from its description in the key (``("random", 31, 12)``)."""
    makers = {"single": KEY.single_graph, "random": KEY.random_graph, "square": _square_graph, "chain": _chain_graph,
              "diamond": _diamond_graph}
    return lambda: makers[kind](*args)


def _reachable(root):
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return seen


def _order_problem(order, reachable):
    """(node, parent) for the first node listed before one of its parents, else None."""
    pos = {id(n): i for i, n in enumerate(order)}
    for i, n in enumerate(order):
        for p in n.parents:
            if id(p) in reachable and pos[id(p)] > i:
                return n, p
    return None


@check
def check_topological_sort(fn, hidden=False):
    """Accepts any order in which every node reachable from root comes once, after its parents."""
    __tracebackhide__ = True
    makers = [_hidden_graph(*d) for d in KEY.TS_HIDDEN] if hidden else _TS_VISIBLE
    graphs = [m() for m in makers]
    for case, (graph, _) in zip(cases("topological_sort", [d for _, d in graphs]), graphs):
        root = graph.root
        reachable = _reachable(root)
        got = call(fn, (graph,), case, driver="ch02.call_on_root")
        if got is None:
            case.fail("none_returned")
        if not isinstance(got, (list, tuple)):   # other iterables were made lists by the driver
            case.fail("bad_type", gtype=type_name(got))
        order = list(got)
        # only our own nodes can be in the graph: anything else is a value or an object of theirs
        strangers = [n for n in order if not (isinstance(n, Node) and id(n) in reachable)]
        if strangers:
            case.fail("topo_extra", node=_name(strangers[0]))
        counts = {}
        for n in order:
            counts[id(n)] = counts.get(id(n), 0) + 1
        dup = next((n for n in order if counts[id(n)] > 1), None)
        if dup is not None:
            case.fail("topo_duplicate", node=dup.name, times=counts[id(dup)])
        absent = [n for n in reachable.values() if id(n) not in counts]
        if absent:
            names = ", ".join(sorted(n.name for n in absent)[:5])
            case.fail("topo_missing", nodes=names, n=len(absent), total=len(reachable))
        problem = _order_problem(order, reachable)
        if problem is not None:
            if _order_problem(order[::-1], reachable) is None:
                case.fail("topo_reversed", first=order[0].name, root=root.name)
            case.fail("topo_order", node=problem[0].name, parent=problem[1].name,
                      i=order.index(problem[0]), j=order.index(problem[1]))
    passed("topological_sort", len(graphs), hidden)


def _name(n):
    """How a listed item that is not a node of the graph is named: a node of ours by its name (one
    root does not reach), an object of the learner's by its type, a value by its repr."""
    if isinstance(n, Node):
        return n.name
    if isinstance(n, Opaque):
        return msg("topo_stranger", gtype=type_name(n))
    text = reprlib.repr(n)
    return text if len(text) <= 60 else text[:60] + "…"


# ====================================================================== Value
# bugs that a learner's Value may have: (category, bugs, message fields)
OPS = ("+", "*", "**", "tanh", "exp")
_BUGS = (
    [("grad_overwritten", {"overwrite": True}, {})]
    + [("missing_chain_factor", {"local_only": op}, {"op": op}) for op in OPS]
    + [("missing_chain_factor", {"local_only": "all"}, {"op": "+, *, **, tanh, exp"})]
    + [("tanh_derivative", {"tanh": "x"}, {"wrong": "1 − x²"}),
       ("tanh_derivative", {"tanh": "no_square"}, {"wrong": "1 − tanh(x)"}),
       ("tanh_derivative", {"tanh": "value"}, {"wrong": "tanh(x)"}),
       ("pow_derivative", {"pow": "no_minus_one"}, {"wrong": "n·xⁿ"}),
       ("pow_derivative", {"pow": "no_n"}, {"wrong": "xⁿ⁻¹"}),
       ("pow_derivative", {"pow": "n_minus_one"}, {"wrong": "(n − 1)·xⁿ⁻¹"}),
       ("pow_derivative", {"pow": "value"}, {"wrong": "xⁿ"}),
       ("exp_derivative", {"exp": "x"}, {"wrong": "x"}),
       ("exp_derivative", {"exp": "one"}, {"wrong": "1"}),
       ("exp_derivative", {"exp": "x_exp"}, {"wrong": "x·exp(x)"})]
    + [("sign_in_op", {"sign": op}, {"op": op}) for op in OPS]
    + [("factor_2_in_op", {"factor_2": op}, {"op": op}) for op in OPS]
    + [("wrong_order", {"order": "forward"}, {}), ("wrong_order", {"order": "bfs"}, {}),
       ("root_grad_not_one", {"no_seed": True}, {}),
       # after the order bugs: in a reused node a wrong order can look like a lost share of +
       ("mul_swapped_factors", {"mul": "swapped"}, {}),
       ("add_one_parent", {"add": "one_side"}, {})]
)


def _leaf_lines(names, expected, got):
    lines = []
    for name, e, g in zip(names, expected, got):
        if not _close(g, e, 1e-8, 1e-6):
            d = _digits(e, g)
            lines.append(msg("detail_leaf", leaf=name, expected=fmt(e, d), got=fmt(g, d), rel=f"{rel_error(e, g):.1e}"))
    return lines


VALUE_DRIVER = "ch02.value_expression"


def _check_leaves(out, values, case):
    __tracebackhide__ = True
    for (data, grad), v in zip(out, values):
        d = _number(data)
        if d is None or not _close(d, v):
            case.fail("value_data", got=_shown(data), v=fmt(v))
        if _number(grad) != 0.0:
            case.fail("value_grad_init", got=_shown(grad))


def _check_forward(out, ref_out, desc, case):
    __tracebackhide__ = True
    got = _number(out)
    if got is None or not _close(got, ref_out, 1e-9, 1e-9):
        case.fail("value_forward", [msg("detail_scalar", what=msg("what_forward"), expected=fmt(ref_out, 10),
                                        got=fmt(got) if got is not None else _shown(out),
                                        rel=f"{rel_error(ref_out, got) if got is not None else math.inf:.1e}")],
                  op=desc)


def _shown(v):
    """A learner's attribute in a message: a value by its repr, an object of theirs by its type."""
    text = reprlib.repr(v)   # bounded: a huge list is data too
    return text if len(text) <= 80 else text[:80] + "…"


def _outcome(Value, values, program, root, ref_out, desc, case):
    """The driver's numbers, checked as far as the stage that failed: in one request when nothing
    raises (the usual case); when the learner's code raised, again stage by stage, so that a wrong
    .data or forward value is reported before an exception of a later stage, as a learner reads it.
    A NotImplementedError of backward() names the unfinished function (a Value method, or the
    topological_sort that backward() may call)."""
    __tracebackhide__ = True
    n, drive = len(values), ([float(v) for v in values], program, root)
    try:
        out = invoke(Value, drive, {}, VALUE_DRIVER)
        error = None
    except CheckFailed:
        raise
    except Exception as ex:   # the learner's; reported below, at its stage
        out, error = None, ex
    if error is None:
        out = _shaped(out, n, case, "backward")
        _check_leaves(out["leaves"], values, case)
        _check_forward(out["out"], ref_out, desc, case)
        return out
    _check_leaves(_shaped(call(Value, drive, case, {"upto": "leaves"}, VALUE_DRIVER), n, case, "leaves")["leaves"],
                  values, case)
    _check_forward(_shaped(call(Value, drive, case, {"upto": "forward"}, VALUE_DRIVER), n, case, "forward")["out"],
                   ref_out, desc, case)
    where = _not_implemented_in(error)
    if where is not None:
        case.fail("value_not_implemented", where=where)
    return _shaped(call(Value, drive, case, {"upto": "backward"}, VALUE_DRIVER), n, case, "backward")


def _not_implemented_in(error):
    """The innermost function of a NotImplementedError (graded: the sandbox's report of it), else None."""
    if getattr(error, "type_name", None) == "NotImplementedError":   # grader.wall.LearnerError
        return str(getattr(error, "where", "") or "?")
    if not isinstance(error, NotImplementedError):
        return None
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name if tb is not None else "?"


def _shaped(out, n, case, upto):
    """The driver's answer as the driver documents it; it ran next to the learner's code, so a
    different shape is their doing (in grading: untrusted data) and fails the case."""
    __tracebackhide__ = True
    ok = (isinstance(out, dict) and isinstance(out.get("leaves"), list) and len(out["leaves"]) == n
          and all(isinstance(p, list) and len(p) == 2 for p in out["leaves"])
          and (upto == "leaves" or "out" in out)
          and (upto != "backward" or (isinstance(out.get("grads"), list) and len(out["grads"]) == n)))
    if not ok:
        case.fail("bad_type", gtype=type_name(out))
    return out


@check
def check_value_class(Value, hidden=False):
    """Builds each case's expression from the learner's Value in their process, runs .backward()
    there, and compares the numbers read back (.data, .grad) with the reference engine."""
    __tracebackhide__ = True
    specs = _V_KEY.HIDDEN if hidden else _V_VISIBLE
    descs = []
    for desc, names, _, values in specs:
        descs.append(f"{desc}; " + ", ".join(f"{n} = {v:g}" for n, v in zip(names, values)))
    for case, (desc, names, expr, values) in zip(cases("value_class", descs), specs):
        names = list(names)
        program, root = program_of(expr, len(values))
        ref_out, expected = _run_program(program, root, values)
        alternatives = [(category, (lambda bugs=bugs: _run_program(program, root, values, bugs)[1]), fields)
                        for category, bugs, fields in _BUGS]
        eager(alternatives)  # recording the key's answers: every typical bug, not only a wrong answer's
        out = _outcome(Value, values, program, root, ref_out, desc, case)
        got = [_number(g) for g in out["grads"]]
        bad = next((i for i, g in enumerate(got) if g is None), None)
        if bad is not None:
            case.fail("value_grad_type", leaf=names[bad], gtype=type_name(out["grads"][bad]))
        if all(_close(g, e, 1e-8, 1e-6) for g, e in zip(got, expected)):
            continue
        category, extra = diagnose(np.array(expected), np.array(got), 1e-8, 1e-6, alternatives)
        generic = {"sign": "grad_sign_all", "factor_2": "grad_factor_2_all", "factor_half": "grad_factor_half_all"}
        category = generic.get(category, "value_wrong" if category == "wrong_values" else category)
        case.fail(category, _leaf_lines(names, expected, got), **extra)
    passed("value_class", len(specs), hidden)


__all__ = ["check_local_gradients", "check_topological_sort", "check_value_class", "check_dual_numbers", "Node", "OPS"]
