"""Base class of proximal operators.

A :class:`Prox` represents a closed convex (or, for l0/lp, a lower
semicontinuous) function ``g`` through two methods:

- ``value(x)``: ``g(x)`` (``np.inf`` outside the domain of an indicator);
- ``prox(x, step)``: ``argmin_z g(z) + ||z - x||^2 / (2 step)``.

``prox_conjugate`` follows from the Moreau decomposition
``x = prox_{s g}(x) + s prox_{g*/s}(x / s)`` and is what primal-dual solvers
use for the dual step.
"""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_scalar_arg

__all__ = ["Prox", "Zero"]


class Prox:
    """A function known through its value and its proximal operator.

    Subclasses implement ``value`` and ``_prox(x, step)``; the public
    :meth:`prox` validates ``step`` and never modifies ``x`` in place.

    Examples
    --------
    >>> g = Zero()
    >>> g.prox(np.array([1.0, -2.0]), step=0.5)
    array([ 1., -2.])
    """

    #: Whether ``g`` is convex (the Moreau identity then holds exactly).
    convex = True

    def value(self, x):
        """Value ``g(x)``."""
        raise NotImplementedError

    def __call__(self, x):
        return self.value(x)

    def prox(self, x, step=1.0):
        """Proximal operator ``argmin_z g(z) + ||z - x||^2 / (2 step)``.

        Parameters
        ----------
        x : ndarray
            Point at which to evaluate the prox (not modified).
        step : float
            Positive step size.

        Returns
        -------
        ndarray
            Array of the same shape as ``x``.
        """
        step = check_scalar_arg(step, "step", lower=0, lower_inclusive=False)
        return self._prox(np.asarray(x), step)

    def _prox(self, x, step):
        raise NotImplementedError

    def prox_conjugate(self, x, step=1.0):
        """Prox of the convex conjugate ``g*`` by the Moreau decomposition.

        ``prox_{step g*}(x) = x - step * prox_{g/step}(x / step)``.
        """
        step = check_scalar_arg(step, "step", lower=0, lower_inclusive=False)
        x = np.asarray(x)
        return x - step * self._prox(x / step, 1.0 / step)


class Zero(Prox):
    """The zero function; its prox is the identity.

    Examples
    --------
    >>> Zero().value(np.ones(3))
    0.0
    """

    def value(self, x):
        """Return 0."""
        return 0.0

    def _prox(self, x, step):
        return x.copy()
