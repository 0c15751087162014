"""Numba helpers for a Cholesky factor grown and shrunk one index at a time."""

from ._numba import njit

__all__ = ["cholesky_solve"]


@njit
def cholesky_solve(L, k, rhs, out):
    """Solve ``L[:k,:k] L[:k,:k]^T x = rhs[:k]`` into ``out[:k]``."""
    for a in range(k):
        s = rhs[a]
        for c in range(a):
            s -= L[a, c] * out[c]
        out[a] = s / L[a, a]
    # Back substitution with L^T by rows of L (contiguous), not by its
    # columns: at k = 130 in a 200 x 200 buffer the column walk touched a
    # new cache line per entry.
    for c in range(k - 1, -1, -1):
        xc = out[c] / L[c, c]
        out[c] = xc
        Lc = L[c]
        for a in range(c):
            out[a] -= Lc[a] * xc
