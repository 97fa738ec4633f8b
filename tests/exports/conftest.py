"""A small warehouse with the views the exports read, as plain tables.

"Machine Learning Engineer" has the five sources of the methodology example
(resilience_profile 68/100 safety -> 32, jobisque 48/100 risk -> 48,
impact_report 4/10 -> 40, ai_safe_careers 9/10 safety -> 10, career_guide
78/100 safety -> 22; median 32, mean 30.4) and two captures of career_guide.
"Data Entry Clerk" has two sources, one with two captures, and no tasks or
salaries. The other occupations have hostile titles and a single source.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

T0 = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)

HOSTILE_TITLES = {
    "hyperlink-analyst": '=HYPERLINK("http://example.invalid","x") Analyst',
    "1-engineer": "+1 Engineer",
    "tester": "-Tester",
    "admin": "@Admin",
    "tab": "\tTab",
    "robert-drop-table-assessments-engineer": "Robert'); DROP TABLE assessments;-- Engineer",
    "script-engineer": '<script>alert("x")</script> Engineer',
    "dollar-engineer": '$x^2$ & "Quotes" Engineer',
}

# (source, raw_score, raw_value, scale_max, polarity, risk_score, calibrated, label)
MLE_SOURCES = [
    ("resilience_profile", "68/100", 68.0, 100.0, "safety", 32.0, 30.5, "Resilient"),
    ("jobisque", "48/100", 48.0, 100.0, "risk", 48.0, 40.0, "Moderate risk"),
    ("impact_report", "4/10", 4.0, 10.0, "risk", 40.0, 36.0, None),
    ("ai_safe_careers", "9/10", 9.0, 10.0, "safety", 10.0, 22.0, "Very safe"),
    ("career_guide", "78/100", 78.0, 100.0, "safety", 22.0, 25.0, "Future-proof"),
]

EXPORT_TABLES = {
    "consensus_profiles": "SELECT * FROM consensus_profiles ORDER BY occupation_slug",
    "assessments": (
        "SELECT * FROM assessments WHERE is_latest ORDER BY occupation_slug, source, document_id"
    ),
    "task_consensus": "SELECT * FROM task_consensus ORDER BY occupation_slug, canonical_task",
    "salary_consensus": "SELECT * FROM salary_consensus ORDER BY occupation_slug, seniority",
    "source_bias": "SELECT * FROM source_bias ORDER BY source",
}


def _profile(
    slug,
    occupation,
    scores,
    *,
    ci=(None, None),
    agreement=None,
    band=None,
    band_label=None,
    status="ok",
    calibrated=(None, None, None),
    cal_status=None,
    n_documents=None,
):
    values = sorted(scores)
    n = len(values)
    mid = n // 2
    median = values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2
    return {
        "occupation": occupation,
        "occupation_slug": slug,
        "n_sources": n,
        "n_documents": n_documents or n,
        "risk_median": median,
        "risk_mean": sum(values) / n,
        "risk_min": values[0],
        "risk_max": values[-1],
        "ci_low": ci[0],
        "ci_high": ci[1],
        "agreement": agreement,
        "band": band,
        "band_label": band_label,
        "status": status,
        "risk_calibrated": calibrated[0],
        "calibrated_ci_low": calibrated[1],
        "calibrated_ci_high": calibrated[2],
        "calibration_status": cal_status,
        "sources": None,
        "method_version": "consensus-1.0+scales-2026.04.1",  # an extra column
    }


def warehouse_frames() -> dict[str, pd.DataFrame]:
    profiles, scores, history, assessments = [], [], [], []

    def add_capture(
        slug,
        occupation,
        source,
        raw,
        value,
        top,
        polarity,
        risk,
        when,
        latest,
        calibrated=None,
        label=None,
    ):
        doc = f"{slug[:12]}-{source[:12]}-{when:%m%d}"
        assessments.append(
            {
                "document_id": doc,
                "source": source,
                "occupation": occupation,
                "occupation_slug": slug,
                "raw_score": raw,
                "raw_value": value,
                "scale_min": 0.0,
                "scale_max": top,
                "polarity": polarity,
                "risk_score": risk,
                "label": label,
                "fetched_at": when,
                "is_latest": latest,
            }
        )
        history.append(
            {
                "occupation_slug": slug,
                "occupation": occupation,
                "source": source,
                "document_id": doc,
                "fetched_at": when,
                "raw_score": raw,
                "risk_score": risk,
            }
        )
        if latest:
            scores.append(
                {
                    "occupation_slug": slug,
                    "occupation": occupation,
                    "source": source,
                    "document_id": doc,
                    "raw_score": raw,
                    "raw_value": value,
                    "scale_max": top,
                    "polarity": polarity,
                    "risk_score": risk,
                    "label": label,
                    "fetched_at": when,
                    "calibrated_score": calibrated,
                }
            )

    mle, mle_slug = "Machine Learning Engineer", "machine-learning-engineer"
    add_capture(
        mle_slug,
        mle,
        "career_guide",
        "70/100",
        70.0,
        100.0,
        "safety",
        30.0,
        T0 - timedelta(days=40),
        False,
    )
    for i, (src, raw, value, top, pol, risk, cal, label) in enumerate(MLE_SOURCES):
        add_capture(
            mle_slug,
            mle,
            src,
            raw,
            value,
            top,
            pol,
            risk,
            T0 + timedelta(hours=i),
            True,
            cal,
            label,
        )
    profiles.append(
        _profile(
            mle_slug,
            mle,
            [s[5] for s in MLE_SOURCES],
            ci=(22.0, 40.0),
            agreement="mixed",
            band="low",
            band_label="Low",
            calibrated=(31.0, 24.0, 38.0),
            cal_status="calibrated",
            n_documents=6,
        )
    )

    dec, dec_slug = "Data Entry Clerk", "data-entry-clerk"
    add_capture(
        dec_slug,
        dec,
        "jobisque",
        "80/100",
        80.0,
        100.0,
        "risk",
        80.0,
        T0 - timedelta(days=30),
        False,
    )
    add_capture(dec_slug, dec, "jobisque", "85/100", 85.0, 100.0, "risk", 85.0, T0, True, 86.0)
    add_capture(dec_slug, dec, "impact_report", "9/10", 9.0, 10.0, "risk", 90.0, T0, True, 88.0)
    profiles.append(
        _profile(
            dec_slug,
            dec,
            [85.0, 90.0],
            ci=(85.0, 90.0),
            agreement="agree",
            band="very_high",
            band_label="Very high",
            calibrated=(86.5, 84.0, 89.0),
            cal_status="calibrated",
            n_documents=3,
        )
    )

    for i, (slug, title) in enumerate(HOSTILE_TITLES.items()):
        risk = 15.0 + 9 * i
        add_capture(
            slug,
            title,
            "generic",
            f"{risk:g}/100",
            risk,
            100.0,
            "risk",
            risk,
            T0 + timedelta(minutes=i),
            True,
            None,
            title,
        )
        profiles.append(
            _profile(
                slug,
                title,
                [risk],
                status="insufficient_sources",
                cal_status="skipped: insufficient_sources (n_sources < 2)",
            )
        )

    tasks = pd.DataFrame(
        [
            {
                "occupation_slug": mle_slug,
                "occupation": mle,
                "canonical_task": task,
                "n_sources": n,
                "n_mentions": n + 1,
                "pct_automatable_mean": mean,
                "pct_automatable_median": median,
                "n_sources_at_risk": at_risk,
                "n_sources_human": human,
            }
            for task, n, mean, median, at_risk, human in [
                ("Model training & tuning", 3, 46.7, 45.0, 2, 1),
                ("Data cleaning and labelling", 4, 68.0, 70.0, 4, 0),
                ("Stakeholder communication", 2, 10.0, 10.0, 0, 2),
                ("=cmd|' /C calc'!A0", 1, 55.0, None, 1, 0),
            ]
        ]
        + [
            {
                "occupation_slug": "script-engineer",
                "occupation": HOSTILE_TITLES["script-engineer"],
                "canonical_task": "<b>bold</b> task",
                "n_sources": 1,
                "n_mentions": 1,
                "pct_automatable_mean": 20.0,
                "pct_automatable_median": 20.0,
                "n_sources_at_risk": 0,
                "n_sources_human": 1,
            }
        ]
    )
    salaries = pd.DataFrame(
        [
            {
                "occupation_slug": mle_slug,
                "occupation": mle,
                "seniority": seniority,
                "n_sources": n,
                "low_median": low,
                "high_median": high,
                "n_open_ended": n_open,
                "currency": "USD",
            }
            for seniority, n, low, high, n_open in [
                ("entry", 3, 100_000.0, 130_000.0, 0),
                ("mid", 3, 130_000.0, 170_000.0, 0),
                ("senior", 4, 170_000.0, 220_000.0, 0),
                ("lead", 2, 220_000.0, None, 2),
            ]
        ]
    )
    bias = pd.DataFrame(
        [
            {
                "source": "ai_safe_careers",
                "offset": -12.0,
                "ci_low": -16.5,
                "ci_high": -7.0,
                "n_occupations": 14,
                "status": "calibrated",
            },
            {
                "source": "career_guide",
                "offset": -3.0,
                "ci_low": -6.0,
                "ci_high": 0.5,
                "n_occupations": 12,
                "status": "calibrated",
            },
            {
                "source": "generic",
                "offset": None,
                "ci_low": None,
                "ci_high": None,
                "n_occupations": 1,
                "status": "skipped: shares 1 occupations with other sources (< min_overlap 3)",
            },
            {
                "source": "impact_report",
                "offset": 4.0,
                "ci_low": 1.0,
                "ci_high": 7.5,
                "n_occupations": 15,
                "status": "calibrated",
            },
            {
                "source": "jobisque",
                "offset": 8.0,
                "ci_low": 4.0,
                "ci_high": 11.0,
                "n_occupations": 15,
                "status": "calibrated",
            },
            {
                "source": "resilience_profile",
                "offset": 2.5,
                "ci_low": -1.0,
                "ci_high": 6.0,
                "n_occupations": 12,
                "status": "calibrated",
            },
        ]
    )
    history_frame = pd.DataFrame(history).sort_values(
        ["occupation_slug", "source", "fetched_at"], kind="mergesort"
    )
    previous = history_frame.groupby(["occupation_slug", "source"])["risk_score"].shift()
    history_frame = history_frame.assign(
        previous_risk_score=previous, change=history_frame["risk_score"] - previous
    )
    return {
        "consensus_profiles": pd.DataFrame(profiles),
        "source_scores": pd.DataFrame(scores),
        "task_consensus": tasks,
        "salary_consensus": salaries,
        "source_bias": bias,
        "score_history": history_frame,
        "assessments": pd.DataFrame(assessments),
    }


# Column types the views have in the warehouse (pandas would infer some as INTEGER).
_DOUBLE_COLUMNS = {
    "risk_median",
    "risk_mean",
    "risk_min",
    "risk_max",
    "ci_low",
    "ci_high",
    "risk_calibrated",
    "calibrated_ci_low",
    "calibrated_ci_high",
    "raw_value",
    "scale_max",
    "scale_min",
    "risk_score",
    "calibrated_score",
    "pct_automatable_mean",
    "pct_automatable_median",
    "low_median",
    "high_median",
    "offset",
    "previous_risk_score",
    "change",
}
_TEXT_COLUMNS = {"sources", "band", "band_label", "agreement", "label", "calibration_status"}


def load_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    for name, frame in frames.items():
        con.register("_frame", frame)
        casts = []
        for column in frame.columns:
            ident = '"' + column + '"'
            if column in _DOUBLE_COLUMNS:
                casts.append(f"CAST({ident} AS DOUBLE) AS {ident}")
            elif column in _TEXT_COLUMNS:
                casts.append(f"CAST({ident} AS VARCHAR) AS {ident}")
            elif column == "fetched_at":
                casts.append(f"CAST({ident} AS TIMESTAMPTZ) AS {ident}")
            else:
                casts.append(ident)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT {", ".join(casts)} FROM _frame')
        con.unregister("_frame")


def make_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    load_frames(con, warehouse_frames())
    return con


@pytest.fixture(scope="session")
def warehouse_factory():
    """``warehouse_factory(path)``: a connection to a new warehouse file at ``path``."""
    return make_warehouse


@pytest.fixture
def warehouse(tmp_path: Path):
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


@pytest.fixture
def export_tables() -> dict[str, str]:
    """What the pipeline publishes: export name -> SELECT over the views."""
    return dict(EXPORT_TABLES)


@pytest.fixture
def hostile_titles() -> dict[str, str]:
    """occupation_slug -> hostile occupation title present in the warehouse."""
    return dict(HOSTILE_TITLES)


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    """The warehouse views as DataFrames (edit, then load with ``load_views``)."""
    return warehouse_frames()


@pytest.fixture
def load_views():
    """``load_views(con, frames)``: create the views as tables from DataFrames."""
    return load_frames
