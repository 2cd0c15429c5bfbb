"""JupyterLab in a real browser: one JupyterLab server and one headless Chromium per session.

Debian's ``chromium`` (``apt-get install chromium fonts-noto-cjk``, as ``.ci/run`` does) driven by
Playwright for Python; Playwright never downloads a browser here. The browser (fixture ``browser``),
the ``browser`` mark of every test in this folder and the skip rule (without ``/usr/bin/chromium``
or the ``playwright`` package every such test is skipped, with the reason) are in tests/conftest.py;
the Chinese ones skip, saying why, where Chromium has no CJK font (fixture ``cjk_font``).
JupyterLab is the Binder environment's (fixture ``binder_env``, tests/conftest.py: what learners
get on Binder, widgets included, with no extra set-up), or the test environment's own with
``CHAINRULE_BINDER_ENV=0``. It serves a temporary copy of ``course/`` and ``solutions/`` with its
own settings, data and runtime folders, so nothing a developer set (a language, a workspace)
changes what the tests see."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lab_server import running_lab   # tests/binder/lab_server.py (on sys.path: tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]

# JupyterLab user settings for the test server: every cell in the DOM (no windowing), no news
# or update checks (the browser must not go online).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                          "checkForUpdates": False},
}


def missing_cjk_font(env: dict | None = None) -> str | None:
    """Why Chromium cannot draw Chinese here, or None: it takes its fonts from fontconfig, and
    without a CJK font there a zh page shows boxes, so the zh tests would prove nothing.
    ``env``: the environment fontconfig is asked in (default: this process's)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return "fontconfig's fc-list is not installed: cannot tell whether Chromium has a CJK font"
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60,
                             env=env).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return f"fc-list failed ({e})"
    if not out.strip():
        return ("no CJK font for Chromium (fc-list :lang=zh lists none): apt-get install fonts-noto-cjk "
                "(.ci/run does) to run the Chinese browser tests")
    return None


@pytest.fixture(scope="session")
def cjk_font_rule():
    """The rule itself (:func:`missing_cjk_font`), for the test of the rule."""
    return missing_cjk_font


@pytest.fixture(scope="session")
def cjk_font():
    """Skips a zh browser test, saying why, where Chromium has no CJK font."""
    reason = missing_cjk_font()
    if reason:
        pytest.skip(reason)


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
    if binder_env is not None:   # the Binder environment: its chainrule was installed by postBuild
        python, base_env = str(binder_env["python"]), binder_env["env"]
    else:                        # this checkout's chainrule, not whatever else is installed
        python, base_env = sys.executable, dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(REPO / "src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    env = {k: v for k, v in base_env.items() if not k.startswith("JUPYTER")}
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env.pop("MPLBACKEND", None)   # the kernels draw inline, as for a learner
    env.pop("CHAINRULE_LANG", None)
    with running_lab(python, root, home, env,
                     ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]) as server:
        print(f"\nJupyterLab of {python} at {server.url} (log {server.log})")
        yield {"url": server.url, "token": server.token, "root": root, "log": server.log, "python": python}


# The limit of every page action and wait that names none (a navigation, a click, a text read): a
# loaded machine (seen: load average 50 on 2 cores) only makes a page come later, and a passing run
# never waits this out, so it is generous rather than tight.
PAGE_TIMEOUT_MS = 300_000


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
