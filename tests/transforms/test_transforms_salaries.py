"""Salary consensus: seniority mapping, annual USD only, open-ended bands."""

from __future__ import annotations

import pandas as pd
import pytest

from transforms.salaries import (
    SALARY_CONSENSUS_COLUMNS,
    SALARY_EXCLUSION_COLUMNS,
    canonical_seniority,
    salary_consensus,
)

SLUG = "machine-learning-engineer"


def band(
    source, seniority, low, high, *, open_ended=False, currency="USD", period="annual", slug=SLUG
):
    return {
        "document_id": f"{source}-doc",
        "seniority": seniority,
        "low": low,
        "high": high,
        "open_ended": open_ended,
        "currency": currency,
        "period": period,
        "region": "US",
        "span_start": 0,
        "span_end": 1,
        "snippet": "",
        "source": source,
        "occupation": "Machine Learning Engineer",
        "occupation_slug": slug,
    }


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("Junior", "entry"),
        ("Entry", "entry"),
        ("Entry-level", "entry"),
        ("Mid", "mid"),
        ("Mid-level", "mid"),
        ("Senior", "senior"),
        ("Senior MLEs at top companies", "senior"),
        ("Manager", "lead"),
        ("Staff / Lead", "lead"),
        ("Principal Engineer", "lead"),
        ("Head of ML Platform", "lead"),
        ("Senior Manager", "lead"),  # lead keywords take precedence
        ("Machine Learning Engineer", None),
        ("Midnight shift", None),  # whole words only
        (None, None),
    ],
)
def test_canonical_seniority(written, level):
    assert canonical_seniority(written) == level


def test_seed_pages():
    """ai_safe_careers: Entry $100,000 | Mid $160,000 | Senior $250,000;
    career_guide (US): Junior $95k-$130k ... Manager $255k-$380k;
    impact_report: Senior MLEs at top companies $300,000-$500,000+."""
    rows = [
        band("ai_safe_careers", "Entry", 100_000, None),
        band("ai_safe_careers", "Mid", 160_000, None),
        band("ai_safe_careers", "Senior", 250_000, None),
        band("career_guide", "Junior", 95_000, 130_000),
        band("career_guide", "Mid", 130_000, 180_000),
        band("career_guide", "Senior", 180_000, 255_000),
        band("career_guide", "Manager", 255_000, 380_000),
        band("impact_report", "Senior MLEs at top companies", 300_000, None, open_ended=True),
    ]
    cons, excl = salary_consensus(pd.DataFrame(rows))
    assert list(cons.columns) == SALARY_CONSENSUS_COLUMNS
    assert list(excl.columns) == SALARY_EXCLUSION_COLUMNS
    assert excl.empty
    by = cons.set_index("seniority")
    assert list(cons["seniority"]) == ["entry", "mid", "senior", "lead"]
    # a single figure is both ends of its band
    assert by.loc["entry", "low_median"] == pytest.approx(97_500)
    assert by.loc["entry", "high_median"] == pytest.approx(115_000)
    senior = by.loc["senior"]
    assert senior["n_sources"] == 3
    assert senior["low_median"] == 250_000  # 250k, 180k, 300k
    assert senior["high_median"] == pytest.approx((250_000 + 255_000) / 2)  # open top left out
    assert senior["n_open_ended"] == 1
    assert senior["sources"] == "ai_safe_careers,career_guide,impact_report"
    assert by.loc["lead", "n_sources"] == 1


def test_open_ended_high_is_never_used_even_when_stated():
    rows = [
        band("a", "Senior", 300_000, 500_000, open_ended=True),  # "$300,000-$500,000+"
        band("b", "Senior", 200_000, 260_000),
    ]
    cons, _ = salary_consensus(pd.DataFrame(rows))
    row = cons.iloc[0]
    assert row["high_median"] == 260_000
    assert row["low_median"] == 250_000
    assert row["n_open_ended"] == 1


def test_only_open_ended_gives_null_high():
    cons, _ = salary_consensus(pd.DataFrame([band("a", "Lead", 300_000, None, open_ended=True)]))
    assert pd.isna(cons.iloc[0]["high_median"])
    assert cons.iloc[0]["n_open_ended"] == 1


def test_other_currencies_and_periods_are_excluded_and_counted():
    rows = [
        band("a", "Senior", 100_000, 150_000),
        band("b", "Senior", 90_000, 120_000, currency="GBP"),
        band("c", "Senior", 8_000, 9_000, period="monthly"),
        band("d", "Apprentice", 30_000, 40_000),
        band("e", "Senior", None, None),
        band("f", "Junior", 50_000, 60_000, currency=None),
    ]
    cons, excl = salary_consensus(pd.DataFrame(rows))
    assert len(cons) == 1
    assert cons.iloc[0]["sources"] == "a"
    assert excl.set_index("reason")["n_rows"].to_dict() == {
        "no_amount": 1,
        "not_annual": 1,
        "not_usd": 2,
        "unmapped_seniority": 1,
    }


def test_each_source_counts_once_per_level():
    rows = [
        band("a", "Senior", 100_000, 100_000),
        band("a", "Senior engineer", 300_000, 300_000),  # a -> 200k
        band("b", "Senior", 120_000, 120_000),
        band("c", "Senior", 130_000, 130_000),
    ]
    row = salary_consensus(pd.DataFrame(rows))[0].iloc[0]
    assert row["n_sources"] == 3
    assert row["low_median"] == 130_000  # median of 200k, 120k, 130k


def test_nullable_dtypes_and_empty():
    df = pd.DataFrame(
        [
            band("a", "Senior", 100_000, None, open_ended=True),
            band("b", "Mid", 90_000, 110_000) | {"open_ended": None},
        ]
    )
    df = df.astype({"open_ended": "boolean", "currency": "string", "seniority": "string"})
    assert df["open_ended"].isna().iloc[1]
    cons, _ = salary_consensus(df)
    assert list(cons["seniority"]) == ["mid", "senior"]
    empty, excl = salary_consensus(None)
    assert empty.empty and list(empty.columns) == SALARY_CONSENSUS_COLUMNS
    assert excl.empty
