"""Full extraction of the five bundled captures, one per site template."""

from __future__ import annotations

import pytest

from sources.records import ParsedDocument


def _ok(doc: ParsedDocument, template: str):
    assert doc.rejection is None, doc.rejection
    ex = doc.extraction
    assert ex is not None
    assert ex.source == ex.extraction_method == template
    assert ex.confidence == 1.0
    assert ex.occupation == "Machine Learning Engineer"
    assert ex.occupation_slug == "machine-learning-engineer"
    return ex


def test_every_seed_is_detected_as_its_own_template(seeds):
    assert {t: d.extraction.source for t, d in seeds.items() if d.extraction} == {
        t: t for t in seeds
    }


def test_text_hashes_are_distinct_hex_digests(seeds):
    hashes = [d.text_sha256 for d in seeds.values()]
    assert all(h is not None and len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    assert len(set(hashes)) == len(hashes)


def test_resilience_profile(seeds):
    ex = _ok(seeds["resilience_profile"], "resilience_profile")
    s = ex.score
    assert (s.value, s.scale_min, s.scale_max, s.polarity, s.raw_text) == (
        68.0,
        0.0,
        100.0,
        "safety",
        "68/100",
    )
    assert ex.label == "Low exposure"
    assert [t.pct_automatable for t in ex.tasks_automation] == [55, 70, 60, 35, 15, 40]
    assert ex.tasks_automation[0].task == "Exploratory data analysis and feature engineering"
    assert ex.tasks_automation[1].rationale.startswith("AutoML platforms (H2O, AutoGluon")
    assert ex.tasks_automation[5].task == "Research implementation and custom architectures"
    humans = ex.task_mentions
    assert len(humans) == 5 and {m.stance for m in humans} == {"human"}
    assert humans[0].task.startswith("Judgment about when ML is the wrong solution")
    assert not any(m.task.startswith("•") for m in humans)
    recs = ex.recommendations
    assert [r.ordinal for r in recs] == [1, 2, 3, 4, 5]
    assert [r.horizon for r in recs] == [
        "6-12 months",
        "ongoing",
        "12-24 months",
        "this quarter",
        "ongoing",
    ]
    assert recs[0].action == "Own end-to-end ML product outcomes"
    assert recs[0].description.endswith("This full-stack accountability is hard to automate.")
    bands = {b.seniority: b for b in ex.salary_bands}
    assert set(bands) == {"Entry-level roles", "Top-tier companies"}
    entry, top = bands["Entry-level roles"], bands["Top-tier companies"]
    assert (entry.low, entry.high, entry.open_ended) == (150_000, None, True)
    assert (top.low, top.high, top.open_ended) == (300_000, 500_000, True)
    assert {b.currency for b in ex.salary_bands} == {"USD"}
    assert {b.period for b in ex.salary_bands} == {"annual"}
    assert {t.tool for t in ex.tools} == {
        "AutoML",
        "H2O",
        "AutoGluon",
        "Vertex AI",
        "GitHub Copilot",
        "Cursor",
        "PyTorch",
        "TensorFlow",
        "MLflow",
        "Ray",
        "SageMaker Autopilot",
    }
    assert ex.career_steps == [] and ex.pivots == [] and ex.salary_growth == []
    assert ex.industry is None and ex.page_date is None


def test_jobisque(seeds):
    ex = _ok(seeds["jobisque"], "jobisque")
    s = ex.score
    assert (s.value, s.scale_max, s.polarity, s.raw_text) == (48.0, 100.0, "risk", "48/100")
    assert ex.label == "moderate"
    at_risk = [m for m in ex.task_mentions if m.stance == "at_risk"]
    human = [m for m in ex.task_mentions if m.stance == "human"]
    assert [m.task for m in at_risk] == [
        "Automated Hyperparameter Tuning",
        "Automated Feature Selection",
        "Automated Model Selection",
        "Automated Data Augmentation",
        "Automated Model Deployment",
    ]
    assert [m.task for m in human] == [
        "Novel Architecture Design",
        "Complex Business Problem Solving",
        "AI Ethics and Governance",
        "Technical Communication",
        "Team Leadership and Mentoring",
    ]
    assert at_risk[0].description.startswith("Grid search and random search")
    recs = ex.recommendations
    assert [(r.ordinal, r.action) for r in recs] == [
        (1, "Master AutoML Tools"),
        (2, "Develop Explainable AI Expertise"),
        (3, "Strengthen Cloud Computing Skills"),
        (4, "Build Domain Expertise"),
        (5, "Enhance Communication and Leadership Skills"),
    ]
    assert all(r.horizon is None and r.description for r in recs)
    assert {t.tool for t in ex.tools} == {
        "AutoML",
        "Google Cloud AutoML",
        "H2O",
        "MLflow",
        "TensorBoard",
        "Optuna",
        "Ray Tune",
        "SHAP",
        "LIME",
        "AWS",
        "Azure",
        "GCP",
    }
    assert next(t for t in ex.tools if t.tool == "H2O").evidence.snippet == "H2O.ai"


def test_impact_report(seeds):
    ex = _ok(seeds["impact_report"], "impact_report")
    s = ex.score
    assert (s.value, s.scale_max, s.polarity, s.raw_text) == (4.0, 10.0, "risk", "4/10")
    assert ex.label == "moderate"
    assert ex.industry == "Technology"
    [growth] = ex.salary_growth
    assert (growth.low_pct, growth.high_pct, growth.period) == (10, 20, "annual")
    [band] = ex.salary_bands
    assert band.seniority == "Senior MLEs at top companies"
    assert (band.low, band.high, band.open_ended, band.currency) == (300_000, 500_000, True, "USD")
    actions = [r.action for r in ex.recommendations]
    assert actions == [
        "Focus on production ML skills rather than research",
        "Develop deep expertise in LLM systems",
        "Learn vector databases and embedding systems",
        "Build skills in ML monitoring, observability, and cost optimization",
        "Understand AI safety and responsible AI practices",
        "Consider specializing in a vertical (healthcare ML, financial ML) where domain "
        "expertise multiplies your engineering value",
    ]
    assert ex.recommendations[0].description == (
        "companies need engineers who can make models work reliably at scale"
    )
    assert [r.ordinal for r in ex.recommendations] == list(range(1, 7))
    # The task lists of this capture hold only the template's boilerplate paragraphs.
    assert ex.task_mentions == []
    assert [t.tool for t in ex.tools] == ["AutoML"]


def test_ai_safe_careers(seeds):
    ex = _ok(seeds["ai_safe_careers"], "ai_safe_careers")
    s = ex.score
    assert (s.value, s.scale_max, s.polarity, s.raw_text) == (9.0, 10.0, "safety", "9/10")
    assert ex.label == "AI-Created"
    assert ex.industry == "Technology"
    bands = [(b.seniority, b.low, b.high, b.open_ended, b.currency) for b in ex.salary_bands]
    assert bands == [
        ("Entry", 100_000, 100_000, False, "USD"),
        ("Mid", 160_000, 160_000, False, "USD"),
        ("Senior", 250_000, 250_000, False, "USD"),
    ]
    assert ex.recommendations == [] and ex.task_mentions == []


def test_career_guide(seeds):
    ex = _ok(seeds["career_guide"], "career_guide")
    s = ex.score
    assert (s.value, s.scale_max, s.polarity) == (78.0, 100.0, "safety")
    assert s.raw_text == "78 / 100" and s.evidence.snippet == "78\n/ 100"
    assert ex.label == "Relatively safe"
    assert ex.page_date == "April 2026"
    bands = [(b.seniority, b.low, b.high, b.open_ended) for b in ex.salary_bands]
    assert bands == [
        ("Junior", 95_000, 130_000, False),
        ("Mid", 130_000, 180_000, False),
        ("Senior", 180_000, 255_000, False),
        ("Manager", 255_000, 380_000, False),
    ]
    assert {(b.currency, b.period, b.region) for b in ex.salary_bands} == {("USD", "annual", "US")}
    steps = [(c.step, c.title, c.years_min, c.years_max) for c in ex.career_steps]
    assert steps == [
        (1, "Junior Machine Learning Engineer", 0, 2),
        (2, "Machine Learning Engineer", 2, 4),
        (3, "Senior Machine Learning Engineer", 4, 7),
        (4, "Staff / Lead Machine Learning Engineer", 7, 10),
        (5, "ML Engineering Manager / Head of ML Platform", 10, None),
    ]
    assert ex.career_steps[0].description == (
        "Ships scoped model services and supports production workflows."
    )
    pivots = [(p.role, p.ease) for p in ex.pivots]
    assert pivots == [
        ("Software Engineer", "High"),
        ("Data Engineer", "High"),
        ("Data Scientist", "Medium"),
        ("Cloud Engineer", "Medium"),
        ("AI Governance Analyst", "Medium"),
        ("Backend Developer", "High"),
    ]
    assert ex.pivots[3].description == "Good pivot for infrastructure-heavy MLEs."
    # Duties ("What a ... actually does") state no stance: deliberately not recorded.
    assert ex.task_mentions == [] and ex.tasks_automation == []


@pytest.mark.parametrize("template", ["impact_report", "ai_safe_careers"])
def test_headline_stated_twice_with_the_same_value_is_not_a_conflict(seeds, seed_texts, template):
    ex = seeds[template].extraction
    stated = ex.score.raw_text.split("/")[0]
    assert seed_texts[template].count(f"{stated} out of 10") == 1
    assert ex.score.evidence.start < seed_texts[template].index(f"{stated} out of 10")
