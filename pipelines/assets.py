"""The asset graph: landing scan -> parsed -> normalised -> warehouse -> consensus -> exports.

Each asset is a thin wrapper over plain functions in ``sources``, ``transforms``,
``warehouse`` and ``exports``; what it adds is Dagster's bookkeeping (metadata,
lineage, pools, retries). A run processes the whole landing folder as one batch:
documents are streamed through bounded batches inside the parse asset.
"""

import shutil
from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.metadata import column_lineage, column_schema, markdown_preview
from pipelines.resources import ExportsResource, LandingResource, WarehouseResource
from sources.batch import (
    Inventory,
    KnownState,
    StagedRun,
    stage_documents,
    start_worker_server,
)
from sources.landing import scan_landing
from sources.parse import PARSER_VERSION
from transforms.derive import derive_tables, derived_version
from transforms.staged import normalise_staged
from warehouse.load import (
    accounting,
    data_changed,
    load_staged,
    record_run,
    replace_derived,
    transaction,
)
from warehouse.queries import (
    EXPORT_QUERIES,
    LoadSummary,
    consensus_inputs,
    consensus_is_current,
    derived_row_counts,
    mark_consensus,
)
from warehouse.schema import SCHEMA_VERSION
from warehouse.state import data_version, known_state, plan_run

WRITER_POOL = "riskpipe_warehouse"  # every asset that writes the DuckDB file
TRANSIENT_IO_RETRY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL)
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=26)
)


@dg.asset(group_name="ingest", kinds={"python"}, pool=WRITER_POOL)
def landing_inventory(
    context: dg.AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
) -> Inventory:
    """Every file in the landing folder, and which of them this run must read.

    Files whose path, size and modification time are unchanged since the last
    run (and were parsed by the current parser) are not read again.
    """
    scan = scan_landing(landing.root)
    with warehouse.migrated() as con:
        plan = plan_run(con, scan.files)
    start_worker_server(len(plan.to_process), landing.worker_count)
    context.add_output_metadata(
        {
            "landing": str(landing.root),
            "files_seen": scan.files_seen,
            "to_read": len(plan.to_process),
            "unchanged": plan.unchanged,
            "ignored": len(scan.ignored),
            "problems": len(scan.problems),
            "vanished": len(plan.vanished_paths),
        }
    )
    return Inventory(str(landing.root), plan, scan.problems, scan.ignored, scan.files_seen)


@dg.asset(group_name="ingest", kinds={"python", "parquet"})
def parsed_documents(
    context: dg.AssetExecutionContext,
    landing_inventory: Inventory,
    landing: LandingResource,
    warehouse: WarehouseResource,
) -> StagedRun:
    """The new documents parsed into records, staged as Parquet batches for one bulk load."""
    staging_root = warehouse.staging_root()
    if staging_root.exists():  # leftovers of a crashed run; this run holds the run lock
        shutil.rmtree(staging_root, ignore_errors=True)

    def load_known() -> KnownState:
        with warehouse.connect(read_only=True) as con:
            return known_state(con)

    if landing_inventory.plan.to_process or landing_inventory.problems:
        known = load_known  # loaded while the first files are parsed
    else:
        known = KnownState()  # nothing to read: an unchanged folder costs no warehouse scan
    run_id = context.run.run_id
    staged = StagedRun(run_id, staging_root / run_id)
    staged.files_seen = landing_inventory.files_seen
    staged.ignored = len(landing_inventory.ignored)
    stage_documents(
        landing.root,
        landing_inventory.plan,
        landing_inventory.problems,
        known,
        staged,
        workers=landing.worker_count,
        batch_size=landing.batch_size,
        max_bytes=landing.max_file_bytes,
    )
    context.add_output_metadata(
        {
            "parser_version": PARSER_VERSION,
            "processed": staged.processed,
            "batches": staged.batches,
            **{f"status/{k}": v for k, v in sorted(staged.status_counts.items())},
            **{f"quarantine/{k}": v for k, v in sorted(staged.reason_counts.items())},
        }
    )
    return staged


@dg.asset(group_name="ingest", kinds={"pandas", "parquet"})
def normalised_assessments(
    context: dg.AssetExecutionContext, parsed_documents: StagedRun
) -> StagedRun:
    """Headline scores on the canonical scale: risk_score in [0, 100], higher = more risk."""
    parts = parsed_documents.tables().get("assessments", [])
    written = normalise_staged(parts, parsed_documents.staging_dir / "normalised")
    context.add_output_metadata({"batches": len(written)})
    return parsed_documents


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_IO_RETRY,
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    normalised_assessments: StagedRun,
    warehouse: WarehouseResource,
) -> LoadSummary:
    """Documents, assessments, details and quarantine, loaded in one transaction."""
    staged = normalised_assessments
    now = datetime.now(UTC)
    with warehouse.migrated() as con:
        with transaction(con):
            inserted = load_staged(
                con,
                staged.tables(),
                run_id=staged.run_id,
                now=now,
                vanished_paths=staged.vanished_paths,
            )
            counts = accounting(con)
            record_run(
                con,
                {
                    "run_id": staged.run_id,
                    "started_at": now,
                    "finished_at": None,
                    "landing": None,
                    "parser_version": PARSER_VERSION,
                    "files_seen": staged.files_seen,
                    "files_unchanged": staged.unchanged,
                    "files_processed": staged.processed,
                    "loaded": counts["loaded"],
                    "duplicate": counts["duplicate"],
                    "quarantined": counts["quarantined"],
                    "ignored": staged.ignored,
                    "consensus_at": None,
                    "data_changed": data_changed(inserted),
                },
            )
        n_assessments = con.execute("SELECT count(*) FROM core.assessments").fetchone()[0]
    shutil.rmtree(staged.staging_dir, ignore_errors=True)
    summary = LoadSummary(
        run_id=staged.run_id,
        files_seen=staged.files_seen,
        processed=staged.processed,
        unchanged=staged.unchanged,
        ignored=staged.ignored,
        counts=counts,
        inserted=inserted,
        reason_counts=dict(staged.reason_counts),
    )
    context.add_output_metadata(
        {
            "dagster/row_count": n_assessments,
            "files_seen": staged.files_seen,
            **{f"current/{k}": v for k, v in counts.items()},
            **{f"inserted/{k}": v for k, v in sorted(inserted.items())},
        }
    )
    return summary


