import numpy as np
import pytest

from sparserecovery.imaging.phantoms import (
    SHEPP_LOGAN_ELLIPSES,
    dynamic_phantom,
    ellipse_phantom,
    random_ellipses,
    shepp_logan,
)


def test_shepp_logan_values_and_symmetry():
    img = shepp_logan(128, supersample=1)
    assert img.shape == (128, 128)
    # modified phantom: skull 1, brain 0.2, ventricles 0, tumours 0.3 / 0.4
    assert set(np.round(np.unique(img), 6)) <= {0.0, 0.1, 0.2, 0.3, 0.4, 1.0}
    assert img[64, 64] == pytest.approx(0.2)
    assert img[0, 0] == 0.0
    # the outer ellipses are symmetric left-right; the small features are not
    big = ellipse_phantom(128, SHEPP_LOGAN_ELLIPSES[:2], supersample=1)
    np.testing.assert_array_equal(big, big[:, ::-1])
    # small features near the bottom (y < 0) lie in the lower half of the rows
    diff = shepp_logan(128, supersample=1) - ellipse_phantom(
        128, np.c_[[1.0, -0.8, -0.2, -0.2, 0.1, 0.1, 0.1, 0, 0, 0],
                   SHEPP_LOGAN_ELLIPSES[:, 1:]], supersample=1)
    rows = np.nonzero(np.abs(diff).sum(axis=1) > 1e-9)[0]
    assert rows.min() > 64


def test_original_contrast():
    img = shepp_logan(64, modified=False, supersample=1)
    assert img.max() == pytest.approx(2.0)
    assert img[32, 32] == pytest.approx(1.02)


def test_matches_scikit_image_phantom():
    data = pytest.importorskip("skimage.data")
    transform = pytest.importorskip("skimage.transform")
    ref = transform.resize(data.shepp_logan_phantom(), (128, 128), anti_aliasing=True)
    ours = shepp_logan(128, supersample=4)
    assert np.mean(np.abs(ours - ref)) < 0.02  # same orientation and values


def test_ellipse_area_and_supersampling():
    n = 200
    r = 0.5
    img = ellipse_phantom(n, [[1.0, r, r, 0.0, 0.0, 0.0]], supersample=4)
    area = img.sum() * (2.0 / n) ** 2
    assert area == pytest.approx(np.pi * r * r, rel=2e-3)
    # a rotated ellipse: 90 degrees swaps the axes
    a = ellipse_phantom(64, [[1.0, 0.6, 0.2, 0.0, 0.0, 0.0]], supersample=1)
    b = ellipse_phantom(64, [[1.0, 0.2, 0.6, 0.0, 0.0, 90.0]], supersample=1)
    np.testing.assert_array_equal(a, b)
    # non-square grid keeps square pixels
    c = ellipse_phantom((32, 64), [[1.0, 0.5, 0.5, 0.0, 0.0, 0.0]], supersample=1)
    assert c.shape == (32, 64)
    assert c.sum() == pytest.approx(np.pi * 0.25 * 32 * 32, rel=0.05)


def test_random_and_dynamic():
    a = random_ellipses(48, random_state=3)
    np.testing.assert_array_equal(a, random_ellipses(48, random_state=3))
    assert not np.array_equal(a, random_ellipses(48, random_state=4))
    assert a.min() >= 0 and a.max() <= 1
    v = dynamic_phantom(48, n_frames=6, period=6)
    assert v.shape == (6, 48, 48)
    assert not np.allclose(v[0], v[1])
    # the skull ring (outside the inner ellipse) never changes
    ring = (v[0] == 1.0)
    assert np.all(v[:, ring] == 1.0)
    assert shepp_logan(16, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: shepp_logan(0), "shape"),
        (lambda: shepp_logan((3, 4, 5)), "shape"),
        (lambda: shepp_logan(8, supersample=0), "supersample"),
        (lambda: ellipse_phantom(8, [[1.0, 0.0, 0.5, 0, 0, 0]]), "semi-axes"),
        (lambda: ellipse_phantom(8, [[1.0, 0.5]]), "ellipses must have shape"),
        (lambda: dynamic_phantom(8, n_frames=0), "n_frames"),
        (lambda: random_ellipses(8, n_ellipses=-1), "n_ellipses"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
