"""The `riskpipe` command on the bundled samples: the public contract of issue #2."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.settings import Paths, default_path
from tests.support import SAMPLES_DIR, SEED_EXPECTED, PipelinePaths

SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_samples_are_the_real_captures_verbatim() -> None:
    names = sorted(p.name for p in SAMPLES_DIR.iterdir())
    assert len(names) == 5
    if not SHARED_SEEDS.is_dir():
        pytest.skip("the shared seed folder is not beside this checkout")
    for name in names:
        assert (SAMPLES_DIR / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


def test_run_on_samples_gives_the_documented_scores_and_consensus(
    seeded_paths: PipelinePaths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", *seeded_paths.cli_args()]) == 0
    out = capsys.readouterr().out

    rows = _query(
        seeded_paths.warehouse,
        "SELECT source, occupation, raw_value, scale_max, polarity, risk_score, label "
        "FROM assessments ORDER BY source",
    )
    got = {r[0]: (r[2], r[3], r[4], round(r[5], 6), r[6]) for r in rows}
    assert got == SEED_EXPECTED
    assert {r[1] for r in rows} == {"Machine Learning Engineer"}

    (profile,) = _query(
        seeded_paths.warehouse,
        "SELECT occupation, occupation_slug, n_sources, risk_median, risk_mean, risk_min, risk_max "
        "FROM consensus_profiles",
    )
    assert profile[:3] == ("Machine Learning Engineer", "machine-learning-engineer", 5)
    assert profile[3] == pytest.approx(32.0)
    assert profile[4] == pytest.approx(30.4)
    assert (profile[5], profile[6]) == (pytest.approx(10.0), pytest.approx(48.0))

    statuses = _query(seeded_paths.warehouse, "SELECT status, count(*) FROM documents GROUP BY 1")
    assert statuses == [("loaded", 5)]
    assert "Files seen 5 = loaded 5 + duplicate 0 + quarantined 0 (ok)" in out
    for source in SEED_EXPECTED:
        assert source in out


def test_exports_and_manifest_checksums(seeded_paths: PipelinePaths) -> None:
    assert main(["run", *seeded_paths.cli_args()]) == 0
    exports = seeded_paths.exports
    for fmt in ("parquet", "csv", "json"):
        assert (exports / f"consensus_profiles.{fmt}").is_file()
    manifest = json.loads((exports / "manifest.json").read_text())
    assert manifest["schema_version"] >= 1
    assert manifest["generated_at"]
    assert manifest["run_id"]
    assert "consensus_profiles.parquet" in manifest["files"]
    for name, info in manifest["files"].items():
        data = (exports / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], name
    assert manifest["files"]["consensus_profiles.csv"]["rows"] == 1
    assert (seeded_paths.report / "index.html").is_file()


def test_flags_override_environment_which_overrides_defaults(
    seeded_paths: PipelinePaths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Paths.from_env().warehouse == default_path("RISKPIPE_WAREHOUSE")
    monkeypatch.setenv("RISKPIPE_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert Paths.from_env().warehouse == tmp_path / "env.duckdb"
    assert Paths.from_env(warehouse=str(tmp_path / "flag.duckdb")).warehouse == (
        tmp_path / "flag.duckdb"
    )

    monkeypatch.setenv("RISKPIPE_LANDING", str(seeded_paths.landing))
    monkeypatch.setenv("RISKPIPE_EXPORTS", str(seeded_paths.exports))
    monkeypatch.setenv("RISKPIPE_REPORT", str(seeded_paths.report))
    assert main(["run", "--quiet"]) == 0
    assert (tmp_path / "env.duckdb").is_file()
    assert _query(tmp_path / "env.duckdb", "SELECT count(*) FROM assessments") == [(5,)]


def test_missing_landing_folder_fails_with_one_line_reason(
    pipeline_paths: PipelinePaths, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(pipeline_paths.landing)
    assert main(["run", *pipeline_paths.cli_args()]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "landing folder" in err and "does not exist" in err


def test_report_command_rebuilds_the_report(seeded_paths: PipelinePaths, tmp_path: Path) -> None:
    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0
    out = tmp_path / "again"
    assert main(["report", "--warehouse", str(seeded_paths.warehouse), "--out", str(out)]) == 0
    assert "Machine Learning Engineer" in (out / "index.html").read_text()


def test_report_command_makes_the_next_run_rebuild_its_folder(
    seeded_paths: PipelinePaths,
) -> None:
    from exports.stamps import read_stamp

    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0
    assert read_stamp(seeded_paths.report)  # a run stamps the folder it built
    report_args = ["report", "--warehouse", str(seeded_paths.warehouse)]
    assert main([*report_args, "--out", str(seeded_paths.report)]) == 0
    assert read_stamp(seeded_paths.report) is None  # built by hand: not known as current
    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0
    assert read_stamp(seeded_paths.report)


@pytest.mark.slow
def test_the_console_script_exits_quickly_yet_completely(
    pipeline_paths: PipelinePaths, tmp_path: Path
) -> None:
    """``riskpipe`` skips the interpreter's teardown (``exit_now``): its output must still
    arrive whole through a pipe, exit handlers must still run (the parse workers' pool
    leaves no warning behind), and the exit code must be main's."""
    import os
    import subprocess
    import sys

    from benchmarks.pagegen import generate_landing

    generate_landing(pipeline_paths.landing, 80, seed=3, truth_path=tmp_path / "truth.jsonl")
    script = Path(sys.executable).with_name("riskpipe")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("RISKPIPE_") and k != "PYTHONUNBUFFERED"  # stdout: block-buffered
    }
    env["RISKPIPE_WORKERS"] = "2"  # 80 files: the run forks parse workers
    done = subprocess.run(
        [str(script), "run", *pipeline_paths.cli_args()],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Documents read in this run (")
    assert lines[-1] == f"Report:    {pipeline_paths.report}"  # the last line was flushed
    with duckdb.connect(str(pipeline_paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] > 0

    shutil.rmtree(pipeline_paths.landing)
    failed = subprocess.run(
        [str(script), "run", "--quiet", *pipeline_paths.cli_args()],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith("riskpipe: run failed:") and failed.stdout == ""


def test_a_run_hands_frozen_objects_back_to_the_cycle_collector(
    seeded_paths: PipelinePaths,
) -> None:
    """``run_pipeline`` freezes what is loaded while it runs; a caller that goes on (a
    notebook, this test process) must get a collector that sees everything again."""
    import gc

    assert gc.get_freeze_count() == 0
    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0
    assert gc.get_freeze_count() == 0
    shutil.rmtree(seeded_paths.landing)
    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 1  # a failed run too
    assert gc.get_freeze_count() == 0
