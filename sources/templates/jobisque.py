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
    SCALE,
    Heading,
    colon_items,
    evidence,
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

TEMPLATE_ID = "jobisque"

_FINGERPRINTS = (
    "Jobisque",
    "Jobisque Risk Score",
    "Tasks at Risk",
    ("What AI Can't Replace", "What AI Can’t Replace", "What AI Cant Replace"),
    "Action Steps",
    "What to Do About It",
)
_OCCUPATION = (
    re.compile(r"Your (?P<occ>[^\n]{2,80}?) role carries\b"),
    re.compile(r"Will AI Replace (?:an?\s+)?(?P<occ>[^\n?|]{2,100}?)\?"),
    re.compile(r"If you['’]re an? (?P<occ>[^\n,]{2,80}?),"),
)
_SCORE = re.compile(rf"Jobisque Risk Score[ \t]*:?\s*{SCALE}")
_RESTATED = re.compile(rf"carries an? [\w -]{{0,24}}?risk score of {SCALE}")
_SCORE_LOOSE = re.compile(rf"Your [\w ]{{0,24}}?Risk Score[ \t]*:?\s*{SCALE}")
_LABEL = re.compile(r"carries an? (?P<label>[A-Za-z]+(?:[ -][A-Za-z]+)?) risk score\b")

_AT_RISK = Heading("Tasks at Risk", whole=True)
_HUMAN = Heading("What AI Can't Replace", "What AI Can’t Replace", "What AI Cant Replace")
_SCORE_HEADING = Heading("Your Jobisque Risk Score")
_ACTIONS = Heading("What to Do About It", "Action Steps", anchored=False)
_BOTTOM = Heading("The Bottom Line")
_SECTIONS = {
    "at_risk": _AT_RISK,
    "human": _HUMAN,
    "score": _SCORE_HEADING,
    "actions": _ACTIONS,
    "bottom": _BOTTOM,
}


def detect(text: str) -> float:
    """Share of this template's fixed wording present in the text."""
    return found_phrases(text, _FINGERPRINTS)


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
    tiers = tiered_hits(text, ((_SCORE, _RESTATED), (_SCORE_LOOSE,)), own_end)
    resolved = resolve_score(text, tiers, "risk", "Jobisque Risk Score")
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
        page_date=page_date(text),
        tools=find_tools(text, 0, own_end),
    )
    label = _LABEL.search(text, 0, own_end)
    if label:
        ex.label_evidence = evidence(text, label.start("label"), label.end("label"))
        ex.label = squash(ex.label_evidence.snippet)
    found = sections(text, _SECTIONS, own_end)
    if span := found.get("at_risk"):
        ex.task_mentions += _mentions(text, span, "at_risk")
    if span := found.get("human"):
        ex.task_mentions += _mentions(text, span, "human")
    if span := found.get("actions"):
        ex.recommendations = _actions(text, span)
    return ex
