"""The console command wires every subcommand."""

import numpy as np
import pytest

from sparserecovery.cli import main


def test_help_lists_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "compare" in out and "reconstruct" in out


@pytest.mark.parametrize(
    ("modality", "extra"),
    [("ct", ["--views", "12", "--max-iter", "5"]), ("mri", ["--accel", "4"])],
)
def test_reconstruct_end_to_end(tmp_path, modality, extra, capsys):
    from sparserecovery.imaging import shepp_logan

    src = tmp_path / "img.npy"
    np.save(src, shepp_logan(48))
    out = tmp_path / "rec"
    code = main(["reconstruct", modality, str(src), "--out", str(out), *extra])
    assert code == 0
    rec = np.load(str(out) + ".npy")
    assert rec.shape == (48, 48) and np.all(np.isfinite(rec))
    assert (tmp_path / "rec.png").stat().st_size > 1000
    assert "PSNR" in capsys.readouterr().out


def test_reconstruct_needs_modality(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["reconstruct"])
    assert exc.value.code == 2


def test_reconstruct_missing_input(tmp_path, capsys):
    code = main(
        ["reconstruct", "ct", str(tmp_path / "nope.npy"), "--out", str(tmp_path / "o")]
    )
    assert code != 0


def _weights_npz(path, rng):
    np.savez(path, **{"fc1.weight": rng.standard_normal((8, 12)),
                      "fc1.bias": rng.standard_normal(8),
                      "fc2.weight": rng.standard_normal((4, 8))})


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--method", "nm", "--n", "2", "--m", "4"],
         lambda w: np.all(np.count_nonzero(w.reshape(-1, 4), axis=1) == 2)),
        (["--method", "magnitude", "--sparsity", "0.75"],
         lambda w: np.count_nonzero(w) == w.size // 4),
        (["--method", "group", "--sparsity", "0.5"],
         lambda w: np.count_nonzero(np.any(w != 0, axis=1)) == w.shape[0] // 2),
    ],
)
def test_sparsify_npz(tmp_path, rng, args, check, capsys):
    src, out = tmp_path / "w.npz", tmp_path / "out.npz"
    _weights_npz(src, rng)
    assert main(["sparsify", str(src), *args, "--out", str(out)]) == 0
    with np.load(out, allow_pickle=False) as res, np.load(src) as orig:
        assert set(res.files) == set(orig.files)
        assert np.array_equal(res["fc1.bias"], orig["fc1.bias"])
        for k in ("fc1.weight", "fc2.weight"):
            assert check(res[k])
    assert "global" in capsys.readouterr().out


def test_sparsify_reconstruct_with_calibration(tmp_path, rng, capsys):
    src, out, cal = tmp_path / "w.npz", tmp_path / "out.npz", tmp_path / "cal.npz"
    _weights_npz(src, rng)
    np.savez(cal, **{"fc1.weight": rng.standard_normal((50, 12))})
    code = main(["sparsify", str(src), "--method", "reconstruct", "--sparsity", "0.5",
                 "--calibration", str(cal), "--layers", "fc1.weight",
                 "--out", str(out)])
    assert code == 0
    with np.load(out) as res:
        assert np.count_nonzero(res["fc1.weight"]) == 48
    assert "rel. error" in capsys.readouterr().out


def test_sparsify_torch_state_dict(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    sd = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 4)).state_dict()
    src, out = tmp_path / "w.pt", tmp_path / "out.pt"
    torch.save(sd, src)
    assert main(["sparsify", str(src), "--method", "nm", "--out", str(out)]) == 0
    res = torch.load(out, weights_only=True)
    assert int((res["0.weight"] != 0).sum()) == 32
    assert torch.equal(res["0.bias"], sd["0.bias"])


@pytest.mark.parametrize("name", ["bad.npz", "bad.pt"])
def test_sparsify_corrupt_file_leaves_no_output(tmp_path, name, capsys):
    if name.endswith(".pt"):
        pytest.importorskip("torch")
    src = tmp_path / name
    src.write_bytes(b"this is not a weights file")
    out = tmp_path / "out.npz"
    assert main(["sparsify", str(src), "--out", str(out)]) != 0
    assert "cannot read" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [src]


def test_sparsify_bad_arguments(tmp_path, rng, capsys):
    src = tmp_path / "w.npz"
    _weights_npz(src, rng)
    out = tmp_path / "o.npz"
    # 12 and 8 inputs are not multiples of 5
    assert main(["sparsify", str(src), "--method", "nm", "--n", "2", "--m", "5",
                 "--out", str(out)]) != 0
    assert "multiple of m=5" in capsys.readouterr().err
    assert main(["sparsify", str(src), "--method", "nm", "--n", "4", "--m", "4",
                 "--out", str(out)]) != 0
    assert "n must be < m" in capsys.readouterr().err
    assert main(["sparsify", str(src), "--method", "reconstruct",
                 "--out", str(out)]) != 0
    assert "--calibration" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sparsify", str(src), "--sparsity", "1.5", "--out", str(out)])
    assert not out.exists()
    assert main(["sparsify", str(tmp_path / "missing.npz"), "--out", str(out)]) != 0


def test_help_lists_sparsify(capsys):
    assert main([]) == 0
    assert "sparsify" in capsys.readouterr().out
