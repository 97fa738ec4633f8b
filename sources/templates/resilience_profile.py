"""``resilience_profile``: "AI risk profile" pages with an average resilience score.

Layout (seed 000): "AI risk profile" + exposure label, "Is being a X at risk
from AI?", "Average resilience score 68/100" (safety polarity: 100 = resilient),
numbered tasks each "NN% automatable" with a rationale, "What humans still do
better" bullets, "How to raise your resilience" numbered steps with horizons,
and an FAQ whose answers quote salaries.
"""

from __future__ import annotations

import re

from sources.money import salary_mentions
from sources.records import Extraction, Recommendation, Rejection, TaskAutomation, TaskMention
from sources.templates.common import (
    NUMBER,
    SCALE,
    Heading,
    Template,
    TemplatePage,
    evidence,
    horizon,
    joined,
    lines,
    numbered_chunks,
    ordinal,
    span_of,
    strip_bullet,
)

TEMPLATE_ID = "resilience_profile"

_SCORE = re.compile(rf"Average resilience score[ \t]*:?\s*{SCALE}")
_SCORE_LOOSE = re.compile(rf"resilience score(?: is| of|:)?\s*{SCALE}", re.IGNORECASE)
_LABEL = re.compile(
    r"AI risk profile[ \t]*\n?[ \t]*(?P<label>[A-Za-z][A-Za-z -]{0,30}?\bexposure)\b"
)
_PCT = re.compile(rf"(?P<pct>{NUMBER})\s*%\s*automatable")


_TEMPLATE = Template(
    TEMPLATE_ID,
    fingerprints=(
        "AI risk profile",
        "Average resilience score",
        "How to raise your resilience",
        "What humans still do better",
        "automatable",
        ("What AI can (and can't) do", "What AI can (and can’t) do"),
    ),
    occupation=(
        re.compile(r"Is being (?:an?\s+)?(?P<occ>[^\n?]{2,100}?)\s+at risk from AI\?"),
        re.compile(r"this is the average for (?P<occ>[^\n]{2,100}?)\.(?=\s|$)"),
        re.compile(
            r"How to raise your resilience as (?:an?\s+)?(?P<occ>[^\n]{2,100}?)[ \t]*$", re.M
        ),
    ),
    score_tiers=((_SCORE,), (_SCORE_LOOSE,)),
    polarity="safety",
    score_name="average resilience score",
    no_occupation="no 'Is being a ... at risk from AI?' heading",
    headings={
        "tasks": Heading("What AI can (and can't) do", "What AI can (and can’t) do"),
        "humans": Heading("What humans still do better"),
        "steps": Heading("How to raise your resilience"),
        "faq": Heading("Frequently asked", "FAQ"),
    },
    label=_LABEL,
)
detect = _TEMPLATE.detect


def _tasks(text: str, start: int, end: int) -> list[TaskAutomation]:
    out = []
    prev = start
    for m in _PCT.finditer(text, start, end):
        chunk = lines(text, prev, m.start())
        prev = m.end()
        pct = float(m["pct"])
        if not chunk or pct > 100:
            continue
        marker = next((i for i, line in enumerate(chunk) if ordinal(line)), None)
        if marker is not None:
            _, rest = ordinal(chunk[marker]) or (0, None)
            body = chunk[marker + 1 :]
            if rest is None:
                if not body:
                    continue
                rest, body = body[0], body[1:]
            task_line = rest
        elif len(chunk) >= 2:
            task_line, body = chunk[-2], chunk[-1:]
        else:
            task_line, body = chunk[0], []
        ev = evidence(text, task_line.start, m.end())
        out.append(TaskAutomation(task_line.text, pct, joined(body), ev))
    return out


def _humans(text: str, start: int, end: int) -> list[TaskMention]:
    out = []
    for raw in lines(text, start, end):
        line = strip_bullet(raw)
        if line.text.endswith(":"):
            continue
        out.append(TaskMention(line.text, "human", None, span_of(text, line, line)))
    return out


def _steps(text: str, start: int, end: int) -> list[Recommendation]:
    section_lines = lines(text, start, end)
    chunks = numbered_chunks(section_lines)
    if not chunks:  # numbers drawn by CSS: a step ends at its horizon line
        chunks, body = [], []
        for line in section_lines:
            body.append(line)
            if horizon(line.text):
                chunks.append((len(chunks) + 1, body[0], body))
                body = []
    out = []
    for number, marker, body in chunks:
        if not body:
            continue
        when = horizon(body[-1].text) if len(body) > 1 else None
        middle = body[1:-1] if when else body[1:]
        out.append(
            Recommendation(
                number, body[0].text, joined(middle), when, span_of(text, marker, body[-1])
            )
        )
    return out


def _details(text: str, page: TemplatePage) -> None:
    """Tasks, human strengths, steps and FAQ salaries of a resilience profile."""
    ex, found = page.extraction, page.sections
    if span := found.get("tasks"):
        ex.tasks_automation = _tasks(text, *span)
    if span := found.get("humans"):
        ex.task_mentions = _humans(text, *span)
    if span := found.get("steps"):
        ex.recommendations = _steps(text, *span)
    if span := found.get("faq"):
        ex.salary_bands = salary_mentions(text, *span)


def extract(text: str) -> Extraction | Rejection:
    """Everything a resilience profile states (see module docstring)."""
    return _TEMPLATE.extract(text, _details)
