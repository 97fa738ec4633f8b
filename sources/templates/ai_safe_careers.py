"""``ai_safe_careers``: "X — AI-Safe Career" pages with a 0-10 safety score.

Layout (seed 003): "Safety Category: AI-Created | Safety Score: 9/10 |
Industry: Technology" (safety polarity; restated as "a safety score of 9 out of
10"), prose sections, and "Salary Range" written "Entry: $100,000 | Mid:
$160,000 | Senior: $250,000" (single figures: ``low == high``). The "Transition
Into This Career From" list names roles that lead *into* this one, the reverse
of a :class:`~sources.records.Pivot`, so it is not recorded.
"""

from __future__ import annotations

import re

from sources.money import labelled_bands
from sources.records import Extraction, Rejection
from sources.templates.common import (
    DASH,
    SCALE,
    Heading,
    evidence,
    field,
    find_occupation,
    found_phrases,
    page_date,
    related_start,
    resolve_score,
    sections,
    squash,
    tiered_hits,
)
from sources.tools import find_tools

TEMPLATE_ID = "ai_safe_careers"

_FINGERPRINTS = (
    "AI-Safe Career",
    "Safety Category",
    "Safety Score",
    "Transition Into This Career From",
    "How AI Enhances the",
)
_OCCUPATION = (
    re.compile(rf"(?P<occ>[^\n|]{{2,100}}?)[ \t]*{DASH}+[ \t]*AI-Safe Career\b"),
    re.compile(r"Why (?P<occ>[^\n]{2,100}?) Is an AI-Safe Career"),
    re.compile(r"How AI Enhances the (?P<occ>[^\n]{2,100}?) Role"),
)
_SCORE = re.compile(rf"Safety Score[ \t]*:?\s*{SCALE}")
_RESTATED = re.compile(rf"[Ww]ith a safety score of {SCALE}")
_SCORE_LOOSE = re.compile(rf"safety score (?:of|is)\s*{SCALE}", re.IGNORECASE)
_HEADER = ("Safety Category", "Safety Score", "Industry")
_LABEL = field("Safety Category", _HEADER)
_INDUSTRY = field("Industry", _HEADER)

_SECTIONS = {
    "salary": Heading("Salary Range"),
    "growth": Heading("Growth Outlook"),
    "education": Heading("Education Path"),
    "skills": Heading("Required Skills"),
    "transition": Heading("Transition Into This Career"),
    "enhances": Heading("How AI Enhances"),
    "resume": Heading("Building a", "Building an"),
}


def detect(text: str) -> float:
    """Share of this template's fixed wording present in the text."""
    return found_phrases(text, _FINGERPRINTS)


def extract(text: str) -> Extraction | Rejection:
    """Everything an AI-safe career page states (see module docstring)."""
    occ = find_occupation(text, _OCCUPATION)
    own_end = related_start(text, occ.evidence.end if occ else 0)
    tiers = tiered_hits(text, ((_SCORE, _RESTATED), (_SCORE_LOOSE,)), own_end)
    resolved = resolve_score(text, tiers, "safety", "safety score")
    if isinstance(resolved, Rejection):
        return resolved
    if occ is None:
        return Rejection("no_occupation", "no '... — AI-Safe Career' heading")
    score, tier = resolved
    ex = Extraction(
        source=TEMPLATE_ID,
        extraction_method=TEMPLATE_ID,
        confidence=1.0 if tier == 0 else 0.85,
        occupation_raw=occ.raw,
        occupation=occ.canonical,
        occupation_slug=occ.slug,
        occupation_evidence=occ.evidence,
        score=score,
        page_date=page_date(text),
        tools=find_tools(text, 0, own_end),
    )
    label = _LABEL.search(text, 0, own_end)
    if label:
        ex.label_evidence = evidence(text, label.start("value"), label.end("value"))
        ex.label = squash(ex.label_evidence.snippet)
    industry = _INDUSTRY.search(text, 0, own_end)
    if industry:
        ex.industry = squash(industry["value"])
    if span := sections(text, _SECTIONS, own_end).get("salary"):
        ex.salary_bands = labelled_bands(text, *span)
    return ex
