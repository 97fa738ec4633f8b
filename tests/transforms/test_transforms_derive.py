"""derive_tables: every derived table from the assessments and the detail rows."""

from __future__ import annotations

import pandas as pd

from tests.transforms.transforms_testdata import MLE, MLE_SLUG, frame, seed_rows
from transforms.derive import ASSESSMENT_INPUTS, DETAIL_INPUTS, derive_tables


def _details() -> dict[str, pd.DataFrame]:
    def rows(kind: str, records: list[dict]) -> pd.DataFrame:
        base = {"occupation": MLE, "occupation_slug": MLE_SLUG, "span_start": 0, "span_end": 1}
        return pd.DataFrame(
            [{**base, "document_id": f"{r['source']}-doc", "snippet": kind, **r} for r in records]
        )

    return {
        "task_automation": rows(
            "task_automation",
            [
                {"source": "jobisque", "task": "Hyperparameter tuning", "pct_automatable": 70.0},
                {"source": "impact_report", "task": "Model training", "pct_automatable": 40.0},
            ],
        ),
        "task_mentions": rows(
            "task_mentions",
            [
                {
                    "source": "career_guide",
                    "task": "Automated Hyperparameter Tuning",
                    "stance": "at_risk",
                }
            ],
        ),
        "salary_bands": rows(
            "salary_bands",
            [
                {
                    "source": "jobisque",
                    "seniority": "Senior",
                    "low": 150_000.0,
                    "high": 200_000.0,
                    "open_ended": False,
                    "currency": "USD",
                    "period": "annual",
                    "region": None,
                }
            ],
        ),
        "salary_growth": rows(
            "salary_growth", [{"source": "jobisque", "low_pct": 5.0, "period": "year"}]
        ),
        "recommendations": rows(
            "recommendations", [{"source": "jobisque", "ordinal": 1, "action": "Learn MLOps"}]
        ),
        "tool_mentions": rows("tool_mentions", [{"source": "jobisque", "tool": "MLflow"}]),
        "career_paths": rows("career_paths", [{"source": "jobisque", "step": 1, "title": "Lead"}]),
        "pivots": rows("pivots", [{"source": "jobisque", "role": "Data Engineer"}]),
    }


def test_derive_tables_reads_only_the_declared_input_columns():
    assessments, details = frame(seed_rows()), _details()
    full = derive_tables(assessments, details)
    projected = derive_tables(
        assessments[list(ASSESSMENT_INPUTS)],
        {kind: details[kind][list(columns)] for kind, columns in DETAIL_INPUTS.items()},
    )
    assert list(projected) == list(full)
    for name, table in full.items():
        assert not table.empty, name
        pd.testing.assert_frame_equal(projected[name], table, check_exact=True)
