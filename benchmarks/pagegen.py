"""Seeded generator of realistic landing folders, with ground truth.

Pages imitate the five site templates of the real captures in ``data/samples``
(``TEMPLATES``) plus unknown sites (template ``"generic"``), for ~1,000 real
occupation titles (``benchmarks/data/occupations.csv``) and scores/labels
consistent with each template's scale and label vocabulary.

One page
--------
``render_page(template, occupation, value, *, rng, variant=None, fmt="html", label=None, **options)``
returns ``(document, truth)``: the page as a ``str`` and its :class:`PageTruth`
(``relpath`` is ``""``; ``kind`` is ``"page"``).

* ``template``: one of :data:`TEMPLATES` or ``"generic"``.
* ``occupation``: a title; known titles use their data row (plural, industry).
* ``value``: the headline score on the template's own scale (``68`` for
  resilience_profile's ``68/100``, ``4`` for impact_report's ``4/10``). A value
  outside the scale renders as written (``12/10``) and is expected quarantined
  with ``score_out_of_range``.
* ``variant``: HTML tag structure, ``0..len(HTML_VARIANTS)-1`` (``None``: drawn
  from ``rng``); ignored for ``fmt="text"`` (a plain-text capture like the samples).
* ``label``: the category label as written; ``None`` picks one consistent with
  the score band.
* ``options`` (all optional):

  - ``headline``: ``"normal"`` (default), ``"none"`` (no headline score: the
    decoys stay; expected ``no_score``) or ``"conflict"`` (a second headline
    block with ``conflict_value``; expected ``conflicting_scores``).
  - ``conflict_value``: the second score for ``headline="conflict"``.
  - ``industry``: industry key or display name (default: the occupation's).
  - ``fetched_at``: ISO 8601 UTC (default ``"2026-04-01T12:00:00Z"``); sets the
    page date where a template states one.
  - ``url``: canonical URL (default: the site's URL for the occupation).
  - ``chrome``: wrap HTML in site chrome (default ``True``); ``decoys``: add
    decoy scores (default ``True``); ``target_bytes``: pad the HTML to about this
    size (default: drawn in 31.5-58.5 kB when chrome is on).
  - ``seed``: world seed for per-occupation salaries (default ``0``).
  - generic only: ``form`` (index into ``GENERIC_FORMS``), ``heading_style``
    (0: "Will AI replace <plural>?", 1: "<Occ>: AI risk", 2: long headline),
    ``site`` (index into ``GENERIC_SITES``).

A landing folder
----------------
``generate_landing(root, n_pages, *, seed=0, truth_path=None, ...)`` writes
``n_pages`` files (sidecars not counted) under
``root/<site-host>/<YYYY-MM-DD>/<slug>.(html|txt)``, streaming one file at a time,
and one JSON line per file to ``truth_path`` (default: ``<root>.truth.jsonl``
beside the root, never inside it). Returns ``truth_path``. The mix:

* fresh pages of the five templates (HTML, every variant in turn; ``text_share``
  as plain text) and ``unknown_share`` generic pages;
* ``recapture_share``: a page already written, re-fetched on a later day with a
  changed score (same URL; ``details["recapture_of"]``). Fresh pages also cycle
  through template x occupation, so past ``5 x 1,047`` template pages the same
  URL recurs naturally: the latest ``fetched_at`` per (template, occupation) is
  the current capture;
* ``duplicate_share``: copies of a written page on a later day, byte-identical
  (``duplicate_bytes``) or with the same visible text but different markup
  (CRLF, indentation, attribute order: ``duplicate_text``); expected
  ``"duplicate"`` (``details["duplicate_of"]``);
* ``bad_share``: ``empty_file``, ``binary_content`` (PNG bytes named ``.html``),
  ``no_score`` (template or generic pages without a headline, decoys kept),
  ``score_out_of_range`` (``12/10``), ``conflicting_scores`` and, when
  ``max_file_bytes`` is given, ``too_large``; expected ``"quarantined"``;
* ``ignored_share``: partial downloads (``.part``, ``.tmp``, ``.crdownload``) and
  dotfiles; kind and expected status ``"ignored"``;
* ``NAME.meta.json`` sidecars (``{"url", "fetched_at"}``) beside
  ``sidecar_share`` of the documents when ``sidecars``; for documents without
  one, ``fetched_at`` in the truth is the file's mtime (set with ``os.utime``).

Same arguments, same bytes, same mtimes. CLI::

    python -m benchmarks.pagegen OUT_DIR --pages N --seed S --truth TRUTH.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import random
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks import pagegen_chrome as chrome
from benchmarks import pagegen_templates as tpl
from benchmarks.pagegen_content import (
    GENERIC,
    SCALES,
    TEMPLATES,
    Scale,
    band_of,
    canonical_risk,
    fmt_num,
    label_for,
    latent_risk,
    lookup_occupation,
    occupations,
    slugify,
    source_value,
)
from benchmarks.pagegen_markup import HTML_VARIANTS, make_markup

__all__ = [
    "GENERIC_FORMS",
    "HTML_VARIANTS",
    "TEMPLATES",
    "PageTruth",
    "generate_landing",
    "main",
    "render_page",
]

GENERIC_FORMS = tpl.GENERIC_FORMS
N_VARIANTS = len(HTML_VARIANTS)
DEFAULT_FETCHED_AT = "2026-04-01T12:00:00Z"
START_DATE = date(2026, 1, 5)


@dataclass(frozen=True)
class PageTruth:
    """Ground truth of one generated file."""

    relpath: str  # path relative to the landing root
    kind: str  # "page" | "duplicate_bytes" | "duplicate_text" | "bad" | "ignored"
    template: str | None  # one of TEMPLATES, "generic", or None
    occupation: str | None  # canonical title
    raw_value: float | None
    scale_max: float | None
    polarity: str | None  # "risk" | "safety"
    risk_score: float | None  # canonical: risk value/scale_max*100; safety 100 - that
    label: str | None
    expected_status: str  # "loaded" | "duplicate" | "quarantined" | "ignored"
    expected_reason: str | None  # quarantine reason code
    fetched_at: str  # ISO 8601 UTC
    url: str | None  # from the sidecar; None without one
    details: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return _TRUTH_JSON.encode({f: getattr(self, f) for f in _FIELDS})

    @classmethod
    def from_json(cls, line: str) -> PageTruth:
        return cls(**json.loads(line))


_FIELDS = tuple(f.name for f in fields(PageTruth))
_TRUTH_JSON = json.JSONEncoder(ensure_ascii=False)
_OPTIONS = {
    "headline",
    "conflict_value",
    "industry",
    "fetched_at",
    "url",
    "chrome",
    "decoys",
    "target_bytes",
    "seed",
    "form",
    "heading_style",
    "site",
}


_DAYS: dict[int, str] = {}


def _iso(ts: int) -> str:
    """Epoch seconds -> ``YYYY-MM-DDTHH:MM:SSZ``."""
    d, rest = divmod(ts, 86400)
    day = _DAYS.get(d)
    if day is None:
        day = _DAYS[d] = datetime.fromtimestamp(d * 86400, UTC).strftime("%Y-%m-%d")
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    return f"{day}T{h:02d}:{m:02d}:{sec:02d}Z"


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------- one page


def render_page(
    template: str,
    occupation: str,
    value: float | None,
    *,
    rng: random.Random,
    variant: int | None = None,
    fmt: str = "html",
    label: str | None = None,
    **options,
) -> tuple[str, PageTruth]:
    """Render one page; see the module docstring for the options."""
    data, truth = render_page_bytes(
        template, occupation, value, rng=rng, variant=variant, fmt=fmt, label=label, **options
    )
    return data.decode("utf-8"), truth


def render_page_bytes(
    template: str,
    occupation: str,
    value: float | None,
    *,
    rng: random.Random,
    variant: int | None = None,
    fmt: str = "html",
    label: str | None = None,
    **options,
) -> tuple[bytes, PageTruth]:
    """:func:`render_page`, returning the document as UTF-8 bytes (as written to disk)."""
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; allowed: {sorted(_OPTIONS)}")
    if template not in TEMPLATES and template != GENERIC:
        raise ValueError(f"template must be one of {(*TEMPLATES, GENERIC)}, not {template!r}")
    mode = options.get("headline", "normal")
    if mode not in ("normal", "none", "conflict"):
        raise ValueError(f"headline must be 'normal', 'none' or 'conflict', not {mode!r}")
    occ = lookup_occupation(occupation, options.get("industry"))
    fetched_at = options.get("fetched_at", DEFAULT_FETCHED_AT)
    day = _parse_iso(fetched_at).date()
    if fmt == "html":
        variant = rng.randrange(N_VARIANTS) if variant is None else variant % N_VARIANTS
    else:
        variant = 0
    form = heading_style = None
    if template == GENERIC:
        form = options.get("form")
        form = rng.randrange(len(GENERIC_FORMS)) if form is None else form
        _lead, _f, smax, pol = GENERIC_FORMS[form]
        scale = Scale(smax, pol)
        site = options.get("site")
        site_obj = chrome.GENERIC_SITES[
            rng.randrange(len(chrome.GENERIC_SITES)) if site is None else site
        ]
        heading_style = options.get("heading_style")
        heading_style = rng.randrange(3) if heading_style is None else heading_style
    else:
        scale = SCALES[template]
        site_obj = chrome.SITES[template]
    url = options.get("url") or chrome.canonical_url(site_obj, occ)
    if mode == "none":
        value = None
    in_range = value is not None and 0 <= value <= scale.scale_max
    if value is not None and mode != "none":
        clipped = min(scale.scale_max, max(0.0, value))
        band = band_of(canonical_risk(clipped, scale.scale_max, scale.polarity))
        if label is None and (template != GENERIC or rng.random() < 0.4):
            label = label_for(template, clipped, occ, rng, scale)
    else:
        band = "moderate"
        label = None
    conflict_value = options.get("conflict_value")
    if mode == "conflict" and conflict_value is None:
        conflict_value = tpl.other_value(rng, value, scale)
    target = options.get("target_bytes")
    use_chrome = options.get("chrome", True)
    if target is None and fmt == "html" and use_chrome:
        target = rng.randint(31_500, 58_500)
    S = make_markup(fmt, rng, variant, tpl.TEXT_SEP[template])
    ctx = tpl.Ctx(
        template=template,
        site=site_obj,
        occ=occ,
        value=value,
        label=label,
        scale=scale,
        rng=rng,
        S=S,
        fmt=fmt,
        variant=variant,
        seed=options.get("seed", 0),
        day=day,
        url=url,
        mode=mode,
        conflict_value=conflict_value,
        target_bytes=target,
        chrome=use_chrome,
        decoys_on=options.get("decoys", True),
    )
    ctx.details["band"] = band
    if template == GENERIC:
        doc = tpl.render_generic(ctx, form, heading_style)  # type: ignore[arg-type]
    else:
        doc = tpl.RENDERERS[template](ctx)
    details = ctx.details
    del details["band"]
    details["fmt"] = fmt
    details["variant"] = variant if fmt == "html" else "text"
    details["markup"] = S.name
    details["host"] = site_obj.host
    details["canonical_url"] = url
    if template == GENERIC:
        details["form"] = form
        details["heading_style"] = heading_style
    details["decoys"] = ctx.decoys
    risk = None
    status, reason = "loaded", None
    if mode == "none":
        status, reason = "quarantined", "no_score"
    elif mode == "conflict":
        status, reason = "quarantined", "conflicting_scores"
        details["conflict_value"] = conflict_value
    elif not in_range:
        status, reason = "quarantined", "score_out_of_range"
    else:
        risk = canonical_risk(value, scale.scale_max, scale.polarity)  # type: ignore[arg-type]
    truth = PageTruth(
        relpath="",
        kind="page" if status == "loaded" else "bad",
        template=template,
        occupation=occ.title,
        raw_value=None if value is None else float(value),
        scale_max=scale.scale_max,
        polarity=scale.polarity,
        risk_score=risk,
        label=label if status == "loaded" else None,
        expected_status=status,
        expected_reason=reason,
        fetched_at=fetched_at,
        url=url,
        details=details,
    )
    return doc, truth


# --------------------------------------------------------------------------- landing folder


@dataclass(slots=True)
class _Spec:
    """What the generator remembers of a written page (for recaptures and duplicates)."""

    truth: PageTruth
    page_seed: int
    ts: int
    value: float
    form: int | None
    heading_style: int | None
    site: int | None


class _Writer:
    def __init__(self, root: Path, truth_fh, sidecar_share: float) -> None:
        self.root = str(root)
        self.truth_fh = truth_fh
        self.sidecar_share = sidecar_share
        self.count = 0
        self.bytes = 0
        self.used: set[str] = set()
        self.dirs: set[str] = set()
        self.used_ts: set[int] = set()

    def free_relpath(self, folder: str, stem: str, ext: str) -> str:
        base = f"{folder}/{stem}"
        n = 2
        while base in self.used:  # one document per stem: sidecar names stay unique
            base = f"{folder}/{stem}-{n}"
            n += 1
        self.used.add(base)
        rel = base + ext
        self.used.add(rel)
        return rel

    def free_ts(self, ts: int) -> int:
        while ts in self.used_ts:
            ts += 1
        self.used_ts.add(ts)
        return ts

    def _put(self, rel: str, data: bytes, mtime: int) -> str:
        path = os.path.join(self.root, rel)
        folder = rel.rpartition("/")[0]
        if folder not in self.dirs:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self.dirs.add(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.utime(path, (mtime, mtime))
        return path

    def write(
        self,
        truth: PageTruth,
        data: bytes,
        mtime: int,
        rng: random.Random,
        sidecar: bool | None = None,
    ) -> PageTruth:
        """Write one document (and maybe its sidecar); return its final truth row."""
        rel = truth.relpath
        if sidecar is None:
            sidecar = rng.random() < self.sidecar_share
        if sidecar and truth.url is not None:
            stem = rel.rpartition(".")[0] if "." in rel.rpartition("/")[2] else rel
            meta = f'{{"url": {json.dumps(truth.url)}, "fetched_at": "{truth.fetched_at}"}}'
            self._put(f"{stem}.meta.json", meta.encode(), mtime + 1 + int(rng.random() * 90))
            file_mtime = mtime + int(rng.random() * 4)
        else:
            truth = replace(truth, url=None, fetched_at=_iso(mtime))
            file_mtime = mtime
        self._put(rel, data, file_mtime)
        self.bytes += len(data)
        self.truth_fh.write(truth.to_json())
        self.truth_fh.write("\n")
        self.count += 1
        return truth

    def write_plain(self, truth: PageTruth, data: bytes, mtime: int) -> None:
        """A file without sidecar whose truth keeps its own fields (ignored files)."""
        self._put(truth.relpath, data, mtime)
        self.bytes += len(data)
        self.truth_fh.write(truth.to_json())
        self.truth_fh.write("\n")
        self.count += 1


def _png_bytes(rng: random.Random) -> bytes:
    w, h = rng.randint(16, 640), rng.randint(16, 480)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    idat = zlib.compress(rng.randbytes(rng.randint(2000, 20000)), 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _retext(html: str, rng: random.Random) -> str:
    """Same visible text, different markup: reindent, reorder attributes, CRLF."""
    import re

    out = re.sub(r'<a (class="[^"]*") (href="[^"]*")>', r"<a \2 \1>", html)
    out = re.sub(r'<a (href="[^"]*") (class="[^"]*")>', r"<a \2 \1>", out) if out == html else out
    out = out.replace("\n<", "\n  <") if rng.random() < 0.5 else out.replace("\n  <", "\n<")
    out = out.replace("><li", ">\n<li") if rng.random() < 0.5 else out
    return out.replace("\r\n", "\n").replace("\n", "\r\n")


def generate_landing(
    root: Path,
    n_pages: int,
    *,
    seed: int = 0,
    truth_path: Path | None = None,
    bad_share: float = 0.02,
    duplicate_share: float = 0.02,
    recapture_share: float = 0.1,
    unknown_share: float = 0.05,
    text_share: float = 0.05,
    ignored_share: float = 0.01,
    sidecars: bool = True,
    sidecar_share: float = 0.85,
    start: date = START_DATE,
    days: int = 60,
    max_file_bytes: int | None = None,
) -> Path:
    """Write a landing folder of ``n_pages`` files under ``root``; return the truth path."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if truth_path is None:
        truth_path = root.parent / f"{root.name}.truth.jsonl"
    truth_path = Path(truth_path)
    if truth_path.resolve().is_relative_to(root.resolve()):
        raise ValueError("truth_path must lie outside the landing root")
    master = random.Random(seed)
    occs = occupations()
    cycles: dict[str, list[int]] = {}
    cursor: dict[str, int] = {}
    variant_counter: dict[str, int] = {}
    reservoir: list[_Spec] = []
    start_ts = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())

    def next_occ(key: str, rng: random.Random) -> int:
        order = cycles.get(key)
        if order is None or cursor[key] >= len(order):
            order = list(range(len(occs)))
            random.Random(f"{seed}:{key}:{len(cycles)}:{cursor.get(key, 0)}").shuffle(order)
            cycles[key] = order
            cursor[key] = 0
        i = order[cursor[key]]
        cursor[key] += 1
        return i

    with open(truth_path, "w", encoding="utf-8") as truth_fh:
        w = _Writer(root, truth_fh, sidecar_share if sidecars else 0.0)

        def day_ts(rng: random.Random, day_offset: int) -> int:
            return w.free_ts(start_ts + day_offset * 86400 + rng.randrange(6 * 3600, 22 * 3600))

        def folder_of(host: str, ts: int) -> str:
            return f"{host}/{_iso(ts)[:10]}"

        def stem_of(url: str) -> str:
            return slugify(url.rstrip("/").rpartition("/")[2]) or "index"

        def fresh(
            rng: random.Random,
            page_seed: int,
            *,
            headline: str = "normal",
            generic_share: float = unknown_share,
        ) -> None:
            generic = rng.random() < generic_share
            fmt = "text" if rng.random() < text_share else "html"
            template = GENERIC if generic else TEMPLATES[rng.randrange(len(TEMPLATES))]
            occ = occs[next_occ(template, rng)]
            variant = None
            if fmt == "html":
                k = variant_counter.get(template, 0)
                variant_counter[template] = k + 1
                variant = k % N_VARIANTS
            ts = day_ts(rng, rng.randrange(days))
            form = site = hs = None
            if generic:
                form = rng.randrange(len(GENERIC_FORMS))
                site = rng.randrange(len(chrome.GENERIC_SITES))
                hs = rng.randrange(3)
                smax = GENERIC_FORMS[form][2]
                lat = latent_risk(seed, occ)
                if GENERIC_FORMS[form][3] == "safety":
                    lat = 100.0 - lat
                value = float(min(smax, max(1, round((lat + rng.gauss(0, 8)) * smax / 100.0))))
            else:
                value = source_value(template, latent_risk(seed, occ), rng)
            _emit(template, occ.title, value, variant, fmt, ts, page_seed, form, hs, site, headline)

        def _emit(
            template: str,
            occupation: str,
            value: float,
            variant: int | None,
            fmt: str,
            ts: int,
            page_seed: int,
            form: int | None,
            hs: int | None,
            site: int | None,
            headline: str = "normal",
            extra: dict | None = None,
        ) -> PageTruth:
            prng = random.Random(page_seed)
            opts: dict = {"seed": seed, "fetched_at": _iso(ts), "headline": headline}
            if template == GENERIC:
                opts.update(form=form, heading_style=hs, site=site)
            doc, truth = render_page_bytes(
                template, occupation, value, rng=prng, variant=variant, fmt=fmt, **opts
            )
            host = truth.details["host"]
            ext = ".html" if fmt == "html" else ".txt"
            rel = w.free_relpath(folder_of(host, ts), stem_of(truth.url or ""), ext)
            if extra:
                truth.details.update(extra)
            truth = replace(truth, relpath=rel)
            final = w.write(truth, doc, ts, prng)
            if final.expected_status == "loaded":
                spec = _Spec(final, page_seed, ts, value, form, hs, site)
                if len(reservoir) < 512:
                    reservoir.append(spec)
                else:
                    reservoir[prng.randrange(512)] = spec
            return final

        def recapture(rng: random.Random) -> None:
            idx = rng.randrange(len(reservoir))
            spec = reservoir[idx]
            t = spec.truth
            smax = t.scale_max or 100.0
            step = rng.randint(1, 2) if smax <= 10 else rng.randint(3, 15)
            value = spec.value + (step if rng.random() < 0.5 else -step)
            if value < 1 or value > smax:
                value = spec.value - step if value > smax else spec.value + step
            value = float(min(smax, max(1 if smax > 5 else 1, value)))
            if value == spec.value:
                value = spec.value - 1 if spec.value > 1 else spec.value + 1
            ts = w.free_ts(spec.ts + rng.randint(1, 21) * 86400 + rng.randint(-3600, 3600))
            variant = t.details["variant"]
            new = _emit(
                t.template or GENERIC,
                t.occupation or "",
                value,
                None if variant == "text" else variant,
                t.details["fmt"],
                ts,
                spec.page_seed,
                spec.form,
                spec.heading_style,
                spec.site,
                extra={"recapture_of": t.relpath, "previous_value": spec.value},
            )
            reservoir[idx] = _Spec(
                new, spec.page_seed, ts, value, spec.form, spec.heading_style, spec.site
            )

        def duplicate(rng: random.Random) -> None:
            spec = reservoir[rng.randrange(len(reservoir))]
            t = spec.truth
            data = (root / t.relpath).read_bytes()
            by_bytes = rng.random() < 0.5
            if not by_bytes:
                data = _retext(data.decode("utf-8"), rng).encode("utf-8")
            ts = w.free_ts(spec.ts + rng.randint(1, 10) * 86400 + rng.randint(0, 3600))
            folder = folder_of(t.details["host"], ts)
            name = t.relpath.rpartition("/")[2]
            stem, _, ext = name.rpartition(".")
            rel = w.free_relpath(folder, stem, "." + ext)
            details = dict(t.details, duplicate_of=t.relpath)
            truth = replace(
                t,
                relpath=rel,
                kind="duplicate_bytes" if by_bytes else "duplicate_text",
                expected_status="duplicate",
                fetched_at=_iso(ts),
                url=t.details["canonical_url"],
                details=details,
            )
            w.write(truth, data, ts, rng)

        def bad(rng: random.Random, page_seed: int) -> None:
            kinds = ["empty_file", "binary_content", "no_score", "no_score_generic", "score_out_of_range", "conflicting_scores"]
            weights = [0.14, 0.14, 0.16, 0.12, 0.2, 0.24]
            if max_file_bytes:
                kinds.append("too_large")
                weights.append(0.08)
            kind = rng.choices(kinds, weights)[0]
            if kind in ("no_score", "no_score_generic"):
                share = 1.0 if kind == "no_score_generic" else 0.0
                fresh(rng, page_seed, headline="none", generic_share=share)
                return
            if kind == "conflicting_scores":
                fresh(rng, page_seed, headline="conflict", generic_share=0.1)
                return
            if kind == "score_out_of_range":
                t = rng.choice(("impact_report", "ai_safe_careers"))
                occ = occs[next_occ(t, rng)]
                ts = day_ts(rng, rng.randrange(days))
                fmt = "text" if rng.random() < text_share else "html"
                _emit(t, occ.title, float(rng.choice((11, 12, 12, 14, 15))), rng.randrange(N_VARIANTS), fmt, ts, page_seed, None, None, None)
                return
            template = rng.choice(TEMPLATES)
            occ = occs[rng.randrange(len(occs))]
            site = chrome.SITES[template]
            url = chrome.canonical_url(site, occ)
            ts = day_ts(rng, rng.randrange(days))
            rel = w.free_relpath(folder_of(site.host, ts), stem_of(url), ".html")
            reason = kind
            if kind == "empty_file":
                data = rng.choice((b"", b"", b"\n", b"<html><head></head><body>\n</body></html>\n"))
            elif kind == "binary_content":
                data = _png_bytes(rng)
            else:  # too_large
                assert max_file_bytes is not None
                data, _ = render_page_bytes(
                    template,
                    occ.title,
                    50,
                    rng=random.Random(page_seed),
                    target_bytes=max_file_bytes + 4096,
                )
            truth = PageTruth(
                relpath=rel,
                kind="bad",
                template=template if kind == "too_large" else None,
                occupation=None,
                raw_value=None,
                scale_max=None,
                polarity=None,
                risk_score=None,
                label=None,
                expected_status="quarantined",
                expected_reason=reason,
                fetched_at=_iso(ts),
                url=url,
                details={"host": site.host, "bytes": len(data)},
            )
            w.write(truth, data, ts, rng)

        def ignored(rng: random.Random, page_seed: int) -> None:
            template = rng.choice(TEMPLATES)
            occ = occs[rng.randrange(len(occs))]
            site = chrome.SITES[template]
            ts = day_ts(rng, rng.randrange(days))
            folder = folder_of(site.host, ts)
            kind = rng.choice(("part", "tmp", "crdownload", "ds_store", "appledouble", "lock"))
            stem = stem_of(chrome.canonical_url(site, occ))
            if kind in ("part", "tmp", "crdownload"):
                data, _ = render_page_bytes(
                    template, occ.title, 50, rng=random.Random(page_seed), chrome=False
                )
                data = data[: rng.randint(0, 4000)]
                name = f"{stem}.html.{kind}"
                why = "partial_download"
            elif kind == "ds_store":
                name = ".DS_Store"
                data = b"\x00\x00\x00\x01Bud1" + rng.randbytes(rng.randint(100, 600))
                why = "dotfile"
            elif kind == "appledouble":
                name = f"._{stem}.html"
                data = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + rng.randbytes(rng.randint(50, 300))
                why = "dotfile"
            else:
                name = f".~lock.{stem}.html#"
                data = f",scraper,host,{_iso(ts)},".encode()
                why = "dotfile"
            rel = f"{folder}/{name}"
            if rel in w.used:
                rel = w.free_relpath(folder, f"{stem}-{rng.randrange(10**6)}.html", f".{kind}")
                why = "partial_download"
            w.used.add(rel)
            truth = PageTruth(
                relpath=rel,
                kind="ignored",
                template=None,
                occupation=None,
                raw_value=None,
                scale_max=None,
                polarity=None,
                risk_score=None,
                label=None,
                expected_status="ignored",
                expected_reason=None,
                fetched_at=_iso(ts),
                url=None,
                details={"ignore_reason": why},
            )
            w.write_plain(truth, data, ts)

        cut_bad = bad_share
        cut_dup = cut_bad + duplicate_share
        cut_rec = cut_dup + recapture_share
        cut_ign = cut_rec + ignored_share
        while w.count < n_pages:
            u = master.random()
            page_seed = master.getrandbits(64)
            rng = random.Random(page_seed ^ 0x5EED)
            if u < cut_bad:
                bad(rng, page_seed)
            elif u < cut_dup and reservoir:
                duplicate(rng)
            elif u < cut_rec and reservoir:
                recapture(rng)
            elif cut_rec <= u < cut_ign:
                ignored(rng, page_seed)
            else:
                fresh(rng, page_seed)
    return truth_path


