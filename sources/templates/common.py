"""Helpers shared by the template adapters: lines, sections, spans, scores,
and :class:`Template`, the fixed wording of a site template and how a page of
it is read (headline, label, industry, sections).

Adapters read the normalised text line by line. A line keeps its offsets into
the text, so every value built from lines gets an :class:`Evidence` whose
``text[start:end] == snippet`` holds by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from sources.records import Evidence, Extraction, HeadlineScore, Polarity, Rejection
from sources.titles import canonical_title, slugify
from sources.tools import find_tools

NUMBER = r"\d{1,3}(?:\.\d+)?"
DASH = "[-–—]"
# "68/100", "4 out of 10", "78\n/ 100": value and scale (never a decimal's first digits).
SCALE = rf"(?P<v>{NUMBER})\s*(?:/|out of)\s*(?P<s>\d{{1,3}})(?!\d|\.\d)"

_LINE = re.compile(r"[^\n]+")
_BULLET = re.compile(r"^[•·▪◦‣\-*–—>]+\s*")
_WS = re.compile(r"\s+")
_SENTENCE = re.compile(
    r"\S[^\n]*?(?:[.!?][\"”’)]?(?=[ \t]+[A-Z\"“(])|[.!?][\"”’)]?[ \t]*$|$)", re.MULTILINE
)


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
)
_DATE_KEYWORDS = ("Last updated", "Updated", "updated", "Last reviewed", "Reviewed", "Published")
_DATE_AFTER = re.compile(rf"(?:\s+on)?\s*:?\s*(?P<d>{_DATE})(?!\d)")


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank line, stripped, with its offsets in the text."""

    start: int
    end: int
    text: str


def lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """Non-blank lines of ``text[start:end]``, stripped, with their offsets."""
    out: list[Line] = []
    for m in _LINE.finditer(text, start, len(text) if end is None else end):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            s = m.start() + len(raw) - len(raw.lstrip())
            out.append(Line(s, s + len(stripped), stripped))
    return out


def strip_bullet(line: Line) -> Line:
    """The line without a leading bullet mark ("•", "-", "*" ...)."""
    m = _BULLET.match(line.text)
    if not m or m.end() == len(line.text):
        return line
    return Line(line.start + m.end(), line.end, line.text[m.end() :])


