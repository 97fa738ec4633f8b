"""Put every headline score on the canonical risk scale.

``risk_score`` lies in [0, 100]; higher means more AI displacement risk.

* risk polarity:   ``(value - scale_min) / (scale_max - scale_min) * 100``
* safety polarity: ``100 - that``

The product is formed before the division (``(value - scale_min) * 100 / span``)
so that integer scores on integer scales give exact results (4/10 -> 40.0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.scales import POLARITIES, ScaleRegistry, load_registry

NORMALISED_COLUMNS = [
    "risk_score",
    "score_band",
    "label_band",
    "label_conflict",
    "is_latest",
    "scale_expected",
]
"""Columns :func:`normalise_assessments` adds to the assessments frame."""

LABEL_CONFLICT_STEPS = 2
"""A label conflicts with its score when their bands are at least this many steps apart."""


def join_sorted(df: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """Per group of ``keys``: the distinct non-null values of ``column``, sorted, comma-joined."""
    uniq = df[[*keys, column]].dropna().drop_duplicates()
    uniq = uniq.assign(**{column: uniq[column].astype(str)}).sort_values([*keys, column])
    return uniq.groupby(keys, sort=True)[column].agg(",".join)


def risk_score(value: float, scale_min: float, scale_max: float, polarity: str) -> float:
    """One score on the canonical scale.

    Raises ``ValueError`` for an empty or inverted scale, a value outside its own
    scale, a non-finite input or an unknown polarity.
    """
    value, scale_min, scale_max = float(value), float(scale_min), float(scale_max)
    if not all(np.isfinite([value, scale_min, scale_max])):
        raise ValueError("score and scale must be finite numbers")
    if not scale_max > scale_min:
        raise ValueError(f"scale_max ({scale_max}) must exceed scale_min ({scale_min})")
    if not scale_min <= value <= scale_max:
        raise ValueError(f"value {value} lies outside its scale [{scale_min}, {scale_max}]")
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    risk = (value - scale_min) * 100.0 / (scale_max - scale_min)
    return 100.0 - risk if polarity == "safety" else risk


def risk_scores(values, scale_min, scale_max, polarity) -> np.ndarray:
    """Vectorised :func:`risk_score`: arrays (or scalars) broadcast together.

    Invalid rows (bad scale, value outside its scale, unknown polarity, NaN)
    give NaN instead of raising; validate with ``RawAssessmentSchema`` first.
    """
    values = np.asarray(values, dtype=float)
    lo = np.asarray(scale_min, dtype=float)
    hi = np.asarray(scale_max, dtype=float)
    pol = np.asarray(polarity, dtype=object)
    values, lo, hi, pol = np.broadcast_arrays(values, lo, hi, pol)
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        risk = (values - lo) * 100.0 / span
    is_safety = pol == "safety"
    valid = (
        np.isin(pol, POLARITIES) & (span > 0) & (values >= lo) & (values <= hi)
    )  # NaN compares False
    out = np.where(is_safety, 100.0 - risk, risk)
    return np.where(valid, out, np.nan)


def latest_flags(df: pd.DataFrame) -> pd.Series:
    """True on the latest capture of each (source, occupation_slug).

    Latest = greatest ``fetched_at``; captures fetched at the same instant are
    ordered by ``document_id`` and the smallest one wins. Rows without
    ``fetched_at`` rank below every dated capture.
    """
    if df.empty:
        return pd.Series(False, index=df.index, dtype=bool)
    key = pd.DataFrame(
        {
            "source": df["source"].to_numpy(),
            "slug": df["occupation_slug"].to_numpy(),
            "fetched": pd.to_datetime(df["fetched_at"], utc=True).to_numpy(),
            "doc": df["document_id"].astype(str).to_numpy(),
            "pos": np.arange(len(df)),
        }
    )
    key = key.sort_values(
        ["source", "slug", "fetched", "doc"],
        ascending=[True, True, False, True],
        na_position="last",
        kind="mergesort",
    )
    first = ~key.duplicated(["source", "slug"], keep="first")
    flags = np.zeros(len(df), dtype=bool)
    flags[key.loc[first, "pos"].to_numpy()] = True
    return pd.Series(flags, index=df.index, dtype=bool)


def normalise_assessments(df: pd.DataFrame, registry: ScaleRegistry | None = None) -> pd.DataFrame:
    """Add the canonical score and its checks to the assessments frame.

    Added columns: ``risk_score`` (float, [0, 100]), ``score_band`` (band of the
    number), ``label_band`` (band of the label via the registry; None for a
    missing or unknown label), ``label_conflict`` (label band and score band at
    least :data:`LABEL_CONFLICT_STEPS` steps apart; False when the label has no
    band), ``is_latest`` (see :func:`latest_flags`) and ``scale_expected`` (the
    stated scale and polarity match the registry entry of the source).

    The result is sorted by occupation_slug, source, fetched_at, document_id with
    a fresh index, so the same rows in any order give an identical frame.
    """
    registry = registry or load_registry()
    out = df.copy()
    out["fetched_at"] = pd.to_datetime(out["fetched_at"], utc=True)
    out["risk_score"] = risk_scores(
        out["raw_value"].to_numpy(dtype=float),
        out["scale_min"].to_numpy(dtype=float),
        out["scale_max"].to_numpy(dtype=float),
        out["polarity"].to_numpy(dtype=object),
    )
    score_codes = registry.band_codes(out["risk_score"].to_numpy(dtype=float))
    band_names = np.array([*registry.band_names, None], dtype=object)
    out["score_band"] = band_names[score_codes]

    label_band = [
        registry.label_band(str(source), label)
        for source, label in zip(out["source"], out["label"], strict=True)
    ]
    out["label_band"] = pd.Series(label_band, index=out.index, dtype=object)
    label_codes = np.array(
        [-1 if b is None else registry.band_index(b) for b in label_band], dtype=np.int64
    )
    out["label_conflict"] = (
        (label_codes >= 0)
        & (score_codes >= 0)
        & (np.abs(label_codes - score_codes) >= LABEL_CONFLICT_STEPS)
    )
    out["is_latest"] = latest_flags(out)
    out["scale_expected"] = [
        registry.source_scale(str(s)).expects(lo, hi, str(p))
        for s, lo, hi, p in zip(
            out["source"], out["scale_min"], out["scale_max"], out["polarity"], strict=True
        )
    ]
    out["scale_expected"] = out["scale_expected"].astype(bool)
    out = out.sort_values(
        ["occupation_slug", "source", "fetched_at", "document_id"], kind="mergesort"
    )
    return out.reset_index(drop=True)
