"""Named queries over the warehouse: consensus inputs, exports, run summaries."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from transforms.derive import ASSESSMENT_INPUTS, DETAIL_INPUTS
from warehouse.schema import DERIVED_TABLES


@dataclass(slots=True)
class LoadSummary:
    """What one run loaded, and the accounting of the landing folder after it."""

    run_id: str
    files_seen: int
    processed: int
    unchanged: int
    ignored: int
    counts: dict[str, int]
    inserted: dict[str, int] = field(default_factory=dict)
    reason_counts: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """files seen = loaded + duplicate + quarantined."""
        return self.files_seen == sum(self.counts.values())


# Published tables: export name -> constant query over the analyst views.
EXPORT_QUERIES: dict[str, str] = {
    "consensus_profiles": "SELECT * FROM consensus_profiles ORDER BY occupation_slug",
    "assessments": (
        "SELECT * EXCLUDE (is_latest) FROM assessments WHERE is_latest "
        "ORDER BY occupation_slug, source, document_id"
    ),
    "source_scores": "SELECT * FROM source_scores ORDER BY occupation_slug, source",
    "task_consensus": "SELECT * FROM task_consensus ORDER BY occupation_slug, canonical_task",
    "salary_consensus": "SELECT * FROM salary_consensus ORDER BY occupation_slug, seniority",
    "source_bias": "SELECT * FROM source_bias ORDER BY source",
}


def consensus_inputs(
    con: duckdb.DuckDBPyConnection,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """What :func:`transforms.derive.derive_tables` reads: every assessment (all
    captures) and the detail rows of the latest captures, with only the columns it
    uses (``ASSESSMENT_INPUTS``, ``DETAIL_INPUTS``), in a fixed row order.

    The assessments go through Arrow, which hands each repeated string (source,
    occupation, label, URL, ...) to pandas as one shared object rather than one per
    row: the same values and dtypes in a fraction of the memory. The detail rows are
    those of the detail views ``WHERE is_latest``; the latest captures are looked up
    once and joined to each detail table, instead of once per view.
    """
    con.complete()  # finish a result the caller left open: con.sql() does not run beside one
    assessments = (
        con.sql(
            f"SELECT {', '.join(ASSESSMENT_INPUTS)} FROM assessments "
            "ORDER BY occupation_slug, source, document_id"
        )
        .to_arrow_table()
        .to_pandas()
    )
    latest = con.sql(
        "SELECT document_id, source, occupation, occupation_slug FROM assessments WHERE is_latest"
    ).to_arrow_table()
    con.register(_LATEST_CAPTURES, latest)
    try:
        details = {
            kind: con.execute(
                f"SELECT {', '.join(columns)} "
                f"FROM core.{kind} JOIN {_LATEST_CAPTURES} USING (document_id) "
                "ORDER BY occupation_slug, source, document_id, span_start"
            ).df()
            for kind, columns in DETAIL_INPUTS.items()
        }
    finally:
        con.unregister(_LATEST_CAPTURES)
    return assessments, details


_LATEST_CAPTURES = "consensus_latest_captures"


def consensus_is_current(con: duckdb.DuckDBPyConnection, version: str) -> bool:
    """True when the derived tables were built by ``version`` and no run changed the
    loaded data since: the rebuild can be skipped."""
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'core' AND table_name = 'consensus_profiles'"
    ).fetchone()[0]
    if not present:
        return False
    return con.execute(
        """
        WITH last AS (
            SELECT started_at FROM core.runs
            WHERE derived_version = ? AND consensus_at IS NOT NULL
            ORDER BY started_at DESC LIMIT 1
        )
        SELECT count(*) = 1 AND NOT EXISTS (
            SELECT 1 FROM core.runs AS r, last
            WHERE r.data_changed AND r.started_at > last.started_at
        )
        FROM last
        """,
        [version],
    ).fetchone()[0]


def mark_consensus(con: duckdb.DuckDBPyConnection, run_id: str, version: str) -> None:
    """Record that ``run_id`` left the derived tables current, built by ``version``."""
    con.execute(
        "UPDATE core.runs SET consensus_at = now(), finished_at = now(), derived_version = ? "
        "WHERE run_id = ?",
        [version, run_id],
    )


def derived_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per derived table (for run metadata)."""
    return {
        name: con.execute(f"SELECT count(*) FROM core.{name}").fetchone()[0]
        for name in DERIVED_TABLES
    }


def run_documents(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """The landing files a run examined, with what became of them."""
    return con.execute(
        "SELECT lf.path, lf.status, lf.reason_code, lf.detail, a.source, a.occupation, "
        "a.raw_score, a.polarity, a.risk_score, a.label "
        "FROM core.landing_files AS lf "
        "LEFT JOIN core.assessments AS a USING (document_id) "
        "WHERE lf.run_id = ? AND lf.is_current ORDER BY lf.path",
        [run_id],
    ).df()


def occupation_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Consensus per occupation for the CLI summary."""
    return con.execute(
        "SELECT occupation, n_sources, risk_median, risk_mean, ci_low, ci_high, agreement, status "
        "FROM consensus_profiles ORDER BY occupation_slug"
    ).df()


def site_parse_failures(
    con: duckdb.DuckDBPyConnection, run_id: str, min_files: int = 5
) -> pd.DataFrame:
    """Sites (first landing folder level) whose files in this run all failed to parse,
    although the site had loaded documents before: a sign its template changed."""
    return con.execute(
        """
        WITH per_site AS (
            SELECT split_part(path, '/', 1) AS site, run_id = ? AS this_run, status
            FROM core.landing_files
            WHERE document_id IS NOT NULL
              AND (reason_code IS NULL OR reason_code NOT LIKE 'duplicate%')
        )
        SELECT site,
               count(*) FILTER (WHERE this_run) AS files_this_run,
               count(*) FILTER (WHERE this_run AND status = 'quarantined') AS failed_this_run,
               count(*) FILTER (WHERE NOT this_run AND status = 'loaded') AS loaded_before
        FROM per_site
        GROUP BY site
        HAVING files_this_run >= ? AND failed_this_run = files_this_run AND loaded_before > 0
        ORDER BY site
        """,
        [run_id, min_files],
    ).df()


def source_score_shifts(
    con: duckdb.DuckDBPyConnection, min_points: float = 15.0, min_occupations: int = 5
) -> pd.DataFrame:
    """Sources whose latest captures moved by more than ``min_points`` (median, same
    direction) across at least ``min_occupations`` occupations: a sign of a rescaled site."""
    return con.execute(
        """
        WITH latest_change AS (
            SELECT source, occupation_slug, change
            FROM score_changes
            QUALIFY row_number() OVER (
                PARTITION BY source, occupation_slug ORDER BY fetched_at DESC) = 1
        )
        SELECT source, count(*) AS n_occupations, median(change) AS median_change
        FROM latest_change
        WHERE abs(change) > ?
        GROUP BY source
        HAVING count(*) >= ? AND abs(median(change)) > ?
        ORDER BY source
        """,
        [min_points, min_occupations, min_points],
    ).df()
