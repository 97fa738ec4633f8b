"""Asset checks: pandera validation (blocking), accounting (blocking), drift (warnings)."""

import dagster as dg
import pandas as pd

from pipelines.assets import (
    consensus_profiles,
    normalised_assessments,
    parsed_documents,
    warehouse_tables,
)
from pipelines.metadata import markdown_table
from pipelines.resources import WarehouseResource
from sources.batch import StagedRun
from transforms import schemas
from transforms.staged import schemas_by_table, unvalidated_parts, validate_staged
from warehouse.queries import LoadSummary, site_parse_failures, source_score_shifts

MAX_FAILURE_ROWS = 50


def _failure_metadata(failures: pd.DataFrame) -> dict[str, dg.MetadataValue]:
    if failures.empty:
        return {"failures": dg.MetadataValue.int(0)}
    return {
        "failures": dg.MetadataValue.int(len(failures)),
        "failing_rows": dg.MetadataValue.md(markdown_table(failures, rows=MAX_FAILURE_ROWS)),
    }


@dg.asset_check(asset=parsed_documents, blocking=True)
def staged_records_valid(parsed_documents: StagedRun) -> dg.AssetCheckResult:
    """Raw assessments and every detail table match their pandera models.

    Each batch was validated before it was written (its failing documents went to
    quarantine); what that left unexplained is reported here, and any batch not
    validated then, or changed since, is validated now."""
    staged = parsed_documents
    tables = staged.tables()
    failures = list(staged.record_failures)
    revalidated = 0
    for name, schema in schemas_by_table().items():
        parts = unvalidated_parts(tables.get(name, []), staged.validated)
        revalidated += len(parts)
        failures.append(validate_staged(parts, schema))
    failed = pd.concat([f for f in failures if not f.empty] or [pd.DataFrame()])
    return dg.AssetCheckResult(
        passed=failed.empty,
        metadata={
            **_failure_metadata(failed),
            "batches_validated_when_staged": len(staged.validated),
            "batches_validated_by_check": revalidated,
        },
    )


@dg.asset_check(asset=normalised_assessments, blocking=True)
def normalised_assessments_valid(normalised_assessments: StagedRun) -> dg.AssetCheckResult:
    """Every normalised assessment has a risk_score in [0, 100] and a consistent band."""
    parts = normalised_assessments.tables().get("normalised", [])
    # Batch by batch: ``is_latest`` is computed within each batch, not across them.
    failed = validate_staged(parts, schemas.NormalisedAssessmentSchema, chunk_rows=1)
    return dg.AssetCheckResult(passed=failed.empty, metadata=_failure_metadata(failed))


@dg.asset_check(asset=warehouse_tables, blocking=True)
def landing_accounting(warehouse_tables: LoadSummary) -> dg.AssetCheckResult:
    """Every landing file is loaded, a duplicate or quarantined: nothing is silently dropped."""
    counts = warehouse_tables.counts
    return dg.AssetCheckResult(
        passed=warehouse_tables.balanced,
        metadata={
            "files_seen": warehouse_tables.files_seen,
            **counts,
            "accounted": sum(counts.values()),
        },
    )


@dg.asset_check(asset=warehouse_tables)
def site_parse_failure_drift(
    warehouse_tables: LoadSummary, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    """Warns when every new file of a site failed to parse although it loaded before."""
    with warehouse.connect(read_only=True) as con:
        drifting = site_parse_failures(con, warehouse_tables.run_id)
    return dg.AssetCheckResult(
        passed=drifting.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"sites": dg.MetadataValue.md(markdown_table(drifting))}
        if not drifting.empty
        else {},
    )


@dg.asset_check(asset=consensus_profiles, blocking=True)
def consensus_profiles_valid(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """The published profiles match their pandera model (bounds, intervals, statuses)."""
    with warehouse.connect(read_only=True) as con:
        frame = con.execute("SELECT * FROM consensus_profiles").df()
    _, failed = schemas.validate(frame, schemas.ConsensusProfileSchema)
    return dg.AssetCheckResult(passed=failed.empty, metadata=_failure_metadata(failed))


@dg.asset_check(asset=consensus_profiles)
def source_score_drift(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Warns when a source's scores moved by more than 15 points across 5+ occupations."""
    with warehouse.connect(read_only=True) as con:
        shifts = source_score_shifts(con)
    return dg.AssetCheckResult(
        passed=shifts.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"sources": dg.MetadataValue.md(markdown_table(shifts))}
        if not shifts.empty
        else {},
    )


ALL_CHECKS = [
    staged_records_valid,
    normalised_assessments_valid,
    landing_accounting,
    site_parse_failure_drift,
    consensus_profiles_valid,
    source_score_drift,
]
