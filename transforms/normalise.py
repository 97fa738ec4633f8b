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
import pyarrow as pa
import pyarrow.compute as pc

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
    if uniq.empty:
        return (
            uniq.assign(**{column: uniq[column].astype(str)})
            .groupby(keys, sort=True)[column]
            .agg(",".join)
        )
    values = uniq[column].astype(str)
    key_codes = [sort_codes(uniq[k]) for k in keys]
    order = np.lexsort([sort_codes(values), *reversed(key_codes)])
    # Sorted by the keys, each group is one run of rows: join the runs.
    first = np.zeros(len(order), dtype=bool)
    first[0] = True
    for codes in key_codes:
        ordered = codes[order]
        first[1:] |= ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    ends = [*starts[1:].tolist(), len(order)]
    sorted_values = values.to_numpy()[order].tolist()
    joined = [",".join(sorted_values[a:b]) for a, b in zip(starts.tolist(), ends, strict=True)]
    firsts = uniq[keys].iloc[order[starts]]
    index = (
        pd.Index(firsts[keys[0]], name=keys[0])
        if len(keys) == 1
        else pd.MultiIndex.from_frame(firsts)
    )
    return pd.Series(joined, index=index, name=column, dtype=object)


def canonical_titles(frame: pd.DataFrame) -> pd.Series:
    """Per ``occupation_slug``, the most frequent non-null ``occupation`` title (ties go to
    the alphabetically first): the one name shown for an occupation in derived tables."""
    counts = (
        frame.groupby(["occupation_slug", "occupation"], sort=True).size().reset_index(name="n")
    )
    counts = counts.sort_values(
        ["occupation_slug", "n", "occupation"], ascending=[True, False, True]
    )
    return counts.drop_duplicates("occupation_slug").set_index("occupation_slug")["occupation"]


def group_starts(keys: pd.DataFrame) -> np.ndarray:
    """True on each row whose ``keys`` differ from the previous row's (and on the first row).

    On a frame sorted by ``keys`` this marks the first row of every group; missing
    values compare equal to each other, as in a groupby.
    """
    starts = np.zeros(len(keys), dtype=bool)
    if len(keys):
        starts[0] = True
    for column in keys.columns:
        codes, _ = pd.factorize(keys[column], use_na_sentinel=False)
        starts[1:] |= codes[1:] != codes[:-1]
    return starts


def sort_codes(values: pd.Series | np.ndarray, ascending: bool = True) -> np.ndarray:
    """Integer keys that order ``values`` as ``DataFrame.sort_values`` does (missing last).

    ``np.lexsort`` over such keys gives the same stable order as a multi-column
    ``sort_values(..., na_position="last")``, without sorting any column twice.
    """
    codes, n = _sorted_codes(values)
    missing = codes < 0
    if not ascending:
        codes = n - codes - 1
    return np.where(missing, n, codes)


def _sorted_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, int]:
    """Position of each value among the sorted distinct values (-1 if missing), and their count.

    Strings are ranked by Arrow, much faster than sorting Python objects; UTF-8
    byte order is code point order, the order of Python's string comparison.
    """
    if len(values) and pd.api.types.infer_dtype(values, skipna=True) == "string":
        try:
            array = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
        except (pa.ArrowException, ValueError):  # not encodable as UTF-8 (lone surrogates)
            pass
        else:
            ranks = pc.rank(array, sort_keys="ascending", tiebreaker="dense").to_numpy()
            codes = ranks.astype(np.int64) - 1
            codes[array.is_null().to_numpy(zero_copy_only=False)] = -1
            return codes, int(codes.max(initial=-1)) + 1
    codes, uniques = pd.factorize(values, sort=True)
    return codes, len(uniques)


def combination_codes(*columns: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One code per distinct combination of values across ``columns``, row by row.

    Returns ``(codes, first)``: codes are numbered in order of first appearance and
    ``first[c]`` is the first row holding code ``c``. Missing values (None, NaN,
    ``pd.NA``) of one column count as one value.
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        combined, _ = pd.factorize(combined * max(len(uniques), 1) + codes)
    _, first = np.unique(combined, return_index=True)
    return combined, first


def per_combination(func, *columns: pd.Series) -> np.ndarray:
    """``func`` applied to each row of ``columns``, evaluated once per distinct combination.

    Returns an object array aligned with the rows. Missing values (None, NaN,
    ``pd.NA``) of one column count as one value, so ``func`` must treat them alike.
    """
    codes, first = combination_codes(*columns)
    values = [column.iloc[first].tolist() for column in columns]
    results = np.empty(len(first), dtype=object)
    results[:] = [func(*row) for row in zip(*values, strict=True)]
    return results[codes]


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
    flags = _latest(
        sort_codes(df["source"]),
        sort_codes(df["occupation_slug"]),
        sort_codes(pd.to_datetime(df["fetched_at"], utc=True), ascending=False),
        sort_codes(df["document_id"].astype(str)),
    )
    return pd.Series(flags, index=df.index, dtype=bool)


def _latest(source: np.ndarray, slug: np.ndarray, newest: np.ndarray, doc: np.ndarray):
    """:func:`latest_flags` on sort keys (``newest`` orders the most recent first)."""
    order = np.lexsort((doc, newest, slug, source))
    src, slg = source[order], slug[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (slg[1:] != slg[:-1])
    flags = np.zeros(len(order), dtype=bool)
    flags[order[first]] = True
    return flags


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
    fetched = pd.to_datetime(df["fetched_at"], utc=True)
    risk = risk_scores(
        df["raw_value"].to_numpy(dtype=float),
        df["scale_min"].to_numpy(dtype=float),
        df["scale_max"].to_numpy(dtype=float),
        df["polarity"].to_numpy(dtype=object),
    )
    score_codes = registry.band_codes(risk)
    band_names = np.array([*registry.band_names, None], dtype=object)

    # Label bands and expected scales depend on a few distinct combinations only.
    codes, first = combination_codes(df["source"], df["label"])
    bands = [
        registry.label_band(str(source), label)
        for source, label in zip(
            df["source"].iloc[first].tolist(), df["label"].iloc[first].tolist(), strict=True
        )
    ]
    label_band = np.array(bands, dtype=object)[codes]
    band_code = [-1 if b is None else registry.band_index(b) for b in bands]
    label_codes = np.array(band_code, dtype=np.int64)[codes]
    scale_expected = per_combination(
        lambda s, lo, hi, p: registry.source_scale(str(s)).expects(lo, hi, str(p)),
        df["source"],
        df["scale_min"],
        df["scale_max"],
        df["polarity"],
    ).astype(bool)

    source = sort_codes(df["source"])
    slug = sort_codes(df["occupation_slug"])
    documents = df["document_id"].astype(str)
    doc = sort_codes(documents)
    is_latest = _latest(source, slug, sort_codes(fetched, ascending=False), doc)
    if not documents.equals(df["document_id"]):
        doc = sort_codes(df["document_id"])
    order = np.lexsort((doc, sort_codes(fetched), source, slug))

    out = df.take(order).reset_index(drop=True)
    out["fetched_at"] = fetched.array.take(order)
    out["risk_score"] = risk[order]
    out["score_band"] = band_names[score_codes[order]]
    out["label_band"] = pd.Series(label_band[order], index=out.index, dtype=object)
    out["label_conflict"] = (
        (label_codes >= 0)
        & (score_codes >= 0)
        & (np.abs(label_codes - score_codes) >= LABEL_CONFLICT_STEPS)
    )[order]
    out["is_latest"] = is_latest[order]
    out["scale_expected"] = scale_expected[order]
    return out
