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
    NUMBER,
    evidence,
    find_occupation,
    heading,
    page_date,
    related_start,
    resolve_score,
    score_hits,
    section,
    squash,
)
from sources.tools import find_tools

TEMPLATE_ID = "ai_safe_careers"

_FINGERPRINTS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"AI-Safe Career",
        r"\bSafety Category\s*:",
        r"\bSafety Score\s*:",
        r"Transition Into This Career From",
        r"How AI Enhances the",
    )
)
_OCCUPATION = (
    re.compile(
        rf"^[^\w\n]{{0,4}}(?P<occ>[^\n|]{{2,100}}?)\s*{DASH}+\s*AI-Safe Career\b", re.I | re.M
    ),
    re.compile(r"\bWhy (?P<occ>[^\n]{2,100}?) Is an AI-Safe Career", re.I),
    re.compile(r"How AI Enhances the (?P<occ>[^\n]{2,100}?) Role", re.I),
)
_SCALE = rf"(?P<v>{NUMBER})\s*(?:/|out of)\s*(?P<s>\d{{1,3}})(?!\d|\.\d)"
_SCORE = re.compile(rf"\bSafety Score\s*:?\s*{_SCALE}", re.IGNORECASE)
_RESTATED = re.compile(rf"\bwith a safety score of {_SCALE}", re.IGNORECASE)
_SCORE_LOOSE = re.compile(rf"\bsafety score (?:of|is)\s*{_SCALE}", re.IGNORECASE)
_FIELD = r"\s*:\s*(?P<value>[^|\n]+?)\s*(?=\||$)"
_LABEL = re.compile(rf"\bSafety Category{_FIELD}", re.IGNORECASE | re.MULTILINE)
_INDUSTRY = re.compile(rf"\bIndustry{_FIELD}", re.IGNORECASE | re.MULTILINE)

_SALARY = heading(r"Salary Range")
_ENDS = tuple(
    heading(p)
    for p in (
        r"Growth Outlook",
        r"Education Path",
        r"Required Skills",
        r"Transition Into This Career",
        r"How AI Enhances",
        r"Building an? .* Resume",
    )
)


def detect(text: str) -> float:
    """Share of this template's fixed wording present in the text."""
    return sum(1 for f in _FINGERPRINTS if f.search(text)) / len(_FINGERPRINTS)


def extract(text: str) -> Extraction | Rejection:
    """Everything an AI-safe career page states (see module docstring)."""
    occ = find_occupation(text, _OCCUPATION)
    own_end = related_start(text, occ.evidence.end if occ else 0)
    strict = score_hits(_SCORE, text, 0, own_end) + score_hits(_RESTATED, text, 0, own_end)
    resolved = resolve_score(
        text, [strict, score_hits(_SCORE_LOOSE, text, 0, own_end)], "safety", "safety score"
    )
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
        page_date=page_date(text[:own_end]),
        tools=find_tools(text, 0, own_end),
    )
    label = _LABEL.search(text, 0, own_end)
    if label:
        ex.label_evidence = evidence(text, label.start("value"), label.end("value"))
        ex.label = squash(ex.label_evidence.snippet)
    industry = _INDUSTRY.search(text, 0, own_end)
    if industry:
        ex.industry = squash(industry["value"])
    if span := section(text, _SALARY, _ENDS, own_end):
        ex.salary_bands = labelled_bands(text, *span)
    return ex
