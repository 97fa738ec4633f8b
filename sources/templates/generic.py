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
from itertools import islice

from sources.records import Extraction, HeadlineScore, Polarity, Rejection
from sources.templates.common import (
    NUMBER,
    evidence,
    find_occupation,
    new_extraction,
    related_start,
    set_label,
    squash,
)

TEMPLATE_ID = "generic"
MIN_CONFIDENCE = 0.6
MAX_ANCHORS = 2000  # score-like marks looked at; a page with more is not a score page
_PERCENT_BASE = 0.45
_DIGITS = re.compile(r"[\d.,:/%★☆()]+")

# Scores are found from their anchors ("/", "out of", "%", "scale", stars) with
# fast literal searches, then read backwards and forwards from the anchor.
_ANCHOR = re.compile(r"/|out of|%|scale|★")
_BEFORE = re.compile(rf"(?<![\d.,/])(?P<v>{NUMBER})\s*\Z")
_SCALE_AFTER = re.compile(r"\s*(?P<s>100|10|5)(?!\d|\.\d|/|\s*%)")
_UNIT = re.compile(
    r"(?<![\d.])(?P<v>0?\.\d+|0|1(?:\.0+)?)\s+(?:on|out of)\s+a\s+0\s*(?:[-–—]|to)\s*1"
    r"(?:\.0)?\s+scale"
)
_STARS = re.compile(r"(?P<full>★+)(?P<empty>☆*)")
# "62/100 (High risk)": a word label in brackets right after the score (after
# an optional "(3 out of 5 stars)" restatement).
_LABEL_AFTER = re.compile(
    r"(?:[ \t]*[A-Za-z ]{0,8}\))?(?:[ \t]*\([ \t]*[\d.]+[ \t]*out of[ \t]*\d+[^)\n]{0,12}\))?"
    r"[ \t]*\((?P<label>[A-Za-z][A-Za-z -]{1,30})\)"
)

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
# Each pattern starts with literal words, so the scan over the page stays fast.
_OCCUPATION = (
    re.compile(r"AI [Rr]eplace (?:an?\s+|the\s+)?(?P<occ>[^\n?|]{2,80}?)\?"),
    re.compile(
        r"Is (?:being )?(?:an?\s+)?(?P<occ>[^\n?|]{2,80}?)\s+(?:at risk (?:from|of)|safe from"
        r"|threatened by|replaceable by|going to be replaced by)\s+(?:AI|automation|artificial)"
    ),
    re.compile(r"Will (?:an?\s+)?(?P<occ>[^\n?|]{2,80}?) be replaced by (?:AI|robots|automation)"),
    re.compile(
        r"(?m:^)[^\w\n]{0,4}(?P<occ>[^:\n|]{2,80}?)[ \t]*[:|–—-][ \t]*(?:AI|[Aa]utomation) "
        r"(?:[Rr]isk|[Ee]xposure|[Ii]mpact|[Oo]utlook|[Ss]afety)\b"
    ),
    re.compile(
        r"How (?:safe|secure|AI-proof|future-proof) (?:is|are) (?:an?\s+|the\s+)?"
        r"(?P<occ>[^\n?|]{2,60}?)(?: jobs?| careers?| roles?)?(?: from AI)?\?"
    ),
    re.compile(
        r"AI risk (?:for|of) (?:an?\s+)?(?P<occ>[A-Z][^\n.,:?|]{1,60}?)(?=\s*(?:[.,:?|\n]|$))",
        re.M,
    ),
)
_NOT_OCCUPATIONS = re.compile(
    r"^(?:my|your|our|their|his|her)\b|^(?:jobs?|humans?|people|workers|us|me|you)$", re.I
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible headline score with its confidence."""

    value: float
    scale: float
    polarity: Polarity
    confidence: float
    start: int
    end: int
    lead: str  # the words introducing the number, to tell a conflict from a chip

    @property
    def risk(self) -> float:
        """On the canonical 0-100 risk scale, to compare candidates."""
        r = self.value / self.scale * 100 if self.scale else 0.0
        return r if self.polarity == "risk" else 100 - r


def _polarity(text: str, start: int, end: int, lo: int, hi: int) -> tuple[Polarity, int] | None:
    """Polarity from the risk/safety word introducing the number (the nearest one
    before it), else the nearest one after it; with its distance in characters."""
    before: tuple[Polarity, int] | None = None
    after: tuple[Polarity, int] | None = None
    for pattern, polarity in ((_RISK_WORDS, "risk"), (_SAFETY_WORDS, "safety")):
        for m in pattern.finditer(text, lo, hi):
            if m.end() <= start:
                d = start - m.end()
                if before is None or d < before[1]:
                    before = (polarity, d)  # type: ignore[assignment]
            elif m.start() >= end:
                d = m.start() - end
                if after is None or d < after[1]:
                    after = (polarity, d)  # type: ignore[assignment]
    return before or after


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """Context of a number: its own line, plus the line before when the number
    stands (almost) alone on its line, as in "Automation risk" / "62%"."""
    floor = max(0, start - 160)
    line_start = max(text.rfind("\n", floor, start) + 1, floor)
    line_end = text.find("\n", end, end + 80)
    line_end = min(len(text), end + 80) if line_end < 0 else line_end
    lo = line_start
    if line_end - line_start <= 24 and line_start > floor:
        lo = max(text.rfind("\n", floor, line_start - 1) + 1, floor)
    return lo, line_end


def _candidate(
    text: str,
    value: float,
    scale: float,
    span: tuple[int, int],
    base: float,
    own_end: int,
    percent: bool = False,
) -> Candidate | None:
    start, end = span
    lo, hi = _window(text, start, end)
    found = _polarity(text, start, end, lo, hi)
    if found is None:
        return None
    polarity, distance = found
    score_word = _SCORE_WORDS.search(text, lo, hi) is not None
    if percent and not score_word and not _lead_has_keyword(text, lo, start):
        return None  # "23% of jobs will change", "55% automatable" are not headline scores
    confidence = base + (0.15 if score_word else 0.0) + (0.15 if distance <= 40 else 0.05)
    confidence -= 0.25 if start >= own_end else 0.0
    line_start = max(text.rfind("\n", lo, start) + 1, lo)
    lead = " ".join(_DIGITS.sub("", text[line_start:start]).split()).casefold()
    if not lead and line_start > lo:  # the number alone on its line: the line above leads
        lead = " ".join(text[lo:line_start].split()).casefold()
    return Candidate(value, scale, polarity, round(confidence, 3), start, end, lead)


def _lead_has_keyword(text: str, lo: int, start: int) -> bool:
    window = max(lo, start - 30)
    return bool(
        _RISK_WORDS.search(text, window, start) or _SAFETY_WORDS.search(text, window, start)
    )


def candidates(text: str, own_end: int) -> list[Candidate]:
    """Every number in a score-like form with risk or safety wording near it."""
    out: list[Candidate] = []

    def add(value: float, scale: float, start: int, end: int, base: float) -> None:
        c = _candidate(text, value, scale, (start, end), base, own_end, base == _PERCENT_BASE)
        if c:
            out.append(c)

    stars_done = -1
    for a in islice(_ANCHOR.finditer(text), MAX_ANCHORS):
        kind = a.group()
        if kind in ("/", "out of", "%"):
            before = _BEFORE.search(text, max(0, a.start() - 12), a.start())
            if not before:
                continue
            value = float(before["v"])
            if kind == "%":
                add(value, 100.0, before.start(), a.end(), _PERCENT_BASE)
                continue
            after = _SCALE_AFTER.match(text, a.end())
            if after:
                add(value, float(after["s"]), before.start(), after.end(), 0.55)
        elif kind == "scale":
            unit = _UNIT.search(text, max(0, a.start() - 40), a.end())
            if unit:
                add(float(unit["v"]), 1.0, unit.start(), unit.end(), 0.55)
        elif a.start() > stars_done:
            m = _STARS.match(text, a.start())
            if m:
                stars_done = m.end()
                full, empty = len(m["full"]), len(m["empty"])
                if full + empty >= 3:
                    add(float(full), float(full + empty), m.start(), m.end(), 0.5)
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
        c
        for c in found[1:]
        if c.confidence >= best.confidence - 0.05 and abs(c.risk - best.risk) > 1
    ]
    if any(c.lead == best.lead for c in rivals):
        shown = ", ".join(f"{c.value:g}/{c.scale:g}" for c in (best, *rivals))
        return Rejection("conflicting_scores", f"the page states different scores: {shown}")
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
    ex = new_extraction(
        text,
        source=TEMPLATE_ID,
        confidence=min(round(confidence, 3), 0.9),
        occupation=occ,
        score=score,
        own_end=own_end,
    )
    set_label(ex, text, _LABEL_AFTER.match(text, best.end), "label")
    return ex
