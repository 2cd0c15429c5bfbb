"""In-notebook checks with feedback in English or Chinese.

A chapter's first cell::

    import chainrule
    chainrule.checks.setup("zh")      # environment check, feedback language, plot fonts

An exercise's tests cell::

    from chainrule.checks import ch01
    ch01.check_central_difference(central_difference)               # visible cases
    ch01.check_central_difference(central_difference, hidden=True)  # graded hidden cases

A check prints one ✓ line, or raises :class:`CheckFailed` (an AssertionError) whose
message says which case failed, where, expected vs got, the relative error and a hint
for the diagnosed mistake (``e.category``). Messages live in :mod:`.messages`.

Before submitting, ``chainrule.check()`` (:mod:`.notebook`) runs the visible checks of every
exercise of the open notebook and prints the expected score.
"""
from __future__ import annotations

import importlib

from .core import CheckFailed, Verdict, get_language, judge, msg, set_language, verdict

__all__ = ["setup", "set_language", "get_language", "CheckFailed", "check_environment", "get_check", "EXERCISES",
           "judge", "verdict", "Verdict", "ch00", "ch01"]

_CHAPTERS = tuple(f"ch{i:02d}" for i in range(9))
__all__ += list(_CHAPTERS[2:])


def setup(lang=None, check_env=True):
    """Set the feedback language, check the environment, style plots and configure CJK fonts.

    lang: "en" or "zh" (default: $CHAINRULE_LANG, else "en"). Safe to call again. Returns
    None, so that a notebook's first cell shows only the printed line; use
    :func:`check_environment` for a True/False answer.
    """
    lang = set_language(lang if lang is not None else get_language())
    from .. import viz
    viz.style()
    viz.use_chinese_font(first=(lang == "zh"))
    if check_env:
        from .env import check_environment
        check_environment(lang)


def check_environment(lang=None):
    from .env import check_environment as _check
    return _check(lang)


# exercise id -> chapter module holding ``check_<id>`` (points live in the chapter sources only)
EXERCISES = {
    "center_rows": "ch00",
    "forward_difference": "ch01",
    "central_difference": "ch01",
    "numerical_gradient": "ch01",
    "relative_error": "ch01",
    # ch02
    "local_gradients": "ch02",
    "topological_sort": "ch02",
    "value_class": "ch02",
    # ch03
    "affine_forward": "ch03",
    "affine_backward": "ch03",
    "sigmoid_backward": "ch03",
    "tanh_backward": "ch03",
    "relu_backward": "ch03",
    "softmax_cross_entropy": "ch03",
    "mse_loss": "ch03",
    "two_layer_net": "ch03",
    # ch08
    "train_steps_fixed": "ch08",
    "forward_fixed": "ch08",
    "logged_forward_fixed": "ch08",
    "grad_norms": "ch08",
    "check_model_gradients": "ch08",
    # ch05
    "conv2d_forward": "ch05",
    "conv2d_backward": "ch05",
    "maxpool_backward": "ch05",
    "avgpool_backward": "ch05",
    # ch06
    "rnn_step_backward": "ch06",
    "rnn_backward": "ch06",
    "truncated_bptt": "ch06",
    "lstm_step_backward": "ch06",
    # ch07
    "batchnorm_backward": "ch07",
    "clip_by_norm": "ch07",
    "clip_by_value": "ch07",
    "init_scale": "ch07",
    # ch04
    "sgd_step": "ch04",
    "momentum_step": "ch04",
    "adam_step": "ch04",
    "train_minibatch": "ch04",
}


def get_check(exercise):
    """The check function of an exercise id, e.g. ``get_check("central_difference")(fn, hidden=True)``."""
    if exercise not in EXERCISES:
        raise KeyError(f"unknown exercise {exercise!r}; known: {', '.join(sorted(EXERCISES))}")
    module = importlib.import_module(f".{EXERCISES[exercise]}", __name__)
    return getattr(module, f"check_{exercise}")


def __getattr__(name):
    if name in _CHAPTERS:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'chainrule.checks' has no attribute {name!r}")
