"""One memory, process and CPU budget for a whole sandbox, all its processes together.

RLIMIT_AS and RLIMIT_NPROC cap each process: a student's code that forks 100 children of 2 GiB
each holds 200 GiB. A control group caps the sum. :func:`new_group` makes one per sandbox (cgroup
v1's ``memory`` and ``pids`` hierarchies, or a cgroup v2 tree whose ``memory`` and ``pids``
controllers we may use); :meth:`Group.wrap` prefixes a command so that its first process joins
the group before it runs anything else, so every process the sandbox starts is counted.
Where the ``cpu`` controller is there too, the group gets one core (CFS quota): the scheduler then
shares the CPU between sandboxes, not between processes, so a student who starts a hundred busy
processes slows their own sandbox, never the student graded beside them (whose limits are wall-clock).
Where no cgroup can be made (not root, a read-only /sys/fs/cgroup), :func:`new_group` returns
None and the per-process rlimits are what is left; :func:`available` says which.
"""
from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_counter = itertools.count()
_PROBE: dict = {}


def _v1() -> tuple | None:
    mem, pids = ROOT / "memory", ROOT / "pids"
    if (mem / "cgroup.procs").exists() and (pids / "cgroup.procs").exists():
        return mem, pids
    return None


def _v1_cpu() -> Path | None:
    cpu = ROOT / "cpu"   # often a link to cpu,cpuacct
    return cpu if (cpu / "cgroup.procs").exists() and (cpu / "cpu.cfs_quota_us").exists() else None


def _v2_has_cpu(base: Path) -> bool:
    try:
        return "cpu" in (base / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False


def _v2() -> Path | None:
    for base in (ROOT, ROOT / "unified"):
        try:
            controllers = (base / "cgroup.controllers").read_text().split()
        except OSError:
            continue
        if {"memory", "pids"} <= set(controllers):
            return base
    return None


class Group:
    """A cgroup (v1: two, one per controller) capping memory and processes of what joins it."""

    def __init__(self, dirs: list, procs: list):
        self.dirs, self.procs = dirs, procs

    def wrap(self, cmd: list) -> list:
        """``cmd`` run by a shell that first moves itself into the group, then ``exec``s."""
        joins = "; ".join(f"echo $$ > '{p}'" for p in self.procs)
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *map(str, cmd)]

    def add(self, pid: int) -> None:
        """Move the process ``pid`` (one that has started nothing yet) into the group."""
        for p in self.procs:
            _write(p, pid)

    def close(self) -> None:
        """Remove the group once its processes are gone (they are killed before this is called)."""
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def _write(path: Path, value) -> None:
    path.write_text(str(value))


def _sweep() -> None:
    """Remove the empty groups of grader processes that are gone (a worker killed mid-task)."""
    parents = list(_v1() or ()) + [p for p in (_v1_cpu(), _v2()) if p is not None]
    for parent in parents:
        for d in parent.glob("chainrule-*-*"):
            try:
                pid = int(d.name.split("-")[1])
                os.kill(pid, 0)
            except ProcessLookupError:
                try:
                    d.rmdir()  # fails while a process is still in it: then it is not stale
                except OSError:
                    pass
            except (ValueError, OSError):
                pass


PERIOD_US = 100_000   # the CFS period; the quota is cpus times this


def new_group(memory_bytes: int, pids: int, cpus: float = 1.0) -> Group | None:
    """A fresh group with these caps, or None where cgroups cannot be used here. ``cpus``: the
    cores its processes may use together, where the cpu controller can be used (else no CPU cap)."""
    if "swept" not in _PROBE:
        _PROBE["swept"] = True
        _sweep()
    name = f"chainrule-{os.getpid()}-{next(_counter)}"
    made: list = []
    try:
        v1 = _v1()
        if v1 is not None:
            mem, pid = v1[0] / name, v1[1] / name
            for d in (mem, pid):
                d.mkdir()
                made.append(d)
            _write(mem / "memory.limit_in_bytes", memory_bytes)
            if (mem / "memory.memsw.limit_in_bytes").exists():  # swap too, where it is accounted
                _write(mem / "memory.memsw.limit_in_bytes", memory_bytes)
            _write(pid / "pids.max", pids)
            procs = [mem / "cgroup.procs", pid / "cgroup.procs"]
            cpu_root = _v1_cpu()
            if cpu_root is not None:
                cpu = cpu_root / name
                cpu.mkdir()
                made.append(cpu)
                _write(cpu / "cpu.cfs_period_us", PERIOD_US)
                _write(cpu / "cpu.cfs_quota_us", max(1000, int(cpus * PERIOD_US)))
                procs.append(cpu / "cgroup.procs")
            return Group(made, procs)
        v2 = _v2()
        if v2 is not None:
            d = v2 / name
            d.mkdir()
            made.append(d)
            _write(d / "memory.max", memory_bytes)
            _write(d / "memory.swap.max", 0) if (d / "memory.swap.max").exists() else None
            _write(d / "pids.max", pids)
            if _v2_has_cpu(v2):
                _write(d / "cpu.max", f"{max(1000, int(cpus * PERIOD_US))} {PERIOD_US}")
            return Group(made, [d / "cgroup.procs"])
    except OSError:
        Group(made, []).close()
    return None


def caps_cpu() -> bool:
    """Does a group made here get a CPU quota (the cpu controller is there for us)?"""
    if _v1() is not None:
        return _v1_cpu() is not None
    v2 = _v2()
    return v2 is not None and _v2_has_cpu(v2)


def available() -> bool:
    """Can this process cap a sandbox as a whole? (cached)"""
    if "ok" not in _PROBE:
        g = new_group(64 << 20, 8)
        _PROBE["ok"] = g is not None
        if g is not None:
            g.close()
    return _PROBE["ok"]