# --------------------------------------------------------------------------- CLI


def _dir_size(root: Path) -> tuple[int, int]:
    n = size = 0
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            n += 1
            size += os.path.getsize(os.path.join(dirpath, f))
    return n, size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.pagegen",
        description="Generate a seeded landing folder of scraped risk pages, with ground truth.",
    )
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--pages", type=int, default=1000, help="files to write (sidecars not counted)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--truth", type=Path, default=None, help="ground truth JSONL (outside OUT_DIR)")
    ap.add_argument("--bad-share", type=float, default=0.02)
    ap.add_argument("--duplicate-share", type=float, default=0.02)
    ap.add_argument("--recapture-share", type=float, default=0.1)
    ap.add_argument("--unknown-share", type=float, default=0.05)
    ap.add_argument("--text-share", type=float, default=0.05)
    ap.add_argument("--ignored-share", type=float, default=0.01)
    ap.add_argument("--no-sidecars", action="store_true")
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--max-file-bytes", type=int, default=None, help="also write too_large files")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    truth = generate_landing(
        args.out_dir,
        args.pages,
        seed=args.seed,
        truth_path=args.truth,
        bad_share=args.bad_share,
        duplicate_share=args.duplicate_share,
        recapture_share=args.recapture_share,
        unknown_share=args.unknown_share,
        text_share=args.text_share,
        ignored_share=args.ignored_share,
        sidecars=not args.no_sidecars,
        days=args.days,
        max_file_bytes=args.max_file_bytes,
    )
    dt = time.perf_counter() - t0
    n_files, size = _dir_size(args.out_dir)
    print(
        f"wrote {args.pages} documents ({n_files} files incl. sidecars, {size / 1e6:.1f} MB) "
        f"to {args.out_dir} in {dt:.2f}s: {args.pages / dt:,.0f} pages/s, {size / 1e6 / dt:.1f} MB/s; "
        f"truth: {truth}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
