"""Data sets that ship with the course kit (``digits.npz`` beside this file): nothing is downloaded, ever."""
from __future__ import annotations

from importlib import resources

import numpy as np


def load_digits(flatten=True, normalize=True, test_fraction=0.2, seed=0):
    """The 8×8 handwritten digits (1,797 images, 10 classes), split into train and test.

    flatten      : images as vectors (N, 64) if True, else (N, 1, 8, 8) for CNNs
    normalize    : pixel values scaled from 0..16 to 0..1 (float64)
    test_fraction: share of the images held out for testing (stratified by nothing: a seeded shuffle)
    returns      : (x_train, y_train, x_test, y_test); labels are int64 in 0..9
    """
    with resources.files(__name__).joinpath("digits.npz").open("rb") as f:
        data = np.load(f)
        images, target = data["images"], data["target"].astype(np.int64)
    x = images.astype(np.float64) / (16.0 if normalize else 1.0)
    x = x.reshape(len(x), 64) if flatten else x.reshape(len(x), 1, 8, 8)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return x[train], target[train], x[test], target[test]


def sine_sequences(n=256, seq_len=30, seed=0):
    """Noisy sine waves for sequence models: predict the next value from the ones before.

    returns: (inputs (seq_len, n, 1), targets (seq_len, n, 1)), float64, targets shifted by one step
    """
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(1, n, 1))
    freq = rng.uniform(0.15, 0.35, size=(1, n, 1))
    t = np.arange(seq_len + 1).reshape(-1, 1, 1)
    wave = np.sin(freq * t + phase) + 0.02 * rng.standard_normal((seq_len + 1, n, 1))
    return wave[:-1], wave[1:]
