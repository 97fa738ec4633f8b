"""The static HTML report: sections, offline-ness, charts, escaping, missing data, the chart
cache (content-addressed files, one per occupation panel, reuse, pruning, rounding) and
parallel drawing."""

from __future__ import annotations

import base64
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import exports.report_charts as report_charts
from exports.report import build_report
from exports.report_charts import RISK_AXIS_LABEL, dot_label

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
DIGEST = "[0-9a-f]{12}"


def _chart_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "charts").glob("*.png"))}


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _drawn(drawn: list) -> list[str]:
    """What was drawn: ``"<occupation title>: scores"`` or the panel kind / record type."""
    return [
        f"{chart.title}: {chart.kind}"
        if isinstance(chart, report_charts.ScoresPanel)
        else getattr(chart, "kind", type(chart).__name__)
        for chart in drawn
    ]


def _panel_file(out: Path, slug: str, panel: str) -> Path:
    (path,) = (out / "charts").glob(f"occupation-{slug}-{panel}-*.png")
    return path


def _chart_stats(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "charts").glob("*.png")}


@pytest.fixture
def draw_counter(monkeypatch):
    """Records every chart drawn in this process (the serial path)."""
    drawn: list = []
    draw = report_charts.draw_chart

    def counting(chart):
        drawn.append(chart)
        return draw(chart)

    monkeypatch.setattr(report_charts, "draw_chart", counting)
    return drawn


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
    """The report of the shared warehouse, built once (serially) for the read-only tests."""
    index = build_report(
        report_warehouse, tmp_path_factory.mktemp("out") / "report", generated_at=WHEN
    )
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
    files = _chart_files(index.parent)
    names = " ".join(files)
    # Content-addressed names: <kind>-<12 hex digits of the digest of what is drawn>.png,
    # one file per panel of an occupation.
    mle = "occupation-machine-learning-engineer"
    for kind in (
        *(f"{mle}-{panel}" for panel in ("scores", "tasks", "salaries", "history")),
        "occupation-data-entry-clerk-scores",
        "occupation-data-entry-clerk-history",
        "overview-medians",
        "source-bias",
    ):
        assert re.search(rf"\b{kind}-{DIGEST}\.png\b", names), kind
    assert not re.search(r"data-entry-clerk-(tasks|salaries)", names)  # no data, no panel
    # MLE: 4 panels, Data Entry Clerk: 2, the 8 others: a scores panel (and one a task
    # panel); the overview and the source bias.
    assert len(files) == 4 + 2 + 8 + 1 + 2
    for name, data in files.items():
        assert data.startswith(PNG_MAGIC) and len(data) > 1000, name
        assert data[25] == 3, name  # colour type 3: a palette PNG
    assert html.count("data:image/png;base64,") == len(files)
    for data in files.values():  # each file is the image embedded in the page
        assert _base64(data) in html


def test_occupation_panels_are_stacked_images_with_alt_texts(report):
    index, html = report
    section = html[html.index('id="machine-learning-engineer"') :]
    section = section[: section.index("</section>")]
    panels = section[section.index('<div class="panels">') :]
    alts = re.findall(r'<img class="chart" alt="([^"]*)" src="data:image/png;base64,', panels)
    assert alts == [
        "Machine Learning Engineer: the score of each source on the risk score 0–100, higher "
        "= more AI displacement risk scale, with the consensus median 32, the interval 22–40 "
        "and the calibrated scores",
        "Machine Learning Engineer: share of each task that is automatable, in % (4 tasks)",
        "Machine Learning Engineer: annual salary bands by seniority, in USD",
        "Machine Learning Engineer: score history of the sources with more than one capture "
        "(risk score 0–100, higher = more AI displacement risk)",
    ]
    # Top to bottom as the panels are named; each the PNG of its file.
    for panel in ("scores", "tasks", "salaries", "history"):
        data = _panel_file(index.parent, "machine-learning-engineer", panel).read_bytes()
        assert _base64(data) in panels
    # The calibrated marks: an SVG layer over the scores panel, and only there.
    assert panels.count("<svg") == 1
    layered = re.search(r'<div class="layered"><img [^>]*><svg class="layer" [^>]*>', panels)
    assert layered and "the calibrated scores" in layered.group(0)
    hostile = html[html.index('id="script-engineer"') :]
    assert '<img class="chart" alt="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ' in hostile


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
    names = [p.name for p in (tmp_path / "report" / "charts").iterdir()]
    assert len(names) == 1 and re.fullmatch(rf"overview-medians-{DIGEST}\.png", names[0])


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
    assert not list((tmp_path / "report" / "charts").glob("source-bias-*"))
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


