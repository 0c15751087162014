"""Properties every prox must have, checked on one instance of each.

- Moreau identity ``x = prox_{s g}(x) + s prox_{g*/s}(x / s)`` with the
  conjugate side computed independently (projections onto dual-norm balls,
  proxes of support functions by bisection);
- the prox characterization of convex ``g``: ``p = prox_{s g}(x)`` iff
  ``g(z) >= g(p) + <(x - p) / s, z - p>`` for every ``z``;
- dtype preservation, no in-place modification, input validation.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from prox_reference import (
    project_group_balls,
    project_modulus,
    project_spectral_ball,
    prox_box_support,
    prox_linf,
    prox_max,
)

from sparserecovery.proxes import (
    L0,
    L1,
    L21,
    NM,
    TV,
    Box,
    L1Ball,
    Lp,
    NonNegative,
    Nuclear,
    Simplex,
    Zero,
)

WEIGHTS = np.linspace(0.2, 1.0, 20).reshape(4, 5)
LABELS = np.array([0, 2, 1, 0, 2, 1, 1, 0, 2, 0, 1, 2])
BOX_LO = np.linspace(-1.0, -0.1, 5)
BOX_HI = 0.7


def _real(shape):
    return lambda rng: rng.standard_normal(shape)


def _cplx(shape):
    return lambda rng: rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _project_label_groups(v, lam):
    out = v.copy()
    for k in np.unique(LABELS):
        out[LABELS == k] = project_group_balls(v[LABELS == k], lam, axis=0)
    return out


def _per_column(fun):
    def conj(v, s):
        return np.stack([fun(v[:, j], s) for j in range(v.shape[1])], axis=1)

    return conj


def _l1ball_point(rng, make, radius):
    w = make(rng)
    return radius * rng.uniform() * w / np.abs(w).sum()


def _dirichlet_columns(rng, shape, radius):
    w = rng.exponential(size=shape)
    return radius * w / w.sum(axis=0)


# name: (factory, input, conjugate prox ``(v, s) -> prox_{g*/s}(v)`` or None,
#        sampler of feasible points for indicators or None)
CONVEX = {
    "zero": (Zero, _real((3, 4)), lambda v, s: np.zeros_like(v), None),
    "l1": (lambda: L1(0.7), _real((4, 5)), lambda v, s: project_modulus(v, 0.7), None),
    "l1-weighted": (
        lambda: L1(WEIGHTS),
        _real((4, 5)),
        lambda v, s: project_modulus(v, WEIGHTS),
        None,
    ),
    "l1-complex": (
        lambda: L1(0.7),
        _cplx((6,)),
        lambda v, s: project_modulus(v, 0.7),
        None,
    ),
    "l21-rows": (
        lambda: L21(0.8, axis=1),
        _real((5, 3)),
        lambda v, s: project_group_balls(v, 0.8, axis=1),
        None,
    ),
    "l21-cols-complex": (
        lambda: L21(0.8, axis=0),
        _cplx((3, 4)),
        lambda v, s: project_group_balls(v, 0.8, axis=0),
        None,
    ),
    "l21-groups": (
        lambda: L21(0.9, groups=LABELS),
        _real((12,)),
        lambda v, s: _project_label_groups(v, 0.9),
        None,
    ),
    "nuclear": (
        lambda: Nuclear(0.9),
        _real((5, 4)),
        lambda v, s: project_spectral_ball(v, 0.9),
        None,
    ),
    "nuclear-complex-batch": (
        lambda: Nuclear(0.9),
        _cplx((2, 3, 4)),
        lambda v, s: project_spectral_ball(v, 0.9),
        None,
    ),
    "tv-iso": (lambda: TV(0.3), _real((6, 7)), None, None),
    "tv-aniso-3d": (lambda: TV(0.3, isotropic=False), _real((3, 4, 5)), None, None),
    "tv-complex": (lambda: TV(0.3), _cplx((5, 6)), None, None),
    "nonneg": (
        NonNegative,
        _real((3, 4)),
        lambda v, s: np.minimum(v, 0.0),
        lambda rng, shape: np.abs(rng.standard_normal(shape)),
    ),
    "box": (
        lambda: Box(BOX_LO, BOX_HI),
        _real((3, 5)),
        lambda v, s: prox_box_support(v, BOX_LO, BOX_HI, s),
        lambda rng, shape: rng.uniform(BOX_LO, BOX_HI, size=shape),
    ),
    "simplex": (
        lambda: Simplex(2.0),
        _real((8,)),
        lambda v, s: prox_max(v, 2.0 / s),
        lambda rng, shape: _dirichlet_columns(rng, shape, 2.0),
    ),
    "simplex-columns": (
        lambda: Simplex(axis=0),
        _real((4, 3)),
        _per_column(lambda v, s: prox_max(v, 1.0 / s)),
        lambda rng, shape: _dirichlet_columns(rng, shape, 1.0),
    ),
    "l1ball": (
        lambda: L1Ball(1.5),
        _real((7,)),
        lambda v, s: prox_linf(v, 1.5 / s),
        lambda rng, shape: _l1ball_point(rng, _real(shape), 1.5),
    ),
    "l1ball-complex": (
        lambda: L1Ball(1.5),
        _cplx((7,)),
        lambda v, s: prox_linf(v, 1.5 / s),
        lambda rng, shape: _l1ball_point(rng, _cplx(shape), 1.5),
    ),
}

NONCONVEX = {
    "l0": (lambda: L0(0.5), _real((4, 5))),
    "lp-half": (lambda: Lp(0.5, 0.5), _real((4, 5))),
    "lp-0.3-complex": (lambda: Lp(0.5, 0.3), _cplx((6,))),
    "nm": (lambda: NM(2, 4), _real((3, 8))),
}

ALL = {**{k: v[:2] for k, v in CONVEX.items()}, **NONCONVEX}
STEPS = [0.3, 1.0, 2.5]


@pytest.mark.parametrize("name", [k for k, v in CONVEX.items() if v[2] is not None])
def test_moreau_identity_with_independent_conjugate(rng, name):
    factory, make_x, conj, _ = CONVEX[name]
    g = factory()
    x = 2.0 * make_x(rng)
    for s in STEPS:
        assert_allclose(g.prox(x, s) + s * conj(x / s, s), x, atol=1e-9)
        # prox_{s g*}(x) = prox_{g* / (1/s)}(x)
        assert_allclose(g.prox_conjugate(x, s), conj(x, 1.0 / s), atol=1e-9)


@pytest.mark.parametrize("name", list(CONVEX))
def test_prox_characterization(rng, name):
    """``g(z) >= g(p) + <(x - p)/s, z - p>`` for z near and far from p."""
    factory, make_x, _, feasible = CONVEX[name]
    g = factory()
    inexact = name.startswith("tv")
    for s in STEPS:
        x = 2.0 * make_x(rng)
        p = g.prox(x, s)
        gp = g.value(p)
        assert np.isfinite(gp)
        v = (x - p) / s
        for radius in [1e-4, 1e-2, 1.0]:
            for _ in range(15):
                if feasible is None:
                    d = make_x(rng)
                    z = p + radius * d / np.linalg.norm(d) * np.linalg.norm(x)
                else:
                    z = p + min(radius, 1.0) * (feasible(rng, x.shape) - p)
                gz = g.value(z)
                assert np.isfinite(gz)
                lin = np.real(np.vdot(v, z - p))
                slack = gz - gp - lin
                scale = abs(gz) + abs(gp) + abs(lin)
                tol = (1e-5 * scale + 1e-6 * radius) if inexact else 1e-10 * (1 + scale)
                assert slack >= -tol, (s, radius, slack)


# Penalties (not indicators: their projections do not depend on the step).
PENALTIES = [k for k, v in CONVEX.items() if v[3] is None and k != "zero"]


@pytest.mark.parametrize("name", PENALTIES)
def test_prox_characterization_detects_a_wrong_prox(rng, name):
    """The same check fails for the prox with a doubled step.

    Random directions, plus points towards the step-1 prox: for a wrong ``p``
    the inequality must fail at the true prox (strong convexity).
    """
    factory, make_x, _, feasible = CONVEX[name]
    g = factory()
    x = 2.0 * make_x(rng)
    p_wrong = g.prox(x, 2.0)
    p_right = g.prox(x, 1.0)
    assert not np.allclose(p_wrong, p_right)
    v = x - p_wrong  # wrong multiplier for s = 1
    points = [p_wrong + t * (p_right - p_wrong) for t in (1e-3, 0.5, 1.0)]
    for _ in range(50):
        d = make_x(rng)
        points.append(p_wrong + 1e-3 * d / np.linalg.norm(d) * np.linalg.norm(x))
    slacks = [
        g.value(z) - g.value(p_wrong) - np.real(np.vdot(v, z - p_wrong)) for z in points
    ]
    assert min(slacks) < -1e-6


@pytest.mark.parametrize("name", list(ALL))
def test_dtype_preserved_and_input_untouched(rng, name):
    factory, make_x = ALL[name]
    g = factory()
    x = make_x(rng)
    low = x.astype(np.complex64 if np.iscomplexobj(x) else np.float32)
    keep = low.copy()
    out = g.prox(low, 0.7)
    assert out.dtype == low.dtype
    assert out.shape == low.shape
    np.testing.assert_array_equal(low, keep)
    assert not np.shares_memory(out, low)
    ref = g.prox(low.astype(x.dtype), 0.7)
    assert np.linalg.norm(out - ref) <= 1e-4 * (1 + np.linalg.norm(ref))
    keep = x.copy()
    g.value(x)
    if g.convex:
        g.prox_conjugate(x, 0.7)
    np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("name", list(ALL))
def test_input_validation(rng, name):
    factory, make_x = ALL[name]
    g = factory()
    x = make_x(rng)
    bad = x.copy()
    bad.flat[1] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        g.prox(bad)
    with pytest.raises(ValueError, match="x contains NaN"):
        g.value(bad)
    with pytest.raises(TypeError, match="x must be a numeric array"):
        g.prox(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="step must be > 0, got 0"):
        g.prox(x, step=0)
    with pytest.raises(TypeError, match="step must be a real number"):
        g.prox(x, step="1")
    if not g.convex:
        with pytest.raises(ValueError, match="needs a convex function"):
            g.prox_conjugate(x)


@pytest.mark.parametrize("name", ["l1", "nonneg", "tv-iso", "simplex", "nm"])
def test_integer_input_becomes_float64(name):
    factory, _ = ALL[name]
    x = np.arange(-4, 4)
    if name == "tv-iso":
        x = x.reshape(2, 4)
    out = factory().prox(x)
    assert out.dtype == np.float64


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: L1(-1), "lam must be >= 0, got -1"),
        (lambda: L1(np.array([1.0, -2.0])), "lam must be >= 0 everywhere"),
        (lambda: L1(np.array([1.0, np.nan])), "lam contains NaN"),
        (lambda: L0(-0.5), "lam must be >= 0, got -0.5"),
        (lambda: Lp(1.0, 0.0), "p must be > 0, got 0"),
        (lambda: Lp(1.0, 1.5), "p must be <= 1, got 1.5"),
        (lambda: Lp(-1.0, 0.5), "lam must be >= 0, got -1"),
        (lambda: Nuclear(-2), "lam must be >= 0, got -2"),
        (lambda: Nuclear(np.inf), "lam must be finite"),
    ],
)
def test_bad_parameters_are_named(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_weight_shape_checked_at_prox_time():
    with pytest.raises(ValueError, match="lam with shape"):
        L1(np.ones(3)).prox(np.ones(4))


def test_repr_names_parameters():
    assert repr(L1(0.5)) == "L1(lam=0.5)"
    assert repr(NM(2, 4)) == "NM(n=2, m=4, axis=-1)"
    assert repr(Simplex(axis=0)) == "Simplex(radius=1.0, axis=0)"
    assert repr(NonNegative()) == "NonNegative()"
