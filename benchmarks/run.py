"""How much does readable autodiff cost? chainrule against hand-written NumPy and PyTorch CPU.

    python benchmarks/run.py [--rounds 21] [--only rnn ...]

Four workloads, float32 unless said, timed interleaved in one process (each round runs every
implementation once, in rotating order and after a short pause, so drifts in machine
load hit them alike), after a warm-up; the table shows the median over rounds:

  mlp     one training step of a 784-256-10 ReLU MLP, batch 128, cross-entropy, SGD
  mlp64   the same in float64
  conv2d  forward + backward of a 3x3 convolution, 8 -> 16 channels, padding 1, on 32x8x28x28
  rnn     forward + backward of a tanh RNN, input 64, hidden 128, 50 steps, batch 32

The NumPy columns are written out by hand (forward, backward, update), as one would
without a library: the floor that chainrule's overhead is measured against.
PyTorch runs with as many threads as NumPy's BLAS, so the comparison is like for like.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))   # run from a checkout

import chainrule as cr  # noqa: E402
from chainrule import Tensor  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

DT = np.float32


def numpy_threads():
    """Threads NumPy's BLAS uses: asked of threadpoolctl when installed, else the usual variables."""
    try:
        from threadpoolctl import threadpool_info
        n = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if n:
            return n[0]
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            return int(os.environ[var])
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


# ---- (a) MLP training step ------------------------------------------------------------------

def mlp_case(rng, DT=DT):
    N, D, Hd, C, lr = 128, 784, 256, 10, 0.01
    x = rng.standard_normal((N, D)).astype(DT)
    y = rng.integers(0, C, N)
    b1_ = 1 / np.sqrt(D)
    b2_ = 1 / np.sqrt(Hd)
    W1 = rng.uniform(-b1_, b1_, (Hd, D)).astype(DT)
    b1 = rng.uniform(-b1_, b1_, Hd).astype(DT)
    W2 = rng.uniform(-b2_, b2_, (C, Hd)).astype(DT)
    b2 = rng.uniform(-b2_, b2_, C).astype(DT)

    # hand-written NumPy: forward, backward and update spelled out
    P = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]

    def numpy_step():
        W1, b1, W2, b2 = P
        z1 = x @ W1.T
        z1 += b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2.T
        z2 += b2
        z2 = z2 - z2.max(axis=1, keepdims=True)
        e = np.exp(z2)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(N), y]).mean()
        dz2 = p
        dz2[np.arange(N), y] -= 1
        dz2 /= N
        dW2 = dz2.T @ a1
        db2 = dz2.sum(axis=0)
        dz1 = (dz2 @ W2) * (z1 > 0)
        dW1 = dz1.T @ x
        db1 = dz1.sum(axis=0)
        for w, g in zip(P, (dW1, db1, dW2, db2)):
            w -= lr * g
        return loss

    # chainrule: the same model as a learner writes it
    import chainrule.functional as F
    from chainrule import nn, optim
    model = nn.Sequential(nn.Linear(D, Hd, dtype=DT), nn.ReLU(), nn.Linear(Hd, C, dtype=DT))
    for p, v in zip(model.parameters(), (W1, b1, W2, b2)):
        p.data = v.copy()
    opt = optim.SGD(model.parameters(), lr=lr)
    xt = Tensor(x)

    def chainrule_step():
        opt.zero_grad()
        loss = F.cross_entropy(model(xt), y)
        loss.backward()
        opt.step()
        return loss

    impls = {"numpy": numpy_step, "chainrule": chainrule_step}
    if torch is not None:
        tdt = torch.float64 if DT == np.float64 else torch.float32
        tmodel = torch.nn.Sequential(torch.nn.Linear(D, Hd, dtype=tdt), torch.nn.ReLU(),
                                     torch.nn.Linear(Hd, C, dtype=tdt))
        with torch.no_grad():
            for p, v in zip(tmodel.parameters(), (W1, b1, W2, b2)):
                p.copy_(torch.from_numpy(v))
        topt = torch.optim.SGD(tmodel.parameters(), lr=lr)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step():
            topt.zero_grad()
            loss = torch.nn.functional.cross_entropy(tmodel(tx), ty)
            loss.backward()
            topt.step()
            return loss
        impls["torch"] = torch_step
    return impls


