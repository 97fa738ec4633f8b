"""Landing scan, sidecars and run planning, as plain functions."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from sources.landing import LandingError, LandingFile, read_sidecar, scan_landing, sidecar_for
from tests.support import PipelinePaths
from warehouse.connection import connect
from warehouse.schema import migrate
from warehouse.state import plan_run


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_scan_is_recursive_and_ignores_partials_dotfiles_and_sidecars(tmp_path: Path) -> None:
    _touch(tmp_path / "site-a" / "2026-05-01" / "nurse.html")
    _touch(tmp_path / "site-a" / "2026-05-01" / "nurse.meta.json", "{}")
    _touch(tmp_path / "site-b" / "welder.txt")
    _touch(tmp_path / "site-b" / "baker.html.part")
    _touch(tmp_path / "site-b" / "x.tmp")
    _touch(tmp_path / "site-b" / ".DS_Store")
    _touch(tmp_path / ".cache" / "old.html")
    scan = scan_landing(tmp_path)
    assert [f.path for f in scan.files] == ["site-a/2026-05-01/nurse.html", "site-b/welder.txt"]
    assert scan.ignored == [
        ".cache",
        "site-a/2026-05-01/nurse.meta.json",
        "site-b/.DS_Store",
        "site-b/baker.html.part",
        "site-b/x.tmp",
    ]
    assert scan.problems == []
    assert scan.files_seen == 2


def test_links_outside_the_landing_folder_are_problems_not_documents(tmp_path: Path) -> None:
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    secret = _touch(outside / "secret.txt")
    inside = _touch(landing / "real.txt")
    os.symlink(secret, landing / "escape.txt")
    os.symlink(outside, landing / "escape-dir")
    os.symlink(inside, landing / "alias.txt")
    scan = scan_landing(landing)
    assert {p.path: p.reason_code for p in scan.problems} == {
        "escape-dir": "symlink_outside",
        "escape.txt": "symlink_outside",
    }
    assert [f.path for f in scan.files] == ["alias.txt", "real.txt"]


def test_missing_landing_folder_is_an_infrastructure_error(tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="does not exist"):
        scan_landing(tmp_path / "nope")


def test_sidecars(tmp_path: Path) -> None:
    page = _touch(tmp_path / "page.html")
    assert sidecar_for(page) == tmp_path / "page.meta.json"
    assert read_sidecar(page).fetched_at is None
    sidecar_for(page).write_text(
        '{"url": "https://x.example/p", "fetched_at": "2026-04-01T08:00:00Z"}'
    )
    meta = read_sidecar(page)
    assert meta.url == "https://x.example/p"
    assert meta.fetched_at == datetime(2026, 4, 1, 8, tzinfo=UTC)
    sidecar_for(page).write_text('{"fetched_at": "last tuesday"}')
    assert read_sidecar(page).fetched_at is None and "ISO 8601" in read_sidecar(page).note
    sidecar_for(page).write_text("{not json")
    assert read_sidecar(page).note.startswith("sidecar is not valid JSON")


def test_plan_skips_unchanged_and_rereads_changed_stale_or_transient(
    seeded_paths: PipelinePaths,
) -> None:
    paths = seeded_paths
    assert main(["run", "--quiet", *paths.cli_args()]) == 0
    same, changed, stale, flaky, gone = sorted(f.path for f in scan_landing(paths.landing).files)
    grown = paths.landing / changed
    grown.write_bytes(grown.read_bytes() + b"\n")
    (paths.landing / gone).unlink()
    _touch(paths.landing / "seeds" / "new.txt")
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(
            "UPDATE core.documents SET parser_version = 'older' WHERE document_id = "
            "(SELECT document_id FROM core.landing_files WHERE path = ? AND is_current)",
            [stale],
        )
        con.execute(
            "UPDATE core.landing_files SET reason_code = 'unreadable' WHERE path = ?", [flaky]
        )
        files = scan_landing(paths.landing).files
        plan = plan_run(con, files)
        assert [f.path for f in plan.to_process] == sorted([changed, stale, flaky, "seeds/new.txt"])
        assert all(isinstance(f, LandingFile) for f in plan.to_process)
        assert plan.unchanged == 1 and same not in {f.path for f in plan.to_process}
        assert plan.vanished_paths == [gone]
        # Another parser version makes every document stale.
        assert len(plan_run(con, files, parser_version="next").to_process) == len(files)


def test_plan_on_an_empty_warehouse_reads_everything(pipeline_paths: PipelinePaths) -> None:
    for name in ("b.txt", "a/c.html"):
        _touch(pipeline_paths.landing / name)
    files = scan_landing(pipeline_paths.landing).files
    with connect(pipeline_paths.warehouse) as con:
        migrate(con)
        plan = plan_run(con, files)
    assert plan.to_process == files and plan.unchanged == 0 and plan.vanished_paths == []
