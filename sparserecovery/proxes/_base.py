"""Base class of proximal operators.

A :class:`Prox` represents a closed convex (or, for l0/lp/N:M, a lower
semicontinuous) function ``g`` through two methods:

- ``value(x)``: ``g(x)`` (``np.inf`` outside the domain of an indicator);
- ``prox(x, step)``: ``argmin_z g(z) + ||z - x||^2 / (2 step)``.

``prox_conjugate`` follows from the Moreau decomposition
``x = prox_{s g}(x) + s prox_{g*/s}(x / s)`` and is what primal-dual solvers
use for the dual step.

Subclasses implement ``value`` and ``_prox(x, step)``; ``_prox`` receives an
array already validated by :meth:`Prox._check_input` (finite, float32,
float64 or complex) and a validated positive float ``step``.
"""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_array_arg, check_scalar_arg

__all__ = ["Prox", "Zero"]


class Prox:
    """A function known through its value and its proximal operator.

    Subclasses implement ``value`` and ``_prox(x, step)``; the public
    :meth:`prox` validates ``x`` and ``step``, never modifies ``x`` in place
    and returns an array of the dtype of ``x`` (float32 stays float32;
    integers become float64).

    Examples
    --------
    >>> g = Zero()
    >>> g.prox(np.array([1.0, -2.0]), step=0.5)
    array([ 1., -2.])
    """

    #: Whether ``g`` is convex (the Moreau identity then holds exactly).
    convex = True
    #: Whether complex arrays are accepted.
    allow_complex = True
    #: Constructor parameters shown by ``repr``.
    _repr_params: tuple[str, ...] = ()

    def _check_input(self, x, name="x"):
        """Validate a point: a finite numeric array, converted to floating."""
        return check_array_arg(x, name, allow_complex=self.allow_complex)

    def value(self, x):
        """Value ``g(x)``."""
        raise NotImplementedError

    def __call__(self, x):
        return self.value(x)

    def prox(self, x, step=1.0):
        """Proximal operator ``argmin_z g(z) + ||z - x||^2 / (2 step)``.

        Parameters
        ----------
        x : array_like
            Point at which to evaluate the prox (not modified).
        step : float
            Positive step size.

        Returns
        -------
        ndarray
            Array of the same shape and floating dtype as ``x``.
        """
        step = check_scalar_arg(step, "step", lower=0, lower_inclusive=False)
        x = self._check_input(x)
        return np.asarray(self._prox(x, step), dtype=x.dtype)

    def _prox(self, x, step):
        raise NotImplementedError

    def prox_conjugate(self, x, step=1.0):
        """Prox of the convex conjugate ``g*`` by the Moreau decomposition.

        ``prox_{step g*}(x) = x - step * prox_{g/step}(x / step)``. Only
        defined for convex ``g``.

        Parameters
        ----------
        x : array_like
            Point at which to evaluate the prox (not modified).
        step : float
            Positive step size.

        Returns
        -------
        ndarray
            Array of the same shape and floating dtype as ``x``.
        """
        if not self.convex:
            raise ValueError(
                f"prox_conjugate needs a convex function; {type(self).__name__} "
                "is not convex"
            )
        step = check_scalar_arg(step, "step", lower=0, lower_inclusive=False)
        x = self._check_input(x)
        out = x - step * self._prox(x / step, 1.0 / step)
        return np.asarray(out, dtype=x.dtype)

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._repr_params)
        return f"{type(self).__name__}({args})"


class Zero(Prox):
    """The zero function; its prox is the identity.

    Examples
    --------
    >>> Zero().value(np.ones(3))
    0.0
    """

    def value(self, x):
        """Return 0."""
        self._check_input(x)
        return 0.0

    def _prox(self, x, step):
        return x.copy()


def real_dtype(dtype):
    """Real floating dtype matching ``dtype`` (float32 for complex64)."""
    return np.finfo(dtype).dtype


def feasibility_tol(dtype, scale=1.0):
    """Slack used by indicator values: ``sqrt(eps) * max(1, scale)``."""
    return float(np.sqrt(np.finfo(dtype).eps)) * max(1.0, float(scale))


def check_nonneg_weight(value, name):
    """Validate a non-negative finite weight: a real scalar or an array.

    Scalars come back as Python floats, arrays as float64 arrays.
    """
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return check_scalar_arg(value, name, lower=0)
    arr = check_array_arg(value, name, dtype=np.float64, allow_complex=False)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 everywhere, got min {arr.min()!r}")
    return arr


def check_broadcast(arr, name, x):
    """Check that ``arr`` broadcasts against ``x`` without changing its shape."""
    shape = np.shape(arr)
    try:
        out = np.broadcast_shapes(shape, x.shape)
    except ValueError:
        out = None
    if out != x.shape:
        raise ValueError(
            f"{name} with shape {shape} does not broadcast to x with shape {x.shape}"
        )


def shrink_magnitude(x, mag, new_mag):
    """Return ``x`` with its magnitudes ``mag`` replaced by ``new_mag``.

    Real input keeps its signs, complex input its phases; entries with zero
    magnitude map to zero.
    """
    if np.iscomplexobj(x):
        scale = new_mag / np.where(mag > 0, mag, 1)
        return x * scale.astype(real_dtype(x.dtype), copy=False)
    out = np.copysign(new_mag, x).astype(x.dtype, copy=False)
    out += 0  # turn the -0.0 of shrunk negative entries into 0.0
    return out


def check_axes(axis, name, *, allow_tuple=True):
    """Validate an axis argument (an int, or a tuple of distinct ints)."""
    axes = axis if isinstance(axis, tuple) and allow_tuple else (axis,)
    if not axes:
        raise ValueError(f"{name} must not be empty")
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            want = "an int or a tuple of ints" if allow_tuple else "an int"
            raise TypeError(f"{name} must be {want}, got {axis!r}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name} has repeated entries: {axis!r}")
    return axis if isinstance(axis, tuple) else int(axis)


def normalize_axes(axis, ndim, name):
    """Turn a validated axis argument into a tuple of non-negative axes."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{name}={a} is out of bounds for an array of dimension {ndim}"
            )
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name} names the same axis twice: {axis!r}")
    return tuple(out)
