"""Row dicts of :mod:`transforms.rows` as DataFrames with stable columns and dtypes."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any

import pandas as pd

from transforms.rows import (
    ASSESSMENT_COLUMNS,
    DETAIL_KINDS,
    PROVENANCE_COLUMNS,
    assessment_row,
    detail_columns,
    detail_rows,
)

__all__ = [
    "ASSESSMENT_COLUMNS",
    "DETAIL_KINDS",
    "PROVENANCE_COLUMNS",
    "assessment_frame",
    "assessment_row",
    "detail_columns",
    "detail_dtypes",
    "detail_frames",
    "detail_rows",
]

_DTYPES = {str: "string", float: "float64", int: "Int64", bool: "boolean"}


def detail_dtypes(kind: str) -> dict[str, str]:
    """pandas dtypes of a detail table, from the record's type hints (nullable types)."""
    _, record_type = DETAIL_KINDS[kind]
    hints = typing.get_type_hints(record_type)
    dtypes = {"document_id": "string", "span_start": "Int64", "span_end": "Int64"}
    dtypes["snippet"] = "string"
    for name in detail_columns(kind):
        if name in dtypes:
            continue
        options = [t for t in typing.get_args(hints[name]) if t is not type(None)] or [hints[name]]
        dtypes[name] = _DTYPES.get(options[0], "string")
    return dtypes


def detail_frames(rows_by_kind: dict[str, Iterable[dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    """DataFrames with a stable column order and dtypes, empty ones included."""
    return {
        kind: pd.DataFrame(list(rows_by_kind.get(kind, [])), columns=detail_columns(kind)).astype(
            detail_dtypes(kind)
        )
        for kind in DETAIL_KINDS
    }


def assessment_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Raw assessments with stable column order and dtypes, empty or not."""
    frame = pd.DataFrame(list(rows), columns=list(ASSESSMENT_COLUMNS))
    return frame.astype(ASSESSMENT_COLUMNS)
