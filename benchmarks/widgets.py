"""Is chapter 7's gradient-norm explorer fast enough for a slider? One frame of
``coursekit.widgets.grad_norm_explorer`` computes ``layer_grad_norms`` for the three activations
(sigmoid, tanh, ReLU): three MLPs built, one forward and one backward pass each.

    python benchmarks/widgets.py [--depth 30] [--rounds 21]

Measured side by side, interleaved in one process (each round times both, in alternating order,
so machine load hits them alike), median over rounds after a warm-up:

  chainrule   the explorer's frame: widgets.layer_grad_norms(act, depth) for the three activations
  numpy       the same three forward + backward passes written out by hand in NumPy, on the same
              weights and batch (the floor: no graph, no model building)

It prints both times, their ratio (target: chainrule <= 3x the hand-written NumPy) and the frame
time against a slider's budget (0.3 s between two positions). The gradient norms of the two agree
(checked first). Speed lives here, not in the tests: a duration on a loaded machine says nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))   # run from a checkout

from chainrule import nn  # noqa: E402
from coursekit import widgets  # noqa: E402
from coursekit.datasets import load_digits  # noqa: E402

RATIO_TARGET = 3.0
SLIDER_BUDGET = 0.3   # seconds per frame for a slider that follows the hand
WIDTH, BATCH, SEED = 64, 128, 0   # the explorer's defaults (coursekit.widgets.grad_norms)
ACTS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
DACTS = {"sigmoid": lambda z, a: a * (1 - a), "tanh": lambda z, a: 1 - a * a, "relu": lambda z, a: (z > 0).astype(a.dtype)}


def explorer_weights(depth):
    """The weights of the explorer's default-initialised network, built as it builds them (this
    process reseeds the layer generator; nothing else here draws from it)."""
    nn.init.manual_seed(SEED)
    layers, d = [], 64
    for _ in range(depth - 1):
        layers.append(nn.Linear(d, WIDTH))
        d = WIDTH
    layers.append(nn.Linear(d, 10))
    return [(np.array(l.weight.data), np.array(l.bias.data)) for l in layers]


def numpy_norms(params, x, y, act):
    """Forward and backward by hand: ‖∂L/∂W_l‖ per layer, mean cross-entropy."""
    f, df = ACTS[act], DACTS[act]
    zs, acts, a = [], [x], x
    for i, (W, b) in enumerate(params):
        z = a @ W.T + b
        if i < len(params) - 1:
            zs.append(z)
            a = f(z)
            acts.append(a)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    g = p
    g[np.arange(len(y)), y] -= 1
    g /= len(y)
    norms = []
    for i in range(len(params) - 1, -1, -1):
        W, _ = params[i]
        norms.append(float(np.linalg.norm(g.T @ acts[i])))
        if i:
            g = (g @ W) * df(zs[i - 1], acts[i])
    return norms[::-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=21)
    args = ap.parse_args()
    x_all, y_all, _, _ = load_digits()
    x, y = x_all[:BATCH].astype(np.float32), y_all[:BATCH]
    params = explorer_weights(args.depth)

    for act in ACTS:   # the same computation, or the ratio means nothing
        ours, ref = widgets.layer_grad_norms(act, args.depth), numpy_norms(params, x, y, act)
        if not np.allclose(ours, ref, rtol=1e-3, atol=1e-12):
            sys.exit(f"{act}: chainrule and the hand-written NumPy disagree:\n{ours}\n{np.array(ref)}")

    def chainrule_frame():
        for act in ACTS:
            widgets.layer_grad_norms(act, args.depth)

    def numpy_frame():
        for act in ACTS:
            numpy_norms(params, x, y, act)

    impls = {"chainrule": chainrule_frame, "numpy": numpy_frame}
    for fn in impls.values():   # warm-up
        fn()
    times = {name: [] for name in impls}
    for r in range(args.rounds):
        for name in (list(impls) if r % 2 == 0 else list(impls)[::-1]):
            t = time.perf_counter()
            impls[name]()
            times[name].append(time.perf_counter() - t)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    ratio = med["chainrule"] / med["numpy"]
    print(f"explorer frame, depth {args.depth}, width {WIDTH}, batch {BATCH}, 3 activations "
          f"(median of {args.rounds} interleaved rounds; load {os.getloadavg()[0]:.1f}):")
    print(f"  chainrule {med['chainrule'] * 1e3:8.1f} ms   hand-written NumPy {med['numpy'] * 1e3:8.1f} ms   "
          f"ratio {ratio:.2f}x (target <= {RATIO_TARGET:g}x: {'met' if ratio <= RATIO_TARGET else 'missed'})")
    print(f"  slider budget {SLIDER_BUDGET * 1e3:.0f} ms per frame: "
          f"{'met' if med['chainrule'] <= SLIDER_BUDGET else 'missed'}")


if __name__ == "__main__":
    main()
