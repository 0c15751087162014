"""The 2-D parallel-beam Radon transform as a matrix-free operator."""

from __future__ import annotations

import numbers
from contextlib import contextmanager

import numba
import numpy as np

from ..operators import LinearOperator
from ..utils.validation import check_array_arg, check_choice, check_scalar_arg
from . import _kernels_ct as _k

__all__ = ["Radon", "check_angles", "uniform_angles"]


#: Below this many (pixel, view) pairs a projection runs on one thread: the
#: start-up cost of a parallel region outweighs the work, badly so on a
#: loaded machine.
PARALLEL_MIN_WORK = 1 << 20


@contextmanager
def _threads_for(work):
    """Run a kernel on one thread when ``work`` is small."""
    n = numba.get_num_threads()
    if n == 1 or work >= PARALLEL_MIN_WORK:
        yield
        return
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(n)


def uniform_angles(n_views, arc=np.pi):
    """``n_views`` equally spaced view angles in ``[0, arc)`` (radians).

    Parameters
    ----------
    n_views : int
        Number of views (projections).
    arc : float, default=pi
        Angular range covered; ``pi`` is a full parallel-beam scan.

    Returns
    -------
    ndarray of shape (n_views,)
        The angles in radians.

    Examples
    --------
    >>> np.degrees(uniform_angles(4))
    array([  0.,  45.,  90., 135.])
    """
    n_views = check_scalar_arg(n_views, "n_views", lower=1, integer=True)
    arc = check_scalar_arg(arc, "arc", lower=0, lower_inclusive=False)
    return np.arange(n_views) * (arc / n_views)


def check_angles(angles, name="angles"):
    """Validate view angles: an int (uniform over ``[0, pi)``) or radians.

    Parameters
    ----------
    angles : int or array_like of float
        Number of equally spaced views, or the view angles in radians.
    name : str
        Name used in error messages.

    Returns
    -------
    ndarray of shape (n_views,), float64
        The angles in radians.

    Examples
    --------
    >>> check_angles(2)
    array([0.        , 1.57079633])
    >>> check_angles([[0.0, 1.0]])
    Traceback (most recent call last):
    ...
    ValueError: angles must be an int or a 1-D array of radians, got shape (1, 2)
    """
    if isinstance(angles, numbers.Integral) and not isinstance(angles, bool):
        if angles < 1:
            raise ValueError(f"{name} must be >= 1 when given as a count, got {angles}")
        return uniform_angles(int(angles))
    arr = check_array_arg(angles, name, allow_complex=False, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be an int or a 1-D array of radians, got shape {arr.shape}"
        )
    return arr


#: Weight tables up to this size (bytes) are computed once per operator and
#: kept; larger ones are recomputed view chunk by view chunk at every
#: application, in chunks of at most ``TABLE_CHUNK_BYTES``.
TABLE_MAX_BYTES = 1 << 30
TABLE_CHUNK_BYTES = 32 << 20


