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
* every chart is drawn under matplotlib's default settings plus the report's
  own (``_RC``), so a caller's style or matplotlibrc cannot change the bytes;
  a batch of charts enters these settings once;
* each distinct text is rasterised once per process and reused (glyphs on whole
  pixels), so tick labels, axis labels and legends cost almost nothing after
  the first chart; categorical labels (tasks, seniorities) and numeric ticks are
  plain texts and lines, not matplotlib ticks, which are several times dearer;
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import matplotlib
import numpy as np
import PIL
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import Affine2D, ScaledTranslation
from PIL import Image  # a dependency of matplotlib

log = logging.getLogger(__name__)

CHART_CODE_VERSION = "5"
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

A worker takes ~0.6 s to start and a chart (one panel) ~20 ms to draw, so a
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
    calibrated: float | None

    def __post_init__(self) -> None:
        _round_fields(self, ("risk", "calibrated"), SCORE_STEP)


@dataclass(frozen=True)
class ScoresPanel:
    """Source scores of one occupation: dots, consensus median and interval, calibration."""

    kind: ClassVar[str] = "scores"
    title: str
    median: float | None
    ci_low: float | None
    ci_high: float | None
    calibrated_median: float | None
    median_text: str  # legend values: whole points of the exact values, as in the tables
    interval_text: str
    calibrated_text: str
    dots: tuple[SourceDot, ...]  # bottom to top

    def __post_init__(self) -> None:
        _round_fields(self, ("median", "ci_low", "ci_high", "calibrated_median"), SCORE_STEP)


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
        panels.append(
            ScoresPanel(
                title=chart_text(title),
                median=median,
                ci_low=ci_low,
                ci_high=ci_high,
                calibrated_median=calibrated,
                median_text=_whole(median),
                interval_text=f"{_whole(ci_low)}–{_whole(ci_high)}",
                calibrated_text=_whole(calibrated),
                dots=tuple(
                    SourceDot(
                        dot_label(r), _num(r.get("risk_score")), _num(r.get("calibrated_score"))
                    )
                    for r in ranked
                ),
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


def _stacked_axes(
    heights: list[float], *, left: float = LEFT_IN, right: float = RIGHT_IN
) -> tuple[Figure, list]:
    """A figure with one axes per height (inches), stacked, at fixed margins.

    Fixed margins (room for a title above and tick labels plus an axis label
    below each axes) keep rendering to a single draw, unlike a layout engine.
    Each chart builds its figure afresh: copying a pickled blank one would be
    quicker, but an unpickled figure's transforms can miss updates (they link
    to each other by the ids of the pickled objects), which draws wrong pictures.
    """
    total = sum(h + _PANEL_TOP_IN + _PANEL_BOTTOM_IN for h in heights)
    fig = Figure(figsize=(WIDTH_IN, total), dpi=DPI)
    axes = []
    top = total
    for h in heights:
        top -= _PANEL_TOP_IN + h
        ax = fig.add_axes(
            (left / WIDTH_IN, top / total, (WIDTH_IN - left - right) / WIDTH_IN, h / total)
        )
        # A fixed x-label position spares matplotlib a second pass over the tick labels.
        ax.xaxis.set_label_coords(0.5, 0, transform=_shifted(ax, ax.transAxes, 0, -_XLABEL_DROP_PT))
        axes.append(ax)
        top -= _PANEL_BOTTOM_IN
    return fig, axes


def _png(fig: Figure) -> bytes:
    """Draw once and encode as a palette PNG (charts have few colours: ~3x smaller)."""
    canvas = _Canvas(fig)
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
    return _png(figure(chart))


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
    for i, (kind, style, label) in enumerate(entries):
        y = -5.0 - 10.5 * i
        if kind == "band":
            sample = Rectangle((6, y - 3.5), 16, 7, lw=0, **style)
        elif kind == "line":  # a marker, if any, in the middle only
            sample = Line2D([6, 14, 22], [y, y, y], markevery=[1], **style)
        else:
            sample = Line2D([14], [y], ls="none", **style)
        sample.set(transform=points, clip_on=False)
        ax.add_artist(sample)
        ax.text(26, y, label, transform=points, va="center_baseline", fontsize=7.5)


def _row_labels(ax, labels: Sequence[str], *, fontsize: float) -> None:
    """Labels left of the axes at y = 0, 1, ... (cheaper than categorical ticks)."""
    transform = _shifted(ax, ax.get_yaxis_transform(), -5)
    for yi, label in enumerate(labels):
        ax.text(
            0, yi, label, transform=transform, ha="right", va="center_baseline", fontsize=fontsize
        )
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
) -> None:
    """Ticks of one axis drawn as plain artists, looking like matplotlib's default ticks.

    One line of tick marks, one cached text per label and one line for all grid
    lines replace the axis's tick machinery (a tick is five artists, created,
    styled and updated on every draw: the dearest part of a small chart).
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
    ax.add_artist(
        Line2D(
            *mark_xy,
            ls="none",
            marker=mark,
            ms=_TICK_PT,
            mew=_TICK_WIDTH_PT,
            color="black",
            transform=base,
            clip_on=False,
        )
    )
    for (x, y), label in zip(xy, labels, strict=True):
        ax.text(x, y, label, transform=label_at, **text)
    if grid and n:
        along = [w for v in values for w in (v, v, np.nan)]
        across = [w for _ in values for w in (0.0, 1.0, np.nan)]
        line = (along, across) if axis == "x" else (across, along)
        ax.add_line(Line2D(*line, color=_C_GRID, lw=0.6, zorder=grid_zorder, transform=base))


def _tick_label(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------- per occupation


def _panel_figure(height: float) -> tuple[Figure, Any]:
    """One occupation panel: every panel has the same width and margins, so they align."""
    fig, (ax,) = _stacked_axes([height])
    return fig, ax


def _scores_figure(c: ScoresPanel) -> Figure:
    n = len(c.dots)
    fig, ax = _panel_figure(0.5 + 0.36 * n)
    y = np.arange(n)
    risk = np.array([np.nan if d.risk is None else d.risk for d in c.dots], dtype=float)
    cal = np.array([np.nan if d.calibrated is None else d.calibrated for d in c.dots], dtype=float)
    key: list[tuple[str, dict[str, Any], str]] = []
    if c.ci_low is not None and c.ci_high is not None:
        band = {"color": _C_BAND, "alpha": 0.45}
        ax.axvspan(c.ci_low, c.ci_high, lw=0, **band)
        key.append(("band", band, f"consensus interval {c.interval_text}"))
    if c.median is not None:
        line = {"color": _C_MEDIAN, "lw": 1.8}
        ax.axvline(c.median, **line)
        key.append(("line", line, f"consensus median {c.median_text}"))
    ax.scatter(risk, y, s=46, color=_C_DOT, zorder=3)
    dot = {"marker": "o", "ms": 46**0.5, "color": _C_DOT}
    key.append(("marker", dot, "source score (normalised)"))
    has_cal = ~np.isnan(cal)
    if has_cal.any():
        ax.scatter(cal, y, s=40, marker="D", facecolors="none", edgecolors=_C_CAL, zorder=3)
        ax.hlines(y[has_cal], risk[has_cal], cal[has_cal], color=_C_CAL, lw=0.8, alpha=0.6)
        diamond = {"marker": "D", "ms": 40**0.5, "mfc": "none", "mec": _C_CAL}
        key.append(("marker", diamond, "calibrated source score"))
    if c.calibrated_median is not None:
        line = {"color": _C_CAL, "lw": 1.4, "ls": "--"}
        ax.axvline(c.calibrated_median, **line)
        key.append(("line", line, f"calibrated median {c.calibrated_text}"))
    to_right = _shifted(ax, ax.transData, 7)
    to_left = _shifted(ax, ax.transData, -7)
    for yi, dot in enumerate(c.dots):
        if dot.risk is None:
            continue
        right = dot.risk <= 62
        x = dot.risk
        if dot.calibrated is not None:  # put the label beyond both markers
            x = max(x, dot.calibrated) if right else min(x, dot.calibrated)
        ax.text(
            x,
            yi,
            dot.label,
            transform=to_right if right else to_left,
            va="center",
            ha="left" if right else "right",
            fontsize=8,
        )
    ax.set_xlim(0, 100)
    ticks = [0, 20, 40, 60, 80, 100]
    _plain_ticks(ax, "x", ticks, [_tick_label(t) for t in ticks], grid=True)
    ax.set_ylim(-0.8, n - 0.2)
    ax.yaxis.set_major_locator(NullLocator())
    ax.set_xlabel(RISK_AXIS_LABEL)
    ax.set_title(f"{c.title}: source scores (n = {n})", loc="left")
    _key(ax, key)
    return fig


def _tasks_figure(c: TasksPanel) -> Figure:
    fig, ax = _panel_figure(0.2 + 0.3 * len(c.tasks))
    y = np.arange(len(c.tasks))
    ax.barh(y, [t.share for t in c.tasks], color=_C_BAR, height=0.6)
    beside = _shifted(ax, ax.transData, 4)
    for yi, task in enumerate(c.tasks):
        ax.text(task.share, yi, task.text, transform=beside, va="center", fontsize=8)
    _row_labels(ax, [t.label for t in c.tasks], fontsize=8)
    ax.set_ylim(len(c.tasks) - 0.5, -0.5)  # highest first
    ax.set_xlim(0, 115)
    ticks = [0, 25, 50, 75, 100]
    _plain_ticks(ax, "x", ticks, [_tick_label(t) for t in ticks])
    ax.set_xlabel("share of the task that is automatable (%, median across sources)")
    extra = f" (top {len(c.tasks)} of {c.n_tasks})" if c.n_tasks > len(c.tasks) else ""
    ax.set_title(f"Task automation{extra}", loc="left")
    return fig


def _salaries_figure(c: SalariesPanel) -> Figure:
    fig, ax = _panel_figure(0.4 + 0.38 * len(c.salaries))
    values = [v for b in c.salaries for v in (b.start, b.end) if v is not None]
    top = max(values, default=1.0) * 1.4 or 1.0
    above = _shifted(ax, ax.transData, 0, 7)
    for yi, band in enumerate(c.salaries):
        if band.start is None or band.end is None:
            continue
        ax.hlines(yi, band.start, band.end, color=_C_SALARY, lw=7)
        ax.plot([band.start, band.end], [yi, yi], "|", color=_C_SALARY, ms=12, mew=2)
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
        ax.text(band.start, yi, text, transform=above, fontsize=8)
    _row_labels(ax, [b.seniority for b in c.salaries], fontsize=9)
    ax.set_ylim(len(c.salaries) - 0.4, -0.8)
    ax.set_xlim(0, top)
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
    fig, ax = _panel_figure(1.8)
    key = []
    for i, line in enumerate(c.history):
        style = {"color": f"C{i % 10}", "marker": "o", "ms": 4, "lw": 1.4}
        ax.plot(
            np.array(line.at_ns, dtype="datetime64[ns]"),
            np.array([np.nan if r is None else r for r in line.risk], dtype=float),
            **style,
        )
        key.append(("line", style, line.source))
    locator = AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylim(0, 100)
    ticks = [0, 25, 50, 75, 100]
    _plain_ticks(ax, "y", ticks, [_tick_label(t) for t in ticks], grid=True, grid_zorder=1.5)
    ax.set_ylabel("risk score (0–100,\nhigher = more risk)")
    # Beside the plain tick labels ("100" is ~17 pt wide), as matplotlib would put it.
    ax.yaxis.set_label_coords(0, 0.5, transform=_shifted(ax, ax.transAxes, -_TICK_LABEL_PT - 21))
    ax.set_xlabel("capture time (UTC)")
    ax.set_title("Score history (sources with more than one capture)", loc="left")
    ax.xaxis.grid(True, color=_C_GRID, lw=0.6)
    _key(ax, key)
    return fig


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


def render_charts(charts: Sequence[Chart], workers: int = 1) -> list[bytes]:
    """PNG bytes of each chart, in order.

    With ``workers > 1`` and at least :data:`PARALLEL_MIN_CHARTS` charts, up to
    ``workers - 1`` worker processes draw alongside this one (about
    :data:`MIN_CHARTS_PER_PROCESS` charts per process at least), taking charts
    from a shared queue. Workers are fresh interpreters running this module
    (``python -c``, the caller's ``sys.path``); they never import the caller's
    main module, so no ``if __name__ == "__main__":`` guard is needed. A worker
    that cannot start or dies leaves its charts to the others and this process.
    The bytes do not depend on which process drew a chart.
    """
    charts = list(charts)
    processes = min(int(workers), len(charts) // MIN_CHARTS_PER_PROCESS)
    with _chart_settings():
        if processes < 2 or len(charts) < PARALLEL_MIN_CHARTS or not sys.executable:
            return [draw_chart(chart) for chart in charts]
        return _render_with_workers(charts, processes - 1)


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


def _render_with_workers(charts: list[Chart], n_workers: int) -> list[bytes]:
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(charts)):
        todo.put(i)
    results: list[bytes | None] = [None] * len(charts)
    procs: list[subprocess.Popen] = []
    lock = threading.Lock()
    stop = threading.Event()

    def feed() -> None:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
        except OSError as exc:
            log.warning("a report chart worker could not start: %s", exc)
            return
        with lock:
            procs.append(proc)
        assert proc.stdin is not None and proc.stdout is not None
        i = None
        given_work = False
        try:
            pickle.dump(list(sys.path), proc.stdin)
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
