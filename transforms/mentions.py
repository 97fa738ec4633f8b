"""How many sources name a tool, a recommended action or a pivot role per occupation.

Names are compared case-insensitively after collapsing whitespace and trimming
punctuation at the ends; tool names additionally go through the alias table
``transforms/data/tool_aliases.csv`` ("H2O.ai" and "H2O" are one tool). The
displayed name is the most frequent spelling (ties: alphabetically first), or the
alias table's name for aliased tools.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.config import DATA_DIR
from transforms.normalise import per_combination
from transforms.scales import is_missing

TOOL_ALIASES_PATH = DATA_DIR / "tool_aliases.csv"
TOOL_COUNT_COLUMNS = ["occupation_slug", "tool", "n_sources", "n_mentions"]
ACTION_COUNT_COLUMNS = ["occupation_slug", "action", "n_sources", "n_mentions"]
PIVOT_COUNT_COLUMNS = ["occupation_slug", "role", "n_sources", "n_mentions"]

_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = " \t.,;:!?-–—·•*\"'()[]"


def display_name(text: object) -> str | None:
    """The name as displayed: whitespace collapsed, edge punctuation trimmed."""
    if is_missing(text):
        return None
    cleaned = _SPACES.sub(" ", str(text)).strip(_EDGE_PUNCT)
    return cleaned or None


def name_key(text: str) -> str:
    """Case-insensitive comparison key of a displayed name."""
    return text.casefold()


@lru_cache(maxsize=4)
def _aliases(path: str) -> dict[str, str]:
    table = pd.read_csv(path, dtype=str)
    return {
        name_key(display_name(a) or ""): str(t).strip()
        for a, t in zip(table["alias"], table["tool"], strict=True)
    }


def _count(
    frame: pd.DataFrame | None,
    column: str,
    out_name: str,
    aliases: dict[str, str] | None = None,
) -> pd.DataFrame:
    columns = ["occupation_slug", out_name, "n_sources", "n_mentions"]
    if frame is None or frame.empty:
        return pd.DataFrame(
            {
                "occupation_slug": pd.Series(dtype=object),
                out_name: pd.Series(dtype=object),
                "n_sources": pd.Series(dtype=np.int64),
                "n_mentions": pd.Series(dtype=np.int64),
            }
        )
    df = pd.DataFrame(
        {
            "occupation_slug": frame["occupation_slug"].astype(str).to_numpy(),
            "source": frame["source"].astype(str).to_numpy(),
            "name": per_combination(display_name, frame[column]),
        }
    ).dropna(subset=["name"])
    df["key"] = per_combination(name_key, df["name"])
    if aliases:
        canonical = df["key"].map(aliases)
        df.loc[canonical.notna(), "name"] = canonical[canonical.notna()]
        df["key"] = per_combination(name_key, df["name"])
    spelling = (
        df.groupby(["occupation_slug", "key", "name"])
        .size()
        .reset_index(name="n")
        .sort_values(["occupation_slug", "key", "n", "name"], ascending=[True, True, False, True])
        .drop_duplicates(["occupation_slug", "key"])
        .set_index(["occupation_slug", "key"])["name"]
    )
    out = df.groupby(["occupation_slug", "key"], sort=True).agg(
        n_sources=("source", "nunique"), n_mentions=("source", "size")
    )
    out[out_name] = spelling.reindex(out.index)
    out = out.reset_index()
    out["n_sources"] = out["n_sources"].astype(np.int64)
    out["n_mentions"] = out["n_mentions"].astype(np.int64)
    out = out.sort_values(
        ["occupation_slug", "n_sources", "n_mentions", "key"],
        ascending=[True, False, False, True],
        kind="mergesort",
    ).reset_index(drop=True)
    return out[columns]


def tool_counts(
    tool_mentions: pd.DataFrame | None, *, aliases_path: str | Path | None = None
) -> pd.DataFrame:
    """Tools per occupation: occupation_slug, tool, n_sources, n_mentions.

    Sorted by occupation_slug, then most sources, most mentions, name.
    """
    aliases = _aliases(str(aliases_path or TOOL_ALIASES_PATH))
    return _count(tool_mentions, "tool", "tool", aliases)


def action_counts(recommendations: pd.DataFrame | None) -> pd.DataFrame:
    """Recommended actions per occupation: occupation_slug, action, n_sources, n_mentions."""
    return _count(recommendations, "action", "action")


def pivot_counts(pivots: pd.DataFrame | None) -> pd.DataFrame:
    """Pivot roles per occupation: occupation_slug, role, n_sources, n_mentions."""
    return _count(pivots, "role", "role")
