"""The data dictionary (docs/warehouse.md) and the real schema, kept in step.

``python -m warehouse.dictionary WAREHOUSE [DOC]`` prints the dictionary for the
views of a warehouse file, keeping the descriptions already written in DOC, so a
schema change shows up as a diff with blanks to fill in. A test fails while the
file and the schema disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

_SECTION = re.compile(r"^### `(\w+)`\s*$")
_ROW = re.compile(r"^\| `(\w+)` \| ([^|]*) \| (.*) \|\s*$")


def view_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every view and table of the main schema with its columns and types, in order."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def documented(markdown: str) -> dict[str, dict[str, tuple[str, str]]]:
    """view -> column -> (type, description), parsed from the dictionary's tables."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    current: str | None = None
    for line in markdown.splitlines():
        section = _SECTION.match(line)
        if section:
            current = section.group(1)
            out[current] = {}
            continue
        row = _ROW.match(line)
        if row and current is not None:
            out[current][row.group(1)] = (row.group(2).strip(), row.group(3).strip())
    return out


def render(columns: dict[str, list[tuple[str, str]]], known: dict) -> str:
    parts = []
    for view, cols in columns.items():
        parts.append(f"### `{view}`\n\n| column | type | description |\n| --- | --- | --- |")
        for name, dtype in cols:
            description = known.get(view, {}).get(name, ("", ""))[1]
            parts.append(f"| `{name}` | {dtype} | {description} |")
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    warehouse = Path(argv[0])
    doc = Path(argv[1]) if len(argv) > 1 else Path("docs/warehouse.md")
    known = documented(doc.read_text()) if doc.exists() else {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        print(render(view_columns(con), known))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
