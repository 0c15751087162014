"""Cartesian MRI forward models: centred orthonormal FFT, sampling, SENSE.

Both operators keep k-space on the full Cartesian grid: unsampled positions
hold zeros, so the sampling mask is a real 0/1 diagonal and the operator
``P F`` (or ``P F S``) maps an image to an array of k-space's shape. The
centred transform is ``fftshift(fftn(ifftshift(x), norm="ortho"))``; for even
lengths it is computed without the two shifts, by a sign modulation of the
input and the output (a shift by half the length is a multiplication by
``(-1)**n`` on the other side of the transform), which is folded into the
mask so each application costs one FFT and two elementwise products.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from ..operators import LinearOperator
from ..utils.validation import check_array_arg

__all__ = ["FourierSampling", "Sense"]


def _normalize_axes(axes, ndim, name="axes"):
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{name} must be ints, got {a!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{name} entry {a} is out of range for {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out) or not out:
        raise ValueError(f"{name} must be distinct and non-empty, got {axes}")
    return tuple(sorted(out))


def _check_mask(mask, shape):
    """Validate a 0/1 sampling mask that broadcasts to ``shape``."""
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.dtype == object or not (
        np.issubdtype(m.dtype, np.number) or m.dtype == np.bool_
    ):
        raise TypeError(f"mask must be a boolean or 0/1 array, got dtype {m.dtype}")
    if np.iscomplexobj(m):
        raise TypeError("mask must be real (boolean or 0/1), got a complex array")
    if m.dtype != np.bool_:
        if not np.all(np.isfinite(m)):
            raise ValueError("mask contains NaN or infinite values")
        if not np.all((m == 0) | (m == 1)):
            raise ValueError("mask must hold only 0 and 1 (or booleans)")
        m = m != 0
    try:
        full = np.broadcast_shapes(m.shape, shape)
    except ValueError:
        full = None
    if full != tuple(shape):
        raise ValueError(
            f"mask has shape {m.shape}, which does not broadcast to the k-space "
            f"shape {tuple(shape)}"
        )
    if not m.any():
        raise ValueError("mask selects no k-space sample")
    return m


def _sign_vector(n):
    return np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


class _CenteredFFT:
    """Centred orthonormal FFT along ``axes`` of arrays of shape ``shape``.

    ``forward(x, weight)`` returns ``weight * Fc(x)`` and ``adjoint(y,
    weight)`` returns ``Fc^H(weight * y)`` for a real ``weight`` that
    broadcasts to ``shape`` (``None`` for none).
    """

    def __init__(self, shape, axes, workers, rdtype=np.float64):
        self.shape = tuple(shape)
        self.rdtype = np.dtype(rdtype)
        self.axes = tuple(axes)
        self.workers = workers
        self.even = all(self.shape[a] % 2 == 0 for a in self.axes)
        if self.even:
            # checkerboard c(n) = prod_a (-1)^{n_a}, broadcastable; the output
            # modulation also carries the global sign prod_a (-1)^{N_a / 2}.
            nd = len(self.shape)
            c = np.ones([1] * nd)
            for a in self.axes:
                s = [1] * nd
                s[a] = self.shape[a]
                c = c * _sign_vector(self.shape[a]).reshape(s)
            sign = np.prod([(-1.0) ** (self.shape[a] // 2) for a in self.axes])
            self.c_in = c.astype(self.rdtype)
            self.c_out = (c * sign).astype(self.rdtype)

    def weights(self, mask):
        """Output weights (mask times modulation) for the even case."""
        if not self.even:
            return None if mask is None else mask.astype(self.rdtype)
        if mask is None:
            return self.c_out
        return np.where(mask, self.c_out, 0.0).astype(self.rdtype)

    def forward(self, x, w):
        if self.even:
            y = sfft.fftn(
                x * self.c_in, axes=self.axes, norm="ortho", workers=self.workers,
                overwrite_x=True,
            )
            y *= w
            return y
        y = sfft.fftshift(
            sfft.fftn(
                sfft.ifftshift(x, axes=self.axes), axes=self.axes, norm="ortho",
                workers=self.workers,
            ),
            axes=self.axes,
        )
        if w is not None:
            y *= w
        return y

    def adjoint(self, y, w):
        if self.even:
            x = sfft.ifftn(
                y * w, axes=self.axes, norm="ortho", workers=self.workers,
                overwrite_x=True,
            )
            x *= self.c_in
            return x
        if w is not None:
            y = y * w
        return sfft.fftshift(
            sfft.ifftn(
                sfft.ifftshift(y, axes=self.axes), axes=self.axes, norm="ortho",
                workers=self.workers,
            ),
            axes=self.axes,
        )


def _complex_dtype(dtype):
    dt = np.dtype(dtype)
    if dt in (np.float32, np.complex64):
        return np.dtype(np.complex64)
    if dt in (np.float64, np.complex128):
        return np.dtype(np.complex128)
    raise TypeError(f"dtype must be a float or complex dtype, got {dt}")


def _real(dtype):
    return np.dtype(np.float32) if dtype == np.complex64 else np.dtype(np.float64)


def _check_workers(workers):
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)):
        raise TypeError(f"workers must be an int or None, got {workers!r}")
    if workers == 0:
        raise ValueError("workers must be a non-zero int (negative counts from "
                         "the number of CPUs), got 0")
    return int(workers)


class FourierSampling(LinearOperator):
    """Undersampled centred orthonormal Fourier transform (single coil).

    Maps an image ``x`` of shape ``shape`` to the k-space array
    ``mask * fftshift(fftn(ifftshift(x), axes, norm="ortho"))`` of the same
    shape (zeros where the mask is off). The transform is unitary, so with a
    0/1 mask ``||A|| = 1`` and ``A.H @ A`` is the orthogonal projection onto
    the sampled frequencies.

    Parameters
    ----------
    shape : tuple of int
        Image shape: ``(ny, nx)``, ``(nz, ny, nx)``, or ``(nt, ny, nx)`` for
        2-D + time (then ``axes=(-2, -1)``).
    mask : array_like of bool or 0/1, optional
        Sampling mask broadcasting to ``shape`` (e.g. ``(ny, nx)`` shared by
        every frame, ``(nt, ny, nx)`` per frame, or ``(ny, 1)`` for lines);
        default: fully sampled.
    axes : int or tuple of int, optional
        Axes to transform (default: all).
    workers : int, optional
        Threads for :mod:`scipy.fft` (default: scipy's setting, see
        :func:`scipy.fft.set_workers`).
    dtype : dtype, default=complex128
        ``complex64`` (or ``float32``) computes in single precision.

    Attributes
    ----------
    mask : ndarray of bool or None
        The validated mask.
    axes : tuple of int
        The transformed axes.

    See Also
    --------
    Sense : The multi-coil version with coil sensitivity maps.

    Examples
    --------
    >>> x = np.zeros((4, 4)); x[2, 2] = 1.0
    >>> F = FourierSampling((4, 4))
    >>> np.allclose(np.abs(F @ x), 0.25)
    True
    >>> mask = np.zeros((4, 4), bool); mask[1:3] = True
    >>> A = FourierSampling((4, 4), mask=mask)
    >>> y = A @ x
    >>> int(np.count_nonzero(y)), bool(np.allclose(A.H @ y, A.H @ (A @ (A.H @ y))))
    (8, True)
    """

    def __init__(self, shape, mask=None, axes=None, *, workers=None,
                 dtype=np.complex128):
        shape = tuple(int(s) for s in np.atleast_1d(shape))
        if len(shape) == 0 or any(s < 1 for s in shape):
            raise ValueError(f"shape must have positive lengths, got {shape}")
        self.axes = _normalize_axes(axes, len(shape))
        self.mask = _check_mask(mask, shape)
        self.workers = _check_workers(workers)
        dtype = _complex_dtype(dtype)
        self._fft = _CenteredFFT(shape, self.axes, self.workers, _real(dtype))
        self._w = self._fft.weights(self.mask)
        self._unit = self._fft.weights(None)
        super().__init__(shape, shape, dtype)

    def _cast(self, x):
        return x.astype(np.result_type(x.dtype, self.dtype), copy=False)

    def _matvec(self, x):
        return self._fft.forward(self._cast(x), self._w)

    def _rmatvec(self, y):
        return self._fft.adjoint(self._cast(y), self._w)

    def gram_inverse(self, x, rho):
        """Apply ``(rho I + A^H A)^{-1}`` (exact, one FFT pair).

        Parameters
        ----------
        x : ndarray of shape ``ishape``
            Right-hand side.
        rho : float
            Positive shift.

        Returns
        -------
        ndarray
            The solution of ``(rho I + A^H A) z = x``.
        """
        if rho <= 0:
            raise ValueError(f"rho must be > 0, got {rho!r}")
        k = self._fft.forward(self._cast(x), self._unit)
        if self.mask is None:
            k /= rho + 1.0
        else:
            k /= rho + self.mask.astype(k.real.dtype)
        return self._fft.adjoint(k, self._unit)


class Sense(LinearOperator):
    """Multi-coil Cartesian SENSE model ``y_c = P F (S_c x)``.

    Parameters
    ----------
    coil_maps : array_like of shape (n_coils,) + spatial shape
        Complex coil sensitivities. The image shape is ``spatial`` unless
        ``image_shape`` adds leading (e.g. time) dimensions over which the
        maps are shared.
    mask : array_like of bool or 0/1, optional
        Sampling mask broadcasting to the image shape (shared by the coils).
    image_shape : tuple of int, optional
        Image shape, ending with ``spatial`` (default: ``spatial``). For
        2-D + time data use ``(nt, ny, nx)`` with maps of shape
        ``(n_coils, ny, nx)``.
    workers : int, optional
        Threads for :mod:`scipy.fft`.
    dtype : dtype, optional
        Computation dtype (default: complex64 for single-precision maps,
        complex128 otherwise).

    Attributes
    ----------
    coil_maps : ndarray
        The maps, as a complex array.
    mask : ndarray of bool or None
        The validated mask.

    Notes
    -----
    The operator maps ``image_shape`` to ``(n_coils, *image_shape)``; the
    Fourier transform runs over the spatial axes only, in one batched call
    for all coils. With maps normalised so that ``sum_c |S_c|**2 <= 1``
    (see :func:`~sparserecovery.imaging.coil_maps`) its norm is at most 1.

    Examples
    --------
    >>> maps = np.ones((2, 4, 4)) / np.sqrt(2)
    >>> E = Sense(maps)
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> np.allclose(E.H @ (E @ x), x)
    True
    >>> E.oshape
    (2, 4, 4)
    """

    def __init__(self, coil_maps, mask=None, image_shape=None, *, workers=None,
                 dtype=None):
        maps = check_array_arg(coil_maps, "coil_maps", min_size=1)
        if maps.ndim < 2:
            raise ValueError(
                "coil_maps must have shape (n_coils, *spatial) with at least one "
                f"spatial dimension, got shape {maps.shape}"
            )
        spatial = maps.shape[1:]
        if image_shape is None:
            image_shape = spatial
        image_shape = tuple(int(s) for s in np.atleast_1d(image_shape))
        if image_shape[len(image_shape) - len(spatial):] != spatial:
            raise ValueError(
                f"image_shape {image_shape} must end with the coil maps' spatial "
                f"shape {spatial}"
            )
        if dtype is None:
            dtype = maps.dtype
        dtype = _complex_dtype(dtype)
        n_lead = len(image_shape) - len(spatial)
        # maps broadcast over leading (time) dimensions: (nc, 1.., *spatial)
        self.coil_maps = maps.astype(dtype)
        self._maps = self.coil_maps.reshape(
            (maps.shape[0],) + (1,) * n_lead + spatial
        )
        self._maps_conj = np.conj(self._maps)
        self.mask = _check_mask(mask, image_shape)
        self.workers = _check_workers(workers)
        oshape = (maps.shape[0],) + image_shape
        axes = tuple(range(1 + n_lead, len(oshape)))
        self._fft = _CenteredFFT(oshape, axes, self.workers, _real(dtype))
        self._w = self._fft.weights(self.mask)
        self.axes = tuple(a - 1 for a in axes)
        super().__init__(image_shape, oshape, dtype)

    @property
    def n_coils(self):
        """Number of coils."""
        return self.coil_maps.shape[0]

    def _matvec(self, x):
        return self._fft.forward(self._maps * x, self._w)

    def _rmatvec(self, y):
        y = y.astype(np.result_type(y.dtype, self.dtype), copy=False)
        z = self._fft.adjoint(y, self._w)
        z *= self._maps_conj
        return z.sum(axis=0)
