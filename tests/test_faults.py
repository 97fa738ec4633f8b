"""Faults: a killed run, two runs at once, an analyst holding the file, unwritable exports.

These start real processes (`python -m pipelines.cli run`), kill them with SIGKILL
and check that the warehouse stays consistent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from benchmarks.pagegen import generate_landing
from pipelines.cli import main
from tests.support import REPO_ROOT, PipelinePaths
from warehouse.checksums import table_checksums

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKPIPE_")}
    env.update({"RISKPIPE_WORKERS": "1", **extra})
    return env


def _start(paths: PipelinePaths, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--quiet", *paths.cli_args()],
        cwd=REPO_ROOT,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.05)


@pytest.fixture
def generated(pipeline_paths: PipelinePaths, tmp_path: Path) -> PipelinePaths:
    generate_landing(pipeline_paths.landing, 120, seed=7, truth_path=tmp_path / "truth.jsonl")
    return pipeline_paths


def _consistency(paths: PipelinePaths) -> dict[str, tuple[int, str]]:
    """Asserts the invariants of a consistent warehouse; returns content checksums."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        for table in ("documents", "assessments"):
            dupes = con.execute(
                f"SELECT count(*) - count(DISTINCT document_id) FROM core.{table}"
            ).fetchone()[0]
            assert dupes == 0, f"duplicate documents in core.{table}"
        per_path = con.execute(
            "SELECT count(*) FROM (SELECT path FROM core.landing_files WHERE is_current "
            "GROUP BY path HAVING count(*) > 1)"
        ).fetchone()[0]
        assert per_path == 0
        files_seen, loaded, duplicate, quarantined = con.execute(
            "SELECT files_seen, loaded, duplicate, quarantined FROM core.runs "
            "ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
        assert files_seen == loaded + duplicate + quarantined
        orphans = con.execute(
            "SELECT count(*) FROM core.assessments WHERE document_id NOT IN "
            "(SELECT document_id FROM core.documents WHERE status = 'loaded')"
        ).fetchone()[0]
        assert orphans == 0
        sums = table_checksums(con)
    return {k: v for k, v in sums.items() if k not in ("documents", "landing_files")}


def test_sigkill_mid_run_then_rerun_is_consistent(generated: PipelinePaths, tmp_path: Path):
    clean = PipelinePaths(
        generated.landing, tmp_path / "clean.duckdb", tmp_path / "cx", tmp_path / "cr"
    )
    assert main(["run", "--quiet", *clean.cli_args()]) == 0
    expected = _consistency(clean)

    staging = generated.warehouse.with_name(generated.warehouse.name + ".staging")
    # Kill once while parsing, once when the batches are staged for loading.
    for marker in ("files", "normalised"):
        proc = _start(generated)
        _wait_for(lambda m=marker, p=proc: any(staging.glob(f"*/{m}")) or p.poll() is not None)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    rerun = _start(generated)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert _consistency(generated) == expected
    assert not any(staging.glob("*/files"))  # the crashed runs' batches were cleaned up


def test_two_concurrent_runs_one_waits_the_warehouse_stays_valid(generated: PipelinePaths):
    first = _start(generated, RISKPIPE_LOCK_TIMEOUT="300")
    runlock = generated.warehouse.with_name(generated.warehouse.name + ".runlock")
    _wait_for(lambda: runlock.exists() and runlock.read_text().strip() == str(first.pid))
    second = _start(generated, RISKPIPE_LOCK_TIMEOUT="300")
    impatient = _start(generated, RISKPIPE_LOCK_TIMEOUT="0")
    _, err = impatient.communicate(timeout=300)
    assert impatient.returncode == 1
    assert err.strip().startswith("riskpipe: run failed: another riskpipe run")
    assert len(err.strip().splitlines()) == 1
    for proc in (first, second):
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    _consistency(generated)
    with duckdb.connect(str(generated.warehouse), read_only=True) as con:
        processed = [r[0] for r in con.execute("SELECT files_processed FROM core.runs").fetchall()]
    assert sorted(processed)[0] == 0  # the waiting run found everything already loaded


def test_analyst_holding_the_file_makes_the_run_fail_clearly(seeded_paths: PipelinePaths):
    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(60)",
            str(seeded_paths.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        proc = _start(seeded_paths, RISKPIPE_LOCK_TIMEOUT="1")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 1
        assert "locked by another process" in err and "analyst" in err
        assert len(err.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0


def test_unwritable_exports_fail_clearly_and_leave_the_warehouse_valid(
    seeded_paths: PipelinePaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the exports folder's parent should be")
    paths = PipelinePaths(
        seeded_paths.landing, seeded_paths.warehouse, blocker / "exports", seeded_paths.report
    )
    assert main(["run", *paths.cli_args()]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "export" in err.lower()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM assessments").fetchone()[0] == 5
        assert con.execute("SELECT n_sources FROM consensus_profiles").fetchone()[0] == 5


def _descendants(pid: int) -> set[int]:
    """Live processes below ``pid`` (from /proc; zombies count as gone)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            children.setdefault(int(ppid), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_parse_workers_exit_when_the_run_is_killed(pipeline_paths: PipelinePaths, tmp_path: Path):
    generate_landing(pipeline_paths.landing, 600, seed=8, truth_path=tmp_path / "truth.jsonl")
    proc = _start(pipeline_paths, RISKPIPE_WORKERS="2")
    # The fork server and its two workers (and multiprocessing's resource tracker).
    _wait_for(lambda: len(_descendants(proc.pid)) >= 3 or proc.poll() is not None)
    assert proc.poll() is None, "the run ended before its parse workers were seen"
    left = _descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def gone() -> bool:
        return not any(_descendants(1) & left)

    _wait_for(gone, timeout=20.0)