def evidence(text: str, start: int, end: int) -> Evidence:
    """Evidence for ``text[start:end]`` with surrounding whitespace trimmed."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Evidence(start, end, text[start:end])


def span_of(text: str, first: Line, last: Line) -> Evidence:
    """Evidence covering lines ``first`` .. ``last`` inclusive."""
    return Evidence(first.start, last.end, text[first.start : last.end])


def joined(parts: Iterable[Line]) -> str | None:
    """Lines joined with single spaces, or None when there are none."""
    s = " ".join(p.text for p in parts).strip()
    return s or None


def squash(s: str) -> str:
    """Collapse internal whitespace (values stored as plain strings)."""
    return _WS.sub(" ", s).strip()


_LINE_MARKS = re.compile(r"[^\w\n]{0,4}|\d{1,2}[^\w\n]{0,3}")
_MAX_HEADING = 160  # characters: longer lines are prose, not headings


class Heading:
    """A heading line found by literal phrases (fast ``str.find``, no regex scan).

    ``anchored``: the phrase starts the line (after at most four marks such as
    "▼", "#", "•" or an inline ordinal like "06"); otherwise it may sit anywhere
    in a short line ("Paralegal salary — by country"). ``whole``: nothing but
    spaces or a colon may follow the phrase on its line.
    """

    __slots__ = ("anchored", "phrases", "whole")

    def __init__(self, *phrases: str, anchored: bool = True, whole: bool = False) -> None:
        self.phrases = phrases
        self.anchored = anchored
        self.whole = whole

    def _ok(self, text: str, line_start: int, at: int, line_end: int, phrase: str) -> bool:
        if line_start < 0 or line_end < 0:
            return False  # no line break within reach: a line too long to be a heading
        if self.anchored and not _LINE_MARKS.fullmatch(text, line_start, at):
            return False
        return not self.whole or not text[at + len(phrase) : line_end].strip(" :")

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> tuple[int, int] | None:
        """``(line_start, line_end)`` of the first heading line in ``text[pos:endpos]``."""
        stop = len(text) if endpos is None else endpos
        best: tuple[int, int] | None = None
        for phrase in self.phrases:
            at = text.find(phrase, pos, stop)
            while at >= 0 and (best is None or at < best[0]):
                line_start = _line_start(text, at)
                line_end = _line_end(text, at)
                if self._ok(text, line_start, at, line_end, phrase):
                    best = (line_start, line_end)
                    break
                at = text.find(phrase, at + 1, stop)
        return best


def _line_start(text: str, at: int) -> int:
    """Start of the line holding ``at``, or -1 if it lies over _MAX_HEADING back."""
    floor = max(0, at - _MAX_HEADING)
    nl = text.rfind("\n", floor, at)
    if nl >= 0:
        return nl + 1
    return 0 if floor == 0 else -1


def _line_end(text: str, at: int) -> int:
    """End of the line holding ``at``, or -1 if it lies over _MAX_HEADING ahead."""
    nl = text.find("\n", at, at + _MAX_HEADING)
    if nl >= 0:
        return nl
    return len(text) if len(text) - at <= _MAX_HEADING else -1


def sections(
    text: str, headings: Mapping[str, Heading], limit: int | None = None
) -> dict[str, tuple[int, int]]:
    """``name -> (body_start, body_end)`` for each heading found before ``limit``.

    Each heading is searched once; a section's body runs from the end of its
    heading line to the start of the next heading found (of any name), or to
    ``limit``. Headings used only to end other sections are included too.
    """
    stop = len(text) if limit is None else limit
    found = []
    for name, heading in headings.items():
        hit = heading.search(text, 0, stop)
        if hit:
            found.append((hit[0], hit[1], name))
    found.sort()
    out: dict[str, tuple[int, int]] = {}
    for i, (_, line_end, name) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else stop
        out[name] = (line_end, max(line_end, end))
    return out


_RELATED_START = ("Related", "Similar", "Explore", "Other ", "More ", "See also", "You may")
_RELATED_START += ("You might", "People also", "Recommended", "Compare")
_RELATED_ALONE = re.compile(r"[^\w\n]{0,4}(?:Related|See also)\s*:?\s*")
_RELATED_WORDS = re.compile(
    r"\b(?:roles?|careers?|jobs?|occupations?|professions?|analys[ie]s|positions?|paths?)\b",
    re.IGNORECASE,
)
_RELATED = Heading(*_RELATED_START)


def related_start(text: str, after: int = 0) -> int:
    """Offset of the first "Related roles"-style heading after ``after`` (else len).

    Everything after it lists *other* occupations (chips, "see also" widgets),
    whose scores must never be taken for the page's own.
    """
    pos = after
    while True:
        found = _RELATED.search(text, pos)
        if found is None:
            return len(text)
        line = text[found[0] : found[1]].strip()
        if _RELATED_ALONE.fullmatch(line) or (
            len(line) <= 60 and line[-1] not in ".!?" and _RELATED_WORDS.search(line)
        ):
            return found[0]
        pos = found[1]


def sentences(text: str, start: int, end: int) -> list[Evidence]:
    """Sentence spans within ``text[start:end]`` (split at . ! ? and newlines)."""
    return [evidence(text, m.start(), m.end()) for m in _SENTENCE.finditer(text, start, end)]


_ACTION_SPLIT = re.compile(r"\s+[—–]\s+|:\s+|\s+-\s+")


def split_action(s: str) -> tuple[str, str | None]:
    """ "Do X: because Y" / "Do X — because Y" -> ("Do X", "because Y")."""
    parts = _ACTION_SPLIT.split(s, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return parts[0].strip(), parts[1].strip()
    return s.strip(), None


def page_date(text: str, end: int | None = None) -> str | None:
    """ "Last updated: April 2026" -> "April 2026" (as written; the first such date)."""
    stop = len(text) if end is None else end
    best: tuple[int, str] | None = None
    for keyword in _DATE_KEYWORDS:
        at = text.find(keyword, 0, stop)
        while at >= 0 and (best is None or at < best[0]):
            m = _DATE_AFTER.match(text, at + len(keyword), stop)
            if m:
                best = (at, squash(m["d"]))
                break
            at = text.find(keyword, at + 1, stop)
    return best[1] if best else None


def tiered_hits(
    text: str, tiers: Sequence[Sequence[re.Pattern[str]]], end: int
) -> Iterator[list[ScoreHit]]:
    """Score hits tier by tier, computed lazily (see :func:`resolve_score`)."""
    for patterns in tiers:
        yield [hit for pattern in patterns for hit in score_hits(pattern, text, 0, end)]


@dataclass(frozen=True, slots=True)
class Occupation:
    """The occupation a page is about, raw and canonical, with its evidence."""

    raw: str
    canonical: str
    slug: str
    evidence: Evidence


def find_occupation(
    text: str, patterns: Sequence[re.Pattern[str]], end: int | None = None
) -> Occupation | None:
    """First pattern (in order) whose ``occ`` group gives a usable title."""
    stop = len(text) if end is None else end
    for pat in patterns:
        for m in pat.finditer(text, 0, stop):
            ev = evidence(text, m.start("occ"), m.end("occ"))
            if not ev.snippet or len(ev.snippet) > 120:
                continue
            canonical = canonical_title(ev.snippet)
            if canonical:
                return Occupation(squash(ev.snippet), canonical, slugify(canonical), ev)
    return None


@dataclass(frozen=True, slots=True)
class ScoreHit:
    """One statement of a score: value, scale and where it is written."""

    value: float
    scale: float
    start: int
    end: int


def score_hits(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> list[ScoreHit]:
    """Hits of a pattern with named groups ``v`` (value) and ``s`` (scale)."""
    hits = []
    for m in pattern.finditer(text, start, len(text) if end is None else end):
        hits.append(ScoreHit(float(m["v"]), float(m["s"]), m.start("v"), m.end("s")))
    return hits


def _fmt(h: ScoreHit) -> str:
    return f"{h.value:g}/{h.scale:g}"


def resolve_score(
    text: str, tiers: Iterable[Sequence[ScoreHit]], polarity: Polarity, what: str
) -> tuple[HeadlineScore, int] | Rejection:
    """The headline score from the first non-empty tier of hits, or why not.

    ``tiers`` may be a generator: later (looser) tiers are only computed when
    the earlier ones found nothing.

    Hits of one tier are statements of the same headline (e.g. the badge and
    the "rated 4 out of 10" sentence); they must agree, else the page is
    ``conflicting_scores``. Returns the score and the index of the tier used.
    """
    index, hits = -1, []
    for index, hits in enumerate(tiers):  # noqa: B007 - index is the tier used
        if hits:
            break
    if not hits:
        return Rejection("no_score", f"no {what} found")
    hits = sorted(hits, key=lambda h: h.start)
    fractions = {round(h.value / h.scale, 6) if h.scale else (h.value, h.scale) for h in hits}
    if len(fractions) > 1:
        stated = ", ".join(dict.fromkeys(_fmt(h) for h in hits))
        return Rejection("conflicting_scores", f"the page states different {what}s: {stated}")
    first = hits[0]
    if first.scale <= 0 or not 0 <= first.value <= first.scale:
        return Rejection("score_out_of_range", f"{what} {_fmt(first)} lies outside its scale")
    ev = evidence(text, first.start, first.end)
    score = HeadlineScore(
        raw_text=squash(ev.snippet),
        value=first.value,
        scale_max=first.scale,
        polarity=polarity,
        evidence=ev,
    )
    return score, index


LOOSE_TIER_CONFIDENCE = 0.85  # the score was found only by a looser tier of patterns


def new_extraction(
    text: str,
    *,
    source: str,
    confidence: float,
    occupation: Occupation,
    score: HeadlineScore,
    own_end: int,
) -> Extraction:
    """An extraction of what every page states: occupation, score, date and tools.

    Tools are looked for only before ``own_end``, where the page's own content
    ends (see :func:`related_start`).
    """
    return Extraction(
        source=source,
        extraction_method=source,
        confidence=confidence,
        occupation_raw=occupation.raw,
        occupation=occupation.canonical,
        occupation_slug=occupation.slug,
        occupation_evidence=occupation.evidence,
        score=score,
        page_date=page_date(text),
        tools=find_tools(text, 0, own_end),
    )


@dataclass(frozen=True, slots=True)
class TemplatePage:
    """A template page read up to its own sections.

    ``own_end`` is where the page's own content ends: what follows lists
    *other* occupations (see :func:`related_start`). ``sections`` maps section
    names to their spans before it (see :func:`sections`).
    """

    extraction: Extraction
    own_end: int
    sections: dict[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Template:
    """A site template's fixed wording, and what every page of it is read for.

    ``fingerprints``: phrases the template always writes (a tuple counts when
    any member is present), for :meth:`detect`. ``occupation``: patterns with an
    ``occ`` group, tried in order. ``score_tiers``: headline-score patterns
    (``v`` and ``s`` groups), strictest tier first; a score from the first tier
    gives confidence 1.0, from a later one :data:`LOOSE_TIER_CONFIDENCE`.
    ``score_name`` names the score in rejections and ``no_occupation`` is the
    detail when no occupation is found. ``headings``: the page's sections.
    ``label``: the category label, read from its group ``label_group``.
    ``industry``: a :func:`field` pattern for the industry.
    """

    template_id: str
    fingerprints: Sequence[str | tuple[str, ...]]
    occupation: Sequence[re.Pattern[str]]
    score_tiers: Sequence[Sequence[re.Pattern[str]]]
    polarity: Polarity
    score_name: str
    no_occupation: str
    headings: Mapping[str, Heading]
    label: re.Pattern[str] | None = None
    label_group: str = "label"
    industry: re.Pattern[str] | None = None

    def detect(self, text: str) -> float:
        """Share of this template's fixed wording present in the text."""
        return found_phrases(text, self.fingerprints)

    def read(self, text: str) -> TemplatePage | Rejection:
        """The page's headline, label, industry and sections, or why not.

        All are read before the page's own end. A page without a usable score
        is rejected for that before a missing occupation.
        """
        occ = find_occupation(text, self.occupation)
        own_end = related_start(text, occ.evidence.end if occ else 0)
        tiers = tiered_hits(text, self.score_tiers, own_end)
        resolved = resolve_score(text, tiers, self.polarity, self.score_name)
        if isinstance(resolved, Rejection):
            return resolved
        if occ is None:
            return Rejection("no_occupation", self.no_occupation)
        score, tier = resolved
        ex = new_extraction(
            text,
            source=self.template_id,
            confidence=1.0 if tier == 0 else LOOSE_TIER_CONFIDENCE,
            occupation=occ,
            score=score,
            own_end=own_end,
        )
        if self.label is not None:
            set_label(ex, text, self.label.search(text, 0, own_end), self.label_group)
        if self.industry is not None:
            ex.industry = field_value(text, self.industry, own_end)
        return TemplatePage(ex, own_end, sections(text, self.headings, own_end))

    def extract(
        self, text: str, details: Callable[[str, TemplatePage], None]
    ) -> Extraction | Rejection:
        """Everything the page states, or why not.

        :meth:`read` gives the headline and the sections; ``details`` then adds
        to the extraction what only this template states.
        """
        page = self.read(text)
        if isinstance(page, Rejection):
            return page
        details(text, page)
        return page.extraction


