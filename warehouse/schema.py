"""Versioned DDL: numbered migrations, a ``schema_version`` table, analyst views.

Migrations are the files ``migrations/V<NNN>__<name>.sql``, applied once each,
in order, inside the caller's transaction. Views are recreated on every
``migrate`` so they always match the tables behind them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from transforms.frames import DETAIL_KINDS
from warehouse.connection import WarehouseError

_MIGRATION_NAME = re.compile(r"^V(\d{3})__(\w+)\.sql$")

# Derived tables rebuilt by every consensus step (see warehouse.derived).
DERIVED_TABLES = (
    "consensus_profiles",
    "source_scores",
    "source_bias",
    "task_consensus",
    "task_map",
    "salary_consensus",
    "tool_counts",
    "action_counts",
    "pivot_counts",
)


DISAGREEMENTS_VIEW = """
CREATE OR REPLACE VIEW disagreements AS
SELECT occupation, occupation_slug, n_sources, risk_median, risk_min, risk_min_sources,
       risk_max, risk_max_sources, risk_max - risk_min AS spread, risk_iqr, agreement
FROM consensus_profiles
WHERE n_sources >= 2
ORDER BY spread DESC, occupation_slug;
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """All migrations shipped with this version, in order."""
    folder = resources.files("warehouse") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text()))
    return sorted(found, key=lambda m: m.version)


SCHEMA_VERSION: int = migrations()[-1].version


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def _detail_views_sql() -> str:
    return "\n".join(
        f"CREATE OR REPLACE VIEW {kind} AS "
        "SELECT a.source, a.occupation, a.occupation_slug, a.fetched_at, a.is_latest, t.* "
        f"FROM core.{kind} AS t JOIN assessments AS a USING (document_id);"
        for kind in DETAIL_KINDS
    )


def _derived_views_sql(con: duckdb.DuckDBPyConnection) -> str:
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'core'"
        ).fetchall()
    }
    statements = [
        f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM core.{name};"
        for name in DERIVED_TABLES
        if name in present
    ]
    if "consensus_profiles" in present:
        statements.append(DISAGREEMENTS_VIEW)
    return "\n".join(statements)


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every analyst view over the current tables."""
    con.execute((resources.files("warehouse") / "views.sql").read_text())
    con.execute(_detail_views_sql())
    derived = _derived_views_sql(con)
    if derived:
        con.execute(derived)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the warehouse to :data:`SCHEMA_VERSION`; returns the version applied from."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    start = current_version(con)
    if start > SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse schema version {start} is newer than this riskpipe ({SCHEMA_VERSION})"
        )
    for migration in migrations():
        if migration.version > start:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now())",
                [migration.version, migration.name],
            )
    create_views(con)
    return start
