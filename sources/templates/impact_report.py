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
    Line,
    evidence,
    find_occupation,
    heading,
    lines,
    page_date,
    related_start,
    resolve_score,
    score_hits,
    section,
    sentences,
    span_of,
    split_action,
    squash,
    strip_bullet,
)
from sources.tools import find_tools

TEMPLATE_ID = "impact_report"

_FINGERPRINTS = tuple(
    re.compile(p, re.IGNORECASE | re.MULTILINE)
    for p in (
        r"^[^\w\n]{0,4}AI Impact on ",
        r"\bRisk Level\s*:",
        r"\bRisk Category\s*:",
        r"Adaptation Strategy for",
        r"Salary Impact Projection",
        r"Tasks That Remain Safe from AI",
    )
)
_OCCUPATION = (
    re.compile(
        r"^[^\w\n]{0,4}AI Impact on (?:an?\s+|the\s+)?(?P<occ>[^\n|]{2,100}?)"
        r"(?:\s+[|–—-]\s+[^\n]*)?\s*$",
        re.I | re.M,
    ),
    re.compile(r"How AI Is Changing the (?P<occ>[^\n]{2,100}?) Profession", re.I),
    re.compile(r"disruption risk for (?P<occ>[^\n]{2,100}?) professionals", re.I),
)
_SCALE = rf"(?P<v>{NUMBER})\s*(?:/|out of)\s*(?P<s>\d{{1,3}})(?!\d|\.\d)"
_SCORE = re.compile(rf"\bRisk Level\s*:?\s*{_SCALE}", re.IGNORECASE)
_RESTATED = re.compile(rf"\bdisruption risk for [^\n]{{0,120}}?is rated {_SCALE}", re.IGNORECASE)
_SCORE_LOOSE = re.compile(rf"\bis rated {_SCALE}", re.IGNORECASE)
_FIELD = r"\s*:\s*(?P<value>[^|\n]+?)\s*(?=\||$)"
_LABEL = re.compile(rf"\bRisk Category{_FIELD}", re.IGNORECASE | re.MULTILINE)
_INDUSTRY = re.compile(rf"\bIndustry{_FIELD}", re.IGNORECASE | re.MULTILINE)
_GROWTH = re.compile(
    rf"(?P<lo>{NUMBER})\s*%?\s*(?:(?:[-–—]|to)\s*(?P<hi>{NUMBER})\s*)?%\s*"
    r"(?:annually|per year|a year|each year|yearly|per annum|year[- ]over[- ]year|YoY)\b",
    re.IGNORECASE,
)

_OVERVIEW = heading(r"Overview\s*$")
_CHANGING = heading(r"How AI Is Changing")
_AT_RISK = heading(r"Tasks at Risk of Automation")
_SAFE = heading(r"Tasks That Remain Safe from AI")
_TOOLS = heading(r"AI Tools Entering This Role")
_SALARY = heading(r"Salary Impact Projection")
_STRATEGY = heading(r"Adaptation Strategy")
_CERTS = heading(r"Certifications to Strengthen")
_ENDS = (_OVERVIEW, _CHANGING, _AT_RISK, _SAFE, _TOOLS, _SALARY, _STRATEGY, _CERTS)

_BOILERPLATE = re.compile(r"^(?:These |Familiarity |Employers )", re.IGNORECASE)


def detect(text: str) -> float:
    """Share of this template's fixed wording present in the text."""
    return sum(1 for f in _FINGERPRINTS if f.search(text)) / len(_FINGERPRINTS)


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
    out = []
    for line in _list_lines(text, span, 12):
        known = find_tools(text, line.start, line.end)
        if known:
            out.extend(known)
            continue
        name, _ = split_action(line.text)
        if len(name.split()) <= 5:
            start = line.start
            out.append(ToolMention(name, Evidence(start, start + len(name), name)))
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


def extract(text: str) -> Extraction | Rejection:
    """Everything an AI impact report states (see module docstring)."""
    occ = find_occupation(text, _OCCUPATION)
    own_end = related_start(text, occ.evidence.end if occ else 0)
    strict = score_hits(_SCORE, text, 0, own_end) + score_hits(_RESTATED, text, 0, own_end)
    resolved = resolve_score(
        text, [strict, score_hits(_SCORE_LOOSE, text, 0, own_end)], "risk", "risk level"
    )
    if isinstance(resolved, Rejection):
        return resolved
    if occ is None:
        return Rejection("no_occupation", "no 'AI Impact on ...' heading")
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
    if span := section(text, _AT_RISK, _ENDS, own_end):
        ex.task_mentions += _tasks(text, span, "at_risk")
    if span := section(text, _SAFE, _ENDS, own_end):
        ex.task_mentions += _tasks(text, span, "human")
    if span := section(text, _TOOLS, _ENDS, own_end):
        seen = {t.tool.casefold() for t in ex.tools}
        for tool in _tools(text, span):
            if tool.tool.casefold() not in seen:
                seen.add(tool.tool.casefold())
                ex.tools.append(tool)
    if span := section(text, _SALARY, _ENDS, own_end):
        ex.salary_growth = _growth(text, span)
        ex.salary_bands = salary_mentions(text, *span)
    if span := section(text, _STRATEGY, _ENDS, own_end):
        ex.recommendations = _strategy(text, span)
    return ex
