"""Published tables: formats, manifest, determinism, CSV safety, atomic publication."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import exports.publish as publish
from exports.publish import (
    EXPORT_FORMATS,
    KEEP_PREVIOUS_VERSIONS,
    POINTER_NAME,
    ExportError,
    publish_exports,
    read_manifest,
    resolve_exports,
    verify_exports,
    versions_dir,
)

GENERATED = datetime(2026, 4, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def tables(export_tables):
    return export_tables


@pytest.fixture
def pub(tables):
    def run(con, exports_dir: Path, run_id: str = "run-1", **kwargs) -> dict:
        options = {
            "tables": tables,
            "run_id": run_id,
            "schema_version": 3,
            "generated_at": GENERATED,
        }
        options.update(kwargs)
        return publish_exports(con, exports_dir, **options)

    return run


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _data_files(directory: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.name != "manifest.json"
    }


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- files + manifest


def test_every_table_in_every_format_with_a_matching_manifest(warehouse, tmp_path, pub, tables):
    out = tmp_path / "exports"
    manifest = pub(warehouse, out)

    assert out.is_symlink() and out.is_dir()
    expected_names = {f"{t}.{f}" for t in tables for f in EXPORT_FORMATS}
    assert set(manifest["files"]) == expected_names
    assert {p.name for p in out.iterdir()} == expected_names | {"manifest.json"}
    assert manifest["schema_version"] == 3
    assert manifest["run_id"] == "run-1"
    assert manifest["generated_at"] == "2026-04-02T06:00:00Z"
    assert read_manifest(out) == manifest
    assert json.loads((out / "manifest.json").read_text()) == manifest

    for name, entry in manifest["files"].items():
        table, fmt = name.rsplit(".", 1)
        assert entry["table"] == table and entry["format"] == fmt
        query = tables[table]
        rel = warehouse.sql(query)
        assert entry["rows"] == len(rel.fetchall())
        assert entry["columns"] == [
            {"name": n, "type": str(t)} for n, t in zip(rel.columns, rel.types, strict=True)
        ]
        assert entry["sha256"] == _sha(out / name)
        assert entry["bytes"] == (out / name).stat().st_size
    assert manifest["files"]["consensus_profiles.csv"]["rows"] == 10
    assert manifest["files"]["assessments.json"]["rows"] == 15  # latest captures only
    assert verify_exports(out) == []


def test_formats_read_back_to_the_same_rows(warehouse, tmp_path, pub, tables):
    out = tmp_path / "exports"
    pub(warehouse, out)
    for table, query in tables.items():
        expected = warehouse.sql(query).df()
        parquet = warehouse.sql(f"SELECT * FROM read_parquet('{out / (table + '.parquet')}')").df()
        assert parquet.equals(expected), table
        records = json.loads((out / f"{table}.json").read_text(encoding="utf-8"))
        assert len(records) == len(expected)
        assert list(records[0]) == list(expected.columns)
        assert len(_csv_rows(out / f"{table}.csv")) == len(expected)


def test_empty_table_is_published_with_zero_rows(warehouse, tmp_path, pub, tables):
    out = tmp_path / "exports"
    manifest = pub(warehouse, out, tables={"source_bias": "SELECT * FROM source_bias WHERE false"})
    assert {e["rows"] for e in manifest["files"].values()} == {0}
    assert json.loads((out / "source_bias.json").read_text()) == []
    assert (out / "source_bias.csv").read_text().startswith("source,offset,")
    assert verify_exports(out) == []


# --------------------------------------------------------------------------- determinism


def test_rerun_on_unchanged_data_is_byte_identical(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    first = pub(warehouse, out, run_id="run-1")
    first_dir = resolve_exports(out)
    first_files = _data_files(first_dir)

    # Other run, other time, other thread count and session time zone: same bytes.
    warehouse.execute("SET threads = 4")
    warehouse.execute("SET SESSION TimeZone = 'America/New_York'")
    second = pub(warehouse, out, run_id="run-2", generated_at=GENERATED + timedelta(days=1))
    second_dir = resolve_exports(out)
    assert second_dir != first_dir
    assert _data_files(second_dir) == first_files
    assert {k: v["sha256"] for k, v in first["files"].items()} == {
        k: v["sha256"] for k, v in second["files"].items()
    }
    assert {k: v for k, v in first.items() if k not in ("generated_at", "run_id")} == {
        k: v for k, v in second.items() if k not in ("generated_at", "run_id")
    }

    warehouse.execute("SET threads = 1")
    pub(warehouse, out, run_id="run-3")
    assert _data_files(resolve_exports(out)) == first_files


def test_timestamps_are_written_in_utc(warehouse, tmp_path, pub, tables):
    warehouse.execute("SET SESSION TimeZone = 'Asia/Tokyo'")
    out = tmp_path / "exports"
    pub(warehouse, out, tables={"assessments": tables["assessments"]})
    rows = json.loads((out / "assessments.json").read_text())
    assert all(r["fetched_at"].endswith("+00") for r in rows)
    assert rows[0]["fetched_at"].startswith("2026-04-01 ")


def test_session_settings_are_restored(warehouse, tmp_path, pub, tables):
    warehouse.execute("SET SESSION TimeZone = 'Asia/Tokyo'")
    warehouse.execute("SET SESSION preserve_insertion_order = false")
    pub(warehouse, tmp_path / "exports")
    assert warehouse.execute(
        "SELECT current_setting('TimeZone'), current_setting('preserve_insertion_order')"
    ).fetchone() == ("Asia/Tokyo", False)
    temp = warehouse.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__riskpipe_export_%'"
    ).fetchone()[0]
    assert temp == 0


# --------------------------------------------------------------------------- CSV safety


def test_csv_is_neutralised_and_parquet_json_are_verbatim(warehouse, tmp_path, pub, hostile_titles):
    out = tmp_path / "exports"
    pub(warehouse, out)

    csv_titles = {
        r["occupation_slug"]: r["occupation"] for r in _csv_rows(out / "consensus_profiles.csv")
    }
    json_titles = {
        r["occupation_slug"]: r["occupation"]
        for r in json.loads((out / "consensus_profiles.json").read_text())
    }
    parquet = pq.read_table(out / "consensus_profiles.parquet").to_pylist()
    parquet_titles = {r["occupation_slug"]: r["occupation"] for r in parquet}

    for slug, title in hostile_titles.items():
        assert json_titles[slug] == title
        assert parquet_titles[slug] == title
        if title[0] in "=+-@\t\r":
            assert csv_titles[slug] == "'" + title, slug
        else:
            assert csv_titles[slug] == title, slug
    assert csv_titles["robert-drop-table-assessments-engineer"] == (
        "Robert'); DROP TABLE assessments;-- Engineer"
    )
    assert csv_titles["machine-learning-engineer"] == "Machine Learning Engineer"

    # Numbers stay numbers: negative offsets are not prefixed.
    bias = {r["source"]: r for r in _csv_rows(out / "source_bias.csv")}
    assert bias["ai_safe_careers"]["offset"] == "-12.0"
    assert bias["ai_safe_careers"]["ci_low"] == "-16.5"
    # A task cell starting with '=' inside another table.
    tasks = [r["canonical_task"] for r in _csv_rows(out / "task_consensus.csv")]
    assert "'=cmd|' /C calc'!A0" in tasks
    # The warehouse itself is untouched.
    assert warehouse.execute("SELECT count(*) FROM assessments").fetchone()[0] == 17


# --------------------------------------------------------------------------- atomic publication


def test_failure_mid_publication_leaves_the_previous_version(warehouse, tmp_path, monkeypatch, pub):
    out = tmp_path / "exports"
    first = pub(warehouse, out, run_id="good")
    before = _data_files(resolve_exports(out))

    real_copy = publish._copy_to
    calls = {"n": 0}

    def failing_copy(con, select_sql, path, options):
        calls["n"] += 1
        if calls["n"] == 3:
            raise duckdb.IOException("IO Error: No space left on device")
        return real_copy(con, select_sql, path, options)

    monkeypatch.setattr(publish, "_copy_to", failing_copy)
    warehouse.execute("UPDATE consensus_profiles SET risk_median = risk_median + 1")
    with pytest.raises(ExportError, match="No space left on device") as info:
        pub(warehouse, out, run_id="bad")
    assert "\n" not in str(info.value)

    assert read_manifest(out) == first
    assert verify_exports(out) == []
    assert _data_files(resolve_exports(out)) == before
    root = versions_dir(out)
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == [
        "000001-good",
        POINTER_NAME,
    ]
    assert not list(root.glob(".staging-*"))


def test_failure_at_the_swap_leaves_the_previous_version(warehouse, tmp_path, monkeypatch, pub):
    out = tmp_path / "exports"
    first = pub(warehouse, out, run_id="good")

    def broken_switch(exports_dir, version):
        raise PermissionError(13, "Permission denied", str(exports_dir))

    monkeypatch.setattr(publish, "_switch_symlink", broken_switch)
    with pytest.raises(ExportError, match="Permission denied"):
        pub(warehouse, out, run_id="bad")
    assert read_manifest(out) == first
    assert verify_exports(out) == []
    assert [p.name for p in versions_dir(out).glob("0*")] == ["000001-good"]


def test_leftovers_of_a_crashed_run_are_cleaned(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    pub(warehouse, out, run_id="one")
    root = versions_dir(out)
    crashed = root / ".staging-crashed"
    crashed.mkdir()
    (crashed / "consensus_profiles.parquet").write_bytes(b"PAR1 half")
    (tmp_path / ".exports.link-deadbeef").symlink_to(crashed)
    assert verify_exports(out) == []  # readers never see the staging directory

    pub(warehouse, out, run_id="two")
    assert not crashed.exists()
    assert not (tmp_path / ".exports.link-deadbeef").is_symlink()
    assert read_manifest(out)["run_id"] == "two"


def test_old_versions_are_pruned(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    for i in range(5):
        pub(warehouse, out, run_id=f"run/{i}")  # '/' is not kept in a directory name
    root = versions_dir(out)
    versions = sorted(p.name for p in root.glob("0*"))
    assert versions == ["000003-run_2", "000004-run_3", "000005-run_4"]
    assert len(versions) == KEEP_PREVIOUS_VERSIONS + 1
    assert os.readlink(out) == os.path.join(".exports.versions", "000005-run_4")
    assert (root / POINTER_NAME).read_text().strip() == "000005-run_4"
    assert read_manifest(out)["run_id"] == "run/4"


def test_a_directory_made_by_hand_is_moved_aside(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "notes.txt").write_text("kept")
    pub(warehouse, out)
    assert out.is_symlink() and verify_exports(out) == []
    aside = list(versions_dir(out).glob("preexisting-*"))
    assert len(aside) == 1 and (aside[0] / "notes.txt").read_text() == "kept"
    for i in range(4):  # never pruned
        pub(warehouse, out, run_id=f"again-{i}")
    assert aside[0].exists()


def test_a_regular_file_in_the_way_is_an_error(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    out.write_text("not a directory")
    with pytest.raises(ExportError, match="not a directory"):
        pub(warehouse, out)
    assert out.read_text() == "not a directory"


def test_parent_under_a_regular_file_is_an_export_error(warehouse, tmp_path, pub):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    before = sorted(tmp_path.iterdir())
    for out in (blocker / "exports", blocker / "deeper" / "exports"):
        with pytest.raises(ExportError) as info:
            pub(warehouse, out)
        message = str(info.value)
        assert "\n" not in message and str(out) in message
    assert blocker.read_text() == "a file"
    assert sorted(tmp_path.iterdir()) == before


def test_non_writable_parent_is_an_export_error(warehouse, tmp_path, pub):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        probe = parent / "probe"
        try:
            probe.write_text("x")
        except PermissionError:
            pass
        else:  # root (or a filesystem ignoring modes): chmod does not stop writes
            probe.unlink()
            pytest.skip("permission bits are not enforced for this user")
        with pytest.raises(ExportError, match="not writable"):
            pub(warehouse, parent / "exports")
        assert list(parent.iterdir()) == []
    finally:
        parent.chmod(0o755)


def test_invalid_requests_are_refused_before_writing(warehouse, tmp_path, pub, tables):
    out = tmp_path / "exports"
    first = pub(warehouse, out)
    with pytest.raises(ValueError, match="export name"):
        pub(warehouse, out, tables={"../evil": "SELECT 1"})
    with pytest.raises(ValueError, match="timezone-aware"):
        pub(warehouse, out, generated_at=datetime(2026, 4, 2))
    with pytest.raises(ExportError, match="exactly one SELECT"):
        pub(warehouse, out, tables={"x": "SELECT 1; DROP TABLE source_bias"})
    with pytest.raises(ExportError, match="exactly one SELECT"):
        pub(warehouse, out, tables={"x": "DELETE FROM source_bias"})
    assert warehouse.execute("SELECT count(*) FROM source_bias").fetchone()[0] == 6
    assert read_manifest(out) == first and verify_exports(out) == []


def test_pointer_file_serves_readers_without_symlinks(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    manifest = pub(warehouse, out)
    version = resolve_exports(out)
    out.unlink()  # e.g. a copy of the tree on a system that dropped the symlink
    assert resolve_exports(out) == version
    assert read_manifest(out) == manifest
    assert verify_exports(out) == []
    (versions_dir(out) / POINTER_NAME).unlink()
    with pytest.raises(ExportError, match="no published exports"):
        read_manifest(out)
    assert verify_exports(out) == [f"no published exports at {out}"]


def test_readers_never_see_a_mix_of_two_runs(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    pub(warehouse, out, run_id="run-0")
    problems: list[str] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            version = resolve_exports(out)  # resolve once, then read from it
            manifest = json.loads((version / "manifest.json").read_text())
            for name, entry in manifest["files"].items():
                if _sha(version / name) != entry["sha256"]:
                    problems.append(f"{version.name}/{name}")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 5):
            warehouse.execute("UPDATE source_bias SET n_occupations = n_occupations + 1")
            pub(warehouse, out, run_id=f"run-{i}")
    finally:
        stop.set()
        thread.join()
    assert problems == []


# --------------------------------------------------------------------------- verify


def test_verify_reports_missing_changed_and_unexpected_files(warehouse, tmp_path, pub):
    out = tmp_path / "exports"
    pub(warehouse, out)
    version = resolve_exports(out)
    (version / "source_bias.json").unlink()
    with open(version / "task_consensus.csv", "a", encoding="utf-8") as fh:
        fh.write("extra,row\n")
    (version / "stray.txt").write_text("?")
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["files"]["salary_consensus.parquet"]["rows"] = 99
    (version / "manifest.json").write_text(json.dumps(manifest))

    problems = verify_exports(out)
    assert "source_bias.json: missing file" in problems
    assert any(p.startswith("task_consensus.csv: checksum mismatch") for p in problems)
    assert any(p.startswith("task_consensus.csv: row count mismatch") for p in problems)
    assert any(p.startswith("task_consensus.csv: size") for p in problems)
    assert any(p.startswith("salary_consensus.parquet: row count mismatch") for p in problems)
    assert "stray.txt: unexpected file not in the manifest" in problems
    assert len(problems) == 6


def test_verify_without_any_publication(tmp_path):
    assert verify_exports(tmp_path / "exports") == [
        f"no published exports at {tmp_path / 'exports'}"
    ]


def test_permission_denied_on_the_parent_is_an_export_error(warehouse, tmp_path, monkeypatch, pub):
    """What a read-only parent gives for any user (root included), simulated."""

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".exports.probe-x"))

    monkeypatch.setattr(publish.tempfile, "mkstemp", denied)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(ExportError, match=r"is not writable .*Permission denied"):
        pub(warehouse, tmp_path / "exports")
    assert sorted(tmp_path.iterdir()) == before
