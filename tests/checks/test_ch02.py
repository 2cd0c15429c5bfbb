"""Chapter 2's checks: every correct implementation passes (visible and hidden), every typical
mistake fails with the right diagnosis, in the right language."""
import math
import re

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

import chainrule
from coursekit.checks import ch02, core
from grader.key import ch02 as key02
from grader.key import ch02_value as key02_value
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- local gradients
def lg_table(w, x, b, y):
    u = w * x
    v = u + b
    e = v - y
    de = e                  # J = ½e²
    dv, dy = de * 1.0, de * -1.0
    du, db = dv, dv
    return {"e": de, "v": dv, "u": du, "b": db, "y": dy, "w": du * x, "x": du * w}


def lg_numpy(w, x, b, y):
    e = np.float64(w) * x + b - y
    keys = ["e", "v", "u", "b", "y", "w", "x"]
    values = np.array([1, 1, 1, 1, -1, x, w]) * e
    return dict(zip(keys, values))


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [lg_table, lg_numpy])
def test_local_gradients_accepts_correct(fn, hidden, capsys):
    ch02.check_local_gradients(fn, hidden=hidden)
    assert "✓ local_gradients" in capsys.readouterr().out


def _with(node, value_of):
    def fn(w, x, b, y):
        d = lg_table(w, x, b, y)
        d[node] = value_of(w, x, b, y, d)
        return d
    return fn


LG_MISTAKES = [
    (_with("w", lambda w, x, b, y, d: x), "lg_local_only", "w"),                 # forgot the upstream e
    (_with("y", lambda w, x, b, y, d: -1.0), "lg_local_only", "y"),
    (_with("w", lambda w, x, b, y, d: d["e"] * w), "lg_swapped_factors", "w"),
    (_with("y", lambda w, x, b, y, d: d["e"]), "lg_grad_sign", "y"),             # forgot the minus of e = v − y
    (lambda w, x, b, y: {k: 2 * v for k, v in lg_table(w, x, b, y).items()}, "lg_missing_half", "e"),
    (_with("b", lambda w, x, b, y, d: d["e"] + 0.25), "lg_wrong", "b"),
    (lambda w, x, b, y: {k: v for k, v in lg_table(w, x, b, y).items() if k != "y"}, "lg_missing_key", None),
    (lambda w, x, b, y: list(lg_table(w, x, b, y).values()), "lg_not_dict", None),
    (lambda w, x, b, y: None, "none_returned", None),
    (nie, "not_implemented", None),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, node", LG_MISTAKES)
def test_local_gradients_rejects_mistakes(fn, category, node, hidden, failure):
    err = failure(ch02.check_local_gradients, fn, hidden)
    assert err.category == category
    if node:
        assert err.fields["node"] == node
        assert f"∂J/∂{node}: expected" in str(err)


# ---------------------------------------------------------------------- topological sort
def topo_recursive(root):
    order, seen = [], set()

    def visit(n):
        if n not in seen:
            seen.add(n)
            for p in n.parents:
                visit(p)
            order.append(n)
    visit(root)
    return order


def topo_iterative(root):
    # Kahn's algorithm on the reachable subgraph, right-most parents first: another valid order
    nodes, stack = {root}, [root]
    while stack:
        for p in stack.pop().parents:
            if p not in nodes:
                nodes.add(p)
                stack.append(p)
    users = {n: 0 for n in nodes}
    for n in nodes:
        for p in set(n.parents):
            users[p] += 1
    ready, reverse_order = [root], []
    while ready:
        n = ready.pop()
        reverse_order.append(n)
        for p in reversed(list(dict.fromkeys(n.parents))):
            users[p] -= 1
            if users[p] == 0:
                ready.append(p)
    return tuple(reverse_order[::-1])


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [topo_recursive, topo_iterative])
def test_topological_sort_accepts_correct(fn, hidden, capsys):
    ch02.check_topological_sort(fn, hidden=hidden)
    assert "✓ topological_sort" in capsys.readouterr().out


