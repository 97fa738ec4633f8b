"""The canonical scale, the scale registry and normalise_assessments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transforms.transforms_testdata import MLE_SLUG, SEED, T0, assessment, frame, seed_rows
from transforms.normalise import (
    combination_codes,
    join_sorted,
    normalise_assessments,
    per_combination,
    risk_score,
    risk_scores,
    sort_codes,
)
from transforms.scales import load_registry, normalise_label

BOUNDED = settings(max_examples=100, deadline=None)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def scored(draw):
    """(value, scale_min, scale_max) with the value inside a non-degenerate scale."""
    lo = draw(finite)
    span = draw(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False))
    frac = draw(st.floats(min_value=0.0, max_value=1.0))
    value = min(lo + frac * span, lo + span)
    return value, lo, lo + span


# ------------------------------------------------------------------ the formula


@pytest.mark.parametrize(("source", "raw", "value", "smax", "pol", "label", "expected"), SEED)
def test_seed_scores_are_exact(source, raw, value, smax, pol, label, expected):
    assert risk_score(value, 0, smax, pol) == expected


@BOUNDED
@given(scored())
def test_safety_is_100_minus_risk_of_the_same_value(case):
    value, lo, hi = case
    assert risk_score(value, lo, hi, "safety") == pytest.approx(
        100.0 - risk_score(value, lo, hi, "risk"), abs=1e-9
    )


@BOUNDED
@given(
    st.integers(min_value=0, max_value=1000),
    st.integers(min_value=1, max_value=1000),
    st.floats(min_value=1e-3, max_value=1e3, allow_nan=False),
    st.sampled_from(["risk", "safety"]),
)
def test_scale_invariance(numerator, extra, k, polarity):
    """value/scale scaled by k > 0 gives the same score (68/100 == 6.8/10 == 680/1000)."""
    scale_max = float(numerator + extra)
    base = risk_score(numerator, 0, scale_max, polarity)
    assert risk_score(numerator * k, 0, scale_max * k, polarity) == pytest.approx(base, abs=1e-9)


@BOUNDED
@given(scored(), st.sampled_from(["risk", "safety"]))
def test_scores_stay_within_0_and_100(case, polarity):
    value, lo, hi = case
    score = risk_score(value, lo, hi, polarity)
    assert 0.0 <= score <= 100.0


@BOUNDED
@given(st.lists(st.tuples(scored(), st.sampled_from(["risk", "safety"])), max_size=20))
def test_vectorised_matches_scalar(cases):
    values = [c[0][0] for c in cases]
    lows = [c[0][1] for c in cases]
    highs = [c[0][2] for c in cases]
    pols = [c[1] for c in cases]
    got = risk_scores(values, lows, highs, pols)
    want = [
        risk_score(v, lo, hi, p) for v, lo, hi, p in zip(values, lows, highs, pols, strict=True)
    ]
    np.testing.assert_array_equal(got, np.array(want, dtype=float))


def test_end_points():
    assert risk_score(0, 0, 10, "risk") == 0.0
    assert risk_score(10, 0, 10, "risk") == 100.0
    assert risk_score(10, 0, 10, "safety") == 0.0
    assert risk_score(3, 1, 5, "risk") == 50.0  # non-zero scale_min


@pytest.mark.parametrize(
    ("value", "lo", "hi", "pol"),
    [
        (12, 0, 10, "risk"),
        (-1, 0, 10, "risk"),
        (5, 10, 10, "risk"),
        (5, 0, 10, "up"),
        (math.nan, 0, 10, "risk"),
    ],
)
def test_invalid_scores_raise_and_vectorised_gives_nan(value, lo, hi, pol):
    with pytest.raises(ValueError):
        risk_score(value, lo, hi, pol)
    assert np.isnan(risk_scores([value], [lo], [hi], [pol])[0])


# ------------------------------------------------------------------ the registry


def test_registry_bands_and_version():
    reg = load_registry()
    assert reg.version
    assert reg.band_names == ("very_low", "low", "moderate", "high", "very_high")
    assert [reg.band_of(x) for x in (0, 19.999, 20, 39.9, 40, 59.9, 60, 79.9, 80, 100)] == [
        "very_low",
        "very_low",
        "low",
        "low",
        "moderate",
        "moderate",
        "high",
        "high",
        "very_high",
        "very_high",
    ]
    assert reg.band_of(float("nan")) is None
    assert reg.band_of(100.5) is None
    assert reg.band_label("moderate") == "Moderate"


def test_registry_expected_scales():
    reg = load_registry()
    assert reg.source_scale("resilience_profile").expects(0, 100, "safety")
    assert reg.source_scale("impact_report").expects(0, 10, "risk")
    assert not reg.source_scale("impact_report").expects(0, 100, "risk")
    assert reg.source_scale("some-host.example").expects(0, 5, "risk")  # generic: anything


@pytest.mark.parametrize(
    ("source", "label", "band"),
    [
        ("resilience_profile", "Low exposure", "low"),
        ("resilience_profile", "  LOW   exposure ", "low"),
        ("jobisque", "Moderate", "moderate"),
        ("jobisque", "moderate risk", "moderate"),
        ("impact_report", "moderate", "moderate"),
        ("ai_safe_careers", "AI-Created", "very_low"),
        ("ai_safe_careers", "ai created", "very_low"),
        ("ai_safe_careers", "AI_Resistant", "low"),
        ("career_guide", "Relatively safe", "low"),
        ("career_guide", "High risk", "high"),
        ("unknown.example", "High", "high"),  # unknown source: generic labels
        ("jobisque", "catastrophic", None),
        ("jobisque", None, None),
        ("jobisque", "  ", None),
    ],
)
def test_label_bands(source, label, band):
    assert load_registry().label_band(source, label) == band


def test_label_key_normalisation():
    assert normalise_label(" AI-Created ") == normalise_label("ai  created") == "ai created"


# ------------------------------------------------------------ normalise_assessments


def test_normalise_seed(seed_assessments):
    out = normalise_assessments(seed_assessments)
    by_source = out.set_index("source")
    for source, *_, expected in SEED:
        assert by_source.loc[source, "risk_score"] == expected
    assert by_source.loc["resilience_profile", "score_band"] == "low"
    assert by_source.loc["ai_safe_careers", "score_band"] == "very_low"
    assert by_source.loc["impact_report", "label_band"] == "moderate"
    assert not out["label_conflict"].any()
    assert out["is_latest"].all()
    assert out["scale_expected"].all()
    assert list(out["source"]) == sorted(out["source"])


def test_label_conflict_needs_two_band_steps():
    rows = [
        assessment("jobisque", 15, label="high risk", slug="a"),  # very_low vs high: 3 steps
        assessment("jobisque", 35, label="moderate", slug="b"),  # low vs moderate: 1 step
        assessment("jobisque", 25, label="high", slug="c"),  # low vs high: 2 steps
        assessment("jobisque", 90, label=None, slug="d"),
        assessment("jobisque", 90, label="unheard-of", slug="e"),
    ]
    out = normalise_assessments(frame(rows)).set_index("occupation_slug")
    assert out["label_conflict"].to_dict() == {
        "a": True,
        "b": False,
        "c": True,
        "d": False,
        "e": False,
    }
    assert out.loc["e", "label_band"] is None


def test_latest_capture_per_source_and_occupation():
    old = assessment("jobisque", 90, fetched_at=T0)
    new = assessment("jobisque", 48, fetched_at=T0 + pd.Timedelta(days=30))
    other = assessment("career_guide", 78, polarity="safety", fetched_at=T0)
    out = normalise_assessments(frame([new, old, other]))
    latest = out.loc[out["is_latest"]].set_index("source")
    assert latest.loc["jobisque", "risk_score"] == 48.0
    assert out["is_latest"].sum() == 2


def test_latest_tie_broken_by_document_id():
    a = assessment("jobisque", 40, document_id="b" * 64)
    b = assessment("jobisque", 60, document_id="a" * 64)
    for rows in ([a, b], [b, a]):
        out = normalise_assessments(frame(rows))
        assert out.loc[out["is_latest"], "document_id"].tolist() == ["a" * 64]


def test_scale_mismatch_flagged():
    out = normalise_assessments(frame([assessment("impact_report", 40, 100)]))
    assert not out["scale_expected"].iloc[0]


def test_normalise_is_row_order_invariant(seed_assessments):
    rows = [*seed_rows(), assessment("jobisque", 70, fetched_at=T0 - pd.Timedelta(days=1))]
    a = normalise_assessments(frame(rows))
    b = normalise_assessments(frame(rows[::-1]))
    pd.testing.assert_frame_equal(a, b)
    assert (a["occupation_slug"] == MLE_SLUG).all()


def test_registry_rejects_inconsistent_data(tmp_path):
    from transforms.scales import load_registry as load

    good = (
        'version = "t"\n'
        '[[bands]]\nname = "lo"\nlabel = "Lo"\nlower = 0\nupper = 50\n'
        '[[bands]]\nname = "hi"\nlabel = "Hi"\nlower = 50\nupper = 100\n'
        '[sources.generic]\n[sources.generic.labels]\n"low" = "lo"\n'
    )
    path = tmp_path / "ok.toml"
    path.write_text(good)
    reg = load(path)
    assert (reg.version, reg.band_of(50.0), reg.label_band("x", "LOW")) == ("t", "hi", "lo")
    for broken in (
        good.replace('"low" = "lo"', '"low" = "nowhere"'),  # unknown band
        good.replace("upper = 50\n", "upper = 40\n", 1),  # gap between bands
        good.replace("[sources.generic]", "[sources.other]").replace(
            "sources.generic.labels", "sources.other.labels"
        ),  # no generic entry
        good + '[sources.x]\npolarity = "sideways"\n',
        good + '[sources.y]\nobserved = ["Unmapped"]\n',
    ):
        bad = tmp_path / f"bad{abs(hash(broken))}.toml"
        bad.write_text(broken)
        with pytest.raises(ValueError):
            load(bad)


def test_config_is_frozen_and_checked():
    from dataclasses import FrozenInstanceError

    from transforms.config import ConsensusConfig

    config = ConsensusConfig()
    assert (config.min_sources, config.min_overlap, config.ci_level) == (2, 3, 0.9)
    with pytest.raises(FrozenInstanceError):
        config.min_sources = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        ConsensusConfig(ci_level=1.5)
    with pytest.raises(ValueError):
        ConsensusConfig(agree_max_iqr=30, divergent_min_iqr=20)


# ------------------------------------------------------------ vectorised helpers

texts = st.one_of(st.none(), st.sampled_from(["a", "B", "b", "é", "a b", "", "zz", "Ä"]))


@BOUNDED
@given(st.lists(st.tuples(texts, texts, st.sampled_from([1.0, 2.0, np.nan])), max_size=30))
def test_sort_codes_order_rows_as_sort_values(rows):
    df = pd.DataFrame(rows, columns=["a", "b", "x"]).astype({"a": object, "b": "string"})
    want = df.sort_values(["a", "b", "x"], ascending=[True, False, True], kind="mergesort")
    order = np.lexsort(
        (sort_codes(df["x"]), sort_codes(df["b"], ascending=False), sort_codes(df["a"]))
    )
    assert order.tolist() == want.index.tolist()


def test_sort_codes_of_timestamps_put_missing_last():
    times = pd.Series(pd.to_datetime(["2026-01-02", None, "2026-01-01"], utc=True))
    assert sort_codes(times).tolist() == [1, 2, 0]
    assert sort_codes(times, ascending=False).tolist() == [0, 2, 1]


@BOUNDED
@given(st.lists(st.tuples(texts, texts, st.sampled_from(["x", "y", None])), max_size=30))
def test_join_sorted_matches_a_groupby_join(rows):
    df = pd.DataFrame(rows, columns=["k1", "k2", "v"])
    for keys in (["k1"], ["k1", "k2"]):
        uniq = df[[*keys, "v"]].dropna().drop_duplicates()
        want = uniq.assign(v=uniq["v"].astype(str)).sort_values([*keys, "v"])
        want = want.groupby(keys, sort=True)["v"].agg(",".join)
        got = join_sorted(df, keys, "v")
        pd.testing.assert_series_equal(got.sort_index(), want, check_index_type=False)


def test_per_combination_evaluates_each_combination_once():
    calls = []

    def describe(source, label):
        calls.append((source, label))
        return f"{source}:{label}"

    df = pd.DataFrame({"source": ["a", "a", "b", "a", "b"], "label": ["x", None, "x", "x", np.nan]})
    got = per_combination(describe, df["source"], df["label"])
    assert got.tolist() == ["a:x", "a:None", "b:x", "a:x", "b:nan"]
    assert len(calls) == 4
    codes, first = combination_codes(df["source"], df["label"])
    assert codes.tolist() == [0, 1, 2, 0, 3]
    assert first.tolist() == [0, 1, 2, 4]
