"""Charts of the HTML report, drawn with matplotlib's Agg canvas into PNG bytes.

Figures are built with :class:`matplotlib.figure.Figure` and
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg` directly, so nothing
touches pyplot's global state or the process-wide backend. Text from the data
is drawn literally (mathtext is off, control characters become spaces), so a
title containing ``$`` or a tab cannot break a chart.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Mapping
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from PIL import Image  # a dependency of matplotlib

RISK_AXIS_LABEL = "risk score (0–100, higher = more AI displacement risk)"
SENIORITY_ORDER = ("entry", "mid", "senior", "lead")
MAX_TASK_BARS = 12
DPI = 80
WIDTH_IN = 10.0
LEFT_IN = 2.7  # room for task / seniority / source tick labels
RIGHT_IN = 1.9  # room for legends outside the plot
_PANEL_TOP_IN = 0.35
_PANEL_BOTTOM_IN = 0.65

_C_DOT = "#0b5cad"
_C_MEDIAN = "#1f2328"
_C_BAND = "#9ec5fe"
_C_CAL = "#bf3989"
_C_BAR = "#4c8bc9"
_C_SALARY = "#2da44e"

_RC = {
    "text.parse_math": False,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 7.5,
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def chart_text(value: Any, limit: int = 60) -> str:
    """Data text as drawn in a chart: control characters removed, long text cut."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _stacked_axes(
    heights: list[float], *, left: float = LEFT_IN, right: float = RIGHT_IN
) -> tuple[Figure, list]:
    """A figure with one axes per height (inches), stacked, at fixed margins.

    Fixed margins (room for a title above and tick labels plus an axis label
    below each axes) keep rendering to a single draw, unlike a layout engine.
    """
    total = sum(h + _PANEL_TOP_IN + _PANEL_BOTTOM_IN for h in heights)
    fig = Figure(figsize=(WIDTH_IN, total))
    axes = []
    top = total
    for h in heights:
        top -= _PANEL_TOP_IN + h
        axes.append(
            fig.add_axes(
                (left / WIDTH_IN, top / total, (WIDTH_IN - left - right) / WIDTH_IN, h / total)
            )
        )
        top -= _PANEL_BOTTOM_IN
    return fig, axes


def _render(fig: Figure) -> bytes:
    """Draw once and encode as a palette PNG (charts have few colours: ~3x smaller)."""
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = image.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _draw(build) -> bytes:
    """Run ``build()`` (which returns a Figure) under the report's rc settings."""
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. a glyph missing from the font
        return _render(build())


# --------------------------------------------------------------------------- per occupation


def dot_label(row: Mapping[str, Any]) -> str:
    """``"resilience_profile 68/100 → 32"``: source, score as written, normalised score."""
    raw = row.get("raw_score")
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        value, top = _num(row.get("raw_value")), _num(row.get("scale_max"))
        raw = f"{value:g}/{top:g}" if value is not None and top is not None else "?"
    risk = _num(row.get("risk_score"))
    shown = f"{risk:.0f}" if risk is not None else "?"
    return f"{chart_text(row.get('source'), 30)} {chart_text(raw, 16)} → {shown}"


def _panel_dots(ax, title: str, scores: pd.DataFrame, profile: Mapping[str, Any]) -> None:
    s = scores.assign(_risk=pd.to_numeric(scores["risk_score"], errors="coerce"))
    s = s.sort_values(["_risk", "source"], na_position="first").reset_index(drop=True)
    y = np.arange(len(s))
    low, high = _num(profile.get("ci_low")), _num(profile.get("ci_high"))
    median = _num(profile.get("risk_median"))
    if low is not None and high is not None:
        ax.axvspan(
            low,
            high,
            color=_C_BAND,
            alpha=0.45,
            lw=0,
            label=f"consensus interval {low:.0f}–{high:.0f}",
        )
    if median is not None:
        ax.axvline(median, color=_C_MEDIAN, lw=1.8, label=f"consensus median {median:.0f}")
    ax.scatter(s["_risk"], y, s=46, color=_C_DOT, zorder=3, label="source score (normalised)")
    cal = pd.to_numeric(
        s.get("calibrated_score", pd.Series(index=s.index, dtype=float)), errors="coerce"
    )
    if cal.notna().any():
        ax.scatter(
            cal,
            y,
            s=40,
            marker="D",
            facecolors="none",
            edgecolors=_C_CAL,
            zorder=3,
            label="calibrated source score",
        )
        ax.hlines(
            y[cal.notna()],
            s["_risk"][cal.notna()],
            cal[cal.notna()],
            color=_C_CAL,
            lw=0.8,
            alpha=0.6,
        )
    cal_median = _num(profile.get("risk_calibrated"))
    if cal_median is not None:
        ax.axvline(
            cal_median, color=_C_CAL, lw=1.4, ls="--", label=f"calibrated median {cal_median:.0f}"
        )
    for yi, row, c in zip(y, s.to_dict("records"), cal, strict=True):
        x = _num(row["_risk"])
        if x is None:
            continue
        right = x <= 62
        c = _num(c)
        if c is not None:  # put the label beyond both markers
            x = max(x, c) if right else min(x, c)
        ax.annotate(
            dot_label(row),
            (x, yi),
            xytext=(7 if right else -7, 0),
            textcoords="offset points",
            va="center",
            ha="left" if right else "right",
            fontsize=8,
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.8, len(s) - 0.2)
    ax.set_yticks([])
    ax.set_xlabel(RISK_AXIS_LABEL)
    ax.set_title(f"{chart_text(title)}: source scores (n = {len(s)})", loc="left")
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def task_share(tasks: pd.DataFrame) -> pd.Series:
    """Consensus % automatable per task: the median across sources, else the mean."""
    median = pd.to_numeric(tasks.get("pct_automatable_median"), errors="coerce")
    mean = pd.to_numeric(tasks.get("pct_automatable_mean"), errors="coerce")
    if median is None:
        return mean
    return median.fillna(mean) if mean is not None else median