# ---- (b) conv2d forward + backward -----------------------------------------------------------

def conv_case(rng):
    N, C, Hh, Ww, Fo, k, pad = 32, 8, 28, 28, 16, 3, 1
    x = rng.standard_normal((N, C, Hh, Ww)).astype(DT)
    w = (rng.standard_normal((Fo, C, k, k)) * 0.1).astype(DT)
    b = np.zeros(Fo, DT)
    G = rng.standard_normal((N, Fo, Hh, Ww)).astype(DT)    # upstream gradient dL/dout

    # hand-written NumPy with im2col: cols (C*k*k, N*H*W), one GEMM each way
    def numpy_conv():
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        cols = np.empty((C, k, k, N, Hh, Ww), DT)
        for i in range(k):
            for j in range(k):
                cols[:, i, j] = xp[:, :, i:i + Hh, j:j + Ww].transpose(1, 0, 2, 3)
        cols = cols.reshape(C * k * k, -1)
        out = (w.reshape(Fo, -1) @ cols).reshape(Fo, N, Hh, Ww).transpose(1, 0, 2, 3) + b[:, None, None]
        g2 = G.transpose(1, 0, 2, 3).reshape(Fo, -1)           # (F, N*H*W)
        dw = (g2 @ cols.T).reshape(w.shape)
        db = g2.sum(axis=1)
        dcols = (w.reshape(Fo, -1).T @ g2).reshape(C, k, k, N, Hh, Ww)
        dxp = np.zeros((C, N, Hh + 2 * pad, Ww + 2 * pad), DT)
        for i in range(k):
            for j in range(k):
                dxp[:, :, i:i + Hh, j:j + Ww] += dcols[:, i, j]
        dx = dxp[:, :, pad:-pad, pad:-pad].transpose(1, 0, 2, 3)
        return out, dx, dw, db

    impls = {"numpy": numpy_conv}
    try:
        from chainrule.functional import conv2d
    except ImportError:
        conv2d = None
    if conv2d is not None:
        xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))

        def chainrule_conv():
            for t in (xt, wt, bt):
                t.grad = None
            out = conv2d(xt, wt, bt, padding=pad)
            out.backward(G)
            return out, xt.grad, wt.grad, bt.grad
        impls["chainrule"] = chainrule_conv
    if torch is not None:
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        tG = torch.from_numpy(G)

        def torch_conv():
            for t in (tx, tw, tb):
                t.grad = None
            out = torch.nn.functional.conv2d(tx, tw, tb, padding=pad)
            out.backward(tG)
            return out, tx.grad, tw.grad, tb.grad
        impls["torch"] = torch_conv
    return impls


# ---- (c) RNN forward + backward --------------------------------------------------------------

RNN_SIZES = dict(T=50, N=32, I=64, H=128)


