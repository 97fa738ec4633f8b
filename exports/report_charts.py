"""Charts of the HTML report: small chart records in, palette PNG bytes out.

:mod:`exports.report` reduces the warehouse views to frozen records holding
exactly what a chart shows: one record per panel of an occupation
(:class:`ScoresPanel`, :class:`TasksPanel`, :class:`SalariesPanel`,
:class:`HistoryPanel`, built by :func:`occupation_panels`), plus
:class:`MedianHistogram` and :class:`BiasChart` (``*_data`` functions), all from
plain row dicts. Records keep their numbers rounded to what the picture can show
(``SCORE_STEP`` and friends), so a shift smaller than a pixel leaves a record as
it was. :func:`chart_digest` hashes a record together with
:data:`CHART_CODE_VERSION` (and the matplotlib and Pillow versions), which names
the chart file, so an unchanged chart is never drawn twice; :func:`draw_chart`
draws one record and :func:`render_charts` many, optionally in worker processes.

Drawing is built for throughput and reproducibility:

* figures use :class:`matplotlib.figure.Figure` and an Agg canvas directly
  (no pyplot state), at fixed margins (no layout engine, no tight bounding box);
* a process keeps the figure of each panel kind and height and draws the next
  such panel on it, its axes reset to as new (children, limits, scales, units,
  labels, tick settings...): building a figure and axes cost a quarter of a
  panel. The bytes do not depend on what was drawn before (tests check it);
* charts fix their view limits before adding anything, so matplotlib skips
  measuring each artist's data limits (:class:`_ChartAxes`); the history's
  time axis, which autoscales, is the exception;
* every chart is drawn under matplotlib's default settings plus the report's
  own (``_RC``), so a caller's style or matplotlibrc cannot change the bytes;
  a batch of charts enters these settings once;
* each distinct text is rasterised and laid out once per process and reused
  (glyphs on whole pixels); labels (ticks, rows, legends, values) are drawn
  in batches straight from that cache (:class:`_Labels`), not as
  :class:`~matplotlib.text.Text` artists, which lay themselves out on every
  draw. Ticks, numeric and the history's dates alike, and categorical labels
  (tasks, seniorities) are such labels and plain lines, placed as matplotlib
  would place them: matplotlib's ticks are several times dearer;
* PNGs are 128-colour palette images written by Pillow without metadata, so the
  same record gives the same bytes in any process.

Text from the data is drawn literally (mathtext is off, control characters
become spaces), so a title containing ``$`` or a tab cannot break a chart.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import logging
import math
import os
import pickle
import queue
import re
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import matplotlib
import numpy as np
import PIL
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, NullFormatter, NullLocator
from matplotlib.transforms import (
    Affine2D,
    Bbox,
    IdentityTransform,
    ScaledTranslation,
    blended_transform_factory,
)
from PIL import Image  # a dependency of matplotlib

log = logging.getLogger(__name__)

CHART_CODE_VERSION = "6"
"""Part of every chart's digest: bump it whenever a change here alters the pictures.

The digest also covers this module's source, so even an edit that forgets to bump
it cannot leave outdated pictures under current names (at the price of redrawing
every chart once after any edit here).
"""

RISK_AXIS_LABEL = "risk score (0–100, higher = more AI displacement risk)"
SENIORITY_ORDER = ("entry", "mid", "senior", "lead")
MAX_TASK_BARS = 12
DPI = 80
PALETTE_COLOURS = 128
WIDTH_IN = 10.0
LEFT_IN = 2.7  # room for task / seniority / source labels
RIGHT_IN = 1.9  # room for legends outside the plot
_PANEL_TOP_IN = 0.35
_PANEL_BOTTOM_IN = 0.65
_XLABEL_DROP_PT = 20  # axis label top below the axes: ticks, one line of tick labels, pad
HISTOGRAM_BIN = 5  # points of the risk scale per histogram bar

PARALLEL_MIN_CHARTS = 48
"""Fewer charts than this are drawn in the calling process.

A worker takes ~0.6 s to start and a chart (one panel) ~12-28 ms to draw, so a
worker pays off from about a second's worth of charts."""
MIN_CHARTS_PER_PROCESS = 24
"""Each drawing process (the caller included) gets at least this many charts on average."""

_C_DOT = "#0b5cad"
_C_MEDIAN = "#1f2328"
_C_BAND = "#9ec5fe"
_C_CAL = "#bf3989"
_C_BAR = "#4c8bc9"
_C_SALARY = "#2da44e"
_C_GRID = "#e5e5e5"

