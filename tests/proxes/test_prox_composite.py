import numpy as np
import pytest

from sparserecovery.proxes import (
    L1,
    L21,
    HalfSquaredDistance,
    NonNegative,
    SeparableSum,
)


def test_separable_sum_matches_blockwise(rng):
    g = SeparableSum([L1(0.5), L21(0.3, axis=0), NonNegative()], [(3,), (2, 4), (5,)])
    x = rng.standard_normal(3 + 8 + 5)
    p = g.prox(x, step=0.7)
    np.testing.assert_allclose(p[:3], L1(0.5).prox(x[:3], 0.7))
    np.testing.assert_allclose(
        p[3:11].reshape(2, 4), L21(0.3, axis=0).prox(x[3:11].reshape(2, 4), 0.7)
    )
    np.testing.assert_allclose(p[11:], np.maximum(x[11:], 0))
    # Moreau identity holds block by block, hence for the sum
    s = 0.7
    np.testing.assert_allclose(x, g.prox(x, s) + s * g.prox_conjugate(x / s, 1 / s))
    assert np.isclose(
        g.value(np.abs(x)),
        0.5 * np.abs(x[:3]).sum()
        + 0.3 * np.linalg.norm(np.abs(x[3:11]).reshape(2, 4), axis=0).sum(),
    )
    with pytest.raises(ValueError, match="x must have 16 entries"):
        g.prox(np.ones(3))
    with pytest.raises(ValueError, match="same length"):
        SeparableSum([L1(1.0)], [(2,), (3,)])


def test_half_squared_distance(rng):
    b = rng.standard_normal(6)
    g = HalfSquaredDistance(b)
    x = rng.standard_normal(6)
    p = g.prox(x, 2.0)
    # optimality: (p - x) / step + (p - b) = 0
    np.testing.assert_allclose((p - x) / 2.0 + (p - b), 0, atol=1e-12)
    assert np.isclose(g.value(b + 1), 3.0)
