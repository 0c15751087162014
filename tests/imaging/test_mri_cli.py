"""The ``reconstruct mri`` subcommand functions."""

import argparse

import numpy as np
import pytest

from sparserecovery.imaging._cli_mri import add_mri_arguments, run_mri
from sparserecovery.imaging._fourier import FourierSampling
from sparserecovery.imaging._masks import variable_density_mask


def _parse(argv):
    return add_mri_arguments(argparse.ArgumentParser()).parse_args(argv)


@pytest.fixture
def image(tmp_path):
    img = np.zeros((40, 40))
    img[10:30, 12:28] = 1.0
    img[18:22, 5:35] = 0.5
    path = tmp_path / "img.npy"
    np.save(path, img)
    return img, path


@pytest.mark.parametrize("mask_type", ["poisson", "lines", "random"])
def test_simulated_undersampling(image, tmp_path, capsys, mask_type):
    img, path = image
    args = _parse([str(path), "--accel", "3", "--calib", "8", "--mask-type",
                   mask_type, "--regularizer", "tv", "--max-iter", "50",
                   "--out", str(tmp_path / "rec")])
    assert run_mri(args) == 0
    out = capsys.readouterr().out
    assert "PSNR" in out and "zero-filled" in out
    rec = np.load(tmp_path / "rec.npy")
    assert rec.shape == img.shape and np.iscomplexobj(rec)
    assert (tmp_path / "rec.png").stat().st_size > 0


def test_volume_slice_coils_noise(tmp_path, capsys):
    vol = np.zeros((3, 32, 32))
    vol[:, 8:24, 8:24] = 1.0
    np.savez(tmp_path / "vol.npz", image=vol)
    args = _parse([str(tmp_path / "vol.npz"), "--key", "image", "--slice", "1",
                   "--coils", "4", "--snr", "30", "--calib", "8", "--max-iter",
                   "20", "--out", str(tmp_path / "out" / "rec")])
    assert run_mri(args) == 0
    assert (tmp_path / "out" / "rec.npy").exists()


def test_kspace_input(tmp_path, capsys):
    img = np.zeros((32, 32))
    img[8:20, 10:24] = 1.0
    mask = variable_density_mask((32, 32), 3, calib=8, random_state=0)
    np.save(tmp_path / "k.npy", FourierSampling((32, 32), mask=mask) @ img)
    np.save(tmp_path / "m.npy", mask)
    args = _parse([str(tmp_path / "k.npy"), "--mask", str(tmp_path / "m.npy"),
                   "--max-iter", "20", "--out", str(tmp_path / "rec")])
    assert run_mri(args) == 0
    assert "reconstructed (32, 32)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--mask", "nope.npy"], "no such file"),
        (["--coil-maps", "maps.npy"], "--coil-maps needs --mask"),
        (["--calib", "30"], "calibration"),
        (["--coils", "-1"], "--coils"),
    ],
)
def test_errors(image, tmp_path, capsys, extra, match):
    _, path = image
    args = _parse([str(path), "--out", str(tmp_path / "r"), *extra])
    assert run_mri(args) == 2
    assert match in capsys.readouterr().err


def test_missing_input_and_real_kspace(tmp_path, capsys):
    args = _parse([str(tmp_path / "absent.npy"), "--out", str(tmp_path / "r")])
    assert run_mri(args) == 2
    np.save(tmp_path / "k.npy", np.ones((8, 8)))
    np.save(tmp_path / "m.npy", np.ones((8, 8), bool))
    args = _parse([str(tmp_path / "k.npy"), "--mask", str(tmp_path / "m.npy"),
                   "--out", str(tmp_path / "r")])
    assert run_mri(args) == 2
    assert "complex" in capsys.readouterr().err


def test_parser_rejects_bad_numbers():
    with pytest.raises(SystemExit):
        _parse(["x.npy", "--out", "o", "--accel", "-2"])
    with pytest.raises(SystemExit):
        _parse(["x.npy", "--out", "o", "--max-iter", "0"])
