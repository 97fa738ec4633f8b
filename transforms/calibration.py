"""Source calibration: how much higher or lower each site scores than the others.

Model (on the latest capture per source x occupation)::

    risk[o, s] = occupation_effect[o] + source_offset[s] + noise

fitted robustly in two steps: median polish (alternately sweeping row and column
medians out of the residuals) gives a start that no outlier can drag far, then a
Huber M-estimate refines it by iteratively reweighted means. The refinement
matters with few sources: with three sites the median polish row effect is
always one site's own score, which shrinks small offsets towards 0 (an offset
of 2 points under noise of 3 comes out near 0); the Huber fit is unbiased under
symmetric noise and still caps the pull of any cell at ``k`` robust standard
deviations. Offsets are identified by a **median-zero** constraint:
the median offset over the calibrated sources is 0, so an offset reads as
"points above the typical source for the same occupation".

A source is calibrated only when it shares at least ``min_overlap`` occupations
with other calibrated sources, and all calibrated sources must be linked through
shared occupations. Only occupations scored by at least two calibrated sources
enter the fit (a single-source occupation says nothing about offsets and would
pull every offset towards 0).

Uncertainty: the whole fit is repeated on ``calibration_draws`` bootstrap
resamples of the fitted occupations (seeded); offset intervals are percentile
intervals of the resampled offsets.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transforms.config import ConsensusConfig

SOURCE_BIAS_COLUMNS = ["source", "offset", "ci_low", "ci_high", "n_occupations", "status"]
OCCUPATION_CALIBRATION_COLUMNS = [
    "occupation_slug",
    "risk_calibrated",
    "calibrated_ci_low",
    "calibrated_ci_high",
    "calibration_status",
]
CALIBRATED = "calibrated"


@dataclass(frozen=True)
class Calibration:
    """A fitted (or skipped) calibration.

    ``offset_draws`` has one row per bootstrap draw and one column per entry of
    ``sources`` (NaN where a source was absent from a resample).
    """

    status: str
    source_bias: pd.DataFrame
    sources: tuple[str, ...] = ()
    offsets: np.ndarray = field(default_factory=lambda: np.empty(0))
    offset_draws: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    n_fit_occupations: int = 0

    @property
    def fitted(self) -> bool:
        return self.status == CALIBRATED

    def offset_of(self) -> dict[str, float]:
        """Offsets of the calibrated sources."""
        return dict(zip(self.sources, self.offsets.tolist(), strict=True))


def _quiet_nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmedian`` by one sort (NaN sorts last); all-NaN slices give NaN, silently.

    Much faster than ``np.nanmedian`` on the stacked bootstrap arrays.
    """
    ordered = np.sort(a, axis=axis)
    count = np.sum(~np.isnan(a), axis=axis, keepdims=True)
    lo = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0), axis=axis)
    hi = np.take_along_axis(ordered, np.maximum(count // 2, 0), axis=axis)
    hi = np.where(count % 2 == 1, lo, hi)
    med = np.where(count > 0, (lo + hi) / 2.0, np.nan)
    return np.squeeze(med, axis=axis)


def median_polish(
    y: np.ndarray,
    max_iter: int = 200,
    tol: float = 1e-4,
    *,
    start_rows: np.ndarray | None = None,
    start_cols: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Median polish of ``y`` (..., occupations, sources) with NaN for missing cells.

    Each sweep subtracts the row (occupation) medians, then the column (source)
    medians, of the residuals; a problem stops once no effect moved by more than
    ``tol``. Returns ``(row_effects, column_offsets)`` with the column offsets
    constrained to median zero over the columns present (columns with no value
    are NaN). Leading axes are independent problems (used for the bootstrap).
    ``start_rows`` / ``start_cols`` (broadcastable to the effects) start the
    sweeps from a previous fit instead of from zero.
    """
    y = np.asarray(y, dtype=float)
    lead, (n_rows, n_cols) = y.shape[:-2], y.shape[-2:]
    flat = y.reshape(-1, n_rows, n_cols)
    present_col = ~np.all(np.isnan(flat), axis=1)
    rows = np.zeros(flat.shape[:2])
    cols = np.zeros((flat.shape[0], n_cols))
    if start_rows is not None:
        rows += np.asarray(start_rows, dtype=float).reshape(-1, n_rows)
    if start_cols is not None:
        cols += np.nan_to_num(np.asarray(start_cols, dtype=float).reshape(-1, n_cols))
    resid = flat - rows[:, :, None] - cols[:, None, :]
    active = np.arange(resid.shape[0])
    for _ in range(max_iter):
        if active.size == 0:
            break
        part = resid[active]
        rmed = np.nan_to_num(_quiet_nanmedian(part, axis=2))
        part -= rmed[:, :, None]
        cmed = np.nan_to_num(_quiet_nanmedian(part, axis=1))
        part -= cmed[:, None, :]
        resid[active] = part
        rows[active] += rmed
        cols[active] += cmed
        moved = np.maximum(np.abs(rmed).max(axis=1, initial=0.0), np.abs(cmed).max(axis=1))
        active = active[moved >= tol]
    cols = np.where(present_col, cols, np.nan)
    centre = np.nan_to_num(_quiet_nanmedian(cols, axis=1))
    cols = cols - centre[:, None]
    rows = rows + centre[:, None]
    return rows.reshape(*lead, n_rows), cols.reshape(*lead, n_cols)


HUBER_K = 1.345  # 95% efficiency under normal noise


def huber_refine(
    y: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    max_iter: int = 200,
    tol: float = 1e-4,
    k: float = HUBER_K,
) -> tuple[np.ndarray, np.ndarray]:
    """Refine a two-way fit ``y ~ rows + cols`` by a Huber M-estimate.

    ``y`` is (..., occupations, sources) with NaN for missing cells; ``rows`` and
    ``cols`` are a start (from :func:`median_polish`, same leading axes). Each
    sweep reweights the residuals (weight ``min(1, k * s / |r|)``, ``s`` the
    normalised MAD of the start's residuals, fixed for the fit) and moves the row, then the
    column, effects by their weighted mean residual. Columns stay median-zero;
    columns with no value stay NaN.
    """
    y = np.asarray(y, dtype=float)
    lead, (n_rows, n_cols) = y.shape[:-2], y.shape[-2:]
    flat = y.reshape(-1, n_rows, n_cols)
    present = ~np.isnan(flat)
    present_col = present.any(axis=1)
    r_eff = np.asarray(rows, dtype=float).reshape(-1, n_rows).copy()
    c_eff = np.nan_to_num(np.asarray(cols, dtype=float).reshape(-1, n_cols)).copy()
    values = np.where(present, flat, 0.0)
    start = np.where(present, flat - r_eff[:, :, None] - c_eff[:, None, :], np.nan)
    scales = 1.4826 * _quiet_nanmedian(np.abs(start).reshape(flat.shape[0], -1), axis=1)
    scales = np.maximum(np.nan_to_num(scales), 1e-6)
    mask = present.astype(float)
    active = np.arange(flat.shape[0])
    for _ in range(max_iter):
        if active.size == 0:
            break
        v, m = values[active], mask[active]
        rr, cc = r_eff[active], c_eff[active]
        cap = k * scales[active][:, None, None]
        row_step = _weighted_mean((v - rr[:, :, None] - cc[:, None, :]) * m, m, cap, axis=2)
        rr = rr + row_step
        col_step = _weighted_mean((v - rr[:, :, None] - cc[:, None, :]) * m, m, cap, axis=1)
        cc = cc + col_step
        r_eff[active], c_eff[active] = rr, cc
        moved = np.maximum(np.abs(row_step).max(axis=1, initial=0.0), np.abs(col_step).max(axis=1))
        active = active[moved >= tol]
    c_eff = np.where(present_col, c_eff, np.nan)
    centre = np.nan_to_num(_quiet_nanmedian(c_eff, axis=1))
    return (
        (r_eff + centre[:, None]).reshape(*lead, n_rows),
        (c_eff - centre[:, None]).reshape(*lead, n_cols),
    )


def _weighted_mean(resid: np.ndarray, mask: np.ndarray, cap: np.ndarray, axis: int) -> np.ndarray:
    """Huber-weighted mean residual along ``axis`` (0 where nothing is present).

    ``resid`` is 0 and ``mask`` 0 on missing cells; a residual beyond ``cap``
    counts as if it were ``cap`` (weight ``cap / |r|``).
    """
    clipped = np.clip(resid, -cap, cap)  # weight * resid of the Huber weights
    weight = mask * np.minimum(1.0, cap / np.maximum(np.abs(resid), 1e-12))
    total = weight.sum(axis=axis)
    num = clipped.sum(axis=axis)
    return np.divide(num, total, out=np.zeros_like(num), where=total > 0)


def robust_two_way(
    y: np.ndarray,
    max_iter: int = 200,
    tol: float = 1e-4,
    *,
    start_rows: np.ndarray | None = None,
    start_cols: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Median polish, then the Huber refinement: ``(row_effects, column_offsets)``.

    With a start (a bootstrap resample starting from the full fit) the median
    polish is skipped: the start already is a robust fit.
    """
    if start_rows is not None and start_cols is not None:
        shape = np.shape(y)
        rows = np.broadcast_to(np.asarray(start_rows, dtype=float), shape[:-1])
        cols = np.broadcast_to(np.asarray(start_cols, dtype=float), shape[:-2] + shape[-1:])
    else:
        rows, cols = median_polish(
            y, max_iter=max_iter, tol=tol, start_rows=start_rows, start_cols=start_cols
        )
    return huber_refine(y, rows, cols, max_iter=max_iter, tol=tol)


def _overlap_counts(matrix: np.ndarray) -> np.ndarray:
    """Per column: rows where it has a value and at least one other column does too."""
    present = ~np.isnan(matrix)
    shared = present & (present.sum(axis=1, keepdims=True) >= 2)
    return shared.sum(axis=0)


def _components(present: np.ndarray) -> list[list[int]]:
    """Columns linked through rows they share (union-find), each sorted."""
    n = present.shape[1]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in present:
        cols = np.flatnonzero(row)
        for c in cols[1:]:
            a, b = find(int(cols[0])), find(int(c))
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _latest_matrix(latest: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
    wide = latest.pivot_table(
        index="occupation_slug", columns="source", values="risk_score", aggfunc="first"
    )
    wide = wide.sort_index(axis=0).sort_index(axis=1)
    return wide.to_numpy(dtype=float), list(wide.index), [str(c) for c in wide.columns]


def _latest_rows(assessments: pd.DataFrame) -> pd.DataFrame:
    if "is_latest" not in assessments.columns or "risk_score" not in assessments.columns:
        from transforms.normalise import normalise_assessments

        assessments = normalise_assessments(assessments)
    latest = assessments.loc[assessments["is_latest"].astype(bool)]
    return latest.loc[np.isfinite(latest["risk_score"].to_numpy(dtype=float))]


def fit_calibration(
    assessments: pd.DataFrame, config: ConsensusConfig | None = None
) -> Calibration:
    """Fit source offsets on the latest captures of a normalised assessments frame."""
    config = config or ConsensusConfig()
    latest = _latest_rows(assessments)
    if latest.empty:
        return Calibration("skipped: no assessments", _empty_bias())
    matrix, _, sources = _latest_matrix(latest)
    overlap = _overlap_counts(matrix)
    status = {s: "" for s in sources}

    # Drop sources with too little overlap until the remaining set is stable.
    active = np.ones(len(sources), dtype=bool)
    while True:
        sub = np.where(active, matrix, np.nan)
        counts = _overlap_counts(sub)
        low = active & (counts < config.min_overlap)
        if not low.any():
            break
        for i in np.flatnonzero(low):
            status[sources[i]] = (
                f"skipped: shares {int(counts[i])} occupations with other sources "
                f"(< min_overlap {config.min_overlap})"
            )
        active &= ~low
    # Keep the largest group of sources linked through shared occupations.
    if active.sum() >= 2:
        sub = ~np.isnan(np.where(active, matrix, np.nan))
        sub = sub[sub.sum(axis=1) >= 2]
        groups = [g for g in _components(sub) if all(active[g])]
        main = set(groups[0]) if groups else set()
        for i in np.flatnonzero(active):
            if i not in main:
                status[sources[i]] = "skipped: not linked to the main group of overlapping sources"
                active[i] = False

    if active.sum() < 2:
        reason = (
            f"skipped: fewer than 2 sources share >= {config.min_overlap} occupations "
            "with each other"
        )
        bias = pd.DataFrame(
            {
                "source": sources,
                "offset": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "n_occupations": overlap.astype(np.int64),
                "status": [status[s] or reason for s in sources],
            }
        )
        return Calibration(reason, bias[SOURCE_BIAS_COLUMNS])

    cal_idx = np.flatnonzero(active)
    cal_sources = tuple(sources[i] for i in cal_idx)
    fit = matrix[:, cal_idx]
    fit = fit[(~np.isnan(fit)).sum(axis=1) >= 2]
    row_effects, offsets = robust_two_way(
        fit, max_iter=config.calibration_max_iter, tol=config.calibration_tol
    )

    rng = np.random.default_rng([config.seed, 7])
    draws_idx = rng.integers(0, fit.shape[0], size=(config.calibration_draws, fit.shape[0]))
    # Each resample starts from the full fit, so few sweeps are needed; blocks of
    # draws keep the stacked arrays small.
    per_block = max(1, 250_000 // max(1, fit.size))
    draws = np.concatenate(
        [
            robust_two_way(
                fit[block],
                max_iter=config.calibration_max_iter,
                tol=config.calibration_draw_tol,
                start_rows=row_effects[block],
                start_cols=offsets,
            )[1]
            for block in np.array_split(
                draws_idx, range(per_block, len(draws_idx), per_block), axis=0
            )
        ],
        axis=0,
    )
    alpha = (1.0 - config.ci_level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = np.nanquantile(draws, [alpha, 1.0 - alpha], axis=0)

    offset_by = dict(zip(cal_sources, offsets, strict=True))
    ci_by = {s: (ci[0, j], ci[1, j]) for j, s in enumerate(cal_sources)}
    bias = pd.DataFrame(
        {
            "source": sources,
            "offset": [offset_by.get(s, np.nan) for s in sources],
            "ci_low": [ci_by.get(s, (np.nan, np.nan))[0] for s in sources],
            "ci_high": [ci_by.get(s, (np.nan, np.nan))[1] for s in sources],
            "n_occupations": overlap.astype(np.int64),
            "status": [CALIBRATED if s in offset_by else status[s] for s in sources],
        }
    )
    return Calibration(
        status=CALIBRATED,
        source_bias=bias[SOURCE_BIAS_COLUMNS],
        sources=cal_sources,
        offsets=np.asarray(offsets, dtype=float),
        offset_draws=np.asarray(draws, dtype=float),
        n_fit_occupations=int(fit.shape[0]),
    )


def source_bias(assessments: pd.DataFrame, config: ConsensusConfig | None = None) -> pd.DataFrame:
    """The published ``source_bias`` frame: source, offset, ci_low, ci_high, n_occupations,
    status (``calibrated`` or ``skipped: <why>``), sorted by source."""
    return fit_calibration(assessments, config).source_bias


def _empty_bias() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series(dtype=object),
            "offset": pd.Series(dtype=float),
            "ci_low": pd.Series(dtype=float),
            "ci_high": pd.Series(dtype=float),
            "n_occupations": pd.Series(dtype=np.int64),
            "status": pd.Series(dtype=object),
        }
    )


def calibrate_occupations(
    latest: pd.DataFrame,
    calibration: Calibration,
    config: ConsensusConfig | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Calibrated consensus per occupation and calibrated score per latest row.

    ``latest`` holds the latest capture per (source, occupation) with
    ``occupation_slug``, ``source`` and ``risk_score``. For each occupation,
    ``risk_calibrated`` is the median over its calibrated sources of
    ``risk_score - offset``, clipped to [0, 100]. Its interval is the percentile
    interval over the calibration draws, each draw using that draw's offsets and
    a resample (with replacement) of the occupation's calibrated sources, so it
    reflects both offset uncertainty and which sites happened to score the
    occupation. Sources without an offset are left out; an occupation none of
    whose sources is calibrated is skipped with a reason.

    Returns ``(per_occupation, calibrated_score)``: the frame has
    :data:`OCCUPATION_CALIBRATION_COLUMNS` (one row per occupation_slug, sorted);
    the Series is aligned with ``latest.index``.
    """
    config = config or ConsensusConfig()
    slugs = np.sort(latest["occupation_slug"].astype(str).unique())
    per_row = pd.Series(np.nan, index=latest.index, dtype=float)
    result = pd.DataFrame(
        {
            "occupation_slug": slugs,
            "risk_calibrated": np.nan,
            "calibrated_ci_low": np.nan,
            "calibrated_ci_high": np.nan,
            "calibration_status": calibration.status
            if not calibration.fitted
            else "skipped: none of its sources has a fitted offset",
        }
    )
    if not calibration.fitted or latest.empty:
        return result[OCCUPATION_CALIBRATION_COLUMNS], per_row

    code_of = {s: i for i, s in enumerate(calibration.sources)}
    codes = latest["source"].map(code_of)
    rows = latest.loc[codes.notna()].assign(_code=codes.dropna().astype(np.int64))
    scores = rows["risk_score"].to_numpy(dtype=float)
    offsets = calibration.offsets[rows["_code"].to_numpy()]
    per_row.loc[rows.index] = np.clip(scores - offsets, 0.0, 100.0)
    if rows.empty:
        return result[OCCUPATION_CALIBRATION_COLUMNS], per_row

    rows = rows.sort_values(["occupation_slug", "_code"], kind="mergesort")
    sizes = rows.groupby("occupation_slug", sort=True).size()
    alpha = (1.0 - config.ci_level) / 2.0
    draws = calibration.offset_draws  # (B, S)
    pos_of = {s: i for i, s in enumerate(slugs)}
    for n in np.unique(sizes.to_numpy()):
        group_slugs = sizes.index[sizes.to_numpy() == n]
        block = rows.loc[rows["occupation_slug"].isin(group_slugs)]
        vals = block["risk_score"].to_numpy(dtype=float).reshape(-1, n)  # (G, n)
        cds = block["_code"].to_numpy().reshape(-1, n)
        point = np.median(vals - calibration.offsets[cds], axis=1)
        rng = np.random.default_rng([config.seed, int(n), 11])
        idx = rng.integers(0, n, size=(draws.shape[0], n))  # (B, n)
        lows, highs = [], []
        for start in range(0, vals.shape[0], _chunk(draws.shape[0], int(n))):
            v = vals[start : start + _chunk(draws.shape[0], int(n))]
            c = cds[start : start + _chunk(draws.shape[0], int(n))]
            adjusted = v[None, :, :] - draws[:, c]  # (B, g, n)
            picked = np.take_along_axis(adjusted, idx[:, None, :], axis=2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                meds = _quiet_nanmedian(picked, axis=2)  # (B, g)
                if np.isnan(meds).any():  # a source absent from some resamples
                    q = np.nanquantile(meds, [alpha, 1.0 - alpha], axis=0)
                else:
                    q = np.quantile(meds, [alpha, 1.0 - alpha], axis=0)
            lows.append(q[0])
            highs.append(q[1])
        where = np.array([pos_of[s] for s in group_slugs])
        result.loc[where, "risk_calibrated"] = np.clip(point, 0.0, 100.0)
        result.loc[where, "calibrated_ci_low"] = np.clip(np.concatenate(lows), 0.0, 100.0)
        result.loc[where, "calibrated_ci_high"] = np.clip(np.concatenate(highs), 0.0, 100.0)
        result.loc[where, "calibration_status"] = CALIBRATED
    return result[OCCUPATION_CALIBRATION_COLUMNS], per_row


def _chunk(draws: int, n: int, budget: int = 4_000_000) -> int:
    """Occupations per block so that a (draws, block, n) array stays within budget."""
    return max(1, budget // max(1, draws * n))
