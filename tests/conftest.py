import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "binder"))

import binder_env as _binder  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
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
