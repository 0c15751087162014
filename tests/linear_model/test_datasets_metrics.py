"""The KroSBL benchmark data sets (B1, B2) and the recovery metrics."""

import numpy as np
import pytest

from sparserecovery.datasets._kronecker import (
    make_irs_mimo_channel,
    make_kronecker_sparse,
)
from sparserecovery.linear_model import nmse, support_recovery_rate
from sparserecovery.operators import Kronecker


def test_kronecker_sparse_b1():
    d = make_kronecker_sparse(random_state=0)
    assert [f.shape for f in d.factors] == [(8, 15), (12, 15), (15, 15)]
    assert d.coef.shape == (3375,) and d.y.shape == (1440,)
    assert d.support.sum() == 27
    np.testing.assert_allclose(Kronecker(d.factors) @ d.coef, d.y_clean)
    snr = np.mean(d.y_clean**2) / d.noise_variance
    assert 10 * np.log10(snr) == pytest.approx(25.0)
    resid = d.y - d.y_clean
    assert np.var(resid) == pytest.approx(d.noise_variance, rel=0.15)
    parts = d.coef_factors
    np.testing.assert_allclose(d.coef, np.kron(np.kron(parts[0], parts[1]), parts[2]))


def test_kronecker_sparse_block_and_errors():
    d = make_kronecker_sparse((4, 4), (9, 7), (3, 2), block=True, random_state=1)
    for xi, k in zip(d.coef_factors, (3, 2), strict=True):
        idx = np.flatnonzero(xi)
        assert len(idx) == k and np.all(np.diff(idx) == 1)
    with pytest.raises(ValueError, match="n_nonzero must be <= n_atoms"):
        make_kronecker_sparse((4, 4), 5, 6)
    with pytest.raises(ValueError, match="n_atoms must be an int or hold one"):
        make_kronecker_sparse((4, 4), (5, 5, 5), 2)
    with pytest.raises(ValueError, match="n_measurements must be >= 1"):
        make_kronecker_sparse((4, 0), 5, 2)
    with pytest.raises(ValueError, match="snr_db must be finite"):
        make_kronecker_sparse((4, 4), 5, 2, snr_db=np.inf)


def test_irs_mimo_grid_model_matches_physics():
    d = make_irs_mimo_channel(random_state=3)
    assert [f.shape for f in d.factors] == [(6, 18), (3, 18), (16, 18)]
    assert d.y.shape == (288,) and d.coef.shape == (18**3,)
    assert np.iscomplexobj(d.y) and np.iscomplexobj(d.coef)
    # y_clean and the channels were computed from the physical channels
    # G_2 diag(theta_p) G_1; the Kronecker grid model must reproduce them.
    scale = np.abs(d.y_clean).max()
    np.testing.assert_allclose(
        Kronecker(d.factors) @ d.coef, d.y_clean, atol=1e-10 * scale
    )
    model = (Kronecker(d.channel_factors) @ d.coef).reshape(d.channels.shape)
    np.testing.assert_allclose(model, d.channels, atol=1e-10 * np.abs(d.channels).max())
    p = 2
    direct = d.irs_to_bs @ np.diag(d.patterns[:, p]) @ d.ms_to_irs
    np.testing.assert_allclose(d.channels[p], direct.T)
    # block-sparse supports on factors 1 and 3, one MS angle on factor 2
    counts = [np.count_nonzero(x) for x in d.coef_factors]
    assert counts == [3, 1, 3]
    bs = np.flatnonzero(d.coef_factors[2])
    assert np.all(np.diff(bs) == 1)
    snr = np.mean(np.abs(d.y_clean) ** 2) / d.noise_variance
    assert 10 * np.log10(snr) == pytest.approx(20.0)


def test_irs_mimo_deterministic_and_errors():
    a = make_irs_mimo_channel(n_irs=64, grid_size=12, snr_db=10, random_state=5)
    b = make_irs_mimo_channel(n_irs=64, grid_size=12, snr_db=10, random_state=5)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.coef.size == 12**3
    with pytest.raises(ValueError, match="angle_spread must be <= 12"):
        make_irs_mimo_channel(grid_size=12, angle_spread=13)
    with pytest.raises(TypeError, match="n_bs must be an int"):
        make_irs_mimo_channel(n_bs=4.5)


def test_nmse():
    assert nmse([1.0, 0.0], [0.9, 0.1]) == pytest.approx(0.02)
    x = np.array([[1.0, 1.0], [2.0, 0.0]])
    np.testing.assert_allclose(nmse(x, 0.5 * x, axis=1), [0.25, 0.25])
    assert nmse([1j, 1.0], [0.0, 1.0]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="x_est has shape"):
        nmse([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="x_true is zero"):
        nmse([0.0, 0.0], [1.0, 0.0])


def test_support_recovery_rate():
    assert support_recovery_rate([1.0, 0.0, 2.0], [3.0, 0.0, 1.0]) == 1.0
    assert support_recovery_rate([1.0, 0.0, 2.0], [0.9, 1e-6, 0.0]) == 0.5
    assert support_recovery_rate([0.0, 0.0], [0.0, 0.0]) == 1.0
    assert support_recovery_rate([1.0, 0.0], [1.0, 0.5], rtol=0.6) == 1.0
    with pytest.raises(ValueError, match="rtol"):
        support_recovery_rate([1.0], [1.0], rtol=2.0)