def topo_no_visited_set(root):
    order = []

    def visit(n):
        for p in n.parents:
            visit(p)
        order.append(n)
    visit(root)
    return order


def topo_preorder(root):
    order, seen = [], set()

    def visit(n):
        if n not in seen:
            seen.add(n)
            order.append(n)          # appended before its parents
            for p in n.parents:
                visit(p)
    visit(root)
    return order[::-1]


def topo_first_parent_only(root):
    order, seen = [], set()

    def visit(n):
        if n not in seen:
            seen.add(n)
            if n.parents:
                visit(n.parents[0])
            order.append(n)
    visit(root)
    return order


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (topo_no_visited_set, "topo_duplicate"),
    (lambda root: topo_recursive(root)[::-1], "topo_reversed"),
    (topo_preorder, "topo_order"),
    (topo_first_parent_only, "topo_missing"),
    (lambda root: topo_recursive(root) + [ch02.Node("stranger")], "topo_extra"),
    (lambda root: None, "none_returned"),
    (lambda root: 3, "bad_type"),
    (nie, "not_implemented"),
])
def test_topological_sort_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch02.check_topological_sort, fn, hidden).category == category


def test_topological_sort_messages_name_the_nodes(failure):
    assert "Node a appears 3 times" in str(failure(ch02.check_topological_sort, topo_no_visited_set))
    text = str(failure(ch02.check_topological_sort, topo_preorder))
    assert re.search(r"\w+ \(position \d+\) comes before its parent \w+ \(position \d+\)", text), text


# ---------------------------------------------------------------------- Value
def make_value(bugs=(), topo=topo_recursive):
    """A micrograd-style Value (closures, +=); ``bugs`` switches typical mistakes on."""
    bugs = set(bugs)

    class Value:
        def __init__(self, data, parents=()):
            self.data = float(data)
            self.grad = 0.0
            self.parents = parents
            self._backward = lambda: None

        def _add_to(self, node, g):
            if "overwrite" in bugs:
                node.grad = g
            else:
                node.grad += g

        def _up(self, out):
            return 1.0 if "local_only" in bugs else out.grad

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other))

            def _backward():
                self._add_to(self, self._up(out))
                if "add_one_parent" not in bugs:
                    self._add_to(other, self._up(out))
            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                s = -1.0 if "mul_sign" in bugs else 1.0
                mine, theirs = (self.data, other.data) if "mul_swapped" in bugs else (other.data, self.data)
                self._add_to(self, s * mine * self._up(out))
                self._add_to(other, s * theirs * self._up(out))
            out._backward = _backward
            return out

        def __pow__(self, n):
            out = Value(self.data ** n, (self,))

            def _backward():
                local = n * self.data ** n if "pow" in bugs else n * self.data ** (n - 1)
                self._add_to(self, local * self._up(out))
            out._backward = _backward
            return out

        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,))

            def _backward():
                local = 1 - self.data ** 2 if "tanh" in bugs else 1 - t ** 2
                self._add_to(self, local * self._up(out))
            out._backward = _backward
            return out

        def exp(self):
            out = Value(math.exp(self.data), (self,))

            def _backward():
                local = self.data if "exp" in bugs else out.data
                factor = 2.0 if "exp_factor_2" in bugs else 1.0
                self._add_to(self, factor * local * self._up(out))
            out._backward = _backward
            return out

        def __neg__(self):
            return self * -1

        def __sub__(self, other):
            return self + (-other)

        def __rsub__(self, other):
            return other + (-self)

        def __truediv__(self, other):
            return self * other ** -1

        def __rtruediv__(self, other):
            return other * self ** -1

        __radd__ = __add__
        __rmul__ = __mul__

        def backward(self):
            order = topo(self)
            self.grad = 0.0 if "no_seed" in bugs else 1.0
            for node in (order if "forward_order" in bugs else reversed(order)):
                node._backward()
    return Value


