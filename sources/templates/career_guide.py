"""``career_guide``: numbered career guides with a "How AI-proof is this career?" gauge.

Layout (seed 004): "What a X actually does", skills, a day-in-the-life
simulation, "X salary — by country & seniority" ("Showing: United States" then
"Junior" / "$95k–$130k" pairs), the gauge ("78" and "/ 100" on separate lines,
then a label like "Relatively safe"; safety polarity), "Career progression"
(numbered steps ending in "0 – 2 years" / "10+ years"), "Where can you pivot
from this role?" (role, description, "Ease: High"), and "Last updated: April 2026".

The "What a X actually does" duties are not recorded: they state neither an
automation share nor a stance (at risk / human), and inventing one would be a guess.
"""

from __future__ import annotations

import re

from sources.money import labelled_bands, region_code
from sources.records import CareerStep, Extraction, Pivot, Rejection
from sources.templates.common import (
    DASH,
    NUMBER,
    SCALE,
    Heading,
    Line,
    Template,
    TemplatePage,
    is_note,
    joined,
    lines,
    ordinal,
    set_label,
    span_of,
)

TEMPLATE_ID = "career_guide"

_SCORE = re.compile(
    rf"How AI-proof is this career\?[^\d]{{0,300}}?(?<![\d.])(?P<v>{NUMBER})\s*"
    rf"(?:/|out of)\s*(?P<s>\d{{1,3}})(?!\d|\.\d)"
)
_SCORE_LOOSE = re.compile(rf"AI-proof (?:score|rating)[ \t]*:?\s*{SCALE}")
_LABEL_LINE = re.compile(r"[A-Za-z][A-Za-z ,'-]{1,40}")
_SHOWING = re.compile(r"Showing[ \t]*:\s*(?P<region>[^\n]{2,40}?)[ \t]*$", re.MULTILINE)
_YEARS = re.compile(
    rf"(?:(?P<a>{NUMBER})\s*(?:{DASH}|to)\s*(?P<b>{NUMBER})|(?P<c>{NUMBER})\s*\+)\s*"
    r"(?:years?|yrs?)(?: of experience)?\.?",
    re.IGNORECASE,
)
_EASE = re.compile(r"Ease[ \t]*:\s*(?P<ease>[A-Za-z]+(?:[ -][A-Za-z]+)?)[ \t]*", re.IGNORECASE)


_TEMPLATE = Template(
    TEMPLATE_ID,
    fingerprints=(
        "How AI-proof is this career?",
        "actually does",
        "by country",
        "Career progression",
        "Where can you pivot from this role?",
        "Day-in-the-life",
    ),
    occupation=(
        re.compile(r"What an? (?P<occ>[^\n]{2,100}?) actually does\b"),
        re.compile(rf"(?P<occ>[^\n]{{2,100}}?) salary[ \t]*{DASH}[ \t]*by country", re.M),
        re.compile(r"(?P<occ>[^\n]{2,100}?) skills needed[ \t]*$", re.M),
    ),
    score_tiers=((_SCORE,), (_SCORE_LOOSE,)),
    polarity="safety",
    score_name="AI-proof score",
    no_occupation="no 'What a ... actually does' heading",
    headings={
        "does": Heading("actually does", anchored=False),
        "skills": Heading("skills needed", anchored=False, whole=True),
        "day": Heading("Day-in-the-life"),
        "salary": Heading("by country", anchored=False),
        "risk": Heading("AI risk & future-proofing", "How AI-proof is this career"),
        "progression": Heading("Career progression"),
        "pivots": Heading("Where can you pivot"),
        "sources": Heading("Sources & methodology"),
    },
)
detect = _TEMPLATE.detect


def _anchored(section_lines: list[Line], anchor: re.Pattern[str]):
    """Group lines into items that each end at a line matching ``anchor``.

    Yields ``(number, first_line, body_lines, anchor_line, anchor_match)``;
    ordinal markers and editorial notes before an item are dropped.
    """
    buffer: list[Line] = []
    count = 0
    for line in section_lines:
        m = anchor.fullmatch(line.text)
        if not m:
            buffer.append(line)
            continue
        number = None
        marker = None
        body: list[Line] = []
        for item in buffer:
            o = ordinal(item)
            if o:
                number, rest = o
                marker = item
                body = [rest] if rest else []
            elif not is_note(item):
                body.append(item)
        buffer = []
        if not body:
            continue
        count += 1
        yield number or count, marker or body[0], body, line, m


def _steps(text: str, span: tuple[int, int]) -> list[CareerStep]:
    out = []
    for number, first, body, last, m in _anchored(lines(text, *span), _YEARS):
        if m["c"]:
            low, high = float(m["c"]), None
        else:
            low, high = float(m["a"]), float(m["b"])
        out.append(
            CareerStep(
                number, body[0].text, joined(body[1:]), low, high, span_of(text, first, last)
            )
        )
    return out


def _pivots(text: str, span: tuple[int, int]) -> list[Pivot]:
    out = []
    for _, first, body, last, m in _anchored(lines(text, *span), _EASE):
        out.append(Pivot(body[0].text, joined(body[1:]), m["ease"], span_of(text, first, last)))
    return out


def _details(text: str, page: TemplatePage) -> None:
    """Gauge label, salaries, progression and pivots of a career guide."""
    ex, found = page.extraction, page.sections
    score_end = ex.score.evidence.end
    after = lines(text, score_end, min(page.own_end, score_end + 200))
    if after:  # the gauge's label is the line right after the score
        set_label(ex, text, _LABEL_LINE.fullmatch(text, after[0].start, after[0].end))
    if span := found.get("salary"):
        showing = _SHOWING.search(text, *span)
        region = region_code(showing["region"]) if showing else None
        ex.salary_bands = labelled_bands(text, span[0], span[1], region)
    if span := found.get("progression"):
        ex.career_steps = _steps(text, span)
    if span := found.get("pivots"):
        ex.pivots = _pivots(text, span)


def extract(text: str) -> Extraction | Rejection:
    """Everything a career guide states (see module docstring)."""
    return _TEMPLATE.extract(text, _details)
