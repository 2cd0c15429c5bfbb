"""coursekit.widgets: the loss-surface explorer (ipywidgets) and its static fallback, drawn with the Agg
backend; no display is needed."""
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import viz, widgets  # noqa: E402
from coursekit.checks import core  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setitem(core._state, "lang", "en")
    yield
    plt.close("all")


def test_importing_chainrule_and_widgets_loads_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, chainrule, coursekit.widgets; "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_bowl_values_and_gradient():
    bowl = widgets.bowl(a=1, b=25)
    assert bowl.f(2.0, 1.0) == pytest.approx(0.5 * (4 + 25))
    gx, gy = bowl.grad(np.array([2.0, -1.0]), np.array([1.0, 0.5]))
    np.testing.assert_allclose(gx, [2.0, -1.0])
    np.testing.assert_allclose(gy, [25.0, 12.5])
    assert bowl.minimum == (0.0, 0.0)


@pytest.mark.parametrize("lr", [0.005, 0.03, 0.07])
def test_gradient_descent_trajectory_is_the_analytic_one(lr):
    bowl = widgets.bowl()
    path = widgets.trajectory(bowl, "sgd", lr, start=(-5.0, 1.5), steps=30)
    k = np.arange(31)
    np.testing.assert_allclose(path[:, 0], -5.0 * (1 - lr) ** k, rtol=1e-12)
    np.testing.assert_allclose(path[:, 1], 1.5 * (1 - 25 * lr) ** k, rtol=1e-12, atol=1e-300)


def test_a_diverging_run_stops_early():
    bowl = widgets.bowl()
    path = widgets.trajectory(bowl, "sgd", 0.09, start=(-5.0, 1.5), steps=200)
    assert len(path) < 201
    assert bowl.f(*path[-1]) > 100 * bowl.f(-5.0, 1.5)


def test_momentum_and_adam_use_chainrule_optim():
    bowl = widgets.bowl()
    mom = widgets.trajectory(bowl, "momentum", 0.02, start=(-5.0, 1.5), steps=3)
    # v1 = g0, v2 = 0.9 v1 + g1 (PyTorch's convention)
    g0 = np.array([-5.0, 37.5])
    p1 = np.array([-5.0, 1.5]) - 0.02 * g0
    np.testing.assert_allclose(mom[1], p1)
    np.testing.assert_allclose(mom[2], p1 - 0.02 * (0.9 * g0 + np.array([p1[0], 25 * p1[1]])))
    adam = widgets.trajectory(bowl, "adam", 0.1, start=(-5.0, 1.5), steps=1)
    np.testing.assert_allclose(adam[1], [-4.9, 1.4], rtol=1e-6)   # first Adam step: ±lr per coordinate
    with pytest.raises(ValueError, match="unknown optimizer"):
        widgets.trajectory(bowl, "rmsprop", 0.1)


def test_plot_trajectories_draws_one_line_per_path_and_marks_divergence():
    bowl = widgets.bowl()
    paths = {"fine": widgets.trajectory(bowl, "sgd", 0.03, steps=20),
             "too large": widgets.trajectory(bowl, "sgd", 0.09, steps=40)}
    ax = widgets.plot_trajectories(bowl, paths)
    assert len(ax.lines) == 2
    labels = [line.get_label() for line in ax.lines]
    assert labels[0] == "fine" and labels[1].startswith("too large") and "diverged" in labels[1]


@pytest.mark.parametrize("lrs", [(0.005, 0.03, 0.07, 0.09), (0.01,), (0.02, 0.2)])
def test_static_fallback_has_one_panel_and_one_line_per_learning_rate(lrs):
    fig = widgets.learning_rate_panels(widgets.bowl(), lrs=lrs, steps=20)
    assert len(fig.axes) == len(lrs)
    for ax, lr in zip(fig.axes, lrs):
        assert len(ax.lines) == 1
        assert f"η = {lr:g}" in ax.get_title()


def test_static_panels_say_when_a_run_diverges_in_the_notebook_language(monkeypatch):
    fig = widgets.learning_rate_panels(widgets.bowl(), lrs=(0.03, 0.09), steps=40)
    assert "diverges" in fig.axes[1].get_title() and "diverges" not in fig.axes[0].get_title()
    monkeypatch.setitem(core._state, "lang", "zh")
    with matplotlib.rc_context():
        viz.use_chinese_font()
        fig = widgets.learning_rate_panels(widgets.bowl(), lrs=(0.09,), optimizer="adam", steps=40)
        assert fig._suptitle.get_text().startswith("Adam：")
        fig = widgets.learning_rate_panels(widgets.bowl(), lrs=(0.09,), steps=40)
        assert "发散" in fig.axes[0].get_title() and "梯度下降" in fig._suptitle.get_text()


