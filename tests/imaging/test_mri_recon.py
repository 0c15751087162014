"""Static CS-MRI: solutions against cvxpy, quality against sigpy, errors."""

import warnings

import numpy as np
import pytest

from sparserecovery.base import ConvergenceWarning
from sparserecovery.imaging._fourier import FourierSampling, Sense
from sparserecovery.imaging._masks import poisson_disc_mask, variable_density_lines
from sparserecovery.imaging._mri_sim import coil_maps
from sparserecovery.imaging.metrics import psnr
from sparserecovery.imaging.mri import MRIResult, reconstruct_mri
from sparserecovery.operators import Wavelet


def _shepp_logan(n):
    try:
        from sparserecovery.imaging.phantoms import shepp_logan

        img = np.asarray(shepp_logan(n), dtype=float)
    except (ImportError, TypeError):
        skd = pytest.importorskip("skimage.data")
        skt = pytest.importorskip("skimage.transform")
        img = skt.resize(skd.shepp_logan_phantom(), (n, n), order=1,
                         anti_aliasing=True)
    return img / img.max()


def _circ_diffs(cp, u, n):
    X = cp.reshape(u, (n, n), order="C")
    dy = cp.vstack([X[1:, :] - X[:-1, :], X[:1, :] - X[-1:, :]])
    dx = cp.hstack([X[:, 1:] - X[:, :-1], X[:, :1] - X[:, -1:]])
    return cp.vec(dy, order="C"), cp.vec(dx, order="C")


def _objective_tv(A, y, x, lam, isotropic):
    r = A @ x - y
    g = np.stack([np.roll(x, -1, 0) - x, np.roll(x, -1, 1) - x])
    tv = np.sqrt((np.abs(g) ** 2).sum(0)).sum() if isotropic else np.abs(g).sum()
    return 0.5 * np.vdot(r, r).real + lam * tv


@pytest.mark.parametrize("isotropic", [True, False])
@pytest.mark.parametrize("coils", [0, 3])
def test_tv_matches_cvxpy(isotropic, coils, rng):
    cp = pytest.importorskip("cvxpy")
    n = 10
    img = np.zeros((n, n))
    img[2:7, 3:8] = 1.0
    img += 0.05 * rng.standard_normal((n, n))
    mask = rng.random((n, n)) < 0.5
    maps = coil_maps((n, n), coils) if coils else None
    A = Sense(maps, mask=mask) if coils else FourierSampling((n, n), mask=mask)
    y = A @ img
    lam = 0.02
    res = reconstruct_mri(y, mask, maps, regularizer="tv", lam=lam, max_iter=1500,
                          isotropic=isotropic, n_cg=10)
    # real-valued cvxpy model of the complex problem: x = u + i v
    M = A.to_dense()
    u, v = cp.Variable(n * n), cp.Variable(n * n)
    yr = y.ravel()
    resid = cp.hstack([M.real @ u - M.imag @ v - yr.real,
                       M.real @ v + M.imag @ u - yr.imag])
    (uy, ux), (vy, vx) = _circ_diffs(cp, u, n), _circ_diffs(cp, v, n)
    # complex differences: |Re + i Im| per difference (anisotropic), or the
    # l2 norm over both directions and both parts (isotropic)
    if isotropic:
        tv = cp.sum(cp.norm(cp.vstack([uy, ux, vy, vx]), 2, axis=0))
    else:
        tv = cp.sum(cp.norm(cp.vstack([uy, vy]), 2, axis=0)) + cp.sum(
            cp.norm(cp.vstack([ux, vx]), 2, axis=0))
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(resid) + lam * tv))
    prob.solve()
    ours = _objective_tv(A, y, res.image, lam, isotropic)
    assert ours <= prob.value * (1 + 1e-4) + 1e-9
    ref = (u.value + 1j * v.value).reshape(n, n)
    assert np.linalg.norm(res.image - ref) <= 2e-2 * np.linalg.norm(ref)


def test_wavelet_without_shift_matches_cvxpy(rng):
    cp = pytest.importorskip("cvxpy")
    n = 16
    img = np.zeros((n, n))
    img[4:12, 5:10] = 1.0
    mask = rng.random((n, n)) < 0.45
    A = FourierSampling((n, n), mask=mask)
    y = A @ img
    lam = 0.01
    res = reconstruct_mri(y, mask, lam=lam, wavelet="haar", level=2,
                          random_shift=False, max_iter=3000)
    W = Wavelet((n, n), "haar", level=2).to_dense()
    M = A.to_dense()
    u, v = cp.Variable(n * n), cp.Variable(n * n)
    yr = y.ravel()
    resid = cp.hstack([M.real @ u - M.imag @ v - yr.real,
                       M.real @ v + M.imag @ u - yr.imag])
    l1 = cp.sum(cp.norm(cp.vstack([W @ u, W @ v]), 2, axis=0))
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(resid) + lam * l1))
    prob.solve()
    ref = (u.value + 1j * v.value).reshape(n, n)
    assert np.linalg.norm(res.image - ref) <= 1e-3 * np.linalg.norm(ref)


