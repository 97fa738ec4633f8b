"""Order-independent checksums of warehouse tables, to prove reruns change nothing."""

from __future__ import annotations

import duckdb


def table_checksums(
    con: duckdb.DuckDBPyConnection, schema: str = "core", exclude: tuple[str, ...] = ("runs",)
) -> dict[str, tuple[int, str]]:
    """table -> (rows, md5 over the sorted md5s of its rows)."""
    tables = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        ).fetchall()
        if row[0] not in exclude
    ]
    out = {}
    for table in tables:
        rows, digest = con.execute(
            "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
            f'FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM "{schema}"."{table}" AS t)'
        ).fetchone()
        out[table] = (rows, digest)
    return out
