"""Task consensus: the same task named differently by different sites.

Within each occupation, task names from ``task_automation`` (tasks with a
"% automatable" figure) and ``task_mentions`` (tasks called at risk / staying
human) are clustered into canonical tasks:

1. names are normalised (case-folded, punctuation removed, "&" read as "and",
   filler words such as "automated"/"the"/"of" dropped);
2. the similarity of two names is the mean of rapidfuzz ``token_set_ratio`` and
   ``token_sort_ratio`` on the normalised text (0..100). ``token_set_ratio``
   alone scores 100 whenever one name's words are a subset of the other's
   ("Feature engineering" vs "Exploratory data analysis and feature
   engineering"); averaging with ``token_sort_ratio`` penalises the unmatched words;
3. names are merged by complete-linkage agglomeration: two groups merge only when
   *every* pair of names across them scores >= :data:`TASK_MATCH_THRESHOLD`, so a
   compound task cannot chain two distinct tasks together.

With the threshold at 88, near-identical phrasing merges ("Hyperparameter tuning"
/ "Automated Hyperparameter Tuning" score 100, "Writing documentation" / "Write
documentation" 90), while "Model selection and hyperparameter tuning" stays apart
from "Automated Hyperparameter Tuning" (83.9) and from "Automated Model
Selection" (76.8): the compound task covers two activities and merging it with
either would misattribute its "% automatable" figure.

The mapping is published as ``task_map`` so analysts can review every merge.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from transforms.normalise import (
    canonical_titles,
    combination_codes,
    group_starts,
    join_sorted,
    per_combination,
)
from transforms.scales import is_missing

TASK_MATCH_THRESHOLD = 88.0
"""Minimum similarity (0..100) for two task names to share a canonical task."""

FILLER_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "with",
        "via",
        "automated",
        "automatic",
        "automatically",
        "automation",
        "automating",
    }
)
"""Words ignored when comparing task names (they do not change which task is meant)."""

TASK_MAP_COLUMNS = ["occupation_slug", "task_raw", "canonical_task", "similarity"]
TASK_CONSENSUS_COLUMNS = [
    "occupation_slug",
    "occupation",
    "canonical_task",
    "n_sources",
    "n_mentions",
    "pct_automatable_mean",
    "pct_automatable_median",
    "n_sources_at_risk",
    "n_sources_human",
    "sources",
]

_NON_WORD = re.compile(r"[^0-9a-z]+")
_LEADING_ORDINAL = re.compile(r"^\s*(?:\d{1,3}[.)]?|[-*•·])\s+")
_SPACES = re.compile(r"\s+")
_KEY = re.compile(r"(?:[0-9a-z]+(?: [0-9a-z]+)*)?")  # what normalise_task returns


def clean_task(text: object) -> str | None:
    """The task name as displayed: whitespace collapsed, leading "01." removed."""
    if is_missing(text):
        return None
    cleaned = _SPACES.sub(" ", _LEADING_ORDINAL.sub("", str(text))).strip(" :-–—")
    return cleaned or None


def normalise_task(text: str) -> str:
    """Comparison key of a task name (see module docstring)."""
    words = _NON_WORD.sub(" ", text.casefold().replace("&", " and ")).split()
    kept = [w for w in words if w not in FILLER_WORDS]
    return " ".join(kept or words)


def task_similarity(a: str, b: str) -> float:
    """Similarity of two task names, 0..100 (mean of token_set and token_sort ratios)."""
    na, nb = normalise_task(a), normalise_task(b)
    return (fuzz.token_set_ratio(na, nb) + fuzz.token_sort_ratio(na, nb)) / 2.0


def _similarity_matrix(keys: list[str], threshold: float | None = None) -> np.ndarray:
    """Similarity of every pair of keys (rows and columns in the order of ``keys``).

    With a ``threshold``, only the pairs that can reach it are scored exactly: the
    mean of the two ratios is at most ``(token_sort_ratio + 100) / 2``, so the
    costlier ``token_set_ratio`` is computed only where that bound reaches the
    threshold, and every other pair holds the bound (below the threshold, like its
    true score). The diagonal is then not scored either.
    """
    if all(_KEY.fullmatch(k) for k in keys):
        # token_sort_ratio is the plain ratio of the words in sorted order; sorting
        # each key once instead of once per pair is much faster, with equal scores.
        words = [" ".join(sorted(k.split(" "))) for k in keys]
        sort_r = process.cdist(words, words, scorer=fuzz.ratio, dtype=np.float64)
    else:
        sort_r = process.cdist(keys, keys, scorer=fuzz.token_sort_ratio, dtype=np.float64)
    if threshold is None:
        set_r = process.cdist(keys, keys, scorer=fuzz.token_set_ratio, dtype=np.float64)
        return (set_r + sort_r) / 2.0
    sim = (sort_r + 100.0) / 2.0
    reach = sim >= threshold
    np.fill_diagonal(reach, False)
    rows, cols = np.nonzero(reach)
    if rows.size:
        set_r = process.cpdist(
            [keys[i] for i in rows],
            [keys[j] for j in cols],
            scorer=fuzz.token_set_ratio,
            dtype=np.float64,
        )
        sim[rows, cols] = (set_r + sort_r[rows, cols]) / 2.0
    return sim


def cluster_keys(keys: list[str], threshold: float = TASK_MATCH_THRESHOLD) -> list[int]:
    """Complete-linkage clusters of normalised keys; returns a cluster id per key.

    Deterministic: keys are processed in the given order and ties go to the
    lowest indices. Cluster ids are the index of each cluster's first key.
    """
    k = len(keys)
    if k == 0:
        return []
    if k == 1:
        return [0]
    # Scores below the threshold never merge anything (a complete-linkage score is
    # the minimum over pairs), so only the scores that reach it need to be exact.
    link = _similarity_matrix(keys, None if np.isnan(threshold) else threshold)
    np.fill_diagonal(link, -np.inf)
    label = np.arange(k)
    while True:
        flat = int(np.argmax(link))
        i, j = divmod(flat, k)
        if link[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        merged = np.minimum(link[i], link[j])  # complete linkage: worst pair decides
        link[i, :] = merged
        link[:, i] = merged
        link[i, i] = -np.inf
        link[j, :] = -np.inf
        link[:, j] = -np.inf
        label[label == j] = i
    return label.tolist()


def _frame(df: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    cols = ["occupation_slug", "occupation", "source", "document_id", "task"]
    extra = ["pct_automatable"] if kind == "automation" else ["stance"]
    if df is None or df.empty:
        return pd.DataFrame(columns=[*cols, *extra, "kind"])
    out = df[[c for c in [*cols, *extra] if c in df.columns]].astype(object)
    out = out.where(out.notna(), None)
    for c in [*cols, *extra]:
        if c not in out.columns:
            out[c] = None
    out["kind"] = kind
    return out


def task_consensus(
    task_automation: pd.DataFrame | None,
    task_mentions: pd.DataFrame | None,
    *,
    threshold: float = TASK_MATCH_THRESHOLD,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster task names per occupation and summarise each canonical task.

    Inputs are the detail frames joined with ``source, occupation,
    occupation_slug`` (latest capture per source x occupation).

    Returns ``(task_map, task_consensus)``:

    * ``task_map`` (:data:`TASK_MAP_COLUMNS`): one row per distinct task name per
      occupation, its canonical task and their similarity; sorted by
      occupation_slug, canonical_task, task_raw.
    * ``task_consensus`` (:data:`TASK_CONSENSUS_COLUMNS`): ``pct_automatable_*``
      first average each source's figures for the task, then take the mean /
      median across sources (null when no source gives a figure);
      ``n_sources_at_risk`` / ``n_sources_human`` count sources whose task
      mentions take that stance. Sorted by occupation_slug, n_sources
      (descending), canonical_task.
    """
    rows = pd.concat(
        [_frame(task_automation, "automation"), _frame(task_mentions, "mention")],
        ignore_index=True,
    )
    rows["task_raw"] = per_combination(clean_task, rows["task"])
    rows = rows.loc[rows["task_raw"].notna()].copy()
    if rows.empty:
        return _empty_map(), _empty_consensus()
    rows["key"] = per_combination(normalise_task, rows["task_raw"])
    rows["occupation_slug"] = rows["occupation_slug"].astype(str)

    # Cluster the distinct keys of each occupation, in sorted order.
    codes, first = combination_codes(rows["occupation_slug"], rows["key"])
    pairs = pd.DataFrame(
        {
            "slug": rows["occupation_slug"].to_numpy()[first],
            "key": rows["key"].to_numpy()[first],
            "code": np.arange(len(first)),
        }
    ).sort_values(["slug", "key"], kind="mergesort")
    starts = np.flatnonzero(group_starts(pairs[["slug"]]))
    ends = [*starts[1:].tolist(), len(pairs)]
    keys_sorted = pairs["key"].tolist()
    labels = np.empty(len(pairs), dtype=np.int64)
    for a, b in zip(starts.tolist(), ends, strict=True):
        labels[a:b] = cluster_keys(keys_sorted[a:b], threshold)
    cluster_of = np.empty(len(pairs), dtype=np.int64)
    cluster_of[pairs["code"].to_numpy()] = labels
    rows["cluster"] = cluster_of[codes]
    # Canonical name: most mentioned variant; then most sources, shortest, alphabetical.
    variants = (
        rows.groupby(["occupation_slug", "cluster", "task_raw"], sort=True)
        .agg(n=("task_raw", "size"), s=("source", "nunique"))
        .reset_index()
    )
    variants["length"] = variants["task_raw"].str.len()
    variants = variants.sort_values(
        ["occupation_slug", "cluster", "n", "s", "length", "task_raw"],
        ascending=[True, True, False, False, True, True],
        kind="mergesort",
    ).drop_duplicates(["occupation_slug", "cluster"])
    canonical = variants.set_index(["occupation_slug", "cluster"])["task_raw"]
    rows["canonical_task"] = canonical.reindex(
        pd.MultiIndex.from_frame(rows[["occupation_slug", "cluster"]])
    ).to_numpy()

    task_map = rows[["occupation_slug", "task_raw", "canonical_task"]].drop_duplicates()
    task_map["similarity"] = [
        100.0 if a == b else task_similarity(a, b)
        for a, b in zip(task_map["task_raw"], task_map["canonical_task"], strict=True)
    ]
    task_map = task_map.sort_values(
        ["occupation_slug", "canonical_task", "task_raw"], kind="mergesort"
    ).reset_index(drop=True)[TASK_MAP_COLUMNS]

    titles = canonical_titles(rows)
    keys = ["occupation_slug", "canonical_task"]
    base = rows.groupby(keys, sort=True).agg(
        n_sources=("source", "nunique"),
        n_mentions=("task_raw", "size"),
    )
    base["sources"] = join_sorted(rows, keys, "source")
    auto = rows.loc[(rows["kind"] == "automation")].copy()
    auto["pct_automatable"] = pd.to_numeric(auto["pct_automatable"], errors="coerce")
    per_source = (
        auto.dropna(subset=["pct_automatable"]).groupby([*keys, "source"])["pct_automatable"].mean()
    )
    pct = per_source.groupby(level=[0, 1]).agg(["mean", "median"])
    pct.columns = ["pct_automatable_mean", "pct_automatable_median"]
    mentions = rows.loc[rows["kind"] == "mention"]
    at_risk = mentions.loc[mentions["stance"] == "at_risk"].groupby(keys)["source"].nunique()
    human = mentions.loc[mentions["stance"] == "human"].groupby(keys)["source"].nunique()

    out = base.join(pct, how="left")
    out["n_sources_at_risk"] = at_risk.reindex(out.index).fillna(0).astype(np.int64)
    out["n_sources_human"] = human.reindex(out.index).fillna(0).astype(np.int64)
    out = out.reset_index()
    out["occupation"] = out["occupation_slug"].map(titles)
    out["n_sources"] = out["n_sources"].astype(np.int64)
    out["n_mentions"] = out["n_mentions"].astype(np.int64)
    out = out.sort_values(
        ["occupation_slug", "n_sources", "canonical_task"],
        ascending=[True, False, True],
        kind="mergesort",
    ).reset_index(drop=True)
    return task_map, out[TASK_CONSENSUS_COLUMNS]


def _empty_map() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occupation_slug": pd.Series(dtype=object),
            "task_raw": pd.Series(dtype=object),
            "canonical_task": pd.Series(dtype=object),
            "similarity": pd.Series(dtype=float),
        }
    )


def _empty_consensus() -> pd.DataFrame:
    ints = {"n_sources", "n_mentions", "n_sources_at_risk", "n_sources_human"}
    floats = {"pct_automatable_mean", "pct_automatable_median"}
    return pd.DataFrame(
        {
            c: pd.Series(dtype=np.int64 if c in ints else float if c in floats else object)
            for c in TASK_CONSENSUS_COLUMNS
        }
    )
