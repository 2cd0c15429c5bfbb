"""Where the tasks run: one small interface over a ``concurrent.futures.Executor``.

``open_engine(jobs=N)`` is the local process pool (the embedded default, needs nothing);
``open_engine(scheduler="tcp://HOST:PORT")``, ``scheduler_file=PATH`` or ``DASK_SCHEDULER_ADDRESS``
in the environment use an existing Dask cluster through ``distributed.Client(...).get_executor()``;
``cluster="local:N"`` starts a ``distributed.LocalCluster`` of N single-threaded worker processes to
try it out. :mod:`grader.batch` only sees an :class:`Engine`:

* ``engine.start(fn, shared)``: every task will run as ``fn(task, *shared)``; ``shared`` (the
  grading plans, built once by the client) travels once, not with each task: the local pool gets it
  through its initializer, Dask workers as the result of one task that every grading task depends
  on (recomputed by the scheduler if the workers holding it die);
* ``engine.submit(task)`` returns a ``concurrent.futures.Future``;
* ``engine.window``: how many tasks may be in flight (twice the cores);
* ``engine.lost``: the exceptions that mean "the worker process died under this task"
  (``BrokenProcessPool``, ``distributed.KilledWorker``); ``engine.final(exc)`` says whether such a
  death, for a task that ran alone, is conclusive: Dask's scheduler reschedules a task whose
  worker died and raises ``KilledWorker`` only after ``distributed.scheduler.allowed-failures``
  deaths, while a broken local pool has not retried anything.

Dask workers run tasks in daemonic processes: the sandbox is started with ``subprocess`` (never
``multiprocessing``). Start workers with ``--nthreads 1`` (one sandbox per core); workers started
with ``--resources slots=1`` are given one task per slot.
"""
from __future__ import annotations

import functools
import hashlib
import os
import platform
import sys
import time
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

DASK_HINT = ('the Dask executor needs the "distributed" package: pip install chainrule-grader (which brings it; '
             'in a checkout pip install ./packaging/grader, or pip install distributed) in the environment of the '
             'client and of every worker, the same version everywhere')


class VersionMismatch(RuntimeError):
    """Client and workers do not run the same grader, chainrule or Python."""


