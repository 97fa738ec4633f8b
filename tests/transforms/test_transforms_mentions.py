"""Tool, action and pivot counts."""

from __future__ import annotations

import pandas as pd

from transforms.mentions import (
    ACTION_COUNT_COLUMNS,
    PIVOT_COUNT_COLUMNS,
    TOOL_COUNT_COLUMNS,
    action_counts,
    pivot_counts,
    tool_counts,
)


def rows(column, items, slug="mle"):
    return pd.DataFrame(
        [
            {"document_id": f"{s}-doc", column: v, "source": s, "occupation_slug": slug}
            for s, v in items
        ]
    )


def test_tools_case_insensitive_and_aliased():
    df = rows(
        "tool",
        [
            ("a", "MLflow"),
            ("b", "mlflow"),
            ("b", "MLflow "),
            ("c", "MLflow"),
            ("a", "H2O.ai"),
            ("b", "H2O"),
            ("c", "Vertex  AI"),
            ("c", None),
        ],
    )
    out = tool_counts(df)
    assert list(out.columns) == TOOL_COUNT_COLUMNS
    by = out.set_index("tool")
    assert by.loc["MLflow", "n_sources"] == 3
    assert by.loc["MLflow", "n_mentions"] == 4
    assert by.loc["H2O", "n_sources"] == 2
    assert by.loc["Vertex AI", "n_mentions"] == 1
    assert list(out["tool"]) == ["MLflow", "H2O", "Vertex AI"]  # most sources first


def test_actions_and_pivots():
    actions = action_counts(
        rows(
            "action",
            [("a", "Master AutoML tools"), ("b", "Master AutoML Tools."), ("b", "Learn MLOps")],
        )
    )
    assert list(actions.columns) == ACTION_COUNT_COLUMNS
    assert actions.iloc[0]["n_sources"] == 2
    pivots = pivot_counts(
        rows("role", [("a", "Data Engineer"), ("b", "data engineer"), ("a", "Software Engineer")])
    )
    assert list(pivots.columns) == PIVOT_COUNT_COLUMNS
    assert pivots.set_index("role").loc["Data Engineer", "n_sources"] == 2


def test_per_occupation_and_empty():
    df = pd.concat([rows("role", [("a", "X")], slug="o1"), rows("role", [("b", "X")], slug="o2")])
    out = pivot_counts(df)
    assert list(out["occupation_slug"]) == ["o1", "o2"]
    assert (out["n_sources"] == 1).all()
    assert tool_counts(None).empty
    assert list(tool_counts(None).columns) == TOOL_COUNT_COLUMNS
