"""Readers and writers of sparserecovery.imaging.io."""

import os

import numpy as np
import pytest
import scipy.io

from sparserecovery.imaging.io import read_array, save_png, write_npy


def test_npy_npz_mat_roundtrip(tmp_path, rng):
    x = rng.standard_normal((5, 6)) + 1j * rng.standard_normal((5, 6))
    p = write_npy(tmp_path / "a", x)
    assert p.name == "a.npy"
    np.testing.assert_array_equal(read_array(p), x)
    np.savez(tmp_path / "b.npz", kspace=x)
    np.testing.assert_array_equal(read_array(tmp_path / "b.npz"), x)
    np.savez(tmp_path / "c.npz", kspace=x, mask=x != 0)
    np.testing.assert_array_equal(read_array(tmp_path / "c.npz", key="mask"), x != 0)
    with pytest.raises(ValueError, match="key="):
        read_array(tmp_path / "c.npz")
    with pytest.raises(KeyError, match="nope"):
        read_array(tmp_path / "c.npz", key="nope")
    scipy.io.savemat(tmp_path / "d.mat", {"img": x})
    np.testing.assert_array_equal(read_array(tmp_path / "d.mat"), x)


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_array(tmp_path / "missing.npy")
    (tmp_path / "x.txt").write_text("hello, this is not an image at all" * 10)
    with pytest.raises(ValueError, match="format"):
        read_array(tmp_path / "x.txt")
    with pytest.raises(TypeError, match="path"):
        read_array(3)


def test_dicom(tmp_path):
    pydicom = pytest.importorskip("pydicom")
    from pydicom.data import get_testdata_file

    path = get_testdata_file("MR_small.dcm")
    ds = pydicom.dcmread(path)
    img = read_array(path)
    assert img.shape == (64, 64) and img.dtype == np.float64
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    np.testing.assert_allclose(img, ds.pixel_array * slope + intercept)
    # a folder of DICOM files stacks along the first axis
    folder = tmp_path / "series"
    folder.mkdir()
    for i in (2, 1):
        ds.InstanceNumber = i
        ds.save_as(folder / f"im{i}.dcm")
    (folder / "notes.txt").write_text("not dicom")
    vol = read_array(folder)
    assert vol.shape == (2, 64, 64)
    # a DICOM without extension is recognised by its preamble
    ds.save_as(tmp_path / "noext")
    assert read_array(tmp_path / "noext").shape == (64, 64)


def test_nifti(tmp_path, rng):
    nib = pytest.importorskip("nibabel")
    data = rng.random((4, 5, 3))
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "v.nii.gz")
    np.testing.assert_allclose(read_array(tmp_path / "v.nii.gz"), data)


def test_missing_package_names_extra(tmp_path, monkeypatch):
    import sys

    (tmp_path / "v.nii").write_bytes(b"\0" * 400)
    monkeypatch.setitem(sys.modules, "nibabel", None)
    with pytest.raises(ImportError, match="imaging"):
        read_array(tmp_path / "v.nii")


def test_save_png(tmp_path, rng):
    pytest.importorskip("matplotlib")
    p = save_png(tmp_path / "fig", [rng.random((8, 8)), rng.random((8, 8)) * 1j],
                 titles=["a", "b"])
    assert p.suffix == ".png" and os.path.getsize(p) > 100
    assert save_png(tmp_path / "one.png", rng.random((8, 8))).exists()
    with pytest.raises(ValueError, match="titles"):
        save_png(tmp_path / "x", [np.ones((4, 4))], titles=["a", "b"])
    with pytest.raises(ValueError, match="2-D"):
        save_png(tmp_path / "x", [np.ones(4)])
