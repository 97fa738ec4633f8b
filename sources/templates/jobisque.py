"""``jobisque``: "Will AI Replace X?" articles with a Jobisque Risk Score.

Layout (seed 001): "Tasks at Risk" and "What AI Can't Replace" lists of
"Name: description" items, "Your Jobisque Risk Score: 48/100" (risk polarity)
restated as "carries a moderate risk score of 48/100" (the label), and
"What to Do About It: N Action Steps" numbered "1. Action: why" items.
"""

from __future__ import annotations

import re

from sources.records import Extraction, Recommendation, Rejection, TaskMention
from sources.templates.common import (
    APOS,
    NUMBER,
    colon_items,
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

TEMPLATE_ID = "jobisque"

_FINGERPRINTS = tuple(
    re.compile(p, re.IGNORECASE | re.MULTILINE)
    for p in (
        r"\bJobisque\b",
        r"Jobisque Risk Score",
        r"^[^\w\n]{0,4}Tasks at Risk\s*$",
        rf"What AI Can{APOS}?t Replace",
        r"\d+ Action Steps",
        r"What to Do About It",
    )
)
_OCCUPATION = (
    re.compile(r"\bYour (?P<occ>[^\n]{2,80}?) role carries\b", re.I),
    re.compile(r"Will AI Replace (?:an?\s+)?(?P<occ>[^\n?|]{2,100}?)\?", re.I),
    re.compile(rf"If you{APOS}re an? (?P<occ>[^\n,]{{2,80}}?),", re.I),
)
_SCALE = rf"(?P<v>{NUMBER})\s*(?:/|out of)\s*(?P<s>\d{{1,3}})(?!\d|\.\d)"
_SCORE = re.compile(rf"Jobisque Risk Score\s*:?\s*{_SCALE}", re.IGNORECASE)
_RESTATED = re.compile(rf"\bcarries an? [\w -]{{0,24}}?risk score of {_SCALE}", re.IGNORECASE)
_SCORE_LOOSE = re.compile(rf"\bYour [\w ]{{0,24}}?Risk Score\s*:?\s*{_SCALE}", re.IGNORECASE)
_LABEL = re.compile(
    r"\bcarries an? (?P<label>[A-Za-z]+(?:[ -][A-Za-z]+)?) risk score\b", re.IGNORECASE
)

_AT_RISK = heading(r"Tasks at Risk\s*$")
_HUMAN = heading(rf"What AI Can{APOS}?t Replace")
_SCORE_HEADING = heading(r"Your Jobisque Risk Score")
_ACTIONS = heading(r"What to Do About It|\d+ Action Steps")
_BOTTOM = heading(r"The Bottom Line")
_ENDS = (_AT_RISK, _HUMAN, _SCORE_HEADING, _ACTIONS, _BOTTOM)


def detect(text: str) -> float:
    """Share of this template's fixed wording present in the text."""
    return sum(1 for f in _FINGERPRINTS if f.search(text)) / len(_FINGERPRINTS)


def _mentions(text: str, span: tuple[int, int], stance: str) -> list[TaskMention]:
    return [
        TaskMention(item.name, stance, item.description, item.evidence)  # type: ignore[arg-type]
        for item in colon_items(text, *span)
    ]


def _actions(text: str, span: tuple[int, int]) -> list[Recommendation]:
    out = []
    for i, item in enumerate(colon_items(text, *span), start=1):
        out.append(
            Recommendation(item.number or i, item.name, item.description, None, item.evidence)
        )
    return out


def extract(text: str) -> Extraction | Rejection:
    """Everything a Jobisque article states (see module docstring)."""
    occ = find_occupation(text, _OCCUPATION)
    own_end = related_start(text, occ.evidence.end if occ else 0)
    strict = score_hits(_SCORE, text, 0, own_end) + score_hits(_RESTATED, text, 0, own_end)
    resolved = resolve_score(
        text, [strict, score_hits(_SCORE_LOOSE, text, 0, own_end)], "risk", "Jobisque Risk Score"
    )
    if isinstance(resolved, Rejection):
        return resolved
    if occ is None:
        return Rejection("no_occupation", "no 'Will AI Replace ...?' title or 'Your ... role'")
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
        ex.label_evidence = evidence(text, label.start("label"), label.end("label"))
        ex.label = squash(ex.label_evidence.snippet)
    if span := section(text, _AT_RISK, _ENDS, own_end):
        ex.task_mentions += _mentions(text, span, "at_risk")
    if span := section(text, _HUMAN, _ENDS, own_end):
        ex.task_mentions += _mentions(text, span, "human")
    if span := section(text, _ACTIONS, _ENDS, own_end):
        ex.recommendations = _actions(text, span)
    return ex
