"""Fast Walsh-Hadamard transform of dense arrays (natural / Sylvester order)."""

from __future__ import annotations

import operator
from math import prod, sqrt

import numpy as np

from ..utils.validation import check_array_arg, check_choice
from . import _kernels

__all__ = ["fwht", "fwht_inplace"]

_NORMALIZE = (None, "ortho", "inverse")


def _check_axis(axis, ndim):
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"axis must be an int, got {type(axis).__name__}") from None
    if not -ndim <= ax < ndim:
        raise ValueError(
            f"axis {axis} is out of bounds for x with {ndim} dimension(s)"
        )
    return ax % ndim


def _check_length(shape, ax, axis):
    n = shape[ax]
    if n < 1 or n & (n - 1):
        raise ValueError(
            f"x must have a power-of-two length along axis {axis}, got {n}"
        )
    return n


def _scale(normalize, n):
    normalize = check_choice("normalize", normalize, _NORMALIZE)
    if normalize == "ortho":
        return 1.0 / sqrt(n)
    if normalize == "inverse":
        return 1.0 / n
    return 1.0


def _shape3(shape, ax):
    """``(pre, N, post)``: the shape as batch-before, axis, batch-after."""
    return prod(shape[:ax]), shape[ax], prod(shape[ax + 1 :])


def _transform(src, buf, ax, scale):
    """``buf[...] = scale * H src`` along ``ax``.

    ``buf`` is a C-contiguous float array and ``src`` a real array of the same
    shape (it may be ``buf``). Returns whether every output at index 0 along
    ``ax`` is finite (see :func:`sparserecovery.wht._kernels.fwht_rows`).
    """
    if buf.size == 0:
        return True
    pre, n, post = _shape3(buf.shape, ax)
    factor = buf.dtype.type(scale)
    if post == 1:
        rows = buf.reshape(pre, n)
        if src is buf:
            return _kernels.fwht_rows(rows, rows, scale != 1.0, factor)
        fused = src.dtype == buf.dtype and src.flags.c_contiguous
        # (A read-only src would cost a numba specialization of its own.)
        if fused and src.flags.writeable:
            # The kernel copies (and scales) block by block as it transforms.
            return _kernels.fwht_rows(rows, src.reshape(pre, n), True, factor)
        np.copyto(buf, src)
        return _kernels.fwht_rows(rows, rows, scale != 1.0, factor)
    if scale == 1.0:
        np.copyto(buf, src)
    else:
        np.multiply(src, factor, out=buf)
    return _kernels.fwht_strided_rows(buf.reshape(pre, n * post), post)


_FAST_DTYPES = tuple(
    np.dtype(t) for t in (np.float64, np.float32, np.complex128, np.complex64)
)


