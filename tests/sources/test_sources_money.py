"""Salary figures: amounts, ranges, open ends, currencies, periods, seniority."""

from __future__ import annotations

import pytest

from sources.money import MONEY, labelled_bands, parse_money, region_code, salary_mentions


@pytest.mark.parametrize(
    ("written", "low", "high", "open_ended", "currency", "period"),
    [
        ("$95k–$130k", 95_000, 130_000, False, "USD", "annual"),
        ("$150K+", 150_000, None, True, "USD", "annual"),
        ("$300K-$500K+", 300_000, 500_000, True, "USD", "annual"),
        ("$300,000-$500,000+", 300_000, 500_000, True, "USD", "annual"),
        ("$100,000", 100_000, 100_000, False, "USD", "annual"),
        ("$95-130k", 95_000, 130_000, False, "USD", "annual"),
        ("£45K", 45_000, 45_000, False, "GBP", "annual"),
        ("€1.2M", 1_200_000, 1_200_000, False, "EUR", "annual"),
        ("$32/hour", 32, 32, False, "USD", "hourly"),
        ("S$8,000 per month", 8_000, 8_000, False, "SGD", "monthly"),
    ],
)
def test_parse_money(written, low, high, open_ended, currency, period):
    m = MONEY.search(written)
    money = parse_money(m, written)
    assert (money.low, money.high, money.open_ended, money.currency, money.period) == (
        low,
        high,
        open_ended,
        currency,
        period,
    )


def test_a_bare_dollar_follows_the_region():
    text = "Senior\nA$150k–A$180k\nJunior\n$90k–$110k"
    bands = labelled_bands(text, 0, len(text), region="AU")
    assert [(b.seniority, b.currency, b.region) for b in bands] == [
        ("Senior", "AUD", "AU"),
        ("Junior", "AUD", "AU"),
    ]


def test_inverted_ranges_are_not_bands():
    assert parse_money(MONEY.search("$130k–$95k"), "$130k–$95k") is None


def test_labelled_bands_on_one_line_and_on_consecutive_lines():
    text = "Entry: $100,000 | Mid: $160,000 | Senior: $250,000\n\nManager\n\n$255k–$380k"
    bands = labelled_bands(text, 0, len(text))
    assert [(b.seniority, b.low, b.high) for b in bands] == [
        ("Entry", 100_000, 100_000),
        ("Mid", 160_000, 160_000),
        ("Senior", 250_000, 250_000),
        ("Manager", 255_000, 380_000),
    ]
    for b in bands:
        assert text[b.evidence.start : b.evidence.end] == b.evidence.snippet


@pytest.mark.parametrize(
    ("sentence", "seniority"),
    [
        ("Senior Payroll Specialists at top companies earning $270,000-$420,000+.", None),
        ("Entry-level roles that once commanded $150K+ are seeing slower growth.", None),
        ("Top-tier companies still pay $300K-$500K+ total comp.", "Top-tier companies"),
        ("Senior staff earn £80K–£95K.", "Senior staff"),
        ("The median salary is $64,000 per year.", "median"),
    ],
)
def test_salary_mentions_take_the_seniority_phrase_as_written(sentence, seniority):
    [band] = salary_mentions(sentence)
    expected = seniority or sentence.split(" that")[0].split(" earning")[0]
    assert band.seniority == expected
    assert sentence[band.evidence.start : band.evidence.end] == band.evidence.snippet


def test_figures_without_seniority_or_salary_scale_are_skipped():
    text = "These skills lead to $150K roles. The market is worth $2,000,000,000."
    assert salary_mentions(text) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [("United States", "US"), ("United Kingdom", "UK"), ("UAE", "UAE"), ("Atlantis", "Atlantis")],
)
def test_region_code(name, code):
    assert region_code(name) == code