def rnn_case(rng):
    T, N, I, H = RNN_SIZES["T"], RNN_SIZES["N"], RNN_SIZES["I"], RNN_SIZES["H"]
    bound = 1 / np.sqrt(H)
    x = rng.standard_normal((T, N, I)).astype(DT)
    W_ih = rng.uniform(-bound, bound, (H, I)).astype(DT)
    W_hh = rng.uniform(-bound, bound, (H, H)).astype(DT)
    b_ih = rng.uniform(-bound, bound, H).astype(DT)
    b_hh = rng.uniform(-bound, bound, H).astype(DT)
    G = rng.standard_normal((T, N, H)).astype(DT)            # upstream gradient dL/doutput

    # hand-written NumPy: forward loop, then BPTT
    def numpy_rnn():
        xp = (x.reshape(T * N, I) @ W_ih.T).reshape(T, N, H) + (b_ih + b_hh)
        hs = np.empty((T + 1, N, H), DT)                    # hs[0] = h_0 = 0
        hs[0] = 0
        for t in range(T):
            hs[t + 1] = np.tanh(xp[t] + hs[t] @ W_hh.T)
        da = np.empty((T, N, H), DT)
        dh = np.zeros((N, H), DT)
        for t in range(T - 1, -1, -1):
            da[t] = (G[t] + dh) * (1 - hs[t + 1] ** 2)
            dh = da[t] @ W_hh
        da2 = da.reshape(T * N, H)
        dW_ih = da2.T @ x.reshape(T * N, I)
        dW_hh = da2.T @ hs[:-1].reshape(T * N, H)
        db = da2.sum(axis=0)
        return hs[1:], dW_ih, dW_hh, db

    from chainrule.nn import RNN
    model = RNN(I, H)
    for p, v in zip(model.parameters(), (W_ih, W_hh, b_ih, b_hh)):
        p.data = v.copy()
    xt = Tensor(x)

    def chainrule_rnn():
        model.zero_grad()
        out, h_n = model(xt)
        out.backward(G)
        return (out,) + tuple(p.grad for p in model.parameters()[:3])

    impls = {"numpy": numpy_rnn, "chainrule": chainrule_rnn}
    if torch is not None:
        tmodel = torch.nn.RNN(I, H)
        with torch.no_grad():
            for p, v in zip(tmodel.parameters(), (W_ih, W_hh, b_ih, b_hh)):
                p.copy_(torch.from_numpy(v))
        tx, tG = torch.from_numpy(x), torch.from_numpy(G)

        def torch_rnn():
            tmodel.zero_grad(set_to_none=True)
            out, h_n = tmodel(tx)
            out.backward(tG)
            return (out,) + tuple(p.grad for p in list(tmodel.parameters())[:3])
        impls["torch"] = torch_rnn
    return impls


# ---- timing -------------------------------------------------------------------------------------

def _arrays(result):
    items = result if isinstance(result, tuple) else (result,)
    return [np.asarray(a.detach() if hasattr(a, "detach") and torch is not None and isinstance(a, torch.Tensor)
                       else getattr(a, "data", a), dtype=np.float64) for a in items]


def check_agreement(name, impls):
    """Before timing: every implementation computes the same numbers (outputs, gradients;
    for the MLP, the loss of two successive steps, so the update is checked too)."""
    calls = 2 if name.startswith("mlp") else 1
    results = {k: [_arrays(fn()) for _ in range(calls)] for k, fn in impls.items()}
    ref = results["numpy"]
    for k, res in results.items():
        for got_step, ref_step in zip(res, ref):
            for got, want in zip(got_step, ref_step):
                scale = np.abs(want).max() + 1e-30
                if got.shape != want.shape or np.abs(got - want).max() > 1e-3 * scale:
                    raise AssertionError(f"{name}: {k} disagrees with the hand-written NumPy version: "
                                         f"shape {got.shape} vs {want.shape}, max |difference| "
                                         f"{np.abs(got - want).max() if got.shape == want.shape else '-'}")


def measure(impls, rounds, target_s=0.1, pause_s=0.1, clock=time.perf_counter):
    """Median seconds per call of each implementation, interleaved round by round.

    ``clock`` is wall time by default; ``time.process_time`` counts only the CPU time this
    process gets, which other jobs on the machine disturb less (with one BLAS thread: with
    more, it also counts the time BLAS workers spend spinning while they wait).

    Before each timed block the process sleeps ``pause_s``: after its last call a library's
    worker threads (OpenBLAS's, PyTorch's OpenMP pool) keep spinning for a while, and on a
    2-core machine they would steal a core from whichever implementation runs next.
    """
    reps = {}
    for name, fn in impls.items():                         # warm-up, and pick repetitions so that
        fn()                                               # one measurement lasts about target_s
        once = []
        for _ in range(3):
            t0 = clock()
            fn()
            once.append(clock() - t0)
        reps[name] = max(1, int(target_s / max(min(once), 1e-6)))
    samples = {name: [] for name in impls}
    names = list(impls)
    for r in range(rounds):
        # rotate the order each round: a library's worker threads may still be spinning when
        # the next one starts, so no implementation should always run right after the same one
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = impls[name]
            time.sleep(pause_s)
            t0 = clock()
            for _ in range(reps[name]):
                fn()
            samples[name].append((clock() - t0) / reps[name])
    return {name: statistics.median(s) for name, s in samples.items()}


