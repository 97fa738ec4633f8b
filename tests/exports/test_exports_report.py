"""The static HTML report: sections, offline-ness, charts, escaping, missing data."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import exports.report as report_module
from exports.report import build_report
from exports.report_charts import RISK_AXIS_LABEL, dot_label

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Collects tags, ids, section ids and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def sections(self) -> list[str]:
        return [
            a["id"] or "" for t, a in self.tags if t == "section" and a.get("class") == "occupation"
        ]


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _assert_offline(html: str) -> None:
    lowered = html.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert not re.search(r"""(src|href|action|poster)\s*=\s*["']?\s*(https?:|//)""", lowered)
    assert "@import" not in lowered
    assert not re.search(r"url\(\s*['\"]?\s*(https?:|//)", lowered)
    page = _parse(html)
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("#", "data:image/png;base64,")), (tag, value[:40])
        assert tag not in ("link", "iframe", "object", "embed", "base")
        if tag == "script":
            assert "src" not in attrs


@pytest.fixture(scope="module")
def report_warehouse(tmp_path_factory, warehouse_factory):
    con = warehouse_factory(tmp_path_factory.mktemp("report_wh") / "warehouse.duckdb")
    yield con
    con.close()


@pytest.fixture(scope="module")
def report(report_warehouse, tmp_path_factory) -> tuple[Path, str]:
    """The report of the shared warehouse, built once for the read-only tests."""
    index = build_report(report_warehouse, tmp_path_factory.mktemp("out") / "report")
    return index, index.read_text(encoding="utf-8")


def test_report_has_one_section_per_occupation(report, report_warehouse):
    index, html = report
    assert index.name == "index.html" and index.parent.name == "report"
    slugs = [
        r[0]
        for r in report_warehouse.execute(
            "SELECT occupation_slug FROM consensus_profiles"
        ).fetchall()
    ]
    sections = _parse(html).sections()
    assert sorted(sections) == sorted(slugs)
    assert len(sections) == len(set(sections)) == 10
    # The overview lists every occupation and links to its section.
    for slug in slugs:
        assert f'href="#{slug}"' in html


def test_report_is_offline(report):
    _, html = report
    _assert_offline(html)
    assert html.count("<script") == 1  # our own inline sorter
    assert "<style>" in html


def test_charts_are_png_files_and_embedded(report):
    index, html = report
    charts = sorted((index.parent / "charts").glob("*.png"))
    names = {p.name for p in charts}
    assert "occupation-machine-learning-engineer.png" in names
    assert {"overview-medians.png", "source-bias.png"} <= names
    assert len(charts) == 10 + 2  # one per occupation section + overview + source bias
    for png in charts:
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1000, png.name
    assert html.count("data:image/png;base64,") == len(charts)


def test_hostile_titles_are_escaped(report, hostile_titles):
    _, html = report
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Engineer" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; task" in html
    assert "Robert&#x27;); DROP TABLE assessments;-- Engineer" in html
    assert "$x^2$ &amp; &quot;Quotes&quot; Engineer" in html
    text = "".join(_parse(html).text)
    for title in hostile_titles.values():
        assert title.strip() in text  # shown literally once unescaped by a browser
    tags = {t for t, _ in _parse(html).tags}
    assert "b" not in tags


def test_report_contents(report):
    _, html = report
    text = " ".join("".join(_parse(html).text).split())
    assert "risk score 0–100, higher = more AI displacement risk" in text
    assert "32.0 (interval 22–40)" in text  # MLE median and interval
    assert "30.4 / 10–48" in text  # mean and range
    assert "31.0 (interval 24–38) vs raw 32.0" in text  # calibrated vs raw
    assert "68/100" in text and "safety" in text
    assert "Data cleaning and labelling" in text and "70%" in text
    assert "220,000+" in text and "open-ended in 2 sources" in text
    assert "Score history" in text
    assert "No task automation figures were stated by the sources." in text  # Data Entry Clerk
    assert "Only one source scores this occupation" in text
    assert "skipped: shares 1 occupations with other sources (< min_overlap 3)" in text


def test_dot_labels_and_axis_wording():
    row = {"source": "resilience_profile", "raw_score": "68/100", "risk_score": 32.0}
    assert dot_label(row) == "resilience_profile 68/100 → 32"
    row = {
        "source": "impact_report",
        "raw_score": None,
        "raw_value": 4.0,
        "scale_max": 10.0,
        "risk_score": 40.0,
    }
    assert dot_label(row) == "impact_report 4/10 → 40"
    assert RISK_AXIS_LABEL == "risk score (0–100, higher = more AI displacement risk)"


