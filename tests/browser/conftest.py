"""JupyterLab in a real browser: one JupyterLab server and one headless Chromium per session.

Debian's ``chromium`` (``apt-get install chromium fonts-noto-cjk``, as ``.ci/run`` does) driven by
Playwright for Python; Playwright never downloads a browser here. The browser (fixture ``browser``),
the ``browser`` mark of every test in this folder and the skip rule (without ``/usr/bin/chromium``
or the ``playwright`` package every such test is skipped, with the reason) are in tests/conftest.py.
JupyterLab is the Binder environment's (fixture ``binder_env``, tests/conftest.py: what learners
get on Binder, widgets included, with no extra set-up), or the test environment's own with
``CHAINRULE_BINDER_ENV=0``. It serves a temporary copy of ``course/`` and ``solutions/`` with its
own settings, data and runtime folders, so nothing a developer set (a language, a workspace)
changes what the tests see."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 120   # seconds for JupyterLab to answer /api/status

# JupyterLab user settings for the test server: every cell in the DOM (no windowing), no news
# or update checks (the browser must not go online).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                          "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/browser/, emptied first: what is there is from this run."""
    from artifacts import fresh_artifacts
    return fresh_artifacts("browser")


@pytest.fixture(scope="session")
def lab(tmp_path_factory, binder_env):
    """A JupyterLab server on 127.0.0.1 serving a temp copy of course/ and solutions/:
    ``{"url": ..., "token": ..., "root": ..., "log": ..., "python": ...}``. Stopped at the end of
    the session."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "root"
    for kind in ("course", "solutions"):
        shutil.copytree(REPO / kind, root / kind)
    settings = home / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    if binder_env is not None:   # the Binder environment: its chainrule was installed by postBuild
        python, base_env = str(binder_env["python"]), binder_env["env"]
    else:                        # this checkout's chainrule, not whatever else is installed
        python, base_env = sys.executable, dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(REPO / "src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    env = dict(base_env,
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"))
    env.pop("MPLBACKEND", None)   # the kernels draw inline, as for a learner
    env.pop("CHAINRULE_LANG", None)
    cmd = [python, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = home / "jupyterlab.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        print(f"\nJupyterLab of {python} at {url} (log {log_path})")
        yield {"url": url, "token": token, "root": root, "log": log_path, "python": python}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:   # its own session: whatever is left of the server and the kernels it started
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.set_default_timeout(60_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
