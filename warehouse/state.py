"""Reading what the warehouse already holds, to plan an incremental run."""

from __future__ import annotations

import duckdb
import pandas as pd

from sources.batch import KnownDocument, KnownFile, KnownState


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
