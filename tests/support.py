"""Constants and helpers shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "data" / "samples"

# What the five bundled captures must give:
# source -> (raw_value, scale_max, polarity, risk_score, label)
SEED_EXPECTED = {
    "resilience_profile": (68.0, 100.0, "safety", 32.0, "Low exposure"),
    "jobisque": (48.0, 100.0, "risk", 48.0, "moderate"),
    "impact_report": (4.0, 10.0, "risk", 40.0, "moderate"),
    "ai_safe_careers": (9.0, 10.0, "safety", 10.0, "AI-Created"),
    "career_guide": (78.0, 100.0, "safety", 22.0, "Relatively safe"),
}


@dataclass(frozen=True)
class PipelinePaths:
    landing: Path
    warehouse: Path
    exports: Path
    report: Path

    def cli_args(self) -> list[str]:
        return [
            "--landing",
            str(self.landing),
            "--warehouse",
            str(self.warehouse),
            "--exports",
            str(self.exports),
            "--report",
            str(self.report),
        ]


def make_the_parser_lose_a_column(
    monkeypatch, kind: str = "salary_bands", column: str = "currency"
):  # type: ignore[no-untyped-def]
    """Simulate a parser bug that drops a whole column of one detail table in every batch:
    a failure that names no document, so it cannot be quarantined away."""
    import sources.batch as batch

    real = batch.detail_frames

    def losing(rows_by_kind):  # type: ignore[no-untyped-def]
        frames = real(rows_by_kind)
        frames[kind] = frames[kind].drop(columns=[column])
        return frames

    monkeypatch.setattr(batch, "detail_frames", losing)