class IterativeValue:
    """Another correct design: other attribute names, one backward method with a stored rule
    per op, an iterative post-order topological sort, subtraction and division as their own ops."""

    def __init__(self, x, _inputs=(), _rule=None):
        self.data, self.grad, self._inputs, self._rule = float(x), 0.0, _inputs, _rule

    @staticmethod
    def _v(o):
        return o if isinstance(o, IterativeValue) else IterativeValue(o)

    def __add__(self, o):
        o = self._v(o)
        return IterativeValue(self.data + o.data, (self, o), lambda g: (g, g))

    def __sub__(self, o):
        o = self._v(o)
        return IterativeValue(self.data - o.data, (self, o), lambda g: (g, -g))

    def __rsub__(self, o):
        return self._v(o) - self

    def __mul__(self, o):
        o = self._v(o)
        return IterativeValue(self.data * o.data, (self, o), lambda g: (g * o.data, g * self.data))

    def __truediv__(self, o):
        o = self._v(o)
        return IterativeValue(self.data / o.data, (self, o),
                              lambda g: (g / o.data, -g * self.data / o.data ** 2))

    def __rtruediv__(self, o):
        return self._v(o) / self

    def __pow__(self, n):
        return IterativeValue(self.data ** n, (self,), lambda g: (g * n * self.data ** (n - 1),))

    def __neg__(self):
        return self * -1.0

    def tanh(self):
        t = math.tanh(self.data)
        return IterativeValue(t, (self,), lambda g: (g * (1 - t * t),))

    def exp(self):
        e = math.exp(self.data)
        return IterativeValue(e, (self,), lambda g: (g * e,))

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in node._inputs if p not in seen)
        self.grad = 1.0
        for node in reversed(order):
            if node._rule is not None:
                for p, g in zip(node._inputs, node._rule(node.grad)):
                    p.grad += g


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("Value", [make_value(), make_value(topo=topo_iterative), IterativeValue])
def test_value_accepts_correct(Value, hidden, capsys):
    ch02.check_value_class(Value, hidden=hidden)
    assert "✓ value_class" in capsys.readouterr().out


