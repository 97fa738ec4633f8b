"""Drift signals behind the warning checks: a site whose pages stop parsing, a source
whose scores jump across many occupations."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.cli import main
from tests.support import SAMPLES_DIR, PipelinePaths
from warehouse.queries import site_parse_failures, source_score_shifts

IMPACT = (SAMPLES_DIR / "002_c2df89c96caf1802.txt").read_text(encoding="utf-8")
OCCUPATIONS = ["Welder", "Actuary", "Florist", "Roofer", "Baker", "Surveyor"]


def _page(occupation: str, level: int) -> str:
    return (
        IMPACT.replace("Machine Learning Engineer", occupation)
        .replace("4/10", f"{level}/10")
        .replace("rated 4 out of 10", f"rated {level} out of 10")
    )


def _capture(root: Path, rel: str, text: str, fetched_at: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    meta = {"url": f"https://impact.example/{path.stem}", "fetched_at": fetched_at}
    path.with_name(path.stem + ".meta.json").write_text(json.dumps(meta))


def _last_run(paths: PipelinePaths) -> str:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute("SELECT run_id FROM core.runs ORDER BY started_at DESC").fetchone()[0]


def test_site_whose_new_pages_all_fail_is_flagged(pipeline_paths: PipelinePaths) -> None:
    root = pipeline_paths.landing
    for occ in OCCUPATIONS:
        _capture(root, f"impact.example/2026-04-01/{occ}.txt", _page(occ, 4), "2026-04-01T00:00Z")
    assert main(["run", "--quiet", *pipeline_paths.cli_args()]) == 0
    with duckdb.connect(str(pipeline_paths.warehouse), read_only=True) as con:
        assert site_parse_failures(con, _last_run(pipeline_paths)).empty

    for occ in OCCUPATIONS:  # the site changed its template: no score is found any more
        _capture(
            root,
            f"impact.example/2026-05-01/{occ}.txt",
            f"{occ}\nA redesigned page.\n",
            "2026-05-01T00:00Z",
        )
    assert main(["run", "--quiet", *pipeline_paths.cli_args()]) == 0
    with duckdb.connect(str(pipeline_paths.warehouse), read_only=True) as con:
        flagged = site_parse_failures(con, _last_run(pipeline_paths))
    assert flagged["site"].tolist() == ["impact.example"]
    assert flagged["failed_this_run"].tolist() == [len(OCCUPATIONS)]


def test_source_whose_scores_jump_everywhere_is_flagged(pipeline_paths: PipelinePaths) -> None:
    root = pipeline_paths.landing
    for occ in OCCUPATIONS:
        _capture(root, f"impact.example/2026-04-01/{occ}.txt", _page(occ, 3), "2026-04-01T00:00Z")
    assert main(["run", "--quiet", *pipeline_paths.cli_args()]) == 0
    for occ in OCCUPATIONS[:2]:  # a couple of ordinary moves: no signal
        _capture(root, f"impact.example/2026-04-15/{occ}.txt", _page(occ, 4), "2026-04-15T00:00Z")
    assert main(["run", "--quiet", *pipeline_paths.cli_args()]) == 0
    with duckdb.connect(str(pipeline_paths.warehouse), read_only=True) as con:
        assert source_score_shifts(con).empty

    for occ in OCCUPATIONS:  # every score +5 on a 10-point scale: +50 risk points
        _capture(root, f"impact.example/2026-05-01/{occ}.txt", _page(occ, 8), "2026-05-01T00:00Z")
    assert main(["run", "--quiet", *pipeline_paths.cli_args()]) == 0
    with duckdb.connect(str(pipeline_paths.warehouse), read_only=True) as con:
        shifts = source_score_shifts(con)
    assert shifts["source"].tolist() == ["impact_report"]
    assert shifts["n_occupations"].tolist() == [len(OCCUPATIONS)]
