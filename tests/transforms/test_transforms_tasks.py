"""Task clustering and task consensus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.tasks import (
    TASK_CONSENSUS_COLUMNS,
    TASK_MAP_COLUMNS,
    TASK_MATCH_THRESHOLD,
    _similarity_matrix,
    cluster_keys,
    normalise_task,
    task_consensus,
    task_similarity,
)

SLUG = "machine-learning-engineer"
MLE = "Machine Learning Engineer"

# The captured pages: task-by-task % (resilience_profile), at-risk / human lists (jobisque).
AUTOMATION = [
    ("resilience_profile", "Exploratory data analysis and feature engineering", 55.0),
    ("resilience_profile", "Model selection and hyperparameter tuning", 70.0),
    ("resilience_profile", "Writing training loops and data pipelines", 60.0),
    ("resilience_profile", "Production deployment and monitoring", 35.0),
    ("resilience_profile", "Cross-functional problem scoping", 15.0),
    ("resilience_profile", "Research implementation and custom architectures", 40.0),
]
MENTIONS = [
    ("jobisque", "Automated Hyperparameter Tuning", "at_risk"),
    ("jobisque", "Automated Feature Selection", "at_risk"),
    ("jobisque", "Automated Model Selection", "at_risk"),
    ("jobisque", "Automated Data Augmentation", "at_risk"),
    ("jobisque", "Automated Model Deployment", "at_risk"),
    ("jobisque", "Novel Architecture Design", "human"),
    ("jobisque", "Complex Business Problem Solving", "human"),
    ("jobisque", "AI Ethics and Governance", "human"),
    ("jobisque", "Technical Communication", "human"),
    ("jobisque", "Team Leadership and Mentoring", "human"),
]


def automation(rows, slug=SLUG):
    return pd.DataFrame(
        [
            {
                "document_id": f"{source}-doc",
                "task": task,
                "pct_automatable": pct,
                "rationale": None,
                "span_start": 0,
                "span_end": 1,
                "snippet": task,
                "source": source,
                "occupation": MLE,
                "occupation_slug": slug,
            }
            for source, task, pct in rows
        ]
    )


def mentions(rows, slug=SLUG):
    return pd.DataFrame(
        [
            {
                "document_id": f"{source}-doc",
                "task": task,
                "stance": stance,
                "description": None,
                "span_start": 0,
                "span_end": 1,
                "snippet": task,
                "source": source,
                "occupation": MLE,
                "occupation_slug": slug,
            }
            for source, task, stance in rows
        ]
    )


def test_output_columns():
    tmap, cons = task_consensus(automation(AUTOMATION), mentions(MENTIONS))
    assert list(tmap.columns) == TASK_MAP_COLUMNS
    assert list(cons.columns) == TASK_CONSENSUS_COLUMNS


def test_seed_pages_keep_distinct_tasks_apart():
    """No two of the 16 captured task names describe the same single task."""
    tmap, cons = task_consensus(automation(AUTOMATION), mentions(MENTIONS))
    assert len(tmap) == 16
    assert len(cons) == 16
    assert (tmap["task_raw"] == tmap["canonical_task"]).all()


def test_compound_task_is_not_merged_with_either_part():
    """Decision: "Model selection and hyperparameter tuning" covers two activities."""
    assert (
        task_similarity(
            "Model selection and hyperparameter tuning", "Automated Hyperparameter Tuning"
        )
        < TASK_MATCH_THRESHOLD
    )
    assert (
        task_similarity("Model selection and hyperparameter tuning", "Automated Model Selection")
        < TASK_MATCH_THRESHOLD
    )
    tmap, _ = task_consensus(automation(AUTOMATION), mentions(MENTIONS))
    canon = tmap.set_index("task_raw")["canonical_task"]
    assert (
        canon["Automated Hyperparameter Tuning"]
        != canon["Model selection and hyperparameter tuning"]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hyperparameter tuning", "Automated Hyperparameter Tuning"),
        ("Hyperparameter Tuning", "hyperparameter tuning."),
        ("AI Ethics & Governance", "AI ethics and governance"),
        ("Writing documentation", "Write documentation"),
        ("Data cleaning", "Data cleansing"),
        ("Model deployment", "Automated model deployment"),
        ("01 Production deployment and monitoring", "Production deployment & monitoring"),
    ],
)
def test_near_identical_phrasing_merges(a, b):
    auto = automation([("resilience_profile", a, 60.0)])
    ment = mentions([("jobisque", b, "at_risk")])
    tmap, cons = task_consensus(auto, ment)
    assert tmap["canonical_task"].nunique() == 1
    row = cons.iloc[0]
    assert row["n_sources"] == 2
    assert row["n_mentions"] == 2
    assert row["sources"] == "jobisque,resilience_profile"
    assert row["n_sources_at_risk"] == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Technical Communication", "Team Leadership and Mentoring"),
        ("Model training", "Model testing"),
        ("Data entry", "Data analysis"),
        ("Feature engineering", "Exploratory data analysis and feature engineering"),
        ("Production deployment and monitoring", "Automated Model Deployment"),
        ("Automated Data Augmentation", "Automated Model Deployment"),
    ],
)
def test_unrelated_or_partial_tasks_stay_apart(a, b):
    tmap, _ = task_consensus(
        automation([("resilience_profile", a, 10.0)]), mentions([("jobisque", b, "human")])
    )
    assert tmap["canonical_task"].nunique() == 2


def test_complete_linkage_does_not_chain():
    # b is close to both a and c, but a and c are not close to each other
    keys = sorted(
        normalise_task(t) for t in ["model tuning", "model tuning pipelines", "model pipelines"]
    )
    labels = cluster_keys(keys, threshold=70)
    sims = {(x, y): task_similarity(x, y) for x in keys for y in keys}
    assert sims[("model tuning", "model pipelines")] < 70
    assert len(set(labels)) >= 2


def test_pct_is_averaged_per_source_first():
    auto = automation(
        [
            ("s1", "Hyperparameter tuning", 80.0),
            ("s1", "Automated hyperparameter tuning", 60.0),  # s1 -> 70
            ("s2", "Hyperparameter Tuning", 40.0),
            ("s3", "Hyperparameter tuning", 10.0),
        ]
    )
    tmap, cons = task_consensus(auto, None)
    row = cons.iloc[0]
    assert len(cons) == 1
    assert row["pct_automatable_mean"] == pytest.approx((70 + 40 + 10) / 3)
    assert row["pct_automatable_median"] == 40.0
    assert row["n_mentions"] == 4 and row["n_sources"] == 3
    # the most mentioned spelling is canonical
    assert row["canonical_task"] == "Hyperparameter tuning"
    assert tmap.set_index("task_raw").loc["Hyperparameter Tuning", "similarity"] == 100.0


def test_mentions_only_have_null_pct_and_stance_counts():
    ment = mentions(
        [
            ("s1", "Stakeholder management", "human"),
            ("s2", "Stakeholder management", "human"),
            ("s3", "Stakeholder Management", "at_risk"),
        ]
    )
    _, cons = task_consensus(None, ment)
    row = cons.iloc[0]
    assert pd.isna(row["pct_automatable_mean"]) and pd.isna(row["pct_automatable_median"])
    assert (row["n_sources_human"], row["n_sources_at_risk"]) == (2, 1)


def test_clusters_are_per_occupation():
    a = automation([("s1", "Hyperparameter tuning", 50.0)], slug="a")
    b = automation([("s2", "Hyperparameter tuning", 20.0)], slug="b")
    _, cons = task_consensus(pd.concat([a, b], ignore_index=True), None)
    assert list(cons["occupation_slug"]) == ["a", "b"]
    assert list(cons["n_sources"]) == [1, 1]


def test_empty_inputs():
    tmap, cons = task_consensus(None, None)
    assert tmap.empty and list(tmap.columns) == TASK_MAP_COLUMNS
    assert cons.empty and list(cons.columns) == TASK_CONSENSUS_COLUMNS


def test_string_dtype_inputs_with_missing_values():
    auto = automation(AUTOMATION).astype({"task": "string", "source": "string"})
    ment = mentions(MENTIONS).astype({"stance": "string", "task": "string"})
    ment.loc[0, "stance"] = pd.NA
    ment.loc[1, "task"] = pd.NA
    tmap, cons = task_consensus(auto, ment)
    assert len(tmap) == 15
    assert len(cons) == 15


@settings(max_examples=20, deadline=None)
@given(st.permutations(list(range(len(AUTOMATION) + len(MENTIONS)))))
def test_task_consensus_is_order_invariant(perm):
    auto, ment = automation(AUTOMATION), mentions(MENTIONS)
    base = task_consensus(auto, ment)
    combined = pd.concat([auto, ment], ignore_index=True).iloc[list(perm)]
    shuffled = task_consensus(
        combined.loc[combined["stance"].isna()].drop(columns="stance"),
        combined.loc[combined["stance"].notna()].drop(columns="pct_automatable"),
    )
    pd.testing.assert_frame_equal(base[0], shuffled[0])
    pd.testing.assert_frame_equal(base[1], shuffled[1])


WORDS = ["model", "tuning", "data", "pipelines", "automated", "feature", "selection", "and"]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    st.sampled_from([60.0, 75.0, TASK_MATCH_THRESHOLD]),
)
def test_pruned_similarities_are_exact_wherever_a_merge_is_possible(names, threshold):
    keys = sorted({normalise_task(n) for n in names})
    full = _similarity_matrix(keys)
    pruned = _similarity_matrix(keys, threshold)
    off_diagonal = ~np.eye(len(keys), dtype=bool)
    reach = (full >= threshold) & off_diagonal
    np.testing.assert_array_equal(pruned[reach], full[reach])
    assert (pruned[~reach & off_diagonal] < threshold).all()
    assert full[off_diagonal].tolist() == [
        task_similarity(a, b) for a in keys for b in keys if a != b
    ]
