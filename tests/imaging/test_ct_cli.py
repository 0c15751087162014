import argparse

import numpy as np
import pytest

from sparserecovery.imaging._cli_ct import add_ct_arguments, run_ct
from sparserecovery.imaging.phantoms import shepp_logan

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


def _parse(argv):
    return add_ct_arguments(argparse.ArgumentParser()).parse_args(argv)


@pytest.mark.parametrize("method", ["tv", "fbp", "sirt", "wavelet"])
def test_array_input(tmp_path, capsys, method):
    src = tmp_path / "phantom.npy"
    np.save(src, shepp_logan(32))
    out = tmp_path / "res" / "rec"
    args = _parse([str(src), "--views", "16", "--method", method, "--out", str(out),
                   "--max-iter", "20", "--noise", "none"])
    assert run_ct(args) == 0
    rec = np.load(tmp_path / "res" / "rec.npy")
    assert rec.shape == (32, 32)
    assert (tmp_path / "res" / "rec.png").stat().st_size > 0
    assert "fbp  PSNR" in capsys.readouterr().out


def test_dicom_and_png_input(tmp_path):
    pytest.importorskip("pydicom")
    mpl_image = pytest.importorskip("matplotlib.image")
    from pydicom.data import get_testdata_file

    args = _parse([get_testdata_file("CT_small.dcm"), "--views", "20",
                   "--max-iter", "10", "--out", str(tmp_path / "ct.png")])
    assert run_ct(args) == 0
    assert np.load(tmp_path / "ct.npy").shape == (128, 128)
    png = tmp_path / "pic.png"
    mpl_image.imsave(png, np.dstack([shepp_logan(24)] * 3))
    args = _parse([str(png), "--views", "12", "--method", "sart", "--out",
                   str(tmp_path / "pic_rec"), "--noise", "gaussian"])
    assert run_ct(args) == 0


def test_errors(tmp_path, capsys):
    assert run_ct(_parse([str(tmp_path / "missing.npy")])) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.npy"
    np.save(bad, np.ones(5))
    assert run_ct(_parse([str(bad)])) == 2
    assert "2-D image" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _parse(["x.npy", "--views", "0"])
    with pytest.raises(SystemExit):
        _parse(["x.npy", "--lam", "nan"])


@pytest.mark.parametrize("geometry", ["fanflat", "fanarc"])
def test_fan_beam_geometry(tmp_path, capsys, geometry):
    src = tmp_path / "phantom.npy"
    np.save(src, shepp_logan(32))
    out = tmp_path / "rec"
    args = _parse([str(src), "--views", "24", "--geometry", geometry,
                   "--source-distance", "48", "--detector-distance", "16",
                   "--max-iter", "40", "--noise", "none", "--out", str(out)])
    assert run_ct(args) == 0
    text = capsys.readouterr().out
    p_fbp, p_tv = (float(line.split()[2]) for line in text.splitlines()
                   if "PSNR" in line)
    assert p_tv > p_fbp > 15.0
    assert np.load(tmp_path / "rec.npy").shape == (32, 32)


def test_fan_beam_source_inside_image(tmp_path, capsys):
    src = tmp_path / "phantom.npy"
    np.save(src, shepp_logan(32))
    args = _parse([str(src), "--geometry", "fanflat", "--source-distance", "10"])
    assert run_ct(args) == 2
    assert "--source-distance must exceed" in capsys.readouterr().err