def test_result_object_and_reproducibility():
    img = _shepp_logan(48)
    mask = poisson_disc_mask((48, 48), 3, calib=8, random_state=0)
    y = FourierSampling((48, 48), mask=mask) @ img
    res = reconstruct_mri(y, mask, max_iter=20)
    assert isinstance(res, MRIResult)
    assert res.image.shape == (48, 48) and np.iscomplexobj(res.image)
    assert res.n_iter == 20 and res.history.shape == (20,)
    assert not res.converged
    assert set(res.timings) == {"setup", "solve", "per_iteration"}
    assert res.lam > 0 and res.info["solver"] == "fista"
    again = reconstruct_mri(y, max_iter=20)  # mask inferred from kspace
    np.testing.assert_array_equal(res.image, again.image)
    other = reconstruct_mri(y, mask, max_iter=20, random_state=1)
    assert not np.array_equal(res.image, other.image)
    with pytest.warns(ConvergenceWarning):
        reconstruct_mri(y, mask, max_iter=3, tol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        early = reconstruct_mri(y, mask, regularizer="tv", max_iter=500, tol=1e-3)
    assert early.converged and early.n_iter < 500


def test_frames_and_multicoil_improve_on_zero_filling():
    img = _shepp_logan(48)
    series = np.stack([img, np.roll(img, 2, 0)])
    mask = poisson_disc_mask((2, 48, 48), 3, calib=8, random_state=0)
    A = FourierSampling(series.shape, mask=mask, axes=(-2, -1))
    y = A @ series
    res = reconstruct_mri(y, mask, axes=(-2, -1), regularizer="tv", max_iter=60)
    assert psnr(series, res.image) > psnr(series, A.H @ y) + 5
    maps = coil_maps((48, 48), 4)
    E = Sense(maps, mask=mask[0])
    k = E @ img
    for reg in ("wavelet", "tv"):
        res = reconstruct_mri(k, mask[0], maps, regularizer=reg, max_iter=60)
        assert psnr(img, res.image) > psnr(img, E.H @ k) + 5


@pytest.mark.parametrize("mask_kind", ["poisson", "lines"])
def test_beats_sigpy_at_equal_iterations(mask_kind):
    """Acceptance at reduced size: PSNR >= sigpy on the same 4x masks.

    ``poisson``: sigpy's own variable-density Poisson mask; ``lines``: 1-D
    variable-density random lines.
    """
    mr = pytest.importorskip("sigpy.mri")
    n = 128
    img = _shepp_logan(n)
    if mask_kind == "poisson":
        mask = np.abs(mr.poisson((n, n), accel=4, calib=(16, 16), seed=0)) > 0
    else:
        mask = variable_density_lines((n, n), 4, calib=12, power=4.0,
                                      random_state=0)
    y = FourierSampling((n, n), mask=mask) @ img
    ones = np.ones((1, n, n))
    for reg, lam, iters, app in [
        ("wavelet", 1e-3, 100, mr.app.L1WaveletRecon),
        ("tv", 1e-2, 300, mr.app.TotalVariationRecon),
    ]:
        theirs = app(y[None], ones, lam, max_iter=iters, show_pbar=False).run()
        same_lam = reconstruct_mri(y, mask, regularizer=reg, lam=lam,
                                   max_iter=iters, isotropic=False)
        default = reconstruct_mri(y, mask, regularizer=reg, max_iter=iters)
        p_theirs = psnr(img, theirs, data_range=1.0)
        assert psnr(img, same_lam.image, data_range=1.0) >= p_theirs - 0.05, reg
        assert psnr(img, default.image, data_range=1.0) >= p_theirs, reg


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda k, m: reconstruct_mri(k.real, m), TypeError, "complex"),
        (lambda k, m: reconstruct_mri(k, m[:-1]), ValueError, "broadcast"),
        (lambda k, m: reconstruct_mri(np.where(m, np.nan, k), m), ValueError, "NaN"),
        (lambda k, m: reconstruct_mri(k, m, regularizer="l2"), ValueError,
         "regularizer"),
        (lambda k, m: reconstruct_mri(k, m, lam=-1.0), ValueError, "lam"),
        (lambda k, m: reconstruct_mri(k, m, max_iter=-1), ValueError, "max_iter"),
        (lambda k, m: reconstruct_mri(k, m, np.ones((2, 16, 16))), ValueError,
         "n_coils"),
        (lambda k, m: reconstruct_mri(k[None].repeat(2, 0), m, np.ones((2, 8, 8))),
         ValueError, "spatial shape"),
        (lambda k, m: reconstruct_mri(k[None].repeat(2, 0), m, np.ones((2, 16, 16)),
                                      axes=(0,)), ValueError, "axes"),
        (lambda k, m: reconstruct_mri(k, m, x0=np.ones((3, 3))), ValueError, "x0"),
        (lambda k, m: reconstruct_mri(np.zeros_like(k), m), ValueError, "zero"),
        (lambda k, m: reconstruct_mri(k, m, wavelet="bior2.2"), ValueError,
         "orthogonal"),
        (lambda k, m: reconstruct_mri(None, m), TypeError, "None"),
    ],
)
def test_bad_input(call, exc, match, rng):
    m = rng.random((16, 16)) < 0.5
    k = FourierSampling((16, 16), mask=m) @ rng.random((16, 16))
    with pytest.raises(exc, match=match):
        call(k, m)
