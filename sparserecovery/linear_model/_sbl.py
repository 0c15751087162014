"""Classical (dense) sparse Bayesian learning by expectation-maximization.

Model: ``y = Phi x + n`` with ``x ~ N(0, diag(gamma))`` and
``n ~ N(0, sigma2 I)`` (circular complex Gaussians when the data are
complex). The E-step computes the Gaussian posterior of ``x``; the M-step
sets ``gamma = |mu|^2 + diag(Sigma)`` and, when the noise is learned,
``sigma2 = (||y - Phi mu||^2 + sigma2 sum(1 - diag(Sigma) / gamma)) / m``.
Atoms whose ``gamma`` falls below ``prune_threshold * max(gamma)`` are
removed for good.

This is the dense reference that the Kronecker E-step of
:func:`~sparserecovery.linear_model.kronecker_sbl` is tested against.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..base import IterationMonitor
from ..utils.validation import (
    check_array_arg,
    check_max_iter,
    check_positive,
    check_scalar_arg,
    check_tol,
)

__all__ = ["SBLResult", "sbl", "sbl_posterior"]


@dataclass(frozen=True)
class SBLResult:
    """Outcome of :func:`sbl`.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Posterior mean of ``x`` (zero on pruned atoms).
    gamma : ndarray of shape (n_features,)
        Learned prior variances (zero on pruned atoms).
    noise_variance : float
        The noise variance used in the last E-step (learned or given).
    support : ndarray of bool, shape (n_features,)
        Atoms that survived pruning.
    n_iter : int
        Number of EM iterations.
    converged : bool
        Whether the relative change of ``gamma`` reached ``tol``.
    history : ndarray of shape (n_iter,)
        Negative log marginal likelihood ``log|Sigma_y| + y^H Sigma_y^{-1} y``
        at each E-step (up to additive constants).
    time : float
        Wall-clock seconds.
    info : dict
        Extras (``"posterior_variance"``: the diagonal of the final posterior
        covariance, zero on pruned atoms).
    """

    coef: np.ndarray
    gamma: np.ndarray
    noise_variance: float
    support: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray
    time: float
    info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _EStep:
    mean: np.ndarray
    var: np.ndarray
    logdet: float
    quad: float


def _dense_estep(Phi, y, gamma, sigma2):
    """Posterior mean and covariance diagonal, in the cheaper of two forms.

    With ``k`` active atoms and ``m`` measurements, the ``k x k`` precision
    form costs ``O(m k^2 + k^3)`` and the ``m x m`` measurement form
    ``O(m^2 k + m^3)``. Both are computed through Cholesky factors of
    well-conditioned, scaled matrices; neither needs ``1/gamma``.
    """
    m, k = Phi.shape
    if k <= m:
        # Sigma = G K^{-1} G with G = diag(sqrt(gamma)),
        # K = I + G Phi^H Phi G / sigma2 (eigenvalues >= 1).
        g = np.sqrt(gamma)
        B = Phi * g
        K = (B.conj().T @ B) / sigma2
        K[np.diag_indices(k)] += 1.0
        L = np.linalg.cholesky(K)
        Linv = np.linalg.inv(L)
        rhs = B.conj().T @ y / sigma2
        mean = g * (Linv.conj().T @ (Linv @ rhs))
        var = gamma * np.sum(np.abs(Linv) ** 2, axis=0)
        logdet = m * np.log(sigma2) + 2.0 * np.sum(np.log(np.real(np.diag(L))))
        quad = (np.vdot(y, y).real - np.vdot(y, Phi @ mean).real) / sigma2
    else:
        # Sigma_y = sigma2 I + Phi Gamma Phi^H = L L^H.
        Sy = (Phi * gamma) @ Phi.conj().T
        Sy[np.diag_indices(m)] += sigma2
        L = np.linalg.cholesky(Sy)
        Linv = np.linalg.inv(L)
        W = Linv @ Phi  # L^{-1} Phi
        z = Linv @ y  # L^{-1} y
        mean = gamma * (W.conj().T @ z)
        var = gamma - gamma**2 * np.sum(np.abs(W) ** 2, axis=0)
        logdet = 2.0 * np.sum(np.log(np.real(np.diag(L))))
        quad = np.vdot(z, z).real
    return _EStep(mean, np.maximum(var, 0.0), float(logdet), float(quad))


def _check_phi_y(Phi, y, phi_name="Phi"):
    Phi = check_array_arg(Phi, phi_name, ndim=2)
    y = check_array_arg(y, "y", ndim=1)
    if y.shape[0] != Phi.shape[0]:
        raise ValueError(
            f"y has {y.shape[0]} entries but {phi_name} has {Phi.shape[0]} rows"
        )
    dtype = np.result_type(Phi.dtype, y.dtype, np.float64)
    return Phi.astype(dtype, copy=False), y.astype(dtype, copy=False)


def _check_gamma(gamma, n, name="gamma"):
    gamma = check_array_arg(gamma, name, ndim=1, allow_complex=False)
    gamma = gamma.astype(np.float64, copy=False)
    if gamma.shape[0] != n:
        raise ValueError(f"{name} must have {n} entries, got {gamma.shape[0]}")
    if np.any(gamma <= 0):
        raise ValueError(f"{name} must be > 0 everywhere")
    return gamma


def sbl_posterior(Phi, y, gamma, noise_variance):
    """Gaussian posterior of ``x`` given ``y = Phi x + n`` (the SBL E-step).

    Parameters
    ----------
    Phi : array_like of shape (m, n)
        Dictionary, real or complex.
    y : array_like of shape (m,)
        Measurements.
    gamma : array_like of shape (n,)
        Prior variances, all > 0.
    noise_variance : float
        Noise variance, > 0.

    Returns
    -------
    mean : ndarray of shape (n,)
        Posterior mean ``Gamma Phi^H Sigma_y^{-1} y``.
    var : ndarray of shape (n,)
        Diagonal of the posterior covariance
        ``Gamma - Gamma Phi^H Sigma_y^{-1} Phi Gamma``.

    Examples
    --------
    >>> Phi = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> mean, var = sbl_posterior(Phi, [1.0, 2.0], [1.0, 1.0], 1.0)
    >>> mean, var
    (array([0.5, 0.8]), array([0.5, 0.2]))
    """
    Phi, y = _check_phi_y(Phi, y)
    gamma = _check_gamma(gamma, Phi.shape[1])
    sigma2 = check_positive(noise_variance, "noise_variance")
    e = _dense_estep(Phi, y, gamma, sigma2)
    return e.mean, e.var


def _pow2_scale(a):
    """Exponent ``e`` with ``a / 2**e`` of root-mean-square magnitude near 1.

    ``None`` when ``a`` is all zeros. Computed without overflow.
    """
    amax = float(np.max(np.abs(a)))
    if amax == 0.0:
        return None
    rms = amax * np.sqrt(np.mean(np.abs(a / amax) ** 2))
    return int(np.frexp(rms)[1])


def _mean_power(y):
    """``mean(|y|^2)`` without intermediate overflow or underflow."""
    e = _pow2_scale(y)
    if e is None:
        return 0.0
    ys = y * np.ldexp(1.0, -e)
    return float(np.ldexp(np.vdot(ys, ys).real / y.shape[0], 2 * e))


def _noise_update(resid_sq, sigma2, var, gamma, m, floor):
    dof = np.sum(1.0 - var / gamma)
    return max((resid_sq + sigma2 * dof) / m, floor)


def sbl(
    Phi,
    y,
    *,
    noise_variance=None,
    prune_threshold=1e-4,
    max_iter=150,
    tol=1e-4,
    verbose=False,
):
    """Sparse Bayesian learning by EM with a dense dictionary.

    Parameters
    ----------
    Phi : array_like of shape (m, n)
        Dictionary, real or complex.
    y : array_like of shape (m,)
        Measurements.
    noise_variance : float or None, default=None
        Known noise variance (> 0); ``None`` learns it by EM, starting from
        ``0.1 * mean(|y|^2)``.
    prune_threshold : float, default=1e-4
        Atoms with ``gamma < prune_threshold * max(gamma)`` are removed before
        each E-step (``0`` removes only exact zeros). In ``[0, 1)``.
    max_iter : int, default=150
        Maximum number of EM iterations.
    tol : float, default=1e-4
        Stop when ``||gamma - gamma_old|| / ||gamma_old|| <= tol`` (pruned
        atoms count as zero).
    verbose : bool or int, default=False
        Print the objective every ``verbose`` iterations.

    Returns
    -------
    SBLResult
        The posterior mean (``coef``), the learned ``gamma`` and noise
        variance, the support, the iteration count and history.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before ``tol``.

    Notes
    -----
    Each iteration costs ``O(m k min(m, k))`` for ``k`` surviving atoms and
    stores ``O(m k)`` numbers: use
    :func:`~sparserecovery.linear_model.kronecker_sbl` when the dictionary is
    a Kronecker product. Computation is in double precision, on internally
    rescaled data, so that the answer does not depend on the units of
    ``Phi`` and ``y``. An all-zero ``y`` gives ``coef = 0`` and
    ``gamma = 0``; an all-zero ``Phi`` gives the same, with the learned
    noise variance equal to ``mean(|y|^2)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Phi = rng.standard_normal((30, 60))
    >>> x = np.zeros(60)
    >>> x[[3, 17, 40]] = [1.5, -2.0, 1.0]
    >>> y = Phi @ x + 0.01 * rng.standard_normal(30)
    >>> res = sbl(Phi, y, noise_variance=1e-4)
    >>> np.flatnonzero(np.abs(res.coef) > 0.1)
    array([ 3, 17, 40])
    """
    Phi, y = _check_phi_y(Phi, y)
    prune_threshold = check_scalar_arg(
        prune_threshold, "prune_threshold", lower=0, upper=1, upper_inclusive=False
    )
    max_iter = check_max_iter(max_iter)
    tol = check_tol(tol)
    learn_noise = noise_variance is None
    if not learn_noise:
        sigma2 = check_positive(noise_variance, "noise_variance")
    t0 = time.perf_counter()
    m, n = Phi.shape
    dtype = Phi.dtype
    # EM is equivariant under Phi -> a Phi, y -> b y (x -> x b / a, gamma ->
    # gamma (b / a)^2, sigma2 -> sigma2 b^2): run it on data scaled by powers
    # of two (exact in floating point) so that no intermediate under- or
    # overflows, and undo the scaling on the answer.
    ey = _pow2_scale(y)
    ea = _pow2_scale(Phi)
    if ey is None or ea is None:
        # y = 0: the evidence is maximized by gamma -> 0. Phi = 0: y is all
        # noise, gamma -> 0 and the learned noise variance is the power of y.
        if learn_noise:
            sigma2 = 0.0 if ey is None else _mean_power(y)
        return SBLResult(
            coef=np.zeros(n, dtype=dtype),
            gamma=np.zeros(n),
            noise_variance=float(sigma2),
            support=np.zeros(n, dtype=bool),
            n_iter=0,
            converged=True,
            history=np.zeros(0),
            time=time.perf_counter() - t0,
            info={"posterior_variance": np.zeros(n)},
        )
    y = y * np.ldexp(1.0, -ey)
    Phi = Phi * np.ldexp(1.0, -ea)
    power = np.vdot(y, y).real / m
    if learn_noise:
        sigma2 = 0.1 * power
    else:
        sigma2 = float(np.ldexp(sigma2, -2 * ey))
    noise_floor = 1e-12 * power
    # Start from the prior variance that explains the measured power.
    col_power = np.sum(np.abs(Phi) ** 2)
    g0 = max(m * (power - sigma2), 0.1 * m * power) / max(col_power, 1e-300)
    gamma_full = np.full(n, g0)
    active = np.arange(n)
    # History in the units of the data: log|Sigma_y| shifts by m log(b^2).
    shift = 2.0 * m * ey * np.log(2.0)
    mon = IterationMonitor("sbl", max_iter, tol, verbose=verbose)
    for k in range(max_iter):
        gamma_old = gamma_full.copy()
        g = gamma_full[active]
        keep = (g > 0) & (g >= prune_threshold * g.max())
        active = active[keep]
        Pa = Phi[:, active]
        g = g[keep]
        e = _dense_estep(Pa, y, g, sigma2)
        gamma_new = np.abs(e.mean) ** 2 + e.var
        if learn_noise:
            r = y - Pa @ e.mean
            sigma2 = _noise_update(np.vdot(r, r).real, sigma2, e.var, g, m, noise_floor)
        gamma_full = np.zeros(n)
        gamma_full[active] = gamma_new
        crit = np.linalg.norm(gamma_full - gamma_old) / np.linalg.norm(gamma_old)
        if mon.update(k, e.logdet + e.quad + shift, crit, None):
            break
    g = gamma_full[active]
    keep = (g > 0) & (g >= prune_threshold * g.max())
    active = active[keep]
    e = _dense_estep(Phi[:, active], y, g[keep], sigma2)
    res = mon.result(None)
    ex = ey - ea  # x is scaled by 2**ex, gamma and variances by 2**(2 ex)
    coef = np.zeros(n, dtype=dtype)
    coef[active] = e.mean * np.ldexp(1.0, ex)
    var = np.zeros(n)
    var[active] = np.ldexp(e.var, 2 * ex)
    gamma = np.zeros(n)
    gamma[active] = np.ldexp(g[keep], 2 * ex)
    support = np.zeros(n, dtype=bool)
    support[active] = True
    sigma2 = np.ldexp(sigma2, 2 * ey)
    return SBLResult(
        coef=coef,
        gamma=gamma,
        noise_variance=float(sigma2),
        support=support,
        n_iter=res.n_iter,
        converged=res.converged,
        history=res.history,
        time=time.perf_counter() - t0,
        info={"posterior_variance": var},
    )
