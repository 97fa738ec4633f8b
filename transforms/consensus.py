"""Consensus risk profile per occupation across sources.

Only the latest capture of each (source, occupation) enters the statistics; older
captures count in ``n_documents`` and in the first/last fetch times. Everything is
computed on the canonical ``risk_score`` (see :mod:`transforms.normalise`), and
the output is sorted (profiles by occupation_slug; source rows by occupation_slug,
source), so the same rows in any order give identical frames.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.calibration import Calibration, calibrate_occupations, fit_calibration
from transforms.config import ConsensusConfig
from transforms.normalise import canonical_titles, join_sorted, normalise_assessments
from transforms.scales import ScaleRegistry, load_registry

METHOD_VERSION = "consensus-1.0"
"""Bumped whenever a statistic's definition changes; see docs/methodology.md."""

OK = "ok"
INSUFFICIENT = "insufficient_sources"

PROFILE_COLUMNS = [
    "occupation",
    "occupation_slug",
    "n_sources",
    "n_documents",
    "risk_median",
    "risk_mean",
    "risk_trimmed_mean",
    "risk_weighted_mean",
    "risk_stdev",
    "risk_mad",
    "risk_iqr",
    "risk_min",
    "risk_min_sources",
    "risk_max",
    "risk_max_sources",
    "ci_low",
    "ci_high",
    "agreement",
    "band",
    "band_label",
    "status",
    "risk_calibrated",
    "calibrated_ci_low",
    "calibrated_ci_high",
    "calibration_status",
    "first_fetched_at",
    "last_fetched_at",
    "sources",
    "label_conflicts",
    "method_version",
]

SOURCE_SCORE_COLUMNS = [
    "occupation_slug",
    "occupation",
    "source",
    "document_id",
    "raw_score",
    "raw_value",
    "scale_max",
    "polarity",
    "risk_score",
    "label",
    "fetched_at",
    "url",
    "score_snippet",
    "offset_from_median",
    "calibrated_score",
]

# Statistics kept on an insufficient_sources row; the others are set to null there.
_KEPT_WHEN_INSUFFICIENT = {
    "occupation",
    "occupation_slug",
    "n_sources",
    "n_documents",
    "risk_median",
    "risk_min",
    "risk_min_sources",
    "risk_max",
    "risk_max_sources",
    "status",
    "calibration_status",
    "first_fetched_at",
    "last_fetched_at",
    "sources",
    "label_conflicts",
    "method_version",
}

_TIE_TOLERANCE = 1e-9  # scores closer than this share the min / max


@lru_cache(maxsize=8)
def _read_weights(path: str) -> tuple[tuple[tuple[str, float], ...], float]:
    table = pd.read_csv(path, dtype={"source": str}, comment="#")
    if table["weight"].lt(0).any() or not np.isfinite(table["weight"]).all():
        raise ValueError(f"{path}: weights must be finite and >= 0")
    weights = {
        str(s).strip(): float(w) for s, w in zip(table["source"], table["weight"], strict=True)
    }
    default = weights.pop("default", 1.0)
    return tuple(sorted(weights.items())), default


def source_weights(path: str | Path) -> tuple[dict[str, float], float]:
    """Weights per source and the default weight of unlisted sources."""
    weights, default = _read_weights(str(path))
    return dict(weights), default


def method_version(registry: ScaleRegistry) -> str:
    """Version stamp of the published consensus: method and scale registry."""
    return f"{METHOD_VERSION}+scales-{registry.version}"


def agreement_of(iqr: np.ndarray, spread: np.ndarray, config: ConsensusConfig) -> np.ndarray:
    """``agree`` / ``mixed`` / ``divergent`` from IQR and range (NaN -> None)."""
    iqr = np.asarray(iqr, dtype=float)
    spread = np.asarray(spread, dtype=float)
    out = np.full(iqr.shape, "mixed", dtype=object)
    agree = (iqr <= config.agree_max_iqr) & (spread <= config.agree_max_range)
    divergent = (iqr > config.divergent_min_iqr) | (spread > config.divergent_min_range)
    out[agree] = "agree"
    out[divergent] = "divergent"
    out[np.isnan(iqr) | np.isnan(spread)] = None
    return out


