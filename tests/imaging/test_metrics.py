"""PSNR, SSIM and NMSE against independent computations."""

import numpy as np
import pytest

from sparserecovery.imaging.metrics import nmse, psnr, ssim


def test_psnr_matches_formula_and_skimage(rng):
    ref = rng.random((20, 30))
    img = ref + 0.05 * rng.standard_normal(ref.shape)
    mse = np.mean((ref - img) ** 2)
    assert psnr(ref, img, data_range=1.0) == pytest.approx(10 * np.log10(1 / mse))
    skm = pytest.importorskip("skimage.metrics")
    assert psnr(ref, img, data_range=1.0) == pytest.approx(
        skm.peak_signal_noise_ratio(ref, img, data_range=1.0)
    )
    # default data range: max of a non-negative reference
    assert psnr(ref, img) == pytest.approx(10 * np.log10(ref.max() ** 2 / mse))
    assert psnr(ref, ref) == np.inf


def test_complex_uses_magnitude(rng):
    ref = rng.random((8, 8))
    phase = np.exp(1j * rng.uniform(0, 2 * np.pi, ref.shape))
    assert psnr(ref, ref * phase) > 250  # rounding only
    assert nmse(ref, ref * phase) > 0.1  # NMSE sees the phase


def test_nmse():
    assert nmse([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert nmse([3.0, 4.0], [0.0, 0.0]) == pytest.approx(1.0)
    assert nmse([1j, 1.0], [0.0, 1.0]) == pytest.approx(0.5)


def test_ssim_matches_skimage(rng):
    skm = pytest.importorskip("skimage.metrics")
    ref = np.outer(np.hanning(32), np.hanning(32))
    img = ref + 0.05 * rng.standard_normal(ref.shape)
    assert ssim(ref, img, data_range=1.0) == pytest.approx(
        skm.structural_similarity(ref, img, data_range=1.0)
    )
    assert ssim(ref, ref) == pytest.approx(1.0)


def test_ssim_error_names_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "skimage.metrics", None)
    with pytest.raises(ImportError, match=r"imaging"):
        ssim(np.ones((8, 8)), np.ones((8, 8)))


@pytest.mark.parametrize("fn", [psnr, nmse, ssim])
def test_bad_input(fn):
    with pytest.raises(ValueError, match="shape"):
        fn(np.ones((4, 4)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="NaN"):
        fn(np.ones((8, 8)), np.full((8, 8), np.nan))
    with pytest.raises(TypeError, match="numeric"):
        fn(np.ones((8, 8)), "image")
    with pytest.raises(ValueError):
        fn(np.zeros((8, 8)), np.ones((8, 8)))
