"""Self-contained static HTML report of the consensus warehouse.

:func:`build_report` reads the analyst views (``consensus_profiles``,
``source_scores``, ``task_consensus``, ``salary_consensus``, ``source_bias``,
``score_history``), selecting the columns it uses by name (missing views or
columns are tolerated and shown as empty), and writes:

* ``index.html``: one file with inline CSS, a little inline JavaScript (sortable
  tables) and every chart embedded as a base64 PNG, so it renders offline and
  can be mailed or archived on its own; it references no external resource;
* ``charts/*.png``: the same charts as files, named after a digest of what they
  show (``occupation-<slug>-<panel>-<digest>.png``: one file per panel of an
  occupation). They double as a cache: a chart whose file is already there is
  not drawn again, so rebuilding the report of an unchanged warehouse draws
  nothing, and a change to one panel (say the score history) draws only that.

Every piece of text from the data is HTML-escaped. See docs/report.md.
"""

from __future__ import annotations

import base64
import contextlib
import html
import logging
import math
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from exports import report_charts as charts
from exports.csv_safety import quote_identifier
from exports.report_assets import CSS, JS
from exports.report_charts import finite_number as _num

log = logging.getLogger(__name__)

DEFAULT_MAX_SECTIONS = 200
"""Occupations given a full section (with a chart); the overview lists all of them."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_STALE_TEMP_S = 3600  # temporary files this old are left over from an interrupted build

# transforms.salaries keeps only annual USD figures in salary_consensus; a
# ``currency`` column, when a view has one, takes precedence.
SALARY_CURRENCY = "USD"

SCALE_STATEMENT = "risk score 0–100, higher = more AI displacement risk"

# The columns the report reads from each view; others are ignored, missing ones are null.
VIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "consensus_profiles": (
        "occupation",
        "occupation_slug",
        "n_sources",
        "n_documents",
        "risk_median",
        "risk_mean",
        "risk_min",
        "risk_max",
        "ci_low",
        "ci_high",
        "agreement",
        "band",
        "band_label",
        "status",
        "risk_calibrated",
        "calibrated_ci_low",
        "calibrated_ci_high",
        "calibration_status",
        "sources",
    ),
    "source_scores": (
        "occupation_slug",
        "occupation",
        "source",
        "document_id",
        "raw_score",
        "raw_value",
        "scale_max",
        "polarity",
        "risk_score",
        "label",
        "fetched_at",
        "calibrated_score",
    ),
    "task_consensus": (
        "occupation_slug",
        "occupation",
        "canonical_task",
        "n_sources",
        "n_mentions",
        "pct_automatable_mean",
        "pct_automatable_median",
        "n_sources_at_risk",
        "n_sources_human",
    ),
    "salary_consensus": (
        "occupation_slug",
        "occupation",
        "seniority",
        "n_sources",
        "low_median",
        "high_median",
        "n_open_ended",
        "currency",
    ),
    "source_bias": ("source", "offset", "ci_low", "ci_high", "n_occupations", "status"),
    "score_history": (
        "occupation_slug",
        "occupation",
        "source",
        "document_id",
        "fetched_at",
        "raw_score",
        "risk_score",
        "previous_risk_score",
        "change",
    ),
}
# Optional columns: their absence is not worth a note in the report.
_OPTIONAL = {("salary_consensus", "currency")}

BAND_ORDER = ("very_low", "low", "moderate", "high", "very_high")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


# --------------------------------------------------------------------------- helpers


def _e(value: Any) -> str:
    """Escape text from the data for HTML text and attribute values.

    ``://`` is written as ``:&#47;&#47;`` (which renders the same), so no URL
    from the data appears literally in the HTML source.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True).replace("://", ":&#47;&#47;")


def _fmt(value: Any, digits: int = 0) -> str:
    number = _num(value)
    if number is None:
        return "—"
    return f"{number:.{digits}f}"


def _count(value: Any) -> str:
    number = _num(value)
    return "—" if number is None else str(int(number))


def _interval(low: Any, high: Any, digits: int = 0) -> str:
    lo, hi = _num(low), _num(high)
    if lo is None or hi is None:
        return "—"
    return f"{lo:.{digits}f}–{hi:.{digits}f}"


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def _when(value: Any) -> str:
    if value is None or value is pd.NaT:
        return "—"
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return _e(value)
    if stamp is pd.NaT:
        return "—"
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def _sort_attr(value: Any) -> str:
    number = _num(value)
    return f' data-sort="{number!r}"' if number is not None else ' data-sort=""'


