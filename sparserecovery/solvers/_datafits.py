"""Smooth data-fidelity terms for the proximal-gradient solvers.

A smooth term is any object with ``value(x)`` (a real number) and
``grad(x)`` (an array shaped like ``x``); it may also offer
``value_and_grad(x)`` (to share work between the two) and ``lipschitz``
(a Lipschitz constant of the gradient, used to pick step sizes). For complex
``x`` the objective is real-valued and ``grad`` is the direction of steepest
ascent in the real inner product ``Re <x, y>`` (for ``0.5 ||Ax - b||^2`` it is
``A^H (Ax - b)``).
"""

from __future__ import annotations

from ..operators import power_iteration
from ..utils.validation import check_scalar_arg
from ._common import as_operator, check_vector, real_dot

__all__ = ["LeastSquares", "QuadraticForm"]


def _check_lipschitz(lipschitz):
    if lipschitz is None:
        return None
    return check_scalar_arg(lipschitz, "lipschitz", lower=0, lower_inclusive=False)


class LeastSquares:
    r"""Least-squares data fit :math:`f(x) = \frac12 \|Ax - b\|_2^2`.

    Parameters
    ----------
    A : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        Forward operator (real or complex); it is only applied, never formed.
    b : array_like
        Data, of shape ``A.oshape`` or flat with ``A.shape[0]`` entries.
    lipschitz : float, optional
        Known Lipschitz constant of the gradient (``||A||_2^2``). When not
        given it is estimated by :func:`~sparserecovery.operators.power_iteration`
        on first access and cached.

    Attributes
    ----------
    A : LinearOperator
        The operator.
    b : ndarray
        The data.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> f = LeastSquares(A, np.array([1.0, 2.0]))
    >>> f.value(np.zeros(2))
    2.5
    >>> f.grad(np.zeros(2))
    array([-1., -4.])
    >>> round(f.lipschitz, 6)
    4.0
    """

    def __init__(self, A, b, *, lipschitz=None):
        self.A = as_operator(A, "A")
        self.b = check_vector(b, "b", self.A.oshape)
        self._lipschitz = _check_lipschitz(lipschitz)

    @property
    def ishape(self):
        """Shape of the unknown ``x`` (the operator's input shape)."""
        return self.A.ishape

    @property
    def lipschitz(self):
        """Lipschitz constant of the gradient, ``||A||_2^2`` (cached)."""
        if self._lipschitz is None:
            sigma = power_iteration(self.A, max_iter=300, tol=1e-8)
            self._lipschitz = float(sigma) ** 2
        return self._lipschitz

    def residual(self, x):
        """Residual ``Ax - b`` (same form, structured or flat, as ``A @ x``)."""
        Ax = self.A @ x
        return Ax - self.b.reshape(Ax.shape)

    def value(self, x):
        """Objective ``0.5 ||Ax - b||^2``."""
        r = self.residual(x)
        return 0.5 * real_dot(r, r)

    def grad(self, x):
        """Gradient ``A^H (Ax - b)``."""
        return self.A.H @ self.residual(x)

    def value_and_grad(self, x):
        """Objective and gradient with one application of ``A`` and ``A^H``."""
        r = self.residual(x)
        return 0.5 * real_dot(r, r), self.A.H @ r

    def __repr__(self):
        return f"LeastSquares(A={self.A!r})"


class QuadraticForm:
    r"""Quadratic :math:`f(x) = \frac12 \langle x, Qx\rangle - \langle q, x\rangle`.

    Inner products are real parts (``Re <a, b>``) for complex ``x``.

    Parameters
    ----------
    Q : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        Hermitian positive semidefinite operator (not checked).
    q : array_like, optional
        Linear term, shaped like ``x`` (default zero).
    lipschitz : float, optional
        Known Lipschitz constant of the gradient (``||Q||_2``); estimated by
        power iteration on first access otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> f = QuadraticForm(np.diag([2.0, 1.0]), q=np.array([2.0, 1.0]))
    >>> f.value(np.array([1.0, 1.0]))
    -1.5
    >>> f.grad(np.array([1.0, 1.0]))
    array([0., 0.])
    """

    def __init__(self, Q, q=None, *, lipschitz=None):
        self.Q = as_operator(Q, "Q")
        if self.Q.shape[0] != self.Q.shape[1]:
            raise ValueError(f"Q must be square, got shape {self.Q.shape}")
        self.q = None if q is None else check_vector(q, "q", self.Q.ishape)
        self._lipschitz = _check_lipschitz(lipschitz)

    @property
    def ishape(self):
        """Shape of the unknown ``x``."""
        return self.Q.ishape

    @property
    def lipschitz(self):
        """Lipschitz constant of the gradient, ``||Q||_2`` (cached)."""
        if self._lipschitz is None:
            self._lipschitz = float(power_iteration(self.Q, max_iter=300, tol=1e-8))
        return self._lipschitz

    def value_and_grad(self, x):
        """Objective and gradient with one application of ``Q``."""
        Qx = self.Q @ x
        val = 0.5 * real_dot(x, Qx)
        if self.q is None:
            return val, Qx
        q = self.q.reshape(Qx.shape)
        return val - real_dot(q, x), Qx - q

    def value(self, x):
        """Objective value."""
        return self.value_and_grad(x)[0]

    def grad(self, x):
        """Gradient ``Qx - q``."""
        return self.value_and_grad(x)[1]

    def __repr__(self):
        return f"QuadraticForm(Q={self.Q!r})"
