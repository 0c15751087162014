"""File loaders and the command line under corrupt, hostile and wrong input.

Corrupt and truncated .npy/.npz/.mat/DICOM/NIfTI/.pt files, files declaring
huge sizes, pickled payloads (which must never be executed), wrong paths;
the CLI must exit with a non-zero code, a message on stderr and no partial
output files.
"""

import io
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from sparserecovery import cli, compare, imaging

# Errors a loader may raise on a bad file: each is a clear, catchable error
# (the message is checked to name the file or the problem).
LOADER_ERRORS = (ValueError, TypeError, KeyError, OSError)


class _Boom:
    """Unpickling this runs ``os.system`` -- it must never happen."""

    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def _npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def _header_only(header):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def _npz_with(member_name, payload):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(member_name, payload)
    return buf.getvalue()


GOOD = _npy_bytes(np.arange(12.0).reshape(3, 4))

CORRUPT_FILES = {
    "empty.npy": b"",
    "truncated.npy": GOOD[: len(GOOD) - 20],
    "header_only.npy": GOOD[:60],
    "garbage.npy": b"\x93NUMPY\x01\x00garbage" * 3,
    "huge.npy": _header_only({"descr": "<f8", "fortran_order": False,
                              "shape": (10**12,)}),
    "object.npy": _npy_bytes(np.array([1, "a", None], dtype=object)),
    "pickle.npy": pickle.dumps(_Boom()),
    "empty.npz": b"",
    "truncated.npz": _npz_with("image.npy", GOOD)[:-30],
    "notzip.npz": b"PK\x03\x04 this is not a zip file",
    "huge.npz": _npz_with("image.npy", _header_only(
        {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})),
    "pickle.npz": _npz_with("image.npy", _npy_bytes(np.array([_Boom()], object))),
    "empty.mat": b"",
    "garbage.mat": b"MATLAB 5.0 MAT-file" + b"\x00" * 200,
    "truncated.nii": b"\x5c\x01\x00\x00" + b"\x00" * 100,
    "garbage.nii.gz": b"\x1f\x8b\x08\x00garbage",
    "empty.dcm": b"",
    "garbage.dcm": b"\x00" * 128 + b"DICM" + b"\xff" * 50,
    "noext": b"\x00" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\x04\x00",
    "weights.pt": pickle.dumps(_Boom()),
}