def test_sections_prefer_sources_then_disagreement_then_slug(tmp_path, frames, load_views):
    base = frames["consensus_profiles"].iloc[0].to_dict()
    spreads = {"a": 10.0, "b": 60.0, "c": 30.0, "d": 60.0, "e": None, "f": 90.0}
    profiles = pd.DataFrame(
        [
            {
                **base,
                "occupation": f"Job {slug}",
                "occupation_slug": slug,
                "n_sources": 5 if slug != "f" else 2,  # f disagrees most but has fewer sources
                "risk_min": 20.0 if spread is not None else None,
                "risk_max": 20.0 + spread if spread is not None else None,
            }
            for slug, spread in spreads.items()
        ]
    )
    con = duckdb.connect()
    load_views(con, {"consensus_profiles": profiles})
    html = build_report(con, tmp_path / "report", max_sections=3).read_text(encoding="utf-8")
    # b and d tie on spread (slug decides), then c; shown in title order.
    assert _parse(html).sections() == ["b", "c", "d"]


def test_rebuild_removes_stale_charts(report_warehouse, tmp_path):
    out = tmp_path / "report"
    stale = out / "charts" / "occupation-gone-0123456789ab.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(PNG_MAGIC)
    (out / "charts" / "keep.txt").write_text("not a chart")
    build_report(report_warehouse, out, max_sections=1)
    assert not stale.exists()
    assert len(list((out / "charts").glob("*.png"))) == 4 + 2  # MLE's panels, overview, bias
    assert (out / "charts" / "keep.txt").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_unchanged_warehouse_draws_nothing(report, report_warehouse, tmp_path, draw_counter):
    index, html = report
    out = tmp_path / "report"
    shutil.copytree(index.parent, out)
    before = _chart_stats(out)
    again = build_report(report_warehouse, out, generated_at=WHEN)
    assert draw_counter == []  # every chart came from its file
    assert again.read_text(encoding="utf-8") == html  # the same page, byte for byte
    assert _chart_stats(out) == before  # chart files untouched: same inodes and times


def test_changed_occupation_redraws_only_its_chart(tmp_path, frames, load_views, draw_counter):
    con = duckdb.connect()
    load_views(con, frames)
    out = tmp_path / "report"
    build_report(con, out, max_sections=3, generated_at=WHEN)
    first = _chart_files(out)
    # Machine Learning Engineer: 4 panels, Data Entry Clerk: 2, +1 Engineer: 1; overview, bias.
    assert len(first) == 4 + 2 + 1 + 2 and len(draw_counter) == len(first)
    draw_counter.clear()

    scores = frames["source_scores"]
    mle = scores["occupation_slug"] == "machine-learning-engineer"
    jobisque = mle & (scores["source"] == "jobisque")
    # A column the chart does not show changes nothing...
    frames["source_scores"] = scores.assign(label=scores["label"].where(~mle, "Relabelled"))
    load_views(con, frames)
    build_report(con, out, max_sections=3, generated_at=WHEN)
    assert draw_counter == [] and _chart_files(out) == first

    # ...a score it shows redraws that occupation's scores panel and nothing else.
    frames["source_scores"] = frames["source_scores"].assign(
        risk_score=scores["risk_score"].where(~jobisque, 52.0),
        raw_score=scores["raw_score"].where(~jobisque, "52/100"),
    )
    load_views(con, frames)
    html = build_report(con, out, max_sections=3, generated_at=WHEN).read_text(encoding="utf-8")
    assert _drawn(draw_counter) == ["Machine Learning Engineer: scores"]
    second = _chart_files(out)
    gone, new = set(first) - set(second), set(second) - set(first)
    assert len(gone) == len(new) == 1  # the stale chart was pruned
    assert gone.pop().startswith("occupation-machine-learning-engineer-scores-")
    assert _base64(second[new.pop()]) in html
    assert {k: v for k, v in first.items() if k in second} == {
        k: v for k, v in second.items() if k in first
    }
    _assert_offline(html)


