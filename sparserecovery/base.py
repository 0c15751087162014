"""Shared result objects and convergence handling.

Every iterative routine in the library reports its outcome the same way: a
frozen :class:`SolverResult` (or an algorithm-specific dataclass built the same
way) holding the answer, the number of iterations, a convergence history and
the wall-clock time, and a :class:`~sklearn.exceptions.ConvergenceWarning`
when it stopped at ``max_iter`` before reaching ``tol``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .utils.validation import check_max_iter, check_tol

__all__ = ["ConvergenceWarning", "SolverResult", "IterationMonitor"]


@dataclass(frozen=True)
class SolverResult:
    """Outcome of an iterative solver.

    Attributes
    ----------
    x : ndarray
        The solution (primal variable).
    n_iter : int
        Number of iterations performed.
    converged : bool
        Whether the stopping criterion reached ``tol`` before ``max_iter``.
    history : ndarray of shape (n_iter,)
        The monitored quantity per iteration (objective value or relative
        change, as documented by each solver).
    time : float
        Wall-clock seconds spent in the solver.
    info : dict
        Solver-specific extras (dual variables, step sizes, ...).
    """

    x: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray
    time: float
    info: dict = field(default_factory=dict)


class IterationMonitor:
    """Book-keeping shared by the iterative solvers.

    Collects a history, calls the user callback, decides convergence and warns
    when ``max_iter`` is hit.

    Parameters
    ----------
    name : str
        Solver name, used in warnings.
    max_iter : int
        Iteration budget.
    tol : float
        Tolerance on the monitored criterion.
    callback : callable or None
        Called as ``callback(k, x)`` after every iteration; returning ``True``
        stops the solver early (treated as converged).
    verbose : bool or int
        Print the criterion every ``verbose`` iterations (``True`` means 1).

    Examples
    --------
    >>> mon = IterationMonitor("demo", max_iter=5, tol=1e-3)
    >>> mon.update(0, 1.0, crit=1e-4, x=None)
    True
    >>> res = mon.result(np.zeros(2))
    >>> res.n_iter, res.converged
    (1, True)
    """

    def __init__(self, name, max_iter, tol, callback=None, verbose=False):
        self.name = name
        self.max_iter = check_max_iter(max_iter)
        self.tol = check_tol(tol)
        self.callback = callback
        self.verbose = int(verbose)
        self.history = []
        self.converged = False
        self.n_iter = 0
        self._t0 = time.perf_counter()

    def update(self, k, value, crit, x):
        """Record iteration ``k``; return True when the solver should stop."""
        self.history.append(float(value))
        self.n_iter = k + 1
        if self.verbose and (k % self.verbose == 0):
            print(f"[{self.name}] iter {k:5d}  value {value: .6e}  crit {crit:.3e}")
        if self.callback is not None and self.callback(k, x):
            self.converged = True
            return True
        if crit <= self.tol:
            self.converged = True
            return True
        return False

    def result(self, x, warn=True, **info):
        """Build the :class:`SolverResult`, warning if not converged."""
        if warn and not self.converged and self.max_iter > 0:
            warnings.warn(
                f"{self.name} did not converge in max_iter={self.max_iter} "
                f"iterations (tol={self.tol:g}); increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return SolverResult(
            x=x,
            n_iter=self.n_iter,
            converged=self.converged,
            history=np.asarray(self.history, dtype=float),
            time=time.perf_counter() - self._t0,
            info=info,
        )