def _block_stats(vals: np.ndarray, config: ConsensusConfig) -> dict[str, np.ndarray]:
    """Statistics of G occupations with n sources each; ``vals`` (G, n) sorted by row."""
    g, n = vals.shape
    nan = np.full(g, np.nan)
    median = np.median(vals, axis=1)
    q25, q75 = np.percentile(vals, [25, 75], axis=1)
    k = int(np.floor(config.trim_share * n))
    stats = {
        "risk_median": median,
        "risk_mean": vals.mean(axis=1),
        "risk_trimmed_mean": vals[:, k : n - k].mean(axis=1) if n >= config.trim_min_n else nan,
        "risk_stdev": vals.std(axis=1, ddof=1) if n >= 2 else nan,
        "risk_mad": np.median(np.abs(vals - median[:, None]), axis=1),
        "risk_iqr": q75 - q25,
        "risk_min": vals[:, 0],
        "risk_max": vals[:, -1],
        "ci_low": nan,
        "ci_high": nan,
    }
    if n >= 2:
        stats["ci_low"], stats["ci_high"] = _bootstrap_median_ci(vals, config)
    return stats


def _bootstrap_median_ci(
    vals: np.ndarray, config: ConsensusConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of the median for G occupations with n scores each.

    ``vals`` (G, n) is sorted along each row, so the k-th smallest value of a
    resample is ``vals[:, k-th smallest resampled index]``: the medians of all
    draws for all G occupations are one gather, without sorting any resample.
    The resampling indices depend only on (seed, n): an occupation's interval is
    a function of its own scores, whatever else is in the input.
    """
    n = vals.shape[1]
    idx = np.random.default_rng([config.seed, n]).integers(0, n, size=(config.bootstrap_draws, n))
    idx.sort(axis=1)
    lo, hi = idx[:, (n - 1) // 2], idx[:, n // 2]
    medians = (vals[:, lo] + vals[:, hi]) / 2.0  # (G, draws)
    alpha = (1.0 - config.ci_level) / 2.0
    low, high = np.quantile(medians, [alpha, 1.0 - alpha], axis=1)
    return low, high


def _joined_sources(rows: pd.DataFrame, target: pd.Series) -> pd.Series:
    """Comma-joined sorted sources whose score equals the per-occupation target."""
    hit = (rows["risk_score"] - rows["occupation_slug"].map(target)).abs() <= _TIE_TOLERANCE
    return join_sorted(rows.loc[hit], ["occupation_slug"], "source")


def _empty_profiles() -> pd.DataFrame:
    dtypes = {
        "n_sources": np.int64,
        "n_documents": np.int64,
        "label_conflicts": np.int64,
        "first_fetched_at": "datetime64[ns, UTC]",
        "last_fetched_at": "datetime64[ns, UTC]",
    }
    text = {
        "occupation",
        "occupation_slug",
        "risk_min_sources",
        "risk_max_sources",
        "agreement",
        "band",
        "band_label",
        "status",
        "calibration_status",
        "sources",
        "method_version",
    }
    return pd.DataFrame(
        {c: pd.Series(dtype=dtypes.get(c, object if c in text else float)) for c in PROFILE_COLUMNS}
    )


def _empty_source_scores() -> pd.DataFrame:
    floats = {"raw_value", "scale_max", "risk_score", "offset_from_median", "calibrated_score"}
    return pd.DataFrame(
        {
            c: pd.Series(
                dtype="datetime64[ns, UTC]"
                if c == "fetched_at"
                else float
                if c in floats
                else object
            )
            for c in SOURCE_SCORE_COLUMNS
        }
    )


def consensus_profiles(
    assessments_normalised: pd.DataFrame,
    config: ConsensusConfig | None = None,
    *,
    calibration: Calibration | None = None,
    registry: ScaleRegistry | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Consensus profile per occupation and the per-source breakdown behind it.

    ``assessments_normalised`` is the output of
    :func:`transforms.normalise.normalise_assessments` (a raw assessments frame is
    normalised first). ``calibration`` defaults to a fresh
    :func:`transforms.calibration.fit_calibration` on the same frame.

    Returns ``(profiles, source_scores)`` with columns :data:`PROFILE_COLUMNS`
    (sorted by occupation_slug) and :data:`SOURCE_SCORE_COLUMNS` (sorted by
    occupation_slug, source).
    """
    config = config or ConsensusConfig()
    registry = registry or load_registry(config.scale_registry_path)
    df = assessments_normalised
    if not {"risk_score", "is_latest"} <= set(df.columns):
        df = normalise_assessments(df, registry)
    if df.empty:
        return _empty_profiles(), _empty_source_scores()
    fetched = pd.to_datetime(df["fetched_at"], utc=True)

    is_latest = df["is_latest"].astype(bool) & np.isfinite(df["risk_score"].astype(float))
    latest = df.loc[is_latest].assign(fetched_at=fetched[is_latest])
    latest = latest.sort_values(["occupation_slug", "source"], kind="mergesort")
    if latest.empty:
        return _empty_profiles(), _empty_source_scores()
    if latest.duplicated(["occupation_slug", "source"]).any():
        raise ValueError("more than one latest capture per (source, occupation_slug)")
    calibration = calibration if calibration is not None else fit_calibration(df, config)

    sizes = latest.groupby("occupation_slug", sort=True).size()
    slugs = sizes.index.to_numpy()
    prof = pd.DataFrame({"occupation_slug": slugs, "n_sources": sizes.to_numpy(np.int64)})

    # Order statistics and bootstrap, one block per group size.
    stat_names = [
        "risk_median",
        "risk_mean",
        "risk_trimmed_mean",
        "risk_stdev",
        "risk_mad",
        "risk_iqr",
        "risk_min",
        "risk_max",
        "ci_low",
        "ci_high",
    ]
    for name in stat_names:
        prof[name] = np.nan
    by_value = latest.sort_values(["occupation_slug", "risk_score"], kind="mergesort")
    n_of_row = by_value["occupation_slug"].map(sizes).to_numpy()
    values = by_value["risk_score"].to_numpy(dtype=float)
    for n in np.unique(sizes.to_numpy()):
        block = values[n_of_row == n].reshape(-1, n)
        where = np.flatnonzero(sizes.to_numpy() == n)  # slugs sorted in both
        for name, arr in _block_stats(block, config).items():
            prof.loc[where, name] = arr

    # Weighted mean with the source weights file.
    weights, default_weight = source_weights(config.source_weights_path)
    w = latest["source"].map(weights).fillna(default_weight).to_numpy(dtype=float)
    sums = (
        pd.DataFrame({"slug": latest["occupation_slug"], "wx": w * latest["risk_score"], "w": w})
        .groupby("slug", sort=True)[["wx", "w"]]
        .sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        prof["risk_weighted_mean"] = (sums["wx"] / sums["w"]).where(sums["w"] > 0).to_numpy()

    prof = prof.set_index("occupation_slug", drop=False)
    prof["risk_min_sources"] = _joined_sources(latest, prof["risk_min"])
    prof["risk_max_sources"] = _joined_sources(latest, prof["risk_max"])
    prof["sources"] = join_sorted(latest, ["occupation_slug"], "source")
    prof["occupation"] = canonical_titles(latest)
    prof["label_conflicts"] = (
        latest.groupby("occupation_slug", sort=True)["label_conflict"].sum().astype(np.int64)
        if "label_conflict" in latest.columns
        else 0
    )
    profiled = df["occupation_slug"].isin(slugs)
    every = fetched[profiled].groupby(df.loc[profiled, "occupation_slug"], sort=True)
    prof["n_documents"] = every.size().astype(np.int64)
    prof["first_fetched_at"] = every.min()
    prof["last_fetched_at"] = every.max()
    prof = prof.reset_index(drop=True)

    prof["agreement"] = agreement_of(
        np.where(prof["n_sources"] >= 2, prof["risk_iqr"], np.nan),
        (prof["risk_max"] - prof["risk_min"]).to_numpy(),
        config,
    )
    prof["band"] = registry.bands_of(prof["risk_median"].to_numpy())
    prof["band_label"] = [registry.band_label(b) for b in prof["band"]]
    insufficient = prof["n_sources"] < config.min_sources
    prof["status"] = np.where(insufficient, INSUFFICIENT, OK)

    cal, calibrated_score = calibrate_occupations(latest, calibration, config)
    prof = prof.merge(cal, on="occupation_slug", how="left", validate="one_to_one")
    prof["method_version"] = method_version(registry)

    for col in PROFILE_COLUMNS:
        if col not in _KEPT_WHEN_INSUFFICIENT:
            prof.loc[insufficient, col] = None if prof[col].dtype == object else np.nan
    prof.loc[insufficient, "calibration_status"] = (
        f"skipped: {INSUFFICIENT} (n_sources < {config.min_sources})"
    )
    profiles = prof[PROFILE_COLUMNS].sort_values("occupation_slug").reset_index(drop=True)

    scores = latest.assign(
        occupation=latest["occupation_slug"].map(prof.set_index("occupation_slug")["occupation"]),
        offset_from_median=latest["risk_score"]
        - latest["occupation_slug"].map(prof.set_index("occupation_slug")["risk_median"]),
        calibrated_score=calibrated_score,
    )
    for col in ("url", "label", "score_snippet", "raw_score"):
        if col not in scores.columns:
            scores[col] = None
    source_scores = (
        scores[SOURCE_SCORE_COLUMNS]
        .sort_values(["occupation_slug", "source"], kind="mergesort")
        .reset_index(drop=True)
    )
    return profiles, source_scores