def _table(
    headers: Sequence[tuple[str, bool]],
    rows: Iterable[str],
    *,
    sortable: bool = False,
    caption: str | None = None,
) -> str:
    """A table; ``headers`` are (label, numeric) pairs; ``rows`` are ready ``<tr>`` strings."""
    head = "".join(
        f'<th scope="col"{" class=num" if numeric else ""}>{_e(label)}</th>'
        for label, numeric in headers
    )
    cls = ' class="sortable"' if sortable else ""
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f"<table{cls}>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="chart" alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _panel_alt(title: str, panel: charts.OccupationPanel) -> str:
    """What an occupation panel shows, for its ``alt`` text."""
    if isinstance(panel, charts.ScoresPanel):
        marks = []
        if panel.median is not None:
            marks.append(f"the consensus median {panel.median_text}")
        if panel.ci_low is not None and panel.ci_high is not None:
            marks.append(f"the interval {panel.interval_text}")
        if panel.calibration is not None:
            marks.append("the calibrated scores")
        shown = ""
        if marks:
            shown = ", with " + (
                f"{', '.join(marks[:-1])} and {marks[-1]}" if len(marks) > 1 else marks[0]
            )
        return f"{title}: the score of each source on the {SCALE_STATEMENT} scale{shown}"
    if isinstance(panel, charts.TasksPanel):
        n_shown = len(panel.tasks)
        which = (
            f"the {n_shown} most automatable of {panel.n_tasks}"
            if panel.n_tasks > n_shown
            else str(n_shown)
        )
        return f"{title}: share of each task that is automatable, in % ({which} tasks)"
    if isinstance(panel, charts.SalariesPanel):
        unit = panel.currency or "currency as stated by the sources"
        return f"{title}: annual salary bands by seniority, in {unit}"
    return f"{title}: score history of the sources with more than one capture ({SCALE_STATEMENT})"


def _panel_images(
    title: str, named: Sequence[tuple[charts.OccupationPanel, str]], pngs: Mapping[str, bytes]
) -> str:
    """An occupation's panels, stacked, each its own embedded PNG.

    A scores panel's calibrated marks are an SVG layer over its PNG
    (:func:`exports.report_charts.calibration_svg`).
    """
    if not named:
        return ""
    images = []
    for panel, name in named:
        image = _img(pngs[name], _panel_alt(title, panel))
        layer = charts.calibration_svg(getattr(panel, "calibration", None))
        images.append(f'<div class="layered">{image}{layer}</div>' if layer else image)
    return f'<div class="panels">{"".join(images)}</div>'


def _chart_file_name(kind: str, chart: charts.Chart) -> str:
    """``<kind>-<first 12 hex digits of the chart's digest>.png``."""
    return f"{kind}-{charts.chart_digest(chart)[:12]}.png"


def _slug_for_file(slug: str) -> str:
    return _UNSAFE_FILE_CHARS.sub("_", slug)[:80].strip("_") or "occupation"


# --------------------------------------------------------------------------- data


def _read_view(con: duckdb.DuckDBPyConnection, view: str, notes: list[str]) -> pd.DataFrame:
    wanted = VIEW_COLUMNS[view]
    try:
        present = set(con.sql(f"SELECT * FROM {quote_identifier(view)} LIMIT 0").columns)
    except duckdb.CatalogException:
        notes.append(f"The warehouse has no {view} view; its sections are empty.")
        return pd.DataFrame({c: pd.Series(dtype=object) for c in wanted})
    except duckdb.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        notes.append(f"The {view} view could not be read ({first}); its sections are empty.")
        return pd.DataFrame({c: pd.Series(dtype=object) for c in wanted})
    selected = [c for c in wanted if c in present]
    missing = [c for c in wanted if c not in present and (view, c) not in _OPTIONAL]
    if missing:
        notes.append(f"The {view} view lacks the column(s) {', '.join(missing)}; shown as empty.")
    if selected:
        cols = ", ".join(quote_identifier(c) for c in selected)
        frame = con.sql(f"SELECT {cols} FROM {quote_identifier(view)}").df()
    else:
        frame = pd.DataFrame()
    for column in wanted:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(wanted)]


