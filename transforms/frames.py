"""Flatten :mod:`sources.records` into column-oriented rows for DataFrames.

Each detail kind becomes one table whose columns are the record's fields, with
its :class:`~sources.records.Evidence` flattened into ``span_start``,
``span_end`` and ``snippet``, keyed by ``document_id``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import pandas as pd

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


def detail_frames(rows_by_kind: dict[str, Iterable[dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    """DataFrames with a stable column order, empty ones included."""
    return {
        kind: pd.DataFrame(list(rows_by_kind.get(kind, [])), columns=detail_columns(kind))
        for kind in DETAIL_KINDS
    }
