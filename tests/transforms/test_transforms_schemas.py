"""pandera models and validate(): inputs, outputs, failure cases for quarantine."""

from __future__ import annotations

import pandas as pd
import pytest

from sources.records import (
    CareerStep,
    Evidence,
    Extraction,
    HeadlineScore,
    Pivot,
    Recommendation,
    SalaryBand,
    SalaryGrowth,
    TaskAutomation,
    TaskMention,
    ToolMention,
)
from tests.transforms.transforms_testdata import assessment, frame, seed_rows, synthetic
from transforms import frames
from transforms import schemas as S
from transforms.calibration import fit_calibration
from transforms.config import ConsensusConfig
from transforms.consensus import consensus_profiles
from transforms.mentions import action_counts, pivot_counts, tool_counts
from transforms.normalise import normalise_assessments
from transforms.salaries import salary_consensus
from transforms.tasks import task_consensus

EV = Evidence(10, 20, "0123456789")
DOC = "ab" * 32


def extraction() -> Extraction:
    return Extraction(
        source="career_guide",
        extraction_method="career_guide",
        confidence=0.95,
        occupation_raw="Machine Learning Engineer",
        occupation="Machine Learning Engineer",
        occupation_slug="machine-learning-engineer",
        occupation_evidence=EV,
        score=HeadlineScore("78 / 100", 78.0, 100.0, "safety", EV),
        label="Relatively safe",
        label_evidence=EV,
        tasks_automation=[TaskAutomation("Model deployment", 35.0, None, EV)],
        task_mentions=[TaskMention("Automated Model Deployment", "at_risk", None, EV)],
        salary_bands=[
            SalaryBand("Junior", 95_000, 130_000, False, "USD", "annual", "US", EV),
            SalaryBand("Senior MLEs", 300_000, None, True, "USD", "annual", None, EV),
        ],
        salary_growth=[SalaryGrowth(10.0, 20.0, "annual", EV)],
        recommendations=[Recommendation(1, "Own outcomes", None, "6-12 months", EV)],
        tools=[ToolMention("MLflow", EV)],
        career_steps=[
            CareerStep(1, "Junior MLE", None, 0, 2, EV),
            CareerStep(5, "Head", None, 10, None, EV),
        ],
        pivots=[Pivot("Data Engineer", None, "High", EV)],
    )


def detail_frames() -> dict[str, pd.DataFrame]:
    return frames.detail_frames(frames.detail_rows(DOC, extraction()))


# ------------------------------------------------------------------------ inputs


def test_seed_assessments_pass(seed_assessments):
    valid, failures = S.validate(seed_assessments, S.RawAssessmentSchema)
    assert failures.empty and list(failures.columns) == S.FAILURE_COLUMNS
    assert len(valid) == 5
    valid, failures = S.validate(
        normalise_assessments(seed_assessments), S.NormalisedAssessmentSchema
    )
    assert failures.empty and len(valid) == 5


def test_pipeline_assessment_frame_passes():
    row = frames.assessment_row(
        DOC,
        extraction(),
        url=None,
        fetched_at=pd.Timestamp("2026-04-01", tz="UTC"),
        parser_version="1",
    )
    df = frames.assessment_frame([row])
    valid, failures = S.validate(df, S.RawAssessmentSchema)
    assert failures.empty, failures
    assert len(valid) == 1
    norm = normalise_assessments(df)
    assert norm["risk_score"].iloc[0] == 22.0
    assert S.validate(norm, S.NormalisedAssessmentSchema)[1].empty


def test_bad_rows_are_split_off_with_their_document_ids(seed_assessments):
    bad = seed_assessments.copy()
    bad["confidence"] = bad["confidence"].astype(object)
    bad.loc[0, "raw_value"] = 120.0  # outside its scale
    bad.loc[1, "document_id"] = "not-a-sha"
    bad.loc[2, "polarity"] = "upwards"
    bad.loc[3, "occupation"] = "   "
    bad.loc[4, "confidence"] = "n/a"  # cannot be coerced
    good = frame([assessment("jobisque", 10, slug="fine")])
    df = pd.concat([bad, good], ignore_index=True)
    valid, failures = S.validate(df, S.RawAssessmentSchema)
    assert list(valid["occupation_slug"]) == ["fine"]
    assert set(failures["index"]) == {0, 1, 2, 3, 4}
    assert failures["index"].notna().all()
    docs = set(failures["document_id"])
    assert set(seed_assessments.loc[[0, 2, 3, 4], "document_id"]) <= docs
    assert "not-a-sha" in docs
    checks = set(failures["check"])
    assert "raw_value_within_scale" in checks
    assert any(c.startswith("isin") for c in checks)
    # one case per failing row for a row-wise dataframe check
    assert (failures["check"] == "raw_value_within_scale").sum() == 1


