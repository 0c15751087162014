"""Input validation shared by every public entry point.

Each helper raises a :class:`ValueError` or :class:`TypeError` whose message
names the offending argument, what was expected and what was given.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "check_array_arg",
    "check_choice",
    "check_max_iter",
    "check_positive",
    "check_random_state",
    "check_scalar_arg",
    "check_tol",
    "float_dtype",
]


def float_dtype(*arrays, allow_complex=True):
    """Floating dtype to compute in: float32 if every input is float32.

    Integer and boolean inputs promote to float64; complex inputs keep their
    precision (complex64 or complex128) when ``allow_complex`` is true.

    Parameters
    ----------
    *arrays : array_like
        The inputs of the computation.
    allow_complex : bool, default=True
        Whether complex inputs are accepted; if false they raise ``TypeError``.

    Returns
    -------
    numpy.dtype
        float32, float64, complex64 or complex128.

    Examples
    --------
    >>> float_dtype(np.ones(2, np.float32))
    dtype('float32')
    >>> float_dtype(np.ones(2, np.float32), np.ones(2))
    dtype('float64')
    >>> float_dtype(np.ones(2, np.complex64))
    dtype('complex64')
    """
    dt = np.result_type(*[np.asarray(a).dtype for a in arrays])
    if np.issubdtype(dt, np.complexfloating):
        if not allow_complex:
            raise TypeError("complex input is not supported here")
        return np.dtype(np.complex64) if dt == np.complex64 else np.dtype(np.complex128)
    if dt == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_array_arg(
    x,
    name,
    *,
    ndim=None,
    shape=None,
    dtype="float",
    allow_complex=True,
    finite=True,
    copy=False,
    min_size=1,
):
    """Validate an array argument and convert it to a floating array.

    Parameters
    ----------
    x : array_like
        The argument.
    name : str
        Its name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.
    dtype : {"float", None} or dtype
        ``"float"`` converts to float32/float64/complex (see
        :func:`float_dtype`); ``None`` keeps the dtype (numeric only); any
        other value is passed to :func:`numpy.asarray`.
    allow_complex : bool
        Whether complex input is accepted.
    finite : bool
        Reject NaN and infinite entries.
    copy : bool
        Return a copy even when no conversion is needed.
    min_size : int
        Minimum number of entries.

    Returns
    -------
    ndarray
        The validated array.

    Examples
    --------
    >>> check_array_arg([1, 2], "x")
    array([1., 2.])
    >>> check_array_arg([np.nan], "x")
    Traceback (most recent call last):
    ...
    ValueError: x contains NaN or infinite values
    """
    if x is None:
        raise TypeError(f"{name} must be an array, got None")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr) and not allow_complex:
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if dtype == "float":
        arr = np.asarray(arr, dtype=float_dtype(arr, allow_complex=allow_complex))
    elif dtype is not None:
        arr = np.asarray(arr, dtype=dtype)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(
                f"{name} must be {want}-dimensional, got shape {arr.shape}"
            )
    if shape is not None:
        if len(shape) != arr.ndim or any(
            s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)
        ):
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(
            f"{name} must have at least {min_size} entries, got {arr.size}"
        )
    inexact = np.issubdtype(arr.dtype, np.inexact)
    if finite and inexact and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if copy and np.shares_memory(arr, np.asarray(x)):
        arr = arr.copy()
    return arr


def check_scalar_arg(
    value,
    name,
    *,
    lower=None,
    upper=None,
    lower_inclusive=True,
    upper_inclusive=True,
    integer=False,
):
    """Validate a real scalar argument against bounds.

    Parameters
    ----------
    value : object
        The value to check (``bool`` is rejected).
    name : str
        Argument name used in error messages.
    lower, upper : float or None, default=None
        Bounds; ``None`` means unbounded on that side.
    lower_inclusive, upper_inclusive : bool, default=True
        Whether the bounds themselves are allowed.
    integer : bool, default=False
        Require an integer instead of a finite real.

    Returns
    -------
    float or int
        ``value`` as a Python ``float`` (``int`` when ``integer``).

    Raises
    ------
    TypeError
        If ``value`` is not a real number (an integer when ``integer``).
    ValueError
        If it is not finite or lies outside the bounds.

    Examples
    --------
    >>> check_scalar_arg(0.5, "p", lower=0, upper=1, lower_inclusive=False)
    0.5
    >>> check_scalar_arg(-1, "reg", lower=0, lower_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: reg must be > 0, got -1
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        want = "an int" if integer else "a real number"
        raise TypeError(f"{name} must be {want}, got {type(value).__name__}")
    if not integer:
        try:  # Python ints beyond float64 (10**400) overflow here
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(f"{name} must be finite, got {value!r}")
    if lower is not None:
        bad = value < lower if lower_inclusive else value <= lower
        if bad:
            op = ">=" if lower_inclusive else ">"
            raise ValueError(f"{name} must be {op} {lower}, got {value!r}")
    if upper is not None:
        bad = value > upper if upper_inclusive else value >= upper
        if bad:
            op = "<=" if upper_inclusive else "<"
            raise ValueError(f"{name} must be {op} {upper}, got {value!r}")
    return int(value) if integer else float(value)


def check_positive(value, name):
    """Validate a strictly positive finite real (e.g. a regularization).

    Parameters
    ----------
    value : float
        The value to check.
    name : str
        Argument name used in error messages.

    Returns
    -------
    float
        ``value`` as a Python float.

    Examples
    --------
    >>> check_positive(2, "reg")
    2.0
    """
    return check_scalar_arg(value, name, lower=0, lower_inclusive=False)


def check_choice(name, value, choices):
    """Validate that ``value`` is one of ``choices``.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    value : object
        The value to check.
    choices : sequence
        The allowed values.

    Returns
    -------
    object
        ``value`` unchanged.

    Examples
    --------
    >>> check_choice("method", "svd", ("svd", "am"))
    'svd'
    """
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {opts}; got {value!r}")
    return value


def check_max_iter(max_iter):
    """Validate an iteration budget (a non-negative integer).

    Parameters
    ----------
    max_iter : int
        The budget to check.

    Returns
    -------
    int
        ``max_iter`` as a Python int.

    Examples
    --------
    >>> check_max_iter(100)
    100
    """
    return check_scalar_arg(max_iter, "max_iter", lower=0, integer=True)


def check_tol(tol):
    """Validate a tolerance (a finite, non-negative real).

    Parameters
    ----------
    tol : float
        The tolerance to check.

    Returns
    -------
    float
        ``tol`` as a Python float.

    Examples
    --------
    >>> check_tol(1e-6)
    1e-06
    """
    return check_scalar_arg(tol, "tol", lower=0)
