import math

import numpy as np
import pytest

from sparserecovery.imaging._ct_sim import (
    counts_to_sinogram,
    hu_to_mu,
    load_ct_sample,
    read_dicom_ct,
    simulate_counts,
    simulate_sinogram,
)
from sparserecovery.imaging._radon import Radon
from sparserecovery.imaging.ct import fbp, reconstruct_ct
from sparserecovery.imaging.phantoms import shepp_logan

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def psnr(ref, img):
    return 10 * np.log10(ref.max() ** 2 / np.mean((ref - img) ** 2))


def test_noiseless_is_the_operator():
    x = shepp_logan(32)
    np.testing.assert_allclose(
        simulate_sinogram(x, 10, n_detectors=40), Radon(x.shape, 10, n_detectors=40) @ x
    )


def test_finer_image_is_a_finer_sampling():
    # a block-constant fine image projects exactly like the coarse one
    rng = np.random.default_rng(0)
    coarse = rng.random((12, 12))
    fine = np.kron(coarse, np.ones((2, 2)))
    np.testing.assert_allclose(
        simulate_sinogram(fine, 7, shape=12), Radon((12, 12), 7) @ coarse, rtol=1e-12
    )
    with pytest.raises(ValueError, match="integer factor"):
        simulate_sinogram(np.ones((13, 13)), 4, shape=6)
    with pytest.raises(ValueError, match="center='geometric'"):
        simulate_sinogram(fine, 4, shape=12, center="pixel")


def test_poisson_noise_statistics():
    x = shepp_logan(32)
    clean = simulate_sinogram(x, 20)
    photons = 1e4
    ps = 3.0 / clean.max()
    noisy = np.stack([
        simulate_sinogram(x, 20, noise="poisson", photons=photons, random_state=s)
        for s in range(40)
    ])
    # unbiased to first order, variance 1 / (expected counts) in optical depth
    np.testing.assert_allclose(noisy.mean(0), clean, atol=0.03 / ps)
    var_pred = 1.0 / (photons * np.exp(-clean * ps)) / ps**2
    ratio = noisy.var(0).mean() / var_pred.mean()
    assert 0.8 < ratio < 1.25
    # the same seed gives the same data
    a = simulate_sinogram(x, 20, noise="poisson", random_state=3)
    np.testing.assert_array_equal(
        a, simulate_sinogram(x, 20, noise="poisson", random_state=3)
    )


def test_gaussian_noise():
    x = shepp_logan(32)
    clean = simulate_sinogram(x, 20)
    g = simulate_sinogram(x, 20, noise="gaussian", sigma=0.5, random_state=0)
    assert np.std(g - clean) == pytest.approx(0.5, rel=0.1)
    d = simulate_sinogram(x, 20, noise="gaussian", random_state=0)
    assert np.std(d - clean) == pytest.approx(0.01 * clean.max(), rel=0.1)


def test_counts_roundtrip_and_errors():
    sino = np.array([[0.0, 1.0, 2.0]])
    counts = simulate_counts(sino, 1e12, random_state=0)
    np.testing.assert_allclose(counts_to_sinogram(counts, 1e12), sino, atol=1e-5)
    # zero counts (photon starvation) stay finite
    assert np.isfinite(counts_to_sinogram([0, 5], 100.0)).all()
    with pytest.raises(ValueError, match="non-negative photon counts"):
        counts_to_sinogram([3, -1], 100.0)
    with pytest.raises(ValueError, match="NaN"):
        counts_to_sinogram([3, np.nan], 100.0)
    with pytest.raises(ValueError, match="photons"):
        counts_to_sinogram([3, 1], 0.0)
    with pytest.raises(ValueError, match="photons"):
        simulate_sinogram(np.ones((8, 8)), 4, noise="poisson", photons=-5)
    with pytest.raises(ValueError, match="non-negative"):
        simulate_sinogram(-np.ones((8, 8)), 4, noise="poisson")
    with pytest.raises(ValueError, match="non-negative"):
        simulate_counts(-np.ones(3), 10.0)
    with pytest.raises(ValueError, match="noise"):
        simulate_sinogram(np.ones((8, 8)), 4, noise="salt")
    with pytest.raises(ValueError, match="NaN"):
        simulate_sinogram(np.full((8, 8), np.nan), 4)
    with pytest.raises(ValueError, match="2-D"):
        simulate_sinogram(np.ones(8), 4)


def test_hu_to_mu():
    np.testing.assert_allclose(hu_to_mu([-1000.0, 0.0, 1000.0], mu_water=0.2),
                               [0.0, 0.2, 0.4])
    assert hu_to_mu([-3000.0])[0] == 0.0


def test_dicom_samples():
    pytest.importorskip("pydicom")
    img, size = load_ct_sample("small")
    assert img.shape == (128, 128) and 0.05 < size < 0.1
    assert img.min() >= 0 and 0.1 < np.median(img) < 0.3  # soft tissue ~ water
    hu, _ = load_ct_sample("small", units="hu")
    np.testing.assert_allclose(hu_to_mu(hu), img)
    with pytest.raises(ValueError, match="name"):
        load_ct_sample("medium")
    from pydicom.data import get_testdata_file

    with pytest.raises(ValueError, match="units"):
        read_dicom_ct(get_testdata_file("CT_small.dcm"), units="kev")


def test_dicom_large_sample():
    pytest.importorskip("pydicom")
    pytest.importorskip("PIL")
    try:
        img, size = load_ct_sample("large")
    except (RuntimeError, NotImplementedError) as exc:  # no JPEG 2000 decoder
        pytest.skip(f"cannot decode JPEG 2000: {exc}")
    assert img.shape == (512, 512) and size < 0.1


def test_real_slice_tv_beats_fbp():
    """Acceptance: real CT slice, 60 views, Poisson noise: TV >= FBP + 5 dB."""
    pytest.importorskip("pydicom")
    x, size = load_ct_sample("small")
    n_det = math.ceil(math.hypot(*x.shape))
    sino = simulate_sinogram(x, 60, n_detectors=n_det, noise="poisson",
                             photons=1e4, pixel_size=size, random_state=0)
    p_fbp = psnr(x, fbp(sino, 60, shape=x.shape))
    res = reconstruct_ct(sino, 60, shape=x.shape, max_iter=80, tol=0)
    assert psnr(x, res.image) >= p_fbp + 5
