"""Test problems for the solvers, with cvxpy (CLARABEL) reference solutions.

The proxes here are tiny private implementations so that the solver tests do
not depend on ``sparserecovery.proxes`` beyond the ``Prox`` base class.
"""

from types import SimpleNamespace

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp

from sparserecovery.proxes import Prox

CLARABEL = {
    "solver": "CLARABEL",
    "tol_gap_abs": 1e-11,
    "tol_gap_rel": 1e-11,
    "tol_feas": 1e-11,
    "tol_ktratio": 1e-9,
    "max_iter": 500,
}


class SoftThreshold(Prox):
    """lam * ||x||_1 (modulus for complex x)."""

    def __init__(self, lam):
        self.lam = lam

    def value(self, x):
        return self.lam * float(np.abs(x).sum())

    def _prox(self, x, step):
        mag = np.abs(x)
        return x * np.maximum(1.0 - self.lam * step / np.maximum(mag, 1e-300), 0.0)


class Box(Prox):
    """Indicator of lo <= x <= hi (hi may be inf)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def value(self, x):
        ok = np.all(x >= self.lo - 1e-12) and np.all(x <= self.hi + 1e-12)
        return 0.0 if ok else np.inf

    def _prox(self, x, step):
        return np.clip(x, self.lo, self.hi)


class GroupL2(Prox):
    """lam * sum_i ||(z_i, z_{i+N})||_2: the l2,1 norm of a stacked gradient."""

    def __init__(self, lam, n_groups_axis=2):
        self.lam = lam
        self.d = n_groups_axis

    def _norms(self, z):
        return np.sqrt((np.abs(z.reshape(self.d, -1)) ** 2).sum(axis=0))

    def value(self, z):
        return self.lam * float(self._norms(z).sum())

    def _prox(self, z, step):
        nrm = self._norms(z)
        scale = np.maximum(1.0 - self.lam * step / np.maximum(nrm, 1e-300), 0.0)
        return (z.reshape(self.d, -1) * scale).reshape(z.shape)


class GroupBall(Prox):
    """Indicator of max_i ||(p_i, p_{i+N})||_2 <= lam (dual of GroupL2)."""

    def __init__(self, lam, d=2):
        self.lam, self.d = lam, d

    def value(self, p):
        nrm = np.sqrt((np.abs(p.reshape(self.d, -1)) ** 2).sum(axis=0))
        return 0.0 if np.all(nrm <= self.lam * (1 + 1e-12)) else np.inf

    def _prox(self, p, step):
        q = p.reshape(self.d, -1)
        nrm = np.sqrt((np.abs(q) ** 2).sum(axis=0))
        return (q * np.minimum(1.0, self.lam / np.maximum(nrm, 1e-300))).reshape(
            p.shape
        )


class HalfSquaredDistance(Prox):
    """0.5 * ||z - b||^2."""

    def __init__(self, b):
        self.b = b

    def value(self, z):
        return 0.5 * float(np.sum(np.abs(z - self.b.reshape(z.shape)) ** 2))

    def _prox(self, z, step):
        return (z + step * self.b.reshape(z.shape)) / (1.0 + step)


def gradient_2d(n1, n2):
    """Forward differences (Neumann) of an n1 x n2 image, rows then columns.

    Returns a sparse (2 N, N) matrix whose first N rows are the vertical and
    last N rows the horizontal differences of the C-order flattened image.
    """

    def d1(n):
        d = sp.diags([-np.ones(n), np.ones(n - 1)], [0, 1], shape=(n, n)).tolil()
        d[n - 1, n - 1] = 0.0
        return d.tocsr()

    Dv = sp.kron(d1(n1), sp.identity(n2))
    Dh = sp.kron(sp.identity(n1), d1(n2))
    return sp.vstack([Dv, Dh]).tocsr()


def _solve(objective, constraints=()):
    prob = cp.Problem(cp.Minimize(objective), list(constraints))
    prob.solve(**CLARABEL)
    assert prob.status == cp.OPTIMAL, prob.status
    return prob


def _lasso(rng, m, n, cplx):
    A = rng.standard_normal((m, n))
    b = rng.standard_normal(m)
    if cplx:
        A = A + 1j * rng.standard_normal((m, n))
        b = b + 1j * rng.standard_normal(m)
    lam = 0.2 * np.abs(A.conj().T @ b).max()
    x = cp.Variable(n, complex=cplx)
    _solve(0.5 * cp.sum_squares(A @ x - b) + lam * cp.norm1(x))
    return SimpleNamespace(A=A, b=b, lam=lam, x_ref=x.value)


def _tv(rng, n1=12, n2=12, lam=0.15):
    img = np.zeros((n1, n2))
    img[3:9, 2:7] = 1.0
    img[6:11, 5:11] += 0.5
    b = (img + 0.2 * rng.standard_normal(img.shape)).ravel()
    D = gradient_2d(n1, n2)
    N = n1 * n2
    x = cp.Variable(N)
    Dx = D @ x
    tv = cp.sum(cp.norm(cp.vstack([Dx[:N], Dx[N:]]), 2, axis=0))
    _solve(0.5 * cp.sum_squares(x - b) + lam * tv)
    return SimpleNamespace(b=b, D=D, lam=lam, shape=(n1, n2), x_ref=x.value)


def _constrained(rng, m, n, hi):
    A = rng.standard_normal((m, n))
    b = rng.standard_normal(m) + A @ np.full(n, 0.3)
    x = cp.Variable(n)
    cons = [x >= 0] if hi is None else [x >= 0, x <= hi]
    _solve(0.5 * cp.sum_squares(A @ x - b), cons)
    hi = np.inf if hi is None else hi
    return SimpleNamespace(A=A, b=b, lo=0.0, hi=hi, x_ref=x.value)


@pytest.fixture(scope="session")
def problems():
    """Reference problems solved once per session."""
    rng = np.random.default_rng(2024)
    return SimpleNamespace(
        lasso=_lasso(rng, 30, 60, cplx=False),
        lasso_complex=_lasso(rng, 20, 40, cplx=True),
        tv=_tv(rng),
        box=_constrained(rng, 40, 20, hi=0.4),
        nonneg=_constrained(rng, 40, 20, hi=None),
    )


@pytest.fixture(scope="session")
def proxes():
    """The test-only prox classes."""
    return SimpleNamespace(
        SoftThreshold=SoftThreshold,
        Box=Box,
        GroupL2=GroupL2,
        GroupBall=GroupBall,
        HalfSquaredDistance=HalfSquaredDistance,
    )


def relerr(x, ref):
    return float(np.linalg.norm(np.ravel(x) - np.ravel(ref)) / np.linalg.norm(ref))


@pytest.fixture(scope="session")
def rel_error():
    """Relative error ||x - ref|| / ||ref||."""
    return relerr
