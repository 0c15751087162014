"""Argument checks and small numerical helpers shared by the solvers."""

from __future__ import annotations

import math
from math import prod

import numpy as np

from ..operators import LinearOperator, aslinearoperator
from ..proxes import Zero
from ..utils.validation import check_array_arg

#: Smallest denominator used in relative criteria.
TINY = float(np.finfo(np.float64).tiny)


def norm(x):
    """Euclidean (Frobenius) norm of an array of any shape."""
    v = np.ravel(x)
    return math.sqrt(float(np.vdot(v, v).real))


def real_dot(a, b):
    """Real inner product ``Re <a, b>`` of two arrays of any shape."""
    return float(np.vdot(a, b).real)


def relative_change(new, old):
    """``||new - old|| / ||new||`` (``0`` when both are zero)."""
    num = norm(new - old)
    if num == 0.0:
        return 0.0
    return num / max(norm(new), TINY)


#: Residuals below this multiple of machine epsilon times the size of the
#: terms they are computed from are rounding noise and count as zero.
ROUNDING = 1e3 * float(np.finfo(np.float64).eps)


def scaled_residual(res, scale, tol, atol, floor=0.0):
    """Map ``res <= atol + tol * scale`` onto the monitor's ``crit <= tol``.

    Returns a number that is ``<= tol`` exactly when the residual norm ``res``
    meets the mixed absolute/relative test; for ``atol == 0`` this is the
    plain relative residual ``res / scale``. A residual at most ``floor``
    (the rounding level of its computation) gives 0: this keeps relative
    tests meaningful when the solution is zero.
    """
    if res <= floor:
        return 0.0
    if tol > 0.0:
        denom = float(scale) + atol / tol
        if denom <= 0.0 or res > 1e300 * denom:
            return np.inf
        return float(res) / denom
    return 0.0 if res <= atol else np.inf


def as_operator(K, name):
    """Validate an operator argument (matrix, sparse matrix, scipy operator)."""
    if K is None:
        raise TypeError(f"{name} must be a matrix or a LinearOperator, got None")
    if isinstance(K, (str, bytes, int, float, complex)):
        raise TypeError(
            f"{name} must be a matrix or a LinearOperator, got {type(K).__name__}"
        )
    try:
        return aslinearoperator(K)
    except (TypeError, ValueError) as exc:
        msg = str(exc)
        if msg.startswith("A ") and name != "A":
            msg = name + msg[1:]
        elif not msg.startswith(name):
            msg = f"{name}: {msg}"
        raise type(exc)(msg) from exc


def apply(op, x):
    """``op @ x`` for ``x`` of shape ``op.ishape``, without re-validation.

    The solvers keep their iterates in the operators' structured shapes and
    call the operator kernels directly; the result has shape ``op.oshape``.
    """
    return op._matvec(x).reshape(op.oshape)


def apply_adjoint(op, y):
    """``op.H @ y`` for ``y`` of shape ``op.oshape``, without re-validation."""
    return op._rmatvec(y).reshape(op.ishape)


def check_vector(x, name, shape=None, *, allow_complex=True):
    """Validate an array and, when ``shape`` is given, its size against it.

    ``x`` may have the structured shape ``shape`` or be flat with
    ``prod(shape)`` entries; it is returned in the form it was given.
    """
    arr = check_array_arg(x, name, allow_complex=allow_complex, min_size=0)
    if shape is not None:
        shape = tuple(shape)
        n = prod(shape)
        if arr.shape != shape and arr.shape != (n,):
            want = f"{shape}" if len(shape) == 1 else f"{shape} or ({n},)"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    return arr


def check_prox(p, name, *, conjugate=False):
    """Validate a prox argument: ``None`` means the zero function."""
    if p is None:
        return Zero()
    if not callable(getattr(p, "prox", None)):
        raise TypeError(
            f"{name} must be a Prox (an object with a prox(x, step) method), "
            f"got {type(p).__name__}"
        )
    if conjugate and not callable(getattr(p, "prox_conjugate", None)):
        raise TypeError(
            f"{name} must provide prox_conjugate(x, step) (subclass Prox to get "
            f"it from the Moreau identity), got {type(p).__name__}"
        )
    return p


def check_smooth(f, name="smooth"):
    """Validate a smooth term: an object with ``value(x)`` and ``grad(x)``."""
    for attr in ("value", "grad"):
        if not callable(getattr(f, attr, None)):
            raise TypeError(
                f"{name} must have value(x) and grad(x) methods (e.g. "
                f"LeastSquares), got {type(f).__name__} without {attr}()"
            )
    return f


def check_callback(callback):
    """Validate a callback (``None`` or a callable)."""
    if callback is not None and not callable(callback):
        raise TypeError(
            f"callback must be callable or None, got {type(callback).__name__}"
        )
    return callback


def ishape_of(obj):
    """Input shape of an operator-backed object, or ``None`` when unknown."""
    if isinstance(obj, LinearOperator):
        return obj.ishape
    op = getattr(obj, "A", None)
    if isinstance(op, LinearOperator):
        return op.ishape
    shape = getattr(obj, "ishape", None)
    return None if shape is None else tuple(shape)