CASES = [
    # name, builder, description, (baseline the target refers to, max ratio)
    ("mlp", mlp_case, "MLP train step 784-256-10, batch 128", ("numpy", 1.1)),
    ("mlp64", lambda rng: mlp_case(rng, np.float64), "the same MLP step in float64", ("numpy", 1.1)),
    ("conv2d", conv_case, "conv2d fwd+bwd 32x8x28x28, 16 filters 3x3, pad 1", ("torch", 3.0)),
    ("rnn", rnn_case, "RNN fwd+bwd I={I} H={H} T={T} N={N}".format(**RNN_SIZES), ("torch", 3.0)),
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=21, help="timed rounds per case (default 21)")
    ap.add_argument("--only", nargs="*", help="run only these cases (mlp, mlp64, conv2d, rnn)")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time the process's CPU time instead of wall time (less disturbed by other jobs; "
                         "meaningful with one BLAS thread, OPENBLAS_NUM_THREADS=1)")
    args = ap.parse_args(argv)

    threads = numpy_threads()
    print(f"chainrule {cr.__version__}, NumPy {np.__version__}; NumPy BLAS threads: {threads}")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"PyTorch {torch.__version__}: torch.set_num_threads({threads}) to match NumPy")
    else:
        print("PyTorch not installed: its columns read n/a")
    load = f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores" if hasattr(os, "getloadavg") else ""
    clock = time.process_time if args.cpu_time else time.perf_counter
    what = "CPU time" if args.cpu_time else "wall time"
    if args.cpu_time and threads != 1:
        print(f"note: with {threads} BLAS threads, CPU time also counts their workers' spinning; "
              "set OPENBLAS_NUM_THREADS=1 for a CPU-time comparison")
    print(f"median of {args.rounds} interleaved rounds after a warm-up; {what} in ms{load}\n")

    head = (f"{'case':<50} {'chainrule':>10} {'numpy':>9} {'torch':>9} {'cr/numpy':>9} {'cr/torch':>9}"
            f"   target")
    print(head)
    print("-" * len(head))
    rng = np.random.default_rng(0)
    for name, build, desc, (base, limit) in CASES:
        if args.only and name not in args.only:
            continue
        impls = build(rng)
        check_agreement(name, impls)
        t = measure(impls, args.rounds, clock=clock)
        ms = {k: f"{v * 1e3:9.2f}" for k, v in t.items()}
        cr_t = t.get("chainrule")

        def ratio(other):
            if cr_t is None:
                return "pending"
            return f"{cr_t / t[other]:8.2f}x" if other in t else "n/a"

        r = {"numpy": ratio("numpy"), "torch": ratio("torch")}
        if cr_t is None:
            verdict = "pending (chainrule.functional.conv2d not available)"
        elif base not in t:
            verdict = f"{base} <= {limit}x: n/a"
        else:
            ok = cr_t / t[base] <= limit
            verdict = f"cr/{base} <= {limit}x: {'met' if ok else 'MISSED'}"
        print(f"{desc:<50} {ms.get('chainrule', 'pending'):>10} {ms['numpy']:>9} {ms.get('torch', 'n/a'):>9} "
              f"{r['numpy']:>9} {r['torch']:>9}   {verdict}")


if __name__ == "__main__":
    main()
