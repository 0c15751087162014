"""Sampling masks and MRI simulation."""

import numpy as np
import pytest

from sparserecovery.imaging._fourier import FourierSampling
from sparserecovery.imaging._masks import (
    poisson_disc_mask,
    variable_density_lines,
    variable_density_mask,
)
from sparserecovery.imaging._mri_sim import (
    add_noise,
    cardiac_phantom,
    coil_maps,
    simulate_kspace,
)


@pytest.mark.parametrize("accel", [2, 4, 6.5])
def test_lines_mask(accel):
    m = variable_density_lines((96, 40), accel, calib=10, random_state=1)
    assert m.dtype == bool and m.shape == (96, 40)
    rows = m[:, 0]
    assert (m == rows[:, None]).all()  # full readout
    assert rows.sum() == round(96 / accel)
    assert rows[43:53].all()  # calibration centred on 48
    np.testing.assert_array_equal(
        m, variable_density_lines((96, 40), accel, calib=10, random_state=1)
    )
    cols = variable_density_lines((40, 96), accel, calib=10, axis=-1,
                                  random_state=1)
    assert (cols == cols[0]).all() and cols[0].sum() == round(96 / accel)


def test_lines_mask_per_frame_and_density():
    m = variable_density_lines((50, 64, 8), 4, calib=4, random_state=0)
    rows = m[:, :, 0]
    assert (rows.sum(axis=1) == 16).all()
    assert len({r.tobytes() for r in rows}) > 40  # frames differ
    freq = rows.mean(axis=0)
    assert freq[24:40].mean() > 2 * np.r_[freq[:8], freq[-8:]].mean()


@pytest.mark.parametrize("gen", [variable_density_mask, poisson_disc_mask])
def test_2d_masks(gen):
    m = gen((64, 48), 4, calib=(8, 6), random_state=3)
    assert m.shape == (64, 48) and m.dtype == bool
    assert abs(m.size / m.sum() - 4) < 0.1
    assert m[28:36, 21:27].all()
    np.testing.assert_array_equal(m, gen((64, 48), 4, calib=(8, 6), random_state=3))
    assert not np.array_equal(m, gen((64, 48), 4, calib=(8, 6), random_state=4))
    # denser in the centre than at the edge
    r = np.hypot(*np.meshgrid(np.arange(64) - 32, np.arange(48) - 24, indexing="ij"))
    assert m[r < 12].mean() > 1.5 * m[r > 20].mean()
    frames = gen((3, 32, 32), 3, calib=4, random_state=0)
    assert frames.shape == (3, 32, 32)
    assert not np.array_equal(frames[0], frames[1])


def test_poisson_disc_spacing():
    m = poisson_disc_mask((64, 64), 5, calib=0, slope=0.0, random_state=0)
    pts = np.argwhere(m)
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    # uniform Poisson disc: no two samples adjacent, unlike iid sampling
    assert d.min() >= 1.9
    iid = variable_density_mask((64, 64), 5, calib=0, power=0, random_state=0)
    pts = np.argwhere(iid)
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert d.min() == 1.0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: variable_density_lines((32, 32), 8, calib=10), "calib"),
        (lambda: variable_density_lines((32, 32), 0.5), "accel"),
        (lambda: variable_density_lines((32,), 2), "at least 2"),
        (lambda: variable_density_lines((4, 32, 32), 2, axis=0), "last two"),
        (lambda: variable_density_mask((32, 32), 8, calib=(20, 20)), "calibration"),
        (lambda: variable_density_mask((32, 32), 2, calib=(4, -1)), "calib"),
        (lambda: poisson_disc_mask((32, 32), 1), "accel"),
        (lambda: poisson_disc_mask((32, 32), 2, slope=-1), "slope"),
    ],
)
def test_mask_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_coil_maps():
    S = coil_maps((24, 20), 6)
    assert S.shape == (6, 24, 20) and np.iscomplexobj(S)
    np.testing.assert_allclose((np.abs(S) ** 2).sum(0), 1.0)
    # each coil is brightest on its own side: maps differ
    peaks = {np.unravel_index(np.abs(s).argmax(), s.shape) for s in S}
    assert len(peaks) >= 4
    raw = coil_maps((16, 16, 8), 4, normalize=False)
    assert raw.shape == (4, 16, 16, 8)
    with pytest.raises(ValueError, match="2-D or 3-D"):
        coil_maps((16,), 4)


def test_cardiac_phantom_motion_and_contrast():
    x = cardiac_phantom((64, 64), n_frames=16, period=8.0)
    assert x.shape == (16, 64, 64) and x.min() >= 0 and x.max() <= 1
    # periodic cardiac motion: frames one period apart are closer than half
    beat = cardiac_phantom((64, 64), n_frames=16, period=8.0, contrast=0.0)
    np.testing.assert_allclose(beat[1], beat[9], atol=1e-12)
    assert np.abs(beat[0] - beat[4]).max() > 0.1  # relaxed vs systole
    still = cardiac_phantom((64, 64), n_frames=16, motion=0.0, contrast=0.0)
    np.testing.assert_allclose(still, still[0][None].repeat(16, 0))
    enh = cardiac_phantom((64, 64), n_frames=16, motion=0.0)
    assert enh.max(axis=0).sum() > enh.min(axis=0).sum()  # contrast uptake
    flat = cardiac_phantom((64, 64), n_frames=2, texture=0.0, shading=0.0,
                           supersample=1)
    assert len(np.unique(flat[0])) < 20  # piecewise constant without texture
    # partial-volume edges: sub-pixel motion changes pixel values smoothly
    soft = cardiac_phantom((64, 64), n_frames=2, texture=0.0, shading=0.0)
    assert len(np.unique(soft[0])) > 3 * len(np.unique(flat[0]))
    # the static background is identical in every frame (the lungs' corner)
    np.testing.assert_array_equal(x[:, 20:30, 4:12], x[:1, 20:30, 4:12].repeat(16, 0))
    with pytest.raises(ValueError, match="shape"):
        cardiac_phantom((4, 4))


def test_noise_and_simulation(rng):
    img = rng.random((32, 32))
    mask = variable_density_mask((32, 32), 3, calib=6, random_state=0)
    k = simulate_kspace(img, mask)
    np.testing.assert_allclose(k, FourierSampling((32, 32), mask=mask) @ img)
    noisy = simulate_kspace(img, mask, snr_db=10.0, random_state=0)
    assert (noisy[~mask] == 0).all()
    noise = noisy[mask] - k[mask]
    snr = 10 * np.log10(np.mean(np.abs(k[mask]) ** 2) / np.mean(np.abs(noise) ** 2))
    assert abs(snr - 10.0) < 0.5
    mc = simulate_kspace(img, mask, coil_maps=coil_maps((32, 32), 4))
    assert mc.shape == (4, 32, 32)
    with pytest.raises(ValueError, match="all zeros"):
        add_noise(np.zeros(4, complex), 10.0)
