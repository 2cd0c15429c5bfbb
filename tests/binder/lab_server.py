"""Start a JupyterLab server on 127.0.0.1 for a test, with its own config, data, runtime and
settings folders (nothing a developer set leaks in), and stop it with the kernels it started."""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

START_TIMEOUT = 120   # seconds for JupyterLab to answer /api/status


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, url: str, token: str, log: Path):
        self.url, self.token, self.log = url, token, log

    def get(self, path: str) -> tuple[int, str]:
        """(status, body) of GET ``path`` with the token; redirects are not followed."""
        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.build_opener(_NoRedirect).open(req, timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def json(self, path: str):
        status, body = self.get(path)
        assert status == 200, (path, status, body[:500])
        return json.loads(body)

    def page_config(self) -> dict:
        """The page configuration JupyterLab hands to the browser (``jupyter-config-data``)."""
        status, html = self.get("/lab")
        assert status == 200, (status, html[:500])
        m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
        assert m, html[:2000]
        return json.loads(m.group(1))


@contextlib.contextmanager
def running_lab(python: str, root: Path, home: Path, env: dict, args=(), *, root_flag: bool = True):
    """Yield a :class:`Lab` for ``python -m jupyter lab`` serving ``root``; ``env`` is the process
    environment (e.g. with ``JUPYTER_CONFIG_PATH``); ``home`` receives its private folders.
    ``root_flag=False``: started in ``root`` without naming a root folder, as BinderHub starts it,
    so the server's configuration (or else its working folder) decides what it serves."""
    home.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    private = dict(JUPYTER_CONFIG_DIR=home / "config", JUPYTER_DATA_DIR=home / "data",
                   JUPYTER_RUNTIME_DIR=home / "runtime", JUPYTERLAB_SETTINGS_DIR=home / "settings",
                   JUPYTERLAB_WORKSPACES_DIR=home / "workspaces", IPYTHONDIR=home / "ipython")
    env = {**{k: str(v) for k, v in private.items()}, **env}   # a folder the caller chose wins
    cmd = [python, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           *([f"--ServerApp.root_dir={root}"] if root_flag else []), *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = home / "jupyterlab.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        lab = Lab(f"http://127.0.0.1:{port}", token, log_path)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:   # a condition, not a fixed sleep: the server answers, or it has exited
                if proc.poll() is not None:
                    raise AssertionError(f"JupyterLab exited with {proc.returncode}:\n"
                                         f"{log_path.read_text(errors='replace')[-3000:]}")
                with contextlib.suppress(OSError):
                    if lab.get("/api/status")[0] == 200:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not answer within {START_TIMEOUT} s:\n"
                                         f"{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.25)
            yield lab
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            with contextlib.suppress(ProcessLookupError):   # its session: the server and its kernels
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
