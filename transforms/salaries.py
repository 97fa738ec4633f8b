"""Salary consensus per occupation and canonical seniority.

Seniority as written ("Junior", "Mid-level", "Senior MLEs at top companies",
"Staff / Lead") is mapped onto ``entry / mid / senior / lead`` by keywords listed
in ``transforms/data/seniority_map.csv`` (whole words, case-insensitive; when
several keywords match, the lowest ``priority`` number wins, so "Senior Manager"
is ``lead``).

Only annual USD figures enter the consensus; other currencies and periods are
excluded and counted in the exclusions frame. A band is open-ended when
``open_ended`` is true ("$300K+"): its stated top is a floor, not a ceiling, so
its high never enters ``high_median``; it is counted in ``n_open_ended``. A
single figure ("Entry: $100,000", high null and not open-ended) is read as a
band whose low and high are that figure.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.config import DATA_DIR
from transforms.normalise import canonical_titles, join_sorted, per_combination
from transforms.scales import is_missing

SENIORITY_MAP_PATH = DATA_DIR / "seniority_map.csv"
SENIORITY_LEVELS = ("entry", "mid", "senior", "lead")
SALARY_CONSENSUS_COLUMNS = [
    "occupation_slug",
    "occupation",
    "seniority",
    "n_sources",
    "low_median",
    "high_median",
    "n_open_ended",
    "sources",
]
SALARY_EXCLUSION_COLUMNS = ["occupation_slug", "reason", "n_rows"]
EXCLUSION_REASONS = {
    "not_usd": "currency other than USD",
    "not_annual": "period other than annual",
    "unmapped_seniority": "seniority matches no keyword of the seniority map",
    "no_amount": "neither a low nor a high figure",
}


@lru_cache(maxsize=4)
def _load_map(path: str) -> tuple[tuple[int, re.Pattern[str], str], ...]:
    table = pd.read_csv(path, dtype={"keyword": str, "seniority": str})
    unknown = set(table["seniority"]) - set(SENIORITY_LEVELS)
    if unknown:
        raise ValueError(f"{path}: unknown seniority levels {sorted(unknown)}")
    rules = [
        (int(p), re.compile(rf"\b{re.escape(k.strip().casefold())}\b"), s)
        for k, s, p in zip(table["keyword"], table["seniority"], table["priority"], strict=True)
    ]
    return tuple(sorted(rules, key=lambda r: (r[0], r[1].pattern)))


def canonical_seniority(text: object, path: str | Path | None = None) -> str | None:
    """``entry`` / ``mid`` / ``senior`` / ``lead`` for a seniority as written, or None."""
    if is_missing(text):
        return None
    folded = str(text).casefold()
    for _, pattern, level in _load_map(str(path or SENIORITY_MAP_PATH)):
        if pattern.search(folded):
            return level
    return None


def _truthy(value: object) -> bool:
    if is_missing(value):
        return False
    if isinstance(value, str):
        return value.strip().casefold() in {"true", "1", "yes", "t"}
    return bool(value)


def salary_consensus(
    salary_bands: pd.DataFrame | None, *, seniority_map: str | Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median salary band per occupation and canonical seniority.

    ``salary_bands`` is the detail frame joined with ``source, occupation,
    occupation_slug`` (latest capture per source x occupation).

    Each source first contributes the median of its own lows (and highs) for the
    seniority; ``low_median`` / ``high_median`` are medians of those across
    sources. Returns ``(consensus, exclusions)``: consensus has
    :data:`SALARY_CONSENSUS_COLUMNS` sorted by occupation_slug and seniority order
    (entry, mid, senior, lead); exclusions has :data:`SALARY_EXCLUSION_COLUMNS`
    (rows left out, by reason; see :data:`EXCLUSION_REASONS`).
    """
    if salary_bands is None or salary_bands.empty:
        return _empty_consensus(), _empty_exclusions()
    df = salary_bands.copy()
    for col in ("occupation", "currency", "period", "open_ended", "low", "high"):
        if col not in df.columns:
            df[col] = None
    df["occupation_slug"] = df["occupation_slug"].astype(str)
    currency = df["currency"].astype("string").str.strip().str.upper()
    period = df["period"].astype("string").str.strip().str.casefold()
    df["level"] = per_combination(lambda s: canonical_seniority(s, seniority_map), df["seniority"])
    df["low"] = pd.to_numeric(df["low"], errors="coerce")
    df["high"] = pd.to_numeric(df["high"], errors="coerce")
    df["open"] = per_combination(_truthy, df["open_ended"]).astype(bool)

    reason = pd.Series(None, index=df.index, dtype=object)
    reason[(currency != "USD").fillna(True)] = "not_usd"
    reason[reason.isna() & (period != "annual").fillna(True)] = "not_annual"
    reason[reason.isna() & df["level"].isna()] = "unmapped_seniority"
    reason[reason.isna() & df["low"].isna() & df["high"].isna() & ~df["open"]] = "no_amount"
    exclusions = (
        pd.DataFrame({"occupation_slug": df["occupation_slug"], "reason": reason})
        .dropna(subset=["reason"])
        .groupby(["occupation_slug", "reason"], sort=True)
        .size()
        .reset_index(name="n_rows")
    )
    exclusions["n_rows"] = exclusions["n_rows"].astype(np.int64)

    kept = df.loc[reason.isna()].copy()
    if kept.empty:
        return _empty_consensus(), exclusions[SALARY_EXCLUSION_COLUMNS]
    point = kept["high"].isna() & ~kept["open"]
    kept.loc[point, "high"] = kept.loc[point, "low"]
    kept.loc[kept["open"], "high"] = np.nan

    keys = ["occupation_slug", "level"]
    per_source = kept.groupby([*keys, "source"], sort=True).agg(
        low=("low", "median"), high=("high", "median")
    )
    out = per_source.groupby(level=[0, 1], sort=True).agg(
        low_median=("low", "median"), high_median=("high", "median")
    )
    out["n_sources"] = kept.groupby(keys)["source"].nunique().astype(np.int64)
    out["n_open_ended"] = kept.groupby(keys)["open"].sum().astype(np.int64)
    out["sources"] = join_sorted(kept, keys, "source")
    out = out.reset_index().rename(columns={"level": "seniority"})
    titles = canonical_titles(kept)
    out["occupation"] = out["occupation_slug"].map(titles)
    out["_order"] = out["seniority"].map({s: i for i, s in enumerate(SENIORITY_LEVELS)})
    out = out.sort_values(["occupation_slug", "_order"], kind="mergesort").reset_index(drop=True)
    return out[SALARY_CONSENSUS_COLUMNS], exclusions[SALARY_EXCLUSION_COLUMNS]


def _empty_consensus() -> pd.DataFrame:
    ints = {"n_sources", "n_open_ended"}
    floats = {"low_median", "high_median"}
    return pd.DataFrame(
        {
            c: pd.Series(dtype=np.int64 if c in ints else float if c in floats else object)
            for c in SALARY_CONSENSUS_COLUMNS
        }
    )


def _empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occupation_slug": pd.Series(dtype=object),
            "reason": pd.Series(dtype=object),
            "n_rows": pd.Series(dtype=np.int64),
        }
    )
