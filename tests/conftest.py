import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "binder"))

import binder_env as _binder  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Debian's chromium, driven by Playwright for Python (never `playwright install`): tests/browser
# (JupyterLab) and the instructor's report page (tests/grader/test_report_e2e.py) share it.
CHROMIUM = Path(os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# CHAINRULE_BINDER_ENV=0 (offline): no Binder environment; the notebooks then run in the test
# environment itself and the tests of tests/binder are skipped, saying so.
BINDER_OFF = os.environ.get("CHAINRULE_BINDER_ENV", "").strip().lower() in ("0", "no", "off", "false")


@pytest.fixture
def rng():
    """A seeded generator per test, so every failure reproduces."""
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def binder_env(tmp_path_factory):
    """The Binder environment, built once per session from binder/ as repo2docker would
    (``tests/binder/binder_env.py``), or None with ``CHAINRULE_BINDER_ENV=0``. The course
    notebooks are executed there (tests/course), so they run once, in what learners get."""
    if BINDER_OFF:
        return None
    try:
        info = _binder.build(REPO, tmp_path_factory.mktemp("binder"))
    except RuntimeError as e:
        pytest.fail(f"{e}\n(offline? CHAINRULE_BINDER_ENV=0 runs the notebooks in the test environment "
                    f"instead and skips tests/binder)", pytrace=False)
    print(f"\nBinder environment built in {info['seconds']:.0f} s: {info['venv']} (log {info['log']})")
    return info


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} not found: install Debian's chromium and a CJK font "
                f"(apt-get install chromium fonts-noto-cjk; .ci/run does) to run the browser tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser/ is marked ``browser``; every ``browser`` test is skipped, with
    the reason, without /usr/bin/chromium or the playwright package."""
    reason = missing_browser()
    browser_dir = REPO / "tests" / "browser"
    for item in items:
        if browser_dir in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
        if reason and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, through Playwright) per session; tests open their own
    contexts (``browser.new_context(...)``) or use tests/browser's ``page``."""
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                              timeout=60_000)
        try:
            yield b
        finally:
            b.close()
