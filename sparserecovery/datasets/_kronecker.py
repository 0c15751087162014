"""Kronecker-structured sparse recovery problems (KroSBL benchmarks B1, B2)."""

from __future__ import annotations

from math import prod

import numpy as np
from sklearn.utils import Bunch

from ..operators import Kronecker
from ..utils import check_random_state, check_scalar_arg

__all__ = ["make_kronecker_sparse", "make_irs_mimo_channel"]


def _per_factor(value, n_factors, name):
    vals = (value,) * n_factors if np.ndim(value) == 0 else tuple(value)
    if len(vals) != n_factors:
        raise ValueError(
            f"{name} must be an int or hold one value per factor ({n_factors}), "
            f"got {len(vals)} values"
        )
    return tuple(check_scalar_arg(v, name, lower=1, integer=True) for v in vals)


def _noise(y0, snr_db, rng, complex_noise):
    snr_db = check_scalar_arg(snr_db, "snr_db")
    power = np.vdot(y0, y0).real / y0.size
    sigma2 = power / 10.0 ** (snr_db / 10.0)
    if complex_noise:
        n = rng.standard_normal(y0.shape) + 1j * rng.standard_normal(y0.shape)
        n *= np.sqrt(sigma2 / 2.0)
    else:
        n = np.sqrt(sigma2) * rng.standard_normal(y0.shape)
    return y0 + n, float(sigma2)


def make_kronecker_sparse(
    n_measurements=(8, 12, 15),
    n_atoms=15,
    n_nonzero=3,
    *,
    snr_db=25.0,
    block=False,
    random_state=None,
):
    """Kronecker-supported sparse vector seen through Gaussian factors (B1).

    This is benchmark B1 of the KroSBL paper:
    ``x = x_1 ⊗ ... ⊗ x_I`` where each ``x_i`` has ``n_nonzero`` standard
    normal entries, and ``y = (A_1 ⊗ ... ⊗ A_I) x + n`` with ``A_i`` i.i.d.
    standard normal of shape ``(m_i, n_i)``. The noise variance is set from
    the SNR: ``sigma2 = mean(y_clean^2) / 10^(snr_db / 10)``.

    Parameters
    ----------
    n_measurements : sequence of int, default=(8, 12, 15)
        Rows ``m_i`` of each factor; its length is the number of factors.
    n_atoms : int or sequence of int, default=15
        Columns ``n_i`` of each factor.
    n_nonzero : int or sequence of int, default=3
        Nonzeros per factor (``prod`` of them nonzeros in ``x``).
    snr_db : float, default=25.0
        Signal-to-noise ratio in dB.
    block : bool, default=False
        Place each factor's nonzeros on a contiguous block (block sparsity)
        instead of a random support.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible data.

    Returns
    -------
    data : Bunch
        ``factors`` (list of ``(m_i, n_i)`` arrays), ``y`` (shape
        ``(prod(m_i),)``), ``y_clean``, ``coef`` (``x``, shape
        ``(prod(n_i),)``), ``coef_factors`` (the ``x_i``), ``support``
        (boolean mask of ``x``), ``noise_variance``.

    Examples
    --------
    >>> d = make_kronecker_sparse((4, 5), 6, 2, random_state=0)
    >>> [f.shape for f in d.factors], d.y.shape, int(d.support.sum())
    ([(4, 6), (5, 6)], (20,), 4)
    """
    n_measurements = tuple(np.atleast_1d(n_measurements).tolist())
    if len(n_measurements) == 0:
        raise ValueError("n_measurements must hold at least one value")
    n_fac = len(n_measurements)
    ms = _per_factor(n_measurements, n_fac, "n_measurements")
    ns = _per_factor(n_atoms, n_fac, "n_atoms")
    ks = _per_factor(n_nonzero, n_fac, "n_nonzero")
    for k, n in zip(ks, ns, strict=True):
        if k > n:
            raise ValueError(f"n_nonzero must be <= n_atoms, got {k} > {n}")
    rng = check_random_state(random_state)
    factors = [rng.standard_normal((m, n)) for m, n in zip(ms, ns, strict=True)]
    coef_factors = []
    for n, k in zip(ns, ks, strict=True):
        xi = np.zeros(n)
        if block:
            start = rng.randint(0, n - k + 1)
            idx = np.arange(start, start + k)
        else:
            idx = rng.choice(n, size=k, replace=False)
        xi[idx] = rng.standard_normal(k)
        coef_factors.append(xi)
    coef = coef_factors[0]
    for xi in coef_factors[1:]:
        coef = np.kron(coef, xi)
    y_clean = Kronecker(factors) @ coef
    y, sigma2 = _noise(y_clean, snr_db, rng, complex_noise=False)
    return Bunch(
        factors=factors,
        y=y,
        y_clean=y_clean,
        coef=coef,
        coef_factors=coef_factors,
        support=coef != 0,
        noise_variance=sigma2,
    )


