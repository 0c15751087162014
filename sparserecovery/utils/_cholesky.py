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
    for a in range(k - 1, -1, -1):
        s = out[a]
        for c in range(a + 1, k):
            s -= L[c, a] * out[c]
        out[a] = s / L[a, a]
