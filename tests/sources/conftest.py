"""Shared fixtures for the ``sources`` tests: the bundled captures and helpers."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from sources.parse import parse_document, visible_text
from sources.records import Evidence, Extraction, ParsedDocument

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"

SEEDS = {
    "resilience_profile": "000_d0b419500ac147b6.txt",
    "jobisque": "001_0728e555b7adc017.txt",
    "impact_report": "002_c2df89c96caf1802.txt",
    "ai_safe_careers": "003_83d766c8e4a3d6ff.txt",
    "career_guide": "004_f113ab306ea36678.txt",
}


def _seed_bytes(template: str) -> bytes:
    return (SAMPLES / SEEDS[template]).read_bytes()


def _as_html(text: str, title: str = "Page", *, block: str = "p") -> str:
    """A text capture as a simple HTML page: one ``block`` element per line."""
    body = "\n".join(
        f"<{block}>{html.escape(line)}</{block}>" for line in text.splitlines() if line.strip()
    )
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
        f"<body>{body}</body></html>"
    )


def _evidences(extraction: Extraction) -> Iterator[tuple[str, Evidence]]:
    """Every Evidence of an extraction, with a label saying where it came from."""
    yield "occupation", extraction.occupation_evidence
    yield "score", extraction.score.evidence
    if extraction.label_evidence is not None:
        yield "label", extraction.label_evidence
    for f in dataclasses.fields(extraction):
        value = getattr(extraction, f.name)
        if isinstance(value, list):
            for i, record in enumerate(value):
                yield f"{f.name}[{i}]", record.evidence


@pytest.fixture(scope="session")
def seed_bytes():
    """``seed_bytes(template_id) -> bytes`` of the bundled capture."""
    return _seed_bytes


@pytest.fixture(scope="session")
def as_html():
    """``as_html(text, title) -> str``: a text capture as an HTML page, a <p> per line."""
    return _as_html


@pytest.fixture(scope="session")
def evidences():
    """``evidences(extraction)`` yields ``(where, Evidence)`` for every extracted value."""
    return _evidences


@pytest.fixture(scope="session")
def seeds() -> dict[str, ParsedDocument]:
    """Each bundled capture parsed once, by template id."""
    return {t: parse_document(_seed_bytes(t), name=SEEDS[t]) for t in SEEDS}


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """The normalised visible text of each bundled capture, by template id."""
    out = {}
    for t in SEEDS:
        text = visible_text(_seed_bytes(t), name=SEEDS[t])
        assert isinstance(text, str)
        out[t] = text
    return out
