"""Flatten :mod:`sources.records` into plain row dicts, one per record.

Each detail kind becomes one table whose columns are the record's fields, with
its :class:`~sources.records.Evidence` flattened into ``span_start``,
``span_end`` and ``snippet``, keyed by ``document_id``. Parse workers build these
rows, so this module imports no pandas: a worker starts in a fraction of the
time and memory (:mod:`transforms.frames` turns the rows into DataFrames).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sources.records import (
    CareerStep,
    Evidence,
    Extraction,
    Pivot,
    Recommendation,
    SalaryBand,
    SalaryGrowth,
    TaskAutomation,
    TaskMention,
    ToolMention,
)

# detail table name -> (Extraction attribute, record type)
DETAIL_KINDS: dict[str, tuple[str, type]] = {
    "task_automation": ("tasks_automation", TaskAutomation),
    "task_mentions": ("task_mentions", TaskMention),
    "salary_bands": ("salary_bands", SalaryBand),
    "salary_growth": ("salary_growth", SalaryGrowth),
    "recommendations": ("recommendations", Recommendation),
    "tool_mentions": ("tools", ToolMention),
    "career_paths": ("career_steps", CareerStep),
    "pivots": ("pivots", Pivot),
}

PROVENANCE_COLUMNS = ["span_start", "span_end", "snippet"]


def detail_columns(kind: str) -> list[str]:
    """Column order of a detail table: document_id, the record's fields, provenance."""
    _, record_type = DETAIL_KINDS[kind]
    names = [f.name for f in dataclasses.fields(record_type) if f.name != "evidence"]
    return ["document_id", *names, *PROVENANCE_COLUMNS]


def _flatten(document_id: str, record: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"document_id": document_id}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, Evidence):
            row["span_start"], row["span_end"], row["snippet"] = (
                value.start,
                value.end,
                value.snippet,
            )
        else:
            row[f.name] = value
    return row


def detail_rows(document_id: str, extraction: Extraction) -> dict[str, list[dict[str, Any]]]:
    """All detail rows of one extraction, by detail table name."""
    return {
        kind: [_flatten(document_id, r) for r in getattr(extraction, attr)]
        for kind, (attr, _) in DETAIL_KINDS.items()
    }


# Raw assessment columns (before normalisation), in warehouse order.
ASSESSMENT_COLUMNS: dict[str, str] = {
    "document_id": "string",
    "source": "string",
    "extraction_method": "string",
    "confidence": "float64",
    "occupation_raw": "string",
    "occupation": "string",
    "occupation_slug": "string",
    "raw_score": "string",
    "raw_value": "float64",
    "scale_min": "float64",
    "scale_max": "float64",
    "polarity": "string",
    "label": "string",
    "industry": "string",
    "page_date": "string",
    "url": "string",
    "fetched_at": "datetime64[ns, UTC]",
    "parser_version": "string",
    "score_span_start": "int64",
    "score_span_end": "int64",
    "score_snippet": "string",
    "occupation_snippet": "string",
    "label_snippet": "string",
}


def assessment_row(
    document_id: str,
    extraction: Extraction,
    *,
    url: str | None,
    fetched_at: Any,
    parser_version: str,
) -> dict[str, Any]:
    """The headline assessment of one document as a flat row (see ASSESSMENT_COLUMNS)."""
    score = extraction.score
    return {
        "document_id": document_id,
        "source": extraction.source,
        "extraction_method": extraction.extraction_method,
        "confidence": float(extraction.confidence),
        "occupation_raw": extraction.occupation_raw,
        "occupation": extraction.occupation,
        "occupation_slug": extraction.occupation_slug,
        "raw_score": score.raw_text,
        "raw_value": float(score.value),
        "scale_min": float(score.scale_min),
        "scale_max": float(score.scale_max),
        "polarity": score.polarity,
        "label": extraction.label,
        "industry": extraction.industry,
        "page_date": extraction.page_date,
        "url": url,
        "fetched_at": fetched_at,
        "parser_version": parser_version,
        "score_span_start": score.evidence.start,
        "score_span_end": score.evidence.end,
        "score_snippet": score.evidence.snippet,
        "occupation_snippet": extraction.occupation_evidence.snippet,
        "label_snippet": extraction.label_evidence.snippet if extraction.label_evidence else None,
    }
