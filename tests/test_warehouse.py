"""Warehouse behaviour: idempotent reruns, duplicates, history, the data dictionary."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.support import REPO_ROOT, SAMPLES_DIR, PipelinePaths
from warehouse.checksums import table_checksums
from warehouse.dictionary import documented, view_columns
from warehouse.schema import SCHEMA_VERSION

JOBISQUE = SAMPLES_DIR / "001_0728e555b7adc017.txt"


def _run(paths: PipelinePaths) -> None:
    assert main(["run", "--quiet", *paths.cli_args()]) == 0


def _con(paths: PipelinePaths) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(paths.warehouse), read_only=True)


def _exports(paths: PipelinePaths) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(paths.exports.iterdir()) if p.is_file()}


def _write_capture(path: Path, text: str, fetched_at: str, url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.with_name(path.stem + ".meta.json").write_text(
        json.dumps({"url": url, "fetched_at": fetched_at})
    )


def test_unchanged_rerun_parses_nothing_and_changes_nothing(seeded_paths: PipelinePaths) -> None:
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        before = table_checksums(con)
    exports_before = _exports(seeded_paths)

    _run(seeded_paths)
    with _con(seeded_paths) as con:
        after = table_checksums(con)
        runs = con.execute("SELECT files_processed FROM core.runs ORDER BY started_at").fetchall()
    assert runs == [(5,), (0,)]
    assert after == before
    assert before["assessments"][0] == 5
    exports_after = _exports(seeded_paths)
    assert exports_after.keys() == exports_before.keys()
    for name, data in exports_before.items():
        if name != "manifest.json":
            assert exports_after[name] == data, name
    manifest_before = json.loads(exports_before["manifest.json"])
    manifest_after = json.loads(exports_after["manifest.json"])
    for volatile in ("generated_at", "run_id"):
        manifest_before.pop(volatile)
        manifest_after.pop(volatile)
    assert manifest_after == manifest_before


def test_exports_and_report_are_rebuilt_only_when_the_data_or_files_change(
    seeded_paths: PipelinePaths,
) -> None:
    from exports.publish import read_manifest, resolve_exports, verify_exports

    _run(seeded_paths)
    first = resolve_exports(seeded_paths.exports)
    index = seeded_paths.report / "index.html"
    report_bytes = index.read_bytes()
    assert read_manifest(seeded_paths.exports)["data_version"]

    _run(seeded_paths)  # nothing changed: the same published version, the same report file
    assert resolve_exports(seeded_paths.exports) == first
    assert index.read_bytes() == report_bytes  # its "generated" time would differ if rebuilt

    (first / "source_bias.csv").unlink()  # a damaged publication is replaced
    index.unlink()
    _run(seeded_paths)
    second = resolve_exports(seeded_paths.exports)
    assert second != first and verify_exports(seeded_paths.exports) == []
    assert index.is_file()

    page = next(p for p in sorted(seeded_paths.landing.rglob("*")) if p.is_file())
    page.write_text(page.read_text(encoding="utf-8").replace("Machine", "Machine  "))
    _run(seeded_paths)  # new data (a changed capture): published again
    third = resolve_exports(seeded_paths.exports)
    assert third != second
    assert (
        read_manifest(seeded_paths.exports)["data_version"] != read_manifest(second)["data_version"]
    )


def test_byte_and_text_duplicates_are_recorded_not_loaded(seeded_paths: PipelinePaths) -> None:
    _run(seeded_paths)
    site = seeded_paths.landing / "mirror" / "2026-05-02"
    site.mkdir(parents=True)
    shutil.copy2(JOBISQUE, site / "copy.txt")
    crlf = JOBISQUE.read_bytes().replace(b"\n", b"\r\n") + b"\r\n\r\n"
    (site / "crlf.txt").write_bytes(crlf)
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        rows = con.execute(
            "SELECT path, status, reason_code, duplicate_of FROM documents "
            "WHERE path LIKE 'mirror/%' ORDER BY path"
        ).fetchall()
        original = con.execute(
            "SELECT document_id FROM documents WHERE path = 'seeds/001_0728e555b7adc017.txt'"
        ).fetchone()[0]
        n_assessments = con.execute("SELECT count(*) FROM assessments").fetchone()[0]
        n_sources = con.execute("SELECT n_sources FROM consensus_profiles").fetchone()[0]
    assert rows == [
        ("mirror/2026-05-02/copy.txt", "duplicate", "duplicate_bytes", original),
        ("mirror/2026-05-02/crlf.txt", "duplicate", "duplicate_text", original),
    ]
    assert n_assessments == 5
    assert n_sources == 5


def test_duplicates_within_one_run_keep_the_first_path_in_order(
    pipeline_paths: PipelinePaths,
) -> None:
    for folder in ("a-site", "b-site"):
        (pipeline_paths.landing / folder).mkdir()
        shutil.copy2(JOBISQUE, pipeline_paths.landing / folder / "page.txt")
    _run(pipeline_paths)
    with _con(pipeline_paths) as con:
        rows = con.execute("SELECT path, status FROM documents ORDER BY path").fetchall()
    assert rows == [("a-site/page.txt", "loaded"), ("b-site/page.txt", "duplicate")]


def test_recaptures_stay_in_history_and_the_latest_feeds_the_consensus(
    seeded_paths: PipelinePaths,
) -> None:
    url = "https://jobisque.example/will-ai-replace-machine-learning-engineers"
    text = JOBISQUE.read_text(encoding="utf-8")
    first = seeded_paths.landing / "seeds" / "001_0728e555b7adc017.txt"
    _write_capture(first, text, "2026-04-01T08:00:00Z", url)
    _run(seeded_paths)

    later = text.replace("48/100", "60/100")
    assert later != text
    _write_capture(
        seeded_paths.landing / "jobisque" / "2026-05-01" / "mle.txt",
        later,
        "2026-05-01T08:00:00Z",
        url,
    )
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        history = con.execute(
            "SELECT raw_score, risk_score, is_latest FROM assessments "
            "WHERE source = 'jobisque' ORDER BY fetched_at"
        ).fetchall()
        changes = con.execute(
            "SELECT previous_raw_score, raw_score, change FROM score_changes"
        ).fetchall()
        profile = con.execute(
            "SELECT n_sources, n_documents, risk_median, risk_mean FROM consensus_profiles"
        ).fetchone()
        latest_score = con.execute(
            "SELECT risk_score FROM source_scores WHERE source = 'jobisque'"
        ).fetchone()[0]
    assert history == [("48/100", 48.0, False), ("60/100", 60.0, True)]
    assert changes == [("48/100", "60/100", 12.0)]
    assert latest_score == 60.0
    # Latest scores 32, 60, 40, 10, 22: median 32, mean 32.8; six documents in all.
    assert profile[0] == 5 and profile[1] == 6
    assert profile[2] == pytest.approx(32.0)
    assert profile[3] == pytest.approx(32.8)


def test_captures_fetched_at_the_same_instant_agree_on_the_latest(
    seeded_paths: PipelinePaths,
) -> None:
    """The smallest document_id wins a tie, in the views and in the consensus alike."""
    url = "https://jobisque.example/will-ai-replace-machine-learning-engineers"
    text = JOBISQUE.read_text(encoding="utf-8")
    (seeded_paths.landing / "seeds" / "001_0728e555b7adc017.txt").unlink()
    for name, score in (("a.txt", "48/100"), ("b.txt", "60/100")):
        _write_capture(
            seeded_paths.landing / "jobisque" / name,
            text.replace("48/100", score),
            "2026-05-01T08:00:00Z",
            url,
        )
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        latest = con.execute(
            "SELECT min(document_id), arg_min(risk_score, document_id) FROM assessments "
            "WHERE source = 'jobisque'"
        ).fetchall()[0]
        in_view = con.execute(
            "SELECT document_id FROM assessments WHERE source = 'jobisque' AND is_latest"
        ).fetchall()
        used = con.execute(
            "SELECT document_id, risk_score FROM source_scores WHERE source = 'jobisque'"
        ).fetchall()
        details = con.execute(
            "SELECT DISTINCT document_id FROM task_mentions WHERE source = 'jobisque' AND is_latest"
        ).fetchall()
    assert in_view == [(latest[0],)]
    assert used == [(latest[0], latest[1])]
    assert details == [(latest[0],)]


def test_replaced_file_content_is_a_new_capture_and_old_row_is_not_current(
    seeded_paths: PipelinePaths,
) -> None:
    path = seeded_paths.landing / "seeds" / "001_0728e555b7adc017.txt"
    _run(seeded_paths)
    path.write_text(JOBISQUE.read_text(encoding="utf-8").replace("48/100", "52/100"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        rows = con.execute(
            "SELECT is_current, status FROM documents WHERE path = ? ORDER BY is_current",
            ["seeds/001_0728e555b7adc017.txt"],
        ).fetchall()
        files_seen = con.execute(
            "SELECT files_seen, loaded FROM core.runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    assert rows == [(False, "loaded"), (True, "loaded")]
    assert files_seen == (5, 5)


def test_schema_version_and_migrations_are_recorded(seeded_paths: PipelinePaths) -> None:
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        versions = con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert versions[-1] == (SCHEMA_VERSION,)


def test_data_dictionary_matches_the_real_schema(seeded_paths: PipelinePaths) -> None:
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        actual = {name: [c for c, _ in cols] for name, cols in view_columns(con).items()}
    doc = documented((REPO_ROOT / "docs" / "warehouse.md").read_text())
    assert sorted(doc) == sorted(actual), "views documented vs views in the warehouse"
    for view, columns in actual.items():
        assert list(doc[view]) == columns, f"columns of {view}"
        undocumented = [c for c, (_, text) in doc[view].items() if not text]
        assert not undocumented, f"{view}: columns without a description: {undocumented}"


def test_a_new_parser_version_reparses_and_replaces_old_rows(
    seeded_paths: PipelinePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sources.batch
    import sources.worker

    _run(seeded_paths)
    # the run plans with the version in sources.batch; the (in-process) worker stamps rows
    monkeypatch.setattr(sources.batch, "PARSER_VERSION", "next-parser")
    monkeypatch.setattr(sources.worker, "PARSER_VERSION", "next-parser")
    _run(seeded_paths)
    with _con(seeded_paths) as con:
        processed = con.execute(
            "SELECT files_processed FROM core.runs ORDER BY started_at"
        ).fetchall()
        versions = con.execute(
            "SELECT DISTINCT parser_version FROM assessments UNION ALL "
            "SELECT DISTINCT parser_version FROM documents"
        ).fetchall()
        counts = con.execute(
            "SELECT (SELECT count(*) FROM core.documents), (SELECT count(*) FROM assessments), "
            "(SELECT count(*) FROM task_automation)"
        ).fetchone()
    assert processed == [(5,), (5,)]
    assert set(versions) == {("next-parser",)}
    assert counts[0] == 5 and counts[1] == 5 and counts[2] == 6


def test_readme_sql_examples_run_on_the_samples(seeded_paths: PipelinePaths) -> None:
    _run(seeded_paths)
    readme = (REPO_ROOT / "README.md").read_text()
    block = readme.split("```sql", 1)[1].split("```", 1)[0]
    statements = [s.strip() for s in block.split(";") if s.strip()]
    assert len(statements) >= 4
    with _con(seeded_paths) as con:
        results = [con.execute(s).fetchall() for s in statements]
    provenance = results[2]
    assert {row[0] for row in provenance} == {
        "resilience_profile",
        "jobisque",
        "impact_report",
        "ai_safe_careers",
        "career_guide",
    }
    assert all(row[3] and row[4].startswith("seeds/") for row in provenance)


def test_a_page_that_changes_back_is_a_new_capture_not_a_duplicate(
    pipeline_paths: PipelinePaths,
) -> None:
    url = "https://jobisque.example/mle"
    text = JOBISQUE.read_text(encoding="utf-8")
    later = text.replace("48/100", "60/100")
    root = pipeline_paths.landing / "jobisque"
    _write_capture(root / "2026-03-01" / "mle.txt", text, "2026-03-01T08:00:00Z", url)
    _write_capture(root / "2026-04-01" / "mle.txt", later, "2026-04-01T08:00:00Z", url)
    # Back to 48/100: same visible text as the first capture, other bytes (CRLF).
    back = root / "2026-05-01" / "mle.txt"
    _write_capture(back, text, "2026-05-01T08:00:00Z", url)
    back.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    # A re-fetch of the unchanged latest page is a duplicate as usual.
    again = root / "2026-05-02" / "mle.txt"
    _write_capture(again, text + "\n\n", "2026-05-02T08:00:00Z", url)
    _run(pipeline_paths)
    with _con(pipeline_paths) as con:
        rows = con.execute(
            "SELECT d.path, d.status, a.raw_score, a.is_latest FROM documents AS d "
            "LEFT JOIN assessments AS a USING (document_id) ORDER BY d.path"
        ).fetchall()
    assert rows == [
        ("jobisque/2026-03-01/mle.txt", "loaded", "48/100", False),
        ("jobisque/2026-04-01/mle.txt", "loaded", "60/100", False),
        ("jobisque/2026-05-01/mle.txt", "loaded", "48/100", True),
        ("jobisque/2026-05-02/mle.txt", "duplicate", None, None),
    ]
