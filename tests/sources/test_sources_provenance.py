"""Every extracted value points at the words it was read from."""

from __future__ import annotations

import pytest

from sources.parse import parse_document, visible_text


@pytest.mark.parametrize(
    "template",
    ["resilience_profile", "jobisque", "impact_report", "ai_safe_careers", "career_guide"],
)
def test_every_evidence_of_every_seed_matches_its_span(seeds, seed_texts, evidences, template):
    ex = seeds[template].extraction
    text = seed_texts[template]
    found = list(evidences(ex))
    assert len(found) > 5
    for where, ev in found:
        assert 0 <= ev.start < ev.end <= len(text), where
        assert text[ev.start : ev.end] == ev.snippet, where
        assert ev.snippet == ev.snippet.strip(), where


def test_values_are_read_inside_their_evidence(seeds, seed_texts):
    ex = seeds["resilience_profile"].extraction
    for task in ex.tasks_automation:
        assert task.task in task.evidence.snippet
        assert task.evidence.snippet.endswith("automatable")
        assert f"{task.pct_automatable:g}%" in task.evidence.snippet
    for rec in ex.recommendations:
        assert rec.action in rec.evidence.snippet
        assert rec.horizon and rec.evidence.snippet.endswith(rec.horizon)
    assert ex.occupation_evidence.snippet == "Machine Learning Engineer"
    assert ex.label_evidence.snippet == "Low exposure"


def test_spans_also_hold_for_html_pages(seed_bytes, as_html, evidences):
    for template in ("career_guide", "jobisque"):
        page = as_html(seed_bytes(template).decode(), "Machine Learning Engineer").encode()
        doc = parse_document(page, name="page.html")
        text = visible_text(page, name="page.html")
        assert doc.extraction is not None, doc.rejection
        for where, ev in evidences(doc.extraction):
            assert text[ev.start : ev.end] == ev.snippet, where
