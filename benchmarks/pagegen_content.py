"""Content model of the page generator: occupations, industries, scales and labels.

Data lives in ``benchmarks/data`` (``occupations.csv``: title, plural, industry;
``industries.json``: display name, median salary, mean risk, task/tool/strength
pools per industry). Everything here is deterministic and cached per process.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

TEMPLATES = ("resilience_profile", "jobisque", "impact_report", "ai_safe_careers", "career_guide")
GENERIC = "generic"

# Ordinal bands of the canonical risk score: [lower, upper), the last includes 100.
BANDS = (
    ("very_low", 0.0, 20.0),
    ("low", 20.0, 40.0),
    ("moderate", 40.0, 60.0),
    ("high", 60.0, 80.0),
    ("very_high", 80.0, 100.0),
)
BAND_NAMES = tuple(b[0] for b in BANDS)


@dataclass(frozen=True, slots=True)
class Scale:
    """How a template states its headline score."""

    scale_max: float
    polarity: str  # "risk" | "safety"
    integer: bool = True


SCALES: dict[str, Scale] = {
    "resilience_profile": Scale(100.0, "safety"),
    "jobisque": Scale(100.0, "risk"),
    "impact_report": Scale(10.0, "risk"),
    "ai_safe_careers": Scale(10.0, "safety"),
    "career_guide": Scale(100.0, "safety"),
}

# Label vocabulary per template and band: first entry is the usual wording,
# later entries are rarer synonyms the site also uses.
LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "resilience_profile": {
        "very_low": ("Minimal exposure", "Very low exposure"),
        "low": ("Low exposure",),
        "moderate": ("Moderate exposure", "Medium exposure"),
        "high": ("High exposure",),
        "very_high": ("Very high exposure",),
    },
    "jobisque": {
        "very_low": ("very low",),
        "low": ("low",),
        "moderate": ("moderate",),
        "high": ("high",),
        "very_high": ("very high",),
    },
    "impact_report": {
        "very_low": ("minimal", "very low"),
        "low": ("low",),
        "moderate": ("moderate", "medium"),
        "high": ("high",),
        "very_high": ("very high", "critical"),
    },
    "ai_safe_careers": {
        "very_low": ("AI-Safe",),  # technology roles use "AI-Created"
        "low": ("AI-Resistant",),
        "moderate": ("AI-Augmented", "AI-Enhanced"),
        "high": ("At Risk",),
        "very_high": ("High Risk",),
    },
    "career_guide": {
        "very_low": ("Very safe", "Safe"),
        "low": ("Relatively safe",),
        "moderate": ("Moderate",),
        "high": ("At risk", "High risk"),
        "very_high": ("Very high risk",),
    },
    GENERIC: {
        "very_low": ("Very low risk", "Minimal risk"),
        "low": ("Low risk", "Low"),
        "moderate": ("Moderate risk", "Medium risk", "Medium"),
        "high": ("High risk", "High"),
        "very_high": ("Very high risk", "Critical"),
    },
}


@dataclass(frozen=True, slots=True)
class Occupation:
    title: str
    plural: str
    industry: str  # key into industries()
    slug: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.slug:
            object.__setattr__(self, "slug", slugify(self.title))


_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG_RE.sub("-", text.lower()).strip("-")


def pluralize(title: str) -> str:
    """English plural of a job title (its last word), for titles not in the data."""
    head, _, last = title.rpartition(" ")
    if last.endswith("person"):
        last = last[:-6] + "people"
    elif last.endswith("man") and last[-4:-3].islower():
        last = last[:-3] + "men"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif re.search(r"(s|x|ch|sh|z)$", last):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


@lru_cache(maxsize=1)
def occupations() -> tuple[Occupation, ...]:
    with (DATA_DIR / "occupations.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(Occupation(r["title"], r["plural"], r["industry"]) for r in csv.DictReader(fh))


@lru_cache(maxsize=1)
def occupation_index() -> dict[str, Occupation]:
    return {o.title.casefold(): o for o in occupations()}


@lru_cache(maxsize=1)
def by_industry() -> dict[str, tuple[Occupation, ...]]:
    out: dict[str, list[Occupation]] = {}
    for o in occupations():
        out.setdefault(o.industry, []).append(o)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def industries() -> dict[str, dict]:
    with (DATA_DIR / "industries.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def resolve_industry(name: str | None, default: str) -> str:
    """An industry key from a key or display name."""
    if not name:
        return default
    inds = industries()
    if name in inds:
        return name
    for key, data in inds.items():
        if data["name"].casefold() == name.casefold():
            return key
    raise ValueError(f"unknown industry {name!r}; one of {sorted(inds)}")


def lookup_occupation(title: str, industry: str | None = None) -> Occupation:
    """The data row of ``title``; unknown titles get a rule-made plural."""
    occ = occupation_index().get(title.casefold())
    if occ is None:
        keys = sorted(industries())
        fallback = keys[sum(map(ord, title)) % len(keys)]
        occ = Occupation(title, pluralize(title), resolve_industry(industry, fallback))
    elif industry:
        occ = Occupation(occ.title, occ.plural, resolve_industry(industry, occ.industry))
    return occ


def canonical_risk(value: float, scale_max: float, polarity: str) -> float:
    """Canonical risk score: risk polarity ``value/scale_max*100``; safety ``100 -`` that."""
    risk = value * 100.0 / scale_max
    if polarity == "safety":
        risk = 100.0 - risk
    return round(risk, 9)


def band_of(risk: float) -> str:
    for name, lower, upper in BANDS:
        if lower <= risk < upper:
            return name
    return "very_high"


def label_for(
    template: str,
    value: float,
    occ: Occupation,
    rng: random.Random | None,
    scale: Scale | None = None,
) -> str:
    """A label consistent with the score band, in the template's own vocabulary."""
    scale = scale or SCALES.get(template, Scale(100.0, "risk"))
    band = band_of(canonical_risk(value, scale.scale_max, scale.polarity))
    if template == "ai_safe_careers" and band == "very_low" and occ.industry == "technology":
        return "AI-Created"
    words = LABELS[template][band]
    if len(words) > 1 and rng is not None and rng.random() < 0.2:
        return words[1 + rng.randrange(len(words) - 1)]
    return words[0]


