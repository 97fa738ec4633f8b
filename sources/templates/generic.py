"""``generic``: the fallback for pages of unknown sites.

It only takes a headline score stated near risk or safety wording, in one of
the common forms ("7/10", "62/100", "62%", "0.71 on a 0-1 scale", "4/5",
"★★★★☆"), and the occupation from title patterns ("Will AI replace X?", "Is X
at risk from AI", "X: AI risk"). Every candidate gets a confidence from its
form and its context; below :data:`MIN_CONFIDENCE` the page is ``no_score``
rather than a guess. Polarity comes from the wording nearest the number:
risk/exposure/automation/displacement words mean risk, safe/safety/resilience/
AI-proof/future-proof words mean safety.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sources.records import Extraction, HeadlineScore, Polarity, Rejection
from sources.templates.common import (
    NUMBER,
    evidence,
    find_occupation,
    page_date,
    related_start,
    squash,
)
from sources.tools import find_tools

TEMPLATE_ID = "generic"
MIN_CONFIDENCE = 0.6

_FRACTION = re.compile(
    rf"(?<![\d.,/])(?P<v>{NUMBER})\s*(?:/|out of)\s*(?P<s>100|10|5)(?!\d|\.\d|/|\s*%)", re.IGNORECASE
)
_PERCENT = re.compile(rf"(?<![\d.,/])(?P<v>{NUMBER})\s*%")
_UNIT = re.compile(
    r"(?<![\d.])(?P<v>0?\.\d+|0|1(?:\.0+)?)\s+(?:on|out of)\s+a\s+0\s*(?:[-–—]|to)\s*1"
    r"(?:\.0)?\s+scale",
    re.IGNORECASE,
)
_STARS = re.compile(r"(?P<full>★+)(?P<empty>☆*)")

_RISK_WORDS = re.compile(
    r"\b(?:risk|exposure|exposed|automat\w*|displacement|displaced|replace\w*|replaceab\w*"
    r"|vulnerab\w*|threat\w*)\b",
    re.IGNORECASE,
)
_SAFETY_WORDS = re.compile(
    r"\b(?:safe|safety|resilien\w*|AI[- ]proof|future[- ]proof\w*|secure)\b", re.IGNORECASE
)
_SCORE_WORDS = re.compile(
    r"\b(?:score|rating|rated|level|index|probability|likelihood|chance|grade|meter|outlook)\b",
    re.IGNORECASE,
)
_OCCUPATION = (
    re.compile(r"\b(?:Will|Can|Could) AI replace (?:an?\s+|the\s+)?(?P<occ>[^\n?|]{2,80}?)\?", re.I),
    re.compile(
        r"\bIs (?:being )?(?:an?\s+)?(?P<occ>[^\n?|]{2,80}?)\s+(?:at risk (?:from|of)|safe from"
        r"|threatened by|replaceable by|going to be replaced by)\s+(?:AI|automation|artificial)",
        re.I,
    ),
    re.compile(
        r"\bWill (?:an?\s+)?(?P<occ>[^\n?|]{2,80}?) be replaced by (?:AI|robots|automation)", re.I
    ),
    re.compile(
        r"^[^\w\n]{0,4}(?P<occ>[^:\n|]{2,80}?)\s*[:|–—-]\s*(?:AI|automation) "
        r"(?:risk|exposure|impact|outlook|safety)\b",
        re.I | re.M,
    ),
    re.compile(
        r"\bHow (?:safe|secure|AI-proof|future-proof) (?:is|are) (?:an?\s+|the\s+)?"
        r"(?P<occ>[^\n?|]{2,60}?)(?: jobs?| careers?| roles?)?(?: from AI)?\?",
        re.I,
    ),
    re.compile(
        r"\b(?:AI|automation) risk (?:for|of) (?:an?\s+)?(?P<occ>[A-Z][^\n.,:?|]{1,60}?)"
        r"(?=\s*(?:[.,:?|\n]|$))",
        re.M,
    ),
)
_NOT_OCCUPATIONS = re.compile(r"^(?:my|your|our|their|his|her)\b|^(?:jobs?|humans?|people|workers|us|me|you)$", re.I)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible headline score with its confidence."""

    value: float
    scale: float
    polarity: Polarity
    confidence: float
    start: int
    end: int

    @property
    def risk(self) -> float:
        """On the canonical 0-100 risk scale, to compare candidates."""
        r = self.value / self.scale * 100 if self.scale else 0.0
        return r if self.polarity == "risk" else 100 - r