def test_changed_history_redraws_only_that_history_panel(
    tmp_path, frames, load_views, draw_counter
):
    """An older capture changes (the latest scores do not): one history panel is drawn."""
    con = duckdb.connect()
    load_views(con, frames)
    out = tmp_path / "report"
    build_report(con, out, generated_at=WHEN)
    before, stats = _chart_files(out), _chart_stats(out)
    draw_counter.clear()

    history = frames["score_history"]
    older = (
        (history["occupation_slug"] == "machine-learning-engineer")
        & (history["source"] == "career_guide")
        & (history["raw_score"] == "70/100")
    )
    assert older.sum() == 1
    frames["score_history"] = history.assign(
        risk_score=history["risk_score"].where(~older, 45.0),
        raw_score=history["raw_score"].where(~older, "55/100"),
    )
    load_views(con, frames)
    html = build_report(con, out, generated_at=WHEN).read_text(encoding="utf-8")

    assert _drawn(draw_counter) == ["history"]
    after = _chart_files(out)
    gone, new = set(before) - set(after), set(after) - set(before)
    assert [n.rsplit("-", 1)[0] for n in gone] == ["occupation-machine-learning-engineer-history"]
    assert [n.rsplit("-", 1)[0] for n in new] == ["occupation-machine-learning-engineer-history"]
    # Every other file, the other history panel included, is the same file as before.
    kept = set(before) & set(after)
    assert len(kept) == len(before) - 1
    assert "occupation-data-entry-clerk-history" in " ".join(kept)
    assert {n: _chart_stats(out)[n] for n in kept} == {n: stats[n] for n in kept}
    assert _base64(after[new.pop()]) in html
    assert "55/100" in html  # the captures table shows the change too


