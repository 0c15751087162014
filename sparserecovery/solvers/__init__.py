"""Generic iterative solvers working on operators and proxes.

Every solver returns a :class:`~sparserecovery.base.SolverResult` (solution,
iteration count, convergence flag, history, time, extras) and warns with
:class:`~sklearn.exceptions.ConvergenceWarning` when it stops at ``max_iter``.
Matrices, scipy sparse matrices and scipy operators are accepted wherever an
operator is expected; the dense matrix is never formed.

- :func:`fista`, :func:`ista`: proximal gradient for ``f(x) + g(x)`` with a
  smooth ``f`` such as :class:`LeastSquares` or :class:`QuadraticForm`;
- :func:`admm` (with :func:`least_squares_x_update`) and
  :func:`chambolle_pock`: splitting methods for ``f(x) + g(Kx)``;
- :func:`cg`: conjugate gradient for Hermitian positive definite systems;
- :func:`omp`, :func:`iht`: greedy and thresholding sparse approximation.
"""

from ._admm import admm, least_squares_x_update
from ._cg import cg
from ._datafits import LeastSquares, QuadraticForm
from ._fista import fista, ista
from ._greedy import iht, omp
from ._primal_dual import chambolle_pock

__all__ = [
    "LeastSquares",
    "QuadraticForm",
    "admm",
    "cg",
    "chambolle_pock",
    "fista",
    "iht",
    "ista",
    "least_squares_x_update",
    "omp",
]
