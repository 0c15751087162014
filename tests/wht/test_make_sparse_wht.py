"""Tests of the SPRIGHT test-problem generator ``make_sparse_wht``."""

import numpy as np
import pytest

from sparserecovery.datasets import make_sparse_wht
from sparserecovery.wht import fwht, sparse_wht


def _popcount(a):
    return np.bitwise_count(np.asarray(a, dtype=np.uint64)).astype(np.int64)


def test_noiseless_query_is_the_inverse_transform():
    data = make_sparse_wht(10, 7, distribution="normal", random_state=0)
    assert data.noise_sd == 0.0 and data.snr_db is None
    assert data.indices.dtype == np.uint64 and data.indices.size == 7
    assert np.all(np.diff(data.indices.astype(np.int64)) > 0)
    X = np.zeros(1 << 10)
    X[data.indices.astype(np.int64)] = data.coef
    m = np.arange(1 << 10)
    np.testing.assert_allclose(data.query(m), fwht(X), rtol=0, atol=1e-12)
    assert data.query.n_queries == 1 << 10 and data.query.n_calls == 1


def test_noise_matches_snr_and_is_fresh_per_query():
    data = make_sparse_wht(16, 12, snr_db=10.0, distribution="uniform", random_state=1)
    assert np.all((np.abs(data.coef) >= 0.5) & (np.abs(data.coef) <= 1.5))
    np.testing.assert_allclose(
        data.noise_sd**2, np.sum(data.coef**2) / 10.0, rtol=1e-12
    )
    m = np.full(20_000, 12345, dtype=np.uint64)  # the same input, many times
    y = data.query(m)
    clean = np.sum(data.coef * (1 - 2 * (_popcount(data.indices & m[0]) & 1)))
    assert abs(y.mean() - clean) < 4 * data.noise_sd / np.sqrt(m.size)
    assert abs(y.std() / data.noise_sd - 1) < 0.03


def test_reproducible_and_recoverable():
    a = make_sparse_wht(30, 20, snr_db=15.0, random_state=7)
    b = make_sparse_wht(30, 20, snr_db=15.0, random_state=7)
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.coef, b.coef)
    pts = np.arange(64, dtype=np.uint64)
    np.testing.assert_array_equal(a.query(pts), b.query(pts))
    assert set(np.unique(a.coef)) <= {-1.0, 1.0}
    res = sparse_wht(a.query, 30, 20, noise_sd=a.noise_sd, random_state=0)
    assert res.success and np.array_equal(res.indices, a.indices)


def test_max_degree_support():
    data = make_sparse_wht(40, 50, max_degree=2, random_state=3)
    deg = _popcount(data.indices)
    assert deg.max() <= 2 and np.unique(data.indices).size == 50
    # Uniform over the 1 + 40 + 780 admissible indices: mostly degree 2.
    assert np.mean(deg == 2) > 0.8
    with pytest.raises(ValueError, match="sparsity must be <= 5"):
        make_sparse_wht(4, 6, max_degree=1)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_bits": 0}, ValueError, "n_bits must be >= 1"),
        ({"n_bits": 63}, ValueError, "n_bits must be <= 62"),
        ({"sparsity": 0}, ValueError, "sparsity must be >= 1"),
        ({"n_bits": 3, "sparsity": 9}, ValueError, "sparsity must be <= 8"),
        ({"distribution": "x"}, ValueError, "distribution must be one of"),
        ({"max_degree": -1}, ValueError, "max_degree must be >= 0"),
        ({"snr_db": "high"}, TypeError, "snr_db"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_sparse_wht(**kwargs)


def test_query_rejects_bad_points():
    data = make_sparse_wht(8, 3, random_state=0)
    with pytest.raises(ValueError, match="m must lie"):
        data.query(np.array([256]))
    with pytest.raises(TypeError, match="integer array"):
        data.query(np.array([0.5]))
    assert "sparsity=3" in repr(data.query)
