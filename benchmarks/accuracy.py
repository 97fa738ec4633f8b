"""Extraction accuracy of a warehouse against the generator's ground truth.

Every row of the truth JSONL (:class:`benchmarks.pagegen.PageTruth`) is compared
with the analyst views of the warehouse: ``documents`` (current rows: status,
reason code, duplicate target, fetched_at, url) and, for documents expected
loaded, ``assessments`` (source, occupation, raw value, scale, polarity,
risk_score, label). A field is only checked on the rows where it applies:

========== =====================================================================
field      checked on
========== =====================================================================
status     every truth row; ``ignored`` files must be absent from ``documents``
reason     expected quarantined (reason code) and duplicates (``duplicate_bytes``
           or ``duplicate_text``)
dup_of     duplicates: ``duplicate_of`` is the document at the truth's original
source ... expected loaded: ``source`` is the template id (``generic`` for
           unknown sites), and occupation, raw_value, scale_max, polarity,
           risk_score (±1e-6), label, fetched_at (to the second) and url
========== =====================================================================

A document with the wrong status counts as wrong in every field checked on it,
but is listed once among the mismatches, with the warehouse's reason.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FIELDS = (
    "status",
    "reason",
    "dup_of",
    "source",
    "occupation",
    "raw_value",
    "scale_max",
    "polarity",
    "risk_score",
    "label",
    "fetched_at",
    "url",
)
LOADED_FIELDS = FIELDS[3:]
_TOLERANCE = 1e-6

_QUERY = """
SELECT d.path, d.status, d.reason_code, d.detail, d.duplicate_of, d.document_id,
       d.fetched_at AS doc_fetched_at, d.url AS doc_url,
       a.source, a.occupation, a.raw_value, a.scale_max, a.polarity, a.risk_score, a.label,
       a.fetched_at, a.url
FROM documents AS d
LEFT JOIN assessments AS a ON a.document_id = d.document_id AND d.status = 'loaded'
WHERE d.is_current
"""


@dataclass
class Mismatch:
    path: str
    field: str
    expected: Any
    actual: Any

    def as_row(self) -> list[str]:
        return [self.path, self.field, _show(self.expected), _show(self.actual)]


@dataclass
class Accuracy:
    """Per-field checked/correct counts and the mismatches, in truth order."""

    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    mismatches: list[Mismatch] = field(default_factory=list)
    rows: int = 0
    rows_all_correct: int = 0

    def share(self, name: str) -> float | None:
        n = self.checked[name]
        return self.correct[name] / n if n else None

    @property
    def overall(self) -> float | None:
        """Share of truth rows whose every applicable field is right."""
        return self.rows_all_correct / self.rows if self.rows else None

    def to_json(self, limit: int = 50) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_all_correct": self.rows_all_correct,
            "overall": self.overall,
            "fields": {
                f: {"checked": self.checked[f], "correct": self.correct[f], "share": self.share(f)}
                for f in FIELDS
            },
            "mismatches": len(self.mismatches),
            "first_mismatches": [
                dict(zip(("path", "field", "expected", "actual"), m.as_row(), strict=True))
                for m in self.mismatches[:limit]
            ],
        }


def read_truth(path: Path) -> Iterator[dict[str, Any]]:
    """Truth rows as dicts (the JSON of :class:`benchmarks.pagegen.PageTruth`)."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def warehouse_rows(warehouse: Path) -> dict[str, dict[str, Any]]:
    """Current ``documents`` rows (with their assessment, when loaded) by landing path."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        cur = con.execute(_QUERY)
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "∅" if value is None else str(value)


def _iso_utc(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(float(expected), float(actual), rel_tol=0, abs_tol=_TOLERANCE)
    return expected == actual


def _expected_reason(t: dict[str, Any]) -> str | None:
    if t["expected_status"] == "duplicate":
        return t["kind"]  # duplicate_bytes | duplicate_text
    return t["expected_reason"]


def compare(truth: Iterable[dict[str, Any]], actual: dict[str, dict[str, Any]]) -> Accuracy:
    """Compare truth rows with warehouse rows keyed by landing path."""
    acc = Accuracy()
    doc_ids = {path: row["document_id"] for path, row in actual.items()}
    for t in truth:
        acc.rows += 1
        path = t["relpath"]
        row = actual.get(path)
        status = row["status"] if row else "ignored"
        checks: list[tuple[str, Any, Any]] = [("status", t["expected_status"], status)]
        if t["expected_status"] in ("quarantined", "duplicate"):
            checks.append(("reason", _expected_reason(t), row["reason_code"] if row else None))
        if t["expected_status"] == "duplicate":
            original = doc_ids.get(t["details"].get("duplicate_of", ""))
            checks.append(("dup_of", original, row["duplicate_of"] if row else None))
        if t["expected_status"] == "loaded":
            got = row if row and row["status"] == "loaded" else {}
            checks += [
                ("source", t["template"], got.get("source")),
                ("occupation", t["occupation"], got.get("occupation")),
                ("raw_value", t["raw_value"], got.get("raw_value")),
                ("scale_max", t["scale_max"], got.get("scale_max")),
                ("polarity", t["polarity"], got.get("polarity")),
                ("risk_score", t["risk_score"], got.get("risk_score")),
                ("label", t["label"], got.get("label")),
                ("fetched_at", _iso_utc(t["fetched_at"]), _iso_utc(got.get("fetched_at"))),
                ("url", t["url"], got.get("url")),
            ]
        status_ok = status == t["expected_status"]
        row_ok = status_ok
        if not status_ok:  # one mismatch, with the warehouse's reason, for the whole row
            why = f" ({row['reason_code']}: {row.get('detail') or ''})" if row else ""
            if row and not row["reason_code"]:
                why = ""
            acc.mismatches.append(Mismatch(path, "status", t["expected_status"], status + why))
        for name, expected, got_value in checks:
            acc.checked[name] += 1
            if _same(expected, got_value):
                acc.correct[name] += 1
                continue
            row_ok = False
            if status_ok:
                acc.mismatches.append(Mismatch(path, name, expected, got_value))
        acc.rows_all_correct += row_ok
    return acc


def measure(truth_path: Path, warehouse: Path) -> Accuracy:
    """Accuracy of ``warehouse`` against the truth file."""
    return compare(read_truth(truth_path), warehouse_rows(warehouse))
