"""Numba kernels of the unmixing package (per-pixel loops)."""

import numpy as np

from ..utils import njit

__all__ = ["active_set_qp_rows"]


@njit
def _gauss_solve(A, r):
    """Solve the small system ``A x = r`` in place (partial pivoting).

    Hand-written instead of ``np.linalg.solve``: the systems have at most
    ``n_endmembers + 1`` unknowns and this compiles far faster.
    """
    n = A.shape[0]
    for c in range(n):
        piv = c
        big = abs(A[c, c])
        for i in range(c + 1, n):
            if abs(A[i, c]) > big:
                big = abs(A[i, c])
                piv = i
        if piv != c:
            for j in range(n):
                A[c, j], A[piv, j] = A[piv, j], A[c, j]
            r[c], r[piv] = r[piv], r[c]
        d = A[c, c]
        if d == 0.0:
            d = 1e-300
        for i in range(c + 1, n):
            f = A[i, c] / d
            if f != 0.0:
                for j in range(c, n):
                    A[i, j] -= f * A[c, j]
                r[i] -= f * r[c]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        acc = r[i]
        for j in range(i + 1, n):
            acc -= A[i, j] * x[j]
        d = A[i, i]
        x[i] = acc / (d if d != 0.0 else 1e-300)
    return x


@njit
def _solve_passive(G, b, passive, sum_to_one, z):
    """Equality-constrained solve on the passive set; returns the multiplier.

    Solves ``G_PP z_P + nu 1 = b_P`` (and ``1^T z_P = 1`` with
    ``sum_to_one``), ``z`` zero off ``P``.
    """
    k = G.shape[0]
    m = 0
    for i in range(k):
        if passive[i]:
            m += 1
    z[:] = 0.0
    if m == 0:
        return 0.0
    n = m + 1 if sum_to_one else m
    A = np.zeros((n, n))
    r = np.zeros(n)
    idx = np.empty(m, dtype=np.int64)
    c = 0
    for i in range(k):
        if passive[i]:
            idx[c] = i
            c += 1
    for i in range(m):
        for j in range(m):
            A[i, j] = G[idx[i], idx[j]]
        r[i] = b[idx[i]]
        if sum_to_one:
            A[i, m] = 1.0
            A[m, i] = 1.0
    if sum_to_one:
        r[m] = 1.0
    sol = _gauss_solve(A, r)
    for i in range(m):
        z[idx[i]] = sol[i]
    return sol[m] if sum_to_one else 0.0


@njit
def _active_set_one(G, b, sum_to_one, max_iter, tol, x):
    """Primal active-set method for one right-hand side; returns iterations."""
    k = G.shape[0]
    passive = np.zeros(k, dtype=np.bool_)
    z = np.zeros(k)
    if sum_to_one:
        passive[:] = True
        x[:] = 1.0 / k
    else:
        x[:] = 0.0
    scale = 0.0
    for i in range(k):
        scale = max(scale, abs(G[i, i]))
    thresh = tol * max(scale, 1e-300)
    it = 0
    nu = 0.0
    solved = False
    while it < max_iter:
        it += 1
        if solved:
            # Optimality: multipliers of the inactive constraints.
            best = -thresh
            j = -1
            for i in range(k):
                if not passive[i]:
                    g = -b[i] + nu
                    for q in range(k):
                        g += G[i, q] * x[q]
                    if g < best:
                        best = g
                        j = i
            if j < 0:
                return it
            passive[j] = True
        nu = _solve_passive(G, b, passive, sum_to_one, z)
        feasible = True
        for i in range(k):
            if passive[i] and z[i] <= 0.0:
                feasible = False
                break
        if feasible:
            x[:] = z
            solved = True
            continue
        # Step from x towards z until the first passive entry hits zero.
        alpha = 1.0
        block = -1
        for i in range(k):
            if passive[i] and z[i] <= 0.0:
                den = x[i] - z[i]
                a = x[i] / den if den > 0.0 else 0.0
                if a < alpha:
                    alpha = a
                    block = i
        for i in range(k):
            x[i] += alpha * (z[i] - x[i])
        for i in range(k):
            if passive[i] and (x[i] <= 1e-15 or i == block):
                passive[i] = False
                x[i] = 0.0
        solved = False
    return it


@njit
def active_set_qp_rows(G, B, sum_to_one, max_iter, tol, out):
    """Solve ``min 0.5 x^T G x - b^T x`` s.t. ``x >= 0`` (and ``sum x = 1``).

    One problem per row ``b`` of ``B`` (shape ``(n, k)``), all sharing the
    positive definite ``G`` (``(k, k)``); solutions go to the rows of
    ``out``. Returns the largest iteration count.
    """
    n = B.shape[0]
    k = G.shape[0]
    x = np.zeros(k)
    worst = 0
    for r in range(n):
        it = _active_set_one(G, B[r], sum_to_one, max_iter, tol, x)
        if it > worst:
            worst = it
        for i in range(k):
            out[r, i] = x[i]
    return worst