VALUE_MISTAKES = [
    (["overwrite"], topo_recursive, "grad_overwritten", None),
    (["tanh"], topo_recursive, "tanh_derivative", None),
    (["local_only"], topo_recursive, "missing_chain_factor", "*"),
    (["mul_sign"], topo_recursive, "sign_in_op", "*"),
    (["exp_factor_2"], topo_recursive, "factor_2_in_op", "exp"),
    (["forward_order"], topo_recursive, "wrong_order", None),
    ([], topo_preorder, "wrong_order", None),
    (["pow"], topo_recursive, "pow_derivative", None),
    (["exp"], topo_recursive, "exp_derivative", None),
    (["no_seed"], topo_recursive, "root_grad_not_one", None),
    (["mul_swapped"], topo_recursive, "mul_swapped_factors", None),
    (["add_one_parent"], topo_recursive, "add_one_parent", None),
    ([], nie, "value_not_implemented", None),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("bugs, topo, category, op", VALUE_MISTAKES)
def test_value_rejects_mistakes(bugs, topo, category, op, hidden, failure):
    err = failure(ch02.check_value_class, make_value(bugs, topo), hidden)
    assert err.category == category, str(err)
    if op:
        assert err.fields["op"] == op
    if category != "value_not_implemented":
        assert ".grad: expected" in str(err)


def test_overwritten_gradient_is_caught_on_a_reused_node(failure):
    err = failure(ch02.check_value_class, make_value(["overwrite"]))
    assert "a * a + a; a = 1.5" in str(err) and "a.grad: expected 4, got 1.5" in str(err)


def test_missing_chain_factor_is_pinned_to_its_operation(failure):
    err = failure(ch02.check_value_class, make_value(["local_only"]))
    assert "case 3 of 12" in str(err) and "`*`" in str(err)


def test_blank_topological_sort_is_named(failure):
    err = failure(ch02.check_value_class, make_value(topo=nie))
    assert "`nie`" in str(err)


def test_a_broken_forward_pass_is_reported():
    class Broken(IterativeValue):
        def tanh(self):
            return IterativeValue(math.tanh(self.data) + 0.1, (self,), lambda g: (g,))
    with pytest.raises(core.CheckFailed) as info:
        ch02.check_value_class(Broken)
    assert info.value.category == "value_forward"


def test_value_not_starting_at_zero_grad():
    class Primed(IterativeValue):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.grad = 1.0
    with pytest.raises(core.CheckFailed) as info:
        ch02.check_value_class(Primed)
    assert info.value.category == "value_grad_init"


# ---------------------------------------------------------------------- the judge itself
@pytest.mark.parametrize("spec", ch02._V_VISIBLE + key02_value.HIDDEN, ids=lambda s: s[0] if isinstance(s, tuple) else "")
def test_reference_engine_matches_numerical_gradients(spec):
    _, _, expr, values = spec
    out, grads = key02_value.run_program(*ch02.program_of(expr, len(values)), values)

    class F(float):  # floats with .tanh() and .exp(), so the same expressions run on numbers
        def tanh(self):
            return F(math.tanh(self))

        def exp(self):
            return F(math.exp(self))

        def _w(op):
            return lambda a, *b: F(getattr(float, op)(a, *b))
    for name in ("__add__", "__radd__", "__mul__", "__rmul__", "__sub__", "__rsub__", "__truediv__",
                 "__rtruediv__", "__pow__", "__neg__"):
        setattr(F, name, F._w(name))

    def f(v):
        return float(expr(*[F(t) for t in v]))
    numeric = chainrule.numerical_grad(f, np.array(values, dtype=np.float64))
    assert np.allclose(grads, numeric, rtol=1e-6, atol=1e-8)
    assert math.isclose(out, f(np.array(values)), rel_tol=1e-12)


def test_reference_local_gradients_match_numerical_gradients():
    w, x, b, y = 0.7, -1.9, 0.4, 2.2
    g = key02.reference_local_gradients(w, x, b, y)
    J = lambda p: 0.5 * (p[0] * p[1] + p[2] - p[3]) ** 2  # noqa: E731
    num = chainrule.numerical_grad(J, np.array([w, x, b, y]))
    assert np.allclose([g["w"], g["x"], g["b"], g["y"]], num, rtol=1e-7)


def test_every_ch02_category_has_a_message_in_both_languages():
    import inspect
    src = inspect.getsource(ch02)
    used = set(re.findall(r'\("([a-z_0-9]+)",\s*(?:\{|lambda|local|2 \*|-exp|e \*)', src))
    used |= set(re.findall(r'fail\(\s*"([a-z_0-9]+)"', src))
    assert {"grad_overwritten", "topo_order", "lg_local_only", "value_not_implemented"} <= used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), used - set(MESSAGES[lang])


# ---------------------------------------------------------------------- messages in both languages
@pytest.mark.parametrize("lang, words", [
    ("en", ["value_class", "case 8 of 12", "a.grad: expected", "relative error", "Hint", "accumulate"]),
    ("zh", ["value_class", "第 8 个用例", "a.grad：期望", "实际得到", "提示", "累加"]),
])
def test_value_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch02.check_value_class, make_value(["overwrite"])))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, words", [
    ("en", ["local_gradients", "∂J/∂w: expected", "upstream"]),
    ("zh", ["local_gradients", "∂J/∂w：期望", "上游梯度"]),
])
def test_local_gradient_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch02.check_local_gradients, _with("w", lambda w, x, b, y, d: x)))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, word", [("en", "comes before its parent"), ("zh", "排在了它的父节点")])
def test_topological_sort_messages_in_both_languages(lang, word, failure):
    core.set_language(lang)
    assert word in str(failure(ch02.check_topological_sort, topo_preorder))