def test_truncated_chart_file_is_redrawn(report, report_warehouse, tmp_path, draw_counter):
    out = tmp_path / "report"
    shutil.copytree(report[0].parent, out)
    victim = _panel_file(out, "machine-learning-engineer", "tasks")
    good = victim.read_bytes()
    victim.write_bytes(good[: len(good) // 2])
    (out / "charts" / _panel_file(out, "data-entry-clerk", "history").name).unlink()
    build_report(report_warehouse, out, generated_at=WHEN)
    assert sorted(_drawn(draw_counter)) == ["history", "tasks"]  # each panel its own file
    assert victim.read_bytes() == good
    assert _chart_files(out) == _chart_files(report[0].parent)


def _mle_scores_panel(profile_changes=None, **row_changes):
    profile = {"risk_median": 32.0, "ci_low": 22.0, "ci_high": 40.0, "risk_calibrated": 31.0}
    row = {
        "source": "jobisque",
        "raw_score": "48/100",
        "risk_score": 48.0,
        "calibrated_score": 40.6,
        "label": "x",
    }
    (panel,) = report_charts.occupation_panels(
        "Engineer", {**profile, **(profile_changes or {})}, [{**row, **row_changes}], [], [], []
    )
    return panel


def test_chart_digest_covers_what_is_drawn():
    def digest(**changes):
        return report_charts.chart_digest(_mle_scores_panel(**changes))

    assert digest() == digest(label="something else", document_id="other")
    assert digest() != digest(risk_score=49.0)
    assert digest() != digest(raw_score="4.8/10")


def test_rounding_keeps_sub_pixel_shifts_out_of_the_digest():
    """Records hold values rounded to what the picture shows (0.2 point < half a pixel)."""
    base = _mle_scores_panel()
    shifted = _mle_scores_panel({"ci_low": 22.04}, risk_score=48.03)
    assert shifted == base
    assert report_charts.chart_digest(shifted) == report_charts.chart_digest(base)
    # Half a point (two pixels) is visible: a new record, a new digest.
    for moved in (_mle_scores_panel({"ci_low": 22.5}), _mle_scores_panel(risk_score=48.5)):
        assert report_charts.chart_digest(moved) != report_charts.chart_digest(base)
    # The picture is drawn from the rounded record: same record, same bytes.
    assert report_charts.draw_chart(shifted) == report_charts.draw_chart(base)
    # Legend numbers are the page's (whole points of the exact value), not the rounded ones.
    assert _mle_scores_panel({"risk_calibrated": 30.49}).calibrated_text == "30"
    assert _mle_scores_panel({"risk_calibrated": 30.51}).calibrated_text == "31"
    assert _mle_scores_panel({"risk_calibrated": 30.49}).calibration.median == 30.4


def test_a_new_calibration_moves_the_layer_not_the_picture():
    """Every data change moves the calibrated marks a little: that redraws no PNG."""
    base = _mle_scores_panel()
    for moved in (
        _mle_scores_panel(calibrated_score=44.0),
        _mle_scores_panel({"risk_calibrated": 31.4}),
    ):
        assert moved == base and report_charts.chart_digest(moved) == report_charts.chart_digest(
            base
        )
        assert report_charts.calibration_svg(moved.calibration) != report_charts.calibration_svg(
            base.calibration
        )
    # ...unless the key's whole-point calibrated median changes, or marks come or go.
    assert _mle_scores_panel({"risk_calibrated": 31.6}) != base
    assert _mle_scores_panel(calibrated_score=None) != base
    # Sub-pixel moves leave the layer as it was too.
    still = _mle_scores_panel({"risk_calibrated": 31.04}, calibrated_score=40.63)
    assert report_charts.calibration_svg(still.calibration) == report_charts.calibration_svg(
        base.calibration
    )


def test_calibration_layer_lies_on_the_panel_axes(monkeypatch):
    """The SVG's pixel frame is the PNG's: each mark where matplotlib would put it."""
    import io

    from PIL import Image

    monkeypatch.setattr(report_charts, "_reuse_axes", False)
    for n in (1, 3, 6, 11):
        rows = [
            {"source": f"s{i}", "raw_score": f"{10 * i}/100", "risk_score": 10.0 * i,
             "calibrated_score": 10.0 * i + 3}
            for i in range(n)
        ]  # fmt: skip
        (panel,) = report_charts.occupation_panels("T", {"risk_calibrated": 50.0}, rows, [], [], [])
        png = report_charts.draw_chart(panel)
        size = Image.open(io.BytesIO(png)).size
        width, height, x, y = report_charts.scores_geometry(n)
        assert (width, height) == size
        lent = len(report_charts._lent_axes)
        with report_charts._chart_settings():
            ax = report_charts._scores_figure(panel).axes[0]
            for score, row in ((0.0, 0), (37.5, n - 1), (100.0, n / 2)):
                xd, yd = ax.transData.transform((score, row))
                assert abs(x(score) - xd) < 1e-6 and abs(y(row) - (height - yd)) < 1e-6
        del report_charts._lent_axes[lent:]
        svg = report_charts.calibration_svg(panel.calibration)
        assert svg.startswith(f'<svg class="layer" viewBox="0 0 {width} {height}"')
        assert svg.count("<polygon") == n  # a diamond per calibrated score
        assert svg.count("<line") == n + 1  # a link per score, and the calibrated median
        assert "xmlns" not in svg and "://" not in svg  # inline in HTML: no reference out
    assert report_charts.calibration_svg(None) == ""


def test_records_round_what_they_are_given():
    dot = report_charts.SourceDot("x", 32.0300001)
    assert dot.risk == 32.0
    mark = report_charts.CalibratedMark(0, 32.0300001, -0.04)
    assert (mark.risk, repr(mark.calibrated)) == (32.0, "0.0")  # never -0.0
    band = report_charts.SalaryBand("mid", 88_750.0, 120_049.0, False)
    assert (band.start, band.end) == (88_800.0, 120_000.0)
    line = report_charts.HistoryLine("s", (1_700_000_000_400_000_000,), (33.33,))
    assert line.at_ns == (1_700_000_000_000_000_000,) and line.risk == (33.4,)
    bar = report_charts.TaskBar("t", 62.46, "62% · 2 sources")
    assert bar.share == 62.4
    row = report_charts.BiasRow("s", 0.2549, -0.0001, None)
    assert (row.offset, repr(row.ci_low), row.ci_high) == (0.25, "0.0", None)


def _mle_panels(frames) -> tuple:
    """The machine learning engineer's four panels, from the fixture's views."""
    rows = {
        view: [r for r in frames[view].to_dict("records") if r["occupation_slug"] == slug]
        for view in ("source_scores", "task_consensus", "salary_consensus", "score_history")
        for slug in ["machine-learning-engineer"]
    }
    history = pd.DataFrame(rows["score_history"])
    history["at_ns"] = pd.to_datetime(history["fetched_at"], utc=True).astype("int64")
    profile = frames["consensus_profiles"].iloc[0].to_dict()
    panels = report_charts.occupation_panels(
        profile["occupation"],
        profile,
        rows["source_scores"],
        rows["task_consensus"],
        rows["salary_consensus"],
        history.to_dict("records"),
        currency="USD",
    )
    assert [p.kind for p in panels] == list(report_charts.PANEL_KINDS)
    return panels


def test_same_record_same_bytes_whatever_was_drawn_before(frames):
    """Texts are cached per process and settings entered per batch: order does not matter."""
    panels = _mle_panels(frames)
    forward = report_charts.render_charts(panels)
    report_charts._text_images.clear()
    backward = report_charts.render_charts(panels[::-1])[::-1]
    assert forward == backward
    for _ in range(3):  # drawn again and again, alone or in a batch: the same bytes
        assert [report_charts.draw_chart(p) for p in panels] == forward
        assert report_charts.render_charts([*panels, *panels]) == [*forward, *forward]


def _varied_charts(frames) -> list:
    """Charts of every kind, panels in two sizes, histories over days, years and minutes."""
    scores, tasks, salaries, history = _mle_panels(frames)
    (line,) = history.history
    day = 86_400 * 10**9
    years = report_charts.HistoryLine("years", (line.at_ns[0], line.at_ns[0] + 900 * day), (60, 70))
    minutes = report_charts.HistoryLine(
        "minutes", (line.at_ns[0], line.at_ns[0] + day // 96), (5, 95)
    )
    bias = report_charts.bias_chart_data(frames["source_bias"].to_dict("records"))
    assert bias is not None
    return [
        scores,
        replace(scores, dots=scores.dots[:2], calibrated_key=False, calibrated_text=None),
        tasks,
        replace(tasks, tasks=tasks.tasks[:1]),
        salaries,
        replace(salaries, salaries=salaries.salaries[:1], currency=None),
        history,
        replace(history, history=(line, years)),
        replace(history, history=(minutes,)),
        report_charts.median_histogram_data([10, 55, 90]),
        bias,
    ]


def test_reused_axes_draw_as_new(frames, monkeypatch):
    """A chart's bytes are those it has on a new figure, whatever was drawn before.

    A process draws a panel on the (reset) figure of the last one of its kind and height.
    """
    charts = _varied_charts(frames)
    monkeypatch.setattr(report_charts, "_reuse_axes", False)
    new = [report_charts.draw_chart(chart) for chart in charts]  # each on a figure of its own
    monkeypatch.setattr(report_charts, "_reuse_axes", True)
    n = len(charts)
    shuffled = list(range(n))
    random.Random(3).shuffle(shuffled)
    a_b_a = [
        i for pair in zip(range(n), range(n - 1, -1, -1), strict=True) for i in (*pair, pair[0])
    ]
    for order in (range(n), range(n - 1, -1, -1), shuffled, a_b_a):
        assert [report_charts.draw_chart(charts[i]) for i in order] == [new[i] for i in order]
    assert report_charts.render_charts([charts[i] for i in shuffled]) == [new[i] for i in shuffled]


def test_reset_axes_forget_every_kind_of_chart(frames, monkeypatch):
    """Resetting an axes undoes all any chart does to it, not only what panels of its kind do.

    Every chart, the report-wide ones with matplotlib's ticks and grids too, drawn on one
    shared axes, draws as on a new one.
    """
    charts = _varied_charts(frames)
    panel_figure, stacked_axes = report_charts._panel_figure, report_charts._stacked_axes

    def one_axes(heights, **margins):
        if not margins:  # a new axes for the shared place
            return stacked_axes([3.0])
        fig, ax = panel_figure("shared", 3.0)
        return fig, [ax]

    monkeypatch.setattr(
        report_charts, "_panel_figure", lambda kind, height: panel_figure("shared", 3.0)
    )
    monkeypatch.setattr(report_charts, "_stacked_axes", one_axes)
    monkeypatch.setattr(report_charts, "_reuse_axes", False)
    new = [report_charts.draw_chart(chart) for chart in charts]
    monkeypatch.setattr(report_charts, "_reuse_axes", True)
    order = [i for i in range(len(charts)) for _ in range(2)] + list(range(len(charts)))[::-1]
    assert [report_charts.draw_chart(charts[i]) for i in order] == [new[i] for i in order]


@pytest.mark.parametrize("executable", ["/nonexistent/python", shutil.which("false")])
def test_charts_are_drawn_here_when_workers_fail(monkeypatch, caplog, executable):
    charts = [report_charts.median_histogram_data([10 * i, 55, 90]) for i in range(4)]
    serial = [report_charts.draw_chart(chart) for chart in charts]
    monkeypatch.setattr(report_charts, "PARALLEL_MIN_CHARTS", 1)
    monkeypatch.setattr(report_charts, "MIN_CHARTS_PER_PROCESS", 1)
    monkeypatch.setattr(report_charts.sys, "executable", executable)
    assert report_charts.render_charts(charts, workers=3) == serial
    if not Path(executable).exists():
        assert "report chart worker could not start" in caplog.text


def test_workers_started_ahead_are_used_and_unused_ones_stopped(monkeypatch):
    charts = [report_charts.median_histogram_data([10 * i, 55, 90]) for i in range(6)]
    serial = [report_charts.draw_chart(chart) for chart in charts]
    monkeypatch.setattr(report_charts, "PARALLEL_MIN_CHARTS", 1)
    monkeypatch.setattr(report_charts, "MIN_CHARTS_PER_PROCESS", 1)
    with report_charts.ChartWorkers(1) as ready:
        [proc] = ready._idle
        assert report_charts.render_charts(charts, workers=2, ready=ready) == serial
        assert ready.take() is None  # the drawing took it
        assert proc.poll() is not None  # and ended it with the drawing
    with report_charts.ChartWorkers(2) as spare:
        procs = list(spare._idle)
        assert len(procs) == 2 and all(p.poll() is None for p in procs)
    assert all(p.poll() is not None for p in procs)  # never used: stopped on leaving


@pytest.mark.slow
def test_parallel_drawing_needs_no_main_guard_and_matches_serial(report, tmp_path):
    """Worker processes draw byte-identical charts and never import the caller's main."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, time
            from pathlib import Path

            import exports.report_charts as rc
            from exports.report import build_report
            from tests.exports.conftest import make_warehouse

            print("MAIN MODULE BODY", flush=True)
            rc.PARALLEL_MIN_CHARTS = rc.MIN_CHARTS_PER_PROCESS = 1
            here = []
            draw = rc.draw_chart

            def slow_draw(chart):  # slow this process down so the worker draws too
                here.append(chart)
                time.sleep(0.3)
                return draw(chart)

            rc.draw_chart = slow_draw
            con = make_warehouse(Path(sys.argv[1]))
            build_report(con, Path(sys.argv[2]), workers=2)
            print("DRAWN HERE", len(here), flush=True)
            """
        )
    )
    out = tmp_path / "report"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "wh.duckdb"), str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    both = done.stdout + done.stderr
    assert both.count("MAIN MODULE BODY") == 1, both
    drawn_here = int(re.search(r"DRAWN HERE (\d+)", done.stdout).group(1))
    assert drawn_here < 12  # the worker drew the others
    assert _chart_files(out) == _chart_files(report[0].parent)
    _assert_offline((out / "index.html").read_text(encoding="utf-8"))
