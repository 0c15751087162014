import numpy as np
import pytest

from sparserecovery.imaging._ct_sim import simulate_sinogram
from sparserecovery.imaging._fanbeam import FanBeam
from sparserecovery.imaging._radon import Radon
from sparserecovery.imaging.ct import fbp, reconstruct_ct, sart, sirt
from sparserecovery.imaging.phantoms import shepp_logan
from sparserecovery.operators import dottest

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def psnr(ref, img):
    return 10 * np.log10(ref.max() ** 2 / np.mean((ref - img) ** 2))


@pytest.mark.parametrize("detector", ["flat", "arc"])
@pytest.mark.parametrize(
    "shape, angles, kw",
    [
        ((8, 8), 5, {"source_distance": 20.0}),
        ((9, 13), 7, {"source_distance": 12.0, "detector_distance": 30.0}),
        ((16, 16), [0.0, 0.3, 1.2, 3.0, np.pi, 5.5], {"source_distance": 40.0,
                                                       "detector_spacing": 0.6}),
        ((12, 10), 11, {"source_distance": 15.0, "n_detectors": 9,
                        "detector_spacing": 2.5}),
        ((3, 11, 9), 6, {"source_distance": 25.0, "detector_distance": 5.0}),
    ],
)
def test_adjoint_exact(shape, angles, kw, detector):
    A = FanBeam(shape, angles, detector=detector, **kw)
    for seed in range(2):
        assert dottest(A, random_state=seed, rtol=1e-12) < 1e-12


def test_float32_and_volume():
    A = FanBeam((10, 10), 8, source_distance=20.0, dtype=np.float32)
    assert dottest(A, random_state=0, rtol=1e-4) < 1e-4
    assert (A @ np.ones((10, 10), np.float32)).dtype == np.float32
    vol = np.random.default_rng(0).random((2, 10, 10))
    A3 = FanBeam(vol.shape, 8, source_distance=20.0)
    s3 = A3 @ vol
    for k in range(2):
        np.testing.assert_allclose(s3[k], A.with_slices(None) @ vol[k], rtol=1e-5)


def _ray_sums(A, img, sub=8, step=0.02):
    """Bin-averaged line integrals by marching along sampled rays."""
    ny, nx = img.shape
    big_r = A.source_distance
    big_rd = big_r + A.detector_distance
    out = np.zeros(A.oshape)
    ts = np.arange(0.0, 2 * big_r, step)
    for a, b in enumerate(A.angles):
        c, s = np.cos(b), np.sin(b)
        src = big_r * np.array([s, -c])
        for k in range(A.n_detectors):
            acc = 0.0
            for o in (np.arange(sub) + 0.5) / sub - 0.5:
                u = (k + o - (A.n_detectors - 1) / 2) * A.detector_spacing
                g = np.arctan(u / big_rd) if A.detector == "flat" else u / big_rd
                d = np.cos(g) * np.array([-s, c]) + np.sin(g) * np.array([c, s])
                p = src[None] + ts[:, None] * d[None]
                j = np.floor(p[:, 0] + (nx - 1) / 2 + 0.5).astype(int)
                i = np.floor((ny - 1) / 2 - p[:, 1] + 0.5).astype(int)
                ok = (i >= 0) & (i < ny) & (j >= 0) & (j < nx)
                acc += img[i[ok], j[ok]].sum() * step
            out[a, k] = acc / sub
    return out


@pytest.mark.parametrize("detector", ["flat", "arc"])
def test_matches_marched_rays(detector):
    x = shepp_logan(16)
    A = FanBeam(x.shape, 3, source_distance=20.0, detector_distance=12.0,
                detector=detector, detector_spacing=1.4)
    ref = _ray_sums(A, x)
    assert np.linalg.norm(A @ x - ref) / np.linalg.norm(ref) < 0.02


def test_distant_source_is_parallel_beam():
    x = shepp_logan(24)
    angles = np.linspace(0.0, np.pi, 7, endpoint=False)
    fan = FanBeam(x.shape, angles, source_distance=1e6, n_detectors=24)
    par = Radon(x.shape, angles)
    np.testing.assert_allclose(fan @ x, par @ x, atol=1e-4 * np.abs(par @ x).max())


