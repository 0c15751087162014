"""Shared plumbing of the solvers: option checks, plan assembly, warnings."""

from __future__ import annotations

import warnings

import numpy as np

from ..base import ConvergenceWarning
from ..utils import check_choice, check_scalar_arg
from . import _kernels as kern

__all__ = ["check_plan_options", "finalize", "warn_not_converged"]


def check_plan_options(plan_format, sparse_threshold):
    """Validate ``plan_format`` and ``sparse_threshold``."""
    check_choice("plan_format", plan_format, ("dense", "sparse"))
    if sparse_threshold is not None:
        sparse_threshold = check_scalar_arg(sparse_threshold, "sparse_threshold",
                                            lower=0)
    return plan_format, sparse_threshold


def warn_not_converged(name, max_iter, tol, err, stacklevel=3):
    """Emit the library's :class:`ConvergenceWarning`."""
    warnings.warn(
        f"{name} did not converge in max_iter={max_iter} iterations: marginal "
        f"error {err:.3e} > tol={tol:g}; increase max_iter (or tol).",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


def _embed_potential(x, idx, size):
    if idx is None:
        return x
    out = np.full(size, -np.inf, dtype=x.dtype)
    out[idx] = x
    return out


def finalize(prob, reg, f, g, *, K=None, u=None, v=None, plan_format="dense",
             sparse_threshold=None):
    """Build the plan, potentials and values of a solved problem.

    Either ``K`` is ``None`` and the plan is ``exp((f + g - M) / reg)`` (log
    representation), or ``P = u K v`` with base potentials ``f, g`` (buffered
    representation; ``K`` is overwritten with the dense plan).

    Returns ``(plan, (f, g), value, value_linear, marginal_error)``.
    """
    import scipy.sparse as sp

    M, a, b = prob.M, prob.a, prob.b
    n, m = M.shape
    if K is not None:
        f = f + reg * np.log(u)
        g = g + reg * np.log(v)
    # gauge: <a, f> = <b, g>
    t = (a @ f - b @ g) / (2.0 * prob.mass)
    f = f - t
    g = g + t
    r = np.empty(n)
    c = np.empty(m)
    if K is not None:
        cost = kern.scaled_materialize(M, K, u, v, r, c)
        plan = K
        if plan_format == "sparse":
            thr = _sparse_thr(prob, sparse_threshold)
            nnz = kern.dense_count_above(K, thr)
            indptr = np.empty(n + 1, dtype=np.int64)
            indices = np.empty(nnz, dtype=np.int64)
            data = np.empty(nnz, dtype=prob.dtype)
            cost = kern.dense_to_csr(K, M, thr, indptr, indices, data, r, c)
            plan = (data, indices, indptr)
    else:
        if plan_format == "sparse":
            thr = _sparse_thr(prob, sparse_threshold)
            nnz = kern.log_count_above(M, f, g, reg, thr)
            indptr = np.empty(n + 1, dtype=np.int64)
            indices = np.empty(nnz, dtype=np.int64)
            data = np.empty(nnz, dtype=prob.dtype)
            cost = kern.log_sparse_plan(M, f, g, reg, thr, indptr, indices, data,
                                        r, c)
            plan = (data, indices, indptr)
        else:
            plan = np.empty((n, m), dtype=prob.dtype)
            cost = kern.log_materialize(M, f, g, reg, plan, r, c)
    err = float(np.abs(r - a).sum() + np.abs(c - b).sum())
    value = float(r @ f + c @ g)
    N, Mm = prob.shape
    if plan_format == "sparse":
        data, indices, indptr = plan
        if prob.rows is not None or prob.cols is not None:
            rows = prob.rows if prob.rows is not None else np.arange(n)
            cols = prob.cols if prob.cols is not None else np.arange(m)
            counts = np.zeros(N, dtype=np.int64)
            counts[rows] = np.diff(indptr)
            indptr = np.concatenate(([0], np.cumsum(counts)))
            indices = cols[indices]
        plan = sp.csr_array((data, indices, indptr), shape=(N, Mm))
    elif prob.rows is not None or prob.cols is not None:
        full = np.zeros((N, Mm), dtype=prob.dtype)
        ri = prob.rows if prob.rows is not None else slice(None)
        ci = prob.cols if prob.cols is not None else slice(None)
        if prob.rows is not None and prob.cols is not None:
            full[np.ix_(prob.rows, prob.cols)] = plan
        else:
            full[ri, ci] = plan
        plan = full
    f = _embed_potential(f, prob.rows, N).astype(prob.dtype, copy=False)
    g = _embed_potential(g, prob.cols, Mm).astype(prob.dtype, copy=False)
    return plan, (f, g), value, float(cost), err


def _sparse_thr(prob, sparse_threshold):
    if sparse_threshold is not None:
        return sparse_threshold
    n, m = prob.M.shape
    return 1e-16 * prob.mass / (n * m)
