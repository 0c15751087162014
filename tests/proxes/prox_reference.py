"""Independent reference computations for the prox tests.

Nothing here calls sparserecovery: cvxpy solutions of the prox problems,
brute-force scalar minimizers and closed-form projections onto the sets
whose support functions are the conjugates of the tested norms.
"""

import itertools

import cvxpy as cp
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar


def _solve(prob):
    """CLARABEL at tight tolerances (the callers compare at 1e-5)."""
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    assert prob.status in ("optimal", "optimal_inaccurate"), prob.status


def solve_prox(x_shape, x_value, step, penalty, constraints=(), *, complex_=False):
    """Solve ``min_z step * penalty(z) + 0.5 ||z - x||^2`` with CLARABEL."""
    z = cp.Variable(x_shape, complex=complex_)
    objective = 0.5 * cp.sum_squares(z - x_value)
    if penalty is not None:
        objective = objective + step * penalty(z)
    prob = cp.Problem(cp.Minimize(objective), [c(z) for c in constraints])
    _solve(prob)
    return np.asarray(z.value)


def rel_err(a, b):
    return np.linalg.norm(np.ravel(a - b)) / max(np.linalg.norm(np.ravel(b)), 1e-300)


# ---------------------------------------------------------------- TV matrices


def forward_difference_matrices(shape, axes):
    """Sparse forward differences (last slice 0) of a C-order flattened grid."""
    mats = []
    for a in axes:
        n = shape[a]
        d = sp.diags([-np.ones(n), np.ones(n - 1)], [0, 1], shape=(n, n)).tolil()
        d[n - 1, :] = 0
        factors = [sp.identity(m) for m in shape]
        factors[a] = d.tocsr()
        mat = factors[0]
        for f in factors[1:]:
            mat = sp.kron(mat, f)
        mats.append(sp.csr_matrix(mat))
    return mats


def tv_reference_value(x, isotropic):
    """TV seminorm of a real or complex grid through the sparse matrices."""
    mats = forward_difference_matrices(x.shape, range(x.ndim))
    d = np.array([m @ x.ravel() for m in mats])
    sq = np.abs(d) ** 2
    return np.sum(np.sqrt(sq.sum(axis=0))) if isotropic else np.sum(np.sqrt(sq))


def tv_prox_cvxpy(x, t, isotropic):
    """Prox of ``t TV`` on the whole (real or complex) grid ``x`` by cvxpy."""
    mats = forward_difference_matrices(x.shape, range(x.ndim))
    parts = [x.real, x.imag] if np.iscomplexobj(x) else [x]
    zs = [cp.Variable(x.size) for _ in parts]
    # rows[a][c] = D_a z_c
    rows = [[m @ z for z in zs] for m in mats]
    if isotropic:
        tv = cp.sum(cp.norm(cp.vstack([r for ra in rows for r in ra]), 2, axis=0))
    else:
        tv = sum(cp.sum(cp.norm(cp.vstack(ra), 2, axis=0)) for ra in rows)
    fid = sum(cp.sum_squares(z - p.ravel()) for z, p in zip(zs, parts, strict=True))
    prob = cp.Problem(cp.Minimize(0.5 * fid + t * tv))
    _solve(prob)
    out = [z.value.reshape(x.shape) for z in zs]
    return out[0] + 1j * out[1] if len(out) == 2 else out[0]


# ------------------------------------------------------- scalar brute force


def brute_force_scalar_prox(a_values, penalty, step, n_grid=40001):
    """Global minimizer of ``step * penalty(z) + 0.5 (z - a)^2`` for every ``a``.

    Dense grid on ``[-|a| - 1, |a| + 1]`` plus ``z = 0``, then a bounded
    local refinement around the best grid point. Returns the minimizers and
    the minimal objective values.
    """
    zs, vals = [], []
    for a in np.ravel(a_values):
        r = abs(a) + 1.0
        grid = np.linspace(-r, r, n_grid)
        obj = step * penalty(grid) + 0.5 * (grid - a) ** 2
        k = int(np.argmin(obj))
        h = grid[1] - grid[0]
        best_z, best_v = grid[k], obj[k]
        if best_z != 0.0:
            res = minimize_scalar(
                lambda z, a=a: step * penalty(np.array(z)) + 0.5 * (z - a) ** 2,
                bounds=(best_z - h, best_z + h),
                method="bounded",
                options={"xatol": 1e-13},
            )
            if res.fun < best_v:
                best_z, best_v = float(res.x), float(res.fun)
        zero_v = step * penalty(np.array(0.0)) + 0.5 * a * a
        if zero_v <= best_v:
            best_z, best_v = 0.0, zero_v
        zs.append(best_z)
        vals.append(best_v)
    return np.array(zs), np.array(vals)


# ---------------------------------------------- conjugate-side projections


def project_modulus(y, radius):
    """Entrywise projection onto ``{|y_i| <= radius_i}`` (complex: modulus)."""
    mag = np.abs(y)
    return y * np.minimum(1.0, radius / np.maximum(mag, 1e-300))


def project_group_balls(y, radius, axis):
    norms = np.sqrt(np.sum(np.abs(y) ** 2, axis=axis, keepdims=True))
    return y * np.minimum(1.0, radius / np.maximum(norms, 1e-300))


def project_spectral_ball(y, radius):
    u, s, vh = np.linalg.svd(y, full_matrices=False)
    return (u * np.minimum(s, radius)[..., None, :]) @ vh


def _bisect_level(values, target, iters=200):
    """``theta >= 0`` with ``sum(max(values - theta, 0)) = target`` (bisection)."""
    lo, hi = 0.0, float(np.max(values))
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if np.sum(np.maximum(values - mid, 0.0)) > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def prox_max(v, c):
    """Prox of ``c * max(.)`` (support function of the simplex of radius c)."""
    lo = float(np.min(v)) - c  # sum(max(v - lo, 0)) >= c
    hi = float(np.max(v))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.sum(np.maximum(v - mid, 0.0)) > c:
            lo = mid
        else:
            hi = mid
    return np.minimum(v, 0.5 * (lo + hi))


def prox_linf(v, c):
    """Prox of ``c * ||.||_inf`` (support function of the l1 ball radius c)."""
    mag = np.abs(v)
    if mag.sum() <= c:
        return np.zeros_like(v)
    theta = _bisect_level(mag, c)
    return v * (np.minimum(mag, theta) / np.maximum(mag, 1e-300))


def prox_box_support(v, lower, upper, s):
    """Prox of ``sigma_box / s`` with ``sigma_box(u) = sum max(lower u, upper u)``."""
    hi, lo = upper / s, lower / s
    return np.where(v > hi, v - hi, np.where(v < lo, v - lo, 0.0))


# -------------------------------------------------------------- N:M check


def best_nm_kept_magnitude(group, n):
    """Largest sum of ``n`` magnitudes of a group, over all subsets."""
    mag = np.abs(group)
    return max(sum(mag[list(c)]) for c in itertools.combinations(range(len(mag)), n))
