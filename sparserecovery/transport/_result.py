"""The result object returned by every optimal-transport solver."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["OTResult"]


@dataclass(frozen=True)
class OTResult:
    """Outcome of an entropic optimal-transport solve.

    The plan solves ``min <M, P> + reg * sum_ij P_ij log P_ij`` subject to
    ``P 1 = a`` and ``P^T 1 = b``, and is given by the potentials as
    ``P_ij = exp((f_i + g_j - M_ij) / reg)``.

    Attributes
    ----------
    plan : ndarray of shape (n, m) or scipy.sparse.csr_array
        The transport plan, dense by default; sparse when the solver was
        asked for ``plan_format="sparse"`` (entries below a tiny threshold
        dropped, see the solver). Same dtype as the cost matrix.
    potentials : tuple of (ndarray of shape (n,), ndarray of shape (m,))
        Dual potentials ``(f, g)``. They are defined up to ``(f + t, g - t)``;
        the returned pair satisfies ``<a, f> = <b, g>``. Points with zero mass
        get ``-inf``.
    value : float
        Regularized objective ``<M, P> + reg * sum P log P`` of the plan.
    value_linear : float
        Transport cost ``<M, P>`` of the plan.
    marginal_error : float
        ``|P 1 - a|_1 + |P^T 1 - b|_1`` of the returned plan.
    converged : bool
        Whether the marginal error reached ``tol`` within the iteration budget.
    n_iter : dict of str to int
        Iterations per stage (``"sinkhorn"``, and ``"newton"`` for
        :func:`sinkhorn_newton_sparse`).
    history : ndarray
        L1 marginal error after each iteration, all stages in order
        (``n_iter["sinkhorn"]`` Sinkhorn entries, then the Newton ones).
    timings : dict of str to float
        Wall-clock seconds per stage and ``"total"``.
    reg : float
        The regularization used.
    method : str
        The algorithm that produced the result.
    info : dict
        Solver-specific details (per-Newton-step CG iterations, step sizes,
        kept Hessian entries, absorptions of the scalings, ...).
    """

    plan: object
    potentials: tuple
    value: float
    value_linear: float
    marginal_error: float
    converged: bool
    n_iter: dict
    history: np.ndarray
    timings: dict
    reg: float
    method: str
    info: dict = field(default_factory=dict)

    @property
    def n_iter_total(self):
        """Total number of iterations over all stages."""
        return int(sum(self.n_iter.values()))

    def __repr__(self):
        shape = getattr(self.plan, "shape", None)
        return (
            f"OTResult(method={self.method!r}, shape={shape}, reg={self.reg:g}, "
            f"value={self.value:.10g}, marginal_error={self.marginal_error:.3e}, "
            f"converged={self.converged}, n_iter={self.n_iter})"
        )
