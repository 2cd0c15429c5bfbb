"""chainrule.widgets: the loss-surface explorer (ipywidgets) and its static fallback, drawn with the Agg
backend; no display is needed."""
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from chainrule import viz, widgets  # noqa: E402
from chainrule.checks import core  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setitem(core._state, "lang", "en")
    yield
    plt.close("all")


def test_importing_chainrule_and_widgets_loads_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, chainrule, chainrule.widgets; "
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
