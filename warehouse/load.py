"""Bulk loads: staged Parquet batches into the warehouse, one transaction per step.

Everything goes through DuckDB's Parquet reader and DataFrame scans; no row is
inserted from Python one at a time. Inserts are anti-joined on ``document_id``
so loading the same staged run twice (a retried step, a concurrent run that
lost the race) cannot create duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from transforms.frames import DETAIL_KINDS
from warehouse.schema import create_views


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a crash or an error inside leaves the previous state."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _files(paths: Sequence[Path]) -> list[str]:
    return [str(p) for p in paths]


def load_staged(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, Sequence[Path]],
    *,
    run_id: str,
    now: datetime,
    vanished_paths: Sequence[str] = (),
) -> dict[str, int]:
    """Load a staged run (``tables``: name -> Parquet files). Returns rows inserted per table.

    Expects the ``normalised`` table (assessments with ``risk_score``), ``documents``,
    ``files`` and the detail tables. The caller wraps this in :func:`transaction`.
    """
    inserted: dict[str, int] = {}
    documents = _files(tables.get("documents", []))
    if documents:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE staged_documents AS SELECT * FROM read_parquet(?)",
            [documents],
        )
        # Documents parsed again by a newer parser replace their earlier rows.
        reparsed = "(SELECT document_id FROM staged_documents WHERE reparse)"
        replaced = 0
        for table in ("assessments", *DETAIL_KINDS, "documents"):
            deleted = con.execute(
                f"DELETE FROM core.{table} WHERE document_id IN {reparsed}"
            ).fetchone()[0]
            replaced += deleted if table != "documents" else 0
        inserted["replaced"] = replaced
        inserted["documents"] = con.execute(
            "INSERT INTO core.documents BY NAME "
            "SELECT * EXCLUDE (reparse), ?::TIMESTAMPTZ AS first_seen, ? AS run_id "
            "FROM staged_documents "
            "WHERE document_id NOT IN (SELECT document_id FROM core.documents)",
            [now, run_id],
        ).fetchone()[0]
    for table, staged_name, exclude in (
        ("assessments", "normalised", " EXCLUDE (is_latest)"),
        *((k, k, "") for k in DETAIL_KINDS),
    ):
        parts = _files(tables.get(staged_name, []))
        if not parts:
            continue
        inserted[table] = con.execute(
            f"INSERT INTO core.{table} BY NAME "
            f"SELECT *{exclude} FROM read_parquet(?, union_by_name = true) "
            f"WHERE document_id NOT IN (SELECT document_id FROM core.{table})",
            [parts],
        ).fetchone()[0]
    inserted["landing_files"] = _load_landing_files(
        con, _files(tables.get("files", [])), run_id=run_id, now=now
    )
    if vanished_paths:
        con.register("vanished_paths", pd.DataFrame({"path": list(vanished_paths)}))
        con.execute(
            "UPDATE core.landing_files SET is_current = false "
            "WHERE is_current AND path IN (SELECT path FROM vanished_paths)"
        )
        con.unregister("vanished_paths")
    return inserted


def data_changed(inserted: Mapping[str, int]) -> bool:
    """Whether a load changed what the derived tables are built from."""
    return any(n for table, n in inserted.items() if table not in ("landing_files", "documents"))


def _load_landing_files(
    con: duckdb.DuckDBPyConnection, parts: list[str], *, run_id: str, now: datetime
) -> int:
    """Upsert the accounting rows of the files read in this run, keeping first_seen."""
    if not parts:
        return 0
    con.execute(
        "CREATE OR REPLACE TEMP TABLE staged_files AS "
        "SELECT s.*, coalesce(old.first_seen, ?::TIMESTAMPTZ) AS first_seen "
        "FROM read_parquet(?) AS s "
        "LEFT JOIN core.landing_files AS old "
        "  ON old.path = s.path AND old.document_id IS NOT DISTINCT FROM s.document_id",
        [now, parts],
    )
    con.execute(
        "UPDATE core.landing_files SET is_current = false "
        "WHERE is_current AND path IN (SELECT path FROM staged_files)"
    )
    con.execute(
        "DELETE FROM core.landing_files AS lf WHERE EXISTS ("
        " SELECT 1 FROM staged_files AS s"
        " WHERE s.path = lf.path AND s.document_id IS NOT DISTINCT FROM lf.document_id)"
    )
    return con.execute(
        "INSERT INTO core.landing_files BY NAME "
        "SELECT *, true AS is_current, ?::TIMESTAMPTZ AS last_seen, ? AS run_id "
        "FROM staged_files",
        [now, run_id],
    ).fetchone()[0]


def record_run(con: duckdb.DuckDBPyConnection, row: Mapping[str, object]) -> None:
    """Insert (or complete) the bookkeeping row of one run."""
    con.execute("DELETE FROM core.runs WHERE run_id = ?", [row["run_id"]])
    con.register("run_row", pd.DataFrame([dict(row)]))
    con.execute("INSERT INTO core.runs BY NAME SELECT * FROM run_row")
    con.unregister("run_row")


def replace_derived(con: duckdb.DuckDBPyConnection, frames: Mapping[str, pd.DataFrame]) -> None:
    """Rebuild the consensus tables from DataFrames (the caller holds the transaction)."""
    for name, frame in frames.items():
        con.register("derived_frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE core.{name} AS SELECT * FROM derived_frame")
        con.unregister("derived_frame")
    create_views(con)


def accounting(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Current landing files by status: the right-hand side of the accounting identity."""
    rows = con.execute(
        "SELECT status, count(*) FROM core.landing_files WHERE is_current GROUP BY status"
    ).fetchall()
    counts = {"loaded": 0, "duplicate": 0, "quarantined": 0}
    counts.update({status: n for status, n in rows})
    return counts
