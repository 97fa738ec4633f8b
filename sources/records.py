"""Records a source adapter produces from one document.

These dataclasses are the contract between ``sources`` (which reads pages) and
``transforms``/``warehouse`` (which normalise and store them). Every extracted
value carries an :class:`Evidence`: the character span in the document's
normalised visible text and the snippet matched there, so any published number
can be traced back to the words it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Polarity = Literal["risk", "safety"]
Stance = Literal["at_risk", "human"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a value was read: ``text[start:end] == snippet`` in the normalised text."""

    start: int
    end: int
    snippet: str


@dataclass(frozen=True, slots=True)
class HeadlineScore:
    """The page's own headline score, as written and as numbers."""

    raw_text: str  # as written, e.g. "68/100", "4/10", "78 / 100"
    value: float
    scale_max: float
    polarity: Polarity
    evidence: Evidence
    scale_min: float = 0.0


@dataclass(frozen=True, slots=True)
class TaskAutomation:
    """A task with a stated "% automatable" figure."""

    task: str
    pct_automatable: float
    rationale: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class TaskMention:
    """A task the page calls at risk of automation, or one that stays human."""

    task: str
    stance: Stance
    description: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class SalaryBand:
    """An annual salary figure or band for one seniority level."""

    seniority: str  # as written: "Junior", "Entry", "Senior MLEs at top companies"
    low: float | None
    high: float | None  # None with open_ended=True for "$300K+"
    open_ended: bool
    currency: str  # ISO 4217, e.g. "USD"
    period: str  # "annual"
    region: str | None  # e.g. "US"
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class SalaryGrowth:
    """A stated salary growth rate, e.g. "10-20% annually"."""

    low_pct: float
    high_pct: float | None
    period: str  # "annual"
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommended action / resilience step, with its horizon when stated."""

    ordinal: int
    action: str
    description: str | None
    horizon: str | None  # "6-12 months", "ongoing", "this quarter"
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class ToolMention:
    """A tool or platform the page names (AutoML, H2O, Vertex AI, MLflow, ...)."""

    tool: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class CareerStep:
    """One step of a career progression ladder."""

    step: int
    title: str
    description: str | None
    years_min: float | None
    years_max: float | None  # None for "10+ years"
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Pivot:
    """A role one can pivot to from this occupation."""

    role: str
    description: str | None
    ease: str | None  # as written: "High", "Medium", "Low"
    evidence: Evidence


@dataclass(slots=True)
class Extraction:
    """Everything one document states about one occupation."""

    source: str  # template id, or "generic"
    extraction_method: str  # template id or "generic"
    confidence: float  # 0..1
    occupation_raw: str
    occupation: str  # canonical title
    occupation_slug: str
    occupation_evidence: Evidence
    score: HeadlineScore
    label: str | None = None  # category label as written, e.g. "Low exposure"
    label_evidence: Evidence | None = None
    industry: str | None = None
    page_date: str | None = None  # as written, e.g. "April 2026"
    tasks_automation: list[TaskAutomation] = field(default_factory=list)
    task_mentions: list[TaskMention] = field(default_factory=list)
    salary_bands: list[SalaryBand] = field(default_factory=list)
    salary_growth: list[SalaryGrowth] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    tools: list[ToolMention] = field(default_factory=list)
    career_steps: list[CareerStep] = field(default_factory=list)
    pivots: list[Pivot] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a document could not become an :class:`Extraction` (goes to quarantine)."""

    reason_code: str  # see docs/operations.md
    detail: str  # human-readable


@dataclass(slots=True)
class ParsedDocument:
    """The outcome of parsing one document's bytes: an extraction or a rejection."""

    text_sha256: str | None  # sha256 of the normalised visible text (near-duplicate key)
    extraction: Extraction | None = None
    rejection: Rejection | None = None
    url: str | None = None  # from a sidecar, when present


# Reason codes a parser may return. Landing-level codes (vanished, symlink, ...)
# are defined by the pipeline; see docs/operations.md for all of them.
PARSE_REASON_CODES: dict[str, str] = {
    "empty_file": "the file has no bytes or no visible text",
    "binary_content": "the bytes are not text (an image, archive or other binary)",
    "undecodable": "no character encoding decodes the bytes to sensible text",
    "no_score": "no headline score was found with enough confidence",
    "score_out_of_range": "the headline score lies outside its own scale (e.g. 12/10)",
    "conflicting_scores": "the page states two different headline scores of its template",
    "no_occupation": "no occupation title could be read",
    "parse_error": "the page could not be parsed (malformed beyond repair)",
}