def _panel_tasks(ax, tasks: pd.DataFrame) -> None:
    t = tasks.assign(_pct=task_share(tasks)).dropna(subset=["_pct"])
    t = t.sort_values(["_pct", "canonical_task"], ascending=[False, True])
    shown = t.head(MAX_TASK_BARS)
    y = np.arange(len(shown))
    ax.barh(y, shown["_pct"], color=_C_BAR, height=0.6)
    for yi, row in zip(y, shown.to_dict("records"), strict=True):
        n = row.get("n_sources")
        n_text = f" · {int(n)} source{'s' if int(n) != 1 else ''}" if _num(n) is not None else ""
        ax.annotate(
            f"{row['_pct']:.0f}%{n_text}",
            (row["_pct"], yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, [chart_text(v, 36) for v in shown["canonical_task"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("share of the task that is automatable (%, median across sources)")
    extra = f" (top {len(shown)} of {len(t)})" if len(t) > len(shown) else ""
    ax.set_title(f"Task automation{extra}", loc="left")


def seniority_rank(value: Any) -> tuple[int, str]:
    text = str(value).lower()
    return (SENIORITY_ORDER.index(text) if text in SENIORITY_ORDER else len(SENIORITY_ORDER), text)


def _money(value: float, _pos: Any = None) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def _panel_salaries(ax, salaries: pd.DataFrame, currency: str | None) -> None:
    rows = sorted(salaries.to_dict("records"), key=lambda r: seniority_rank(r.get("seniority")))
    values = [
        v
        for r in rows
        for v in (_num(r.get("low_median")), _num(r.get("high_median")))
        if v is not None
    ]
    top = max(values, default=1.0) * 1.4 or 1.0
    for yi, row in enumerate(rows):
        low, high = _num(row.get("low_median")), _num(row.get("high_median"))
        open_ended = high is None or (_num(row.get("n_open_ended")) or 0) > 0
        start = low if low is not None else high
        if start is None:
            continue
        end = high if high is not None else start
        ax.hlines(yi, start, end, color=_C_SALARY, lw=7)
        ax.plot([start, end], [yi, yi], "|", color=_C_SALARY, ms=12, mew=2)
        text = f"{_money(start)}–{_money(end)}" if end != start else _money(start)
        if open_ended:
            ax.annotate(
                "",
                xy=(top * 0.97, yi),
                xytext=(end, yi),
                arrowprops={"arrowstyle": "->", "ls": "--", "color": _C_SALARY},
            )
            text += "+ (open-ended)"
        ax.annotate(text, (start, yi), xytext=(0, 7), textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(rows)), [chart_text(r.get("seniority"), 20) for r in rows])
    ax.invert_yaxis()
    ax.set_ylim(len(rows) - 0.4, -0.8)
    ax.set_xlim(0, top)
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    unit = chart_text(currency, 10) if currency else "currency as stated by the sources"
    ax.set_xlabel(f"annual salary ({unit}; median of the sources' low and high figures)")
    ax.set_title("Salary bands by seniority", loc="left")


def history_sources(history: pd.DataFrame) -> list[str]:
    """Sources with more than one capture of this occupation."""
    if history.empty:
        return []
    counts = history.groupby("source").size()
    return sorted(str(s) for s in counts[counts > 1].index)


def _utc_naive(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None)


def _panel_history(ax, history: pd.DataFrame) -> None:
    keep = history_sources(history)
    h = history.loc[history["source"].astype(str).isin(keep)]
    h = h.assign(_at=_utc_naive(h["fetched_at"]), _risk=pd.to_numeric(h["risk_score"], "coerce"))
    for source, group in h.sort_values("_at").groupby("source", sort=True):
        ax.plot(
            group["_at"], group["_risk"], marker="o", ms=4, lw=1.4, label=chart_text(source, 30)
        )
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylim(0, 100)
    ax.set_ylabel("risk score (0–100,\nhigher = more risk)")
    ax.set_xlabel("capture time (UTC)")
    ax.set_title("Score history (sources with more than one capture)", loc="left")
    ax.grid(color="#e5e5e5", lw=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def occupation_chart(
    title: str,
    profile: Mapping[str, Any],
    scores: pd.DataFrame,
    tasks: pd.DataFrame,
    salaries: pd.DataFrame,
    history: pd.DataFrame,
    *,
    currency: str | None = None,
) -> bytes | None:
    """One PNG per occupation: source dot plot, tasks, salaries, history (those with data)."""
    panels: list[tuple[str, float]] = []
    if not scores.empty:
        panels.append(("dots", 0.5 + 0.36 * len(scores)))
    if not tasks.empty and task_share(tasks).notna().any():
        panels.append(("tasks", 0.2 + 0.3 * min(len(tasks), MAX_TASK_BARS)))
    if not salaries.empty:
        panels.append(("salaries", 0.4 + 0.38 * len(salaries)))
    if history_sources(history):
        panels.append(("history", 1.8))
    if not panels:
        return None

    def build() -> Figure:
        fig, axes = _stacked_axes([h for _, h in panels])
        for ax, (kind, _) in zip(axes, panels, strict=True):
            if kind == "dots":
                _panel_dots(ax, title, scores, profile)
            elif kind == "tasks":
                _panel_tasks(ax, tasks)
            elif kind == "salaries":
                _panel_salaries(ax, salaries, currency)
            else:
                _panel_history(ax, history)
        return fig

    return _draw(build)


def occupation_chart_job(job: tuple) -> bytes | None:
    """:func:`occupation_chart` on ``(title, profile, scores, tasks, salaries, history,
    currency)``: a picklable entry point for worker processes."""
    *args, currency = job
    return occupation_chart(*args, currency=currency)


# --------------------------------------------------------------------------- report-wide


def median_histogram(profiles: pd.DataFrame) -> bytes | None:
    """Distribution of the consensus medians over all occupations."""
    values = pd.to_numeric(profiles.get("risk_median"), errors="coerce").dropna()
    if values.empty:
        return None

    def build() -> Figure:
        fig, (ax,) = _stacked_axes([2.0], left=0.8, right=0.4)
        ax.hist(values.clip(0, 100), bins=np.arange(0, 105, 5), color=_C_BAR, edgecolor="white")
        for edge in (20, 40, 60, 80):
            ax.axvline(edge, color="#bbbbbb", lw=0.8, ls=":")
        ax.set_xlim(0, 100)
        ax.set_xlabel(f"consensus median {RISK_AXIS_LABEL}")
        ax.set_ylabel("occupations (count)")
        ax.set_title(f"Consensus median risk across {len(values)} occupations", loc="left")
        return fig

    return _draw(build)


def bias_chart(bias: pd.DataFrame) -> bytes | None:
    """Each calibrated source's offset with its interval."""
    b = bias.assign(_off=pd.to_numeric(bias.get("offset"), errors="coerce")).dropna(subset=["_off"])
    if b.empty:
        return None
    b = b.sort_values(["_off", "source"]).reset_index(drop=True)

    def build() -> Figure:
        fig, (ax,) = _stacked_axes([0.3 + 0.36 * len(b)], left=LEFT_IN, right=0.4)
        y = np.arange(len(b))
        low = pd.to_numeric(b["ci_low"], errors="coerce")
        high = pd.to_numeric(b["ci_high"], errors="coerce")
        err = np.vstack(
            [(b["_off"] - low).clip(lower=0).fillna(0), (high - b["_off"]).clip(lower=0).fillna(0)]
        )
        ax.errorbar(b["_off"], y, xerr=err, fmt="o", color=_C_CAL, ecolor=_C_CAL, capsize=3)
        ax.axvline(0, color=_C_MEDIAN, lw=1)
        labels = []
        for row in b.to_dict("records"):
            n = _num(row.get("n_occupations"))
            suffix = f" (n = {int(n)} occupations)" if n is not None else ""
            labels.append(chart_text(row.get("source"), 30) + suffix)
        ax.set_yticks(y, labels)
        reach = max(10.0, float(np.nanmax(np.abs(np.concatenate([b["_off"], low, high])))) + 3)
        ax.set_xlim(-reach, reach)
        ax.set_xlabel(
            "offset in risk-score points (0–100 scale)\npositive = the source rates "
            "occupations as more at risk than the typical source does"
        )
        ax.set_title("Source bias: calibration offsets with intervals", loc="left")
        ax.grid(axis="x", color="#e5e5e5", lw=0.6)
        return fig

    return _draw(build)