@dg.asset(
    group_name="consensus",
    kinds={"duckdb", "pandas"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_IO_RETRY,
    freshness_policy=DAILY_FRESHNESS,
)
def consensus_profiles(
    context: dg.AssetExecutionContext,
    warehouse_tables: LoadSummary,
    warehouse: WarehouseResource,
) -> LoadSummary:
    """One profile per occupation from each source's latest capture, plus calibration,
    task, salary and mention consensus; all derived tables rebuilt in one transaction.

    Skipped (the tables are already current) when no run changed the loaded data
    since the last rebuild by the same method version."""
    version = derived_version()
    with warehouse.migrated() as con:
        rebuilt = not consensus_is_current(con, version)
        tables = derive_tables(*consensus_inputs(con)) if rebuilt else {}
        with transaction(con):
            if rebuilt:
                replace_derived(con, tables)
            mark_consensus(con, warehouse_tables.run_id, version)
        profiles = con.execute("SELECT * FROM consensus_profiles").df()
        counts = derived_row_counts(con)
    context.add_output_metadata(
        {
            "dagster/row_count": len(profiles),
            "dagster/column_schema": column_schema(profiles),
            "dagster/column_lineage": column_lineage(),
            "preview": dg.MetadataValue.md(markdown_preview(profiles)),
            "rebuilt": rebuilt,
            **{f"rows/{name}": n for name, n in counts.items()},
        }
    )
    return warehouse_tables


@dg.asset(
    group_name="publish",
    kinds={"parquet", "csv", "json"},
    retry_policy=TRANSIENT_IO_RETRY,
    freshness_policy=DAILY_FRESHNESS,
)
def published_exports(
    context: dg.AssetExecutionContext,
    consensus_profiles: LoadSummary,
    warehouse: WarehouseResource,
    exports: ExportsResource,
) -> dict:
    """Consensus, latest assessments, task/salary consensus and source bias for downstream
    apps: Parquet, CSV and JSON with a manifest, swapped in atomically.

    Skipped when the published version was made from the same data (its
    manifest's ``data_version``) and is complete."""
    from exports.publish import exports_current, publish_exports

    with warehouse.connect() as con:
        version = data_version(con, repr(sorted(EXPORT_QUERIES.items())), str(SCHEMA_VERSION))
        manifest = exports_current(exports.folder, version)
        skipped = manifest is not None
        if manifest is None:
            manifest = publish_exports(
                con,
                exports.folder,
                tables=EXPORT_QUERIES,
                run_id=consensus_profiles.run_id,
                schema_version=SCHEMA_VERSION,
                generated_at=datetime.now(UTC),
                data_version=version,
            )
    context.add_output_metadata(
        {
            "exports": str(exports.folder),
            "skipped": skipped,  # already published from the same data
            "files": len(manifest.get("files", {})),
            **{
                f"rows/{name}": info["rows"]
                for name, info in sorted(manifest.get("files", {}).items())
                if name.endswith(".parquet")
            },
        }
    )
    return manifest


@dg.asset(group_name="publish", kinds={"html"})
def consensus_report(
    context: dg.AssetExecutionContext,
    consensus_profiles: LoadSummary,
    warehouse: WarehouseResource,
    exports: ExportsResource,
    landing: LandingResource,
) -> str:
    """A self-contained HTML report with charts: each source's score, consensus and interval.

    Skipped when the report folder was built from the same data by the same code
    (its ``.data_version`` stamp) and its ``index.html`` is there."""
    from exports.stamps import clear_stamp, code_digest, read_stamp, write_stamp

    folder = exports.report_folder
    index = folder / "index.html"
    with warehouse.connect() as con:
        version = data_version(
            con,
            code_digest("exports.report", "exports.report_charts", "exports.report_assets"),
            str(SCHEMA_VERSION),
        )
        skipped = read_stamp(folder) == version and index.is_file()
        if not skipped:
            from exports.report import build_report  # matplotlib: only when drawing

            clear_stamp(folder)
            index = build_report(con, folder, workers=landing.worker_count)
            write_stamp(folder, version)
    context.add_output_metadata({"report": dg.MetadataValue.path(str(index)), "skipped": skipped})
    return str(index)


ALL_ASSETS = [
    landing_inventory,
    parsed_documents,
    normalised_assessments,
    warehouse_tables,
    consensus_profiles,
    published_exports,
    consensus_report,
]