def set_label(ex: Extraction, text: str, match: re.Match[str] | None, group: str | int = 0) -> None:
    """Record a match's ``group`` as the page's category label (nothing without a match)."""
    if match:
        ex.label_evidence = evidence(text, match.start(group), match.end(group))
        ex.label = squash(ex.label_evidence.snippet)


_ORDINAL = re.compile(
    r"^(?P<n>\d{1,2})(?:[.)]\s*|\s*$|\s+(?=[A-Z])|(?<=\d\d)(?=[A-Z])|(?=[A-Z][a-z]))"
)


def ordinal(line: Line) -> tuple[int, Line | None] | None:
    """A numbered-list marker: "01" -> (1, None); "01Own the outcome" -> (1, rest)."""
    m = _ORDINAL.match(line.text)
    if not m:
        return None
    rest = line.text[m.end() :]
    if not rest.strip():
        return int(m["n"]), None
    offset = m.end() + len(rest) - len(rest.lstrip())
    return int(m["n"]), Line(line.start + offset, line.end, rest.strip())


_ITEM = re.compile(r"^(?:(?P<n>\d{1,2})[.)]\s*)?(?P<name>[^:\n]{2,100}?):\s+(?P<desc>\S.*)$")
_TITLE_WORDS = re.compile(r"^[^.!?;,]+$")


