import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded generator per test, so every failure reproduces."""
    return np.random.default_rng(12345)