_RC = {
    "text.parse_math": False,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titley": 1.0,  # fixed title position: no search for overlapping decorations
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _source_digest() -> str:
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    except OSError:  # e.g. imported from an archive: the version constant alone decides
        return "unknown"


_RENDER_VERSION = (
    f"report-charts {CHART_CODE_VERSION}; source {_source_digest()}; "
    f"matplotlib {matplotlib.__version__}; pillow {PIL.__version__}"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


# --------------------------------------------------------------------------- helpers


def chart_text(value: Any, limit: int = 60) -> str:
    """Data text as drawn in a chart: control characters removed, long text cut."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def finite_number(value: Any) -> float | None:
    """``value`` as a finite float, or None (missing, NaN, infinite or not a number)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


_num = finite_number  # the short name used throughout the chart code


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def task_share(row: Mapping[str, Any]) -> float | None:
    """Consensus % automatable of a task row: the median across sources, else the mean."""
    median = _num(row.get("pct_automatable_median"))
    return median if median is not None else _num(row.get("pct_automatable_mean"))


def seniority_rank(value: Any) -> tuple[int, str]:
    text = str(value).lower()
    return (SENIORITY_ORDER.index(text) if text in SENIORITY_ORDER else len(SENIORITY_ORDER), text)


def history_sources(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Sources with more than one capture of this occupation."""
    counts: dict[str, int] = {}
    for row in rows:
        source = str(row.get("source"))
        counts[source] = counts.get(source, 0) + 1
    return sorted(source for source, n in counts.items() if n > 1)


def dot_label(row: Mapping[str, Any]) -> str:
    """``"resilience_profile 68/100 → 32"``: source, score as written, normalised score."""
    raw = row.get("raw_score")
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        value, top = _num(row.get("raw_value")), _num(row.get("scale_max"))
        raw = f"{value:g}/{top:g}" if value is not None and top is not None else "?"
    risk = _num(row.get("risk_score"))
    shown = f"{risk:.0f}" if risk is not None else "?"
    return f"{chart_text(row.get('source'), 30)} {chart_text(raw, 16)} → {shown}"


def _money(value: float, _pos: Any = None) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


# --------------------------------------------------------------------------- rounding

SCORE_STEP = 0.2
"""Risk scores, intervals, calibrated scores and task shares are kept to 0.2 point.

A risk axis is 432 px wide for 100 points (~0.23 point a pixel), so rounding moves
a mark by at most 0.1 point, 0.43 px: less than half a pixel. A finer step saves
little: a calibrated score is a (whole) risk score minus its source's offset, so
all of a source's calibrated marks sit at the same fraction of a point and cross
a rounding boundary together, and the chance that a small data change moves some
offset across one grows as the step shrinks (see docs/report.md)."""
SALARY_STEP = 100.0
"""Salary figures are kept to 100 currency units; their labels show the rounded figures.

The axis spans 1.4 x the highest figure over 432 px: from a highest figure of
about 31,000 up, 100 units are less than a pixel."""
OFFSET_STEP = 0.01
"""Calibration offsets are kept to 0.01 point (their axis spans 20+ points over 552 px)."""
TIME_STEP_NS = 1_000_000_000
"""Capture times are kept to the second."""


def _step(value: float | None, step: float) -> float | None:
    """``value`` rounded to a multiple of ``step`` (None stays None; never ``-0.0``).

    Records hold rounded numbers, so a shift smaller than a pixel (say the few
    hundredths of a point a new calibration moves every calibrated score)
    mostly leaves a record, its digest and its file unchanged.
    """
    if value is None:
        return None
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return round(round(value / step) * step, decimals) + 0.0


def _score(value: float | None) -> float | None:
    return _step(value, SCORE_STEP)


def _round_fields(record: Any, names: Sequence[str], step: float) -> None:
    """Round a frozen record's numeric fields in place (from ``__post_init__``)."""
    for name in names:
        object.__setattr__(record, name, _step(getattr(record, name), step))


# --------------------------------------------------------------------------- chart records
#
# A record holds exactly what its picture shows, rounded as above (its
# ``__post_init__`` rounds whatever it is given), so the picture is a pure
# function of the record and a sub-pixel change leaves its digest alone. Texts
# shown as numbers (legend values, task shares) are formatted from the exact
# values, like the tables of the page, and kept as texts.


@dataclass(frozen=True)
class SourceDot:
    label: str
    risk: float | None

    def __post_init__(self) -> None:
        _round_fields(self, ("risk",), SCORE_STEP)


@dataclass(frozen=True)
class CalibratedMark:
    """One source's calibrated score, joined by a line to its score (row ``row``)."""

    row: int
    risk: float | None
    calibrated: float

    def __post_init__(self) -> None:
        _round_fields(self, ("risk", "calibrated"), SCORE_STEP)


@dataclass(frozen=True)
class CalibrationLayer:
    """What the calibration adds to a scores panel: drawn as a layer of its own.

    Every change of the data moves the calibration offsets a little, and with
    them every calibrated mark; kept out of the panel's picture, such a change
    redraws no picture (see :func:`calibration_svg`).
    """

    rows: int
    marks: tuple[CalibratedMark, ...]
    median: float | None

    def __post_init__(self) -> None:
        _round_fields(self, ("median",), SCORE_STEP)


@dataclass(frozen=True)
class ScoresPanel:
    """Source scores of one occupation: dots, consensus median and interval.

    The calibrated marks are ``calibration``, a layer outside the record's
    identity (not in its ``repr``, so not in its digest); the picture only keys
    them (``calibrated_key``, ``calibrated_text``).
    """

    kind: ClassVar[str] = "scores"
    title: str
    median: float | None
    ci_low: float | None
    ci_high: float | None
    median_text: str  # legend values: whole points of the exact values, as in the tables
    interval_text: str
    calibrated_key: bool  # the key shows the calibrated marks
    calibrated_text: str | None  # the key's calibrated median; None: no calibrated median
    dots: tuple[SourceDot, ...]  # bottom to top
    calibration: CalibrationLayer | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        _round_fields(self, ("median", "ci_low", "ci_high"), SCORE_STEP)


@dataclass(frozen=True)
class TaskBar:
    label: str
    share: float
    text: str  # "70% · 3 sources"

    def __post_init__(self) -> None:
        _round_fields(self, ("share",), SCORE_STEP)


@dataclass(frozen=True)
class TasksPanel:
    kind: ClassVar[str] = "tasks"
    tasks: tuple[TaskBar, ...]  # highest share first, at most MAX_TASK_BARS
    n_tasks: int  # tasks with a share


@dataclass(frozen=True)
class SalaryBand:
    seniority: str
    start: float | None  # None: no figure, the row is labelled but empty
    end: float | None
    open_ended: bool

    def __post_init__(self) -> None:
        _round_fields(self, ("start", "end"), SALARY_STEP)


@dataclass(frozen=True)
class SalariesPanel:
    kind: ClassVar[str] = "salaries"
    salaries: tuple[SalaryBand, ...]  # entry first
    currency: str | None


@dataclass(frozen=True)
class HistoryLine:
    source: str
    at_ns: tuple[int, ...]  # capture times, UTC nanoseconds (whole seconds), ascending
    risk: tuple[float | None, ...]

    def __post_init__(self) -> None:
        half = TIME_STEP_NS // 2
        at = tuple((t + half) // TIME_STEP_NS * TIME_STEP_NS for t in self.at_ns)
        object.__setattr__(self, "at_ns", at)
        object.__setattr__(self, "risk", tuple(_score(r) for r in self.risk))


@dataclass(frozen=True)
class HistoryPanel:
    kind: ClassVar[str] = "history"
    history: tuple[HistoryLine, ...]  # sources with more than one capture


OccupationPanel = ScoresPanel | TasksPanel | SalariesPanel | HistoryPanel
PANEL_KINDS = ("scores", "tasks", "salaries", "history")
"""The panels of an occupation, top to bottom (each its own chart and file)."""


@dataclass(frozen=True)
class MedianHistogram:
    counts: tuple[int, ...]  # occupations per HISTOGRAM_BIN-point bin of the risk scale
    n: int


@dataclass(frozen=True)
class BiasRow:
    label: str
    offset: float
    ci_low: float | None
    ci_high: float | None

    def __post_init__(self) -> None:
        _round_fields(self, ("offset", "ci_low", "ci_high"), OFFSET_STEP)


@dataclass(frozen=True)
class BiasChart:
    rows: tuple[BiasRow, ...]  # by offset, then source


Chart = OccupationPanel | MedianHistogram | BiasChart


def _whole(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


def occupation_panels(
    title: str,
    profile: Mapping[str, Any],
    scores: Sequence[Mapping[str, Any]],
    tasks: Sequence[Mapping[str, Any]],
    salaries: Sequence[Mapping[str, Any]],
    history: Sequence[Mapping[str, Any]],
    *,
    currency: str | None = None,
) -> tuple[OccupationPanel, ...]:
    """The chart records of one occupation's panels that have data, top to bottom.

    ``profile`` is its ``consensus_profiles`` row; ``scores``, ``tasks``,
    ``salaries`` and ``history`` are its ``source_scores``, ``task_consensus``,
    ``salary_consensus`` and ``score_history`` rows, the latter with ``at_ns``,
    the capture time in UTC nanoseconds (None when unknown). Each panel is a
    chart of its own, so a change to one (say the history) leaves the others'
    files as they are.
    """
    panels: list[OccupationPanel] = []
    ranked = sorted(
        scores,
        key=lambda r: (_num(r.get("risk_score")) is not None, _num(r.get("risk_score")) or 0.0,
                       str(r.get("source"))),
    )  # fmt: skip
    if ranked:
        median = _num(profile.get("risk_median"))
        ci_low, ci_high = _num(profile.get("ci_low")), _num(profile.get("ci_high"))
        calibrated = _num(profile.get("risk_calibrated"))
        marks = tuple(
            CalibratedMark(row, _num(r.get("risk_score")), cal)
            for row, r in enumerate(ranked)
            if (cal := _num(r.get("calibrated_score"))) is not None
        )
        layer = None
        if marks or calibrated is not None:
            layer = CalibrationLayer(len(ranked), marks, calibrated)
        panels.append(
            ScoresPanel(
                title=chart_text(title),
                median=median,
                ci_low=ci_low,
                ci_high=ci_high,
                median_text=_whole(median),
                interval_text=f"{_whole(ci_low)}–{_whole(ci_high)}",
                calibrated_key=bool(marks),
                calibrated_text=None if calibrated is None else _whole(calibrated),
                dots=tuple(SourceDot(dot_label(r), _num(r.get("risk_score"))) for r in ranked),
                calibration=layer,
            )
        )
    shares = [(share, r) for r in tasks if (share := task_share(r)) is not None]
    shares.sort(key=lambda item: (-item[0], str(item[1].get("canonical_task"))))
    if shares:
        bars = []
        for share, r in shares[:MAX_TASK_BARS]:
            n = _int(r.get("n_sources"))
            n_text = f" · {n} source{'s' if n != 1 else ''}" if n is not None else ""
            bars.append(
                TaskBar(chart_text(r.get("canonical_task"), 36), share, f"{share:.0f}%{n_text}")
            )
        panels.append(TasksPanel(tuple(bars), len(shares)))
    if salaries:
        bands = []
        for r in sorted(salaries, key=lambda r: seniority_rank(r.get("seniority"))):
            low, high = _num(r.get("low_median")), _num(r.get("high_median"))
            start = low if low is not None else high
            end = (high if high is not None else start) if start is not None else None
            open_ended = high is None or (_num(r.get("n_open_ended")) or 0) > 0
            bands.append(SalaryBand(chart_text(r.get("seniority"), 20), start, end, open_ended))
        panels.append(SalariesPanel(tuple(bands), chart_text(currency, 10) if currency else None))
    lines = []
    for source in history_sources(history):
        points = sorted(
            (int(r["at_ns"]), _num(r.get("risk_score")))
            for r in history
            if str(r.get("source")) == source and r.get("at_ns") is not None
        )
        lines.append(
            HistoryLine(
                chart_text(source, 30), tuple(p[0] for p in points), tuple(p[1] for p in points)
            )
        )
    if lines:
        panels.append(HistoryPanel(tuple(lines)))
    return tuple(panels)


def median_histogram_data(medians: Iterable[Any]) -> MedianHistogram | None:
    """Counts of consensus medians per bin of the risk scale; None without any median."""
    n_bins = 100 // HISTOGRAM_BIN
    counts = [0] * n_bins
    n = 0
    for value in medians:
        number = _num(value)
        if number is None:
            continue
        counts[min(int(min(max(number, 0.0), 100.0) // HISTOGRAM_BIN), n_bins - 1)] += 1
        n += 1
    return MedianHistogram(tuple(counts), n) if n else None


def bias_chart_data(rows: Iterable[Mapping[str, Any]]) -> BiasChart | None:
    """Each source with an offset, with its interval; None when no source has one."""
    drawn = []
    for r in rows:
        offset = _num(r.get("offset"))
        if offset is None:
            continue
        n = _num(r.get("n_occupations"))
        suffix = f" (n = {int(n)} occupations)" if n is not None else ""
        label = chart_text(r.get("source"), 30) + suffix
        drawn.append((offset, str(r.get("source")), label, r))
    if not drawn:
        return None
    drawn.sort(key=lambda item: (item[0], item[1]))
    return BiasChart(
        tuple(
            BiasRow(label, offset, _num(r.get("ci_low")), _num(r.get("ci_high")))
            for offset, _, label, r in drawn
        )
    )


def chart_digest(chart: Chart) -> str:
    """SHA-256 (hex) of a chart record and the drawing code's version: its file identity."""
    text = f"{_RENDER_VERSION}\n{chart!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- rendering

_TEXT_CACHE_LIMIT = 20_000
_text_images: dict[tuple, tuple] = {}
_TEXT_API = ("set_text", "get_width_height", "get_descent", "draw_glyphs_to_bitmap", "get_image")
# Off (standard text drawing) if this matplotlib lacks what the text cache relies on.
_fast_text = all(hasattr(FT2Font, name) for name in (*_TEXT_API, "get_bitmap_offset")) and hasattr(
    RendererAgg, "_prepare_font"
)


def _font_key(prop) -> tuple:
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
    )


def _remember(cache: dict, key: tuple, value: Any) -> Any:
    if len(cache) >= _TEXT_CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


class _TextCachingRenderer(RendererAgg):
    """Agg renderer that lays out and rasterises each distinct (text, font) once per process.

    Measuring a text (which precedes drawing it) also renders it into a
    bitmap; drawing blits that bitmap on a whole pixel, as matplotlib 3.10
    drew all text. Laying text out is the dear part (~1 ms a string), and
    most strings recur from chart to chart. The picture is a pure function
    of the figure, whatever was drawn before.
    """

    def _text_entry(self, s: str, prop, antialiased: bool = True) -> tuple:
        key = (s, _font_key(prop), self.dpi, antialiased, str(get_hinting_flag()))
        entry = _text_images.get(key)
        if entry is None:
            font = self._prepare_font(prop)
            font.set_text(s, 0, flags=get_hinting_flag())
            width, height = font.get_width_height()
            descent = font.get_descent() / 64.0
            font.draw_glyphs_to_bitmap(antialiased=antialiased)
            entry = (
                np.array(font.get_image()),
                font.get_bitmap_offset()[0] / 64.0,
                descent,
                (width / 64.0, height / 64.0, descent),
            )
            _remember(_text_images, key, entry)
        return entry

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        global _fast_text
        if ismath or not _fast_text or _text_options(mtext):
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        image, x_offset, descent, _ = self._text_entry(s, prop, bool(gc.get_antialiased()))
        xd = descent * math.sin(math.radians(angle))
        yd = descent * math.cos(math.radians(angle))
        try:
            self._renderer.draw_text_image(
                image, round(x + x_offset + xd), round(y + yd) + 1, angle, gc
            )
        except TypeError:  # a matplotlib whose renderer takes no bitmap: draw text as usual
            _fast_text = False
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        return None

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath or not _fast_text:
            return super().get_text_width_height_descent(s, prop, ismath)
        return self._text_entry(s, prop)[3]


class _Labels(Artist):
    """One-line plain texts in one font, drawn through the text cache as :class:`Text` would.

    A chart has a score of short labels (ticks, rows, legends, values) and a
    :class:`Text` is dear to make and to draw: it lays itself out on every
    draw. A label's layout (its offset from its anchor) depends only on its
    string, font and alignment, so it is computed once per process, by a real
    :class:`Text`; drawing a batch of labels (:meth:`add`) takes one artist,
    one transform per transform and one blit per label. Labels draw in the
    order added, at one zorder: a batch stands for texts that nothing of
    their zorder would be drawn between.
    """

    zorder = Text.zorder

    def __init__(self, ax, fontsize: float | None) -> None:
        super().__init__()
        rc = matplotlib.rcParams
        self._prop = FontProperties(size=fontsize)
        self._font_key = _font_key(self._prop)
        self._rgba = to_rgba(rc["text.color"])
        self._antialiased = rc["text.antialiased"]
        self._items: list[tuple[float, float, str, Any, str, str]] = []
        # Drawn as texts (see add) without the text cache or with mathtext or TeX on.
        self._as_texts = (
            not _fast_text
            or not hasattr(Text, "_get_layout")
            or rc["text.usetex"]
            or rc["text.parse_math"]
        )
        if not self._as_texts:
            _add_unclipped(ax, self)
        self._ax = ax

    def add(
        self, x: float, y: float, text: str, *, transform, ha: str = "left", va: str = "baseline"
    ) -> None:
        """Like ``ax.text(x, y, text, transform=..., ha=..., va=..., fontsize=...)``."""
        if self._as_texts or "\n" in text:  # never for the report's texts
            self._ax.text(
                x, y, text, transform=transform, ha=ha, va=va, fontproperties=self._prop,
                zorder=self.get_zorder(),
            )  # fmt: skip
        elif text:  # Text draws nothing for ""
            self._items.append((x, y, text, transform, ha, va))
            self.stale = True

    def _layout(self, renderer, text: str, ha: str, va: str) -> tuple[float, float, float]:
        """A label's offset from its anchor (as Text lays it out) and its box's bottom."""
        key = (text, self._font_key, ha, va, renderer.dpi, str(get_hinting_flag()))
        layout = _text_layouts.get(key)
        if layout is None:
            probe = Text(0, 0, text, fontproperties=self._prop, ha=ha, va=va)
            probe.set_figure(self.get_figure(root=True))
            box, ((_, _, (x_offset, y_offset)),), _ = probe._get_layout(renderer)
            layout = _remember(_text_layouts, key, (x_offset, y_offset, box.y0))
        return layout

    def extent_bottom(self, renderer, text: str, ha: str, va: str) -> float:
        """Bottom of a label's box above its anchor (as :meth:`Text.get_window_extent`)."""
        return self._layout(renderer, text, ha, va)[2] if text else 0.0

    @allow_rasterization
    def draw(self, renderer) -> None:
        """What :meth:`Text.draw` does for each label (one line, unrotated, plain)."""
        if not self.get_visible() or not self._items:
            return
        at: list[Any] = [None] * len(self._items)
        by_transform: dict[int, list[int]] = {}
        for i, item in enumerate(self._items):
            by_transform.setdefault(id(item[3]), []).append(i)
        for indices in by_transform.values():
            points = [
                (float(self.convert_xunits(self._items[i][0])),
                 float(self.convert_yunits(self._items[i][1])))
                for i in indices
            ]  # fmt: skip
            for i, xy in zip(indices, self._items[indices[0]][3].transform(points), strict=True):
                at[i] = xy
        gc = renderer.new_gc()
        gc.set_foreground(self._rgba, isRGBA=True)
        gc.set_alpha(self.get_alpha())
        gc.set_antialiased(self._antialiased)
        gc.set_snap(self.get_snap())
        self._set_gc_clip(gc)
        flip = renderer.flipy()
        height = renderer.get_canvas_width_height()[1]
        for (_, _, text, _, ha, va), (posx, posy) in zip(self._items, at, strict=True):
            if not (math.isfinite(posx) and math.isfinite(posy)):
                continue
            x_offset, y_offset, _ = self._layout(renderer, text, ha, va)
            y = y_offset + posy
            if flip:
                y = height - y
            renderer.draw_text(gc, x_offset + posx, y, text, self._prop, 0.0)
        gc.restore()
        self.stale = False


_text_layouts: dict[tuple, tuple[float, float, float]] = {}


def _label(
    ax,
    x: float,
    y: float,
    text: str,
    *,
    transform,
    ha: str = "left",
    va: str = "baseline",
    fontsize: float | None = None,
) -> None:
    """``ax.text(x, y, text, ...)`` for a one-line plain label (see :class:`_Labels`)."""
    _Labels(ax, fontsize).add(x, y, text, transform=transform, ha=ha, va=va)


def _add_unclipped(ax, artist: Artist) -> None:
    """:meth:`Axes.add_artist` for an unclipped artist, minus the clip path it would not use."""
    artist.set_clip_on(False)
    artist.axes = ax
    artist.set_figure(ax.get_figure(root=False))
    if not artist.is_transform_set():
        artist.set_transform(ax.transData)
    artist._remove_method = ax._children.remove
    ax._children.append(artist)
    ax.stale = True


def _text_options(mtext) -> bool:
    """Whether a text asks for font features or a language (drawn the standard way)."""
    if mtext is None:
        return False
    features = getattr(mtext, "get_fontfeatures", None)
    language = getattr(mtext, "get_language", None)
    return bool((features and features()) or (language and language()))


class _Canvas(FigureCanvasAgg):
    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        if getattr(self, "_lastKey", None) != key:
            self.renderer = _TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


class _ChartAxes(Axes):
    """Axes that skip the data-limit bookkeeping of each artist added while no axis autoscales.

    Panels fix their view limits before adding anything (:func:`_set_limits`),
    so data limits would go unused; measuring them costs a third of building a
    bar chart. While an axis autoscales (the history's time axis, the
    report-wide charts until they set limits) they are measured as usual.
    (Should matplotlib rename these methods, charts only get slower.)
    """

    def _autoscaling(self) -> bool:
        return self.get_autoscalex_on() or self.get_autoscaley_on()

    def _update_line_limits(self, line) -> None:
        if self._autoscaling():
            super()._update_line_limits(line)

    def _update_patch_limits(self, patch) -> None:
        if self._autoscaling():
            super()._update_patch_limits(patch)

    def _update_collection_limits(self, collection) -> None:
        if self._autoscaling():
            super()._update_collection_limits(collection)


def _stacked_axes(
    heights: list[float], *, left: float = LEFT_IN, right: float = RIGHT_IN
) -> tuple[Figure, list]:
    """A figure with one axes per height (inches), stacked, at fixed margins.

    Fixed margins (room for a title above and tick labels plus an axis label
    below each axes) keep rendering to a single draw, unlike a layout engine.
    Copying a pickled blank figure would be quicker than building one, but an
    unpickled figure's transforms can miss updates (they link to each other by
    the ids of the pickled objects), which draws wrong pictures; panels reuse
    their figures in process instead (:func:`_panel_figure`).
    """
    total = sum(h + _PANEL_TOP_IN + _PANEL_BOTTOM_IN for h in heights)
    fig = Figure(figsize=(WIDTH_IN, total), dpi=DPI)
    _Canvas(fig)  # from the start: the history measures texts before drawing
    axes = []
    top = total
    for h in heights:
        top -= _PANEL_TOP_IN + h
        ax = fig.add_axes(
            (left / WIDTH_IN, top / total, (WIDTH_IN - left - right) / WIDTH_IN, h / total),
            axes_class=_ChartAxes,
        )
        _fix_xlabel(ax)
        axes.append(ax)
        top -= _PANEL_BOTTOM_IN
    return fig, axes


def _fix_xlabel(ax) -> None:
    """A fixed x-label position spares matplotlib a second pass over the tick labels."""
    ax.xaxis.set_label_coords(0.5, 0, transform=_shifted(ax, ax.transAxes, 0, -_XLABEL_DROP_PT))


_SPARE_AXES_LIMIT = 16  # a spare holds its canvas's pixels: ~1 MB
# What _reset_axes sets (an axes's and an axis's own attributes), then what else it uses.
_AXES_STATE = (
    "_children", "containers", "_mouseover_set", "legend_", "_current_image", "child_axes",
    "callbacks", "ignore_existing_data_limits", "dataLim", "_xmargin", "_ymargin", "_tight",
    "_use_sticky_edges", "_get_lines", "_get_patches_for_fill", "_stale_viewlims",
)  # fmt: skip
_AXIS_STATE = (
    "_major_tick_kw", "_minor_tick_kw", "callbacks", "_converter", "_converter_is_explicit",
    "units", "isDefault_label", "labelpad", "_autolabelpos",
)  # fmt: skip
_AXES_USES = ("_axis_names", "_axis_map", "_update_transScale", "_left_title", "_right_title")
_AXIS_USES = ("_init", "_set_scale", "_set_lim", "reset_ticks")
# Off (a new axes for every chart) if this matplotlib's axes lack any of them.
_reuse_axes = True

_TickKw = tuple[dict, dict]  # an axis's settings for new major and minor ticks


@dataclass
class _Spare:
    """An axes kept for reuse, with what resetting it takes."""

    ax: Any
    new_tick_kw: dict[str, _TickKw]  # per axis name: the tick settings of a new axes
    # Per axis name: the settings its Tick objects were made with, when a reset
    # put back those of a new axes (see _settle_ticks).
    tick_kw: dict[str, _TickKw]


_spare_axes: dict[tuple, _Spare] = {}  # (kind, height) -> spare, least recently used first
_lent_axes: list[tuple[tuple, _Spare]] = []  # (key, spare) of the charts being drawn


def _tick_kw(axis) -> _TickKw:
    return dict(axis._major_tick_kw), dict(axis._minor_tick_kw)


def _new_spare(ax) -> _Spare:
    """A new axes as a spare (or reuse off, if it lacks what :func:`_reset_axes` resets)."""
    global _reuse_axes
    axes = {"x": ax.xaxis, "y": ax.yaxis}
    if not (
        all(name in vars(ax) for name in _AXES_STATE)
        and all(hasattr(ax, name) for name in _AXES_USES)
        and ax._axis_map == axes
        and all(name in vars(axis) for axis in axes.values() for name in _AXIS_STATE)
        and all(hasattr(axis, name) for axis in axes.values() for name in _AXIS_USES)
    ):
        _reuse_axes = False
        return _Spare(ax, {}, {})
    return _Spare(ax, {name: _tick_kw(axis) for name, axis in axes.items()}, {})


def _reset_axes(spare: _Spare) -> None:
    """Undo whatever a chart did to an axes, as :meth:`Axes.clear` would, but cheaply.

    Children, containers, data and view limits, autoscaling, margins, property
    cycles, titles, labels, scales, locators, formatters, units and tick
    settings are back as on a new axes; what ``clear`` would rebuild but no
    chart changes (spines, patch, title and label texts) is kept, and so are
    the Tick objects, which each draw places and labels afresh (but see
    :func:`_settle_ticks`). A chart's bytes must not depend on what the axes
    drew before: the tests draw charts in varied orders and compare.
    """
    ax = spare.ax
    rc = matplotlib.rcParams
    children, ax._children = ax._children, []
    for child in children:  # as Axes.clear does
        child._remove_method = None
        child._parent_figure = None
        child.axes = None
    ax.containers = []
    ax._mouseover_set = type(ax._mouseover_set)()
    ax.legend_ = None
    ax._current_image = None
    ax.child_axes = []
    ax.callbacks = type(ax.callbacks)(signals=["xlim_changed", "ylim_changed", "zlim_changed"])
    ax.ignore_existing_data_limits = True
    ax.dataLim = Bbox.null()
    ax._xmargin, ax._ymargin = rc["axes.xmargin"], rc["axes.ymargin"]
    ax._tight = None
    ax._use_sticky_edges = True
    ax._get_lines = type(ax._get_lines)()
    ax._get_patches_for_fill = type(ax._get_patches_for_fill)("Polygon")
    for title in (ax.title, ax._left_title, ax._right_title):
        title.set_text("")
    spare.tick_kw = {}
    for name, axis in ax._axis_map.items():
        made_with, new = _tick_kw(axis), spare.new_tick_kw[name]
        if made_with != new:
            spare.tick_kw[name] = made_with
        _reset_axis(axis, new)
    for axis in ax._axis_map.values():
        axis._set_lim(0, 1, auto=True)
    ax._stale_viewlims = dict.fromkeys(ax._axis_names, False)
    ax._update_transScale()
    ax.stale = True


def _reset_axis(axis, tick_kw: _TickKw) -> None:
    """One axis as new (see :meth:`Axis.clear`), but for its Tick objects."""
    rc = matplotlib.rcParams
    axis.label._reset_visual_defaults()
    axis.label.set_color(rc["axes.labelcolor"])
    axis.label.set_fontsize(rc["axes.labelsize"])
    axis.label.set_fontweight(rc["axes.labelweight"])
    axis.label.set_text("")
    axis.isDefault_label = True
    axis.offsetText._reset_visual_defaults()
    axis.labelpad = rc["axes.labelpad"]
    axis._autolabelpos = True
    axis._init()
    axis._set_scale("linear")
    axis.callbacks = type(axis.callbacks)(signals=["units"])
    axis._major_tick_kw, axis._minor_tick_kw = dict(tick_kw[0]), dict(tick_kw[1])
    axis._converter = None
    axis._converter_is_explicit = False
    axis.units = None
    axis.stale = True


def _settle_ticks(spare: _Spare) -> None:
    """Rebuild an axis's Tick objects if they no longer match its tick settings.

    A chart's tick settings (say a grid) reach the axis's existing Tick objects
    too, but :func:`_reset_axes` puts back a new axis's settings without
    touching them. They still match when the next chart sets again the
    settings the ticks were made with; otherwise they are made anew, as
    :meth:`Axis.clear` would have. Called once a chart is built, before it is
    drawn. (No panel changes tick settings today: this keeps reuse safe.)
    """
    for name, made_with in spare.tick_kw.items():
        axis = spare.ax._axis_map[name]
        if _tick_kw(axis) != made_with:
            axis.reset_ticks()
    spare.tick_kw = {}


def _png(fig: Figure) -> bytes:
    """Draw once and encode as a palette PNG (charts have few colours: ~3x smaller)."""
    canvas = fig.canvas if isinstance(fig.canvas, _Canvas) else _Canvas(fig)
    canvas.draw()
    size = canvas.get_width_height(physical=True)
    # The figure is opaque: read RGB, skipping alpha, straight from the canvas buffer.
    image = Image.frombytes("RGB", size, canvas.buffer_rgba(), "raw", "RGBX")
    image = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    image.save(buf, format="PNG")  # no metadata, no timestamp: same picture, same bytes
    return buf.getvalue()


_in_settings = False


@contextlib.contextmanager
def _chart_settings():
    """matplotlib's defaults plus ``_RC``, whatever the caller's style or matplotlibrc.

    Entered once for a whole batch of charts (:func:`render_charts`, a worker):
    applying the settings costs about as much as the axes of a small chart.
    Nested uses are free; the caller's settings are back on leaving.
    """
    global _in_settings
    if _in_settings:
        yield
        return
    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rcdefaults' deprecated keys; glyphs missing from fonts
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_RC)
        _in_settings = True
        try:
            yield
        finally:
            _in_settings = False


def draw_chart(chart: Chart) -> bytes:
    """PNG bytes of one chart record, drawn under fixed settings (not the caller's rc)."""
    # A chart makes some 10^4 short-lived objects tied in reference cycles; letting
    # the cyclic collector run meanwhile costs ~15% of the time. Collect them once.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _chart_settings():
            return _draw(chart)
    finally:
        if collecting:
            gc.enable()
            gc.collect(0)


def _draw(chart: Chart) -> bytes:
    figure = _FIGURES.get(type(chart))
    if figure is None:
        raise TypeError(f"not a chart record: {type(chart).__name__}")
    lent = len(_lent_axes)  # axes lent to this chart (_panel_figure) follow these
    try:
        fig = figure(chart)
        for _, spare in _lent_axes[lent:]:
            _settle_ticks(spare)
        png = _png(fig)
    except BaseException:
        del _lent_axes[lent:]  # an axes left half drawn is not reused
        raise
    for key, spare in _lent_axes[lent:] if _reuse_axes else ():
        _spare_axes[key] = spare
        if len(_spare_axes) > _SPARE_AXES_LIMIT:
            del _spare_axes[next(iter(_spare_axes))]
    del _lent_axes[lent:]
    return png


def _shifted(ax, base, dx_pt: float = 0.0, dy_pt: float = 0.0):
    """``base`` transform moved by a fixed distance in points."""
    return base + ScaledTranslation(dx_pt / 72, dy_pt / 72, ax.figure.dpi_scale_trans)


def _key(ax, entries: Sequence[tuple[str, dict[str, Any], str]]) -> None:
    """A legend right of the axes: one ``(kind, style, label)`` row per entry.

    ``kind`` is ``"band"`` (a filled box), ``"line"`` or ``"marker"``. Plain
    artists at fixed offsets cost a fraction of :meth:`Axes.legend`.
    """
    # Points from the axes' top-right corner.
    points = (
        Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans + ScaledTranslation(1, 1, ax.transAxes)
    )
    labels = _Labels(ax, 7.5)
    for i, (kind, style, label) in enumerate(entries):
        y = -5.0 - 10.5 * i
        if kind == "band":
            sample = Rectangle((6, y - 3.5), 16, 7, lw=0, **style)
        elif kind == "line":  # a marker, if any, in the middle only
            sample = Line2D([6, 14, 22], [y, y, y], markevery=[1], **style)
        else:
            sample = Line2D([14], [y], ls="none", **style)
        sample.set_transform(points)
        _add_unclipped(ax, sample)
        labels.add(26, y, label, transform=points, va="center_baseline")


def _row_labels(ax, labels: Sequence[str], *, fontsize: float) -> None:
    """Labels left of the axes at y = 0, 1, ... (cheaper than categorical ticks)."""
    transform = _shifted(ax, ax.get_yaxis_transform(), -5)
    texts = _Labels(ax, fontsize)
    for yi, label in enumerate(labels):
        texts.add(0, yi, label, transform=transform, ha="right", va="center_baseline")
    ax.yaxis.set_major_locator(NullLocator())


_TICK_PT = 3.5  # matplotlib's default major tick: length and width, and label pad
_TICK_WIDTH_PT = 0.8
_TICK_LABEL_PT = _TICK_PT + 3.5


def _plain_ticks(
    ax,
    axis: str,
    values: Sequence[float],
    labels: Sequence[str],
    *,
    grid: bool = False,
    grid_zorder: float = 0.5,
    grid_alpha: float | None = None,
    zorder: float | None = None,
) -> _Labels:
    """Ticks of one axis drawn as plain artists, looking like matplotlib's default ticks.

    One line for all grid lines, one line of tick marks and one cached text per
    label (returned, as a batch) replace the axis's tick machinery (a tick is
    five artists, created, styled and updated on every draw: the dearest part of
    a small chart). ``zorder`` puts marks and labels among the axes' own
    (default: lines' and texts').
    """
    n = len(values)
    if axis == "x":
        ax.xaxis.set_major_locator(NullLocator())
        base = ax.get_xaxis_transform()
        mark_xy, mark = (list(values), [0.0] * n), TICKDOWN
        text = {"ha": "center", "va": "top"}
        label_at = _shifted(ax, base, 0, -_TICK_LABEL_PT)
        xy = [(v, 0.0) for v in values]
    else:
        ax.yaxis.set_major_locator(NullLocator())
        base = ax.get_yaxis_transform()
        mark_xy, mark = ([0.0] * n, list(values)), TICKLEFT
        text = {"ha": "right", "va": "center_baseline"}
        label_at = _shifted(ax, base, -_TICK_LABEL_PT)
        xy = [(0.0, v) for v in values]
    if grid and n:  # first: under the marks, as each tick draws its grid line first
        along = [w for v in values for w in (v, v, np.nan)]
        across = [w for _ in values for w in (0.0, 1.0, np.nan)]
        line = (along, across) if axis == "x" else (across, along)
        style = {"color": _C_GRID, "lw": 0.6, "alpha": grid_alpha}
        ax.add_line(Line2D(*line, **style, zorder=grid_zorder, transform=base))
    marks = Line2D(*mark_xy, ls="none", marker=mark, ms=_TICK_PT, mew=_TICK_WIDTH_PT, color="black")
    marks.set_transform(base)
    if zorder is not None:
        marks.set_zorder(zorder)
    _add_unclipped(ax, marks)
    texts = _Labels(ax, None)
    if zorder is not None:
        texts.set_zorder(zorder)
    for (x, y), label in zip(xy, labels, strict=True):
        texts.add(x, y, label, transform=label_at, **text)
    return texts


# The artists of Axes.axvline, axvspan and hlines, for an axes whose limits are fixed:
# without their unit conversion and autoscaling requests, they cost half as much.


def _vline(ax, x: float, **style: Any) -> None:
    """``ax.axvline(x, **style)``: a line across the axes at ``x``."""
    ax.add_line(Line2D([x, x], [0, 1], transform=ax.get_xaxis_transform(which="grid"), **style))


def _vspan(ax, x0: float, x1: float, **style: Any) -> None:
    """``ax.axvspan(x0, x1, **style)``: a band across the axes from ``x0`` to ``x1``."""
    span = Rectangle((x0, 0), x1 - x0, 1, **style)
    span.set_transform(ax.get_xaxis_transform(which="grid"))
    ax.add_patch(span)


def _hlines(ax, y: Any, x0: Any, x1: Any, **style: Any) -> None:
    """``ax.hlines(y, x0, x1, **style)``; a row missing a value draws nothing (hlines masks it)."""
    y, x0, x1 = (np.ravel(np.asarray(v, dtype=float)) for v in (y, x0, x1))
    segments = np.empty((len(y), 2, 2))
    segments[:, 0, 0], segments[:, 0, 1], segments[:, 1, 0], segments[:, 1, 1] = x0, y, x1, y
    segments[~np.isfinite(segments).all(axis=(1, 2))] = np.nan
    lines = LineCollection(segments, colors=None, linestyles="solid", label="")
    ax.add_collection(lines, autolim=False)
    lines.set(**style)


def _set_limits(ax, x: tuple[float, float], y: tuple[float, float]) -> None:
    """Fixed view limits, set before anything is drawn: adding artists then skips autoscaling."""
    ax.set_xlim(*x)
    ax.set_ylim(*y)


def _tick_label(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------- per occupation


def _panel_figure(kind: str, height: float) -> tuple[Figure, Any]:
    """One occupation panel: every panel has the same width and margins, so they align.

    The axes is a spare one of this kind and height if there is one (reset to
    as new by :func:`_reset_axes`), else a new one: building a figure and its
    axes costs a quarter of a panel's time. :func:`_draw` hands it back.
    """
    key = (kind, height)
    spare = _spare_axes.pop(key, None) if _reuse_axes else None
    if spare is None:
        fig, (ax,) = _stacked_axes([height])
        spare = _new_spare(ax)
    else:
        ax, fig = spare.ax, spare.ax.figure
        _reset_axes(spare)
        _fix_xlabel(ax)
    # Panels draw no y label but the history's, which places it: a fixed place spares
    # matplotlib measuring the (absent) tick labels for one.
    ax.yaxis.set_label_coords(0, 0.5)
    _lent_axes.append((key, spare))
    return fig, ax


def _scores_height(n: int) -> float:
    return 0.5 + 0.36 * n


def _scores_ylim(n: int) -> tuple[float, float]:
    return (-0.8, n - 0.2)


_CAL_MARKER = {"marker": "D", "ms": 40**0.5, "mfc": "none", "mec": _C_CAL}
_CAL_MEDIAN = {"color": _C_CAL, "lw": 1.4, "ls": "--"}
_CAL_LINK = {"color": _C_CAL, "lw": 0.8, "alpha": 0.6}


def _scores_figure(c: ScoresPanel) -> Figure:
    """Sources as rows (labels left of the axes, as in the other panels), scores as dots.

    Labels never depend on where the calibrated marks fall, so the picture stays
    the same when only the calibration moves (the marks are a layer of their own).
    """
    n = len(c.dots)
    fig, ax = _panel_figure(c.kind, _scores_height(n))
    _set_limits(ax, (0, 100), _scores_ylim(n))
    y = np.arange(n)
    risk = np.array([np.nan if d.risk is None else d.risk for d in c.dots], dtype=float)
    key: list[tuple[str, dict[str, Any], str]] = []
    if c.ci_low is not None and c.ci_high is not None:
        band = {"color": _C_BAND, "alpha": 0.45}
        _vspan(ax, c.ci_low, c.ci_high, lw=0, **band)
        key.append(("band", band, f"consensus interval {c.interval_text}"))
    if c.median is not None:
        line = {"color": _C_MEDIAN, "lw": 1.8}
        _vline(ax, c.median, **line)
        key.append(("line", line, f"consensus median {c.median_text}"))
    ax.scatter(risk, y, s=46, color=_C_DOT, zorder=3)
    dot = {"marker": "o", "ms": 46**0.5, "color": _C_DOT}
    key.append(("marker", dot, "source score (normalised)"))
    if c.calibrated_key:
        key.append(("marker", _CAL_MARKER, "calibrated source score"))
    if c.calibrated_text is not None:
        key.append(("line", _CAL_MEDIAN, f"calibrated median {c.calibrated_text}"))
    _row_labels(ax, [d.label for d in c.dots], fontsize=8)
    ticks = [0, 20, 40, 60, 80, 100]
    _plain_ticks(ax, "x", ticks, [_tick_label(t) for t in ticks], grid=True)
    ax.set_xlabel(RISK_AXIS_LABEL)
    ax.set_title(f"{c.title}: source scores (n = {n})", loc="left")
    _key(ax, key)
    return fig


def _points_to_px(points: float) -> float:
    return points * DPI / 72.0


def _diamond_outline() -> tuple[tuple[float, float], ...]:
    """matplotlib's ``"D"`` marker as pixel offsets (y down) at the layer's size."""
    from matplotlib.markers import MarkerStyle

    style = MarkerStyle("D")
    path = style.get_path().transformed(style.get_transform())
    scale = _points_to_px(_CAL_MARKER["ms"])
    return tuple((x * scale, -y * scale) for x, y in path.vertices[:4])


_DIAMOND = _diamond_outline()


def scores_geometry(rows: int) -> tuple[int, int, Any, Any]:
    """The pixel frame of a scores panel of ``rows`` sources: ``(width, height, x, y)``.

    ``x(score)`` and ``y(row)`` map data to pixels of the PNG (origin top left),
    as the panel's axes do (fixed margins, :func:`_stacked_axes`), so a layer
    drawn with them lies exactly over the picture.
    """
    height_in = _scores_height(rows)
    total_in = height_in + _PANEL_TOP_IN + _PANEL_BOTTOM_IN
    width_px, height_px = int(WIDTH_IN * DPI), int(total_in * DPI)  # as Agg sizes its buffer
    left_px, axes_w = LEFT_IN * DPI, (WIDTH_IN - LEFT_IN - RIGHT_IN) * DPI
    bottom_px, axes_h = _PANEL_BOTTOM_IN * DPI, height_in * DPI
    y0, y1 = _scores_ylim(rows)

    def x(score: float) -> float:
        return left_px + score / 100.0 * axes_w

    def y(row: float) -> float:
        return height_px - (bottom_px + (row - y0) / (y1 - y0) * axes_h)

    return width_px, height_px, x, y


def calibration_svg(layer: CalibrationLayer | None) -> str:
    """The calibrated marks of a scores panel as an SVG drawn over its PNG.

    Lines from each score to its calibrated score, the calibrated scores as
    diamonds and the calibrated median as a dashed line, in the picture's pixel
    frame (``viewBox``), with matplotlib's styles; a few hundred bytes of text
    that cost nothing to redraw. Empty when there is nothing to draw.
    """
    if layer is None or (not layer.marks and layer.median is None):
        return ""
    width, height, x, y = scores_geometry(layer.rows)
    y_top, y_bottom = y(_scores_ylim(layer.rows)[1]), y(_scores_ylim(layer.rows)[0])
    parts = [
        f'<svg class="layer" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
    ]
    link_w = _points_to_px(_CAL_LINK["lw"])
    for mark in layer.marks:
        if mark.risk is not None:
            parts.append(
                f'<line x1="{x(mark.risk):.1f}" y1="{y(mark.row):.1f}" '
                f'x2="{x(mark.calibrated):.1f}" y2="{y(mark.row):.1f}" stroke="{_C_CAL}" '
                f'stroke-opacity="{_CAL_LINK["alpha"]}" stroke-width="{link_w:.2f}"/>'
            )
    edge_w = _points_to_px(matplotlib.rcParamsDefault["lines.linewidth"])
    for mark in layer.marks:
        cx, cy = x(mark.calibrated), y(mark.row)
        points = " ".join(f"{cx + dx:.1f},{cy + dy:.1f}" for dx, dy in _DIAMOND)
        parts.append(
            f'<polygon points="{points}" fill="none" stroke="{_C_CAL}" '
            f'stroke-width="{edge_w:.2f}"/>'
        )
    if layer.median is not None:
        lw = _CAL_MEDIAN["lw"]
        pattern = matplotlib.rcParamsDefault["lines.dashed_pattern"]  # scaled by the width
        dash = " ".join(f"{_points_to_px(d * lw):.2f}" for d in pattern)
        parts.append(
            f'<line x1="{x(layer.median):.1f}" y1="{y_top:.1f}" x2="{x(layer.median):.1f}" '
            f'y2="{y_bottom:.1f}" stroke="{_C_CAL}" stroke-width="{_points_to_px(lw):.2f}" '
            f'stroke-dasharray="{dash}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _tasks_figure(c: TasksPanel) -> Figure:
    fig, ax = _panel_figure(c.kind, 0.2 + 0.3 * len(c.tasks))
    _set_limits(ax, (0, 115), (len(c.tasks) - 0.5, -0.5))  # highest first
    y = np.arange(len(c.tasks))
    ax.barh(y, [t.share for t in c.tasks], color=_C_BAR, height=0.6)
    beside = _shifted(ax, ax.transData, 4)
    values = _Labels(ax, 8)
    for yi, task in enumerate(c.tasks):
        values.add(task.share, yi, task.text, transform=beside, va="center")
    _row_labels(ax, [t.label for t in c.tasks], fontsize=8)
    ticks = [0, 25, 50, 75, 100]
    _plain_ticks(ax, "x", ticks, [_tick_label(t) for t in ticks])
    ax.set_xlabel("share of the task that is automatable (%, median across sources)")
    extra = f" (top {len(c.tasks)} of {c.n_tasks})" if c.n_tasks > len(c.tasks) else ""
    ax.set_title(f"Task automation{extra}", loc="left")
    return fig


def _salaries_figure(c: SalariesPanel) -> Figure:
    fig, ax = _panel_figure(c.kind, 0.4 + 0.38 * len(c.salaries))
    values = [v for b in c.salaries for v in (b.start, b.end) if v is not None]
    top = max(values, default=1.0) * 1.4 or 1.0
    _set_limits(ax, (0, top), (len(c.salaries) - 0.4, -0.8))
    above = _shifted(ax, ax.transData, 0, 7)
    drawn = [
        (yi, b) for yi, b in enumerate(c.salaries) if b.start is not None and b.end is not None
    ]
    if drawn:  # one artist for all bands, one for all their ends: rows never overlap
        rows = [yi for yi, _ in drawn]
        starts, ends = [b.start for _, b in drawn], [b.end for _, b in drawn]
        _hlines(ax, rows, starts, ends, color=_C_SALARY, lw=7)
        marks = [v for pair in zip(starts, ends, strict=True) for v in pair]  # as row by row
        ax.plot(marks, [yi for yi in rows for _ in (0, 1)], "|", color=_C_SALARY, ms=12, mew=2)
    for yi, band in drawn:
        text = (
            f"{_money(band.start)}–{_money(band.end)}"
            if band.end != band.start
            else _money(band.start)
        )
        if band.open_ended:
            ax.annotate(
                "",
                xy=(top * 0.97, yi),
                xytext=(band.end, yi),
                arrowprops={"arrowstyle": "->", "ls": "--", "color": _C_SALARY},
            )
            text += "+ (open-ended)"
        _label(ax, band.start, yi, text, transform=above, fontsize=8)
    _row_labels(ax, [b.seniority for b in c.salaries], fontsize=9)
    ticks = [
        float(v)
        for v in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top)
        if -1e-10 * top <= v <= top * (1 + 1e-10)  # those in view, as matplotlib shows
    ]
    _plain_ticks(ax, "x", ticks, [_money(t) for t in ticks])
    unit = c.currency or "currency as stated by the sources"
    ax.set_xlabel(f"annual salary ({unit}; median of the sources' low and high figures)")
    ax.set_title("Salary bands by seniority", loc="left")
    return fig


def _history_figure(c: HistoryPanel) -> Figure:
    fig, ax = _panel_figure(c.kind, 1.8)
    ax.set_ylim(0, 100)  # first: adding the lines then skips autoscaling y
    key = []
    for i, line in enumerate(c.history):
        style = {"color": f"C{i % 10}", "marker": "o", "ms": 4, "lw": 1.4}
        # The line ax.plot would make, without its argument parsing (half its cost).
        at = np.array(line.at_ns, dtype="datetime64[ns]")
        ax.xaxis.update_units(at)  # a time axis
        risk = np.array([np.nan if r is None else r for r in line.risk], dtype=float)
        ax.add_line(Line2D(ax.convert_xunits(at), risk, **style))
        key.append(("line", style, line.source))
    ticks = [0, 25, 50, 75, 100]
    _plain_ticks(ax, "y", ticks, [_tick_label(t) for t in ticks], grid=True, grid_zorder=1.5)
    ax.set_ylabel("risk score (0–100,\nhigher = more risk)")
    # Beside the plain tick labels ("100" is ~17 pt wide), as matplotlib would put it.
    ax.yaxis.set_label_coords(0, 0.5, transform=_shifted(ax, ax.transAxes, -_TICK_LABEL_PT - 21))
    ax.set_xlabel("capture time (UTC)")
    ax.set_title("Score history (sources with more than one capture)", loc="left")
    _key(ax, key)
    _date_ticks(ax)
    return fig


def _date_ticks(ax) -> None:
    """The history's time axis, with a grid: matplotlib's date ticks, drawn as plain artists.

    Ticks go where :class:`AutoDateLocator` puts them on the autoscaled axis,
    labelled by :class:`ConciseDateFormatter`, with its offset (say "2025")
    below the labels at the right, as the axis would draw them (at its zorder,
    in its order but for the offset, which precedes the axis label it never
    meets; each label and line where it would be): the same pixels, at a
    fraction of the cost of an axis's ticks. Called once all else is added, so
    the axis autoscales as it would when drawn; its limits then stay.
    """
    axis = ax.xaxis
    locator = AutoDateLocator(minticks=3, maxticks=6)
    formatter = ConciseDateFormatter(locator)
    axis.set_major_locator(locator)
    axis.set_major_formatter(formatter)
    ax.autoscale_view(scaley=False)  # to the lines, as it would be when drawn
    low, high = ax.get_xlim()
    locs = axis.get_majorticklocs()
    labels = formatter.format_ticks(locs)  # all, as the axis does: they decide the offset
    offset = formatter.get_offset()
    ax.set_xlim(low, high)
    axis.set_major_formatter(NullFormatter())  # the axis draws no offset itself
    # Those in view, as the axis tells them (with its tolerance).
    lo, hi = min(low, high), max(low, high)
    slack = (hi - lo) * 1e-10
    shown = [
        (float(v), text)
        for v, text in zip(locs, labels, strict=True)
        if lo - slack <= v <= hi + slack
    ]
    texts = _plain_ticks(
        ax,
        "x",
        [v for v, _ in shown],
        [text for _, text in shown],
        grid=True,
        grid_zorder=axis.get_zorder(),
        grid_alpha=matplotlib.rcParams["grid.alpha"],
        zorder=axis.get_zorder(),
    )
    if offset:
        # Below the lowest label (the axis's bottom without any), by the axis's pad.
        renderer = ax.figure.canvas.get_renderer()
        label_at = _shifted(ax, ax.get_xaxis_transform(), 0, -_TICK_LABEL_PT)
        bottoms = [
            texts.extent_bottom(renderer, text, "center", "top") + label_at.transform((v, 0.0))[1]
            for v, text in shown
        ]
        bottom = min(bottoms) if bottoms else ax.bbox.ymin
        y = bottom - axis.OFFSETTEXTPAD * ax.figure.dpi / 72
        at = blended_transform_factory(ax.transAxes, IdentityTransform())
        texts.add(1, y, offset, transform=at, ha="right", va="top")


# --------------------------------------------------------------------------- report-wide


def _histogram_figure(h: MedianHistogram) -> Figure:
    fig, (ax,) = _stacked_axes([2.0], left=0.8, right=0.4)
    edges = np.arange(0, 100, HISTOGRAM_BIN)
    ax.bar(edges, h.counts, width=HISTOGRAM_BIN, align="edge", color=_C_BAR, edgecolor="white")
    for edge in (20, 40, 60, 80):
        ax.axvline(edge, color="#bbbbbb", lw=0.8, ls=":")
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_xlabel(f"consensus median {RISK_AXIS_LABEL}")
    ax.set_ylabel("occupations (count)")
    ax.set_title(f"Consensus median risk across {h.n} occupations", loc="left")
    return fig


def _bias_figure(b: BiasChart) -> Figure:
    fig, (ax,) = _stacked_axes([0.3 + 0.36 * len(b.rows)], left=LEFT_IN, right=0.4)
    offset = np.array([r.offset for r in b.rows])
    low = np.array([np.nan if r.ci_low is None else r.ci_low for r in b.rows])
    high = np.array([np.nan if r.ci_high is None else r.ci_high for r in b.rows])
    err = np.nan_to_num(np.vstack([(offset - low).clip(min=0), (high - offset).clip(min=0)]))
    y = np.arange(len(b.rows))
    ax.errorbar(offset, y, xerr=err, fmt="o", color=_C_CAL, ecolor=_C_CAL, capsize=3)
    ax.axvline(0, color=_C_MEDIAN, lw=1)
    _row_labels(ax, [r.label for r in b.rows], fontsize=9)
    ax.set_ylim(-0.6, len(b.rows) - 0.4)
    reach = max(10.0, float(np.nanmax(np.abs(np.concatenate([offset, low, high])))) + 3)
    ax.set_xlim(-reach, reach)
    ax.set_xlabel(
        "offset in risk-score points (0–100 scale)\npositive = the source rates "
        "occupations as more at risk than the typical source does"
    )
    ax.set_title("Source bias: calibration offsets with intervals", loc="left")
    ax.grid(axis="x", color=_C_GRID, lw=0.6)
    return fig


# Which function draws each kind of chart record.
_FIGURES: dict[type, Any] = {
    ScoresPanel: _scores_figure,
    TasksPanel: _tasks_figure,
    SalariesPanel: _salaries_figure,
    HistoryPanel: _history_figure,
    MedianHistogram: _histogram_figure,
    BiasChart: _bias_figure,
}


# --------------------------------------------------------------------------- many charts


def render_charts(
    charts: Sequence[Chart], workers: int = 1, ready: ChartWorkers | None = None
) -> list[bytes]:
    """PNG bytes of each chart, in order.

    With ``workers > 1`` and at least :data:`PARALLEL_MIN_CHARTS` charts, up to
    ``workers - 1`` worker processes draw alongside this one (about
    :data:`MIN_CHARTS_PER_PROCESS` charts per process at least), taking charts
    from a shared queue. Workers are fresh interpreters running this module
    (``python -c``, the caller's ``sys.path``); they never import the caller's
    main module, so no ``if __name__ == "__main__":`` guard is needed. Workers
    started ahead (``ready``, see :class:`ChartWorkers`) are used first. A worker
    that cannot start or dies leaves its charts to the others and this process.
    The bytes do not depend on which process drew a chart.
    """
    charts = list(charts)
    processes = min(int(workers), len(charts) // MIN_CHARTS_PER_PROCESS)
    with _chart_settings():
        if processes < 2 or len(charts) < PARALLEL_MIN_CHARTS or not sys.executable:
            return [draw_chart(chart) for chart in charts]
        return _render_with_workers(charts, processes - 1, ready)


class ChartWorkers:
    """Chart worker processes started before the charts to draw are known.

    A worker takes about a second to start (an interpreter importing matplotlib);
    started when a build begins, it is ready by the time the build has read its
    data and knows what to draw. :func:`render_charts` uses these first; any not
    used are stopped on :meth:`close` (or leaving the ``with`` block).
    """

    def __init__(self, n: int) -> None:
        self._idle: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        for _ in range(max(0, int(n)) if sys.executable else 0):
            proc = _start_worker()
            if proc is not None:
                self._idle.append(proc)

    def take(self) -> subprocess.Popen | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for proc in idle:
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    def __enter__(self) -> ChartWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_worker() -> subprocess.Popen | None:
    """A chart worker, already given the caller's ``sys.path`` (so it imports right away)."""
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
    except OSError as exc:
        log.warning("a report chart worker could not start: %s", exc)
        return None
    try:
        assert proc.stdin is not None
        pickle.dump(list(sys.path), proc.stdin)
        proc.stdin.flush()
    except OSError as exc:
        log.warning("a report chart worker could not start: %s", exc)
        proc.kill()
        proc.wait()
        return None
    return proc


_WORKER_CODE = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    f"from {__name__} import _serve_charts; _serve_charts()"
)


def _serve_charts() -> None:
    """Worker loop: read pickled chart records from stdin, write pickled PNG bytes to stdout."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt replies
    source = sys.stdin.buffer
    with _chart_settings():
        while True:
            try:
                chart = pickle.load(source)
            except EOFError:
                break
            pickle.dump(draw_chart(chart), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
    out.close()


def _render_with_workers(
    charts: list[Chart], n_workers: int, ready: ChartWorkers | None = None
) -> list[bytes]:
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(charts)):
        todo.put(i)
    results: list[bytes | None] = [None] * len(charts)
    procs: list[subprocess.Popen] = []
    lock = threading.Lock()
    stop = threading.Event()

    def feed() -> None:
        proc = (ready.take() if ready is not None else None) or _start_worker()
        if proc is None:
            return
        with lock:
            procs.append(proc)
        assert proc.stdin is not None and proc.stdout is not None
        i = None
        given_work = False
        try:
            while not stop.is_set():
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    i = None
                    break
                given_work = True
                pickle.dump(charts[i], proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                proc.stdin.flush()
                png = pickle.load(proc.stdout)
                if not isinstance(png, bytes):
                    raise pickle.UnpicklingError(f"worker replied {type(png).__name__}")
                results[i], i = png, None
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            if not stop.is_set():
                log.warning("a report chart worker stopped (%s); the others carry on", exc)
        finally:
            if i is not None:
                todo.put(i)
            if not given_work:  # all charts were drawn before it was ready: don't wait for it
                proc.kill()
            with contextlib.suppress(OSError):
                proc.stdin.close()
            proc.wait()

    threads = [threading.Thread(target=feed, daemon=True) for _ in range(n_workers)]
    for thread in threads:
        thread.start()
    try:
        while True:  # this process draws too
            try:
                i = todo.get_nowait()
            except queue.Empty:
                break
            results[i] = draw_chart(charts[i])
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        with lock:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
    # Charts handed back by a worker that died after this process ran out of work.
    return [draw_chart(c) if png is None else png for c, png in zip(charts, results, strict=True)]
