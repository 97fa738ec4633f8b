"""Occupation title canonicalisation: one spelling per occupation across sites.

Sites write the same job as "Machine Learning Engineers", "an ML Engineer" or
"Machine Learning Engineer (MLE)"; consensus needs one key. The rules are
deliberately conservative (singular head noun, title case that keeps acronyms,
no articles or parenthetical abbreviations, reviewed synonyms from
``sources/data/title_synonyms.csv``). Titles that look like markup, SQL or
spreadsheet formulas are passed through with only whitespace normalised: they
stay recognisable, are never executed here, and are never rejected for content.
"""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from functools import cache
from importlib import resources

_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\x00-\x1f\x7f]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SUSPICIOUS = re.compile(r"[;=<>{}\[\]\"\\|`$]|--|^[=+@]")
_EDGE_PUNCT = re.compile(r"^[\s\"'“”‘’«»]+|[\s\"'“”‘’«»?!.:,;]+$")
_PARENTHETICAL = re.compile(r"\s*\([\w &./,'+#-]{0,40}\)")
_ARTICLE = re.compile(r"^(?:an?|the)\s+(?=\S)", re.IGNORECASE)
_PREPOSITION = re.compile(r"\s(?:of|for|in|at|to|with|on)\s", re.IGNORECASE)
_KEY_CHARS = re.compile(r"[\s\-_]+")
_SLUG_STRIP = re.compile(r"[^\w]+")

_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or"}
    | {"the", "to", "via", "vs", "with"}
)
_ACRONYMS = frozenset(
    {"AI", "ML", "MLE", "UX", "UI", "IT", "HR", "QA", "PR", "VP", "SVP", "EVP", "CEO", "CFO"}
    | {"COO", "CTO", "CIO", "CMO", "CPA", "RN", "LPN", "EMT", "HVAC", "SEO", "SQL", "NLP", "BI"}
    | {"ERP", "CRM", "IOT", "GIS", "CAD", "CNC", "ER", "ICU", "USA", "US", "UK", "EU", "AR"}
    | {"VR", "MRI", "EKG", "ECG", "ESL", "PLC", "RF", "PPC", "DJ", "CNA", "NP", "PA", "TV"}
    | {"API", "QC", "CAM", "EHS", "ESG", "ATM", "HGV", "LGV", "CDL", "SRE", "BIM", "DBA"}
)
# Words whose casing is not title case, restored when a title arrives in lower case.
_CASING = {w.lower(): w for w in _ACRONYMS} | {
    w.lower(): w for w in ("iOS", "DevOps", "MLOps", "DataOps", "FinOps", "eDiscovery", "macOS")
}
_ABBREVIATIONS = {
    "sr": "Senior",
    "snr": "Senior",
    "jr": "Junior",
    "mgr": "Manager",
    "asst": "Assistant",
    "assoc": "Associate",
    "dir": "Director",
}
_SENIORITY = re.compile(
    r"^(senior|junior|lead|staff|principal|chief|head|associate|assistant)\s+", re.IGNORECASE
)

# Words ending in "s" that are already singular (or uncountable) as a head noun.
_INVARIANT = frozenset(
    {"sales", "series", "species", "news", "operations", "relations", "resources", "affairs"}
    | {"services", "arts", "sports", "goods", "works", "systems", "logistics", "analytics"}
    | {"economics", "physics", "robotics", "ethics", "statistics", "genetics", "graphics"}
    | {"electronics", "athletics", "linguistics", "mathematics", "informatics", "forensics"}
    | {"diagnostics", "optics", "acoustics", "dynamics", "ergonomics", "metrics", "aerobics"}
)
_IRREGULAR = {
    "people": "person",
    "children": "child",
    "women": "woman",
    "men": "man",
    "wives": "wife",
    "thieves": "thief",
}
_NOT_MEN = frozenset({"specimen", "abdomen", "regimen", "omen", "acumen"})


@cache
def _synonyms() -> dict[str, str]:
    """Variant key -> canonical title, from the reviewed CSV."""
    path = resources.files("sources") / "data" / "title_synonyms.csv"
    rows = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    table: dict[str, str] = {}
    for row in csv.DictReader(rows):
        variant, canonical = (
            (row.get("variant") or "").strip(),
            (row.get("canonical") or "").strip(),
        )
        if variant and canonical:
            table[_key(variant)] = canonical
    return table


def _key(title: str) -> str:
    return _KEY_CHARS.sub(" ", title.casefold()).strip(" .")


