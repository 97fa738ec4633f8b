"""Reading what the warehouse already holds, to plan an incremental run."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from sources import batch
from sources.batch import KnownDocument, KnownFile, KnownState, RunPlan
from sources.landing import LandingFile


def plan_run(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[LandingFile],
    parser_version: str | None = None,
) -> RunPlan:
    """Pick the files to read: new, changed, transiently failed, or parsed by another parser.

    A file is *unchanged* when the warehouse holds it as current with the same
    size and modification time, it did not fail transiently (``vanished``,
    ``unreadable``), and its document was parsed by ``parser_version`` (or has
    no parser version). The landing scan is compared with ``core.landing_files``
    in one join, so an unchanged folder of 100,000 files is recognised without
    a Python object per warehouse row. ``to_process`` keeps the order of ``files``.
    """
    parser_version = parser_version or batch.PARSER_VERSION
    scanned = pa.table(
        {
            "i": pa.array(range(len(files)), pa.int64()),
            "path": pa.array([f.path for f in files], pa.string()),
            "size_bytes": pa.array([f.size for f in files], pa.int64()),
            "mtime_ns": pa.array([f.mtime_ns for f in files], pa.int64()),
        }
    )
    con.register(_SCANNED, scanned)
    try:
        to_read = con.execute(
            f"""
            SELECT s.i FROM {_SCANNED} AS s
            WHERE NOT EXISTS (
                SELECT 1 FROM core.landing_files AS f
                LEFT JOIN core.documents AS d USING (document_id)
                WHERE f.is_current AND f.path = s.path
                  AND f.size_bytes = s.size_bytes AND f.mtime_ns = s.mtime_ns
                  AND NOT list_contains($transient, coalesce(f.reason_code, ''))
                  -- not stale: the rule of sources.batch._is_stale
                  AND coalesce(d.parser_version = $parser, true)
            )
            ORDER BY s.i
            """,
            {"transient": sorted(batch.TRANSIENT_REASONS), "parser": parser_version},
        ).fetchall()
        vanished = con.execute(
            f"""
            SELECT path FROM core.landing_files
            WHERE is_current AND path NOT IN (SELECT path FROM {_SCANNED})
            ORDER BY path
            """
        ).fetchall()
    finally:
        con.unregister(_SCANNED)
    return RunPlan(
        [files[i] for (i,) in to_read],
        unchanged=len(files) - len(to_read),
        vanished_paths=[path for (path,) in vanished],
    )


_SCANNED = "riskpipe_landing_scan"


def known_state(con: duckdb.DuckDBPyConnection) -> KnownState:
    """Current landing files, known documents and loaded visible-text hashes."""
    state = KnownState()
    for path, size, mtime_ns, document_id, status, reason in con.execute(
        "SELECT path, size_bytes, mtime_ns, document_id, status, reason_code "
        "FROM core.landing_files WHERE is_current"
    ).fetchall():
        state.files[path] = KnownFile(size, mtime_ns, document_id, status, reason)
    for document_id, status, reason, detail, parser_version, path, text_sha, dup_of in con.execute(
        "SELECT document_id, status, reason_code, detail, parser_version, path, text_sha256, "
        "duplicate_of FROM core.documents"
    ).fetchall():
        state.documents[document_id] = KnownDocument(
            status, reason, detail, parser_version, path, dup_of
        )
        if status == "loaded" and text_sha:
            state.loaded_texts[text_sha] = document_id
    for source, slug, fetched_at, text_sha in con.execute(
        "SELECT a.source, a.occupation_slug, max(a.fetched_at), "
        "arg_max(d.text_sha256, (a.fetched_at, a.document_id)) "
        "FROM core.assessments AS a JOIN core.documents AS d USING (document_id) "
        "GROUP BY ALL"
    ).fetchall():
        state.latest_pages[(source, slug)] = (pd.Timestamp(fetched_at), text_sha)
    return state


def data_version(con: duckdb.DuckDBPyConnection, *code: str) -> str:
    """A stamp of the warehouse data that derived outputs (exports, report) show.

    It changes when a run changes the loaded data or the derived tables are
    built by another method version; ``code`` (e.g. the queries or the source of
    the module writing the output) is folded in, so new code also counts as new.
    Outputs stamped with the current value need not be written again.
    """
    (last_change, derived), *_ = con.execute(
        "SELECT (SELECT run_id FROM core.runs WHERE data_changed "
        "        ORDER BY started_at DESC LIMIT 1), "
        "       (SELECT derived_version FROM core.runs WHERE consensus_at IS NOT NULL "
        "        ORDER BY started_at DESC LIMIT 1)"
    ).fetchall()
    digest = hashlib.sha256()
    for part in (str(last_change), str(derived), *code):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]
