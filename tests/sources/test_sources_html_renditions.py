"""The templates as HTML pages, with the traps real pages carry.

Related-role chips, a JSON state blob in a script, an HTML comment and a hidden
block all state *other* scores; only the page's own headline may be taken.
"""

from __future__ import annotations

import html

import pytest

from sources.parse import parse_document


def _career_guide_page(seed_text: str, *, score_markup: str, extra: str = "") -> bytes:
    """Seed 004 as HTML: sections as divs, the gauge as ``score_markup``."""
    head, _, tail = seed_text.partition("78\n/ 100\n")
    blocks = [f"<div class='row'>{html.escape(line)}</div>" for line in head.splitlines() if line]
    blocks.append(score_markup)
    blocks += [f"<div class='row'>{html.escape(line)}</div>" for line in tail.splitlines() if line]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Machine Learning Engineer Career Guide | CareerPath</title>
<script type="application/json" id="state">{{"related":
 [{{"title":"Data Scientist","score":"55 / 100"}}],
 "gauge":"How AI-proof is this career? 41 / 100"}}</script>
<style>.gauge span {{ font-weight: 700 }}</style></head>
<body>
<!-- Score: 12/100 -->
<!-- legacy: How AI-proof is this career? 33 / 100 -->
<div class="stale" style="display:none">How AI-proof is this career? 52 / 100</div>
<div hidden>How AI-proof is this career? 47 / 100</div>
<nav><a href="/careers/data-scientist">Data Scientist 55 / 100</a></nav>
<main>{"".join(blocks)}</main>
{extra}
</body></html>"""
    return page.encode("utf-8")


_SPLIT_GAUGE = (
    "<div class='gauge'><span class='v'>78</span><span class='s'>/ 100</span></div>"
    "<div class='label'>Relatively safe</div>"
)
_CHIPS = """<aside><h2>Related careers</h2><ul>
<li><a href="/careers/data-scientist">Data Scientist</a> <span>55 / 100</span></li>
<li>How AI-proof is this career? <span>30</span><span>/ 100</span> (Cloud Engineer)</li>
</ul></aside>"""


@pytest.fixture(scope="module")
def seed004(seed_bytes) -> str:
    return seed_bytes("career_guide").decode("utf-8")


def test_career_guide_html_with_split_spans_and_decoys(seed004, seeds):
    doc = parse_document(_career_guide_page(seed004, score_markup=_SPLIT_GAUGE, extra=_CHIPS))
    ex = doc.extraction
    assert ex is not None, doc.rejection
    assert ex.source == "career_guide"
    assert (ex.score.value, ex.score.scale_max, ex.score.polarity) == (78, 100, "safety")
    assert ex.score.raw_text == "78/ 100"
    assert ex.label == "Relatively safe"
    text_ex = seeds["career_guide"].extraction
    assert [(b.seniority, b.low, b.high, b.region) for b in ex.salary_bands] == [
        (b.seniority, b.low, b.high, b.region) for b in text_ex.salary_bands
    ]
    assert [(c.title, c.years_min, c.years_max) for c in ex.career_steps] == [
        (c.title, c.years_min, c.years_max) for c in text_ex.career_steps
    ]
    assert [(p.role, p.ease) for p in ex.pivots] == [(p.role, p.ease) for p in text_ex.pivots]
    assert ex.page_date == "April 2026"


def test_related_chips_before_the_related_heading_would_conflict(seed004):
    """Without the "Related careers" heading a second gauge is a real conflict."""
    extra = "<div>How AI-proof is this career? <span>30</span><span>/ 100</span></div>"
    doc = parse_document(_career_guide_page(seed004, score_markup=_SPLIT_GAUGE, extra=extra))
    assert doc.rejection is not None and doc.rejection.reason_code == "conflicting_scores"


def test_only_decoys_left_is_no_score(seed004):
    doc = parse_document(_career_guide_page(seed004, score_markup="", extra=_CHIPS))
    assert doc.rejection is not None and doc.rejection.reason_code == "no_score"


@pytest.mark.parametrize(
    "template",
    ["resilience_profile", "jobisque", "impact_report", "ai_safe_careers", "career_guide"],
)
def test_each_seed_as_html_extracts_like_the_text_capture(seed_bytes, as_html, seeds, template):
    text = seed_bytes(template).decode("utf-8")
    doc = parse_document(as_html(text, "Machine Learning Engineer").encode(), name="page.html")
    ex, expected = doc.extraction, seeds[template].extraction
    assert ex is not None, doc.rejection
    assert ex.source == template
    assert (ex.score.value, ex.score.scale_max, ex.score.polarity) == (
        expected.score.value,
        expected.score.scale_max,
        expected.score.polarity,
    )
    assert (ex.occupation, ex.label, ex.industry, ex.page_date) == (
        expected.occupation,
        expected.label,
        expected.industry,
        expected.page_date,
    )
    for kind in (
        "tasks_automation",
        "task_mentions",
        "salary_bands",
        "salary_growth",
        "recommendations",
        "career_steps",
        "pivots",
    ):
        got = [_without_evidence(r) for r in getattr(ex, kind)]
        assert got == [_without_evidence(r) for r in getattr(expected, kind)], kind
    assert {t.tool for t in ex.tools} == {t.tool for t in expected.tools}


def _without_evidence(record) -> tuple:
    return tuple(getattr(record, f) for f in record.__dataclass_fields__ if f != "evidence")


def test_impact_report_header_as_inline_spans_and_as_definition_list():
    body = "<h1>AI Impact on Paralegals</h1>{header}<h2>Overview</h2><p>Text.</p>"
    inline = (
        "<div><span>Risk Level: </span><span>4</span><span>/10</span><span>Industry: </span>"
        "<span>Legal</span><span>Risk Category: </span><span>moderate</span></div>"
    )
    dl = (
        "<dl><dt>Risk Level</dt><dd><data value='4'>4/10</data></dd><dt>Industry</dt>"
        "<dd>Legal</dd><dt>Risk Category</dt><dd>moderate</dd></dl>"
    )
    for header in (inline, dl):
        page = f"<html><body>{body.format(header=header)}</body></html>".encode()
        ex = parse_document(page, name="x.html").extraction
        assert ex is not None
        assert (ex.source, ex.occupation, ex.score.raw_text) == (
            "impact_report",
            "Paralegal",
            "4/10",
        )
        assert (ex.industry, ex.label) == ("Legal", "moderate")
