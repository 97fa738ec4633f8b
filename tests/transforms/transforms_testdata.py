"""Hand-built assessment frames for the transforms tests (imported by the tests).

The seed frame reproduces the five captured "Machine Learning Engineer" pages
(data/samples): resilience 68/100, risk 48/100, risk level 4/10, safety 9/10,
AI-proof 78/100.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

MLE = "Machine Learning Engineer"
MLE_SLUG = "machine-learning-engineer"
T0 = pd.Timestamp("2026-04-01T00:00:00", tz="UTC")

# source, raw_score, value, scale_max, polarity, label, expected risk
SEED = [
    ("resilience_profile", "68/100", 68.0, 100.0, "safety", "Low exposure", 32.0),
    ("jobisque", "48/100", 48.0, 100.0, "risk", "moderate", 48.0),
    ("impact_report", "4/10", 4.0, 10.0, "risk", "moderate", 40.0),
    ("ai_safe_careers", "9/10", 9.0, 10.0, "safety", "AI-Created", 10.0),
    ("career_guide", "78/100", 78.0, 100.0, "safety", "Relatively safe", 22.0),
]


def doc_id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def assessment(
    source: str,
    value: float,
    scale_max: float = 100.0,
    polarity: str = "risk",
    *,
    occupation: str = MLE,
    slug: str | None = None,
    label: str | None = None,
    fetched_at: pd.Timestamp = T0,
    scale_min: float = 0.0,
    raw_score: str | None = None,
    document_id: str | None = None,
) -> dict:
    """One row of the assessments frame, as the pipeline hands it over."""
    slug = slug or occupation.lower().replace(" ", "-")
    raw = raw_score or f"{value:g}/{scale_max:g}"
    return {
        "document_id": document_id or doc_id(source, slug, value, scale_max, fetched_at),
        "source": source,
        "extraction_method": source,
        "confidence": 0.9,
        "occupation_raw": occupation,
        "occupation": occupation,
        "occupation_slug": slug,
        "raw_score": raw,
        "raw_value": float(value),
        "scale_min": float(scale_min),
        "scale_max": float(scale_max),
        "polarity": polarity,
        "label": label,
        "industry": "Technology",
        "page_date": "April 2026",
        "url": f"https://{source}.example/{slug}",
        "fetched_at": fetched_at,
        "parser_version": "test",
        "score_span_start": 10,
        "score_span_end": 10 + len(raw),
        "score_snippet": raw,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["fetched_at"] = pd.to_datetime(df["fetched_at"], utc=True)
    return df


def seed_rows() -> list[dict]:
    return [
        assessment(
            src, value, smax, pol, label=label, raw_score=raw, fetched_at=T0 + pd.Timedelta(hours=i)
        )
        for i, (src, raw, value, smax, pol, label, _) in enumerate(SEED)
    ]


def synthetic(
    offsets: dict[str, float],
    n_occupations: int = 200,
    noise_sd: float = 3.0,
    missing: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Occupations with a true risk in [15, 85] scored by sources with known offsets.

    Scores are on a 0..100 risk scale, rounded to one decimal and clipped to the scale.
    """
    rng = np.random.default_rng(seed)
    truth = rng.uniform(15, 85, n_occupations)
    rows = []
    for o in range(n_occupations):
        present = [s for s in offsets if rng.random() >= missing]
        if len(present) < 2:
            present = list(offsets)[:2]
        for s in present:
            score = float(
                np.clip(round(truth[o] + offsets[s] + rng.normal(0, noise_sd), 1), 0, 100)
            )
            rows.append(
                assessment(
                    s,
                    score,
                    occupation=f"Occupation {o:04d}",
                    slug=f"occupation-{o:04d}",
                    fetched_at=T0 + pd.Timedelta(minutes=o),
                )
            )
    return frame(rows)
