"""consensus_profiles: seed figures, latest-capture rule, statuses, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transforms.transforms_testdata import (
    MLE,
    MLE_SLUG,
    T0,
    assessment,
    frame,
    seed_rows,
    synthetic,
)
from transforms.config import ConsensusConfig
from transforms.consensus import (
    PROFILE_COLUMNS,
    SOURCE_SCORE_COLUMNS,
    agreement_of,
    consensus_profiles,
)
from transforms.normalise import normalise_assessments

FAST = ConsensusConfig(bootstrap_draws=200, calibration_draws=40)
SOURCES = ["resilience_profile", "jobisque", "impact_report", "ai_safe_careers", "career_guide"]


def run(df: pd.DataFrame, config: ConsensusConfig = FAST):
    return consensus_profiles(normalise_assessments(df), config)


def test_seed_consensus_figures(seed_assessments):
    profiles, scores = run(seed_assessments, ConsensusConfig())
    assert list(profiles.columns) == PROFILE_COLUMNS
    assert list(scores.columns) == SOURCE_SCORE_COLUMNS
    assert len(profiles) == 1
    p = profiles.iloc[0]
    assert p["occupation"] == MLE
    assert p["occupation_slug"] == MLE_SLUG
    assert p["n_sources"] == 5
    assert p["n_documents"] == 5
    assert p["risk_median"] == 32.0
    assert p["risk_mean"] == 30.4
    assert p["risk_trimmed_mean"] == pytest.approx((22 + 32 + 40) / 3)  # 20% cut: 10 and 48
    assert p["risk_weighted_mean"] == pytest.approx(30.4)  # equal weights by default
    assert p["risk_stdev"] == pytest.approx(np.std([32, 48, 40, 10, 22], ddof=1))
    assert p["risk_mad"] == 10.0  # |x - 32| = 0, 16, 8, 22, 10
    assert p["risk_iqr"] == 18.0  # 40 - 22
    assert (p["risk_min"], p["risk_min_sources"]) == (10.0, "ai_safe_careers")
    assert (p["risk_max"], p["risk_max_sources"]) == (48.0, "jobisque")
    assert p["ci_low"] <= 32.0 <= p["ci_high"]
    assert p["ci_low"] >= 10.0 and p["ci_high"] <= 48.0
    assert p["agreement"] == "mixed"  # IQR 18, range 38
    assert (p["band"], p["band_label"]) == ("low", "Low")
    assert p["status"] == "ok"
    assert p["sources"] == ",".join(sorted(SOURCES))
    assert p["label_conflicts"] == 0
    assert p["first_fetched_at"] == T0
    assert p["last_fetched_at"] == T0 + pd.Timedelta(hours=4)
    assert p["method_version"].startswith("consensus-")
    # five sources on one occupation cannot be calibrated (no overlap)
    assert pd.isna(p["risk_calibrated"])
    assert p["calibration_status"].startswith("skipped: ")

    s = scores.set_index("source")
    assert list(scores["source"]) == sorted(SOURCES)
    assert s["risk_score"].to_dict() == {
        "ai_safe_careers": 10.0,
        "career_guide": 22.0,
        "impact_report": 40.0,
        "jobisque": 48.0,
        "resilience_profile": 32.0,
    }
    assert s.loc["jobisque", "offset_from_median"] == 16.0
    assert s.loc["ai_safe_careers", "offset_from_median"] == -22.0
    assert s.loc["impact_report", "raw_score"] == "4/10"
    assert s["calibrated_score"].isna().all()


def test_insufficient_sources_keeps_the_row():
    rows = [
        assessment("jobisque", 48, slug="solo", occupation="Solo"),
        *seed_rows(),
    ]
    profiles, _ = run(frame(rows))
    solo = profiles.set_index("occupation_slug").loc["solo"]
    assert solo["status"] == "insufficient_sources"
    assert solo["n_sources"] == 1
    assert solo["risk_median"] == 48.0
    assert solo["risk_min"] == solo["risk_max"] == 48.0
    for col in ("risk_mean", "risk_stdev", "ci_low", "ci_high", "risk_calibrated"):
        assert pd.isna(solo[col]), col
    assert solo["agreement"] is None and solo["band"] is None
    assert solo["calibration_status"].startswith("skipped: insufficient_sources")
    assert profiles.set_index("occupation_slug").loc[MLE_SLUG, "status"] == "ok"


def test_min_sources_is_configurable():
    rows = [assessment("jobisque", 40), assessment("impact_report", 5, 10)]
    ok, _ = run(frame(rows), ConsensusConfig(bootstrap_draws=100, min_sources=2))
    few, _ = run(frame(rows), ConsensusConfig(bootstrap_draws=100, min_sources=3))
    assert ok["status"].iloc[0] == "ok"
    assert ok["risk_mean"].iloc[0] == 45.0
    assert few["status"].iloc[0] == "insufficient_sources"
    assert pd.isna(few["risk_mean"].iloc[0])


def test_latest_capture_wins_and_history_counts():
    older = assessment("jobisque", 90, fetched_at=T0 - pd.Timedelta(days=60))
    rows = [*seed_rows(), older]
    profiles, scores = run(frame(rows))
    p = profiles.iloc[0]
    assert p["n_sources"] == 5
    assert p["n_documents"] == 6
    assert p["risk_median"] == 32.0 and p["risk_mean"] == 30.4
    assert p["first_fetched_at"] == T0 - pd.Timedelta(days=60)
    job = scores.set_index("source").loc["jobisque"]
    assert job["risk_score"] == 48.0
    assert job["document_id"] != older["document_id"]


def test_a_newer_capture_replaces_the_score():
    newer = assessment("jobisque", 90, fetched_at=T0 + pd.Timedelta(days=1))
    profiles, scores = run(frame([*seed_rows(), newer]))
    assert scores.set_index("source").loc["jobisque", "risk_score"] == 90.0
    assert profiles.iloc[0]["risk_max_sources"] == "jobisque"
    assert profiles.iloc[0]["risk_max"] == 90.0


def test_ties_at_min_and_max_list_every_source():
    rows = [
        assessment("jobisque", 40),
        assessment("impact_report", 4, 10),
        assessment("career_guide", 40, polarity="safety"),  # risk 60
    ]
    p = run(frame(rows))[0].iloc[0]
    assert p["risk_min_sources"] == "impact_report,jobisque"
    assert p["risk_max_sources"] == "career_guide"


def test_label_conflicts_are_counted():
    rows = [
        assessment("jobisque", 15, label="high risk"),
        assessment("impact_report", 2, 10, label="low"),
    ]
    assert run(frame(rows))[0].iloc[0]["label_conflicts"] == 1


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([30, 32, 35, 38], "agree"),  # IQR 3.5, range 8
        ([10, 22, 32, 40, 48], "mixed"),  # the seed: IQR 18, range 38
        ([10, 30, 50, 90], "divergent"),  # IQR 35
        ([40, 41, 42, 43, 99], "divergent"),  # range 59 > 50 although IQR is 2
        ([40, 41, 42, 43, 75], "mixed"),  # range 35 > 30: one far source stops "agree"
    ],
)
def test_agreement_thresholds(scores, expected):
    rows = [assessment(SOURCES[i], v) for i, v in enumerate(scores)]
    assert run(frame(rows))[0].iloc[0]["agreement"] == expected


def test_agreement_of_handles_missing_spread():
    out = agreement_of(np.array([np.nan, 5.0]), np.array([0.0, 5.0]), ConsensusConfig())
    assert out.tolist() == [None, "agree"]


def test_source_weights_file(tmp_path):
    weights = tmp_path / "weights.csv"
    weights.write_text("source,weight,rationale\ndefault,1.0,x\njobisque,3.0,x\n")
    config = ConsensusConfig(bootstrap_draws=100, source_weights_path=weights)
    p = run(frame(seed_rows()), config)[0].iloc[0]
    assert p["risk_weighted_mean"] == pytest.approx((32 + 3 * 48 + 40 + 10 + 22) / 7)
    assert p["risk_mean"] == 30.4


def test_deterministic_output(seed_assessments):
    df = frame([*seed_rows(), assessment("jobisque", 70, slug="other", occupation="Other")])
    a = run(df)
    b = run(df.copy())
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_empty_input():
    empty = frame([assessment("jobisque", 1)]).iloc[0:0]
    profiles, scores = consensus_profiles(normalise_assessments(empty))
    assert profiles.empty and list(profiles.columns) == PROFILE_COLUMNS
    assert scores.empty and list(scores.columns) == SOURCE_SCORE_COLUMNS


def test_raw_assessments_are_normalised_on_the_way_in(seed_assessments):
    p = consensus_profiles(seed_assessments, FAST)[0].iloc[0]
    assert (p["risk_median"], p["risk_mean"]) == (32.0, 30.4)


# ------------------------------------------------------------- order invariance


@st.composite
def assessment_sets(draw):
    n_occ = draw(st.integers(min_value=1, max_value=4))
    rows = []
    for o in range(n_occ):
        chosen = draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=5, unique=True))
        for s in chosen:
            captures = draw(st.integers(min_value=1, max_value=2))
            for c in range(captures):
                value = draw(st.integers(min_value=0, max_value=100))
                rows.append(
                    assessment(
                        s,
                        value,
                        polarity=draw(st.sampled_from(["risk", "safety"])),
                        slug=f"occ-{o}",
                        occupation=f"Occ {o}",
                        fetched_at=T0 + pd.Timedelta(days=draw(st.integers(0, 3))),
                        label=draw(st.sampled_from([None, "low", "high", "moderate"])),
                        document_id=f"{o}{s}{c}".encode().hex().ljust(64, "0")[:64],
                    )
                )
    perm = draw(st.permutations(range(len(rows))))
    return rows, perm


@settings(max_examples=25, deadline=None)
@given(assessment_sets())
def test_consensus_is_invariant_to_row_order(case):
    rows, perm = case
    config = ConsensusConfig(bootstrap_draws=100, calibration_draws=20, min_overlap=1)
    a_prof, a_src = consensus_profiles(normalise_assessments(frame(rows)), config)
    shuffled = frame([rows[i] for i in perm])
    b_prof, b_src = consensus_profiles(normalise_assessments(shuffled), config)
    pd.testing.assert_frame_equal(a_prof, b_prof)
    pd.testing.assert_frame_equal(a_src, b_src)
    # also when the normalised frame itself is shuffled
    c_prof, c_src = consensus_profiles(
        normalise_assessments(frame(rows)).sample(frac=1.0, random_state=1), config
    )
    pd.testing.assert_frame_equal(a_prof, c_prof)
    pd.testing.assert_frame_equal(a_src, c_src)


# ------------------------------------------------------------------- performance


@pytest.mark.slow
def test_thousand_occupations_six_sources_all_calibrated():
    offsets = dict(zip([*SOURCES, "generic"], [-10, -3, 0, 4, 9, 2], strict=True))
    df = normalise_assessments(synthetic(offsets, n_occupations=1000, missing=0.1, seed=3))
    profiles, scores = consensus_profiles(df, ConsensusConfig())
    assert len(profiles) == 1000
    assert len(scores) == int(df["is_latest"].sum())
    assert profiles["calibration_status"].eq("calibrated").all()


def test_bootstrap_gather_equals_brute_force_resampling():
    """The order-statistic shortcut gives exactly the medians of the explicit resamples."""
    from transforms.consensus import _bootstrap_median_ci

    config = ConsensusConfig(bootstrap_draws=300)
    rng = np.random.default_rng(4)
    for n in range(2, 9):
        vals = np.sort(rng.integers(0, 101, size=(20, n)).astype(float), axis=1)
        low, high = _bootstrap_median_ci(vals, config)
        idx = np.random.default_rng([config.seed, n]).integers(0, n, size=(300, n))
        medians = np.median(vals[:, idx], axis=2)
        want_low, want_high = np.quantile(medians, [0.05, 0.95], axis=1)
        np.testing.assert_allclose(low, want_low)
        np.testing.assert_allclose(high, want_high)
