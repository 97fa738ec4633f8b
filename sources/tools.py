"""Tool and platform mentions, from the reviewed gazetteer ``data/tools.csv``.

A gazetteer (not a pattern guess) because tool names are proper nouns that
collide with ordinary words; matching is case-sensitive and whole-word, longest
alias first. Each tool is recorded once, at its first mention.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

from sources.records import Evidence, ToolMention


@cache
def _gazetteer() -> tuple[re.Pattern[str], dict[str, str]]:
    path = resources.files("sources") / "data" / "tools.csv"
    rows = [r for r in path.read_text(encoding="utf-8").splitlines() if not r.startswith("#")]
    alias_to_tool: dict[str, str] = {}
    for row in csv.DictReader(rows):
        tool = (row.get("tool") or "").strip()
        for alias in (row.get("aliases") or "").split("|"):
            if tool and alias.strip():
                alias_to_tool[alias.strip()] = tool
    alternation = "|".join(re.escape(a) for a in sorted(alias_to_tool, key=len, reverse=True))
    return re.compile(rf"(?<![\w.+-])(?:{alternation})(?![\w+]|\.\w)"), alias_to_tool


def find_tools(text: str, start: int = 0, end: int | None = None) -> list[ToolMention]:
    """One :class:`ToolMention` per gazetteer tool named in ``text[start:end]``."""
    pattern, alias_to_tool = _gazetteer()
    seen: dict[str, ToolMention] = {}
    for m in pattern.finditer(text, start, len(text) if end is None else end):
        tool = alias_to_tool[m.group()]
        if tool not in seen:
            seen[tool] = ToolMention(tool, Evidence(m.start(), m.end(), m.group()))
    return list(seen.values())