def _match_case(word: str, replacement: str) -> str:
    if word.isupper():
        return replacement.upper()
    if word[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def singular(word: str) -> str:
    """Singular of an English head noun ("Engineers" -> "Engineer", "Sales" stays)."""
    lw = word.lower()
    if len(word) > 2 and word[-1] == "s" and word[:-1].isupper():
        return word[:-1]  # acronym plural: MLEs, CPAs, RNs
    for plural, single in _IRREGULAR.items():
        if lw.endswith(plural) and lw not in _NOT_MEN:
            cut = len(word) - len(plural)
            return word[:cut] + _match_case(word[cut:], single)
    if len(word) <= 3 or not lw.endswith("s") or lw in _INVARIANT:
        return word
    if lw.endswith(("ss", "us", "is", "ous")):
        return word
    if lw.endswith("ies") and len(lw) > 4:
        return word[:-3] + ("Y" if word[-3:].isupper() else "y")
    if lw.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def _singular_title(title: str) -> str:
    """Singularise the head noun: the word before "of/for/..." or else the last word."""
    m = _PREPOSITION.search(title)
    head_end = m.start() if m else len(title)
    head = title[:head_end]
    parts = head.rsplit(" ", 1)
    last = parts[-1]
    sub = last.split("/")  # "Staff / Lead" keeps its slash; singularise the final part
    sub[-1] = singular(sub[-1])
    parts[-1] = "/".join(sub)
    return " ".join(parts) + title[head_end:]


def _case_part(part: str, first: bool) -> str:
    if any(c.isupper() for c in part):
        return part  # keeps acronyms and brand casing: ML, iOS, DevOps, McKinsey
    known = _CASING.get(part)
    if known:
        return known
    if re.fullmatch(r"\d+[a-z]", part):
        return part.upper()  # 3d -> 3D
    if not first and part in _SMALL_WORDS:
        return part
    return part[:1].upper() + part[1:]


def _case_word(word: str, first: bool) -> str:
    out = []
    for i, chunk in enumerate(word.split("/")):
        parts = chunk.split("-")
        cased = [_case_part(parts[0], first and i == 0)]
        for part in parts[1:]:
            # "e-commerce", "door-to-door": no capital after a one-letter prefix or for "to"
            small = len(parts[0]) == 1 or part in _SMALL_WORDS
            cased.append(part if small else _case_part(part, False))
        out.append("-".join(cased))
    return "/".join(out)


def _title_case(title: str) -> str:
    """Title case that keeps acronyms and brand casing."""
    return " ".join(_case_word(w, i == 0) for i, w in enumerate(title.split(" ")))


def _unshout(title: str) -> str:
    """An all-caps title ("LINE COOKS") in lower case, its acronyms kept."""
    words = title.split(" ")
    if title.upper() != title:
        return title
    plain = [w for w in words if w.isalpha() and w not in _ACRONYMS]
    if len(plain) < 2 and not any(len(w) >= 5 for w in plain):
        return title
    return " ".join(w if w in _ACRONYMS else w.lower() for w in words)


def _expand_abbreviations(title: str) -> str:
    words = []
    for w in title.split(" "):
        words.append(_ABBREVIATIONS.get(w.lower().rstrip("."), w))
    return " ".join(words)


def clean_spacing(raw: str) -> str:
    """Unescape entities, NFC, unicode spaces/dashes normalised, whitespace collapsed."""
    s = html.unescape(raw) if "&" in raw else raw
    s = unicodedata.normalize("NFC", s)
    s = _INVISIBLE.sub("", s)
    s = _DASHES.sub("-", s)
    return _SPACES.sub(" ", s).strip()


def _lookup(title: str) -> str | None:
    table = _synonyms()
    hit = table.get(_key(title))
    if hit:
        return hit
    m = _SENIORITY.match(title)
    if m:
        rest = table.get(_key(title[m.end() :]))
        if rest:
            return f"{_title_case(m.group(1).lower())} {rest}"
    return None


def canonical_title(raw: str) -> str:
    """Canonical occupation title ("" when nothing title-like remains)."""
    s = clean_spacing(raw)
    if not s:
        return ""
    if _SUSPICIOUS.search(s):
        return s  # looks like code or a formula: keep it as written, only spacing cleaned
    s = _PARENTHETICAL.sub("", s).strip()
    s = _EDGE_PUNCT.sub("", s)
    s = _ARTICLE.sub("", s)
    s = _unshout(s)
    s = _expand_abbreviations(s)
    s = _SPACES.sub(" ", s).strip()
    if not s:
        return ""
    hit = _lookup(s)
    if hit:
        return hit
    s = _singular_title(s)
    return _lookup(s) or _title_case(s)


def slugify(title: str) -> str:
    """URL/key-safe slug: "Machine Learning Engineer" -> "machine-learning-engineer"."""
    s = title.replace("++", "pp").replace("#", "sharp").replace("&", " and ")
    folded = unicodedata.normalize("NFKD", s)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _SLUG_STRIP.sub("-", folded.casefold()).replace("_", "-").strip("-")
    return re.sub(r"-{2,}", "-", slug)