def _nearest_polarity(text: str, start: int, end: int, lo: int, hi: int) -> tuple[Polarity, int] | None:
    """Polarity of the risk/safety word nearest the number, and its distance."""
    best: tuple[Polarity, int] | None = None
    for pattern, polarity in ((_RISK_WORDS, "risk"), (_SAFETY_WORDS, "safety")):
        for m in pattern.finditer(text, lo, hi):
            dist = start - m.end() if m.end() <= start else m.start() - end
            dist = max(dist, 0)
            if best is None or dist < best[1] or (dist == best[1] and polarity == "safety"):
                best = (polarity, dist)  # type: ignore[assignment]
    return best


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """Context of a number: its line and the one before, at most 160 chars back."""
    line_start = text.rfind("\n", 0, start) + 1
    prev_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0
    lo = max(prev_start, start - 160)
    line_end = text.find("\n", end)
    hi = min(len(text) if line_end < 0 else line_end, end + 60)
    return lo, hi


def _candidate(
    text: str, value: float, scale: float, start: int, end: int, base: float, own_end: int
) -> Candidate | None:
    lo, hi = _window(text, start, end)
    near = _nearest_polarity(text, start, end, lo, hi)
    if near is None:
        return None
    polarity, distance = near
    confidence = base
    confidence += 0.15 if _SCORE_WORDS.search(text, lo, hi) else 0.0
    confidence += 0.15 if distance <= 40 else 0.05
    confidence -= 0.25 if start >= own_end else 0.0
    return Candidate(value, scale, polarity, round(confidence, 3), start, end)


def candidates(text: str, own_end: int) -> list[Candidate]:
    """Every number in a score-like form with risk or safety wording near it."""
    out: list[Candidate] = []
    for m in _FRACTION.finditer(text):
        c = _candidate(text, float(m["v"]), float(m["s"]), m.start(), m.end(), 0.55, own_end)
        if c:
            out.append(c)
    for m in _UNIT.finditer(text):
        c = _candidate(text, float(m["v"]), 1.0, m.start(), m.end(), 0.55, own_end)
        if c:
            out.append(c)
    for m in _STARS.finditer(text):
        full, empty = len(m["full"]), len(m["empty"])
        if full + empty >= 3:
            c = _candidate(text, float(full), float(full + empty), m.start(), m.end(), 0.5, own_end)
            if c:
                out.append(c)
    for m in _PERCENT.finditer(text):
        lo, hi = _window(text, m.start(), m.end())
        if not _SCORE_WORDS.search(text, lo, hi):
            continue  # "23% of jobs will change" is not a score
        c = _candidate(text, float(m["v"]), 100.0, m.start(), m.end(), 0.4, own_end)
        if c:
            out.append(c)
    return out


def detect(text: str) -> float:
    """The fallback accepts any page; it is tried after every template."""
    return 0.0


def extract(text: str) -> Extraction | Rejection:
    """A headline score and occupation from an unknown page, or ``no_score``."""
    occ = None
    for pattern in _OCCUPATION:
        found = find_occupation(text, (pattern,))
        if found and not _NOT_OCCUPATIONS.search(found.raw):
            occ = found
            break
    own_end = related_start(text, occ.evidence.end if occ else 0)
    found = sorted(candidates(text, own_end), key=lambda c: (-c.confidence, c.start))
    if not found or found[0].confidence < MIN_CONFIDENCE:
        return Rejection("no_score", "no score stated near risk or safety wording with confidence")
    best = found[0]
    rivals = [
        c for c in found[1:] if c.confidence >= best.confidence - 0.05 and abs(c.risk - best.risk) > 1
    ]
    confidence = best.confidence - (0.15 if rivals else 0.0)
    if confidence < MIN_CONFIDENCE:
        return Rejection("no_score", "several different scores stated near risk wording")
    if best.scale <= 0 or not 0 <= best.value <= best.scale:
        return Rejection(
            "score_out_of_range", f"score {best.value:g}/{best.scale:g} lies outside its scale"
        )
    if occ is None:
        return Rejection("no_occupation", "no occupation title pattern on an unknown page")
    ev = evidence(text, best.start, best.end)
    score = HeadlineScore(squash(ev.snippet), best.value, best.scale, best.polarity, ev)
    return Extraction(
        source=TEMPLATE_ID,
        extraction_method=TEMPLATE_ID,
        confidence=min(round(confidence, 3), 0.9),
        occupation_raw=occ.raw,
        occupation=occ.canonical,
        occupation_slug=occ.slug,
        occupation_evidence=occ.evidence,
        score=score,
        page_date=page_date(text[:own_end]),
        tools=find_tools(text, 0, own_end),
    )
