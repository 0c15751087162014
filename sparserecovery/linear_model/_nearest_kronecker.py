"""Nearest Kronecker product by rearrangement and SVD (Van Loan-Pitsianis)."""

from __future__ import annotations

from math import prod

import numpy as np

from ..utils.validation import check_array_arg, check_scalar_arg

__all__ = ["nearest_kronecker"]


def _check_factor_shapes(factor_shapes, shape=None, name="factor_shapes"):
    """Validate a list of ``(m_i, n_i)`` pairs (against a matrix shape)."""
    msg = f"{name} must be a sequence of (n_rows, n_cols) pairs of positive ints"
    try:
        pairs = [tuple(p) for p in factor_shapes]
    except TypeError:
        raise TypeError(f"{msg}, got {factor_shapes!r}") from None
    if len(pairs) == 0:
        raise ValueError(f"{msg}, got an empty sequence")
    out = []
    for p in pairs:
        if len(p) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
            for v in p
        ):
            raise ValueError(f"{msg}, got {factor_shapes!r}")
        out.append((int(p[0]), int(p[1])))
    if shape is not None:
        want = (prod(p[0] for p in out), prod(p[1] for p in out))
        if tuple(shape) != want:
            raise ValueError(
                f"{name}={out} implies X of shape {want} (product of the factor "
                f"shapes), got X of shape {tuple(shape)}"
            )
    return out


def _rank_one(mat):
    """Best rank-one approximation ``s u v^T`` of ``mat``: ``(u, s * v^T)``."""
    u, s, vh = np.linalg.svd(mat, full_matrices=False)
    return u[:, 0], s[0] * vh[0]


def nearest_kronecker(X, factor_shapes, *, rtol=None, return_residual=False):
    """Factors ``A_1, ..., A_I`` whose Kronecker product is nearest to ``X``.

    The rows and columns of ``X`` are rearranged so that a Kronecker product
    ``A_1 ⊗ R`` becomes the rank-one matrix ``vec(A_1) vec(R)^T``; its top
    singular pair gives ``A_1`` and ``R``, and ``R`` is split the same way
    until ``I`` factors remain. For two factors this is the Frobenius-nearest
    Kronecker product; for more it is a sequential approximation that is
    exact whenever ``X`` is a Kronecker product.

    Parameters
    ----------
    X : array_like of shape (prod(m_i), prod(n_i))
        The matrix, real or complex.
    factor_shapes : sequence of (int, int)
        ``(m_i, n_i)`` for each factor, in ``np.kron`` order.
    rtol : float or None, default=None
        If given, raise when ``||X - A_1 ⊗ ... ⊗ A_I||_F > rtol ||X||_F``.
    return_residual : bool, default=False
        Also return that relative residual.

    Returns
    -------
    factors : list of ndarray
        The factors; they share the scale evenly (equal Frobenius norms).
    residual : float
        Relative Frobenius residual; only when ``return_residual`` is true.

    Raises
    ------
    ValueError
        If ``factor_shapes`` does not match ``X.shape``, or if ``rtol`` is
        given and ``X`` is not a Kronecker product within it.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((2, 3)), rng.standard_normal((4, 5))
    >>> F = nearest_kronecker(np.kron(A, B), [(2, 3), (4, 5)], rtol=1e-10)
    >>> bool(np.allclose(np.kron(F[0], F[1]), np.kron(A, B)))
    True
    """
    X = check_array_arg(X, "X", ndim=2)
    shapes = _check_factor_shapes(factor_shapes, X.shape)
    if rtol is not None:
        rtol = check_scalar_arg(rtol, "rtol", lower=0)
    n_fac = len(shapes)
    ms = [s[0] for s in shapes]
    ns = [s[1] for s in shapes]
    # X[(i_1..i_I), (j_1..j_I)] -> T[i_1, j_1, i_2, j_2, ...]
    order = [a for k in range(n_fac) for a in (k, n_fac + k)]
    rest = X.reshape(ms + ns).transpose(order)
    factors = []
    for k in range(n_fac - 1):
        u, rest = _rank_one(rest.reshape(ms[k] * ns[k], -1))
        factors.append(u.reshape(ms[k], ns[k]))
    factors.append(rest.reshape(ms[-1], ns[-1]))
    # Share the scale evenly (the first I-1 factors have unit norm here).
    norms = [np.linalg.norm(f) for f in factors]
    total = prod(norms)
    if total > 0:
        target = total ** (1.0 / n_fac)
        factors = [f * (target / nrm) for f, nrm in zip(factors, norms, strict=True)]
    residual = 0.0
    if rtol is not None or return_residual:
        approx = factors[0]
        for f in factors[1:]:
            approx = np.kron(approx, f)
        x_norm = np.linalg.norm(X)
        residual = float(np.linalg.norm(X - approx) / x_norm) if x_norm > 0 else 0.0
        if rtol is not None and residual > rtol:
            raise ValueError(
                f"X is not a Kronecker product of factors with shapes {shapes}: "
                f"relative residual {residual:.3g} > rtol={rtol:g}"
            )
    if return_residual:
        return factors, residual
    return factors
