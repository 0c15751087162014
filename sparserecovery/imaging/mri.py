"""Compressed-sensing MRI: l1-wavelet and total-variation reconstruction.

Both solve

    min_x  1/2 ||P F S x - y||^2 + lam R(x)

with ``P`` the Cartesian sampling mask, ``F`` the centred orthonormal FFT and
``S`` the coil sensitivities (absent for single-coil data):

- ``regularizer="wavelet"``: ``R(x) = ||W x||_1`` with an orthogonal wavelet
  ``W``, solved by FISTA with the fixed step ``1 / ||A||^2`` and adaptive
  restart. By default every proximal step uses a randomly shifted wavelet
  grid ("random cycle spinning", as BART's ``pics`` does), which removes the
  blocking artefacts of one decimated transform. The iterates then do not
  converge to the minimiser of one fixed objective; they behave like a
  reconstruction with a shift-averaged (nearly translation-invariant)
  wavelet penalty. ``random_shift=False`` solves the plain problem.
- ``regularizer="tv"``: ``R(x) = sum_pixels |grad x|`` (isotropic by default)
  with periodic forward differences (the field of view of the Fourier model
  is periodic), solved by ADMM on the splitting ``z = grad x``. For
  single-coil data ``A^H A`` and ``grad^H grad`` are both diagonal in the
  centred Fourier basis, so the x-update is exact at the cost of one FFT
  pair; with coil maps it takes a few conjugate-gradient steps,
  preconditioned by that single-coil inverse.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..base import ConvergenceWarning
from ..operators import LinearOperator, Wavelet, power_iteration
from ..proxes import L1, L21, Prox, soft_threshold
from ..solvers import LeastSquares, admm, fista
from ..utils.validation import (
    check_array_arg,
    check_choice,
    check_max_iter,
    check_random_state,
    check_scalar_arg,
    check_tol,
)
from ._fourier import FourierSampling, Sense, _normalize_axes

__all__ = ["MRIResult", "reconstruct_mri"]


@dataclass(frozen=True)
class MRIResult:
    """Outcome of an MRI reconstruction.

    Attributes
    ----------
    image : ndarray
        The reconstructed (complex) image, of the image shape.
    n_iter : int
        Iterations performed.
    converged : bool
        Whether ``tol`` was reached (always False for a fixed iteration
        budget, ``tol=None``).
    history : ndarray
        The solver's monitored quantity per iteration (relative change of
        the image for FISTA, the scaled primal-dual residual for
        Chambolle-Pock).
    time : float
        Total wall-clock seconds (setup and solve).
    timings : dict
        ``"setup"``, ``"solve"`` and ``"per_iteration"`` seconds.
    lam : float
        The regularisation weight used, absolute (dynamic methods: the
        nuclear-norm weight of the temporal unfolding; ``info`` has all).
    info : dict
        Method-specific extras (solver, step sizes, ...).
    components : dict
        Parts of a decomposed reconstruction (dynamic methods: ``"L"``,
        ``"S"``, ``"E"``); empty otherwise.
    """

    image: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray
    time: float
    timings: dict
    lam: float
    info: dict = field(default_factory=dict)
    components: dict = field(default_factory=dict)


# --------------------------------------------------------------------- checks
def _check_kspace(kspace):
    if kspace is None:
        raise TypeError("kspace must be an array, got None")
    raw = np.asarray(kspace)
    if raw.dtype != object and np.issubdtype(raw.dtype, np.number) and not (
        np.iscomplexobj(raw)
    ):
        raise TypeError(
            f"kspace must be complex (k-space samples), got real dtype {raw.dtype}; "
            "to reconstruct from an image, simulate its k-space first "
            "(sparserecovery.imaging.simulate_kspace)"
        )
    return check_array_arg(kspace, "kspace", min_size=1)


def _build_operator(kspace, mask, coil_maps, axes, workers, image_ndim=None):
    """Validate the data and build the forward operator.

    Returns ``(A, y, image_shape)`` with ``y`` the masked k-space.
    """
    k = _check_kspace(kspace)
    if coil_maps is None:
        image_shape = k.shape
        if image_ndim is not None and k.ndim != image_ndim:
            raise ValueError(
                f"kspace must be {image_ndim}-dimensional for single-coil data, "
                f"got shape {k.shape}"
            )
        if mask is None:
            mask = k != 0
        axes = _normalize_axes(axes, k.ndim)
        A = FourierSampling(image_shape, mask=mask, axes=axes, workers=workers,
                            dtype=k.dtype)
    else:
        maps = check_array_arg(coil_maps, "coil_maps", min_size=1)
        if maps.ndim < 2:
            raise ValueError(
                f"coil_maps must have shape (n_coils, *spatial), got {maps.shape}"
            )
        if k.ndim < maps.ndim or k.shape[0] != maps.shape[0]:
            raise ValueError(
                f"kspace must have shape (n_coils, ...) = ({maps.shape[0]}, ...) to "
                f"match coil_maps of shape {maps.shape}, got {k.shape}"
            )
        image_shape = k.shape[1:]
        if image_shape[len(image_shape) - (maps.ndim - 1):] != maps.shape[1:]:
            raise ValueError(
                f"kspace has image shape {image_shape}, which does not end with "
                f"the coil maps' spatial shape {maps.shape[1:]}"
            )
        if image_ndim is not None and len(image_shape) != image_ndim:
            raise ValueError(
                f"kspace must have shape (n_coils, *image) with a {image_ndim}-D "
                f"image, got {k.shape}"
            )
        if axes is not None:
            want = _normalize_axes(axes, len(image_shape))
            spatial = tuple(range(len(image_shape) - (maps.ndim - 1),
                                  len(image_shape)))
            if want != spatial:
                raise ValueError(
                    f"with coil maps the Fourier axes are the maps' spatial axes "
                    f"{spatial}, got axes={axes}"
                )
        if mask is None:
            mask = (k != 0).any(axis=0)
        dtype = np.result_type(k.dtype, maps.dtype)
        A = Sense(maps, mask=mask, image_shape=image_shape, workers=workers,
                  dtype=dtype)
    y = k if A.mask is None else k * A.mask
    return A, y, image_shape


def _lipschitz(A):
    """``||A||^2``: exactly 1 for a single-coil unitary FFT, else estimated."""
    if isinstance(A, FourierSampling):
        return 1.0
    # power iteration gives a lower bound; a small margin keeps the step safe
    return 1.02 * power_iteration(A, max_iter=50, tol=1e-4) ** 2


def _default_lam(A, y, regularizer):
    scale = float(np.abs(A.H @ y).max())
    if scale == 0.0:
        raise ValueError("kspace is zero on the sampled positions")
    return (2e-3 if regularizer == "wavelet" else 3e-3) * scale


# ---------------------------------------------------------------- proxes
class _ShiftedWaveletL1(Prox):
    """``lam ||W x||_1`` for an orthogonal ``W``, optionally randomly shifted.

    The prox of ``lam ||W T_s x||_1`` for a circular shift ``T_s`` is
    ``T_s^H W^H soft(W T_s x)`` (W orthogonal); a new shift is drawn at every
    call when ``max_shift > 0``.
    """

    def __init__(self, W, lam, max_shift, rng):
        self.W = W
        self.lam = lam
        self.max_shift = max_shift
        self.rng = rng

    def value(self, x):
        return self.lam * float(np.abs(self.W._matvec(np.asarray(x))).sum())

    def _prox(self, x, step):
        axes = self.W.axes
        if self.max_shift > 1:
            shift = tuple(int(s) for s in self.rng.randint(0, self.max_shift,
                                                           len(axes)))
        else:
            shift = (0,) * len(axes)
        if any(shift):
            x = np.roll(x, shift, axes)
        c = soft_threshold(self.W._matvec(x), self.lam * step)
        out = self.W._rmatvec(c)
        if any(shift):
            out = np.roll(out, tuple(-s for s in shift), axes)
        return out


# ------------------------------------------------------------------ helpers
def _run_quiet(fixed_budget, fn):
    """Run a solver; with a fixed iteration budget, silence its warning."""
    if not fixed_budget:
        return fn()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn()


def _tv_prox(lam, isotropic):
    # groups along axis 0 of the gradient stack (one l2 norm per pixel)
    return L21(lam, axis=0) if isotropic else L1(lam)


def _solve_wavelet(A, y, x0, lam, *, wavelet, level, axes, random_shift, rng,
                   max_iter, tol, restart, callback, verbose):
    W = Wavelet(A.ishape, wavelet=wavelet, level=level, axes=axes)
    max_shift = 2**W.level if random_shift else 0
    prox = _ShiftedWaveletL1(W, lam, max_shift, rng)
    L = _lipschitz(A)
    smooth = LeastSquares(A, y, lipschitz=L)
    res = fista(
        smooth, prox, x0, step=1.0 / L, backtracking=False, restart=restart,
        compute_objective=False, max_iter=max_iter, tol=tol, callback=callback,
        verbose=verbose,
    )
    info = {"solver": "fista", "step": 1.0 / L, "wavelet": W.wavelet.name,
            "level": W.level, "random_shift": bool(random_shift),
            "n_restarts": res.info.get("n_restarts", 0)}
    return res, info


class _CircularGradient(LinearOperator):
    """Forward differences with periodic boundary along ``axes``.

    ``(D x)[i] = roll(x, -1, axes[i]) - x``, of shape ``(len(axes), *shape)``.
    Periodic differences match the periodic field of view of the Fourier
    model, and ``D^H D`` is diagonalised by the FFT (see :func:`_laplacian`).
    """

    def __init__(self, shape, axes):
        self.axes = tuple(axes)
        super().__init__(shape, (len(self.axes),) + tuple(shape), np.float64)

    def _matvec(self, x):
        out = np.empty((len(self.axes),) + x.shape, dtype=x.dtype)
        for i, a in enumerate(self.axes):
            np.subtract(np.roll(x, -1, a), x, out=out[i])
        return out

    def _rmatvec(self, g):
        out = np.roll(g[0], 1, self.axes[0]) - g[0]
        for i in range(1, len(self.axes)):
            out += np.roll(g[i], 1, self.axes[i])
            out -= g[i]
        return out


def _laplacian(shape, axes):
    """Eigenvalues of ``D^H D`` (periodic) in the centred Fourier basis."""
    lap = np.zeros([1] * len(shape))
    for a in axes:
        n = shape[a]
        s = [1] * len(shape)
        s[a] = n
        k = np.arange(n) - n // 2
        lap = lap + (2.0 - 2.0 * np.cos(2.0 * np.pi * k / n)).reshape(s)
    return lap


class _NormalSolver:
    """Solve ``(A^H A + rho R) x = b`` with ``R`` diagonal in the Fourier basis.

    ``R = F^H diag(reg) F`` (centred FFT over the operator's Fourier axes),
    e.g. the periodic Laplacian ``D^H D`` of :func:`_laplacian` or the
    identity (``reg = 1``). For a single-coil :class:`FourierSampling`,
    ``A^H A = F^H diag(mask) F`` too and the solve is exact with one FFT pair.
    For :class:`Sense` it runs ``n_cg`` iterations of conjugate gradient,
    warm-started from ``x0`` and preconditioned by the single-coil inverse
    ``F^H diag(1 / (mask + rho reg)) F`` (exact when the coil maps have
    ``sum_c |S_c|^2 = 1`` and are constant).
    """

    def __init__(self, A, reg, n_cg=3):
        self.A = A
        self.reg = reg
        self.n_cg = n_cg
        if isinstance(A, FourierSampling):
            self.F = A
        else:
            self.F = FourierSampling(A.ishape, mask=A.mask, axes=A.axes,
                                     workers=A.workers, dtype=A.dtype)
        self.m = 1.0 if self.F.mask is None else self.F.mask.astype(float)

    def _diag_solve(self, b, rho):
        fft, unit = self.F._fft, self.F._unit
        k = fft.forward(b, unit)
        den = self.m + rho * self.reg
        k /= np.where(den > 0, den, 1.0)
        return fft.adjoint(k, unit)

    def solve(self, b, rho, x0=None):
        if self.F is self.A:
            return self._diag_solve(b, rho)
        return self._pcg(b, rho, b if x0 is None else x0)

    def _apply(self, x, rho):
        A, fft, unit = self.A, self.F._fft, self.F._unit
        out = A._rmatvec(A._matvec(x))
        k = fft.forward(x, unit)
        k *= self.reg
        out += rho * fft.adjoint(k, unit)
        return out

    def _pcg(self, b, rho, x):
        x = x.astype(np.result_type(x.dtype, b.dtype), copy=True)
        r = b - self._apply(x, rho)
        z = self._diag_solve(r, rho)
        p = z
        rz = float(np.vdot(r, z).real)
        for _ in range(self.n_cg):
            if rz <= 0.0:
                break
            Ap = self._apply(p, rho)
            alpha = rz / float(np.vdot(p, Ap).real)
            x += alpha * p
            r -= alpha * Ap
            z = self._diag_solve(r, rho)
            rz_new = float(np.vdot(r, z).real)
            p = z + (rz_new / rz) * p
            rz = rz_new
        return x


def _solve_tv(A, y, x0, lam, *, axes, isotropic, rho, n_cg, max_iter, tol,
              callback, verbose):
    D = _CircularGradient(A.ishape, axes)
    g_tv = _tv_prox(lam, isotropic)
    if rho is None:
        rho = 10.0 * lam if lam > 0 else 1.0
    solver = _NormalSolver(A, _laplacian(A.ishape, D.axes), n_cg=n_cg)
    AHy = A.H @ y
    last = {"x": x0}

    def x_update(v, rho_k):
        x = solver.solve(AHy + rho_k * D._rmatvec(v), rho_k, last["x"])
        last["x"] = x
        return x

    res = admm(x_update, g_tv, D, x0, rho=rho, max_iter=max_iter, tol=tol,
               callback=callback, verbose=verbose)
    exact = isinstance(A, FourierSampling)
    info = {"solver": "admm", "rho": rho, "isotropic": bool(isotropic),
            "x_update": "exact (FFT)" if exact else f"PCG, {n_cg} iterations"}
    return res, info


def reconstruct_mri(kspace, mask=None, coil_maps=None, *, regularizer="wavelet",
                    lam=None, max_iter=100, tol=None, axes=None, wavelet="db4",
                    level=None, random_shift=True, isotropic=True, rho=None,
                    n_cg=3,
                    x0=None, random_state=0, workers=None, callback=None,
                    verbose=False):
    """Compressed-sensing reconstruction of Cartesian MRI data.

    Solves ``min_x 1/2 ||P F S x - y||^2 + lam R(x)`` with an l1-wavelet or a
    total-variation regulariser ``R`` (see the module notes for the solvers).

    Parameters
    ----------
    kspace : array_like, complex
        Measured k-space on the full Cartesian grid, zeros where not sampled:
        shape ``image_shape`` (single coil) or ``(n_coils, *image_shape)``.
    mask : array_like of bool, optional
        Sampling mask broadcasting to the image shape. Default: the non-zero
        entries of ``kspace`` (of any coil).
    coil_maps : array_like of shape (n_coils,) + spatial shape, optional
        Coil sensitivities (SENSE model); ``spatial`` ends ``image_shape``.
    regularizer : {"wavelet", "tv"}, default="wavelet"
        l1 norm of orthogonal wavelet coefficients, or total variation.
    lam : float, optional
        Regularisation weight (absolute, in the units of the objective above).
        Default: ``2e-3`` (wavelet) or ``3e-3`` (TV) times the maximum
        magnitude of the zero-filled image ``A^H y`` (a compromise between
        noiseless data, which favour smaller weights, and SNRs of 20-30 dB).
    max_iter : int, default=100
        Iteration budget.
    tol : float, optional
        Stop early when the solver's criterion (relative change for FISTA,
        scaled primal-dual residual for Chambolle-Pock) reaches ``tol``, and
        warn if it does not. Default: run exactly ``max_iter`` iterations.
    axes : tuple of int, optional
        Single coil: the Fourier axes (default: all; use ``(-2, -1)`` to
        reconstruct the frames of a 2-D + time series independently). The
        regulariser acts along the same axes.
    wavelet : str, default="db4"
        Orthogonal PyWavelets wavelet (``regularizer="wavelet"``).
    level : int, optional
        Wavelet decomposition levels (default: the largest useful one).
    random_shift : bool, default=True
        Randomly shift the wavelet grid at every iteration (cycle spinning).
    isotropic : bool, default=True
        Isotropic (l2 over the gradient components) or anisotropic TV.
    rho : float, optional
        ADMM penalty of the single-coil TV solver (default ``10 * lam``).
    n_cg : int, default=3
        Multi-coil TV: conjugate-gradient iterations per ADMM x-update.
    x0 : array_like, optional
        Starting image (default: zeros for the wavelet, the zero-filled image
        ``A^H y`` for TV).
    random_state : int, RandomState or None, default=0
        Seed of the random wavelet shifts.
    workers : int, optional
        Threads for the FFTs (:mod:`scipy.fft`).
    callback : callable, optional
        ``callback(k, x)`` after every iteration; returning True stops.
    verbose : bool or int, default=False
        Print progress every ``verbose`` iterations.

    Returns
    -------
    MRIResult
        The image, iteration count, history, timings and the ``lam`` used.

    Raises
    ------
    TypeError
        If ``kspace`` is real (k-space is complex) or not numeric.
    ValueError
        If shapes disagree (mask, coil maps), the data contain NaN or
        infinite values, or a parameter is out of range.

    See Also
    --------
    reconstruct_dynamic_mri : L+S and RDLEDM for 2-D + time data.
    FourierSampling, Sense : The forward models.

    Examples
    --------
    >>> from sparserecovery.imaging import FourierSampling
    >>> img = np.zeros((32, 32)); img[8:24, 10:20] = 1.0
    >>> mask = np.random.default_rng(0).random((32, 32)) < 0.35
    >>> mask[12:20, 12:20] = True  # fully sampled centre
    >>> y = FourierSampling((32, 32), mask=mask) @ img
    >>> res = reconstruct_mri(y, mask, regularizer="tv", lam=1e-3, max_iter=200)
    >>> bool(np.abs(res.image - img).max() < 0.05), res.n_iter
    (True, 200)
    """
    t0 = time.perf_counter()
    regularizer = check_choice("regularizer", regularizer, ("wavelet", "tv"))
    max_iter = check_max_iter(max_iter)
    fixed = tol is None
    tol = 0.0 if fixed else check_tol(tol)
    A, y, image_shape = _build_operator(kspace, mask, coil_maps, axes, workers)
    reg_axes = A.axes
    if lam is None:
        lam = _default_lam(A, y, regularizer)
    else:
        lam = check_scalar_arg(lam, "lam", lower=0)
    if x0 is not None:
        x0 = check_array_arg(x0, "x0", shape=image_shape)
        x0 = x0.astype(np.result_type(x0.dtype, A.dtype))
    if regularizer == "wavelet":
        if x0 is None:
            x0 = np.zeros(image_shape, dtype=A.dtype)
        rng = check_random_state(random_state)
        t_setup = time.perf_counter() - t0
        res, info = _run_quiet(fixed, lambda: _solve_wavelet(
            A, y, x0, lam, wavelet=wavelet, level=level, axes=reg_axes,
            random_shift=random_shift, rng=rng, max_iter=max_iter, tol=tol,
            restart="adaptive", callback=callback, verbose=verbose,
        ))
    else:
        if x0 is None:
            x0 = (A.H @ y).astype(A.dtype)
        n_cg = check_scalar_arg(n_cg, "n_cg", lower=1, integer=True)
        if rho is not None:
            rho = check_scalar_arg(rho, "rho", lower=0, lower_inclusive=False)
        t_setup = time.perf_counter() - t0
        res, info = _run_quiet(fixed, lambda: _solve_tv(
            A, y, x0, lam, axes=reg_axes, isotropic=isotropic, rho=rho,
            n_cg=n_cg,
            max_iter=max_iter, tol=tol, callback=callback, verbose=verbose,
        ))
    total = time.perf_counter() - t0
    n = max(res.n_iter, 1)
    return MRIResult(
        image=np.asarray(res.x).reshape(image_shape),
        n_iter=res.n_iter,
        converged=bool(res.converged) and not fixed,
        history=res.history,
        time=total,
        timings={"setup": t_setup, "solve": res.time, "per_iteration": res.time / n},
        lam=float(lam),
        info=info,
    )