def _ula(n_antennas, grid):
    """Unit-norm ULA steering vectors (half-wavelength) at sines ``grid``."""
    k = np.arange(n_antennas)[:, None]
    return np.exp(1j * np.pi * k * grid[None, :]) / np.sqrt(n_antennas)


def make_irs_mimo_channel(
    n_ms=6,
    n_bs=16,
    n_irs=256,
    *,
    grid_size=18,
    n_pilots=3,
    n_patterns=6,
    angle_spread=3,
    snr_db=20.0,
    random_state=None,
):
    """Cascaded IRS-aided MIMO uplink channel on an angular grid (KroSBL B2).

    A mobile station (MS, ``n_ms`` antennas) sends ``n_pilots`` QPSK pilots
    through an intelligent reflecting surface (IRS, ``n_irs`` elements, half-
    wavelength ULA) to a base station (BS, ``n_bs`` antennas) while the IRS
    cycles through ``n_patterns`` random ±1 reflection patterns. All arrays
    are ULAs with steering vectors on the sine grid
    ``u_k = -1 + 2k / grid_size``. The MS→IRS channel has one departure
    angle and ``angle_spread`` contiguous IRS arrival angles; the IRS→BS
    channel has one IRS departure angle and ``angle_spread`` contiguous BS
    arrival angles, with CN(0, 1) path gains.

    Because the IRS response depends only on the difference of its arrival
    and departure sines, the measurements are
    ``y = (H_1 ⊗ H_2 ⊗ A_BS) x + n`` with

    * ``H_1[p, d] = θ_p^T b(d) / n_irs`` (pattern ``p``, sine difference
      ``2d / grid_size``, ``b(d)_l = exp(2jπ d l / grid_size)``),
    * ``H_2 = S^T conj(A_MS)`` (``S`` the ``n_ms x n_pilots`` pilots),
    * ``A_BS`` the BS steering dictionary,

    and ``x = x_1 ⊗ x_2 ⊗ x_3`` of length ``grid_size^3``, block-sparse on
    factors 1 and 3 (``angle_spread`` contiguous entries, cyclically on
    factor 1) and 1-sparse on factor 2. ``y`` is ordered
    ``(pattern, pilot, BS antenna)``, BS antenna fastest.

    Parameters
    ----------
    n_ms, n_bs, n_irs : int, default=6, 16, 256
        Antennas at the MS and BS; IRS elements.
    grid_size : int, default=18
        Grid points per angular dictionary.
    n_pilots : int, default=3
        Pilot symbols (time slots) per IRS pattern.
    n_patterns : int, default=6
        IRS reflection patterns.
    angle_spread : int, default=3
        Contiguous grid points of the IRS and BS arrival angles.
    snr_db : float, default=20.0
        SNR in dB: ``noise_variance = mean(|y_clean|^2) / 10^(snr_db / 10)``.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible data.

    Returns
    -------
    data : Bunch
        ``factors`` ([H_1, H_2, A_BS]), ``y`` (computed from the physical
        channels, not from the grid model), ``y_clean``, ``coef`` (``x``),
        ``coef_factors``, ``support``, ``noise_variance``, ``ms_to_irs``
        (``G_1``, ``n_irs x n_ms``), ``irs_to_bs`` (``G_2``, ``n_bs x n_irs``),
        ``patterns`` (``n_irs x n_patterns``), ``pilots``
        (``n_ms x n_pilots``), ``channels`` (``n_patterns x n_ms x n_bs``:
        the transposed cascaded channels ``(G_2 diag(θ_p) G_1)^T``) and
        ``channel_factors`` ([H_1, conj(A_MS), A_BS]), with which
        ``Kronecker(channel_factors) @ x`` reshaped like ``channels`` gives
        the channels of any estimate ``x``.

    Examples
    --------
    >>> d = make_irs_mimo_channel(random_state=0)
    >>> [f.shape for f in d.factors], d.y.shape, int(d.support.sum())
    ([(6, 18), (3, 18), (16, 18)], (288,), 9)
    """
    names = ("n_ms", "n_bs", "n_irs", "grid_size", "n_pilots", "n_patterns")
    vals = (n_ms, n_bs, n_irs, grid_size, n_pilots, n_patterns)
    n_ms, n_bs, n_irs, grid_size, n_pilots, n_patterns = (
        check_scalar_arg(v, name, lower=1, integer=True)
        for v, name in zip(vals, names, strict=True)
    )
    angle_spread = check_scalar_arg(
        angle_spread, "angle_spread", lower=1, upper=grid_size, integer=True
    )
    rng = check_random_state(random_state)
    grid = -1.0 + 2.0 * np.arange(grid_size) / grid_size
    A_ms = _ula(n_ms, grid)
    A_bs = _ula(n_bs, grid)
    # Sine differences 2d/G; steering on the IRS with unit-modulus entries.
    diff_steer = np.exp(
        2j * np.pi * np.outer(np.arange(n_irs), np.arange(grid_size)) / grid_size
    )
    qpsk = (
        rng.choice([-1.0, 1.0], size=(n_ms, n_pilots))
        + 1j * rng.choice([-1.0, 1.0], size=(n_ms, n_pilots))
    ) / np.sqrt(2)
    pilots = qpsk / np.sqrt(n_ms)
    patterns = rng.choice([-1.0, 1.0], size=(n_irs, n_patterns)) / np.sqrt(n_irs)
    H1 = patterns.T @ diff_steer / n_irs
    H2 = pilots.T @ A_ms.conj()

    def cgauss(k):
        return (rng.standard_normal(k) + 1j * rng.standard_normal(k)) / np.sqrt(2)

    ms_aod = rng.randint(grid_size)
    irs_aod = rng.randint(grid_size)
    irs_aoa = rng.randint(grid_size - angle_spread + 1) + np.arange(angle_spread)
    bs_aoa = rng.randint(grid_size - angle_spread + 1) + np.arange(angle_spread)
    alpha = cgauss(angle_spread)  # MS -> IRS gains
    beta = cgauss(angle_spread)  # IRS -> BS gains
    c1 = np.sqrt(n_ms * n_irs / angle_spread)
    c2 = np.sqrt(n_bs * n_irs / angle_spread)
    x1 = np.zeros(grid_size, complex)
    x1[(irs_aoa - irs_aod) % grid_size] = c1 * alpha
    x2 = np.zeros(grid_size, complex)
    x2[ms_aod] = 1.0
    x3 = np.zeros(grid_size, complex)
    x3[bs_aoa] = c2 * beta
    coef = np.kron(x1, np.kron(x2, x3))
    factors = [H1, H2, A_bs]
    channel_factors = [H1, A_ms.conj(), A_bs]
    # The physical channels, computed without the grid model.
    A_irs = _ula(n_irs, grid)
    G1 = c1 * (A_irs[:, irs_aoa] @ alpha)[:, None] * A_ms[:, ms_aod].conj()[None, :]
    G2 = c2 * (A_bs[:, bs_aoa] @ beta)[:, None] * A_irs[:, irs_aod].conj()[None, :]
    channels = np.stack([(G2 * patterns[:, p]) @ G1 for p in range(n_patterns)])
    # y[p, t, b] = (G2 diag(theta_p) G1 S)[b, t]
    y_clean = np.einsum("pbn,nt->ptb", channels, pilots).ravel()
    y, sigma2 = _noise(y_clean, snr_db, rng, complex_noise=True)
    return Bunch(
        factors=factors,
        y=y,
        y_clean=y_clean,
        coef=coef,
        coef_factors=[x1, x2, x3],
        support=coef != 0,
        noise_variance=sigma2,
        channel_factors=channel_factors,
        channels=channels.transpose(0, 2, 1),
        ms_to_irs=G1,
        irs_to_bs=G2,
        patterns=patterns,
        pilots=pilots,
        n_measurements=prod(f.shape[0] for f in factors),
    )
