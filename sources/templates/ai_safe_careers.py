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
    Template,
    TemplatePage,
    field,
)

TEMPLATE_ID = "ai_safe_careers"

_SCORE = re.compile(rf"Safety Score[ \t]*:?\s*{SCALE}")
_RESTATED = re.compile(rf"[Ww]ith a safety score of {SCALE}")
_SCORE_LOOSE = re.compile(rf"safety score (?:of|is)\s*{SCALE}", re.IGNORECASE)
_HEADER = ("Safety Category", "Safety Score", "Industry")
_LABEL = field("Safety Category", _HEADER)
_INDUSTRY = field("Industry", _HEADER)


_TEMPLATE = Template(
    TEMPLATE_ID,
    fingerprints=(
        "AI-Safe Career",
        "Safety Category",
        "Safety Score",
        "Transition Into This Career From",
        "How AI Enhances the",
    ),
    occupation=(
        re.compile(rf"(?P<occ>[^\n|]{{2,100}}?)[ \t]*{DASH}+[ \t]*AI-Safe Career\b"),
        re.compile(r"Why (?P<occ>[^\n]{2,100}?) Is an AI-Safe Career"),
        re.compile(r"How AI Enhances the (?P<occ>[^\n]{2,100}?) Role"),
    ),
    score_tiers=((_SCORE, _RESTATED), (_SCORE_LOOSE,)),
    polarity="safety",
    score_name="safety score",
    no_occupation="no '... — AI-Safe Career' heading",
    headings={
        "salary": Heading("Salary Range"),
        "growth": Heading("Growth Outlook"),
        "education": Heading("Education Path"),
        "skills": Heading("Required Skills"),
        "transition": Heading("Transition Into This Career"),
        "enhances": Heading("How AI Enhances"),
        "resume": Heading("Building a", "Building an"),
    },
    label=_LABEL,
    label_group="value",
    industry=_INDUSTRY,
)
detect = _TEMPLATE.detect


def _details(text: str, page: TemplatePage) -> None:
    """Salary bands of an AI-safe career page."""
    ex, found = page.extraction, page.sections
    if span := found.get("salary"):
        ex.salary_bands = labelled_bands(text, *span)


def extract(text: str) -> Extraction | Rejection:
    """Everything an AI-safe career page states (see module docstring)."""
    return _TEMPLATE.extract(text, _details)
