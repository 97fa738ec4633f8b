"""The generic fallback for pages of unknown sites."""

from __future__ import annotations

import pytest

from sources.parse import parse_document
from sources.templates import generic


def _page(heading: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{heading} | LaborLens</title></head>"
        f"<body><h1>{heading}</h1><p>By Sam Okafor · 6 min read</p>{body}</body></html>"
    ).encode()


INTRO = "Artificial intelligence is changing the day-to-day work of many people, unevenly."


@pytest.mark.parametrize(
    ("line", "value", "scale", "polarity"),
    [
        ("<strong>Automation risk:</strong> 7/10", 7, 10, "risk"),
        ("<strong>Replacement risk score:</strong> 64/100", 64, 100, "risk"),
        ("<strong>AI exposure</strong> 62%", 62, 100, "risk"),
        ("Our displacement index is 0.71 on a 0-1 scale.", 0.71, 1, "risk"),
        ("<strong>AI risk rating:</strong> ★★★★☆ (4 out of 5 stars)", 4, 5, "risk"),
        ("<strong>Future-proof score:</strong> 8/10 (Low risk)", 8, 10, "safety"),
        ("<strong>AI resilience score:</strong> 71/100", 71, 100, "safety"),
        ("<strong>Job safety rating:</strong> 55%", 55, 100, "safety"),
        ("Rated 3 out of 5 for AI-proof careers.", 3, 5, "safety"),
    ],
)
def test_common_score_forms(line, value, scale, polarity):
    doc = parse_document(_page("Will AI replace Dental Hygienists?", INTRO, line), name="x.html")
    ex = doc.extraction
    assert ex is not None, doc.rejection
    assert (ex.source, ex.extraction_method) == ("generic", "generic")
    assert (ex.score.value, ex.score.scale_max, ex.score.polarity) == (value, scale, polarity)
    assert 0.6 <= ex.confidence < 1
    assert ex.occupation == "Dental Hygienist"


def test_label_in_brackets_after_the_score():
    line = "<strong>Future-proof score:</strong> 8/10 (Low risk)"
    ex = parse_document(_page("Will AI replace Plumbers?", line), name="x.html").extraction
    assert ex.label == "Low risk" and ex.score.polarity == "safety"


@pytest.mark.parametrize(
    ("heading", "occupation"),
    [
        ("Will AI replace Paralegals?", "Paralegal"),
        ("Will AI Replace Court Reporters? What the Data Says", "Court Reporter"),
        ("Is an Accountant at risk from AI", "Accountant"),
        ("Is being a Nurse safe from AI?", "Nurse"),
        ("Registered Nurse (RN): AI risk", "Registered Nurse"),
        ("Will Truck Drivers be replaced by AI?", "Truck Driver"),
        ("How safe is a Plumber from AI?", "Plumber"),
    ],
)
def test_occupation_patterns(heading, occupation):
    page = _page(heading, "<strong>Automation risk:</strong> 6/10")
    ex = parse_document(page, name="x.html").extraction
    assert ex is not None and ex.occupation == occupation


def test_numbers_without_risk_wording_are_not_scores():
    page = _page(
        "Will AI replace Welders?",
        "23% of jobs globally will change by 2027.",
        "Employment grew 4/5 of the years we looked at, and 7/10 firms hire.",
    )
    assert parse_document(page, name="x.html").rejection.reason_code == "no_score"


def test_task_percentages_are_not_headline_scores():
    page = _page("Will AI replace Welders?", "Welding inspection: 55% automatable")
    assert parse_document(page, name="x.html").rejection.reason_code == "no_score"


def test_related_chips_do_not_override_the_headline():
    page = _page(
        "Will AI replace Paralegals?",
        "<strong>Automation risk:</strong> 4/10",
        "<h2>Compare other jobs</h2>",
        "Prosecutor automation risk: 9/10",
        "Mediator automation risk: 2/10",
    )
    ex = parse_document(page, name="x.html").extraction
    assert ex is not None and ex.score.value == 4


def test_two_different_headlines_in_the_same_words_conflict():
    page = _page(
        "Will AI replace Paralegals?",
        "<strong>AI resilience score:</strong> 77/100",
        INTRO,
        "<strong>AI resilience score:</strong> 45/100",
    )
    assert parse_document(page, name="x.html").rejection.reason_code == "conflicting_scores"


def test_out_of_range_and_missing_occupation():
    page = _page("Will AI replace Roofers?", "<strong>Automation risk:</strong> 12/10")
    assert parse_document(page, name="x.html").rejection.reason_code == "score_out_of_range"
    page = b"<html><body><p>Automation risk: 6/10</p></body></html>"
    assert parse_document(page, name="x.html").rejection.reason_code == "no_occupation"


def test_detect_never_claims_a_page():
    assert generic.detect("Automation risk: 7/10") == 0.0