@functools.lru_cache(maxsize=1)
def _grader_source() -> str:
    """A digest of the grader's own source, so that an edited grader is told apart without a new version."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def versions() -> dict:
    """What must be the same on the client and every worker."""
    import chainrule

    from . import __version__
    return {"grader": __version__, "grader source": _grader_source(),
            "chainrule": getattr(chainrule, "__version__", "?"), "python": platform.python_version()}


def compare_versions(mine: dict, workers: dict) -> list:
    """``["worker tcp://...: grader 0.2.0 here, 0.1.0 there", ...]`` (empty when all agree)."""
    problems = []
    for worker, theirs in sorted(workers.items()):
        if isinstance(theirs, BaseException) or not isinstance(theirs, dict):
            problems.append(f"worker {worker}: could not report its versions ({theirs!r})")
            continue
        for what in ("grader", "grader source", "chainrule", "python"):
            if theirs.get(what) != mine.get(what):
                problems.append(f"worker {worker}: {what} {mine.get(what)} on the client, "
                                f"{theirs.get(what)} on the worker")
    return problems


# ---------------------------------------------------------------------- runs in the worker process
_FN = None
_SHARED: tuple = ()


def _single_threaded() -> None:
    os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg")


def _init_local(fn, shared) -> None:
    global _FN, _SHARED
    _FN, _SHARED = fn, tuple(shared)
    _single_threaded()


def _call_local(task):
    return _FN(task, *_SHARED)


def _identity(x):
    return x


def _call_dask(fn, task, expected, *shared):
    """Runs on a Dask worker. ``expected``: the client's :func:`versions`; a worker that joined after
    the check at start and differs refuses the task (the batch stops and says why)."""
    problems = compare_versions(expected, {"this worker": versions()})
    if problems:
        raise VersionMismatch("a Dask worker differs from the client: " + "; ".join(problems))
    _single_threaded()
    return fn(task, *shared)


# ---------------------------------------------------------------------- engines
class Engine:
    kind = "?"
    slots = 1
    lost: tuple = ()

    @property
    def window(self) -> int:
        return 2 * max(1, self.slots)

    def final(self, exc) -> bool:
        return False

    def describe(self) -> str:
        return f"{self.kind}, {self.slots} slot(s)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalEngine(Engine):
    """``ProcessPoolExecutor(jobs)``; a pool broken by a dying worker is replaced at the next submit."""
    kind = "local"
    lost = (BrokenProcessPool,)

    def __init__(self, jobs: int):
        self.slots = max(1, int(jobs))
        self.pool = None
        self.fn, self.shared = None, ()

    def start(self, fn, shared=()) -> None:
        self.fn, self.shared = fn, tuple(shared)

    def _pool(self):
        if self.pool is not None and getattr(self.pool, "_broken", False):
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.slots, initializer=_init_local,
                                            initargs=(self.fn, self.shared))
        return self.pool

    def submit(self, task):
        try:
            return self._pool().submit(_call_local, task)
        except BrokenProcessPool:  # broke between the check and the submit
            self.pool = None
            return self._pool().submit(_call_local, task)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class DaskEngine(Engine):
    """``distributed.Client(...).get_executor(pure=False)`` on an existing scheduler or a LocalCluster."""
    kind = "dask"

    def __init__(self, address=None, scheduler_file=None, local_workers=None, timeout=60):
        try:
            import distributed
        except ImportError:
            raise RuntimeError(DASK_HINT) from None
        from distributed.scheduler import KilledWorker
        self.lost = (KilledWorker,)
        self.cluster = None
        if local_workers:
            self.cluster = distributed.LocalCluster(n_workers=local_workers, threads_per_worker=1,
                                                    processes=True, dashboard_address=None)
            self.client = distributed.Client(self.cluster, timeout=timeout)
            self.where = f"LocalCluster of {local_workers} worker processes"
        elif scheduler_file:
            self.client = distributed.Client(scheduler_file=str(scheduler_file), timeout=timeout)
            self.where = f"scheduler from {scheduler_file}"
        else:
            self.client = distributed.Client(address, timeout=timeout)
            self.where = f"scheduler {address}"
        try:
            self.client.wait_for_workers(1, timeout=timeout)
            self._look_at_workers()
            self.check_versions()
        except BaseException:
            self.close()
            raise
        self.shared = ()
        self.fn = None

    def _look_at_workers(self) -> None:
        info = self._workers()
        with_slots = [w for w in info.values() if "slots" in (w.get("resources") or {})]
        # a task asks for a slot only if every worker offers slots (else it would never run there)
        self.resources = {"slots": 1} if info and len(with_slots) == len(info) else None
        self._count_slots(info)
        self.executor = self.client.get_executor(pure=False, resources=self.resources)

    def _workers(self) -> dict:
        try:
            return self.client.scheduler_info(n_workers=-1)["workers"]  # all of them (newer distributed)
        except TypeError:
            return self.client.scheduler_info()["workers"]

    def _count_slots(self, info) -> None:
        if self.resources:
            n = sum((w.get("resources") or {}).get("slots", 0) for w in info.values())
        else:
            n = sum(w.get("nthreads", 1) for w in info.values())
        self.slots = max(1, int(n))
        self._counted = time.monotonic()

    @property
    def window(self) -> int:
        """Twice the slots of the workers there are now (SLURM/Kubernetes workers join over time)."""
        if time.monotonic() - self._counted > 5:
            try:
                self._count_slots(self._workers())
            except Exception:  # noqa: BLE001 - keep the last count; the next wait will tell what is wrong
                self._counted = time.monotonic()
        return 2 * self.slots

    def check_versions(self) -> None:
        self.expected = versions()
        problems = compare_versions(self.expected, self.client.run(versions, on_error="return"))
        if problems:
            raise VersionMismatch("client and Dask workers differ; install the same grader, chainrule and "
                                  "Python everywhere (one image for all):\n  " + "\n  ".join(problems))

    def describe(self) -> str:
        return f"dask ({self.where}), {self.slots} slot(s)"

    def final(self, exc) -> bool:
        return True  # the scheduler has tried it on allowed-failures + 1 workers already

    def start(self, fn, shared=()) -> None:
        # Not client.scatter: scattered data dies with the workers that hold it (a batch that lost
        # all its workers would wait forever). A task that returns it is recomputed from the
        # scheduler's copy when lost; workers fetch its result once and keep it while it is used.
        self.fn = fn
        self.shared = tuple(self.client.submit(_identity, s, pure=False) for s in shared)

    def submit(self, task):
        return self.executor.submit(_call_dask, self.fn, task, self.expected, *self.shared)

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), getattr(self, "cluster", None)
        try:
            if getattr(self, "executor", None) is not None:
                for f in list(getattr(self.executor, "_futures", ())):
                    f.cancel()
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()


def open_engine(jobs: int | None = None, scheduler: str | None = None, scheduler_file=None,
                cluster: str | None = None) -> Engine:
    """The engine that the options (and ``DASK_SCHEDULER_ADDRESS``) ask for; the local pool by default."""
    if cluster:
        kind, _, n = cluster.partition(":")
        if kind != "local" or not n.isdigit() or int(n) < 1:
            raise ValueError(f"--cluster {cluster!r}: expected local:N (N worker processes)")
        return DaskEngine(local_workers=int(n))
    if scheduler_file:
        return DaskEngine(scheduler_file=scheduler_file)
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if scheduler:
        return DaskEngine(address=scheduler)
    return LocalEngine(jobs or os.cpu_count() or 1)


if __name__ == "__main__":  # python -m grader.executors: what this machine's grader would report
    print(versions(), file=sys.stdout)
