"""The 2-D fan-beam X-ray transform as a matrix-free operator."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..utils.validation import check_choice, check_scalar_arg
from . import _kernels_ct as _k
from ._radon import (
    _Projector,
    _threads_for,
    check_angles,
    check_image_shape,
    uniform_angles,
)

__all__ = ["FanBeam"]


class FanBeam(_Projector):
    r"""2-D fan-beam projector (flat or arc detector) with an exact adjoint.

    A point source circles the rotation centre (the centre of the pixel
    grid) at distance ``source_distance``; the detector faces it, its
    centre at distance ``detector_distance`` beyond the rotation centre.
    Maps an image ``(ny, nx)`` (or a volume ``(n_slices, ny, nx)``, slice by
    slice) to a sinogram ``(n_views, n_detectors)`` (or ``(n_slices,
    n_views, n_detectors)``) of bin-averaged line integrals in pixel units.
    Each pixel's footprint is its trapezoidal shadow across the ray through
    its centre, magnified onto the detector; the forward projection and the
    adjoint read the same table of weights, so ``<A x, y> = <x, A^T y>``
    holds to rounding. Numba kernels, parallel over (slice, view) and
    (slice, image row) pairs.

    Parameters
    ----------
    shape : tuple of int
        ``(ny, nx)`` for one image or ``(n_slices, ny, nx)`` for a volume.
    angles : int or array_like of float
        Source angles in radians (any set), or a number of views equally
        spaced over the full turn ``[0, 2 pi)``.
    source_distance : float
        Distance from the source to the rotation centre, in pixel widths;
        it must exceed half the image diagonal.
    detector_distance : float, default=0.0
        Distance from the rotation centre to the detector (0: a virtual
        detector through the rotation centre, where bins have their size
        in the object).
    n_detectors : int, optional
        Number of bins. Default: just enough for the fan of the inscribed
        disc of the image (the scanned field of view, as for
        :class:`Radon`).
    detector_spacing : float, default=1.0
        Width of a bin on the detector, in pixel widths (an arc length for
        ``detector="arc"``).
    detector : {"flat", "arc"}, default="flat"
        Flat panel (equispaced bins) or an arc centred on the source
        (equiangular bins).
    dtype : {float64, float32}, default=float64
        Nominal dtype; float32 images give float32 sinograms.
    precompute : {"auto", True, False}, default="auto"
        Keep the weight table after the first application (see
        :class:`Radon`).

    Attributes
    ----------
    angles : ndarray of shape (n_views,)
        Source angles in radians.
    n_views, n_detectors : int
        Sinogram size.
    image_shape : tuple of int
        ``(ny, nx)``.
    n_slices : int or None
        Number of slices (``None`` for a single image).
    fan_angle : float
        Angle (radians) between the rays to the outer bin centres.

    Notes
    -----
    Coordinates as in :class:`Radon`: at angle ``beta`` the central ray
    runs along ``(-sin beta, cos beta)`` from the source at ``R (sin beta,
    -cos beta)``; at ``beta = 0`` it points up the image columns, so a
    fan-beam view of a distant source approaches the parallel view at
    ``theta = 0``. Bin ``n_detectors // 2`` (the middle one) sees the
    central ray when ``n_detectors`` is odd; bins are centred on it.

    Examples
    --------
    >>> A = FanBeam((32, 32), 36, source_distance=64.0)
    >>> A.oshape, A.n_detectors
    ((36, 34), 34)
    >>> from sparserecovery.operators import dottest
    >>> dottest(A, random_state=0) < 1e-12
    True
    """

    def __init__(
        self, shape, angles, *, source_distance, detector_distance=0.0,
        n_detectors=None, detector_spacing=1.0, detector="flat", dtype=np.float64,
        precompute="auto",
    ):
        shape = check_image_shape(shape)
        if isinstance(angles, numbers.Integral) and not isinstance(angles, bool):
            if angles < 1:
                raise ValueError(
                    f"angles must be >= 1 when given as a count, got {angles}"
                )
            angles = uniform_angles(int(angles), arc=2 * np.pi)
        self.angles = check_angles(angles)
        self.image_shape = shape[-2:]
        self.n_slices = shape[0] if len(shape) == 3 else None
        ny, nx = self.image_shape
        half_diag = 0.5 * math.hypot(ny, nx)
        self.source_distance = check_scalar_arg(
            source_distance, "source_distance", lower=half_diag,
            lower_inclusive=False,
        )
        self.detector_distance = check_scalar_arg(
            detector_distance, "detector_distance", lower=0
        )
        self.detector_spacing = check_scalar_arg(
            detector_spacing, "detector_spacing", lower=0, lower_inclusive=False
        )
        self.detector = check_choice("detector", detector, ("flat", "arc"))
        big_r = self.source_distance
        big_rd = big_r + self.detector_distance
        d = self.detector_spacing
        if n_detectors is None:
            gam = math.asin(0.5 * max(ny, nx) / big_r)
            reach = big_rd * (math.tan(gam) if self.detector == "flat" else gam)
            n_detectors = max(1, int(math.ceil(2 * reach / d - 1e-9)))
        self.n_detectors = check_scalar_arg(
            n_detectors, "n_detectors", lower=1, integer=True
        )
        cdet = (self.n_detectors - 1) / 2
        if self.detector == "arc" and self.n_detectors * d >= np.pi * big_rd:
            raise ValueError(
                "an arc detector must span less than a half turn: "
                f"n_detectors * detector_spacing = {self.n_detectors * d:g} >= "
                f"pi * (source_distance + detector_distance) = {np.pi * big_rd:g}"
            )
        edge = cdet * d / big_rd
        self.fan_angle = 2 * (math.atan(edge) if self.detector == "flat" else edge)
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        self.n_views = self.angles.size
        oshape = (self.n_views, self.n_detectors)
        if self.n_slices is not None:
            oshape = (self.n_slices,) + oshape
        super().__init__(shape, oshape, dtype)

        self._cx, self._cy, self._cdet = (nx - 1) / 2, (ny - 1) / 2, cdet
        c, s = np.cos(self.angles), np.sin(self.angles)
        c[np.abs(c) < 1e-15] = 0.0
        s[np.abs(s) < 1e-15] = 0.0
        self._cosb, self._sinb = c, s
        self._code = 1 if self.detector == "flat" else 2
        self._geom = (
            self._code, 1.0 / d, self._cx, self._cy, cdet, big_r, big_rd,
        )
        # largest magnification over the pixel centres bounds the footprint
        r_c = math.hypot(self._cx, self._cy)
        depth = big_r - r_c
        if self.detector == "flat":
            m_max = big_rd / (depth * math.sqrt(1 - (r_c / big_r) ** 2)) / d
        else:
            m_max = big_rd / depth / d
        self._nbins = int(math.floor(2 * 0.70711 * m_max + 1e-9)) + 2
        self._init_tables(precompute)

    def _kwargs(self):
        return {
            "source_distance": self.source_distance,
            "detector_distance": self.detector_distance,
            "n_detectors": self.n_detectors,
            "detector_spacing": self.detector_spacing,
            "detector": self.detector, "dtype": self.dtype,
            "precompute": self.precompute,
        }

    def refine(self, factor, precompute=None):
        """The same scan on a grid ``factor`` times finer (same field of view).

        Lengths are in the fine grid's pixel widths; ``precompute`` as in
        the constructor (default: this operator's).

        Examples
        --------
        >>> FanBeam((8, 8), 4, source_distance=20.0).refine(2).source_distance
        40.0
        """
        factor = check_scalar_arg(factor, "factor", lower=1, integer=True)
        shape = tuple(factor * n for n in self.image_shape)
        if self.n_slices is not None:
            shape = (self.n_slices,) + shape
        kw = self._kwargs()
        for key in ("source_distance", "detector_distance", "detector_spacing"):
            kw[key] = kw[key] * factor
        if precompute is not None:
            kw["precompute"] = precompute
        return FanBeam(shape, self.angles, **kw)

    def fov_mask(self):
        """Pixels whose centre every view sees between its outer bin centres.

        Returns
        -------
        ndarray of bool, shape (ny, nx)

        Examples
        --------
        >>> m = FanBeam((16, 16), 8, source_distance=40.0).fov_mask()
        >>> bool(m[8, 8]), bool(m[0, 0])
        (True, False)
        """
        ny, nx = self.image_shape
        reach = self.source_distance * math.sin(0.5 * self.fan_angle)
        y = self._cy - np.arange(ny)[:, None]
        x = np.arange(nx)[None, :] - self._cx
        return np.hypot(x, y) <= reach + 1e-9

    def backproject(self, sinogram, weights=None):
        """Pixel-driven back-projection with FBP distance weights (for FBP).

        Reads every view at the ray through the pixel centre by linear
        interpolation and weights it by ``(R / s)^2`` (flat detector, ``s``
        the pixel's depth along the central ray) or ``(R / L)^2`` (arc
        detector, ``L`` the pixel's distance to the source).

        Parameters
        ----------
        sinogram : ndarray of shape ``oshape``
            The (weighted, filtered) sinogram.
        weights : array_like of shape (n_views,), optional
            Weight of each view (default 1).

        Returns
        -------
        ndarray of shape ``ishape``
        """
        sino, w, out = self._backprojection_input(sinogram, weights)
        with _threads_for(out.size * self.n_views):
            _k.fan_backproject_linear(
                sino, out, self._cosb, self._sinb, w, *self._geom
            )
        return out.reshape(self.ishape)

    def detector_positions(self):
        """Detector coordinate of every bin centre, 0 at the central ray.

        A position on the flat panel, or an angle (radians) on the arc.

        Examples
        --------
        >>> A = FanBeam((8, 8), 4, source_distance=20.0, n_detectors=3)
        >>> A.detector_positions()
        array([-1.,  0.,  1.])
        """
        u = (np.arange(self.n_detectors) - self._cdet) * self.detector_spacing
        if self.detector == "arc":
            u = u / (self.source_distance + self.detector_distance)
        return u
