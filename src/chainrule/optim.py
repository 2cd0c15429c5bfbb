"""Optimizers: they read each parameter's ``.grad`` and update ``.data`` in place.

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

The update rules are exactly PyTorch's (``torch.optim.SGD`` and ``torch.optim.Adam``,
same order of operations), so trajectories agree to round-off; tests check it.
Updates work on the raw arrays, outside the graph: nothing is recorded, and a
parameter whose ``.grad`` is None (unused in this loss) is left alone.

Like PyTorch, ``params`` may also be a list of dicts ("parameter groups"), each with
its own settings: ``SGD([{"params": body}, {"params": head, "lr": 0.01}], lr=0.1)``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


class Optimizer:
    """Base class: holds parameter groups and per-parameter state.

    param_groups : list of dicts, each ``{"params": [...], "lr": ..., ...}``
    state        : dict parameter -> dict (momentum buffers, Adam moments, step count)
    Subclasses implement ``step()``.
    """

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors (e.g. model.parameters()), "
                            "not a single Tensor; wrap it in a list")
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(f"{name}: pass model.parameters(), not the model itself")
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list; nothing to optimise "
                             "(did the model register its parameters as nn.Parameter?)")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add ``{"params": [...], **settings}``; settings left out take the defaults."""
        name = type(self).__name__
        group = dict(group)
        ps = group["params"]
        group["params"] = [ps] if isinstance(ps, Tensor) else list(ps)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: every parameter must be a Tensor, got {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError(f"{name}: a parameter of shape {p.shape} has requires_grad=False; "
                                 "an optimizer can only update tensors that receive gradients")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError(f"{name}: a parameter appears in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group)
        self.param_groups.append(group)

    def _check(self, group):
        lr = group["lr"]
        if not isinstance(lr, numbers.Real) or lr < 0 or math.isnan(lr):
            raise ValueError(f"{type(self).__name__}: invalid learning rate {lr!r}; it must be a number >= 0")
        if group.get("weight_decay", 0) < 0:
            raise ValueError(f"{type(self).__name__}: invalid weight_decay {group['weight_decay']!r}; it must be >= 0")

    def _params_with_grad(self, group):
        for p in group["params"]:
            if p.grad is not None:
                yield p, self.state.setdefault(p, {})

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of the last backward (``.grad = None``; or zeros if asked)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad[...] = 0

    def step(self):
        raise NotImplementedError

    def state_dict(self):
        """PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``,
        parameters replaced by their position, so the state loads into a fresh optimizer."""
        index = {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        state = {index[id(p)]: {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        groups = [dict(g, params=[index[id(p)] for p in g["params"]]) for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = state_dict["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError("load_state_dict: the saved parameter groups do not match this optimizer's")
        params = [p for g in self.param_groups for p in g["params"]]
        for group, saved in zip(self.param_groups, groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {params[int(i)]: {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v
                                       for k, v in s.items()} for i, s in state_dict["state"].items()}

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} tensors, {settings}")
        return "\n".join(lines + [")"])


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    For each parameter p with gradient g (PyTorch's rule):
        g <- g + weight_decay * p
        b <- g                                   at the first step (momentum buffer)
        b <- momentum * b + (1 - dampening) * g  afterwards
        g <- g + momentum * b  (nesterov)   or   g <- b
        p <- p - lr * g
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        if momentum < 0:
            raise ValueError(f"SGD: invalid momentum {momentum!r}; it must be >= 0")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def step(self):
        for group in self.param_groups:
            lr, mu, damp = group["lr"], group["momentum"], group["dampening"]
            wd, nesterov = group["weight_decay"], group["nesterov"]
            for p, state in self._params_with_grad(group):
                g = p.grad
                if wd != 0:
                    g = g + wd * p.data
                if mu != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(g, copy=True)
                    else:
                        buf *= mu
                        buf += (1 - damp) * g
                    g = g + mu * buf if nesterov else buf
                p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's bias correction.

    With t the step count (from 1) and g the gradient:
        g <- g + weight_decay * p                       (L2 penalty, as torch.optim.Adam)
        m <- beta1 * m + (1 - beta1) * g                first moment, starts at 0
        v <- beta2 * v + (1 - beta2) * g^2              second moment, starts at 0
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    The corrections undo the bias of m and v towards their zero start.
    ``amsgrad=True`` uses the running maximum of v instead of v.
    """

    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"Adam: invalid betas {betas!r}; each must be in [0, 1)")
        if eps < 0:
            raise ValueError(f"Adam: invalid eps {eps!r}; it must be >= 0")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    def step(self):
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p, state in self._params_with_grad(group):
                g = p.grad
                if wd != 0 and self._decoupled:
                    p.data *= 1 - lr * wd
                elif wd != 0:
                    g = g + wd * p.data
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(p.data, dtype=np.result_type(p.data, g))
                    state["exp_avg_sq"] = np.zeros_like(state["exp_avg"])
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros_like(state["exp_avg"])
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
                m += (1 - beta1) * (g - m)          # = beta1 m + (1 - beta1) g, as torch's lerp
                v *= beta2
                v += (1 - beta2) * g * g
                if group["amsgrad"]:
                    np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps
                p.data -= step_size * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p <- p - lr * weight_decay * p
    before the Adam step, instead of adding weight_decay * p to the gradient, so the decay
    is not rescaled by Adam's per-parameter step sizes. Default weight_decay 0.01, as PyTorch."""

    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