@dataclass(frozen=True, slots=True)
class Item:
    """A "Name: description" list item, with its number when written."""

    number: int | None
    name: str
    description: str | None
    evidence: Evidence


def _short_title(s: str, max_words: int = 8) -> bool:
    return bool(_TITLE_WORDS.match(s)) and len(s.split()) <= max_words


def colon_items(text: str, start: int, end: int) -> list[Item]:
    """Items written "Name: description" (one line) or as a short title line
    followed by its description line, the layout HTML headings produce."""
    found = []
    section_lines = [strip_bullet(x) for x in lines(text, start, end)]
    for line in section_lines:
        m = _ITEM.match(line.text)
        if m and _short_title(m["name"].strip(), max_words=12):
            n = int(m["n"]) if m["n"] else None
            found.append(Item(n, m["name"].strip(), m["desc"].strip(), span_of(text, line, line)))
    if found:
        return found
    for first, second in pairwise(section_lines):
        title = first.text.rstrip(":").strip()
        m = re.match(r"^(\d{1,2})[.)]\s*(.+)$", title)
        n = int(m[1]) if m else None
        title = m[2] if m else title
        if _short_title(title) and not _short_title(second.text.rstrip(":")):
            found.append(Item(n, title, second.text, span_of(text, first, second)))
    return found


