import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparserecovery.imaging._ct_sim import simulate_sinogram
from sparserecovery.imaging._radon import Radon
from sparserecovery.imaging.ct import (
    CTResult,
    default_lam,
    fbp,
    noise_level,
    reconstruct_ct,
    sart,
    sirt,
)
from sparserecovery.imaging.phantoms import shepp_logan

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def psnr(ref, img):
    return 10 * np.log10(ref.max() ** 2 / np.mean((ref - img) ** 2))


@pytest.fixture(scope="module")
def phantom64():
    """64 x 64 Shepp-Logan and 24-view data projected from a 128 x 128 grid."""
    x = shepp_logan(64, supersample=4)
    sino = simulate_sinogram(shepp_logan(128, supersample=2), 24, shape=64)
    return x, sino


def test_fbp_dense_angles_recovers_phantom():
    x = shepp_logan(128, supersample=4)
    sino = simulate_sinogram(shepp_logan(256), 180, shape=128)
    assert psnr(x, fbp(sino, 180)) > 30.0


def test_fbp_filters_and_arbitrary_angles():
    x = shepp_logan(64)
    A = Radon(x.shape, 90)
    sino = A @ x
    results = {f: fbp(sino, A.angles, filter=f) for f in
               ("ramp", "shepp-logan", "cosine", "hamming", "hann")}
    for rec in results.values():
        assert psnr(x, rec) > 20
    # smoother windows pass less high frequency: smaller total variation
    tv = {f: np.abs(np.diff(r, axis=1)).sum() for f, r in results.items()}
    assert tv["hann"] < tv["ramp"]
    # a full 360-degree scan with shuffled views gives the same image
    ang = np.concatenate([A.angles, A.angles + np.pi])
    perm = np.random.default_rng(0).permutation(ang.size)
    B = Radon(x.shape, ang[perm])
    np.testing.assert_allclose(fbp(B @ x, B), results["ramp"], atol=1e-10)


def test_fbp_matches_scikit_image():
    transform = pytest.importorskip("skimage.transform")
    x = shepp_logan(64)
    theta = np.arange(60) * 3.0
    sino = transform.radon(x, theta, circle=True)
    ref = transform.iradon(sino, theta, filter_name="ramp", circle=True)
    ours = fbp(sino.T, np.radians(theta), center="pixel")
    assert abs(psnr(x, ours) - psnr(x, ref)) < 1.0
    assert psnr(ref, ours) > 30


def test_fbp_volume_and_float32():
    x = shepp_logan(32)
    vol = np.stack([x, 0.5 * x])
    A = Radon(vol.shape, 40)
    rec = fbp(A @ vol, 40)
    assert rec.shape == vol.shape
    np.testing.assert_allclose(rec[1], 0.5 * rec[0], atol=1e-12)
    r32 = fbp((A @ vol).astype(np.float32), 40)
    assert r32.dtype == np.float32
    np.testing.assert_allclose(r32, rec, atol=1e-4)


def test_sirt_and_sart_converge(phantom64):
    x, sino = phantom64
    r_sirt = sirt(sino, 24, max_iter=60, reference=x)
    r_sart = sart(sino, 24, max_iter=8, reference=x)
    for res in (r_sirt, r_sart):
        assert isinstance(res, CTResult)
        assert res.history[-1] < res.history[0]
        assert res.image.min() >= 0
        assert res.psnr.shape == (res.n_iter,)
        assert np.all(np.diff(res.times) >= 0)
    p_fbp = psnr(x, fbp(sino, 24))
    assert r_sart.psnr[-1] > p_fbp + 4
    assert r_sirt.psnr[-1] > p_fbp
    # subsets, orders and warm start
    r2 = sart(sino, 24, max_iter=3, n_subsets=4, order="random", random_state=0,
              x0="fbp", nonneg=False)
    assert r2.n_iter == 3 and r2.info["n_subsets"] == 4
    # tol stops early
    assert sart(sino, 24, max_iter=50, tol=0.05).converged


def test_tv_beats_fbp_and_wavelet_runs(phantom64):
    x, sino = phantom64
    p_fbp = psnr(x, fbp(sino, 24))
    res = reconstruct_ct(sino, 24, lam=0.3, max_iter=150, tol=0, reference=x)
    assert res.method == "tv"
    assert psnr(x, res.image) > p_fbp + 7
    assert res.psnr[-1] == pytest.approx(psnr(x, res.image))
    assert res.timings["total"] >= res.timings["solve"] > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n_iter = 3
    wav = reconstruct_ct(sino, 24, regularizer="wavelet", wavelet="haar",
                         lam=0.3, max_iter=100, tol=0)
    assert psnr(x, wav.image) > p_fbp + 2


def _tv_objective(A, b, lam, x):
    from sparserecovery.operators import FiniteDifference

    g = FiniteDifference(x.shape) @ x
    return 0.5 * np.sum((A @ x - b) ** 2) + lam * np.sum(np.sqrt((g**2).sum(0)))


