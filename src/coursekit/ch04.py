"""Chapter 4's inputs: the loss function a learner's training loop calls, as a recorder.

``train_minibatch(x, y, params, loss_and_grad, lr, batch_size, epochs, seed)`` is judged by what
it passes to ``loss_and_grad``: which samples form each batch, from which parameters each
iteration starts. The check hands it a :class:`Recorder`. In grading the sandbox's copy records
the calls; only the batches' sample indices, the parameters and the batches' inputs come back,
and the judge recomputes every loss and gradient itself from its own data, so a transcript that
was not produced by a real loop cannot pass for one.
"""
from __future__ import annotations

import numpy as np

from .specs import Spec, register


def linear_loss_and_grad(params, xb, yb):
    """Mean squared error of a linear model, params = [w (D,), b (1,)]: (loss, [dw, db])."""
    w, b = params
    err = xb @ w + b - yb
    return float(np.mean(err ** 2)), [2.0 * xb.T @ err / len(yb), np.array([2.0 * err.mean()])]


@register
class Recorder(Spec):
    """A loss_and_grad that remembers what it was called with (batches as sample indices).

    ``calls``: ``[(params copies, indices, loss, grads)]``; ``problem``: the first misuse seen,
    ``("xy_mismatch", iteration)`` when a batch's inputs are not the rows of its targets.
    """

    spec_name = "ch04.Recorder"
    MAX_CALLS = 10_000

    def __init__(self, x, y, n_params):
        self.x, self.y, self.n_params = np.asarray(x, np.float64), np.asarray(y, np.float64), int(n_params)
        self.calls = []
        self.inputs = []   # each call's xb, as passed
        self.problem = None

    def spec(self):
        return {"x": self.x, "y": self.y, "n_params": self.n_params}

    @classmethod
    def rebuild(cls, data):
        return cls(data["x"], data["y"], data["n_params"])

    def __call__(self, params, xb, yb, *rest, **kw):
        if rest or kw:
            raise TypeError("loss_and_grad(params, xb, yb) takes exactly three arguments")
        params = [np.array(p, dtype=np.float64, copy=True) for p in params]
        if len(params) != self.n_params:
            raise TypeError(f"loss_and_grad(params, xb, yb): params should be a list of {self.n_params} arrays")
        xb = np.asarray(xb, dtype=np.float64)
        yb = np.asarray(yb, dtype=np.float64).reshape(-1)
        idx = []
        for value in yb:
            hits = np.flatnonzero(np.abs(self.y - value) <= 1e-9 * max(1.0, abs(value)))
            if len(hits) != 1:
                raise ValueError("loss_and_grad(params, xb, yb): yb holds a value that is not one of the targets y; "
                                 "pass the batch as x[idx], y[idx]")
            idx.append(int(hits[0]))
        if len(self.calls) >= self.MAX_CALLS:
            raise RuntimeError(f"loss_and_grad was called more than {self.MAX_CALLS} times")
        self._record(params, np.array(idx, dtype=np.int64), xb)
        return self.calls[-1][2], [g.copy() for g in self.calls[-1][3]]

    def _record(self, params, idx, xb):
        k = len(self.calls)
        if self.problem is None and (xb.ndim != 2 or len(xb) < len(idx)
                                     or not np.allclose(xb[:len(idx)], self.x[idx])):  # row j against x[idx[j]]
            self.problem = ("xy_mismatch", k + 1)
        loss, grads = linear_loss_and_grad(params, self.x[idx], self.y[idx])
        self.calls.append((params, idx, loss, [g.copy() for g in grads]))
        self.inputs.append(xb)

    def state(self):
        return [[c[0], c[1], x] for c, x in zip(self.calls, self.inputs)]

    def load_state(self, state):
        """Replay the sandbox copy's calls here: the losses and gradients are recomputed from our
        own data; anything malformed is a misuse the check reports."""
        self.calls, self.inputs, self.problem = [], [], None
        if not isinstance(state, list) or len(state) > self.MAX_CALLS:
            self.problem = ("xy_mismatch", 1)
            return
        shapes = [(self.x.shape[1],), (1,)]
        for k, item in enumerate(state, start=1):
            try:
                params, idx, xb = item
                params = [np.asarray(p, dtype=np.float64) for p in params]
                idx = np.asarray(idx, dtype=np.int64).reshape(-1)
                xb = np.asarray(xb, dtype=np.float64)
                ok = ([p.shape for p in params] == shapes[:self.n_params] and idx.size > 0
                      and idx.min() >= 0 and idx.max() < len(self.y))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                self.problem = ("xy_mismatch", k)
                return
            self._record(params, idx, xb)