def test_missing_column_fails_the_whole_frame(seed_assessments):
    valid, failures = S.validate(
        seed_assessments.drop(columns=["occupation"]), S.RawAssessmentSchema
    )
    assert valid.empty
    assert (failures["check"] == "column_in_dataframe").any()


def test_two_latest_rows_for_one_source_fail(seed_assessments):
    norm = normalise_assessments(seed_assessments)
    dup = pd.concat([norm, norm.iloc[[0]]], ignore_index=True)
    _, failures = S.validate(dup, S.NormalisedAssessmentSchema)
    assert "one_latest_per_source_and_occupation" in set(failures["check"])


def test_detail_frames_from_records_pass():
    for kind, df in detail_frames().items():
        valid, failures = S.validate(df, S.DETAIL_SCHEMAS[kind])
        assert failures.empty, (kind, failures)
        assert len(valid) == len(df)


def test_empty_detail_frames_pass():
    for kind, df in frames.detail_frames({}).items():
        assert S.validate(df, S.DETAIL_SCHEMAS[kind])[1].empty, kind
    assert set(S.DETAIL_SCHEMAS) == set(frames.DETAIL_KINDS)


@pytest.mark.parametrize(
    ("kind", "column", "value", "check"),
    [
        ("task_automation", "pct_automatable", 120.0, "less_than_or_equal_to"),
        ("task_automation", "span_end", 1, "span_ordered"),
        ("task_mentions", "stance", "maybe", "isin"),
        ("salary_bands", "high", 1_000.0, "high_not_below_low"),
        ("salary_bands", "currency", "usd", "str_matches"),
        ("career_paths", "years_max", -1.0, "greater_than_or_equal_to"),
        ("tool_mentions", "tool", " ", "str_contains"),
    ],
)
def test_detail_checks(kind, column, value, check):
    df = detail_frames()[kind].copy()
    df[column] = df[column].astype(object)
    df.loc[0, column] = value
    _, failures = S.validate(df, S.DETAIL_SCHEMAS[kind])
    assert failures["check"].str.startswith(check).any(), failures
    assert 0 in set(failures["index"])


# ----------------------------------------------------------------------- outputs


def test_outputs_pass_their_schemas():
    config = ConsensusConfig(bootstrap_draws=100, calibration_draws=20)
    df = pd.concat(
        [
            synthetic({"jobisque": -3.0, "impact_report": 0.0, "career_guide": 4.0}, 20, seed=1),
            frame(seed_rows()),
            frame([assessment("jobisque", 50, slug="solo", occupation="Solo")]),
        ],
        ignore_index=True,
    )
    norm = normalise_assessments(df)
    profiles, scores = consensus_profiles(norm, config)
    assert (profiles["status"] == "insufficient_sources").any()
    for out, schema in [
        (profiles, S.ConsensusProfileSchema),
        (scores, S.SourceScoreSchema),
        (fit_calibration(norm, config).source_bias, S.SourceBiasSchema),
    ]:
        valid, failures = S.validate(out, schema)
        assert failures.empty, (schema.__name__, failures)
        assert len(valid) == len(out)

    details = {
        k: d.assign(source="career_guide", occupation="MLE", occupation_slug="mle")
        for k, d in detail_frames().items()
    }
    tmap, tcons = task_consensus(details["task_automation"], details["task_mentions"])
    scons, sexcl = salary_consensus(details["salary_bands"])
    for out, schema in [
        (tmap, S.TaskMapSchema),
        (tcons, S.TaskConsensusSchema),
        (scons, S.SalaryConsensusSchema),
        (sexcl, S.SalaryExclusionSchema),
        (tool_counts(details["tool_mentions"]), S.ToolCountSchema),
        (action_counts(details["recommendations"]), S.ActionCountSchema),
        (pivot_counts(details["pivots"]), S.PivotCountSchema),
    ]:
        assert S.validate(out, schema)[1].empty, schema.__name__


def test_duplicate_source_rows_fail_the_output_schema(seed_assessments):
    _, scores = consensus_profiles(seed_assessments, ConsensusConfig(bootstrap_draws=50))
    doubled = pd.concat([scores, scores.iloc[[0]]], ignore_index=True)
    valid, failures = S.validate(doubled, S.SourceScoreSchema)
    assert "multiple_fields_uniqueness" in set(failures["check"])
    assert len(valid) == 4  # both copies of the duplicated row are set aside


def test_row_wise_failure_names_the_columns_it_reads(seed_assessments):
    bad = seed_assessments.copy()
    bad.loc[2, "raw_value"] = 12.0  # 12/10
    _, failures = S.validate(bad, S.RawAssessmentSchema)
    case = failures.loc[failures["check"] == "raw_value_within_scale"].iloc[0]
    assert case["column"] == "raw_value,scale_min,scale_max"
    assert case["failure_case"] == "raw_value=12.0, scale_min=0.0, scale_max=10.0"
    assert case["document_id"] == seed_assessments.loc[2, "document_id"]
