"""Shared fixtures: the bundled sample captures and isolated pipeline paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support import SAMPLES_DIR, PipelinePaths

# Property tests explore new examples on every local run. CI selects this profile
# (PYTEST_ADDOPTS=--hypothesis-profile=ci in .ci/run) so that a build runs the same
# examples every time: a red build is reproducible, and not a matter of luck.
settings.register_profile("ci", derandomize=True, print_blob=True)


@pytest.fixture
def pipeline_paths(tmp_path: Path) -> PipelinePaths:
    """An empty landing folder and output paths under tmp_path."""
    landing = tmp_path / "landing"
    landing.mkdir()
    return PipelinePaths(
        landing, tmp_path / "wh" / "warehouse.duckdb", tmp_path / "exports", tmp_path / "report"
    )


@pytest.fixture
def seeded_paths(pipeline_paths: PipelinePaths) -> PipelinePaths:
    """The five sample captures copied into a per-site landing layout."""
    for seed in sorted(SAMPLES_DIR.iterdir()):
        target = pipeline_paths.landing / "seeds" / seed.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seed, target)
    return pipeline_paths


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read a developer's RISKPIPE_* settings; one worker keeps them light."""
    for name in (
        "RISKPIPE_LANDING",
        "RISKPIPE_WAREHOUSE",
        "RISKPIPE_EXPORTS",
        "RISKPIPE_REPORT",
        "RISKPIPE_MAX_FILE_BYTES",
        "RISKPIPE_BATCH_SIZE",
        "RISKPIPE_LOCK_TIMEOUT",
        "RISKPIPE_DUCKDB_MEMORY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RISKPIPE_WORKERS", "1")
