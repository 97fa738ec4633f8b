"""Normalise staged assessment batches onto the canonical scale, batch by batch."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def _schemas_by_table() -> dict[str, type]:
    return {"assessments": schemas.RawAssessmentSchema, **schemas.DETAIL_SCHEMAS}


def invalid_documents(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """document_id -> why its rows break their pandera model, over one staged batch.

    Only row-level failures name a document; a failure of a whole column is a bug
    in the parser, left to the blocking asset check.
    """
    reasons: dict[str, str] = {}
    for name, schema in _schemas_by_table().items():
        frame = frames.get(name)
        if frame is None or frame.empty:
            continue
        _, failures = validate(frame, schema)
        if failures.empty:
            continue
        named = failures.dropna(subset=["document_id"])
        for row in named.itertuples(index=False):
            reasons.setdefault(
                str(row.document_id),
                f"{name}.{row.column} fails {row.check}: {str(row.failure_case)[:120]}",
            )
    return reasons
