"""Normalise staged assessment batches onto the canonical scale, batch by batch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from transforms import schemas
from transforms.normalise import normalise_assessments
from transforms.schemas import validate

# Columns the normaliser adds. ``is_latest`` is only meaningful over the whole
# warehouse, so the warehouse computes it in a view and does not store the batch's.
NORMALISED_EXTRA = (
    "risk_score",
    "score_band",
    "label_band",
    "label_conflict",
    "scale_expected",
    "is_latest",
)


def normalise_staged(parts: list[Path], out_dir: Path) -> list[Path]:
    """Read each raw batch, add the canonical score and bands, write it to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for part in parts:
        raw = pd.read_parquet(part)
        normalised = normalise_assessments(raw)
        keep = [c for c in (*raw.columns, *NORMALISED_EXTRA) if c in normalised.columns]
        target = out_dir / part.name
        normalised[keep].to_parquet(target, index=False)
        written.append(target)
    return written


def validate_staged(parts: list[Path], schema: type, chunk_rows: int = 100_000) -> pd.DataFrame:
    """Validate staged batches with a pandera model; all failure cases, with their batch.

    Batches are validated in chunks of about ``chunk_rows`` rows: pandera's cost per
    call is mostly fixed, and a bounded chunk keeps memory flat however many batches.
    """
    failures: list[pd.DataFrame] = []
    chunk: list[pd.DataFrame] = []
    size = 0

    def check() -> None:
        if chunk:
            frame = pd.concat(chunk, ignore_index=True)
            _, failed = validate(frame, schema)
            if not failed.empty:
                failures.append(failed)
            chunk.clear()

    for part in parts:
        frame = pd.read_parquet(part)
        chunk.append(frame.assign(batch=part.name))
        size += len(frame)
        if size >= chunk_rows:
            check()
            size = 0
    check()
    return pd.concat(failures, ignore_index=True) if failures else pd.DataFrame()


def schemas_by_table() -> dict[str, type]:
    """The pandera model of each staged record table."""
    return {"assessments": schemas.RawAssessmentSchema, **schemas.DETAIL_SCHEMAS}


@dataclass
class BatchValidation:
    """What the pandera models say about one staged batch, before it is written."""

    reasons: dict[str, str] = field(default_factory=dict)
    """document_id -> why its rows break their model (the document goes to quarantine)."""
    unattributed: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Failures that name no document (a missing column, a wrong column dtype): a parser
    bug, which the blocking check ``staged_records_valid`` reports."""


def validate_batch(frames: dict[str, pd.DataFrame]) -> BatchValidation:
    """Validate every record table of one staged batch with its pandera model.

    Row-level failures name a document, which is quarantined; a failure of a
    whole column names none and is kept for the blocking asset check. Dropping
    the quarantined documents' rows cannot make the rest fail (the models check
    values, types and columns, not how many rows there are), so what is written
    afterwards is valid when nothing is left unattributed.
    """
    result = BatchValidation()
    unattributed: list[pd.DataFrame] = []
    for name, schema in schemas_by_table().items():
        frame = frames.get(name)
        if frame is None or frame.empty:
            continue
        _, failures = validate(frame, schema)
        if failures.empty:
            continue
        named = failures.dropna(subset=["document_id"])
        for row in named.itertuples(index=False):
            result.reasons.setdefault(
                str(row.document_id),
                f"{name}.{row.column} fails {row.check}: {str(row.failure_case)[:120]}",
            )
        unnamed = failures[failures["document_id"].isna()]
        if not unnamed.empty:
            unattributed.append(unnamed.assign(table=name))
    if unattributed:
        result.unattributed = pd.concat(unattributed, ignore_index=True)
    return result


def unvalidated_parts(parts: list[Path], validated: Mapping[str, int]) -> list[Path]:
    """The staged batches not validated before they were written, or changed since.

    ``validated`` maps a batch file validated at staging to its row count; a
    batch missing from it, or whose Parquet footer gives another count, must be
    validated again. Reading a footer costs a fraction of a millisecond.
    """
    todo = []
    for part in parts:
        rows = validated.get(str(part))
        if rows is None or pq.ParquetFile(part).metadata.num_rows != rows:
            todo.append(part)
    return todo
