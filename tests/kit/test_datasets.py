import numpy as np

from coursekit import datasets


def test_digits_ship_with_the_package_and_split_reproducibly():
    x_tr, y_tr, x_te, y_te = datasets.load_digits()
    assert x_tr.shape == (1438, 64) and x_te.shape == (359, 64)
    assert 0.0 <= x_tr.min() and x_tr.max() == 1.0
    assert set(np.unique(y_tr)) == set(range(10))
    again = datasets.load_digits()
    np.testing.assert_array_equal(again[1], y_tr)
    x_img = datasets.load_digits(flatten=False)[0]
    assert x_img.shape == (1438, 1, 8, 8)
    np.testing.assert_array_equal(x_img.reshape(-1, 64), x_tr)


def test_sine_sequences_targets_are_the_next_step():
    x, y = datasets.sine_sequences(n=4, seq_len=10)
    assert x.shape == y.shape == (10, 4, 1)
    np.testing.assert_array_equal(x[1:], y[:-1])
