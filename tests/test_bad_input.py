"""A landing folder mixing good pages with every kind of bad input (issue #7).

The run must finish with exit 0, every file accounted for with the right status
and reason, good pages loaded correctly, hostile titles stored verbatim and
neutralised in CSV exports.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.cli import main
from sources.batch import KnownState, RunPlan, StagedRun, stage_documents
from sources.landing import LandingFile, scan_landing
from tests.support import SAMPLES_DIR, PipelinePaths, make_the_parser_lose_a_column

IMPACT = (SAMPLES_DIR / "002_c2df89c96caf1802.txt").read_text(encoding="utf-8")
JOBISQUE = (SAMPLES_DIR / "001_0728e555b7adc017.txt").read_text(encoding="utf-8")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
SQL_TITLE = "Robert'); DROP TABLE assessments;-- Engineer"
FORMULA_TITLE = '=HYPERLINK("http://example.invalid","x") Analyst'


def _html(body: str, title: str = "Career page", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>'
        f"<style>.x{{color:red}}</style><script>var s = {{'score': '99/100'}};</script>"
        f"</head><body><nav><a href='/'>Home</a></nav><main>{body}</main>"
        "<footer>About us</footer></body></html>"
    )


def _impact(occupation: str, level: str) -> str:
    """The impact_report sample for another occupation and risk level (both statements)."""
    value, scale = level.split("/")
    return (
        IMPACT.replace("Machine Learning Engineer", occupation)
        .replace("4/10", level)
        .replace("rated 4 out of 10", f"rated {value} out of {scale}")
    )


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())


def _build_landing(root: Path, outside: Path) -> dict[str, tuple[str, str | None]]:
    """Writes the folder; returns path -> (expected status, expected reason)."""
    expected: dict[str, tuple[str, str | None]] = {}

    def put(rel: str, data: bytes | str, status: str, reason: str | None = None) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[rel] = (status, reason)

    for seed in sorted(SAMPLES_DIR.iterdir()):
        put(f"seeds/{seed.name}", seed.read_bytes(), "loaded")
    put("bad/empty.html", b"", "quarantined", "empty_file")
    put("bad/photo.html", PNG, "quarantined", "binary_content")
    put(
        "bad/no-score.html",
        _html("<h1>Will AI replace Florists?</h1><p>Nobody knows yet.</p>"),
        "quarantined",
        "no_score",
    )
    put(
        "bad/out-of-range.txt",
        _impact("Actuary", "12/10"),
        "quarantined",
        "score_out_of_range",
    )
    conflicting = _impact("Welder", "4/10").replace(
        "Overview", "Risk Level: 7/10 | Industry: Technology | Risk Category: high\n\nOverview", 1
    )
    put("bad/conflicting.txt", conflicting, "quarantined", "conflicting_scores")
    put(
        "ok/comment-with-old-score.html",
        _html("<!-- Risk Level: 9/10 -->" + _paragraphs(_impact("Baker", "4/10"))).replace(
            "Career page", "AI Impact on Baker"
        ),
        "loaded",
    )
    latin1 = _html(
        _paragraphs(_impact("Pâtissier", "3/10")), "AI Impact on Pâtissier", "iso-8859-1"
    )
    put("ok/latin1.html", latin1.encode("latin-1", errors="replace"), "loaded")
    deep = "<div>" * 20_000 + _paragraphs(_impact("Roofer", "6/10")) + "</div>" * 20_000
    put("ok/deep.html", _html(deep), "loaded")
    filler = "<div hidden>" + "<p>lorem ipsum dolor sit amet</p>" * 100_000 + "</div>"
    put("ok/big.html", _html(_paragraphs(_impact("Surveyor", "5/10")) + filler), "loaded")
    put("ok/sql-title.txt", _impact(SQL_TITLE, "5/10"), "loaded")
    put("ok/formula-title.txt", _impact(FORMULA_TITLE, "6/10"), "loaded")
    # Ignored: partial downloads and dotfiles are not files seen.
    (root / "ok" / "next.html.part").write_text("<html>half")
    (root / "ok" / "later.tmp").write_text("x")
    (root / "ok" / ".hidden.html").write_text(_impact("Ghost", "5/10"))
    # A link leaving the landing folder is never followed.
    secret = outside / "secret.txt"
    secret.write_text(JOBISQUE)
    os.symlink(secret, root / "bad" / "escape.txt")
    expected["bad/escape.txt"] = ("quarantined", "symlink_outside")
    return expected


@pytest.fixture
def messy_run(
    pipeline_paths: PipelinePaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[PipelinePaths, dict[str, tuple[str, str | None]], str]:
    outside = tmp_path / "outside"
    outside.mkdir()
    expected = _build_landing(pipeline_paths.landing, outside)
    big = pipeline_paths.landing / "bad" / "huge.html"
    big.write_bytes(b"<html><body>" + b"x" * 5_100_000 + b"</body></html>")
    expected["bad/huge.html"] = ("quarantined", "too_large")
    os.environ["RISKPIPE_MAX_FILE_BYTES"] = "5000000"
    try:
        code = main(["run", *pipeline_paths.cli_args()])
    finally:
        del os.environ["RISKPIPE_MAX_FILE_BYTES"]
    assert code == 0
    return pipeline_paths, expected, capsys.readouterr().out


def test_every_file_is_accounted_for_with_the_right_status(messy_run) -> None:
    paths, expected, out = messy_run
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT path, status, reason_code FROM documents WHERE is_current"
        ).fetchall()
        quarantine = con.execute(
            "SELECT path, reason_code, detail, size_bytes, first_seen, last_seen FROM quarantine"
        ).fetchall()
    got = {path: (status, reason) for path, status, reason in rows}
    # 20,000 nested elements may parse, or be quarantined with a reason: never a crash.
    if got.get("ok/deep.html") == ("quarantined", "parse_error"):
        expected["ok/deep.html"] = ("quarantined", "parse_error")
    assert got == expected
    assert all(detail and first and last for _, _, detail, _, first, last in quarantine)
    n_loaded = sum(1 for s, _ in expected.values() if s == "loaded")
    n_quarantined = len(expected) - n_loaded
    assert (
        f"Files seen {len(expected)} = loaded {n_loaded} + duplicate 0 + "
        f"quarantined {n_quarantined} (ok)"
    ) in out
    assert "ignored partial/hidden 3" in out


def test_good_pages_in_the_mix_load_correctly(messy_run) -> None:
    paths, _, _ = messy_run
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        scores = dict(
            con.execute(
                "SELECT occupation, raw_score FROM assessments WHERE source = 'impact_report'"
            ).fetchall()
        )
    assert scores["Baker"] == "4/10"  # not the 9/10 in the HTML comment
    assert scores["Pâtissier"] == "3/10"
    assert scores.get("Roofer", "6/10") == "6/10"  # the 20,000-deep page, when it parses
    assert scores["Surveyor"] == "5/10"
    assert scores["Machine Learning Engineer"] == "4/10"


def test_hostile_titles_stored_verbatim_and_neutralised_in_csv(messy_run) -> None:
    paths, _, _ = messy_run
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        titles = {r[0] for r in con.execute("SELECT occupation FROM assessments").fetchall()}
        assert con.execute("SELECT count(*) FROM assessments").fetchone()[0] == 10
    assert SQL_TITLE in titles and FORMULA_TITLE in titles

    with (paths.exports / "consensus_profiles.csv").open(newline="", encoding="utf-8") as fh:
        csv_titles = {row["occupation"] for row in csv.DictReader(fh)}
    assert "'" + FORMULA_TITLE in csv_titles
    assert FORMULA_TITLE not in csv_titles
    assert SQL_TITLE in csv_titles
    parquet = set(pd.read_parquet(paths.exports / "consensus_profiles.parquet")["occupation"])
    assert FORMULA_TITLE in parquet
    records = json.loads((paths.exports / "consensus_profiles.json").read_text())
    assert FORMULA_TITLE in {r["occupation"] for r in records}


def test_paths_in_warehouse_and_exports_are_relative_to_the_landing_folder(messy_run) -> None:
    paths, _, _ = messy_run
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        stored = [r[0] for r in con.execute("SELECT path FROM documents").fetchall()]
    assert stored and not any(p.startswith("/") or ".." in p for p in stored)
    exported = pd.read_parquet(paths.exports / "assessments.parquet")["path"]
    assert not exported.str.startswith("/").any()


def test_a_file_vanishing_mid_run_is_quarantined_and_the_run_goes_on(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    for seed in sorted(SAMPLES_DIR.iterdir())[:2]:
        (landing / seed.name).write_bytes(seed.read_bytes())
    scan = scan_landing(landing)
    plan = RunPlan(list(scan.files), unchanged=0, vanished_paths=[])
    (landing / scan.files[0].path).unlink()  # gone between scan and read
    staged = stage_documents(
        landing, plan, scan.problems, KnownState(), StagedRun("r1", tmp_path / "stage"), workers=1
    )
    files = pd.read_parquet(staged.tables()["files"][0])
    outcome = files[["status", "reason_code"]].astype(object).fillna("-").values.tolist()
    assert outcome == [["quarantined", "vanished"], ["loaded", "-"]]
    assert isinstance(plan.to_process[0], LandingFile)


def _stage_seeds(tmp_path: Path) -> StagedRun:
    landing = tmp_path / "landing"
    landing.mkdir()
    for seed in sorted(SAMPLES_DIR.iterdir()):
        (landing / seed.name).write_bytes(seed.read_bytes())
    scan = scan_landing(landing)
    plan = RunPlan(list(scan.files), unchanged=0, vanished_paths=[])
    return stage_documents(
        landing, plan, scan.problems, KnownState(), StagedRun("r1", tmp_path / "stage"), workers=1
    )


def test_a_document_whose_records_break_their_model_is_quarantined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One task share above 100 % sends its document to quarantine, rows and all."""
    import sources.batch as batch

    real = batch.detail_frames
    victims: list[str] = []

    def one_bad_share(rows_by_kind):  # type: ignore[no-untyped-def]
        frames = real(rows_by_kind)
        tasks = frames["task_automation"]
        if not tasks.empty:
            victims.append(tasks.loc[0, "document_id"])
            tasks.loc[0, "pct_automatable"] = 250.0
        return frames

    monkeypatch.setattr(batch, "detail_frames", one_bad_share)
    staged = _stage_seeds(tmp_path)
    assert len(victims) == 1
    files = pd.read_parquet(staged.tables()["files"][0]).set_index("document_id")
    victim = files.loc[victims[0]]
    assert (victim["status"], victim["reason_code"]) == ("quarantined", "invalid_record")
    assert "task_automation.pct_automatable" in victim["detail"]
    assert "250" in victim["detail"]
    tables = staged.tables()
    assessments = pd.concat(pd.read_parquet(p) for p in tables["assessments"])
    assert victims[0] not in set(assessments["document_id"]) and len(assessments) == 4
    assert "task_automation" not in tables  # the one page with task shares is the victim
    assert staged.status_counts["quarantined"] == 1 and staged.status_counts["loaded"] == 4
    assert staged.record_failures == []  # explained by the quarantined document