def _records_by_slug(frame: pd.DataFrame, slugs: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``frame`` for the given occupations, as dicts grouped by slug."""
    if frame.empty or not slugs:
        return {}
    keep = frame.loc[frame["occupation_slug"].astype(str).isin(slugs)]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in keep.to_dict("records"):
        grouped.setdefault(str(row["occupation_slug"]), []).append(row)
    return grouped


def _with_capture_ns(history: pd.DataFrame) -> pd.DataFrame:
    """``score_history`` plus ``at_ns``: the capture time in UTC nanoseconds (None if unknown)."""
    at = pd.to_datetime(history["fetched_at"], utc=True, errors="coerce").dt.as_unit("ns")
    ns = at.array.asi8
    missing = at.isna().to_numpy()
    return history.assign(at_ns=[None if m else int(v) for v, m in zip(ns, missing, strict=True)])


def _section_slugs(profiles: pd.DataFrame, limit: int) -> list[str]:
    """The occupations given a detailed section, best first.

    Those scored by the most sources come first; among equals, those whose
    sources disagree the most (widest ``risk_max - risk_min``; unknown last);
    then by slug. Deterministic for a given warehouse.
    """
    if profiles.empty or limit <= 0:
        return []
    spread = pd.to_numeric(profiles["risk_max"], errors="coerce") - pd.to_numeric(
        profiles["risk_min"], errors="coerce"
    )
    ranked = profiles.assign(
        _n=pd.to_numeric(profiles["n_sources"], errors="coerce").fillna(0),
        _spread=spread.fillna(-1.0),
        _slug=profiles["occupation_slug"].astype(str),
    ).sort_values(["_n", "_spread", "_slug"], ascending=[False, False, True], kind="mergesort")
    return ranked["_slug"].drop_duplicates().head(limit).tolist()


# --------------------------------------------------------------------------- sections


def _overview(profiles: pd.DataFrame, with_section: set[str]) -> str:
    if profiles.empty:
        return "<p>No occupations in the warehouse yet.</p>"
    rows = []
    ordered = profiles.assign(_key=profiles["occupation"].astype(str).str.lower())
    for r in ordered.sort_values(["_key", "occupation_slug"]).to_dict("records"):
        slug = str(r["occupation_slug"])
        name = _e(r["occupation"]) or _e(slug)
        if slug in with_section:
            name = f'<a href="#{_e(slug)}">{name}</a>'
        band = _text(r["band"])
        band_rank = BAND_ORDER.index(band) if band in BAND_ORDER else len(BAND_ORDER)
        rows.append(
            "<tr>"
            f'<td data-sort="{_e(str(r["occupation"]).strip().lower())}">{name}</td>'
            f'<td class="num"{_sort_attr(r["risk_median"])}>{_fmt(r["risk_median"], 1)}</td>'
            f'<td class="num"{_sort_attr(r["ci_low"])}>{_interval(r["ci_low"], r["ci_high"])}</td>'
            f'<td class="num"{_sort_attr(r["n_sources"])}>{_count(r["n_sources"])}</td>'
            f"<td>{_e(r['agreement']) or '—'}</td>"
            f'<td data-sort="{band_rank}">{_e(r["band_label"] or band) or "—"}</td>'
            f"<td>{_e(r['status']) or '—'}</td>"
            "</tr>"
        )
    headers = [
        ("Occupation", False),
        ("Consensus median", True),
        ("Interval", True),
        ("Sources", True),
        ("Agreement", False),
        ("Band", False),
        ("Status", False),
    ]
    return f'<div class="table-wrap">{_table(headers, rows, sortable=True)}</div>'


def _calibration_notes(profiles: pd.DataFrame, bias: pd.DataFrame) -> list[str]:
    notes = []
    statuses = bias["status"].dropna().astype(str)
    if bias.empty:
        notes.append("Calibration was skipped: there are no source bias estimates.")
    elif not pd.to_numeric(bias["offset"], errors="coerce").notna().any():
        reasons = sorted({re.sub(r"^skipped:\s*", "", r) for r in statuses}) or [
            "no reason recorded"
        ]
        notes.append("Calibration was skipped: " + "; ".join(_e(r) for r in reasons) + ".")
    if not profiles.empty:
        calibrated = pd.to_numeric(profiles["risk_calibrated"], errors="coerce").notna()
        notes_by = profiles.loc[~calibrated, "calibration_status"].fillna("no status recorded")
        if calibrated.any() and len(notes_by):
            counts = notes_by.astype(str).value_counts().sort_index()
            detail = "; ".join(f"{_e(k)} ({v})" for k, v in counts.items())
            notes.append(
                f"Calibrated consensus available for {int(calibrated.sum())} of "
                f"{len(profiles)} occupations; the others: {detail}."
            )
    return notes


def _sources_panel(
    profiles: pd.DataFrame, scores: pd.DataFrame, bias: pd.DataFrame, chart_html: str
) -> str:
    parts = [
        "<p>Each source's offset is how many risk-score points it rates an occupation above "
        "(positive) or below (negative) the typical source for the same occupation, with "
        "its interval and the number of occupations it was fitted on.</p>"
    ]
    parts += [f'<p class="note">{n}</p>' for n in _calibration_notes(profiles, bias)]
    parts.append(chart_html)
    coverage = scores.groupby("source").size().to_dict() if not scores.empty else {}
    bias_by = {str(r["source"]): r for r in bias.to_dict("records")}
    names = sorted(set(bias_by) | {str(s) for s in coverage})
    rows = []
    for name in names:
        r = bias_by.get(name, {})
        rows.append(
            "<tr>"
            f"<td>{_e(name)}</td>"
            f'<td class="num"{_sort_attr(r.get("offset"))}>{_fmt(r.get("offset"), 1)}</td>'
            f'<td class="num"{_sort_attr(r.get("ci_low"))}>'
            f"{_interval(r.get('ci_low'), r.get('ci_high'), 1)}</td>"
            f'<td class="num"{_sort_attr(r.get("n_occupations"))}>'
            f"{_count(r.get('n_occupations'))}</td>"
            f'<td class="num">{coverage.get(name, 0)}</td>'
            f"<td>{_e(r.get('status')) or 'not in the calibration'}</td>"
            "</tr>"
        )
    if rows:
        headers = [
            ("Source", False),
            ("Offset (points)", True),
            ("Interval", True),
            ("Occupations in fit", True),
            ("Occupations scored", True),
            ("Calibration status", False),
        ]
        parts.append(_table(headers, rows, sortable=True))
    else:
        parts.append("<p>No sources in the warehouse yet.</p>")
    return "".join(parts)


def _facts(p: Mapping[str, Any]) -> str:
    items = [
        (
            "Consensus median",
            f"{_fmt(p['risk_median'], 1)} (interval {_interval(p['ci_low'], p['ci_high'])})",
        ),
        ("Mean / range", f"{_fmt(p['risk_mean'], 1)} / {_interval(p['risk_min'], p['risk_max'])}"),
        ("Sources / documents", f"{_count(p['n_sources'])} / {_count(p['n_documents'])}"),
        ("Agreement", _e(p["agreement"]) or "—"),
        ("Band", _e(p["band_label"] or p["band"]) or "—"),
        ("Status", _e(p["status"]) or "—"),
    ]
    if _num(p["risk_calibrated"]) is not None:
        items.append(
            (
                "Calibrated median",
                f"{_fmt(p['risk_calibrated'], 1)} (interval "
                f"{_interval(p['calibrated_ci_low'], p['calibrated_ci_high'])}) vs raw "
                f"{_fmt(p['risk_median'], 1)}",
            )
        )
    else:
        items.append(("Calibration", _e(p["calibration_status"]) or "not available"))
    return (
        '<dl class="facts">'
        + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in items)
        + "</dl>"
    )


def _source_rows(scores: list[dict[str, Any]]) -> str:
    rows = []
    ordered = sorted(
        scores,
        key=lambda r: (_num(r["risk_score"]) is None, _num(r["risk_score"]) or 0.0,
                       str(r["source"])),
    )  # fmt: skip
    for r in ordered:
        raw = _text(r["raw_score"])
        if raw is None and _num(r["raw_value"]) is not None and _num(r["scale_max"]) is not None:
            raw = f"{_num(r['raw_value']):g}/{_num(r['scale_max']):g}"
        rows.append(
            "<tr>"
            f"<td>{_e(r['source'])}</td>"
            f"<td>{_e(raw) or '—'}</td>"
            f"<td>{_e(r['polarity']) or '—'}</td>"
            f'<td class="num">{_fmt(r["risk_score"])}</td>'
            f'<td class="num">{_fmt(r["calibrated_score"])}</td>'
            f"<td>{_e(r['label']) or '—'}</td>"
            f"<td>{_when(r['fetched_at'])}</td>"
            "</tr>"
        )
    headers = [
        ("Source", False),
        ("As written", False),
        ("Polarity", False),
        ("Risk score", True),
        ("Calibrated", True),
        ("Label", False),
        ("Captured", False),
    ]
    return _table(headers, rows, caption="Sources (latest capture of each)")


def _task_rows(tasks: list[dict[str, Any]]) -> str:
    shared = [(charts.task_share(r), r) for r in tasks]
    shared.sort(key=lambda it: (it[0] is None, -(it[0] or 0.0), str(it[1]["canonical_task"])))
    rows = [
        "<tr>"
        f"<td>{_e(r['canonical_task'])}</td>"
        f'<td class="num">{_fmt(share) + "%" if share is not None else "—"}</td>'
        f'<td class="num">{_count(r["n_sources"])}</td>'
        f'<td class="num">{_count(r["n_sources_at_risk"])}</td>'
        f'<td class="num">{_count(r["n_sources_human"])}</td>'
        "</tr>"
        for share, r in shared
    ]
    headers = [
        ("Task", False),
        ("Automatable (median)", True),
        ("Sources", True),
        ("Say at risk", True),
        ("Say stays human", True),
    ]
    return _table(headers, rows, caption="Task automation")


def _salary_rows(salaries: list[dict[str, Any]]) -> str:
    rows = []
    for r in sorted(salaries, key=lambda r: charts.seniority_rank(r["seniority"])):
        low, high = _num(r["low_median"]), _num(r["high_median"])
        n_open = _num(r["n_open_ended"]) or 0
        if low is not None and high is not None:
            band = f"{low:,.0f}–{high:,.0f}"
        elif low is not None:
            band = f"{low:,.0f}+"
        elif high is not None:
            band = f"up to {high:,.0f}"
        else:
            band = "—"
        open_text = (
            f"open-ended in {int(n_open)} source{'s' if n_open != 1 else ''}"
            if n_open
            else ("open-ended" if high is None and low is not None else "")
        )
        currency = _e(_text(r.get("currency")) or SALARY_CURRENCY)
        rows.append(
            "<tr>"
            f"<td>{_e(r['seniority'])}</td>"
            f'<td class="num">{_e(band)}{" " + currency if currency else ""}</td>'
            f'<td class="num">{_count(r["n_sources"])}</td>'
            f"<td>{_e(open_text)}</td>"
            "</tr>"
        )
    headers = [
        ("Seniority", False),
        ("Annual salary, low–high", True),
        ("Sources", True),
        ("Open-ended", False),
    ]
    return _table(headers, rows, caption="Salary bands (median of the sources' figures)")


def _history_rows(history: list[dict[str, Any]]) -> str:
    keep = set(charts.history_sources(history))
    shown = sorted(
        (r for r in history if str(r["source"]) in keep),
        key=lambda r: (str(r["source"]), r["at_ns"] is None, r["at_ns"] or 0),
    )
    rows = [
        "<tr>"
        f"<td>{_e(r['source'])}</td>"
        f"<td>{_when(r['fetched_at'])}</td>"
        f"<td>{_e(r['raw_score']) or '—'}</td>"
        f'<td class="num">{_fmt(r["risk_score"])}</td>'
        f'<td class="num">{_fmt(r["change"], 0) if _num(r["change"]) is not None else "—"}</td>'
        "</tr>"
        for r in shown
    ]
    headers = [
        ("Source", False),
        ("Captured", False),
        ("As written", False),
        ("Risk score", True),
        ("Change", True),
    ]
    return _table(headers, rows, caption="Score history")


def _occupation_section(
    p: Mapping[str, Any],
    scores: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    salaries: list[dict[str, Any]],
    history: list[dict[str, Any]],
    chart_html: str,
) -> str:
    slug = str(p["occupation_slug"])
    title = _text(p["occupation"]) or slug
    badges = "".join(
        f' <span class="badge">{_e(v)}</span>'
        for v in (p["band_label"] or p["band"], p["status"])
        if _text(v)
    )
    notes = []
    n_sources = _num(p["n_sources"])
    if n_sources is not None and n_sources < 2:
        notes.append("Only one source scores this occupation: no interval or agreement.")
    elif _text(p["status"]) and _text(p["status"]) != "ok":
        notes.append(f"Consensus status: {_e(p['status'])}.")
    parts = [
        f'<section class="occupation" id="{_e(slug)}">',
        f'<h3>{_e(title)}{badges}</h3><div class="slug">{_e(slug)}</div>',
        _facts(p),
        *(f'<p class="note">{n}</p>' for n in notes),
        chart_html,
        '<div class="grid2">',
        _source_rows(scores) if scores else "<p>No source scores.</p>",
        _task_rows(tasks)
        if tasks
        else "<p class=muted>No task automation figures were stated by the sources.</p>",
        _salary_rows(salaries)
        if salaries
        else "<p class=muted>No salary figures were stated by the sources.</p>",
        _history_rows(history) if charts.history_sources(history) else "",
        "</div>",
        '<p><a href="#report-overview">Back to the overview</a></p>',
        "</section>",
    ]
    return "".join(parts)


# --------------------------------------------------------------------------- entry point


def build_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    max_sections: int = DEFAULT_MAX_SECTIONS,
    generated_at: datetime | None = None,
    workers: int = 1,
) -> Path:
    """Write ``out_dir/index.html`` and ``out_dir/charts/*.png``; return the HTML's path.

    The overview lists every occupation; ``max_sections`` of them get a full
    section with a chart: those scored by the most sources, then those whose
    sources disagree the most, then by slug (see :func:`_section_slugs`).

    Each chart file is named after a digest of exactly what it shows; one
    already in ``out_dir/charts`` is reused, not drawn. Only the missing ones
    are drawn: with ``workers > 1`` and enough of them, in up to ``workers``
    processes (see :func:`exports.report_charts.render_charts`; no
    ``__main__`` guard needed; the workers start first, so they boot while the
    views are read). New charts are written first, then ``index.html``
    (atomically), then chart files it no longer uses are removed.
    """
    with charts.ChartWorkers(workers - 1) as ready:
        return _build_report(con, out_dir, max_sections, generated_at, workers, ready)


def _build_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    max_sections: int,
    generated_at: datetime | None,
    workers: int,
    ready: charts.ChartWorkers,
) -> Path:
    out_dir = Path(out_dir)
    chart_dir = out_dir / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    generated_at = generated_at or datetime.now(UTC)

    notes: list[str] = []
    data = {view: _read_view(con, view, notes) for view in VIEW_COLUMNS}
    profiles = data["consensus_profiles"]
    section_slugs = _section_slugs(profiles, max_sections)
    chosen = set(section_slugs)
    profile_by = {
        str(r["occupation_slug"]): r
        for r in profiles.loc[profiles["occupation_slug"].astype(str).isin(chosen)].to_dict(
            "records"
        )
    }
    scores_by = _records_by_slug(data["source_scores"], chosen)
    tasks_by = _records_by_slug(data["task_consensus"], chosen)
    salaries_by = _records_by_slug(data["salary_consensus"], chosen)
    history_by = _records_by_slug(_with_capture_ns(data["score_history"]), chosen)

    # What to draw: file name -> chart record (content-addressed names).
    planned: dict[str, charts.Chart] = {}

    def plan(kind: str, chart: charts.Chart | None) -> str | None:
        if chart is None:
            return None
        name = _chart_file_name(kind, chart)
        planned[name] = chart
        return name

    ordered = sorted(section_slugs, key=lambda s: (str(profile_by[s]["occupation"]).lower(), s))
    section_inputs = []
    for slug in ordered:
        p = profile_by[slug]
        title = _text(p["occupation"]) or slug
        parts = (
            scores_by.get(slug, []),
            tasks_by.get(slug, []),
            salaries_by.get(slug, []),
            history_by.get(slug, []),
        )
        currencies = {c for r in parts[2] if (c := _text(r["currency"])) is not None}
        panels = charts.occupation_panels(
            title,
            p,
            *parts,
            currency=currencies.pop() if len(currencies) == 1 else SALARY_CURRENCY,
        )
        named = []  # one chart and file per panel: occupation-<slug>-<panel>-<digest>.png
        for panel in panels:
            name = _chart_file_name(f"occupation-{_slug_for_file(slug)}-{panel.kind}", panel)
            planned[name] = panel
            named.append((panel, name))
        section_inputs.append((p, title, parts, named))
    hist_name = plan("overview-medians", charts.median_histogram_data(profiles["risk_median"]))
    bias_name = plan("source-bias", charts.bias_chart_data(data["source_bias"].to_dict("records")))

    pngs = _chart_pngs(chart_dir, planned, workers, ready)

    def img(name: str | None, alt: str) -> str:
        return "" if name is None else _img(pngs[name], alt)

    sections = [
        _occupation_section(p, *parts, _panel_images(title, named, pngs))
        for p, title, parts, named in section_inputs
    ]
    hist_html = img(hist_name, f"Histogram of consensus medians ({SCALE_STATEMENT})")
    bias_html = img(bias_name, "Source bias offsets with intervals, in risk-score points")

    n_occ = len(profiles)
    n_src = len(
        set(data["source_scores"]["source"].dropna().astype(str))
        | set(data["source_bias"]["source"].dropna().astype(str))
    )
    cap_note = ""
    if n_occ > len(section_slugs):
        cap_note = (
            f'<p class="note">Detailed sections are shown for {len(section_slugs)} of {n_occ} '
            "occupations (those scored by the most sources, then those whose sources disagree "
            "the most); the overview lists all of them.</p>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI displacement risk report</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>AI displacement risk report</h1>
<p class="muted">Generated {_e(_when(generated_at))} · {n_occ} occupations · {n_src} sources ·
<span class="scale">{SCALE_STATEMENT}</span></p>
<nav><a href="#report-overview">Overview</a><a href="#report-sources">Sources</a>
<a href="#report-occupations">Occupations</a></nav>
</header>
<main>
{"".join(f'<p class="note">{_e(n)}</p>' for n in notes)}
<section id="report-overview">
<h2>Overview</h2>
<p>Consensus across sources per occupation: the median of each source's latest score on the
common scale ({SCALE_STATEMENT}), its interval, how many sources score it, how well they agree,
the band of the median and the consensus status. Click a column header to sort.</p>
{hist_html}
{_overview(profiles, chosen)}
</section>
<section id="report-sources">
<h2>Sources</h2>
{_sources_panel(profiles, data["source_scores"], data["source_bias"], bias_html)}
</section>
<section id="report-occupations">
<h2>Occupations</h2>
{cap_note}
{"".join(sections) if sections else "<p>No occupations in the warehouse yet.</p>"}
</section>
</main>
<script>{JS}</script>
</body>
</html>
"""
    index = out_dir / "index.html"
    _write_bytes(index, page.encode("utf-8"), durable=True)
    _prune(chart_dir, keep=set(planned))
    _remove_stale_temp_files(out_dir, ".index.html.*.tmp")
    return index


# --------------------------------------------------------------------------- chart files


def _chart_pngs(
    chart_dir: Path,
    planned: Mapping[str, charts.Chart],
    workers: int,
    ready: charts.ChartWorkers | None = None,
) -> dict:
    """PNG bytes per planned file name: read from ``chart_dir`` when there, else drawn.

    Drawn charts are written to ``chart_dir`` (each atomically) before returning.
    """
    pngs: dict[str, bytes] = {}
    missing = []
    for name in planned:
        png = _read_chart(chart_dir / name)
        if png is None:
            missing.append(name)
        else:
            pngs[name] = png
    started = time.perf_counter()
    drawn = charts.render_charts([planned[name] for name in missing], workers=workers, ready=ready)
    for name, png in zip(missing, drawn, strict=True):
        _write_bytes(chart_dir / name, png)
        pngs[name] = png
    log.info(
        "report charts: %d reused, %d drawn in %.1f s",
        len(pngs) - len(missing),
        len(missing),
        time.perf_counter() - started,
    )
    return pngs


def _read_chart(path: Path) -> bytes | None:
    """A complete PNG file's bytes, or None (missing, unreadable or truncated)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(PNG_SIGNATURE) and data.endswith(_PNG_END) else None


def _prune(chart_dir: Path, *, keep: set[str]) -> None:
    """Remove chart files the report no longer uses (other files are left alone)."""
    for path in chart_dir.glob("*.png"):
        if path.name not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
    _remove_stale_temp_files(chart_dir, ".*.tmp")


def _remove_stale_temp_files(folder: Path, pattern: str) -> None:
    cutoff = time.time() - _STALE_TEMP_S
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def _write_bytes(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace ``path`` atomically, so a reader never opens a half-written file.

    The temporary name is unique, so two builds writing the same folder cannot
    mix their bytes; ``durable`` also flushes the data to disk before the rename.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
