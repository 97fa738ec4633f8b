"""Generated pages (``benchmarks.pagegen``) parsed and compared with their ground truth.

The generator renders every template in every HTML variant and as text, with
decoys (related-role chips, hidden and commented stale scores, script state),
plus unknown-site pages and bad pages. Every mismatch is collected and reported
together so one run shows the whole picture.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

pagegen = pytest.importorskip("benchmarks.pagegen")
content = pytest.importorskip("benchmarks.pagegen_content")

from sources.parse import parse_document  # noqa: E402

TEMPLATES = tuple(pagegen.TEMPLATES)
FORMATS = ("text", *range(pagegen.N_VARIANTS))


def _norm(s: Any) -> Any:
    return " ".join(str(s).split()).casefold() if s is not None else None


def _details(ex, truth) -> list[str]:
    """Differences between an extraction and the truth's per-template details."""
    d, out = truth.details, []
    stated = d.get("industry") and truth.template in ("impact_report", "ai_safe_careers")
    if stated and _norm(ex.industry) != _norm(d["industry"]):
        out.append(f"industry {ex.industry!r} != {d['industry']!r}")
    if "tasks" in d:
        got = [(t.task, t.pct_automatable, t.rationale) for t in ex.tasks_automation]
        want = [(t["task"], float(t["pct"]), t.get("rationale")) for t in d["tasks"]]
        if got != want:
            out.append(f"tasks {got} != {want}")
    if "task_mentions" in d:
        got = [(_norm(m.task), m.stance) for m in ex.task_mentions]
        want = [(_norm(m["task"]), m["stance"]) for m in d["task_mentions"]]
        if got != want:
            out.append(f"task_mentions {got} != {want}")
        for m, w in zip(ex.task_mentions, d["task_mentions"], strict=False):
            said = w.get("description") or w.get("timeline")
            if said and _norm(m.description) != _norm(said):
                out.append(f"task description {m.description!r} != {said!r}")
    if "recommendations" in d:
        got = [(r.ordinal, _norm(r.action), r.horizon) for r in ex.recommendations]
        want = [(r["ordinal"], _norm(r["action"]), r.get("horizon")) for r in d["recommendations"]]
        if got != want:
            out.append(f"recommendations {got} != {want}")
    if "salary_bands" in d:
        got = [
            (_norm(b.seniority), b.low, b.high, b.open_ended, b.currency, b.region)
            for b in ex.salary_bands
        ]
        want = []
        for b in d["salary_bands"]:
            # A single figure ("Entry: $70,000") is recorded as low == high here; the
            # generator writes high=None for it.
            high = b["low"] if b["high"] is None and not b["open_ended"] else b["high"]
            want.append(
                (
                    _norm(b["seniority"]),
                    float(b["low"]),
                    None if high is None else float(high),
                    b["open_ended"],
                    b["currency"],
                    b["region"],
                )
            )
        if got != want:
            out.append(f"salary_bands {got} != {want}")
    if d.get("salary_growth"):
        g = d["salary_growth"]
        want_g = (float(g["low_pct"]), None if g.get("high_pct") is None else float(g["high_pct"]))
        got_g = [(x.low_pct, x.high_pct) for x in ex.salary_growth][:1]
        if got_g != [want_g]:
            out.append(f"salary_growth {got_g} != {want_g}")
    if "tools" in d:
        named = {_norm(t.tool) for t in ex.tools}
        missing = [t for t in d["tools"] if _norm(t) not in named]
        if missing:
            out.append(f"tools missing {missing}")
    if "career_steps" in d:
        got = [(c.step, _norm(c.title), c.years_min, c.years_max) for c in ex.career_steps]
        want = [
            (
                c["step"],
                _norm(c["title"]),
                float(c["years_min"]),
                c["years_max"] and float(c["years_max"]),
            )
            for c in d["career_steps"]
        ]
        if got != want:
            out.append(f"career_steps {got} != {want}")
    if "pivots" in d:
        got = [(_norm(p.role), p.ease) for p in ex.pivots]
        want = [(_norm(p["role"]), p["ease"]) for p in d["pivots"]]
        if got != want:
            out.append(f"pivots {got} != {want}")
    if "page_date" in d and ex.page_date != d["page_date"]:
        out.append(f"page_date {ex.page_date!r} != {d['page_date']!r}")
    return out


def _compare(document: str, truth, fmt) -> list[str]:
    name = "page.txt" if fmt == "text" else "page.html"
    doc = parse_document(document.encode("utf-8"), name=name, url=truth.url)
    if truth.expected_status == "quarantined":
        got = doc.rejection.reason_code if doc.rejection else f"extraction {doc.extraction.score}"
        return (
            [] if got == truth.expected_reason else [f"expected {truth.expected_reason}, got {got}"]
        )
    if doc.extraction is None:
        return [f"rejected: {doc.rejection}"]
    ex, out = doc.extraction, []
    if ex.source != truth.template:
        out.append(f"source {ex.source} != {truth.template}")
    if ex.occupation != truth.occupation:
        out.append(f"occupation {ex.occupation!r} != {truth.occupation!r}")
    if (ex.score.value, ex.score.scale_max, ex.score.polarity) != (
        truth.raw_value,
        truth.scale_max,
        truth.polarity,
    ):
        out.append(f"score {ex.score} != {truth.raw_value}/{truth.scale_max} {truth.polarity}")
    if truth.label is not None and ex.label != truth.label:
        out.append(f"label {ex.label!r} != {truth.label!r}")
    return out + _details(ex, truth)


def _cases():
    rng = random.Random(20261101)
    titles = [o.title for o in content.occupations()]
    scales = {t: content.SCALES[t].scale_max for t in TEMPLATES}
    for template in TEMPLATES:
        for fmt in FORMATS:
            for _ in range(3):
                value = rng.randint(0, int(scales[template]))
                yield template, rng.choice(titles), value, fmt, {}
        for headline in ("none", "conflict"):
            yield template, rng.choice(titles), 3, rng.choice(FORMATS), {"headline": headline}
        yield template, rng.choice(titles), scales[template] + 2, rng.choice(FORMATS), {}
    for form, (_lead, _written, scale_max, _polarity) in enumerate(pagegen.GENERIC_FORMS):
        for style in range(3):
            value = (
                round(rng.uniform(0, 1), 2) if scale_max == 1 else rng.randint(0, int(scale_max))
            )
            opts = {"form": form, "heading_style": style}
            yield "generic", rng.choice(titles), value, rng.choice(FORMATS), opts
        yield (
            "generic",
            rng.choice(titles),
            1,
            rng.choice(FORMATS),
            {"form": form, "headline": "conflict"},
        )


def test_generated_pages_match_their_ground_truth():
    rng = random.Random(7)
    mismatches, checked = [], 0
    for template, title, value, fmt, options in _cases():
        kwargs = {"fmt": "text"} if fmt == "text" else {"fmt": "html", "variant": fmt}
        document, truth = pagegen.render_page(template, title, value, rng=rng, **kwargs, **options)
        checked += 1
        for problem in _compare(document, truth, fmt):
            mismatches.append(f"{template}/{fmt}/{title}/{options or ''}: {problem}")
    assert checked > 100
    assert not mismatches, f"{len(mismatches)} of {checked} pages differ:\n" + "\n".join(mismatches)