def test_a_whole_column_failing_is_kept_for_the_blocking_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser bug that loses a column names no document: nothing is quarantined for it,
    the failure is recorded for ``staged_records_valid``, which then fails."""
    from pipelines.checks import staged_records_valid

    make_the_parser_lose_a_column(monkeypatch)
    staged = _stage_seeds(tmp_path)
    assert staged.status_counts["quarantined"] == 0
    [failures] = staged.record_failures
    assert set(failures["table"]) == {"salary_bands"}
    assert "currency" in " ".join(failures["failure_case"].astype(str))
    result = staged_records_valid(staged)
    assert result.passed is False
    assert result.metadata["failures"].value == len(failures)
    assert result.metadata["batches_validated_by_check"].value == 0


def test_the_check_validates_a_batch_not_validated_when_staged(tmp_path: Path) -> None:
    """A batch the stager did not validate (or one changed since) is validated by the check."""
    from pipelines.checks import staged_records_valid

    staged = _stage_seeds(tmp_path)
    assert staged_records_valid(staged).passed is True
    [part] = staged.tables()["task_automation"]
    tasks = pd.read_parquet(part)
    tasks.loc[0, "pct_automatable"] = -5.0
    tasks.to_parquet(part, index=False)  # same rows, so the check trusts the stager's record
    assert staged_records_valid(staged).passed is True
    tasks.iloc[1:].to_parquet(part, index=False)  # one row fewer: validated again, and passes
    result = staged_records_valid(staged)
    assert result.passed is True
    assert result.metadata["batches_validated_by_check"].value == 1
    del staged.validated[str(part)]
    pd.concat([tasks, tasks.iloc[:1]]).to_parquet(part, index=False)  # not on record: checked
    result = staged_records_valid(staged)
    assert result.passed is False
    assert "pct_automatable" in " ".join(result.metadata["failing_rows"].value.splitlines()[2:])
