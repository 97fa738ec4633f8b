"""Source calibration: the robust two-way fit recovers known offsets; skips are explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transforms.transforms_testdata import T0, assessment, frame, synthetic
from transforms.calibration import (
    SOURCE_BIAS_COLUMNS,
    _latest_matrix,
    calibrate_occupations,
    fit_calibration,
    median_polish,
    robust_two_way,
    source_bias,
)
from transforms.config import ConsensusConfig
from transforms.consensus import consensus_profiles
from transforms.normalise import normalise_assessments

TRUE_OFFSETS = {
    "resilience_profile": -10.0,
    "jobisque": -3.0,
    "impact_report": 0.0,
    "ai_safe_careers": 4.0,
    "career_guide": 9.0,
}  # median 0: directly comparable with the median-zero constraint
CONFIG = ConsensusConfig(bootstrap_draws=200, calibration_draws=100)


def fitted(df: pd.DataFrame, config: ConsensusConfig = CONFIG):
    return fit_calibration(normalise_assessments(df), config)


def test_recovers_known_offsets_within_two_points():
    cal = fitted(synthetic(TRUE_OFFSETS, n_occupations=200, noise_sd=3.0, seed=11))
    assert cal.status == "calibrated"
    bias = cal.source_bias.set_index("source")
    assert list(cal.source_bias.columns) == SOURCE_BIAS_COLUMNS
    for source, truth in TRUE_OFFSETS.items():
        assert abs(bias.loc[source, "offset"] - truth) < 2.0, source
        assert (
            bias.loc[source, "ci_low"] <= bias.loc[source, "offset"] <= bias.loc[source, "ci_high"]
        )
        assert bias.loc[source, "ci_high"] - bias.loc[source, "ci_low"] < 4.0
        assert bias.loc[source, "status"] == "calibrated"
        assert bias.loc[source, "n_occupations"] == 200
    assert np.median(bias["offset"]) == pytest.approx(0.0, abs=1e-9)


def test_recovers_offsets_with_missing_cells():
    cal = fitted(synthetic(TRUE_OFFSETS, n_occupations=200, missing=0.35, seed=5))
    bias = cal.source_bias.set_index("source")["offset"]
    for source, truth in TRUE_OFFSETS.items():
        assert abs(bias[source] - truth) < 2.0, source


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(min_value=-15, max_value=15), min_size=3, max_size=6),
    st.integers(min_value=0, max_value=10_000),
)
def test_recovers_random_offsets(raw_offsets, seed):
    names = ["s1", "s2", "s3", "s4", "s5", "s6"][: len(raw_offsets)]
    centred = np.array(raw_offsets) - np.median(raw_offsets)
    offsets = dict(zip(names, centred.tolist(), strict=True))
    cal = fitted(
        synthetic(offsets, n_occupations=200, seed=seed),
        ConsensusConfig(calibration_draws=10),
    )
    got = cal.source_bias.set_index("source")["offset"]
    for source, truth in offsets.items():
        assert abs(got[source] - truth) < 2.0, (source, truth, got[source])


def test_small_offset_among_three_sources_is_not_shrunk_to_zero():
    """Median polish alone puts a 2-point lean among three sites at 0 (row median =
    one site's own score); the Huber refinement recovers it."""
    offsets = {"s1": 0.0, "s2": 0.0, "s3": 2.0}
    for seed in (1, 2, 3):
        data = normalise_assessments(synthetic(offsets, n_occupations=200, seed=seed))
        y, _, sources = _latest_matrix(data.loc[data["is_latest"]])
        _, polished = median_polish(y)
        cal = fit_calibration(data, ConsensusConfig(calibration_draws=10))
        got = cal.source_bias.set_index("source")["offset"]
        assert abs(got["s3"] - 2.0) < 1.0, (seed, got["s3"])
        assert got["s3"] - polished[sources.index("s3")] > 0.3, "refinement had no effect"


def test_huber_refinement_resists_a_wild_score():
    rows = np.array([10.0, 50.0, 70.0, 30.0, 60.0, 40.0])[:, None]
    cols = np.array([-4.0, 0.0, 4.0])
    y = rows + cols
    y[2, 0] = 100.0  # one site's wild score: 66 points above its model value
    r, c = robust_two_way(y, tol=1e-9)
    np.testing.assert_allclose(c, cols, atol=1.0)
    np.testing.assert_allclose(np.delete(r, 2), np.delete(rows[:, 0], 2), atol=1.0)


def test_median_polish_exact_on_noise_free_data():
    rows = np.array([10.0, 50.0, 70.0, 30.0])[:, None]
    cols = np.array([-5.0, 0.0, 5.0])
    y = rows + cols
    y[0, 2] = np.nan
    r, c = median_polish(y, tol=1e-12, max_iter=200)
    np.testing.assert_allclose(c, cols, atol=1e-6)
    np.testing.assert_allclose(r, rows[:, 0], atol=1e-6)


def test_skipped_when_sources_do_not_overlap_enough():
    rows = [
        assessment("jobisque", 40, slug="a"),
        assessment("impact_report", 5, 10, slug="a"),
        assessment("jobisque", 60, slug="b"),
        assessment("impact_report", 7, 10, slug="b"),
        assessment("career_guide", 50, polarity="safety", slug="c"),
    ]
    cal = fitted(frame(rows))
    assert cal.status.startswith("skipped: ")
    assert not cal.fitted
    bias = cal.source_bias.set_index("source")
    assert bias["offset"].isna().all()
    assert bias.loc["jobisque", "n_occupations"] == 2
    assert bias.loc["career_guide", "n_occupations"] == 0
    assert bias["status"].str.startswith("skipped: ").all()
    profiles, scores = consensus_profiles(normalise_assessments(frame(rows)), CONFIG)
    ok = profiles.loc[profiles["status"] == "ok"]
    assert ok["calibration_status"].str.startswith("skipped: fewer than 2 sources").all()
    assert ok["risk_calibrated"].isna().all()
    assert scores["calibrated_score"].isna().all()


def test_source_without_overlap_is_skipped_others_calibrated():
    df = synthetic({"a": -2.0, "b": 0.0, "c": 2.0}, n_occupations=30, seed=1)
    lone = assessment("lonely", 50, slug="occupation-0000", occupation="Occupation 0000")
    cal = fitted(pd.concat([df, frame([lone])], ignore_index=True))
    bias = cal.source_bias.set_index("source")
    assert cal.status == "calibrated"
    assert bias.loc["lonely", "status"].startswith("skipped: shares 1 occupations")
    assert np.isnan(bias.loc["lonely", "offset"])
    assert set(cal.sources) == {"a", "b", "c"}


def test_disconnected_groups_keep_the_largest():
    left = synthetic({"a": -2.0, "b": 0.0, "c": 2.0}, n_occupations=10, seed=1)
    right = synthetic({"x": -1.0, "y": 1.0}, n_occupations=10, seed=2)
    right["occupation_slug"] = "r-" + right["occupation_slug"]
    cal = fitted(pd.concat([left, right], ignore_index=True))
    bias = cal.source_bias.set_index("source")
    assert set(cal.sources) == {"a", "b", "c"}
    assert bias.loc["x", "status"].startswith("skipped: not linked")


def test_calibrated_consensus_is_median_of_adjusted_scores():
    df = synthetic(TRUE_OFFSETS, n_occupations=60, seed=2)
    norm = normalise_assessments(df)
    cal = fit_calibration(norm, CONFIG)
    profiles, scores = consensus_profiles(norm, CONFIG, calibration=cal)
    offsets = cal.offset_of()
    one = scores.loc[scores["occupation_slug"] == "occupation-0007"]
    adjusted = one["risk_score"] - one["source"].map(offsets)
    expected = float(np.clip(np.median(adjusted), 0, 100))
    p = profiles.set_index("occupation_slug").loc["occupation-0007"]
    assert p["risk_calibrated"] == pytest.approx(expected)
    assert p["calibration_status"] == "calibrated"
    assert p["calibrated_ci_low"] <= p["calibrated_ci_high"]
    np.testing.assert_allclose(
        one["calibrated_score"], np.clip(adjusted, 0, 100).to_numpy(), atol=1e-12
    )
    # calibration pulls the per-source scores together
    spread_raw = scores.groupby("occupation_slug")["risk_score"].std().mean()
    spread_cal = scores.groupby("occupation_slug")["calibrated_score"].std().mean()
    assert spread_cal < spread_raw / 2


def test_calibrated_scores_are_clipped():
    df = synthetic({"low": -20.0, "mid": 0.0, "high": 20.0}, n_occupations=20, seed=4)
    df.loc[df["source"] == "low", "raw_value"] = 0.0
    norm = normalise_assessments(df)
    cal = fit_calibration(norm, CONFIG)
    latest = norm.loc[norm["is_latest"]]
    per_occ, per_row = calibrate_occupations(latest, cal, CONFIG)
    assert per_row.between(0, 100).all()
    assert per_occ["risk_calibrated"].between(0, 100).all()


def test_calibration_is_deterministic_and_order_free():
    df = synthetic(TRUE_OFFSETS, n_occupations=40, missing=0.2, seed=9)
    a = source_bias(normalise_assessments(df), CONFIG)
    b = source_bias(normalise_assessments(df.sample(frac=1.0, random_state=3)), CONFIG)
    pd.testing.assert_frame_equal(a, b)


def test_only_latest_captures_enter_the_fit():
    df = synthetic({"a": -5.0, "b": 0.0, "c": 5.0}, n_occupations=30, noise_sd=0.5, seed=6)
    stale = df.loc[df["source"] == "a"].copy()
    stale["raw_value"] = 100.0
    stale["fetched_at"] = T0 - pd.Timedelta(days=365)
    stale["document_id"] = [f"{i:064x}" for i in range(len(stale))]
    cal = fitted(pd.concat([df, stale], ignore_index=True))
    assert abs(cal.source_bias.set_index("source").loc["a", "offset"] + 5.0) < 2.0