@pytest.mark.parametrize("detector", ["flat", "arc"])
def test_fbp_dense_views(detector):
    x = shepp_logan(96, supersample=4)
    A = FanBeam(x.shape, 360, source_distance=160.0, detector_distance=80.0,
                detector=detector)
    sino = simulate_sinogram(shepp_logan(192), A, shape=96)
    rec = fbp(sino, A)
    assert psnr(x, rec) > 30.0
    mask = A.fov_mask()
    assert abs(rec[mask].mean() / x[mask].mean() - 1) < 0.01


def test_iterative_methods_beat_fbp_sparse_views():
    x = shepp_logan(48, supersample=4)
    kw = {"source_distance": 80.0, "detector_distance": 40.0}
    A = FanBeam(x.shape, 24, **kw)
    sino = simulate_sinogram(shepp_logan(96), A, shape=48)
    p_fbp = psnr(x, fbp(sino, 24, shape=48, geometry="fanflat", **kw))
    tv = reconstruct_ct(sino, 24, shape=48, geometry="fanflat", max_iter=150,
                        tol=0, **kw)
    assert psnr(x, tv.image) > p_fbp + 5
    assert psnr(x, sart(sino, A, max_iter=5).image) > p_fbp
    assert psnr(x, sirt(sino, A, max_iter=50).image) > p_fbp - 3
    B = FanBeam(x.shape, 24, detector="arc", **kw)
    sino_arc = simulate_sinogram(shepp_logan(96), B, shape=48)
    tv_arc = reconstruct_ct(sino_arc, B, max_iter=150, tol=0)
    assert psnr(x, tv_arc.image) > psnr(x, fbp(sino_arc, B)) + 5


def test_tables_chunked_and_subsets(monkeypatch):
    from sparserecovery.imaging import _radon

    monkeypatch.setattr(_radon, "TABLE_CHUNK_BYTES", 3000)
    x = np.random.default_rng(1).random((12, 12))
    A = FanBeam(x.shape, 9, source_distance=30.0, precompute=False)
    B = FanBeam(x.shape, 9, source_distance=30.0, precompute=True)
    y = B @ x
    np.testing.assert_allclose(A @ x, y, rtol=1e-13)
    np.testing.assert_allclose(A.H @ y, B.H @ y, rtol=1e-13)
    np.testing.assert_allclose(B.subset([2, 7]) @ x, y[[2, 7]], rtol=1e-13)
    assert B.refine(2).image_shape == (24, 24)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"source_distance": 5.0}, "source_distance"),
        ({"source_distance": 20.0, "detector_distance": -1.0}, "detector_distance"),
        ({"source_distance": 20.0, "detector": "curved"}, "detector"),
        ({"source_distance": 20.0, "detector": "arc", "n_detectors": 200},
         "half turn"),
        ({"source_distance": 20.0, "dtype": np.int64}, "dtype"),
    ],
)
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        FanBeam((10, 10), 4, **kw)
    with pytest.raises(ValueError, match="angles must be >= 1"):
        FanBeam((10, 10), 0, source_distance=20.0)


def test_reconstruct_fan_errors():
    sino = np.ones((8, 20))
    with pytest.raises(ValueError, match="shape"):
        fbp(sino, 8, geometry="fanflat", source_distance=30.0)
    with pytest.raises(ValueError, match="source_distance is required"):
        fbp(sino, 8, shape=12, geometry="fanarc")
    with pytest.raises(ValueError, match="geometry"):
        fbp(sino, 8, geometry="cone")
    with pytest.raises(ValueError, match="8 views"):
        reconstruct_ct(sino, 9, shape=12, geometry="fanflat", source_distance=30.0)
    A = FanBeam((12, 12), 8, source_distance=30.0)
    with pytest.raises(ValueError, match="FanBeam operator expects"):
        sirt(np.ones((8, 5)), A)
