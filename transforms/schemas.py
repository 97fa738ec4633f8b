"""pandera models of every frame ``transforms`` reads or writes.

Input models (``RawAssessmentSchema`` and one per detail kind, see
:data:`DETAIL_SCHEMAS`) guard the parsers' output; output models guard what is
published. :func:`validate` splits a frame into the rows that pass and the
failure cases, so the pipeline can quarantine failing documents instead of
failing the run.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors
from pandera.typing import Series

from transforms.salaries import SENIORITY_LEVELS
from transforms.scales import load_registry

HEX64 = r"^[0-9a-f]{64}$"
NON_BLANK = r"\S"
BANDS = list(load_registry().band_names)
UtcTimestamp = Annotated[pd.DatetimeTZDtype, "ns", "UTC"]

FAILURE_COLUMNS = [
    "schema_context",
    "column",
    "check",
    "check_number",
    "failure_case",
    "index",
    "document_id",
]
"""Columns of the failures frame returned by :func:`validate`."""


class _Model(pa.DataFrameModel):
    class Config:
        coerce = True
        strict = False


# --------------------------------------------------------------------------- inputs


class RawAssessmentSchema(_Model):
    """One row per loaded document: the headline score as the parser read it."""

    document_id: Series[str] = pa.Field(str_matches=HEX64)
    source: Series[str] = pa.Field(str_contains=NON_BLANK)
    extraction_method: Series[str]
    confidence: Series[float] = pa.Field(ge=0.0, le=1.0)
    occupation_raw: Series[str] = pa.Field(nullable=True)
    occupation: Series[str] = pa.Field(str_contains=NON_BLANK)
    occupation_slug: Series[str] = pa.Field(str_contains=NON_BLANK)
    raw_score: Series[str] = pa.Field(str_contains=NON_BLANK)
    raw_value: Series[float]
    scale_min: Series[float]
    scale_max: Series[float]
    polarity: Series[str] = pa.Field(isin=["risk", "safety"])
    label: Series[str] = pa.Field(nullable=True)
    industry: Series[str] = pa.Field(nullable=True)
    page_date: Series[str] = pa.Field(nullable=True)
    url: Series[str] = pa.Field(nullable=True)
    fetched_at: Series[UtcTimestamp]
    parser_version: Series[str]
    score_span_start: Series[int] = pa.Field(ge=0)
    score_span_end: Series[int] = pa.Field(ge=0)
    score_snippet: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def scale_is_increasing(cls, df: pd.DataFrame) -> Series[bool]:
        return df["scale_max"] > df["scale_min"]

    @pa.dataframe_check
    def raw_value_within_scale(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["raw_value"] >= df["scale_min"]) & (df["raw_value"] <= df["scale_max"])

    @pa.dataframe_check
    def score_span_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["score_span_end"] >= df["score_span_start"]


class NormalisedAssessmentSchema(RawAssessmentSchema):
    """Assessments after :func:`transforms.normalise.normalise_assessments`."""

    risk_score: Series[float] = pa.Field(ge=0.0, le=100.0)
    score_band: Series[str] = pa.Field(isin=BANDS)
    label_band: Series[str] = pa.Field(isin=BANDS, nullable=True)
    label_conflict: Series[bool]
    is_latest: Series[bool]
    scale_expected: Series[bool]

    @pa.dataframe_check
    def one_latest_per_source_and_occupation(cls, df: pd.DataFrame) -> Series[bool]:
        latest = df.loc[df["is_latest"].astype(bool)]
        per_key = latest.groupby(["source", "occupation_slug"]).size()
        keys = pd.MultiIndex.from_frame(df[["source", "occupation_slug"]])
        return pd.Series(per_key.reindex(keys).fillna(0).to_numpy() == 1, index=df.index)


class _Detail(_Model):
    document_id: Series[str] = pa.Field(str_matches=HEX64)
    span_start: Series[int] = pa.Field(ge=0)
    span_end: Series[int] = pa.Field(ge=0)
    snippet: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def span_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["span_end"] >= df["span_start"]


class TaskAutomationSchema(_Detail):
    task: Series[str] = pa.Field(str_contains=NON_BLANK)
    pct_automatable: Series[float] = pa.Field(ge=0.0, le=100.0)
    rationale: Series[str] = pa.Field(nullable=True)


class TaskMentionSchema(_Detail):
    task: Series[str] = pa.Field(str_contains=NON_BLANK)
    stance: Series[str] = pa.Field(isin=["at_risk", "human"])
    description: Series[str] = pa.Field(nullable=True)


class SalaryBandSchema(_Detail):
    seniority: Series[str] = pa.Field(str_contains=NON_BLANK)
    low: Series[float] = pa.Field(ge=0.0, nullable=True)
    high: Series[float] = pa.Field(ge=0.0, nullable=True)
    open_ended: Series[bool]
    currency: Series[str] = pa.Field(str_matches=r"^[A-Z]{3}$")
    period: Series[str] = pa.Field(str_contains=NON_BLANK)
    region: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def high_not_below_low(cls, df: pd.DataFrame) -> Series[bool]:
        return df["low"].isna() | df["high"].isna() | (df["high"] >= df["low"])

    @pa.dataframe_check
    def has_an_amount(cls, df: pd.DataFrame) -> Series[bool]:
        return df["low"].notna() | df["high"].notna()


class SalaryGrowthSchema(_Detail):
    low_pct: Series[float]
    high_pct: Series[float] = pa.Field(nullable=True)
    period: Series[str] = pa.Field(str_contains=NON_BLANK)

    @pa.dataframe_check
    def high_not_below_low(cls, df: pd.DataFrame) -> Series[bool]:
        return df["high_pct"].isna() | (df["high_pct"] >= df["low_pct"])


class RecommendationSchema(_Detail):
    ordinal: Series[int] = pa.Field(ge=0)
    action: Series[str] = pa.Field(str_contains=NON_BLANK)
    description: Series[str] = pa.Field(nullable=True)
    horizon: Series[str] = pa.Field(nullable=True)


class ToolMentionSchema(_Detail):
    tool: Series[str] = pa.Field(str_contains=NON_BLANK)


class CareerStepSchema(_Detail):
    step: Series[int] = pa.Field(ge=0)
    title: Series[str] = pa.Field(str_contains=NON_BLANK)
    description: Series[str] = pa.Field(nullable=True)
    years_min: Series[float] = pa.Field(ge=0.0, nullable=True)
    years_max: Series[float] = pa.Field(ge=0.0, nullable=True)

    @pa.dataframe_check
    def years_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return (
            df["years_min"].isna() | df["years_max"].isna() | (df["years_max"] >= df["years_min"])
        )


class PivotSchema(_Detail):
    role: Series[str] = pa.Field(str_contains=NON_BLANK)
    description: Series[str] = pa.Field(nullable=True)
    ease: Series[str] = pa.Field(nullable=True)


DETAIL_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "task_automation": TaskAutomationSchema,
    "task_mentions": TaskMentionSchema,
    "salary_bands": SalaryBandSchema,
    "salary_growth": SalaryGrowthSchema,
    "recommendations": RecommendationSchema,
    "tool_mentions": ToolMentionSchema,
    "career_paths": CareerStepSchema,
    "pivots": PivotSchema,
}
"""Detail table name (as in ``transforms.frames.DETAIL_KINDS``) -> its model."""


# -------------------------------------------------------------------------- outputs


def _risk(nullable: bool = False):
    return pa.Field(ge=0.0, le=100.0, nullable=nullable)


class ConsensusProfileSchema(_Model):
    """One row per occupation; see docs/methodology.md for every column."""

    occupation: Series[str] = pa.Field(str_contains=NON_BLANK)
    occupation_slug: Series[str] = pa.Field(unique=True)
    n_sources: Series[int] = pa.Field(ge=1)
    n_documents: Series[int] = pa.Field(ge=1)
    risk_median: Series[float] = _risk()
    risk_mean: Series[float] = _risk(True)
    risk_trimmed_mean: Series[float] = _risk(True)
    risk_weighted_mean: Series[float] = _risk(True)
    risk_stdev: Series[float] = pa.Field(ge=0.0, nullable=True)
    risk_mad: Series[float] = pa.Field(ge=0.0, nullable=True)
    risk_iqr: Series[float] = pa.Field(ge=0.0, nullable=True)
    risk_min: Series[float] = _risk()
    risk_min_sources: Series[str]
    risk_max: Series[float] = _risk()
    risk_max_sources: Series[str]
    ci_low: Series[float] = _risk(True)
    ci_high: Series[float] = _risk(True)
    agreement: Series[str] = pa.Field(isin=["agree", "mixed", "divergent"], nullable=True)
    band: Series[str] = pa.Field(isin=BANDS, nullable=True)
    band_label: Series[str] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=["ok", "insufficient_sources"])
    risk_calibrated: Series[float] = _risk(True)
    calibrated_ci_low: Series[float] = _risk(True)
    calibrated_ci_high: Series[float] = _risk(True)
    calibration_status: Series[str] = pa.Field(str_matches=r"^(calibrated|skipped: .+)$")
    first_fetched_at: Series[UtcTimestamp]
    last_fetched_at: Series[UtcTimestamp]
    sources: Series[str] = pa.Field(str_contains=NON_BLANK)
    label_conflicts: Series[int] = pa.Field(ge=0)
    method_version: Series[str] = pa.Field(str_contains=NON_BLANK)

    @pa.dataframe_check
    def median_within_range(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["risk_min"] <= df["risk_median"]) & (df["risk_median"] <= df["risk_max"])

    @pa.dataframe_check
    def documents_cover_sources(cls, df: pd.DataFrame) -> Series[bool]:
        return df["n_documents"] >= df["n_sources"]

    @pa.dataframe_check
    def interval_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        ok = df["ci_low"].isna() | (df["ci_low"] <= df["ci_high"])
        cal = df["calibrated_ci_low"].isna() | (df["calibrated_ci_low"] <= df["calibrated_ci_high"])
        return ok & cal

    @pa.dataframe_check
    def fetch_times_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["first_fetched_at"] <= df["last_fetched_at"]


class SourceScoreSchema(_Model):
    """Latest score of each source per occupation, with its distance to the median."""

    occupation_slug: Series[str] = pa.Field(str_contains=NON_BLANK)
    occupation: Series[str] = pa.Field(str_contains=NON_BLANK)
    source: Series[str] = pa.Field(str_contains=NON_BLANK)
    document_id: Series[str] = pa.Field(str_matches=HEX64)
    raw_score: Series[str]
    raw_value: Series[float]
    scale_max: Series[float]
    polarity: Series[str] = pa.Field(isin=["risk", "safety"])
    risk_score: Series[float] = _risk()
    label: Series[str] = pa.Field(nullable=True)
    fetched_at: Series[UtcTimestamp]
    url: Series[str] = pa.Field(nullable=True)
    score_snippet: Series[str] = pa.Field(nullable=True)
    offset_from_median: Series[float] = pa.Field(ge=-100.0, le=100.0)
    calibrated_score: Series[float] = _risk(True)

    class Config:
        unique: ClassVar[list[str]] = ["occupation_slug", "source"]


class SourceBiasSchema(_Model):
    """Fitted offset per source (risk points above the typical source)."""

    source: Series[str] = pa.Field(unique=True)
    offset: Series[float] = pa.Field(ge=-100.0, le=100.0, nullable=True)
    ci_low: Series[float] = pa.Field(ge=-100.0, le=100.0, nullable=True)
    ci_high: Series[float] = pa.Field(ge=-100.0, le=100.0, nullable=True)
    n_occupations: Series[int] = pa.Field(ge=0)
    status: Series[str] = pa.Field(str_matches=r"^(calibrated|skipped: .+)$")

    @pa.dataframe_check
    def calibrated_has_offset(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["status"] != "calibrated") | df["offset"].notna()


class TaskMapSchema(_Model):
    occupation_slug: Series[str] = pa.Field(str_contains=NON_BLANK)
    task_raw: Series[str] = pa.Field(str_contains=NON_BLANK)
    canonical_task: Series[str] = pa.Field(str_contains=NON_BLANK)
    similarity: Series[float] = pa.Field(ge=0.0, le=100.0)

    class Config:
        unique: ClassVar[list[str]] = ["occupation_slug", "task_raw"]


class TaskConsensusSchema(_Model):
    occupation_slug: Series[str] = pa.Field(str_contains=NON_BLANK)
    occupation: Series[str] = pa.Field(nullable=True)
    canonical_task: Series[str] = pa.Field(str_contains=NON_BLANK)
    n_sources: Series[int] = pa.Field(ge=1)
    n_mentions: Series[int] = pa.Field(ge=1)
    pct_automatable_mean: Series[float] = pa.Field(ge=0.0, le=100.0, nullable=True)
    pct_automatable_median: Series[float] = pa.Field(ge=0.0, le=100.0, nullable=True)
    n_sources_at_risk: Series[int] = pa.Field(ge=0)
    n_sources_human: Series[int] = pa.Field(ge=0)
    sources: Series[str] = pa.Field(str_contains=NON_BLANK)

    class Config:
        unique: ClassVar[list[str]] = ["occupation_slug", "canonical_task"]

    @pa.dataframe_check
    def stances_within_sources(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["n_sources_at_risk"] <= df["n_sources"]) & (
            df["n_sources_human"] <= df["n_sources"]
        )


class SalaryConsensusSchema(_Model):
    occupation_slug: Series[str] = pa.Field(str_contains=NON_BLANK)
    occupation: Series[str] = pa.Field(nullable=True)
    seniority: Series[str] = pa.Field(isin=list(SENIORITY_LEVELS))
    n_sources: Series[int] = pa.Field(ge=1)
    low_median: Series[float] = pa.Field(ge=0.0, nullable=True)
    high_median: Series[float] = pa.Field(ge=0.0, nullable=True)
    n_open_ended: Series[int] = pa.Field(ge=0)
    sources: Series[str] = pa.Field(str_contains=NON_BLANK)

    class Config:
        unique: ClassVar[list[str]] = ["occupation_slug", "seniority"]


class SalaryExclusionSchema(_Model):
    occupation_slug: Series[str]
    reason: Series[str] = pa.Field(
        isin=["not_usd", "not_annual", "unmapped_seniority", "no_amount"]
    )
    n_rows: Series[int] = pa.Field(ge=1)


class _MentionCount(_Model):
    occupation_slug: Series[str] = pa.Field(str_contains=NON_BLANK)
    n_sources: Series[int] = pa.Field(ge=1)
    n_mentions: Series[int] = pa.Field(ge=1)

    @pa.dataframe_check
    def mentions_cover_sources(cls, df: pd.DataFrame) -> Series[bool]:
        return df["n_mentions"] >= df["n_sources"]


class ToolCountSchema(_MentionCount):
    tool: Series[str] = pa.Field(str_contains=NON_BLANK)


class ActionCountSchema(_MentionCount):
    action: Series[str] = pa.Field(str_contains=NON_BLANK)


class PivotCountSchema(_MentionCount):
    role: Series[str] = pa.Field(str_contains=NON_BLANK)


# ------------------------------------------------------------------------ validation

CHECK_COLUMNS: dict[str, list[str]] = {
    "scale_is_increasing": ["scale_min", "scale_max"],
    "raw_value_within_scale": ["raw_value", "scale_min", "scale_max"],
    "score_span_ordered": ["score_span_start", "score_span_end"],
    "one_latest_per_source_and_occupation": ["source", "occupation_slug", "is_latest"],
    "span_ordered": ["span_start", "span_end"],
    "high_not_below_low": ["low", "high", "low_pct", "high_pct"],
    "has_an_amount": ["low", "high"],
    "years_ordered": ["years_min", "years_max"],
    "median_within_range": ["risk_min", "risk_median", "risk_max"],
    "documents_cover_sources": ["n_documents", "n_sources"],
    "interval_ordered": ["ci_low", "ci_high", "calibrated_ci_low", "calibrated_ci_high"],
    "fetch_times_ordered": ["first_fetched_at", "last_fetched_at"],
    "calibrated_has_offset": ["status", "offset"],
    "stances_within_sources": ["n_sources", "n_sources_at_risk", "n_sources_human"],
    "mentions_cover_sources": ["n_mentions", "n_sources"],
}
"""Columns each row-wise dataframe check reads (named in its failure cases)."""


def _empty_failures() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})


def _as_failures(error: SchemaErrors | SchemaError, df: pd.DataFrame) -> pd.DataFrame:
    if isinstance(error, SchemaErrors):
        cases = error.failure_cases.copy()
    else:
        cases = (
            error.failure_cases.copy()
            if isinstance(error.failure_cases, pd.DataFrame)
            else pd.DataFrame({"failure_case": [str(error)], "index": [None]})
        )
        cases["schema_context"] = type(error.schema).__name__
        cases["column"] = getattr(error.schema, "name", None)
        cases["check"] = str(error.check) if error.check is not None else str(error)
        cases["check_number"] = None
    for col in FAILURE_COLUMNS:
        if col not in cases.columns:
            cases[col] = None
    if "document_id" in df.columns:
        doc_of = df["document_id"].to_dict()
        cases["document_id"] = [
            doc_of.get(i) if i is not None and not pd.isna(i) else None for i in cases["index"]
        ]
    cases["failure_case"] = cases["failure_case"].map(lambda v: None if v is None else str(v))
    # A failing row-wise dataframe check lists every cell of the row: keep one case per
    # row, naming the columns the check reads and their values ("low=9, high=5").
    row_wise = (cases["schema_context"] == "DataFrameSchema") & cases["index"].notna()
    collapsed = []
    for (check, index), cells in cases.loc[row_wise].groupby(["check", "index"], sort=False):
        wanted = CHECK_COLUMNS.get(str(check))
        if wanted is not None:
            cells = cells.loc[cells["column"].isin(wanted)]
            cells = cells.sort_values("column", key=lambda c, w=wanted: c.map(w.index))
        first = cells.iloc[0].to_dict() if len(cells) else {"schema_context": "DataFrameSchema"}
        first.update(
            check=check,
            index=index,
            column=",".join(map(str, cells["column"])) or None,
            failure_case=", ".join(
                f"{c}={v}" for c, v in zip(cells["column"], cells["failure_case"], strict=True)
            )[:200]
            or None,
        )
        collapsed.append(first)
    cases = pd.concat(
        [pd.DataFrame(collapsed, columns=cases.columns), cases.loc[~row_wise]], ignore_index=True
    )
    return cases[FAILURE_COLUMNS].astype(object)


def validate(
    df: pd.DataFrame, schema: type[pa.DataFrameModel], *, max_passes: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``df`` into rows that pass ``schema`` and the failure cases.

    Validation is lazy (every failing check is reported, not just the first).
    Rows named in a failure case are dropped and the rest validated again,
    because a value that cannot be coerced hides the checks on its column; this
    repeats up to ``max_passes`` times. Failures that name no row (a missing
    column, a wrong column dtype that no row explains) fail the whole frame: the
    valid frame is then empty.

    Returns ``(valid_df, failures_df)``: ``valid_df`` is the validated (coerced)
    frame with the original index; ``failures_df`` has :data:`FAILURE_COLUMNS`
    (pandera's ``SchemaErrors.failure_cases`` plus the ``document_id`` of the
    failing row where there is one; a failing row-wise dataframe check gives one
    case per row, its ``column`` listing the columns the check reads and its
    ``failure_case`` their values, e.g. ``raw_value=120.0, scale_min=0.0,
    scale_max=100.0``), empty when everything passed.
    """
    work = df if df.index.is_unique else df.reset_index(drop=True)
    failures: list[pd.DataFrame] = []
    remaining = work
    for _ in range(max_passes):
        try:
            valid = schema.validate(remaining, lazy=True)
        except (SchemaErrors, SchemaError) as error:
            cases = _as_failures(error, work)
            failures.append(cases)
            bad = {i for i in cases["index"] if i is not None and not pd.isna(i)}
            if not bad or not bad & set(remaining.index):
                remaining = remaining.iloc[0:0]
                break
            remaining = remaining.drop(index=[i for i in bad if i in remaining.index])
            continue
        out = pd.concat(failures, ignore_index=True) if failures else _empty_failures()
        # The rest passed, so failures naming no row were side effects of dropped rows
        # (a check erroring on a value that could not be coerced).
        out = out.loc[out["index"].notna()]
        return valid, out.drop_duplicates(ignore_index=True)
    out = pd.concat(failures, ignore_index=True) if failures else _empty_failures()
    try:
        empty = schema.validate(work.iloc[0:0], lazy=True)
    except (SchemaErrors, SchemaError):
        empty = work.iloc[0:0]
    return empty, out.drop_duplicates(ignore_index=True)