@pytest.mark.parametrize("lang, line", [("en", "✓ topological_sort: all 7 hidden tests passed."),
                                        ("zh", "✓ topological_sort\uff1a7 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch02.check_topological_sort(topo_recursive, hidden=True)
    assert capsys.readouterr().out.strip() == line


# ---------------------------------------------------------------------- as in grading: only data crosses
class _InProcess:
    """grader.wall's Channel with the sandbox's Host served inline, every message through JSON."""

    def __init__(self, host):
        self.host = host

    def request(self, msg, blobs=()):
        from checks_helpers import serve_inline
        return serve_inline(self.host, msg, blobs)


def graded(obj):
    """``obj`` defined in a sandbox host; the check gets only a remote name for it."""
    wall = pytest.importorskip("grader.wall")
    from grader.inside.host import Host
    host = Host()
    host.ns["learner"] = obj
    return wall.Remote(_InProcess(host), "learner")


@pytest.mark.parametrize("check, fn", [
    (ch02.check_local_gradients, lg_numpy),
    (ch02.check_topological_sort, topo_iterative),
    (ch02.check_value_class, make_value()),
    (ch02.check_value_class, IterativeValue),
])
def test_graded_through_the_wall(check, fn, capsys):
    check(graded(fn), hidden=True)
    assert "✓" in capsys.readouterr().out


def _value_with_value_grads():
    """A Value whose backward() leaves a Value (not a float) in every leaf's .grad."""
    Value = make_value()
    correct = Value.backward

    def backward(self):
        correct(self)
        for node in topo_recursive(self):
            if not node.parents:
                node.grad = Value(node.grad)
    Value.backward = backward
    return Value


@pytest.mark.parametrize("where", ["notebook", "graded"])
def test_learner_objects_are_named_by_their_type(where, failure):
    wrap = graded if where == "graded" else (lambda f: f)
    err = failure(ch02.check_topological_sort, wrap(lambda root: topo_recursive(root) + [ch02.Node("mine")]))
    assert err.category == "topo_extra" and "a Node object made by your code" in str(err)
    err = failure(ch02.check_local_gradients, wrap(_with("v", lambda w, x, b, y, d: make_value()(1.0))))
    assert err.category == "lg_not_number" and err.fields["gtype"] == "Value"
    err = failure(ch02.check_value_class, wrap(_value_with_value_grads()))
    assert err.category == "value_grad_type" and err.fields["gtype"] == "Value"
    err = failure(ch02.check_value_class, wrap(make_value(topo=nie)))
    assert err.category == "value_not_implemented" and err.fields["where"] == "nie"


def test_a_case_crosses_as_a_program():
    """The Value driver gets numbers and a list of operations, reversed operands in place."""
    program, root = ch02.program_of(lambda a, b: 1 - 3 * a / b ** 2, 2)
    assert program == [["mul", ["k", 3], ["v", 0]], ["pow", ["v", 1], ["k", 2]], ["truediv", ["v", 2], ["v", 3]],
                       ["sub", ["k", 1], ["v", 4]]]
    assert root == 5


@pytest.mark.parametrize("bugs, category, en, zh", [
    (["mul_swapped"], "mul_swapped_factors", "the *other* factor", "*另一个*因子"),
    (["add_one_parent"], "add_one_parent", "one parent only", "只把梯度传给了一个父节点"),
])
def test_value_backward_mistakes_are_named_in_both_languages(bugs, category, en, zh, failure):
    for lang, word in (("en", en), ("zh", zh)):
        core.set_language(lang)
        err = failure(ch02.check_value_class, make_value(bugs))
        assert err.category == category and word in str(err)



def _chinese_hint(err):
    """The hint line of a Chinese report: the same category, a Chinese sentence, no English frame."""
    hint = str(err).splitlines()[-1]
    assert hint.startswith("  提示：")
    assert not any(w in hint for w in ("expected", "got ", "Your ", "Hint"))
    return hint


@pytest.mark.parametrize("fn, category, node", LG_MISTAKES)
def test_local_gradients_mistakes_are_named_in_chinese(fn, category, node, failure):
    core.set_language("zh")
    err = failure(ch02.check_local_gradients, fn)
    assert err.category == category
    _chinese_hint(err)


@pytest.mark.parametrize("bugs, topo, category, op", VALUE_MISTAKES)
def test_value_mistakes_are_named_in_chinese(bugs, topo, category, op, failure):
    core.set_language("zh")
    err = failure(ch02.check_value_class, make_value(bugs, topo))
    assert err.category == category
    _chinese_hint(err)
