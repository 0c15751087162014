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