def _as_float_array(x):
    """``x`` as a native-byte-order float or complex array (checked)."""
    if type(x) is np.ndarray and x.dtype in _FAST_DTYPES:
        return x
    arr = check_array_arg(x, "x", dtype="float", finite=False, min_size=0)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def fwht(x, axis=-1, normalize=None, *, out=None):
    """Fast Walsh-Hadamard transform along one axis, in natural order.

    Computes ``H_N @ x`` along ``axis``, where ``H_N`` is the Sylvester
    Hadamard matrix (``scipy.linalg.hadamard(N)``, entries ``+-1``,
    ``H_N[i, j] = (-1) ** popcount(i & j)``), in ``O(N log N)`` operations.

    Parameters
    ----------
    x : array_like
        Input array. Integer and boolean input is converted to float64;
        float32 (and complex64) input stays in single precision, other
        floating types compute in float64 (complex128). Complex input is
        transformed as real and imaginary parts. ``x`` is never modified
        (unless ``out`` is ``x``).
    axis : int, default=-1
        Axis along which to transform; its length ``N`` must be a power of
        two (1, 2, 4, ...). The other axes are batch axes.
    normalize : {None, "ortho", "inverse"}, default=None
        Scaling: ``None`` gives ``H_N x``; ``"ortho"`` gives
        ``H_N x / sqrt(N)`` (orthonormal, so the transform is its own
        inverse); ``"inverse"`` gives ``H_N x / N``, the inverse of the
        unnormalized transform.
    out : ndarray, optional
        Array of the shape of ``x`` and the result dtype to write into. It
        may be ``x`` itself (an in-place transform). If a ``ValueError`` is
        raised for non-finite input, its contents are unspecified.

    Returns
    -------
    ndarray
        The transform, of the shape of ``x`` (``out`` when given).

    Raises
    ------
    TypeError
        If ``x`` is not numeric, ``axis`` is not an integer, or ``out`` has
        the wrong type or dtype.
    ValueError
        If the length along ``axis`` is not a power of two (or is 0), ``x``
        is 0-dimensional or contains NaN or infinite values, ``normalize`` is
        not one of the choices, or ``out`` has the wrong shape or is
        read-only.

    See Also
    --------
    fwht_inplace : Transform a contiguous float array in place.
    sparserecovery.operators.Hadamard : The transform as a linear operator.

    Notes
    -----
    The kernels (``sparserecovery.wht._kernels``) group the butterfly levels
    into radix-8 passes and block them for the L1 and L2 caches; on one core
    they run at about the speed of the SIMD C++ library ``fht-cpu``
    (``benchmarks/suite_fwht.py``).

    Examples
    --------
    >>> fwht([1.0, 0.0, 0.0, 0.0])
    array([1., 1., 1., 1.])
    >>> fwht([1, 2, 3, 4])
    array([10., -2., -4.,  0.])
    >>> from scipy.linalg import hadamard
    >>> x = np.arange(8.0)
    >>> np.allclose(fwht(x), hadamard(8) @ x)
    True
    >>> np.allclose(fwht(fwht(x, normalize="ortho"), normalize="ortho"), x)
    True

    Batches: each column of a 2-D array along ``axis=0``.

    >>> fwht(np.eye(4), axis=0)
    array([[ 1.,  1.,  1.,  1.],
           [ 1., -1.,  1., -1.],
           [ 1.,  1., -1., -1.],
           [ 1., -1., -1.,  1.]])
    """
    arr = _as_float_array(x)
    if arr.ndim == 0:
        raise ValueError("x must be at least 1-dimensional, got a scalar")
    ax = _check_axis(axis, arr.ndim)
    n = _check_length(arr.shape, ax, axis)
    scale = _scale(normalize, n)
    dt = arr.dtype

    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
        if out.shape != arr.shape:
            raise ValueError(f"out must have shape {arr.shape}, got {out.shape}")
        if out.dtype != dt:
            raise TypeError(f"out must have dtype {dt}, got {out.dtype}")
        if not out.flags.writeable:
            raise ValueError("out must be writeable")
        if np.may_share_memory(out, arr):
            # Checked before writing: the input is about to be overwritten.
            if not np.isfinite(arr).all():
                raise ValueError("x contains NaN or infinite values")
            same = (
                out.__array_interface__["data"][0]
                == arr.__array_interface__["data"][0]
                and out.strides == arr.strides
            )
            arr = out if same else arr.copy()

    if np.iscomplexobj(arr):
        real = np.empty(arr.shape, dtype=arr.real.dtype)
        imag = np.empty(arr.shape, dtype=arr.real.dtype)
        finite = _transform(arr.real, real, ax, scale)
        finite &= _transform(arr.imag, imag, ax, scale)
        if not finite and not np.isfinite(arr).all():
            raise ValueError("x contains NaN or infinite values")
        result = np.empty(arr.shape, dtype=dt) if out is None else out
        result.real = real
        result.imag = imag
        return result

    if out is not None and out.flags.c_contiguous:
        buf = out
    else:
        buf = np.empty(arr.shape, dtype=dt)
    # A non-finite output at index 0 is how a non-finite input shows (row 0
    # of H is all ones); the full check runs only then.
    if not _transform(arr, buf, ax, scale) and not np.isfinite(arr).all():
        raise ValueError("x contains NaN or infinite values")
    if out is not None and buf is not out:
        out[...] = buf
        return out
    return buf


def fwht_inplace(x, axis=-1, normalize=None, *, check_finite=True):
    """Fast Walsh-Hadamard transform that overwrites its input.

    The same transform as :func:`fwht` without allocating: ``x`` is replaced
    by its transform and returned.

    Parameters
    ----------
    x : ndarray
        C-contiguous, writeable array of dtype float32 or float64. It is
        **modified in place**.
    axis : int, default=-1
        Axis along which to transform (its length must be a power of two).
    normalize : {None, "ortho", "inverse"}, default=None
        Scaling, as in :func:`fwht`.
    check_finite : bool, default=True
        Check that ``x`` holds no NaN or infinite values before transforming
        (one extra read of ``x``). Without the check such values spread
        through the output.

    Returns
    -------
    ndarray
        ``x``, transformed.

    Raises
    ------
    TypeError
        If ``x`` is not a float32/float64 ndarray or ``axis`` not an integer.
    ValueError
        If ``x`` is not C-contiguous or not writeable, the length along
        ``axis`` is not a power of two, ``normalize`` is not one of the
        choices, or (with ``check_finite``) ``x`` has NaN or infinite values.

    See Also
    --------
    fwht : The transform without modifying its input.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 3.0, 4.0])
    >>> y = fwht_inplace(x)
    >>> y is x, x
    (True, array([10., -2., -4.,  0.]))
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"x must have dtype float32 or float64, got {x.dtype}")
    if x.ndim == 0:
        raise ValueError("x must be at least 1-dimensional, got a scalar")
    if not x.flags.c_contiguous:
        raise ValueError(
            "x must be C-contiguous; use fwht(x) or np.ascontiguousarray(x)"
        )
    if not x.flags.writeable:
        raise ValueError("x must be writeable")
    ax = _check_axis(axis, x.ndim)
    n = _check_length(x.shape, ax, axis)
    scale = _scale(normalize, n)
    if check_finite and x.size and not _kernels.all_finite(x.reshape(-1)):
        raise ValueError("x contains NaN or infinite values")
    _transform(x, x, ax, scale)
    return x
