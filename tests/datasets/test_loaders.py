"""The data sets: shapes, scaling, windows and seeds."""

import numpy as np
import pytest

from sksynth.datasets import load_adult, load_energy, load_stocks, make_sines


def test_make_sines_is_seeded_and_in_the_unit_range():
    size = dict(n_samples=30, seq_len=8, n_channels=2)
    X = make_sines(**size, random_state=0)
    assert X.shape == (30, 2, 8) and X.dtype == np.float64
    assert X.min() >= 0 and X.max() <= 1
    np.testing.assert_array_equal(X, make_sines(**size, random_state=0))
    assert not np.array_equal(X, make_sines(**size, random_state=1))


@pytest.mark.parametrize("name", ["n_samples", "seq_len", "n_channels"])
@pytest.mark.parametrize("bad", [0, 2.5, True])
def test_make_sines_names_a_bad_size(name, bad):
    with pytest.raises(ValueError, match=name):
        make_sines(**{"n_samples": 4, name: bad})


@pytest.mark.parametrize(
    ("load", "n_rows", "n_channels"), [(load_stocks, 3685, 6), (load_energy, 19735, 28)]
)
def test_time_series_are_scaled_stride_one_windows_of_the_raw_series(
    load, n_rows, n_channels
):
    frame = load(as_frame=True)
    assert frame.shape == (n_rows, n_channels)
    X = load(seq_len=5)
    assert X.shape == (n_rows - 4, n_channels, 5)
    # Each channel min-max scaled over the whole series, windows a step apart.
    values = frame.to_numpy(dtype=np.float64)
    scaled = (values - values.min(axis=0)) / (values.max(axis=0) - values.min(axis=0))
    np.testing.assert_allclose(X[0].T, scaled[:5])
    np.testing.assert_allclose(X[1, :, :-1], X[0, :, 1:])
    np.testing.assert_allclose(X[-1].T, scaled[-5:])


@pytest.mark.parametrize("seq_len", [0, 4000, 2.0])
def test_time_series_name_a_bad_seq_len(seq_len):
    with pytest.raises(ValueError, match="seq_len"):
        load_stocks(seq_len=seq_len)


def test_adult_has_its_target_and_missing_values():
    frame = load_adult()
    X, y = load_adult(return_X_y=True)
    assert frame.shape == (48842, 15) and X.shape == (48842, 14)
    assert "income" not in X and set(y) == {"<=50K", ">50K"}
    assert X.isna().any().any() and not (X == "?").any().any()
