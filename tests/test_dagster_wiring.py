"""The Dagster side: definitions load, the graph materialises, the sensor and checks behave."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines import assets as asset_module
from pipelines.automation import landing_folder_sensor
from pipelines.checks import ALL_CHECKS
from pipelines.definitions import defs
from pipelines.resources import ExportsResource, LandingResource, WarehouseResource
from tests.support import SAMPLES_DIR, PipelinePaths, make_the_parser_lose_a_column


def _resources(paths: PipelinePaths) -> dict[str, dg.ConfigurableResource]:
    return {
        "landing": LandingResource(path=str(paths.landing), workers=1),
        "warehouse": WarehouseResource(path=str(paths.warehouse), lock_timeout_s=5),
        "exports": ExportsResource(path=str(paths.exports), report_path=str(paths.report)),
    }


def test_definitions_load_with_graph_checks_sensor_and_schedule() -> None:
    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert keys == {
        "landing_inventory",
        "parsed_documents",
        "normalised_assessments",
        "warehouse_tables",
        "consensus_profiles",
        "published_exports",
        "consensus_report",
    }
    assert repo.has_sensor_def("landing_folder_sensor")
    assert repo.has_schedule_def("riskpipe_daily")
    check_names = {key.name for key in repo.asset_graph.asset_check_keys}
    assert {"landing_accounting", "normalised_assessments_valid"} <= check_names


def test_materialize_graph_into_tmp_paths(seeded_paths: PipelinePaths) -> None:
    result = dg.materialize(
        [*asset_module.ALL_ASSETS, *ALL_CHECKS], resources=_resources(seeded_paths)
    )
    assert result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["landing_accounting"] and evaluations["normalised_assessments_valid"]
    with duckdb.connect(str(seeded_paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT n_sources, risk_median FROM consensus_profiles").fetchall() == [
            (5, 32.0)
        ]
    assert (seeded_paths.exports / "manifest.json").is_file()


def test_sensor_requests_one_run_for_new_files_and_skips_unchanged(
    pipeline_paths: PipelinePaths,
) -> None:
    landing = LandingResource(path=str(pipeline_paths.landing))
    shutil.copy2(next(SAMPLES_DIR.iterdir()), pipeline_paths.landing / "page.txt")
    (pipeline_paths.landing / "next.html.part").write_text("still downloading")

    first = landing_folder_sensor(dg.build_sensor_context(resources={"landing": landing}))
    assert isinstance(first, dg.SensorResult)
    assert len(first.run_requests) == 1
    run_key = first.run_requests[0].run_key

    again = landing_folder_sensor(
        dg.build_sensor_context(cursor=first.cursor, resources={"landing": landing})
    )
    assert isinstance(again, dg.SkipReason)

    # Finishing a partial download is a new file: exactly one new request, new key.
    (pipeline_paths.landing / "next.html.part").rename(pipeline_paths.landing / "next.html")
    third = landing_folder_sensor(
        dg.build_sensor_context(cursor=first.cursor, resources={"landing": landing})
    )
    assert isinstance(third, dg.SensorResult)
    assert len(third.run_requests) == 1 and third.run_requests[0].run_key != run_key


def test_failing_pandera_check_blocks_downstream_assets(
    seeded_paths: PipelinePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A normaliser bug (scores above 100) must stop the run before the warehouse."""
    import transforms.staged as staged

    real = staged.normalise_assessments

    def broken(frame: pd.DataFrame, *args: object, **kwargs: object) -> pd.DataFrame:
        out = real(frame, *args, **kwargs)
        return out.assign(risk_score=out["risk_score"] + 500.0)

    monkeypatch.setattr(staged, "normalise_assessments", broken)
    result = dg.materialize(
        [*asset_module.ALL_ASSETS, *ALL_CHECKS],
        resources=_resources(seeded_paths),
        raise_on_error=False,
    )
    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["normalised_assessments_valid"].passed is False
    assert evaluations["normalised_assessments_valid"].metadata["failures"].value > 0
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "normalised_assessments" in materialized
    assert "warehouse_tables" not in materialized
    assert "published_exports" not in materialized


def test_staged_records_are_validated_once_and_a_column_bug_blocks_the_load(
    seeded_paths: PipelinePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches validated when staged are not read again by the check; a parser bug that
    loses a whole column (no document to quarantine) fails it and stops the run."""
    result = dg.materialize(
        [*asset_module.ALL_ASSETS, *ALL_CHECKS], resources=_resources(seeded_paths)
    )
    [good] = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "staged_records_valid"
    ]
    assert good.passed
    assert good.metadata["batches_validated_when_staged"].value > 0
    assert good.metadata["batches_validated_by_check"].value == 0

    make_the_parser_lose_a_column(monkeypatch)
    seeded_paths.warehouse.unlink()  # a fresh warehouse: every page is parsed again
    result = dg.materialize(
        [*asset_module.ALL_ASSETS, *ALL_CHECKS],
        resources=_resources(seeded_paths),
        raise_on_error=False,
    )
    assert not result.success
    [bad] = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "staged_records_valid"
    ]
    assert bad.passed is False and bad.metadata["failures"].value > 0
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "parsed_documents" in materialized
    assert "warehouse_tables" not in materialized


@pytest.mark.slow
def test_dagster_cli_materialize_builds_the_same_warehouse_as_riskpipe_run(
    seeded_paths: PipelinePaths, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    from pipelines.cli import main
    from tests.support import REPO_ROOT
    from warehouse.checksums import table_checksums

    assert main(["run", "--quiet", *seeded_paths.cli_args()]) == 0
    dagster_wh = tmp_path / "dagster" / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKPIPE_")}
    env.update(
        RISKPIPE_LANDING=str(seeded_paths.landing),
        RISKPIPE_WAREHOUSE=str(dagster_wh),
        RISKPIPE_EXPORTS=str(tmp_path / "dagster" / "exports"),
        RISKPIPE_REPORT=str(tmp_path / "dagster" / "report"),
        RISKPIPE_WORKERS="1",
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )
    (tmp_path / "dagster_home").mkdir()
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    def content(path: Path) -> dict[str, tuple[int, str]]:
        with duckdb.connect(str(path), read_only=True) as con:
            sums = table_checksums(con)
        return {k: v for k, v in sums.items() if k not in ("documents", "landing_files")}

    assert content(dagster_wh) == content(seeded_paths.warehouse)
    assert (tmp_path / "dagster" / "exports" / "manifest.json").is_file()
