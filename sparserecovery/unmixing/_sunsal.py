"""SUnSAL: ADMM sparse unmixing, batched over all pixels."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from sklearn.exceptions import ConvergenceWarning

from ..proxes import Lp, Prox
from ..solvers import admm
from ..utils import check_max_iter, check_scalar_arg, check_tol
from ._common import UnmixingResult, check_endmembers, check_pixels

__all__ = ["sunsal"]


class NonNegLp(Prox):
    """``lam * sum |x|^p + indicator(x >= 0)`` with one ``p`` per row.

    ``p_rows`` (n_rows,) holds each row's exponent (a few distinct levels);
    ``p = 1`` gives the non-negative soft threshold.
    """

    _repr_params = ("lam",)

    def __init__(self, lam, p_rows=None):
        self.lam = float(lam)
        self.p_rows = p_rows

    def value(self, x):
        x = np.asarray(x)
        if np.any(x < 0):
            return np.inf
        if self.p_rows is None:
            return self.lam * float(np.sum(x))
        return self.lam * float(np.sum(x ** self.p_rows[:, None]))

    def _prox(self, x, step):
        pos = np.maximum(x, 0.0)
        t = step * self.lam
        if t == 0.0:
            return pos
        if self.p_rows is None:
            return np.maximum(pos - t, 0.0)
        out = np.empty_like(pos)
        for p in np.unique(self.p_rows):
            rows = self.p_rows == p
            if p == 1.0:
                out[rows] = np.maximum(pos[rows] - t, 0.0)
            else:
                out[rows] = Lp(self.lam, float(p)).prox(pos[rows], step)
        return out


class BatchedXUpdate:
    """``argmin_X 0.5 sum_n ||y_n - E^T x_n||_W^2 + rho/2 ||X - V||^2``.

    Rows of ``X`` are pixels; one Cholesky of ``G + rho I`` per ``rho`` is
    shared by all pixels (as the small inverse, applied by one product);
    ``sum_to_one`` adds the affine constraint ``X 1 = 1`` by an exact
    correction.
    """

    def __init__(self, G, B, sum_to_one):
        self.G, self.B, self.sum_to_one = G, B, sum_to_one
        self._rho = None

    def _factor(self, rho):
        if rho != self._rho:
            k = self.G.shape[0]
            # k x k inverse from a Cholesky factor: one small solve, then
            # every pixel is a row of one matrix-matrix product.
            self._Q = cho_solve(cho_factor(self.G + rho * np.eye(k)), np.eye(k))
            self._q1 = self._Q.sum(axis=1)
            self._rho = rho

    def __call__(self, V, rho):
        self._factor(rho)
        X = (self.B + rho * V) @ self._Q
        if self.sum_to_one:
            X -= np.outer((X.sum(axis=1) - 1.0) / self._q1.sum(), self._q1)
        return X


def admm_abundances(G, B, prox, X0, *, sum_to_one, rho, max_iter, tol):
    """Run the shared ADMM on the whole abundance matrix; returns the result."""
    x_update = BatchedXUpdate(G, B, sum_to_one)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return admm(
            x_update, prox, None, X0, rho=rho, adaptive_rho=True,
            max_iter=max_iter, tol=tol,
        )


def sunsal(
    Y, endmembers, *, alpha=1e-3, sum_to_one=False, rho=None, max_iter=1000,
    tol=1e-6,
):
    r"""Sparse unmixing by variable splitting and augmented Lagrangian.

    Solves, for every pixel ``y`` (SUnSAL, Bioucas-Dias and Figueiredo, 2010)

    .. math:: \min_a \tfrac12 \|y - E^T a\|_2^2 + \alpha \|a\|_1
              \quad \text{s.t.}\quad a \ge 0\ (,\ \mathbf 1^T a = 1)

    by ADMM on the splitting ``a = z``: the ``a``-step is a linear solve with
    ``E E^T + rho I`` factored once and applied to the whole image (plus an
    exact affine correction for sum-to-one), the ``z``-step the
    non-negative soft threshold. Suited to large (overcomplete) spectral
    libraries, where the ``l1`` term selects the few active spectra.

    Parameters
    ----------
    Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
        Pixels.
    endmembers : array_like of shape (n_endmembers, n_bands)
        Endmember spectra or a spectral library.
    alpha : float, default=1e-3
        ``l1`` weight (>= 0), in the units of the squared data.
    sum_to_one : bool, default=False
        Impose the sum-to-one constraint (then the ``l1`` term is constant
        and only positivity acts).
    rho : float, optional
        Initial ADMM penalty (adapted by residual balancing); default
        ``mean(diag(E E^T))``.
    max_iter : int, default=1000
        ADMM iterations.
    tol : float, default=1e-6
        Relative primal and dual residual tolerance.

    Returns
    -------
    UnmixingResult
        ``history`` holds the ADMM stopping criterion per iteration.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> E = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0]])
    >>> y = 0.4 * E[0] + 0.6 * E[1]
    >>> sunsal(y[None], E, alpha=0.0, tol=1e-10).abundances.round(4)
    array([[0.4, 0.6, 0. ]])
    """
    Y, _ = check_pixels(Y)
    E = check_endmembers(endmembers, Y.shape[1])
    alpha = check_scalar_arg(alpha, "alpha", lower=0)
    max_iter = check_max_iter(max_iter)
    tol = check_tol(tol)
    G = E @ E.T
    if rho is None:
        rho = float(np.mean(np.diag(G))) or 1.0
    rho = check_scalar_arg(rho, "rho", lower=0, lower_inclusive=False)
    B = Y @ E.T
    k = E.shape[0]
    X0 = np.full((Y.shape[0], k), 1.0 / k)
    res = admm_abundances(
        G, B, NonNegLp(alpha), X0, sum_to_one=sum_to_one, rho=rho,
        max_iter=max_iter, tol=tol,
    )
    if not res.converged:
        warnings.warn(
            f"sunsal did not converge in max_iter={max_iter} iterations",
            ConvergenceWarning, stacklevel=2,
        )
    A = res.info["z"]
    if sum_to_one:
        A = res.x
    return UnmixingResult(A, E, res.n_iter, res.converged, np.asarray(res.history))
