"""Settings of the consensus, calibration and clustering steps.

Every statistic the pipeline publishes is a function of the input frames and one
:class:`ConsensusConfig`; the same input and the same config give identical output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class ConsensusConfig:
    """Parameters of :func:`transforms.consensus.consensus_profiles` and friends.

    Agreement is judged on the spread of the latest per-source risk scores of one
    occupation (see ``docs/methodology.md``):

    * ``agree`` when IQR <= ``agree_max_iqr`` and range <= ``agree_max_range``;
    * ``divergent`` when IQR > ``divergent_min_iqr`` or range > ``divergent_min_range``;
    * ``mixed`` otherwise.
    """

    min_sources: int = 2
    """Sources an occupation needs for a full consensus (status ``ok``)."""
    min_overlap: int = 3
    """Occupations a source must share with other sources before its offset is fitted."""
    bootstrap_draws: int = 2000
    """Bootstrap resamples for the confidence interval of the median."""
    calibration_draws: int = 300
    """Bootstrap resamples (over occupations) for the source-offset intervals."""
    ci_level: float = 0.9
    """Coverage of the bootstrap intervals (percentile method)."""
    seed: int = 20_260_401
    """Seed of every random draw; the same seed gives the same intervals."""
    trim_share: float = 0.2
    """Share cut from each end for ``risk_trimmed_mean`` (only when n >= ``trim_min_n``)."""
    trim_min_n: int = 5
    agree_max_iqr: float = 10.0
    agree_max_range: float = 30.0
    divergent_min_iqr: float = 20.0
    divergent_min_range: float = 50.0
    calibration_max_iter: int = 200
    """Most sweeps of the median polish, and again of the Huber refinement."""
    calibration_tol: float = 1e-4
    """The fit stops once no sweep moves any effect by more than this (risk points)."""
    calibration_draw_tol: float = 1e-2
    """The same for the bootstrap refits (started from the fit, reported to 0.1 points)."""
    source_weights_path: Path = DATA_DIR / "source_weights.csv"
    scale_registry_path: Path = DATA_DIR / "scale_registry.toml"

    def __post_init__(self) -> None:
        if self.min_sources < 1:
            raise ValueError("min_sources must be >= 1")
        if self.min_overlap < 1:
            raise ValueError("min_overlap must be >= 1")
        if self.bootstrap_draws < 1 or self.calibration_draws < 1:
            raise ValueError("bootstrap draws must be >= 1")
        if not 0.0 < self.ci_level < 1.0:
            raise ValueError("ci_level must lie strictly between 0 and 1")
        if not 0.0 <= self.trim_share < 0.5:
            raise ValueError("trim_share must lie in [0, 0.5)")
        if self.agree_max_iqr > self.divergent_min_iqr:
            raise ValueError("agree_max_iqr must not exceed divergent_min_iqr")
        if self.agree_max_range > self.divergent_min_range:
            raise ValueError("agree_max_range must not exceed divergent_min_range")
