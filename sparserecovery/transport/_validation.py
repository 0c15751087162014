"""The one input validator shared by every optimal-transport entry point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..utils import check_array_arg

__all__ = ["check_ot_inputs", "OTProblem"]


@dataclass(frozen=True)
class OTProblem:
    """A validated problem, restricted to the points that carry mass.

    Attributes
    ----------
    a, b : ndarray of float64
        Strictly positive marginals of the reduced problem, with equal sums.
    M : ndarray
        Reduced cost matrix, C-contiguous float32 or float64.
    dtype : numpy.dtype
        Dtype of the results (that of the cost matrix).
    rows, cols : ndarray of int or None
        Indices of the kept rows / columns in the original problem, ``None``
        when every point carries mass.
    shape : tuple of int
        Shape ``(n, m)`` of the original problem.
    mass : float
        Common total mass of ``a`` and ``b``.
    """

    a: np.ndarray
    b: np.ndarray
    M: np.ndarray
    dtype: np.dtype
    rows: np.ndarray | None
    cols: np.ndarray | None
    shape: tuple
    mass: float


def _check_marginal(x, name, size, other):
    if x is None or (np.ndim(x) == 1 and np.size(x) == 0):
        return np.full(size, 1.0 / size)
    x = check_array_arg(x, name, ndim=1, allow_complex=False, dtype=np.float64)
    if x.shape[0] != size:
        raise ValueError(
            f"{name} has {x.shape[0]} entries but M has {size} {other}"
        )
    if np.any(x < 0):
        raise ValueError(f"{name} must be non-negative, got min {x.min()!r}")
    if not x.sum() > 0:
        raise ValueError(f"{name} must have a positive total mass, got {x.sum()!r}")
    return x


def check_ot_inputs(a, b, M, *, normalize=False, strip_zeros=True):
    """Validate the inputs of an optimal-transport problem.

    Parameters
    ----------
    a : array_like of shape (n,) or None
        Source histogram (non-negative). ``None`` or an empty list means
        uniform weights ``1/n``.
    b : array_like of shape (m,) or None
        Target histogram, as ``a``.
    M : array_like of shape (n, m)
        Cost matrix (finite). float32 stays float32; any other real dtype is
        converted to float64.
    normalize : bool, default=False
        Rescale ``a`` and ``b`` to unit mass. Without it the two total masses
        must agree to a relative ``1e-8`` (``3e-4`` for float32 costs);
        ``b`` is then rescaled by that tiny factor so that they agree exactly.
    strip_zeros : bool, default=True
        Drop the rows and columns whose mass is zero (the solvers work on the
        points that carry mass; the plan is zero elsewhere).

    Returns
    -------
    OTProblem
        The validated problem.

    Raises
    ------
    ValueError
        Shapes that do not match, negative or non-finite entries, zero mass,
        or total masses that differ.
    TypeError
        Non-numeric or complex input.

    Examples
    --------
    >>> p = check_ot_inputs([0.5, 0.5], None, [[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]])
    >>> p.b
    array([0.33333333, 0.33333333, 0.33333333])
    >>> check_ot_inputs([0.5, 0.5], [1.0, 1.0], [[0.0, 1.0], [1.0, 0.0]])
    Traceback (most recent call last):
    ...
    ValueError: a and b must have the same total mass (got 1 and 2); ...
    """
    M = check_array_arg(M, "M", ndim=2, allow_complex=False)
    dtype = np.dtype(np.float32) if M.dtype == np.float32 else np.dtype(np.float64)
    M = np.ascontiguousarray(M, dtype=dtype)
    n, m = M.shape
    a = _check_marginal(a, "a", n, "rows")
    b = _check_marginal(b, "b", m, "columns")
    sa, sb = float(a.sum()), float(b.sum())
    if normalize:
        a, b = a / sa, b / sb
        sa = sb = 1.0
    else:
        rtol = 3e-4 if dtype == np.float32 else 1e-8
        if abs(sa - sb) > rtol * max(sa, sb):
            raise ValueError(
                f"a and b must have the same total mass (got {sa:g} and {sb:g}); "
                "pass normalize=True to rescale both to one"
            )
        if sa != sb:
            b = b * (sa / sb)
    rows = cols = None
    if strip_zeros:
        if np.any(a == 0):
            rows = np.flatnonzero(a > 0)
        if np.any(b == 0):
            cols = np.flatnonzero(b > 0)
        if rows is not None or cols is not None:
            ri = rows if rows is not None else slice(None)
            ci = cols if cols is not None else slice(None)
            a, b = a[ri], b[ci]
            M = np.ascontiguousarray(M[ri][:, ci])
    return OTProblem(a=a, b=b, M=M, dtype=dtype, rows=rows, cols=cols,
                     shape=(n, m), mass=sa)


def check_reg(reg, M):
    """Validate the entropic regularization against the cost scale.

    ``reg`` must be positive and finite, and not so small that one unit in
    the last place of the largest cost exceeds it: past that point the
    exponents ``(f_i + g_j - M_ij) / reg`` of the Gibbs kernel carry no
    correct digit in ``M.dtype`` and every solver returns noise (or
    overflows). Rescale ``M`` (or pass ``normalize=True``) instead.
    """
    from ..utils import check_positive

    reg = check_positive(reg, "reg")
    span = float(np.max(np.abs(M), initial=0.0))
    ulp = float(np.finfo(M.dtype).eps) * span
    if ulp > reg:
        raise ValueError(
            f"reg={reg!r} is below the float resolution of the cost (max |M| = "
            f"{span:.3g}, one ulp = {ulp:.3g}); rescale M or pass normalize=True"
        )
    return reg