def test_explorer_builds_the_widget_and_redraws_on_change():
    pytest.importorskip("ipywidgets")
    import ipywidgets
    box = widgets.loss_surface_explorer(lr=0.03, steps=20)
    assert isinstance(box, ipywidgets.VBox)
    c = box.controls
    assert set(c) == {"optimizer", "lr", "steps", "image", "status"}
    assert isinstance(c["lr"], ipywidgets.FloatLogSlider) and isinstance(c["optimizer"], ipywidgets.Dropdown)
    assert [value for _, value in c["optimizer"].options] == ["sgd", "momentum", "adam"]
    assert bytes(c["image"].value).startswith(PNG)
    assert "gradient descent" in c["status"].value and "20 steps" in c["status"].value
    first = bytes(c["image"].value)
    c["lr"].value = 0.09                      # the observer redraws
    assert bytes(c["image"].value) != first and "η = 0.09" in c["status"].value
    c["optimizer"].value = "adam"
    assert "Adam" in c["status"].value
    c["steps"].value = 50
    assert "50 steps" in c["status"].value
    assert plt.get_fignums() == []            # frames are drawn outside pyplot: nothing pops up twice


def test_explorer_without_ipywidgets_returns_the_static_figure(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # import ipywidgets now raises ImportError
    fig = widgets.loss_surface_explorer(steps=20, static_lrs=(0.01, 0.05, 0.09))
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == 3 and all(len(ax.lines) == 1 for ax in fig.axes)
    assert "ipywidgets is not installed" in capsys.readouterr().out
    assert plt.get_fignums() == []            # closed: shown once, as the cell's value


# ---------------------------------------------------------------- shared by the demos of chapters 1, 2, 4 and 7
def _cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _drawn(make):
    """``make()``'s figure, drawn, and the 'Glyph ... missing from font' warnings (Chinese drawn as boxes)
    raised while it was made and drawn (matplotlib caches text layouts: a second draw says nothing)."""
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = make()
        if hasattr(fig, "canvas"):          # a Figure; a widget box draws its frames itself
            fig.canvas.draw()
    return fig, [str(w.message) for w in caught if "missing from" in str(w.message)]


def _needs_cjk_font():
    if viz.cjk_font_family() is None:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")


def _bundle_png(box):
    import base64
    data = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    return base64.b64decode(data["image/png"])


@pytest.mark.parametrize("make", [lambda: widgets.loss_surface_explorer(steps=10),
                                  lambda: widgets.derivative_explorer(),
                                  lambda: widgets.pass_stepper(),
                                  lambda: widgets.grad_norm_explorer(depth=4)])
def test_every_demo_offers_its_current_frame_as_a_picture_for_exports(make):
    pytest.importorskip("ipywidgets")
    box = make()
    assert _bundle_png(box) == bytes(box.controls["image"].value)
    assert _bundle_png(box).startswith(PNG)


# ---------------------------------------------------------------- chapter 1: the slope of a secant
def test_secant_slope_forward_and_central():
    square = lambda w: w * w                                         # noqa: E731
    assert widgets.secant_slope(square, 3.0, 0.5) == pytest.approx(6.5)
    assert widgets.secant_slope(square, 3.0, 0.5, "central") == pytest.approx(6.0)
    assert widgets.secant_slope(np.sin, 1.0, 1e-5, "central") == pytest.approx(np.cos(1.0), abs=1e-10)
    with pytest.raises(ValueError, match="unknown method"):
        widgets.secant_slope(square, 3.0, 0.5, "backward")


def test_secant_figure_draws_one_secant_per_step_and_the_error_curve():
    fig = widgets.secant_figure(h=(1.0, 1e-3, 1e-12))
    left, right = fig.axes
    secants = [t.get_text() for t in left.get_legend().get_texts() if t.get_text().startswith("secant")]
    assert len(secants) == 3 and "slope 7" in secants[0] and "slope 6.001" in secants[1]
    assert right.get_xscale() == right.get_yscale() == "log"
    assert left.get_title() and right.get_title() and left.get_xlabel() == "w" and "log" in right.get_xlabel()
    err_curve = right.lines[0].get_ydata()
    assert err_curve[-1] == pytest.approx(1.0)                       # ε = 1: slope 7, error 1


def test_derivative_explorer_redraws_when_the_step_and_the_method_change():
    pytest.importorskip("ipywidgets")
    import ipywidgets
    box = widgets.derivative_explorer(h=0.5)
    c = box.controls
    assert set(c) == {"h", "method", "image", "status"}
    assert isinstance(c["h"], ipywidgets.FloatLogSlider) and c["h"].min == -16 and c["h"].max == 0
    assert "slope <b>6.5</b>" in c["status"].value and "error <b>5.0e-01</b>" in c["status"].value
    first = bytes(c["image"].value)
    c["h"].value = 1e-3
    assert bytes(c["image"].value) != first
    assert "error <b>1.0e-03</b>" in c["status"].value               # forward difference of w²: error = ε
    c["method"].value = "central"
    assert "central difference" in c["status"].value and "error <b>1.0e-03</b>" not in c["status"].value
    c["h"].value = 1e-12                                             # round-off: the error grows again
    err = float(c["status"].value.split("error <b>")[1].split("<")[0])
    assert err > 1e-6
    assert plt.get_fignums() == []


def test_derivative_explorer_without_ipywidgets_returns_the_static_figure(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    fig = widgets.derivative_explorer(static_h=(0.5, 1e-6))
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    assert sum(t.get_text().startswith("secant") for t in fig.axes[0].get_legend().get_texts()) == 2
    assert "ipywidgets is not installed" in capsys.readouterr().out
    assert plt.get_fignums() == []


def test_derivative_demo_speaks_chinese(monkeypatch):
    _needs_cjk_font()
    monkeypatch.setitem(core._state, "lang", "zh")
    with matplotlib.rc_context():
        fig, missing = _drawn(widgets.secant_figure)
        assert missing == []
        texts = [fig.axes[0].get_title(), fig.axes[1].get_title(), fig.axes[1].get_xlabel()]
        assert all(_cjk(t) for t in texts), texts
        pytest.importorskip("ipywidgets")
        box = widgets.derivative_explorer()
        assert _cjk(box.controls["status"].value) and _cjk(box.controls["h"].description)
        assert _drawn(lambda: setattr(box.controls["h"], "value", 1e-4))[1] == []   # a new frame, drawn


# ---------------------------------------------------------------- chapter 2: forward, then backward, step by step
def test_pass_steps_of_the_worked_example():
    graph, steps = widgets.pass_steps(widgets.worked_example())
    names = {n.id: n.label for n in graph.nodes}
    phases = [s.phase for s in steps]
    assert phases == ["start"] + ["forward"] * 5 + ["backward"] * 7
    forward = [(names[s.node], s.values[s.node]) for s in steps if s.phase == "forward"]
    assert forward == [("u", -3.0), ("v", -2.5), ("e", -3.5), ("pow", 12.25), ("J", 6.125)]
    backward = [names[s.node] for s in steps if s.phase == "backward"]
    assert backward[:5] == ["J", "pow", "e", "v", "u"] and set(backward[5:]) == {"w", "b"}
    final = {names[i]: g for i, g in steps[-1].grads.items()}
    assert final == pytest.approx({"J": 1, "pow": 0.5, "e": -3.5, "v": -3.5, "u": -3.5, "w": 5.25, "b": -3.5})
    assert "x" not in final and "y" not in final                     # constants get no gradient
    # each gradient is the sum of local × upstream over the node's consumers, all known before it
    consumers = {}
    for a, b in graph.edges:
        consumers.setdefault(a, set()).add(b)
    for k, s in enumerate(steps):
        if s.phase == "backward" and s.detail["terms"]:
            assert {c for c, _, _ in s.detail["terms"]} == consumers[s.node]
            assert all(c in steps[k - 1].grads for c in consumers[s.node])
            assert s.grads[s.node] == pytest.approx(sum(lg * up for _, lg, up in s.detail["terms"]))


def test_pass_steps_sums_the_paths_of_a_reused_node_and_refuses_a_used_graph():
    import chainrule as cr
    a = cr.Tensor(3.0, requires_grad=True, name="a")
    f = a * a + a                                                    # ∂f/∂a = 2a + 1 = 7, over three edges
    graph, steps = widgets.pass_steps(f)
    last = steps[-1]
    assert last.grads[last.node] == pytest.approx(7.0) and len(last.detail["terms"]) == 2
    assert sorted(lg for _, lg, _ in last.detail["terms"]) == pytest.approx([1.0, 6.0])   # ∂(a·a)/∂a = 2a
    assert a.grad == pytest.approx(7.0)
    J = widgets.worked_example()
    J.backward()
    with pytest.raises(ValueError, match="already ran"):
        widgets.pass_steps(J)
    with pytest.raises(ValueError, match="scalar"):
        widgets.pass_steps((cr.Tensor(np.ones(3), requires_grad=True) * 2).sum())


def test_pass_stepper_shows_values_then_gradients_as_the_slider_moves():
    pytest.importorskip("ipywidgets")
    import ipywidgets
    box = widgets.pass_stepper()
    c = box.controls
    assert set(c) == {"step", "play", "image", "status"}
    assert isinstance(c["play"], ipywidgets.Play) and c["step"].max == c["play"].max == 12
    seen = {bytes(c["image"].value)}
    assert "no operation has run yet" in c["status"].value
    c["step"].value = 1
    assert "<b>u</b> = mul(w, x) = mul(2, -1.5) = <b>-3</b>" in c["status"].value
    seen.add(bytes(c["image"].value))
    c["step"].value = 6
    assert "∂J/∂J = 1" in c["status"].value
    seen.add(bytes(c["image"].value))
    c["step"].value = 12
    assert "-3.5" in c["status"].value and "upstream" in c["status"].value
    seen.add(bytes(c["image"].value))
    assert len(seen) == 4
    for k in range(13):
        c["step"].value = k
        if "∂J/∂w</b>" in c["status"].value:
            break
    assert k in (11, 12) and "-1.5 × (-3.5)" in c["status"].value and "<b>5.25</b>" in c["status"].value
    assert plt.get_fignums() == []


def test_pass_figure_and_the_fallback_without_ipywidgets(monkeypatch, capsys):
    fig = widgets.pass_figure(at=(0, 5, 12))
    assert len(fig.axes) == 3
    text = "\n".join(t.get_text() for t in fig.axes[2].texts)
    assert "∂ 5.25" in text and "= 6.125" in text
    first = "\n".join(t.get_text() for t in fig.axes[0].texts)
    assert "∂" not in first and "= 6.125" not in first and "= -1.5" in first
    assert fig.axes[1].get_title().startswith("Forward pass") and fig.axes[2].get_title().startswith("Backward")
    plt.close(fig)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    fig = widgets.pass_stepper()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 4
    assert "ipywidgets is not installed" in capsys.readouterr().out
    assert plt.get_fignums() == []


def test_pass_demo_speaks_chinese(monkeypatch):
    _needs_cjk_font()
    monkeypatch.setitem(core._state, "lang", "zh")
    with matplotlib.rc_context():
        fig, missing = _drawn(lambda: widgets.pass_figure(at=(0, 8)))
        assert missing == []
        assert _cjk(fig.axes[0].get_title()) and _cjk(fig.axes[1].get_title()) and _cjk(fig._suptitle.get_text())
        pytest.importorskip("ipywidgets")
        box, missing = _drawn(lambda: widgets.pass_stepper(step=8))
        assert missing == []
        assert "局部梯度 × 上游梯度" in box.controls["status"].value and _cjk(box.controls["step"].description)


# ---------------------------------------------------------------- chapter 7: gradient norms per layer
def test_layer_grad_norms_match_softmax_regression_by_hand():
    from coursekit.widgets import grad_norms
    from coursekit.datasets import load_digits
    norms = widgets.layer_grad_norms("relu", depth=1, batch=32)
    model = grad_norms._mlp("relu", 1, 64, "default", 0)
    linear = model[0]
    W, b = linear.weight.data.astype(np.float64), linear.bias.data.astype(np.float64)
    x, y, _, _ = load_digits()
    x, y = x[:32].astype(np.float32).astype(np.float64), y[:32]
    z = x @ W.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(32), y] -= 1
    assert norms.shape == (1,)
    assert norms[0] == pytest.approx(np.linalg.norm(p.T @ x / 32), rel=1e-4)


def test_layer_grad_norms_vanish_with_sigmoid_and_are_repeatable_without_touching_the_global_seed():
    from chainrule.nn import init
    before = init.default_generator()
    state = before.bit_generator.state
    sig = widgets.layer_grad_norms("sigmoid", depth=15)
    assert init.default_generator() is before and before.bit_generator.state == state
    assert sig.shape == (15,) and np.all(np.isfinite(sig))
    assert sig[0] / sig[-1] < 1e-6                                   # the sigmoid network's gradient vanishes
    he = widgets.layer_grad_norms("relu", depth=15, init="he")
    assert he[0] / he[-1] > 1e-2                                     # He keeps ReLU's gradient alive
    np.testing.assert_array_equal(sig, widgets.layer_grad_norms("sigmoid", depth=15))
    with pytest.raises(ValueError, match="unknown activation"):
        widgets.layer_grad_norms("gelu")
    with pytest.raises(ValueError, match="unknown init"):
        widgets.layer_grad_norms("tanh", init="lecun")


def test_a_slider_frame_loads_the_digits_once_and_runs_one_pass_per_activation(monkeypatch):
    """What keeps the explorer quick enough for a slider, without timing anything (its speed is
    measured side by side with hand-written NumPy in benchmarks/widgets.py): the batch of digits
    is read once per process, not per frame, and a frame at depth 30 is one forward and one
    backward pass per activation, giving one finite norm per layer."""
    from coursekit import datasets
    from chainrule.tensor import Tensor
    loads, backwards = [], []
    real_load, real_backward = datasets.load_digits, Tensor.backward
    monkeypatch.setattr(datasets, "load_digits", lambda *a, **k: loads.append(1) or real_load(*a, **k))
    monkeypatch.setattr(Tensor, "backward", lambda self, *a, **k: backwards.append(1) or real_backward(self, *a, **k))
    for frame in range(3):
        for act in widgets.ACTIVATIONS:
            norms = widgets.layer_grad_norms(act, depth=30, batch=96)   # a batch size no other test used
            assert norms.shape == (30,) and np.all(np.isfinite(norms)) and np.all(norms > 0)
    assert len(loads) <= 1 and len(backwards) == 3 * len(widgets.ACTIVATIONS)


def test_grad_norm_explorer_redraws_for_each_control():
    pytest.importorskip("ipywidgets")
    box = widgets.grad_norm_explorer(depth=10)
    c = box.controls
    assert set(c) == {"activation", "init", "depth", "image", "status"}
    assert [v for _, v in c["activation"].options] == ["sigmoid", "tanh", "relu"]
    assert [v for _, v in c["init"].options] == ["default", "xavier", "he"]
    assert "sigmoid, 10 layers" in c["status"].value
    seen = {bytes(c["image"].value)}
    for key, value, text in [("activation", "relu", "ReLU, 10 layers"), ("init", "he", "He (normal)"),
                             ("depth", 20, "20 layers")]:
        c[key].value = value
        assert text in c["status"].value
        seen.add(bytes(c["image"].value))
    assert len(seen) == 4
    assert plt.get_fignums() == []


def test_grad_norm_panels_and_the_fallback_without_ipywidgets(monkeypatch, capsys):
    fig = widgets.grad_norm_panels(depth=6)
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert len(ax.lines) == 3 and ax.get_yscale() == "log" and ax.get_title()
        assert [line.get_label() for line in ax.lines] == ["sigmoid", "tanh", "ReLU"]
        assert len(ax.lines[0].get_xdata()) == 6
    assert fig.axes[0].get_xlabel().startswith("layer") and "log" in fig.axes[0].get_ylabel()
    plt.close(fig)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    fig = widgets.grad_norm_explorer(depth=5, static_inits=("default", "he"))
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    assert "ipywidgets is not installed" in capsys.readouterr().out
    assert plt.get_fignums() == []


def test_grad_norm_demo_speaks_chinese(monkeypatch):
    _needs_cjk_font()
    monkeypatch.setitem(core._state, "lang", "zh")
    with matplotlib.rc_context():
        fig, missing = _drawn(lambda: widgets.grad_norm_panels(depth=4, inits=("he",)))
        assert missing == []
        ax = fig.axes[0]
        assert _cjk(ax.get_xlabel()) and _cjk(ax.get_ylabel()) and _cjk(fig._suptitle.get_text())
        pytest.importorskip("ipywidgets")
        box, missing = _drawn(lambda: widgets.grad_norm_explorer(depth=4))
        assert missing == []
        assert _cjk(box.controls["status"].value) and _cjk(box.controls["activation"].description)
