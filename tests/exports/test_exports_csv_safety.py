"""The CSV formula-injection rule, in Python and in SQL."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.csv_safety import (
    FORMULA_TRIGGERS,
    is_text_type,
    needs_neutralising,
    neutralise_cell,
    neutralised_select,
    quote_identifier,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://example.invalid","x") Analyst',
            '\'=HYPERLINK("http://example.invalid","x") Analyst',
        ),
        ("+1 Engineer", "'+1 Engineer"),
        ("-Tester", "'-Tester"),
        ("@Admin", "'@Admin"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        (
            "Robert'); DROP TABLE assessments;-- Engineer",
            "Robert'); DROP TABLE assessments;-- Engineer",
        ),
        ("Data Scientist", "Data Scientist"),
        (" =not first", " =not first"),
        ("", ""),
        (None, None),
        (-3.5, -3.5),
        (12, 12),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_triggers_are_the_owasp_set():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
    assert needs_neutralising("=1") and not needs_neutralising("1=")


def test_text_types():
    assert is_text_type("varchar") and is_text_type("ENUM")
    assert not any(is_text_type(t) for t in ("double", "bigint", "list", "struct", "timestamp"))


def test_column_names_are_quoted_identifiers():
    assert quote_identifier('we"ird') == '"we""ird"'
    sql = neutralised_select([('we"ird', "varchar"), ("n", "double")], '"t"')
    assert '"we""ird"' in sql and sql.endswith('"n" FROM "t"')


def test_sql_rule_keeps_numbers_and_names():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM "
        "(VALUES ('-Tester', -3.5::DOUBLE, 'x'), ('ok', 2.0, NULL)) "
        'v(title, "risk score", "=name")'
    )
    rel = con.sql("SELECT * FROM t")
    sql = neutralised_select([(n, t.id) for n, t in zip(rel.columns, rel.types, strict=True)], "t")
    result = con.sql(sql)
    assert result.columns == ["title", "risk score", "=name"]
    assert [str(t) for t in result.types] == ["VARCHAR", "DOUBLE", "VARCHAR"]
    assert result.fetchall() == [("'-Tester", -3.5, "x"), ("ok", 2.0, None)]


def test_sql_rule_covers_enums():
    con = duckdb.connect()
    con.execute("CREATE TYPE mood AS ENUM ('-low', 'high')")
    con.execute(
        "CREATE TABLE t AS SELECT CAST(m AS mood) AS m FROM (VALUES ('-low'), ('high')) v(m)"
    )
    sql = neutralised_select([("m", con.sql("SELECT * FROM t").types[0].id)], "t")
    assert con.sql(sql).fetchall() == [("'-low",), ("high",)]


_con = duckdb.connect()
_con.execute("CREATE TABLE cells (i INTEGER, v VARCHAR)")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=12),
            st.sampled_from(FORMULA_TRIGGERS).map(lambda c: c + "x"),
        ),
        max_size=8,
    )
)
def test_sql_rule_matches_python_rule(values):
    _con.execute("DELETE FROM cells")
    if values:
        _con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(values)))
    sql = neutralised_select([("v", "varchar")], "(SELECT v FROM cells ORDER BY i)")
    assert [r[0] for r in _con.execute(sql).fetchall()] == [neutralise_cell(v) for v in values]
