"""Interactive demos (ipywidgets 8) with static fallbacks, one module per chapter's demo.

matplotlib and ipywidgets are imported inside the functions only, so ``import chainrule`` and
``import coursekit.widgets`` never need them. Labels follow the course language
(``coursekit.checks.set_language``) unless ``lang`` is given; Chinese labels use the CJK font
set-up of ``coursekit.viz``. Every ``*_explorer`` / ``*_stepper`` returns an ``ipywidgets.VBox``
with ``controls`` (its widgets by name) and ``redraw()``; where widgets cannot render (an exported
page) its output shows the current frame as a picture, and without ipywidgets the function prints
a note and returns a static matplotlib figure instead.

    chapter 1  derivative_explorer(f, df, x)   a secant's slope against the derivative, with an ε slider
               secant_figure, secant_slope
    chapter 2  pass_stepper(root)              forward, then backward, one node per step on the drawn graph
               pass_steps, pass_figure, worked_example
    chapter 4  loss_surface_explorer(surface)  optimizers on a 2-D loss surface, with a learning-rate slider
               bowl, trajectory, plot_trajectories, learning_rate_panels, Surface, OPTIMIZERS
    chapter 7  grad_norm_explorer()            depth, activation and initialisation against per-layer gradient norms
               layer_grad_norms, grad_norm_panels, ACTIVATIONS, INITS
"""
from .derivative import derivative_explorer, secant_figure, secant_slope
from .passes import Step, pass_figure, pass_stepper, pass_steps, worked_example
from .grad_norms import ACTIVATIONS, INITS, grad_norm_explorer, grad_norm_panels, layer_grad_norms
from .loss_surface import (OPTIMIZERS, Surface, bowl, learning_rate_panels, loss_surface_explorer,
                           plot_trajectories, trajectory)

__all__ = ["derivative_explorer", "secant_figure", "secant_slope",
           "pass_stepper", "pass_steps", "pass_figure", "worked_example", "Step",
           "Surface", "bowl", "OPTIMIZERS", "trajectory", "plot_trajectories", "learning_rate_panels",
           "loss_surface_explorer",
           "grad_norm_explorer", "grad_norm_panels", "layer_grad_norms", "ACTIVATIONS", "INITS"]
