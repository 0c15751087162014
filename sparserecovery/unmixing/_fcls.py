"""Fully constrained (and non-negative) least-squares unmixing, exactly."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..utils import check_max_iter, check_tol
from ._common import UnmixingResult, check_endmembers, check_pixels
from ._kernels import active_set_qp_rows

__all__ = ["fcls", "nnls_unmix"]


def _gram(E, weights):
    Ew = E if weights is None else E * weights
    return Ew @ E.T, Ew


def constrained_ls(
    Y, E, *, sum_to_one, weights=None, linear=None, max_iter=None, tol=1e-10
):
    """Exact ``min 0.5 ||W^(1/2) (y - E^T a)||^2 + c^T a`` s.t. ``a >= 0`` (sum one).

    Internal, one problem per row: ``Y`` (n, L) and ``E`` (k, L) already
    validated float64; ``weights`` (L,) or None; ``linear`` (n, k) the rows
    ``c`` or None. Returns ``(A, n_iter)``.
    """
    k = E.shape[0]
    G, Ew = _gram(E, weights)
    # A relative 1e-13 ridge keeps the small solves defined for rank-deficient
    # endmembers without changing well-posed answers beyond rounding.
    G = G + 1e-13 * max(float(np.trace(G)) / k, 1e-300) * np.eye(k)
    B = Y @ Ew.T
    if linear is not None:
        B = B - linear
    B = np.ascontiguousarray(B)
    if max_iter is None:
        max_iter = 10 * k + 50
    out = np.empty((Y.shape[0], k))
    n_iter = active_set_qp_rows(G, B, bool(sum_to_one), int(max_iter), float(tol), out)
    return out, int(n_iter)


def fcls(Y, endmembers, *, sum_to_one=True, max_iter=None, tol=1e-10):
    r"""Fully constrained least-squares unmixing (exact active set).

    For every pixel ``y`` solves

    .. math:: \min_a \tfrac12 \|y - E^T a\|_2^2 \quad \text{s.t.}\quad
              a \ge 0,\ \mathbf 1^T a = 1

    with a primal active-set method (Lawson--Hanson extended to the
    sum-to-one equality) run per pixel in a numba loop; the Gram matrix
    ``E E^T`` is shared by all pixels. The answer is exact up to rounding.
    With ``sum_to_one=False`` this is non-negative least squares (NNLS).

    Parameters
    ----------
    Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
        Pixels (a cube is flattened row-major).
    endmembers : array_like of shape (n_endmembers, n_bands)
        Endmember spectra, linearly independent.
    sum_to_one : bool, default=True
        Impose the abundance sum-to-one constraint.
    max_iter : int, optional
        Active-set iterations per pixel; default ``10 n_endmembers + 50``.
    tol : float, default=1e-10
        Optimality tolerance on the multipliers, relative to ``max diag(E E^T)``.

    Returns
    -------
    UnmixingResult
        ``abundances`` of shape (n_pixels, n_endmembers); ``n_iter`` the
        largest per-pixel iteration count.

    Warns
    -----
    ConvergenceWarning
        When a pixel uses all ``max_iter`` active-set iterations.

    Examples
    --------
    >>> import numpy as np
    >>> E = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
    >>> y = 0.3 * E[0] + 0.7 * E[1]
    >>> fcls(y[None], E).abundances.round(6)
    array([[0.3, 0.7]])
    """
    Y, _ = check_pixels(Y)
    E = check_endmembers(endmembers, Y.shape[1])
    if max_iter is not None:
        max_iter = check_max_iter(max_iter)
    tol = check_tol(tol)
    A, n_iter = constrained_ls(
        Y, E, sum_to_one=sum_to_one, max_iter=max_iter, tol=tol
    )
    limit = 10 * E.shape[0] + 50 if max_iter is None else max_iter
    converged = n_iter < limit
    if not converged:
        warnings.warn(
            f"fcls: some pixels used all max_iter={limit} active-set iterations",
            ConvergenceWarning, stacklevel=2,
        )
    return UnmixingResult(A, E, n_iter, converged)


def nnls_unmix(Y, endmembers, *, max_iter=None, tol=1e-10):
    """Non-negative least-squares unmixing (``fcls`` without sum-to-one).

    Parameters
    ----------
    Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
        Pixels.
    endmembers : array_like of shape (n_endmembers, n_bands)
        Endmember spectra.
    max_iter : int, optional
        Active-set iterations per pixel.
    tol : float, default=1e-10
        Relative optimality tolerance.

    Returns
    -------
    UnmixingResult

    Examples
    --------
    >>> import numpy as np
    >>> E = np.eye(2)
    >>> nnls_unmix([[2.0, -1.0]], E).abundances
    array([[2., 0.]])
    """
    return fcls(Y, endmembers, sum_to_one=False, max_iter=max_iter, tol=tol)
