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
    Template,
    TemplatePage,
    colon_items,
)

TEMPLATE_ID = "jobisque"

_SCORE = re.compile(rf"Jobisque Risk Score[ \t]*:?\s*{SCALE}")
_RESTATED = re.compile(rf"carries an? [\w -]{{0,24}}?risk score of {SCALE}")
_SCORE_LOOSE = re.compile(rf"Your [\w ]{{0,24}}?Risk Score[ \t]*:?\s*{SCALE}")
_LABEL = re.compile(r"carries an? (?P<label>[A-Za-z]+(?:[ -][A-Za-z]+)?) risk score\b")


_TEMPLATE = Template(
    TEMPLATE_ID,
    fingerprints=(
        "Jobisque",
        "Jobisque Risk Score",
        "Tasks at Risk",
        ("What AI Can't Replace", "What AI Can’t Replace", "What AI Cant Replace"),
        "Action Steps",
        "What to Do About It",
    ),
    occupation=(
        re.compile(r"Your (?P<occ>[^\n]{2,80}?) role carries\b"),
        re.compile(r"Will AI Replace (?:an?\s+)?(?P<occ>[^\n?|]{2,100}?)\?"),
        re.compile(r"If you['’]re an? (?P<occ>[^\n,]{2,80}?),"),
    ),
    score_tiers=((_SCORE, _RESTATED), (_SCORE_LOOSE,)),
    polarity="risk",
    score_name="Jobisque Risk Score",
    no_occupation="no 'Will AI Replace ...?' title or 'Your ... role'",
    headings={
        "at_risk": Heading("Tasks at Risk", whole=True),
        "human": Heading("What AI Can't Replace", "What AI Can’t Replace", "What AI Cant Replace"),
        "score": Heading("Your Jobisque Risk Score"),
        "actions": Heading("What to Do About It", "Action Steps", anchored=False),
        "bottom": Heading("The Bottom Line"),
    },
    label=_LABEL,
)
detect = _TEMPLATE.detect


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


def _details(text: str, page: TemplatePage) -> None:
    """Task lists and action steps of a Jobisque article."""
    ex, found = page.extraction, page.sections
    if span := found.get("at_risk"):
        ex.task_mentions += _mentions(text, span, "at_risk")
    if span := found.get("human"):
        ex.task_mentions += _mentions(text, span, "human")
    if span := found.get("actions"):
        ex.recommendations = _actions(text, span)


def extract(text: str) -> Extraction | Rejection:
    """Everything a Jobisque article states (see module docstring)."""
    return _TEMPLATE.extract(text, _details)
