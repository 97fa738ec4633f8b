"""The one ``Definitions`` object: ``dagster dev`` and ``dagster asset materialize`` load it."""

from __future__ import annotations

import dagster as dg

from pipelines.assets import ALL_ASSETS
from pipelines.automation import daily_schedule, ingest_job, landing_folder_sensor
from pipelines.checks import ALL_CHECKS
from pipelines.resources import default_resources

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[ingest_job],
    sensors=[landing_folder_sensor],
    schedules=[daily_schedule],
    resources=default_resources(),
    # In process: one run lock and one DuckDB writer per run, and no seconds spent
    # starting a process per step.
    executor=dg.in_process_executor,
)