@pytest.mark.parametrize("name", sorted(CORRUPT_FILES))
def test_read_array_corrupt_files(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.write_bytes(CORRUPT_FILES[name])
    with pytest.raises(LOADER_ERRORS) as info:
        imaging.read_array(path)
    msg = str(info.value)
    assert name in msg or "format" in msg or "pickle" in msg, msg
    assert not (tmp_path / "PWNED").exists()


def test_read_array_no_pickle(tmp_path, monkeypatch):
    """Object arrays are refused without unpickling them."""
    monkeypatch.chdir(tmp_path)
    for name in ("pickle.npy", "pickle.npz", "object.npy"):
        path = tmp_path / name
        path.write_bytes(CORRUPT_FILES[name])
        with pytest.raises(ValueError):
            imaging.read_array(path)
    assert not (tmp_path / "PWNED").exists()


def test_read_array_wrong_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        imaging.read_array(tmp_path / "missing.npy")
    with pytest.raises(TypeError, match="path"):
        imaging.read_array(3)
    with pytest.raises(ValueError, match="format"):
        (tmp_path / "x.txt").write_text("1 2 3")
        imaging.read_array(tmp_path / "x.txt")
    np.savez(tmp_path / "two.npz", a=np.ones(2), b=np.zeros(2))
    with pytest.raises(ValueError, match="key"):
        imaging.read_array(tmp_path / "two.npz")
    with pytest.raises(KeyError, match="c"):
        imaging.read_array(tmp_path / "two.npz", key="c")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(ValueError, match="DICOM"):
        imaging.read_array(tmp_path / "empty_dir")


def test_read_dicom_ct_corrupt(tmp_path):
    path = tmp_path / "bad.dcm"
    path.write_bytes(CORRUPT_FILES["garbage.dcm"])
    with pytest.raises(LOADER_ERRORS):
        imaging.read_dicom_ct(path)
    with pytest.raises(FileNotFoundError):
        imaging.read_dicom_ct(tmp_path / "missing.dcm")


def test_write_npy_bad_input(tmp_path):
    with pytest.raises(ValueError):
        imaging.write_npy(tmp_path / "obj", np.array([1, None], dtype=object))
    assert not list(tmp_path.iterdir()), "partial output left behind"
    p = imaging.write_npy(tmp_path / "ok", np.arange(3))
    np.testing.assert_array_equal(imaging.read_array(p), np.arange(3))


def test_save_png_bad_input(tmp_path):
    with pytest.raises(ValueError, match="images"):
        imaging.save_png(tmp_path / "a.png", np.ones(3))
    with pytest.raises(ValueError, match="titles"):
        imaging.save_png(tmp_path / "a.png", [np.ones((2, 2))], titles=["a", "b"])
    with pytest.raises(ValueError, match="images"):
        imaging.save_png(tmp_path / "a.png", [])
    assert not list(tmp_path.iterdir()), "partial output left behind"


def test_load_ct_sample_bad_args():
    with pytest.raises(ValueError, match="name"):
        imaging.load_ct_sample("no-such-sample")
    with pytest.raises(ValueError, match="units"):
        imaging.load_ct_sample(units="furlongs")


def test_compare_bad_paths(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(LOADER_ERRORS):
        compare.load_suite(str(missing / "suite_x.py"))
    bad = tmp_path / "suite_bad.py"
    bad.write_text("this is not python (\n")
    with pytest.raises((SyntaxError, ValueError, ImportError)):
        compare.load_suite(str(bad))
    assert compare.discover_suites(str(missing)) == {}


def test_compare_summaries_of_failures():
    """Summaries of runs that all failed (NaN metrics, error rows) do not crash."""
    suites = compare.discover_suites(os.path.join(os.path.dirname(__file__), "..",
                                                  "compare", "suites"))
    if not suites:
        pytest.skip("no test suites found")
    suite = next(iter(suites.values()))
    assert compare.summarize([], suite) is not None
    table = compare.markdown_table(compare.summarize([], suite), suite)
    assert isinstance(table, str)


def _run_cli(args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "sparserecovery.cli", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"},
    )


def _files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


CLI_CASES = {
    "compare-unknown-suite": ["compare", "no_such_suite", "--out", "out"],
    "compare-bad-repeats": ["compare", "--repeats", "0", "--out", "out"],
    "mri-missing-input": ["reconstruct", "mri", "missing.npy", "--out", "out"],
    "mri-corrupt-input": ["reconstruct", "mri", "corrupt.npy", "--out", "out"],
    "mri-wrong-rank": ["reconstruct", "mri", "rank1.npy", "--out", "out"],
    "mri-nan-input": ["reconstruct", "mri", "nan.npy", "--out", "out"],
    "mri-bad-accel": ["reconstruct", "mri", "image.npy", "--accel", "-2",
                      "--out", "out"],
    "ct-missing-input": ["reconstruct", "ct", "missing.npy", "--out", "out"],
    "ct-corrupt-input": ["reconstruct", "ct", "corrupt.npy", "--out", "out"],
    "ct-wrong-rank": ["reconstruct", "ct", "rank1.npy", "--out", "out"],
    "ct-nan-input": ["reconstruct", "ct", "nan.npy", "--out", "out"],
    "ct-bad-views": ["reconstruct", "ct", "image.npy", "--views", "-3",
                     "--out", "out"],
    "sparsify-pickle-pt": ["sparsify", "weights.pt", "--out", "out"],
    "sparsify-corrupt-npz": ["sparsify", "truncated.npz", "--out", "out"],
}


def _write_inputs(tmp_path):
    (tmp_path / "corrupt.npy").write_bytes(CORRUPT_FILES["truncated.npy"])
    (tmp_path / "truncated.npz").write_bytes(CORRUPT_FILES["truncated.npz"])
    (tmp_path / "weights.pt").write_bytes(CORRUPT_FILES["weights.pt"])
    np.save(tmp_path / "rank1.npy", np.ones(7))
    np.save(tmp_path / "image.npy", np.ones((16, 16)))
    nan = np.ones((16, 16))
    nan[3, 4] = np.nan
    np.save(tmp_path / "nan.npy", nan)


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_bad_input(tmp_path, monkeypatch, capsys, case):
    """In-process ``cli.main``: an exception escaping main fails the test."""
    _write_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    try:
        code = cli.main(CLI_CASES[case])
    except SystemExit as exc:  # argparse errors
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code not in (0, None)
    assert err, "no message on stderr"
    assert _files(tmp_path) == before, "partial output files left behind"
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("case", ["mri-corrupt-input", "sparsify-pickle-pt"])
def test_cli_console_exit_code(tmp_path, case):
    """The real console command: non-zero exit, message, no traceback."""
    _write_inputs(tmp_path)
    before = _files(tmp_path)
    proc = _run_cli(CLI_CASES[case], tmp_path)
    assert proc.returncode != 0, proc.stdout[-500:]
    err = proc.stderr.strip()
    assert err and "Traceback" not in err, err[-1500:]
    assert _files(tmp_path) == before, "partial output files left behind"
    assert not (tmp_path / "PWNED").exists()


def test_cli_compare_bad_args(tmp_path):
    """``compare`` through cli.main: argparse errors exit 2, nothing written."""
    with pytest.raises(SystemExit) as info:
        cli.main(["compare", "--repeats", "-1", "--out", str(tmp_path / "o")])
    assert info.value.code == 2
    code = cli.main(["compare", "nosuch", "--suites-dir", str(tmp_path),
                     "--out", str(tmp_path / "o")])
    assert code != 0
    assert not (tmp_path / "o").exists()