def latent_risk(seed: int, occ: Occupation) -> float:
    """A per-occupation 'true' risk (0..100) that every source scatters around."""
    return _latent(seed, occ.title, occ.industry)


@lru_cache(maxsize=8192)
def _latent(seed: int, title: str, industry: str) -> float:
    r = random.Random(f"{seed}:{title}")
    mean = industries()[industry]["risk_mean"]
    return min(96.0, max(4.0, r.gauss(mean, 16.0)))


def source_value(template: str, latent: float, rng: random.Random) -> float:
    """What ``template`` would state for an occupation of ``latent`` risk."""
    noisy = latent + rng.gauss(0.0, 7.0)
    if template == "resilience_profile" or template == "career_guide":
        return float(min(99, max(1, round(100.0 - noisy))))
    if template == "jobisque":
        return float(min(99, max(1, round(noisy))))
    if template == "impact_report":
        return float(min(10, max(1, round(noisy / 10.0))))
    if template == "ai_safe_careers":
        return float(min(10, max(1, round((100.0 - noisy) / 10.0))))
    raise ValueError(template)


def pick(rng: random.Random, seq):
    """``rng.choice`` without the Python-level rejection sampling (hot path)."""
    return seq[int(rng.random() * len(seq))]


def rint(rng: random.Random, a: int, b: int) -> int:
    """``rng.randint(a, b)``, faster (hot path)."""
    return a + int(rng.random() * (b - a + 1))


def rsample(rng: random.Random, seq, k: int) -> list:
    """``k`` distinct items of ``seq`` in random order (hot path)."""
    out = list(seq)
    n = len(out)
    k = min(k, n)
    rnd = rng.random
    for i in range(k):
        j = i + int(rnd() * (n - i))
        out[i], out[j] = out[j], out[i]
    return out[:k]


def fmt_num(value: float) -> str:
    """``4.0`` -> ``"4"``, ``4.5`` -> ``"4.5"``."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".rstrip("0").rstrip(".")


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def salary_base(seed: int, occ: Occupation) -> int:
    """A per-occupation median salary (USD), rounded to 1,000."""
    r = random.Random(f"salary:{seed}:{occ.title}")
    median = industries()[occ.industry]["median_salary"]
    return int(round(median * r.uniform(0.65, 1.6), -3))
