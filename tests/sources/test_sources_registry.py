"""Template detection by content, with optional confirmation by URL host."""

from __future__ import annotations

import pytest

from sources import templates
from sources.parse import parse_document
from sources.templates import ADAPTERS, load_host_patterns, select_adapter


def test_adapters_expose_the_registry_contract():
    ids = [a.TEMPLATE_ID for a in ADAPTERS]
    assert ids == [
        "resilience_profile",
        "jobisque",
        "impact_report",
        "ai_safe_careers",
        "career_guide",
    ]
    for adapter in (*ADAPTERS, templates.GENERIC):
        assert callable(adapter.detect) and callable(adapter.extract)


@pytest.mark.parametrize("template", [a.TEMPLATE_ID for a in ADAPTERS])
def test_each_seed_is_claimed_by_its_template_only(seed_texts, template):
    text = seed_texts[template]
    scores = {a.TEMPLATE_ID: a.detect(text) for a in ADAPTERS}
    assert scores[template] == 1.0
    assert all(s < templates.DETECT_THRESHOLD for t, s in scores.items() if t != template)
    chosen = select_adapter(text)
    assert chosen is not None and template == chosen.TEMPLATE_ID


def test_unknown_pages_fall_back_to_generic():
    assert select_adapter("Will AI replace Bakers? Automation risk: 3/10") is None


MIXED = "Safety Score: 7/10\nHow AI Enhances the Baker Role\nRisk Level: 4/10\nRisk Category: low"


def test_url_host_prefers_its_template_when_its_wording_is_present():
    hosts = {"ai_safe_careers": ("*.aisafe.example",), "jobisque": ("jobisque.example",)}
    by_content = select_adapter(MIXED, hosts=hosts)
    assert by_content is not None and by_content.TEMPLATE_ID == "ai_safe_careers"
    hosts = {"impact_report": ("*.impact.example",)}
    by_host = select_adapter(MIXED, url="https://www.impact.example/occupations/baker", hosts=hosts)
    assert by_host is not None and by_host.TEMPLATE_ID == "impact_report"
    bare = select_adapter(MIXED, url="https://impact.example/x", hosts=hosts)
    assert bare is not None and bare.TEMPLATE_ID == "impact_report"
    other = select_adapter(MIXED, url="https://elsewhere.example/x", hosts=hosts)
    assert other is not None and other.TEMPLATE_ID == "ai_safe_careers"


def test_url_host_does_not_force_a_template_without_its_wording(seed_texts):
    hosts = {"jobisque": ("*",)}
    chosen = select_adapter(seed_texts["career_guide"], url="https://x.example/", hosts=hosts)
    assert chosen is not None and chosen.TEMPLATE_ID == "career_guide"


def test_malformed_urls_are_ignored(seed_bytes):
    doc = parse_document(seed_bytes("jobisque"), url="http://[::1")
    assert doc.extraction is not None and doc.url == "http://[::1"


def test_host_table_parsing():
    table = load_host_patterns(
        "# comment line\ntemplate_id,host_pattern\n# another\n"
        "jobisque,*.Jobisque.example\njobisque,jobisque.example\nimpact_report,\n"
    )
    assert table == {"jobisque": ("*.jobisque.example", "jobisque.example")}
    assert isinstance(templates.host_patterns(), dict)
