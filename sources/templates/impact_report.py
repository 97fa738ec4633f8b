"""``impact_report``: "AI Impact on X" reports with a 0-10 risk level.

Layout (seed 002): "Risk Level: 4/10 | Industry: Technology | Risk Category:
moderate" (risk polarity; restated as "is rated 4 out of 10"), task lists at
risk / safe from AI, "AI Tools Entering This Role", "Salary Impact Projection"
(growth rates like "10-20% annually", bands like "Senior MLEs at top companies
earning $300,000-$500,000+") and an "Adaptation Strategy" paragraph whose
sentences are the recommendations.
"""

from __future__ import annotations

import re

from sources.money import salary_mentions
from sources.records import (
    Evidence,
    Extraction,
    Recommendation,
    Rejection,
    SalaryGrowth,
    TaskMention,
    ToolMention,
)
from sources.templates.common import (
    NUMBER,
    SCALE,
    Heading,
    Line,
    Template,
    TemplatePage,
    evidence,
    field,
    lines,
    sentences,
    span_of,
    split_action,
    strip_bullet,
)

TEMPLATE_ID = "impact_report"

_SCORE = re.compile(rf"Risk Level[ \t]*:?\s*{SCALE}")
_RESTATED = re.compile(rf"disruption risk for [^\n]{{0,120}}?is rated {SCALE}")
_SCORE_LOOSE = re.compile(rf"is rated {SCALE}")
_HEADER = ("Risk Level", "Industry", "Risk Category")
_LABEL = field("Risk Category", _HEADER)
_INDUSTRY = field("Industry", _HEADER)
_GROWTH = re.compile(
    rf"(?P<lo>{NUMBER})\s*%?\s*(?:(?:[-–—]|to)\s*(?P<hi>{NUMBER})\s*)?%\s*"
    r"(?:annually|per year|a year|each year|yearly|per annum|year[- ]over[- ]year|YoY)\b",
    re.IGNORECASE,
)


_BOILERPLATE = re.compile(r"(?:These |Familiarity |Employers )")


_TEMPLATE = Template(
    TEMPLATE_ID,
    fingerprints=(
        "AI Impact on ",
        "Risk Level",
        "Risk Category",
        "Adaptation Strategy for",
        "Salary Impact Projection",
        "Tasks That Remain Safe from AI",
    ),
    occupation=(
        re.compile(
            r"AI Impact on (?:an?\s+|the\s+)?(?P<occ>[^\n|]{2,100}?)(?:\s+[|–—-]\s+[^\n]*)?[ \t]*$",
            re.M,
        ),
        re.compile(r"How AI Is Changing the (?P<occ>[^\n]{2,100}?) Profession"),
        re.compile(r"disruption risk for (?P<occ>[^\n]{2,100}?) professionals"),
    ),
    score_tiers=((_SCORE, _RESTATED), (_SCORE_LOOSE,)),
    polarity="risk",
    score_name="risk level",
    no_occupation="no 'AI Impact on ...' heading",
    headings={
        "overview": Heading("Overview", whole=True),
        "changing": Heading("How AI Is Changing"),
        "at_risk": Heading("Tasks at Risk of Automation"),
        "safe": Heading("Tasks That Remain Safe from AI"),
        "tools": Heading("AI Tools Entering This Role"),
        "salary": Heading("Salary Impact Projection"),
        "strategy": Heading("Adaptation Strategy"),
        "certs": Heading("Certifications to Strengthen"),
    },
    label=_LABEL,
    label_group="value",
    industry=_INDUSTRY,
)
detect = _TEMPLATE.detect


def _list_lines(text: str, span: tuple[int, int], max_words: int) -> list[Line]:
    """List items of a section, skipping the template's boilerplate paragraph."""
    out = []
    for raw in lines(text, *span):
        line = strip_bullet(raw)
        if _BOILERPLATE.match(line.text) or len(line.text.split()) > max_words:
            continue
        out.append(line)
    return out


def _tasks(text: str, span: tuple[int, int], stance: str) -> list[TaskMention]:
    out = []
    for line in _list_lines(text, span, 40):
        task, description = split_action(line.text)
        out.append(TaskMention(task, stance, description, span_of(text, line, line)))  # type: ignore[arg-type]
    return out


def _tools(text: str, span: tuple[int, int]) -> list[ToolMention]:
    """The tools list, each name as the page writes it ("Universal Robots cobots")."""
    out = []
    for line in _list_lines(text, span, 12):
        name, _ = split_action(line.text)
        if len(name.split()) <= 6:
            out.append(ToolMention(name, Evidence(line.start, line.start + len(name), name)))
    return out


def _growth(text: str, span: tuple[int, int]) -> list[SalaryGrowth]:
    out = []
    for m in _GROWTH.finditer(text, *span):
        hi = float(m["hi"]) if m["hi"] else None
        out.append(SalaryGrowth(float(m["lo"]), hi, "annual", evidence(text, m.start(), m.end())))
    return out


def _strategy(text: str, span: tuple[int, int]) -> list[Recommendation]:
    section_lines = [strip_bullet(x) for x in lines(text, *span)]
    if not section_lines:
        return []
    short = [x for x in section_lines if len(x.text.split()) <= 30]
    if len(short) >= 2 and section_lines[0] is short[0]:
        # a bulleted list: leading short lines are the items
        items = []
        for line in section_lines:
            if len(line.text.split()) > 30:
                break
            items.append(span_of(text, line, line))
    else:  # a paragraph: its sentences are the items
        first = section_lines[0]
        items = sentences(text, first.start, first.end)
    out = []
    for i, ev in enumerate(items, start=1):
        action, description = split_action(ev.snippet)
        out.append(
            Recommendation(
                i, action.rstrip("."), description.rstrip(".") if description else None, None, ev
            )
        )
    return out


def _details(text: str, page: TemplatePage) -> None:
    """Task lists, tools, salary outlook and strategy of an AI impact report."""
    ex, found = page.extraction, page.sections
    if span := found.get("at_risk"):
        ex.task_mentions += _tasks(text, span, "at_risk")
    if span := found.get("safe"):
        ex.task_mentions += _tasks(text, span, "human")
    if span := found.get("tools"):
        seen = {t.tool.casefold() for t in ex.tools}
        for tool in _tools(text, span):
            if tool.tool.casefold() not in seen:
                seen.add(tool.tool.casefold())
                ex.tools.append(tool)
    if span := found.get("salary"):
        ex.salary_growth = _growth(text, span)
        ex.salary_bands = salary_mentions(text, *span)
    if span := found.get("strategy"):
        ex.recommendations = _strategy(text, span)


def extract(text: str) -> Extraction | Rejection:
    """Everything an AI impact report states (see module docstring)."""
    return _TEMPLATE.extract(text, _details)
