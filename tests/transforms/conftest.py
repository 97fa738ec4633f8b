"""Fixtures of the transforms tests; the frame builders live in transforms_testdata."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.transforms.transforms_testdata import frame, seed_rows
from transforms.config import ConsensusConfig


@pytest.fixture
def seed_assessments() -> pd.DataFrame:
    """The five captured Machine Learning Engineer pages as an assessments frame."""
    return frame(seed_rows())


@pytest.fixture
def fast_config() -> ConsensusConfig:
    """Fewer bootstrap draws: the same code paths, quicker tests."""
    return ConsensusConfig(bootstrap_draws=200, calibration_draws=50)
