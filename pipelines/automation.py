"""When riskpipe runs by itself: a sensor on the landing folder and a daily schedule.

Both start switched off; turn them on in the UI (Automation tab) or with
``dagster sensor start landing_folder_sensor`` / ``dagster schedule start
riskpipe_daily`` against a running ``dagster dev`` (see README).
"""

import hashlib

import dagster as dg

from pipelines.resources import LandingResource
from sources.landing import LandingError, scan_landing

ingest_job = dg.define_asset_job(
    "riskpipe_ingest",
    selection=dg.AssetSelection.all(),
    description="Scan the landing folder and rebuild warehouse, consensus, exports and report.",
    tags={"riskpipe/kind": "ingest"},
)


def landing_fingerprint(landing: LandingResource) -> str:
    """A digest of every complete landing file's name, size and modification time.

    Partial downloads (``*.part``, ``*.tmp``) and dotfiles are left out by the scan,
    so a file still being written does not trigger a run until it is renamed.
    """
    scan = scan_landing(landing.root)
    digest = hashlib.sha256()
    for f in scan.files:
        digest.update(f"{f.path}\0{f.size}\0{f.mtime_ns}\n".encode())
    for p in scan.problems:
        digest.update(f"{p.path}\0{p.reason_code}\n".encode())
    return f"{len(scan.files)}-{digest.hexdigest()[:32]}"


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts an ingest run when files in the landing folder are added or changed.",
)
def landing_folder_sensor(
    context: dg.SensorEvaluationContext, landing: LandingResource
) -> dg.SensorResult | dg.SkipReason:
    try:
        fingerprint = landing_fingerprint(landing)
    except LandingError as exc:
        return dg.SkipReason(str(exc))
    if fingerprint == context.cursor:
        return dg.SkipReason("landing folder unchanged since the last run request")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"landing-{fingerprint}")],
        cursor=fingerprint,
    )


daily_schedule = dg.ScheduleDefinition(
    name="riskpipe_daily",
    job=ingest_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily ingest at 06:00 UTC, whether or not the sensor is on.",
)
