"""CSV formula-injection neutralisation (the OWASP "CSV injection" rule).

A spreadsheet application that opens a CSV file treats a cell beginning with
``=``, ``+``, ``-`` or ``@`` as a formula, and some also do so after a leading
tab or carriage return. Occupation titles, labels and task names are scraped
from the web, so a title such as ``=HYPERLINK("http://example.invalid","x")``
would become a live formula in an analyst's spreadsheet.

The rule, applied to the published CSV files only (Parquet and JSON keep the
exact text):

* a **text** cell (a ``VARCHAR`` or ``ENUM`` column) whose first character is
  one of ``=``, ``+``, ``-``, ``@``, tab (U+0009) or carriage return (U+000D)
  is written with a single quote ``'`` prepended;
* every other cell is written unchanged: numbers (a negative number stays a
  number), booleans, dates and timestamps, and nested values (lists, structs
  and maps are rendered starting with ``[`` or ``{``, which no spreadsheet
  reads as a formula);
* ``NULL`` stays an empty cell.

The rule is applied in SQL (:func:`neutralised_select`) so an export stays a
single bulk ``COPY``; :func:`neutralise_cell` is the same rule in Python, for
writers that handle individual values and for testing the SQL against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Characters that make a spreadsheet cell a formula when they come first.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# What is prepended to a neutralised cell.
NEUTRALISING_PREFIX = "'"

# DuckDB type ids (``DuckDBPyType.id``) whose values are neutralised.
TEXT_TYPE_IDS = frozenset({"varchar", "enum"})


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_SQL_TRIGGERS = ", ".join(
    _sql_string(c) if c.isprintable() else f"chr({ord(c)})" for c in FORMULA_TRIGGERS
)


def needs_neutralising(text: str) -> bool:
    """True when ``text`` would be read as a formula by a spreadsheet."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise_cell(value: Any) -> Any:
    """The rule for one value: text starting with a trigger gets a leading ``'``."""
    if isinstance(value, str) and needs_neutralising(value):
        return NEUTRALISING_PREFIX + value
    return value


def quote_identifier(name: str) -> str:
    """A SQL identifier for a column name (names are quoted, never interpolated raw)."""
    return '"' + name.replace('"', '""') + '"'


def is_text_type(type_id: str) -> bool:
    """Whether a column of this DuckDB type id (e.g. ``"varchar"``) is neutralised."""
    return type_id.lower() in TEXT_TYPE_IDS


def neutralise_expression(column: str) -> str:
    """SQL expression producing the neutralised text of column ``column``."""
    col = f"CAST({quote_identifier(column)} AS VARCHAR)"
    return (
        f"CASE WHEN substr({col}, 1, 1) IN ({_SQL_TRIGGERS}) "
        f"THEN {_sql_string(NEUTRALISING_PREFIX)} || {col} ELSE {col} END"
    )


def neutralised_select(columns: Iterable[tuple[str, str]], relation: str) -> str:
    """``SELECT`` over ``relation`` with the rule applied to its text columns.

    ``columns`` are ``(name, duckdb type id)`` pairs of ``relation`` in order;
    ``relation`` is an already-quoted identifier (e.g. a temporary table). The
    result keeps the column names and order.
    """
    items = []
    for name, type_id in columns:
        ident = quote_identifier(name)
        if is_text_type(type_id):
            items.append(f"{neutralise_expression(name)} AS {ident}")
        else:
            items.append(ident)
    if not items:
        raise ValueError("a CSV export needs at least one column")
    return f"SELECT {', '.join(items)} FROM {relation}"
