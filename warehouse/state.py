"""Reading what the warehouse already holds, to plan an incremental run."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from sources import batch
from sources.batch import KnownDocument, KnownFile, KnownState


def planning_state(con: duckdb.DuckDBPyConnection, parser_version: str | None = None) -> KnownState:
    """Just what :func:`sources.batch.plan_run` needs: the current landing files, and
    the documents parsed by another parser version (usually none).

    Much cheaper than :func:`known_state` on a large warehouse, so an unchanged
    landing folder is recognised without loading every document.
    """
    parser_version = parser_version or batch.PARSER_VERSION  # the version plan_run compares
    state = KnownState()
    rows = con.execute(
        "SELECT path, size_bytes, mtime_ns, document_id, status, reason_code "
        "FROM core.landing_files WHERE is_current"
    ).fetchall()
    state.files = {row[0]: KnownFile(*row[1:]) for row in rows}
    for document_id, status, reason, detail, version, path, dup_of in con.execute(
        "SELECT document_id, status, reason_code, detail, parser_version, path, duplicate_of "
        "FROM core.documents WHERE parser_version IS NOT NULL AND parser_version <> ?",
        [parser_version],
    ).fetchall():
        state.documents[document_id] = KnownDocument(status, reason, detail, version, path, dup_of)
    return state


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