def test_missing_views_and_columns_are_tolerated(tmp_path, frames, load_views):
    profiles = frames["consensus_profiles"].drop(columns=["ci_low", "ci_high", "agreement"])
    profiles = profiles.head(1).assign(risk_calibrated=None, calibration_status=None)
    con = duckdb.connect()
    load_views(
        con, {"consensus_profiles": profiles, "source_scores": frames["source_scores"].head(0)}
    )
    index = build_report(con, tmp_path / "report")
    html = index.read_text(encoding="utf-8")
    _assert_offline(html)
    assert _parse(html).sections() == ["machine-learning-engineer"]
    assert "The warehouse has no task_consensus view" in html
    assert "lacks the column(s) ci_low, ci_high, agreement" in html
    assert "Calibration was skipped" in html
    # No source rows, no tasks, no salaries, no history: no occupation chart.
    assert sorted(p.name for p in (tmp_path / "report" / "charts").iterdir()) == [
        "overview-medians.png"
    ]


def test_calibration_skipped_is_explained(tmp_path, frames, load_views):
    reason = "skipped: fewer than 2 sources share >= 3 occupations with each other"
    frames["source_bias"] = frames["source_bias"].assign(
        offset=None, ci_low=None, ci_high=None, status=reason
    )
    frames["consensus_profiles"] = frames["consensus_profiles"].assign(
        risk_calibrated=None,
        calibrated_ci_low=None,
        calibrated_ci_high=None,
        calibration_status=reason,
    )
    frames["source_scores"] = frames["source_scores"].assign(calibrated_score=None)
    con = duckdb.connect()
    load_views(con, frames)
    html = build_report(con, tmp_path / "report", max_sections=2).read_text(encoding="utf-8")
    assert (
        "Calibration was skipped: fewer than 2 sources share &gt;= 3 occupations with each other."
        in html
    )
    assert not (tmp_path / "report" / "charts" / "source-bias.png").exists()
    _assert_offline(html)


def test_empty_warehouse(tmp_path, frames, load_views):
    con = duckdb.connect()
    load_views(con, {name: frame.head(0) for name, frame in frames.items()})
    index = build_report(con, tmp_path / "report")
    html = index.read_text(encoding="utf-8")
    assert "No occupations in the warehouse yet." in html
    assert _parse(html).sections() == []
    assert list((tmp_path / "report" / "charts").iterdir()) == []


def test_sections_are_capped_but_the_overview_lists_all(tmp_path, frames, load_views):
    base = frames["consensus_profiles"].iloc[0]
    profiles = pd.DataFrame(
        [
            {
                **base.to_dict(),
                "occupation": f"Occupation {i:03d}",
                "occupation_slug": f"occupation-{i:03d}",
                "n_sources": 1 + i % 4,
            }
            for i in range(40)
        ]
    )
    con = duckdb.connect()
    load_views(con, {"consensus_profiles": profiles})
    html = build_report(con, tmp_path / "report", max_sections=5).read_text(encoding="utf-8")
    sections = _parse(html).sections()
    assert len(sections) == 5
    assert all(int(s[-3:]) % 4 == 3 for s in sections)  # the best-covered (4 sources) first
    assert "Detailed sections are shown for 5 of 40 occupations" in html
    assert html.count('<tr><td data-sort="occupation ') == 40


def test_rebuild_removes_stale_charts(report_warehouse, tmp_path):
    out = tmp_path / "report"
    stale = out / "charts" / "occupation-gone.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(PNG_MAGIC)
    (out / "charts" / "keep.txt").write_text("not a chart")
    build_report(report_warehouse, out, max_sections=1)
    assert not stale.exists()
    assert len(list((out / "charts").glob("*.png"))) == 3
    assert (out / "charts" / "keep.txt").exists()


@pytest.mark.slow
def test_parallel_charts_match_serial_ones(report, report_warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "PARALLEL_MIN_CHARTS", 2)
    index = build_report(report_warehouse, tmp_path / "report", workers=2)
    serial_dir = report[0].parent / "charts"
    parallel = {p.name: p.read_bytes() for p in (index.parent / "charts").glob("*.png")}
    assert parallel == {p.name: p.read_bytes() for p in serial_dir.glob("*.png")}
