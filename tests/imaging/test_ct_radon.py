import numpy as np
import pytest

from sparserecovery.imaging._radon import Radon, check_angles, uniform_angles
from sparserecovery.imaging.phantoms import shepp_logan
from sparserecovery.operators import dottest


@pytest.mark.parametrize(
    "shape, angles, kw",
    [
        ((8, 8), 4, {}),
        ((9, 7), 5, {"n_detectors": 13}),
        ((16, 16), [0.0, 0.3, 1.2, 3.0, np.pi / 2, np.pi / 4], {}),
        ((12, 20), 17, {"n_detectors": 31, "detector_spacing": 0.7}),
        ((10, 10), 6, {"n_detectors": 5, "detector_spacing": 2.5, "center": "pixel"}),
        ((3, 11, 13), 9, {"n_detectors": 19}),
        ((7, 7), np.linspace(-3, 7, 11), {}),  # any range, repeats mod pi
    ],
)
def test_adjoint_exact(shape, angles, kw):
    A = Radon(shape, angles, **kw)
    for seed in range(3):
        assert dottest(A, random_state=seed, rtol=1e-12) < 1e-12


def test_adjoint_float32():
    A = Radon((12, 12), 7, dtype=np.float32)
    assert dottest(A, random_state=0, rtol=1e-4) < 1e-4
    y = A @ np.ones((12, 12), np.float32)
    assert y.dtype == np.float32


def _brute_force(shape, angles, n_det, d, sub=64):
    """Strip integrals by point sampling every pixel (independent of the kernels)."""
    ny, nx = shape
    cx, cy, cdet = (nx - 1) / 2, (ny - 1) / 2, (n_det - 1) / 2
    off = (np.arange(sub) + 0.5) / sub - 0.5
    M = np.zeros((len(angles) * n_det, ny * nx))
    for a, t in enumerate(angles):
        for i in range(ny):
            for j in range(nx):
                X = (j - cx) + off[None, :]
                Y = (cy - i) - off[:, None]
                u = (X * np.cos(t) + Y * np.sin(t)) / d + cdet
                k = np.floor(u + 0.5).astype(int).ravel()
                ok = (k >= 0) & (k < n_det)
                w = np.bincount(k[ok], minlength=n_det) / sub**2 / d
                M[a * n_det : (a + 1) * n_det, i * nx + j] = w
    return M


def test_matches_point_sampled_strip_integrals():
    angles = [0.0, 0.4, np.pi / 4, 1.9, 2.8]
    A = Radon((5, 6), angles, n_detectors=9, detector_spacing=0.8)
    M = _brute_force((5, 6), angles, 9, 0.8)
    assert np.abs(A.to_dense() - M).max() < 0.03  # sampling error of 64^2 points
    assert np.abs(A.to_dense() - M).mean() < 2e-3


def test_geometry_and_mass():
    A = Radon((4, 4), [0.0, np.pi / 2])
    x = np.zeros((4, 4))
    x[0, 3] = 1.0  # top-right pixel: column 3 at 0, top row (max y) at 90 degrees
    np.testing.assert_allclose(A @ x, [[0, 0, 0, 1], [0, 0, 0, 1]], atol=1e-15)
    # a detector covering the image sees all of its mass in every view
    rng = np.random.default_rng(0)
    img = rng.random((20, 15))
    B = Radon(img.shape, 13, n_detectors=30, detector_spacing=0.9)
    sino = B @ img
    np.testing.assert_allclose(sino.sum(axis=1) * 0.9, img.sum(), rtol=1e-12)


def test_matches_scikit_image_convention():
    transform = pytest.importorskip("skimage.transform")
    x = shepp_logan(64)
    theta = np.arange(12) * 15.0
    ref = transform.radon(x, theta, circle=True).T
    ours = Radon(x.shape, np.radians(theta), center="pixel") @ x
    assert np.linalg.norm(ours - ref) / np.linalg.norm(ref) < 0.01


def test_volume_is_slice_by_slice_and_complex():
    rng = np.random.default_rng(1)
    vol = rng.random((3, 10, 12))
    A3 = Radon(vol.shape, 7, n_detectors=16)
    A2 = Radon(vol.shape[1:], 7, n_detectors=16)
    s3 = A3 @ vol
    assert s3.shape == (3, 7, 16)
    for k in range(3):
        np.testing.assert_allclose(s3[k], A2 @ vol[k], rtol=1e-13)
        np.testing.assert_allclose((A3.H @ s3)[k], A2.H @ s3[k], rtol=1e-13)
    z = vol[0] + 1j * vol[1]
    np.testing.assert_allclose(A2 @ z, A2 @ vol[0] + 1j * (A2 @ vol[1]))
    assert A3.with_slices(None).ishape == (10, 12)


