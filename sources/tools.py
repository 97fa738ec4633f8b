"""Tool and platform mentions, from the reviewed gazetteer ``data/tools.csv``.

A gazetteer (not a pattern guess) because tool names are proper nouns that
collide with ordinary words; matching is case-sensitive and whole-word, longest
alias first. Each tool is recorded once, at its first mention. The aliases are
compiled into one trie-shaped regex (one pass over the text, no backtracking
over a hundred alternatives at every position).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

from sources.records import Evidence, ToolMention


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of ``words``, the longest one when several fit."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer continuation is optional (greedy)
            return f"(?:{body})?"
        return body

    return build(trie)


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
    pattern = _trie_pattern(sorted(alias_to_tool))
    return re.compile(rf"{pattern}(?![\w+]|\.\w)"), alias_to_tool


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_.+-"


def find_tools(text: str, start: int = 0, end: int | None = None) -> list[ToolMention]:
    """One :class:`ToolMention` per gazetteer tool named in ``text[start:end]``."""
    pattern, alias_to_tool = _gazetteer()
    seen: dict[str, ToolMention] = {}
    for m in pattern.finditer(text, start, len(text) if end is None else end):
        at = m.start()
        tool = alias_to_tool.get(m.group())
        if tool is None or (at > 0 and _word_char(text[at - 1])):
            continue  # a prefix of a longer word, or inside one
        if tool not in seen:
            seen[tool] = ToolMention(tool, Evidence(at, m.end(), m.group()))
    return list(seen.values())