_HORIZON = re.compile(
    r"(?:\d+\s*[-–—]\s*\d+|\d+\+?)\s*(?:days?|weeks?|months?|quarters?|years?|yrs?)"
    r"|ongoing|on-going|continuous(?:ly)?|this (?:week|month|quarter|year)"
    r"|next (?:\d+\s+)?(?:weeks?|months?|quarters?|years?)|now|immediately|right now"
    r"|(?:short|medium|long)[- ]term",
    re.IGNORECASE,
)


def horizon(s: str) -> str | None:
    """The line as a time horizon ("6-12 months", "ongoing", "this quarter") or None."""
    s = s.strip()
    return s if _HORIZON.fullmatch(s) else None


_NOTE = re.compile(r"^(?:note|tip|\*)\b", re.IGNORECASE)


def is_note(line: Line) -> bool:
    """Editorial notes and footnotes between list items."""
    return bool(_NOTE.match(line.text))


def numbered_chunks(section_lines: Sequence[Line]) -> list[tuple[int, Line, list[Line]]]:
    """Split lines at ordinal markers: ``(number, marker line, body lines)``."""
    chunks: list[tuple[int, Line, list[Line]]] = []
    for line in section_lines:
        o = ordinal(line)
        if o:
            n, rest = o
            chunks.append((n, line, [rest] if rest else []))
        elif chunks:
            chunks[-1][2].append(line)
    return chunks


def field(label: str, stops: Sequence[str]) -> re.Pattern[str]:
    """``Label: value`` in a header row, whatever the markup made of it.

    Matches "Industry: Legal | Risk Category: low", inline runs with no
    separator ("Industry: LegalRisk Category: low") and definition-list layouts
    with the value on the next line; the value stops at "|", a line end or the
    next known label in ``stops``.
    """
    stop = "|".join(re.escape(s) for s in stops)
    return re.compile(
        rf"{re.escape(label)}[ \t]*(?::[ \t]*\n?|\n)[ \t]*"
        rf"(?P<value>(?:(?!{stop})[^|\n])+?)[ \t]*(?=\||\n|{stop}|\Z)"
    )


def field_value(text: str, pattern: re.Pattern[str], end: int) -> str | None:
    """The value of a :func:`field` pattern's first match before ``end``, squashed."""
    m = pattern.search(text, 0, end)
    return squash(m["value"]) if m else None


def found_phrases(text: str, phrases: Sequence[str | tuple[str, ...]]) -> float:
    """Share of ``phrases`` present in ``text`` (a tuple counts if any member is)."""
    hits = 0
    for phrase in phrases:
        options = phrase if isinstance(phrase, tuple) else (phrase,)
        if any(option in text for option in options):
            hits += 1
    return hits / len(phrases)