def test_subset_and_fov():
    A = Radon((8, 8), 6)
    x = np.random.default_rng(2).random((8, 8))
    np.testing.assert_allclose(A.subset([1, 4]) @ x, (A @ x)[[1, 4]])
    m = Radon((8, 8), 4).fov_mask()
    assert m[4, 4] and not m[0, 0]
    assert Radon((8, 8), 4, n_detectors=12).fov_mask().all()


def test_backproject_constant():
    A = Radon((16, 16), 8)
    bp = A.backproject(np.ones(A.oshape))
    assert np.allclose(bp[A.fov_mask()], 8.0)
    with pytest.raises(ValueError, match="weights"):
        A.backproject(np.ones(A.oshape), weights=np.ones(3))
    with pytest.raises(ValueError, match="sinogram must have shape"):
        A.backproject(np.ones((3, 3)))


def test_angles_helpers():
    np.testing.assert_allclose(uniform_angles(4), np.arange(4) * np.pi / 4)
    np.testing.assert_allclose(check_angles(3), uniform_angles(3))
    with pytest.raises(ValueError, match="angles must be >= 1"):
        check_angles(0)
    with pytest.raises(ValueError, match="1-D array"):
        check_angles(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        check_angles([0.0, np.nan])


@pytest.mark.parametrize(
    "args, kw, err, match",
    [
        (((8,), 4), {}, ValueError, "shape must be"),
        (((0, 8), 4), {}, ValueError, "shape must be"),
        (("ab", 4), {}, ValueError, "shape must be"),
        (((8, 8), 4), {"n_detectors": 0}, ValueError, "n_detectors"),
        (((8, 8), 4), {"detector_spacing": 0.0}, ValueError, "detector_spacing"),
        (((8, 8), 4), {"center": "middle"}, ValueError, "center"),
        (((8, 8), 4), {"dtype": np.int32}, ValueError, "dtype"),
        (((8, 8), [[0.0]]), {}, ValueError, "angles"),
    ],
)
def test_bad_arguments(args, kw, err, match):
    with pytest.raises(err, match=match):
        Radon(*args, **kw)


def test_wrong_input_shape():
    A = Radon((8, 8), 4)
    with pytest.raises(ValueError, match="shape"):
        A @ np.ones((7, 8))


def test_pure_python_kernels_agree():
    """The kernels' Python source (what NUMBA_DISABLE_JIT=1 runs) gives the same."""
    from sparserecovery.imaging import _kernels_ct as k

    A = Radon((6, 5), [0.1, 1.0, 2.0], n_detectors=8, detector_spacing=0.9)
    x = np.arange(30.0).reshape(1, 6, 5)
    kk = np.empty((3, 6, 5), np.int32)
    ww = np.empty((3, 6, 5, A._nbins))
    k.footprint_table.py_func(A._cosb, A._sinb, *A._geom, kk, ww)
    fwd = np.zeros((1, 3, 8))
    k.table_forward.py_func(x, fwd, kk, ww, 0)
    np.testing.assert_allclose(fwd[0], A @ x[0], rtol=1e-13)
    adj = np.empty((1, 6, 5))
    k.table_adjoint.py_func(fwd, adj, kk, ww, 0, False)
    np.testing.assert_allclose(adj[0], A.H @ fwd[0], rtol=1e-13)
    bp = np.empty((1, 6, 5))
    w = np.array([0.5, 1.0, 2.0])
    k.backproject_linear.py_func(fwd, bp, A._cs, A._sn, w, A._cx, A._cy, A._cdet)
    np.testing.assert_allclose(bp[0], A.backproject(fwd[0], w), rtol=1e-13)
    # the on-the-fly kernels (no kept table)
    fly = np.zeros((1, 3, 8))
    k.radon_forward.py_func(x, fly, *A._direct(), A._scale)
    np.testing.assert_allclose(fly, fwd, rtol=1e-13)
    k.radon_adjoint.py_func(fly, adj, *A._direct(), A._scale)
    np.testing.assert_allclose(adj[0], A.H @ fwd[0], rtol=1e-13)


@pytest.mark.parametrize("precompute", [True, False])
def test_table_kept_or_chunked_give_the_same(precompute, monkeypatch):
    from sparserecovery.imaging import _radon

    monkeypatch.setattr(_radon, "TABLE_CHUNK_BYTES", 2000)  # several chunks
    x = np.random.default_rng(3).random((2, 9, 9))
    A = Radon(x.shape, 7, precompute=precompute)
    B = Radon(x.shape, 7, precompute="auto")
    assert A._keep is precompute and B._keep
    np.testing.assert_allclose(A @ x, B @ x, rtol=1e-13)
    y = B @ x
    np.testing.assert_allclose(A.H @ y, B.H @ y, rtol=1e-13)
    assert dottest(A, random_state=0) < 1e-12
    # kept tables travel to subsets and volumes
    np.testing.assert_allclose(B.subset([1, 5]) @ x, y[:, [1, 5]], rtol=1e-13)
    with pytest.raises(ValueError, match="precompute"):
        Radon((4, 4), 3, precompute="yes")
