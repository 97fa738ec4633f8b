"""Registry of site-template adapters, and the choice of adapter for a page.

Each adapter module exposes ``TEMPLATE_ID``, ``detect(text) -> float`` (the
share of its fixed wording found, 0..1) and ``extract(text) -> Extraction |
Rejection``. Detection is by content because markup changes between captures
while each site's own wording does not. When a document's URL is known and its
host matches a template's pattern (``sources/data/template_hosts.csv``), that
template is preferred as soon as any of its wording is present.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from typing import Protocol
from urllib.parse import urlsplit

from sources.records import Extraction, Rejection
from sources.templates import (
    ai_safe_careers,
    career_guide,
    generic,
    impact_report,
    jobisque,
    resilience_profile,
)


class Adapter(Protocol):
    """What the registry needs from a template module."""

    TEMPLATE_ID: str

    def detect(self, text: str) -> float: ...

    def extract(self, text: str) -> Extraction | Rejection: ...


# Order matters only for ties in detection.
ADAPTERS: tuple[Adapter, ...] = (
    resilience_profile,
    jobisque,
    impact_report,
    ai_safe_careers,
    career_guide,
)
GENERIC: Adapter = generic
DETECT_THRESHOLD = 0.3  # at least two fixed phrases of a five- or six-phrase template


def load_host_patterns(text: str) -> dict[str, tuple[str, ...]]:
    """template_id -> host patterns, from CSV text (``#`` lines are comments)."""
    rows = [r for r in text.splitlines() if not r.lstrip().startswith("#")]
    table: dict[str, list[str]] = {}
    for row in csv.DictReader(rows):
        tid, pattern = (row.get("template_id") or "").strip(), (row.get("host_pattern") or "")
        if tid and pattern.strip():
            table.setdefault(tid, []).append(pattern.strip().lower())
    return {k: tuple(v) for k, v in table.items()}


@cache
def host_patterns() -> dict[str, tuple[str, ...]]:
    """The reviewed host table, ``sources/data/template_hosts.csv``."""
    path = resources.files("sources") / "data" / "template_hosts.csv"
    return load_host_patterns(path.read_text(encoding="utf-8"))


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return (urlsplit(url).hostname or "").lower() or None
    except ValueError:
        return None


def _host_matches(host: str, pattern: str) -> bool:
    return fnmatchcase(host, pattern) or (pattern.startswith("*.") and host == pattern[2:])


def select_adapter(
    text: str,
    url: str | None = None,
    hosts: Mapping[str, Sequence[str]] | None = None,
    adapters: Sequence[Adapter] = ADAPTERS,
) -> Adapter | None:
    """The template adapter for a page, or None for the generic fallback."""
    host = _host(url)
    scores = [(adapter.detect(text), adapter) for adapter in adapters]
    if host:
        table = host_patterns() if hosts is None else hosts
        for score, adapter in scores:
            patterns = table.get(adapter.TEMPLATE_ID, ())
            if score > 0 and any(_host_matches(host, p) for p in patterns):
                return adapter
    best_score, best = max(scores, key=lambda pair: pair[0], default=(0.0, None))
    return best if best_score >= DETECT_THRESHOLD else None


def extract(text: str, url: str | None = None) -> Extraction | Rejection:
    """Extraction (or rejection) of normalised text by its template or the fallback."""
    adapter = select_adapter(text, url)
    return (adapter or GENERIC).extract(text)