def test_tv_solves_the_stated_problem():
    """Compare with cvxpy on a tiny problem: same objective at the optimum."""
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(0)
    n = 10
    x_true = shepp_logan(n, supersample=4)
    A = Radon((n, n), 7, n_detectors=14)
    b = A @ x_true + 0.05 * rng.standard_normal(A.oshape)
    lam = 0.3
    M = A.to_dense()
    X = cp.Variable((n, n))
    dx = cp.vec(cp.hstack([X[:, 1:] - X[:, :-1], np.zeros((n, 1))]), order="C")
    dy = cp.vec(cp.vstack([X[1:, :] - X[:-1, :], np.zeros((1, n))]), order="C")
    obj = 0.5 * cp.sum_squares(M @ cp.vec(X, order="C") - b.ravel()) + lam * cp.sum(
        cp.norm(cp.vstack([dx, dy]), 2, axis=0)
    )
    cp.Problem(cp.Minimize(obj), [X >= 0]).solve()
    f_ref = _tv_objective(A, b, lam, np.maximum(X.value, 0))
    res = reconstruct_ct(b, A, lam=lam, max_iter=5000, tol=1e-7)
    f_ours = _tv_objective(A, b, lam, res.image)
    assert res.image.min() >= 0
    assert f_ours == pytest.approx(res.info["objective"], rel=1e-10)
    assert abs(f_ours - f_ref) <= 1e-4 * f_ref
    # TV minimisers are nearly flat along some directions: compare on average
    assert np.abs(res.image - X.value).mean() < 0.01


def test_tv_volume_matches_slices():
    x = shepp_logan(24)
    vol = np.stack([x, x[::-1]])
    A = Radon(vol.shape, 12)
    sino = A @ vol
    res3 = reconstruct_ct(sino, 12, lam=0.05, max_iter=40, tol=0)
    res2 = reconstruct_ct(sino[1], 12, lam=0.05, max_iter=40, tol=0)
    assert res3.image.shape == vol.shape
    # one joint run: the slices do not interact (same steps, same iterations)
    np.testing.assert_allclose(res3.image[1], res2.image, atol=1e-6)


def test_convergence_warning_and_callback(phantom64):
    x, sino = phantom64
    with pytest.warns(ConvergenceWarning):
        reconstruct_ct(sino, 24, max_iter=3, tol=1e-12)
    seen = []

    def cb(k, img):
        seen.append(k)
        return k == 4

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = reconstruct_ct(sino, 24, max_iter=50, callback=cb)
    assert res.n_iter == 5 and seen == list(range(5))


def test_noise_level_and_default_lam():
    rng = np.random.default_rng(1)
    assert noise_level(0.2 * rng.standard_normal((50, 400))) == pytest.approx(
        0.2, rel=0.05
    )
    clean = Radon((32, 32), 10) @ shepp_logan(32)
    noisy = clean + 2.0 * rng.standard_normal(clean.shape)
    assert default_lam(noisy) > 3 * default_lam(clean) > 0
    assert default_lam(np.zeros((4, 5))) == 1.0


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda s: fbp(s, 11), ValueError, "12 views .* angles has 11"),
        (lambda s: fbp(s[0], 12), ValueError, "sinogram must be 2-D"),
        (lambda s: sart(np.where(s > 1, np.nan, s), 12), ValueError, "NaN"),
        (lambda s: sirt(s, Radon((8, 8), 12)), ValueError, "Radon operator expects"),
        (lambda s: fbp(s, 12, filter="parzen"), ValueError, "filter"),
        (lambda s: fbp(s, 12, cutoff=0.0), ValueError, "cutoff"),
        (lambda s: reconstruct_ct(s, 12, regularizer="l1"), ValueError, "regularizer"),
        (lambda s: reconstruct_ct(s, 12, lam=-1.0), ValueError, "lam"),
        (lambda s: reconstruct_ct(s, 12, x0=np.ones(3)), ValueError, "x0 must have"),
        (lambda s: reconstruct_ct(s, 12, x0="zeros"), ValueError, "x0 must be"),
        (lambda s: reconstruct_ct(s, 12, nonneg=1), TypeError, "nonneg"),
        (lambda s: sart(s, 12, relaxation=2.0), ValueError, "relaxation"),
        (lambda s: sart(s, 12, n_subsets=13), ValueError, "n_subsets"),
        (lambda s: sirt(s, 12, reference=np.ones(4)), ValueError, "reference"),
        (lambda s: fbp(s.astype(complex), 12), TypeError, "real"),
    ],
)
def test_bad_input(call, err, match):
    sino = Radon((16, 16), 12) @ shepp_logan(16)
    with pytest.raises(err, match=match):
        call(sino)


def test_float32_is_kept():
    x = shepp_logan(24).astype(np.float32)
    A = Radon(x.shape, 12, dtype=np.float32)
    sino = A @ x
    r32 = reconstruct_ct(sino, 12, max_iter=15, tol=0)
    r64 = reconstruct_ct(sino.astype(np.float64), 12, max_iter=15, tol=0)
    assert r32.image.dtype == np.float32 and r64.image.dtype == np.float64
    np.testing.assert_allclose(r32.image, r64.image, atol=1e-4)
    assert sart(sino, 12, max_iter=2).image.dtype == np.float32
    assert sirt(sino, 12, max_iter=2).image.dtype == np.float32
