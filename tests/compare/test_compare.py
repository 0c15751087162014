from pathlib import Path

import numpy as np
import pytest

from sparserecovery.cli import main
from sparserecovery.compare import (
    discover_suites,
    markdown_table,
    run_grid,
    summarize,
    write_outputs,
)

SUITES = Path(__file__).parent / "suites"


def _strip_times(rows):
    drop = {"seconds", "seconds_min", "seconds_max"}
    return [{k: v for k, v in r.items() if k not in drop} for r in rows]


def test_setup_failure_is_reported_not_fatal():
    suites = [discover_suites(SUITES)["badsetup"]]
    rows = run_grid(suites, repeats=1, progress=False)
    status = {r["case"]: r["status"] for r in rows}
    assert status == {"good": "ok", "bad": "error"}
    bad = next(r for r in rows if r["case"] == "bad")
    assert "setup failed: RuntimeError: cannot build this case" in bad["message"]


def test_grid_in_process_writes_report(tmp_path):
    suites = [discover_suites(SUITES)["toy"]]
    rows = run_grid(suites, quick=True, repeats=2, progress=False)
    by_status = {r["method"]: r["status"] for r in rows}
    assert by_status == {
        "lstsq": "ok",
        "normal_eq": "ok",
        "missing_peer": "skipped",
        "broken": "error",
    }
    skipped = next(r for r in rows if r["method"] == "missing_peer")
    assert "not_a_real_package_xyz" in skipped["message"]
    assert len(rows) == 4 * 4  # 2 sizes x 2 seeds x 4 methods
    ok = [r for r in rows if r["status"] == "ok"]
    assert all(r["residual"] < 1e-8 and r["seconds"] > 0 for r in ok)

    summ = summarize(rows, suites[0])
    peer_rows = [e for e in summ if e["method"] == "lstsq"]
    assert all(e["time_ratio"] == pytest.approx(1.0) for e in peer_rows)
    table = markdown_table(summ, suites[0])
    assert "| n=5 | normal_eq |" in table and "skipped" in table

    out = write_outputs(rows, suites, tmp_path)
    assert out["csv"].read_text().count("\n") == len(rows) + 1
    assert "Machine: cpu" in out["report"].read_text()
    assert len(out["figures"]) == 2
    from matplotlib.image import imread

    for p in out["figures"]:
        img = imread(p)
        assert img.shape[0] > 100 and img.shape[1] > 100
        assert np.std(img) > 0  # not a blank canvas


def test_grid_on_dask_matches_in_process():
    pytest.importorskip("distributed")
    suites = list(discover_suites(SUITES).values())  # toy and badsetup
    local = run_grid(suites, quick=True, repeats=1, progress=False)
    dask = run_grid(suites, quick=True, repeats=1, workers=2, progress=False)
    assert _strip_times(local) == _strip_times(dask)


def test_cli(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                "--suites-dir",
                str(SUITES),
                "--quick",
                "--repeats",
                "1",
                "--out",
                str(tmp_path),
                "--no-figures",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Toy least squares" in out and "report:" in out
    assert (tmp_path / "report.md").exists()
    assert main(["compare", "--suites-dir", str(SUITES), "--list"]) == 0
    assert "toy" in capsys.readouterr().out


def test_cli_errors(tmp_path, capsys):
    assert main(["compare", "nope", "--suites-dir", str(SUITES)]) == 2
    assert "unknown suite(s) nope" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--repeats", "0"])
    assert exc.value.code == 2
    assert "--repeats must be >= 1" in capsys.readouterr().err
    assert main(["compare", "--suites-dir", str(tmp_path)]) == 0
    assert "no comparison suites yet" in capsys.readouterr().out
    pytest.importorskip("distributed")
    code = main(
        [
            "compare",
            "--suites-dir",
            str(SUITES),
            "--quick",
            "--scheduler",
            "tcp://127.0.0.1:1",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "sparserecovery 0.1" in capsys.readouterr().out