def check_image_shape(shape):
    """``(ny, nx)`` or ``(n_slices, ny, nx)`` of positive ints (an int: square)."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape), int(shape))
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"shape must be (ny, nx) or (n_slices, ny, nx), got {shape!r}"
        ) from exc
    if len(shape) not in (2, 3) or any(s < 1 for s in shape):
        raise ValueError(
            f"shape must be (ny, nx) or (n_slices, ny, nx) with positive "
            f"lengths, got {shape}"
        )
    return shape


class _Projector(LinearOperator):
    """Shared machinery of the table-driven projectors (parallel and fan beam).

    Subclasses set ``image_shape``, ``n_slices``, ``n_views``,
    ``n_detectors``, ``_cosb``, ``_sinb`` and ``_geom`` (the arguments of
    :func:`~sparserecovery.imaging._kernels_ct.footprint_table` after the
    view arrays) and ``_nbins`` (bins a pixel's footprint can touch), then
    call :meth:`_init_tables`.
    """

    def _init_tables(self, precompute):
        if precompute not in ("auto", True, False):
            raise ValueError(
                f"precompute must be 'auto', True or False, got {precompute!r}"
            )
        ny, nx = self.image_shape
        self._pair_bytes = 4 + self._nbins * np.dtype(self.dtype).itemsize
        nbytes = self.n_views * ny * nx * self._pair_bytes
        self.precompute = precompute
        self._keep = precompute is True or (
            precompute == "auto" and nbytes <= TABLE_MAX_BYTES
        )
        self._tables = None

    @property
    def table_nbytes(self):
        """Memory of the weight table of all views (kept when ``precompute``)."""
        ny, nx = self.image_shape
        return self.n_views * ny * nx * self._pair_bytes

    def _build(self, a0, a1):
        ny, nx = self.image_shape
        na = a1 - a0
        kk = np.empty((na, ny, nx), dtype=np.int32)
        ww = np.empty((na, ny, nx, self._nbins), dtype=self.dtype)
        with _threads_for(na * ny * nx):
            _k.footprint_table(
                self._cosb[a0:a1], self._sinb[a0:a1], *self._geom, kk, ww
            )
        return kk, ww

    def _chunks(self):
        """``(a0, kk, ww)`` for the views ``a0 ..``, all of them or in chunks."""
        if self._keep:
            if self._tables is None:
                self._tables = self._build(0, self.n_views)
            yield (0,) + self._tables
            return
        ny, nx = self.image_shape
        step = max(1, TABLE_CHUNK_BYTES // (ny * nx * self._pair_bytes))
        for a0 in range(0, self.n_views, step):
            yield (a0,) + self._build(a0, min(a0 + step, self.n_views))

    def _work_dtype(self, x):
        return np.result_type(x.dtype, self.dtype)

    def _backprojection_input(self, sinogram, weights):
        """Checked ``(sino, w, out)`` of a pixel-driven back-projection."""
        sino = check_array_arg(sinogram, "sinogram", allow_complex=False)
        if sino.shape != self.oshape:
            raise ValueError(
                f"sinogram must have shape {self.oshape}, got {sino.shape}"
            )
        w = np.ones(self.n_views) if weights is None else np.asarray(weights, float)
        if w.shape != (self.n_views,):
            raise ValueError(
                f"weights must have shape ({self.n_views},), got {w.shape}"
            )
        dt = self._work_dtype(sino)
        sino = np.ascontiguousarray(sino, dtype=dt).reshape(
            (-1, self.n_views, self.n_detectors)
        )
        out = np.empty((sino.shape[0],) + self.image_shape, dtype=dt)
        return sino, w, out

    def _matvec(self, x):
        if np.iscomplexobj(x):
            return self._matvec(x.real) + 1j * self._matvec(x.imag)
        dt = self._work_dtype(x)
        img = np.ascontiguousarray(x, dtype=dt).reshape((-1,) + self.image_shape)
        out = np.zeros((img.shape[0], self.n_views, self.n_detectors), dtype=dt)
        for a0, kk, ww in self._chunks():
            with _threads_for(img.size * kk.shape[0]):
                _k.table_forward(img, out, kk, ww, a0)
        return out.reshape(self.oshape)

    def _rmatvec(self, y):
        if np.iscomplexobj(y):
            return self._rmatvec(y.real) + 1j * self._rmatvec(y.imag)
        dt = self._work_dtype(y)
        sino = np.ascontiguousarray(y, dtype=dt).reshape(
            (-1, self.n_views, self.n_detectors)
        )
        out = np.empty((sino.shape[0],) + self.image_shape, dtype=dt)
        for a0, kk, ww in self._chunks():
            with _threads_for(out.size * kk.shape[0]):
                _k.table_adjoint(sino, out, kk, ww, a0, a0 > 0)
        return out.reshape(self.ishape)

    def subset(self, views):
        """The same geometry restricted to some views.

        Parameters
        ----------
        views : array_like of int or slice
            Indices of the views to keep.

        Returns
        -------
        Radon or FanBeam
            An operator of the same class.

        Examples
        --------
        >>> from sparserecovery.imaging import Radon
        >>> Radon((8, 8), angles=6).subset([0, 3]).n_views
        2
        """
        shape = self.image_shape if self.n_slices is None else self.ishape
        sub = type(self)(shape, self.angles[views], **self._kwargs())
        return self._subset_tables(sub, views)

    def with_slices(self, n_slices):
        """The same geometry for a volume of ``n_slices`` slices (None: 2-D)."""
        shape = self.image_shape if n_slices is None else (n_slices,) + self.image_shape
        other = type(self)(shape, self.angles, **self._kwargs())
        other._tables = self._tables  # the weights do not depend on the slices
        return other

    def _subset_tables(self, other, views):
        """Hand the kept tables of ``views`` to ``other`` (a subset operator)."""
        if self._tables is not None and other._keep:
            idx = np.arange(self.n_views)[views]
            other._tables = tuple(np.ascontiguousarray(t[idx]) for t in self._tables)
        return other


class Radon(_Projector):
    r"""2-D parallel-beam Radon transform with an exact adjoint, batched over slices.

    Maps an image of shape ``(ny, nx)`` (or a volume ``(n_slices, ny, nx)``,
    projected slice by slice) to a sinogram of shape ``(n_views,
    n_detectors)`` (or ``(n_slices, n_views, n_detectors)``). Pixels are unit
    squares; each detector bin records the line integral of the image
    averaged over a strip of width ``detector_spacing`` (the exact footprint
    of every pixel, a trapezoid, is integrated over the bin). The forward
    projection and the adjoint use the same weights, so ``<A x, y> = <x,
    A^T y>`` holds to rounding for every size and angle set. Both run in
    numba kernels, in parallel over (slice, view) pairs and (slice, image
    row) pairs.

    Parameters
    ----------
    shape : tuple of int
        ``(ny, nx)`` for one image or ``(n_slices, ny, nx)`` for a volume.
    angles : int or array_like of float
        View angles in radians (any set, any order, repeats allowed), or a
        number of views equally spaced over ``[0, pi)``.
    n_detectors : int, optional
        Number of detector bins. Default ``max(ny, nx)``: the detector spans
        the image width, so the scanned field of view is the inscribed
        disc (the convention of scikit-image's ``radon(circle=True)``). Use
        ``ceil(hypot(ny, nx))`` to cover the whole image.
    detector_spacing : float, default=1.0
        Width of a detector bin, in pixel widths.
    center : {"geometric", "pixel"}, default="geometric"
        Rotation axis. ``"geometric"``: the centre of the pixel grid, seen
        by the middle of the detector. ``"pixel"``: the centre of pixel
        ``(ny // 2, nx // 2)``, seen by the middle of bin ``n_detectors //
        2``; this matches scikit-image's ``radon`` (whose sinogram is the
        transpose of ours).
    dtype : {float64, float32}, default=float64
        Nominal dtype; float32 images give float32 sinograms. The weight
        table is stored in this dtype (float32 halves its memory).
    precompute : {"auto", True, False}, default="auto"
        Keep the table of projection weights (an int32 bin index and
        ``nbins`` weights per pixel and view, :attr:`table_nbytes` bytes)
        after the first application, so that every later one only reads
        it. ``"auto"``: when it takes at most ``TABLE_MAX_BYTES`` (1 GiB);
        otherwise the weights are computed on the fly at every application
        (the same weights: both ways, forward and adjoint agree exactly).

    Attributes
    ----------
    angles : ndarray of shape (n_views,)
        The view angles in radians.
    n_views, n_detectors : int
        Sinogram size.
    image_shape : tuple of int
        ``(ny, nx)``.
    n_slices : int or None
        Number of slices (``None`` for a single image).

    Notes
    -----
    Coordinates: the ``x`` axis runs along the columns (to the right) and
    the ``y`` axis along the rows upwards (towards row 0); view ``theta``
    integrates along the direction ``(-sin theta, cos theta)`` and bins the
    coordinate ``s = x cos theta + y sin theta``, so at ``theta = 0`` each
    detector bin sums one image column. Sinogram values are in units of
    pixel widths (multiply by the physical pixel size for physical line
    integrals).

    The forward projection and the adjoint read the same weight table, so
    they are exact transposes of each other whether or not it is kept.

    Examples
    --------
    >>> A = Radon((4, 4), angles=[0.0, np.pi / 2])
    >>> x = np.zeros((4, 4)); x[0, 3] = 1.0   # top-right pixel
    >>> A @ x                               # column 3, then the top row
    array([[0., 0., 0., 1.],
           [0., 0., 0., 1.]])
    >>> from sparserecovery.operators import dottest
    >>> dottest(Radon((9, 7), angles=5, n_detectors=13), random_state=0) < 1e-12
    True
    """

    def __init__(
        self, shape, angles, *, n_detectors=None, detector_spacing=1.0,
        center="geometric", dtype=np.float64, precompute="auto",
    ):
        shape = check_image_shape(shape)
        self.angles = check_angles(angles)
        self.image_shape = shape[-2:]
        self.n_slices = shape[0] if len(shape) == 3 else None
        ny, nx = self.image_shape
        if n_detectors is None:
            n_detectors = max(ny, nx)
        self.n_detectors = check_scalar_arg(
            n_detectors, "n_detectors", lower=1, integer=True
        )
        self.detector_spacing = check_scalar_arg(
            detector_spacing, "detector_spacing", lower=0, lower_inclusive=False
        )
        self.center = check_choice("center", center, ("geometric", "pixel"))
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        self.n_views = self.angles.size
        oshape = (self.n_views, self.n_detectors)
        if self.n_slices is not None:
            oshape = (self.n_slices,) + oshape
        super().__init__(shape, oshape, dtype)
        self._setup()
        self._init_tables(precompute)

    # ---------------------------------------------------------------- setup
    def _setup(self):
        ny, nx = self.image_shape
        nd = self.n_detectors
        if self.center == "geometric":
            self._cx, self._cy, self._cdet = (nx - 1) / 2, (ny - 1) / 2, (nd - 1) / 2
        else:
            self._cx, self._cy, self._cdet = float(nx // 2), float(ny // 2), nd // 2
        self._cdet = float(self._cdet)
        d = self.detector_spacing
        c, s = np.cos(self.angles), np.sin(self.angles)
        # snap rounding noise so that 0 and pi/2 give exact boxes
        c[np.abs(c) < 1e-15] = 0.0
        s[np.abs(s) < 1e-15] = 0.0
        ac, as_ = np.abs(c), np.abs(s)
        self._cs = c / d
        self._sn = s / d
        self._w1 = np.abs(ac - as_) / (2 * d)
        self._w2 = (ac + as_) / (2 * d)
        self._hh = 1.0 / (self._w1 + self._w2)
        gap = self._w2 - self._w1
        self._ir = np.divide(1.0, gap, out=np.zeros_like(gap), where=gap > 0)
        self._scale = 1.0 / d
        self._cosb, self._sinb = c, s
        self._geom = (0, 1.0 / d, self._cx, self._cy, self._cdet, 0.0, 0.0)
        # footprint half width <= (|cos| + |sin|) / (2 d): bins touched
        self._nbins = int(np.floor(2.0 * float(self._w2.max(initial=0.0)))) + 2

    def _kwargs(self):
        return {
            "n_detectors": self.n_detectors,
            "detector_spacing": self.detector_spacing,
            "center": self.center, "dtype": self.dtype,
            "precompute": self.precompute,
        }

    def refine(self, factor, precompute=None):
        """The same scan on a grid ``factor`` times finer (same field of view).

        Pixels and lengths are in the fine grid's units: its line integrals
        are ``factor`` times the coarse ones of the same object.
        ``precompute`` as in the constructor (default: this operator's).

        Examples
        --------
        >>> Radon((8, 8), 4).refine(2).detector_spacing
        2.0
        """
        factor = check_scalar_arg(factor, "factor", lower=1, integer=True)
        if factor > 1 and self.center != "geometric":
            raise ValueError("a finer grid needs center='geometric'")
        shape = tuple(factor * n for n in self.image_shape)
        if self.n_slices is not None:
            shape = (self.n_slices,) + shape
        return Radon(
            shape, self.angles, n_detectors=self.n_detectors,
            detector_spacing=self.detector_spacing * factor, center=self.center,
            dtype=self.dtype,
            precompute=self.precompute if precompute is None else precompute,
        )

    def fov_mask(self):
        """Pixels whose centre every view sees between its outer bin centres.

        Returns
        -------
        ndarray of bool, shape (ny, nx)

        Examples
        --------
        >>> int(Radon((5, 5), angles=4).fov_mask().sum())  # radius <= 2
        13
        """
        ny, nx = self.image_shape
        d = self.detector_spacing
        reach = min(self._cdet, self.n_detectors - 1 - self._cdet) * d
        y = self._cy - np.arange(ny)[:, None]
        x = np.arange(nx)[None, :] - self._cx
        return np.hypot(x, y) <= reach + 1e-9

    # ---------------------------------------------------------- application
    def _matvec(self, x):
        if self._keep or np.iscomplexobj(x):
            return super()._matvec(x)
        dt = self._work_dtype(x)
        img = np.ascontiguousarray(x, dtype=dt).reshape((-1,) + self.image_shape)
        out = np.zeros((img.shape[0], self.n_views, self.n_detectors), dtype=dt)
        with _threads_for(img.size * self.n_views):
            _k.radon_forward(img, out, *self._direct(), self._scale)
        return out.reshape(self.oshape)

    def _rmatvec(self, y):
        if self._keep or np.iscomplexobj(y):
            return super()._rmatvec(y)
        dt = self._work_dtype(y)
        sino = np.ascontiguousarray(y, dtype=dt).reshape(
            (-1, self.n_views, self.n_detectors)
        )
        out = np.empty((sino.shape[0],) + self.image_shape, dtype=dt)
        with _threads_for(out.size * self.n_views):
            _k.radon_adjoint(sino, out, *self._direct(), self._scale)
        return out.reshape(self.ishape)

    def _direct(self):
        """Per-view arguments of the on-the-fly kernels (no kept table)."""
        return (
            self._cs, self._sn, self._w1, self._w2, self._hh, self._ir,
            self._cx, self._cy, self._cdet,
        )

    def backproject(self, sinogram, weights=None):
        """Pixel-driven back-projection with linear interpolation (used by FBP).

        Unlike the adjoint (which spreads each bin over the pixels' exact
        footprints), this reads every view at the pixel centre by linear
        interpolation, the classical FBP back-projector.

        Parameters
        ----------
        sinogram : ndarray of shape ``oshape``
            The (filtered) sinogram.
        weights : array_like of shape (n_views,), optional
            Weight of each view (default 1).

        Returns
        -------
        ndarray of shape ``ishape``
        """
        sino, w, out = self._backprojection_input(sinogram, weights)
        with _threads_for(out.size * self.n_views):
            _k.backproject_linear(
                sino, out, self._cs, self._sn, w, self._cx, self._cy, self._cdet
            )
        return out.reshape(self.ishape)
