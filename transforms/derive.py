"""All derived tables of one warehouse state: consensus, calibration, tasks, salaries, counts.

A pure function of the assessments (all captures, with ``is_latest``) and the
detail rows of the latest captures; the warehouse rebuilds its derived tables
from this on every run, so they can never drift from the data behind them.
"""

from __future__ import annotations

import pandas as pd

from transforms.calibration import fit_calibration
from transforms.config import ConsensusConfig
from transforms.consensus import consensus_profiles, method_version
from transforms.mentions import action_counts, pivot_counts, tool_counts
from transforms.normalise import normalise_assessments
from transforms.salaries import salary_consensus
from transforms.scales import load_registry
from transforms.tasks import task_consensus

# Bump when the set or shape of derived tables changes.
DERIVE_VERSION = "derive-2"  # 2: latest-capture ties broken as in the views

ASSESSMENT_INPUTS: tuple[str, ...] = (
    "document_id",
    "source",
    "occupation",
    "occupation_slug",
    "raw_score",
    "raw_value",
    "scale_min",
    "scale_max",
    "polarity",
    "label",
    "url",
    "fetched_at",
    "score_snippet",
)
"""The columns of the assessments frame that :func:`derive_tables` reads.

``is_latest`` and the normalised columns are recomputed, so they need not be
passed; other columns are ignored. Keep this in step with the transforms.
"""

DETAIL_INPUTS: dict[str, tuple[str, ...]] = {
    "task_automation": (
        "occupation_slug",
        "occupation",
        "source",
        "document_id",
        "task",
        "pct_automatable",
    ),
    "task_mentions": ("occupation_slug", "occupation", "source", "document_id", "task", "stance"),
    "salary_bands": (
        "occupation_slug",
        "occupation",
        "source",
        "seniority",
        "low",
        "high",
        "open_ended",
        "currency",
        "period",
    ),
    "recommendations": ("occupation_slug", "source", "action"),
    "tool_mentions": ("occupation_slug", "source", "tool"),
    "pivots": ("occupation_slug", "source", "role"),
}
"""Detail kind -> the columns :func:`derive_tables` reads; kinds not listed are not read."""


def derived_version(config: ConsensusConfig | None = None) -> str:
    """Stamp of the code and data that build the derived tables; a new stamp forces a rebuild."""
    config = config or ConsensusConfig()
    return f"{DERIVE_VERSION}+{method_version(load_registry(config.scale_registry_path))}"


def derive_tables(
    assessments: pd.DataFrame,
    details: dict[str, pd.DataFrame],
    config: ConsensusConfig | None = None,
) -> dict[str, pd.DataFrame]:
    """Derived table name -> frame (names match ``warehouse.schema.DERIVED_TABLES``).

    Reads only :data:`ASSESSMENT_INPUTS` of ``assessments`` and :data:`DETAIL_INPUTS`
    of ``details``; the frames may hold more columns.
    """
    config = config or ConsensusConfig()
    normalised = normalise_assessments(assessments)
    calibration = fit_calibration(normalised, config)
    profiles, source_scores = consensus_profiles(normalised, config, calibration=calibration)
    task_map, tasks = task_consensus(details.get("task_automation"), details.get("task_mentions"))
    salaries, _ = salary_consensus(details.get("salary_bands"))
    return {
        "consensus_profiles": profiles,
        "source_scores": source_scores,
        "source_bias": calibration.source_bias,
        "task_consensus": tasks,
        "task_map": task_map,
        "salary_consensus": salaries,
        "tool_counts": tool_counts(details.get("tool_mentions")),
        "action_counts": action_counts(details.get("recommendations")),
        "pivot_counts": pivot_counts(details.get("pivots")),
    }
