"""Smoke test of the benchmark runner on a tiny generated landing folder (no timing asserts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import accuracy, floor
from benchmarks.run import STAGES, main

PAGES = 30


@pytest.mark.slow
def test_runner_measures_a_tiny_landing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    rc = main(
        [
            "--pages",
            str(PAGES),
            "--seed",
            "3",
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(out),
            "--floor-sample",
            "10",
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "| measure | result | target | met |" in printed
    assert "Accuracy per field:" in printed

    results = json.loads(out.read_text())
    assert results["generation"]["documents"] <= PAGES
    full = results["runs"]["full"]
    assert full["returncode"] == 0
    assert set(full["stages_s"]) == set(STAGES)
    assert full["memory_mb"]["peak_tree_rss"] > 0
    assert full["run"]["files_processed"] == results["generation"]["documents"]
    assert results["runs"]["noop"]["run"]["files_processed"] == 0
    changed = results["changed"]
    assert changed["pages"] >= 1
    assert results["runs"]["change"]["run"]["files_processed"] == changed["pages"]
    assert results["floor"]["pages"] == 10
    assert results["accuracy"]["rows"] == PAGES
    assert set(results["accuracy"]["fields"]) == set(accuracy.FIELDS)
    # Without --keep the work folder is cleaned up.
    assert not (tmp_path / "work" / "landing").exists()


def test_floor_sample_spreads_evenly() -> None:
    paths = [f"p{i}" for i in range(10)]
    assert floor.sample(paths, 0) == paths
    assert floor.sample(paths, 20) == paths
    assert floor.sample(paths, 5) == ["p0", "p2", "p4", "p6", "p8"]


def test_accuracy_checks_only_the_fields_that_apply() -> None:
    base = {
        "kind": "page",
        "template": "jobisque",
        "occupation": "Waiter",
        "raw_value": 48.0,
        "scale_max": 100.0,
        "polarity": "risk",
        "risk_score": 48.0,
        "label": "moderate",
        "expected_status": "loaded",
        "expected_reason": None,
        "fetched_at": "2026-01-05T10:00:00Z",
        "url": None,
        "details": {},
    }
    truth = [
        {**base, "relpath": "a.html"},
        {
            **base,
            "relpath": "b.html",
            "kind": "bad",
            "expected_status": "quarantined",
            "expected_reason": "no_score",
        },
        {**base, "relpath": ".x.part", "kind": "ignored", "expected_status": "ignored"},
    ]
    loaded = {
        "status": "loaded",
        "reason_code": None,
        "duplicate_of": None,
        "document_id": "d1",
        "source": "jobisque",
        "occupation": "Waiter",
        "raw_value": 48.0,
        "scale_max": 100.0,
        "polarity": "risk",
        "risk_score": 48.0 + 1e-9,
        "label": "Moderate",
        "fetched_at": "2026-01-05T10:00:00+00:00",
        "url": None,
    }
    actual = {
        "a.html": loaded,
        "b.html": {"status": "quarantined", "reason_code": "no_score", "document_id": "d2"},
    }
    acc = accuracy.compare(truth, actual)
    assert acc.rows == 3 and acc.rows_all_correct == 2
    assert acc.checked["status"] == 3 and acc.correct["status"] == 3
    assert acc.checked["reason"] == 1 and acc.correct["reason"] == 1
    assert acc.checked["risk_score"] == 1 and acc.correct["risk_score"] == 1
    assert [(m.path, m.field) for m in acc.mismatches] == [("a.html", "label")]
