"""Build the Binder environment without Docker, the way repo2docker builds it from ``binder/``.

repo2docker (``buildpacks/python/__init__.py`` and ``buildpacks/base.py``) with a ``binder/`` folder
holding ``runtime.txt``, ``requirements.txt`` and ``postBuild`` (no ``apt.txt``: the learner's image
needs no system package, the Chinese plot font comes from pip):

1. the Python of ``binder/runtime.txt`` (``python-3.11``);
2. *pre-assemble*: with only ``binder/requirements.txt`` copied into the repository folder (it holds
   no local reference such as ``-e .``), in that folder: ``pip install --no-cache-dir -r
   "binder/requirements.txt"`` (the binder folder hides ``setup.py``/``pyproject.toml``: the
   package itself is not installed by repo2docker);
3. the whole repository is copied in;
4. in the repository folder, with the environment's ``bin/`` first on ``PATH``:
   ``chmod +x binder/postBuild`` then ``./binder/postBuild``.

Differences, all outside what gets installed: a ``python -m venv`` instead of repo2docker's conda
environment (the tests' interpreter; :func:`runtime_python` says which one Binder uses), pip's
cache is used (``--no-cache-dir`` dropped, so a second build is fast), and ``MPLCONFIGDIR`` points
into the build folder, so that nothing touches the developer's own matplotlib cache.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

STEP_TIMEOUT = 1200   # seconds for one step (the pip install of requirements.txt is the long one)


_NOT_IN_A_CLONE = {".git", ".venv", "test-artifacts", "build", "out", "__pycache__", ".pytest_cache",
                   ".hypothesis", ".ipynb_checkpoints"}


def repo_files(repo: Path) -> list[str]:
    """What a clone of the repository would hold: tracked files plus new, not ignored ones
    (``git ls-files``); outside a git checkout, every file but the usual build and cache folders."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=repo, capture_output=True, check=True, timeout=60).stdout
        return [p for p in out.decode().split("\0") if p and (repo / p).is_file()]
    except (OSError, subprocess.SubprocessError):
        files = []
        for path in sorted(repo.rglob("*")):
            rel = path.relative_to(repo)
            if path.is_file() and not any(part in _NOT_IN_A_CLONE or part.endswith(".egg-info")
                                          for part in rel.parts):
                files.append(str(rel))
        return files


def runtime_python(repo: Path) -> str:
    """The Python version of ``binder/runtime.txt`` (``python-3.11`` -> ``"3.11"``)."""
    text = (repo / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    if not text.startswith("python-"):
        raise ValueError(f"binder/runtime.txt should read python-X.Y, not {text!r}")
    return text.removeprefix("python-")


def missing_apt_packages(repo: Path) -> list[str]:
    """The packages of ``binder/apt.txt`` (if there is one) that are not installed here."""
    apt = repo / "binder" / "apt.txt"
    if not apt.exists():
        return []
    wanted = [l.strip() for l in apt.read_text().splitlines()
              if l.strip() and not l.startswith("#")]
    missing = []
    for pkg in wanted:
        try:
            r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True,
                               timeout=60)
        except (OSError, subprocess.SubprocessError):   # not a Debian system: cannot tell
            missing.append(pkg)
            continue
        if r.returncode != 0 or "install ok installed" not in r.stdout:
            missing.append(pkg)
    return missing


def clean_env(venv: Path, mplconfig: Path) -> dict:
    """The environment of a process inside the Binder image: its ``bin/`` first on ``PATH``,
    nothing of the test environment (no ``PYTHONPATH``, no other virtual environment)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND", "CHAINRULE_LANG")
           and not k.startswith(("JUPYTER", "PYTEST"))}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env["MPLCONFIGDIR"] = str(mplconfig)
    return env


def _run(cmd, cwd, env, log, timeout=STEP_TIMEOUT):
    log.write(f"\n$ {' '.join(map(str, cmd))}   (in {cwd})\n".encode())
    log.flush()
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
    log.write(f"[exit {proc.returncode} after {time.perf_counter() - t:.1f} s]\n".encode())
    log.flush()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed with exit code {proc.returncode}")


def build(repo: Path, dest: Path) -> dict:
    """Build the environment into ``dest``; returns ``{"python", "venv", "repo", "env",
    "kernel_dirs", "seconds", "log"}``. Raises RuntimeError (with the log's tail) on failure."""
    dest.mkdir(parents=True, exist_ok=True)
    venv, workdir, mplconfig = dest / "venv", dest / "repo", dest / "mplconfig"
    log_path = dest / "build.log"
    env = clean_env(venv, mplconfig)
    t = time.perf_counter()
    with open(log_path, "wb") as log:
        try:
            _run([sys.executable, "-m", "venv", str(venv)], dest, env, log)
            # pre-assemble: only binder/requirements.txt is in the repository folder yet
            (workdir / "binder").mkdir(parents=True)
            shutil.copy2(repo / "binder" / "requirements.txt", workdir / "binder" / "requirements.txt")
            _run([str(venv / "bin" / "pip"), "install", "--progress-bar", "off", "-r", "binder/requirements.txt"],
                 workdir, env, log)
            # assemble: the whole repository, then postBuild from the repository folder
            for rel in repo_files(repo):
                target = workdir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(repo / rel, target)
            postbuild = workdir / "binder" / "postBuild"
            postbuild.chmod(postbuild.stat().st_mode | 0o111)
            _run(["./binder/postBuild"], workdir, env, log)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            log.flush()
            raise RuntimeError(f"building the Binder environment failed: {e}\n--- {log_path} (tail)\n"
                               + log_path.read_text(errors="replace")[-4000:]) from None
    # a kernel spec naming the environment's interpreter, for the tests' notebook client only
    kernels = dest / "kernels"
    (kernels / "python3").mkdir(parents=True)
    (kernels / "python3" / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Binder environment)", "language": "python"}), encoding="utf-8")
    return {"python": venv / "bin" / "python", "venv": venv, "repo": workdir, "env": env,
            "kernel_dirs": [str(kernels)], "seconds": time.perf_counter() - t, "log": log_path}


def kernel_manager(binder: dict):
    """A kernel manager (async, as nbclient's own) that starts ``python3`` from the Binder
    environment. Pass it to ``nbclient.NotebookClient(km=...)`` and ``execute(cleanup_kc=True)``."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    ksm = KernelSpecManager(kernel_dirs=binder["kernel_dirs"], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ksm)


if __name__ == "__main__":   # python tests/binder/binder_env.py DEST: build once by hand
    info = build(Path(__file__).resolve().parents[2], Path(sys.argv[1]))
    print(f"built in {info['seconds']:.0f} s: {info['python']}")
