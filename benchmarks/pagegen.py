"""Seeded generator of realistic landing folders, with ground truth.

Pages imitate the five site templates of the real captures in ``data/samples``
(``TEMPLATES``) plus unknown sites (template ``"generic"``), for ~1,000 real
occupation titles (``benchmarks/data/occupations.csv``) and scores/labels
consistent with each template's scale and label vocabulary.

One page
--------
``render_page(template, occupation, value, *, rng, variant=None, fmt="html", label=None,
**options)`` returns ``(document, truth)``: the page as a ``str`` and its :class:`PageTruth`
(``relpath`` is ``""``; ``kind`` is ``"page"``, or ``"bad"`` with the expected
quarantine reason). ``render_page_bytes`` (same arguments) returns the UTF-8
bytes as written to disk.

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
``root/<site-host>/<YYYY-MM-DD>/<slug>.(html|txt)`` (``root`` must be new or
empty), streaming one file at a time, and one JSON line per file, in order, to
``truth_path`` (default: ``<root>.truth.jsonl`` beside the root, never inside
it). Returns ``truth_path``. A sequential planner decides every file cheaply;
rendering and writing run in ``workers`` processes (default: one per CPU, at
most 8, from 2,000 pages), with the same output for any number. The mix:

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

Fresh page dates spread over ``days`` (60) days from ``start`` (2026-01-05);
shares are of ``n_pages``. Same arguments, same bytes, same mtimes. CLI::

    python -m benchmarks.pagegen OUT_DIR --pages N --seed S --truth TRUTH.jsonl [--workers W]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from benchmarks import pagegen_chrome as chrome
from benchmarks import pagegen_templates as tpl
from benchmarks.pagegen_content import (
    GENERIC,
    SCALES,
    TEMPLATES,
    Scale,
    band_of,
    canonical_risk,
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
    "render_page_bytes",
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

    @classmethod
    def not_loaded(
        cls,
        relpath: str,
        kind: str,
        status: str,
        reason: str | None,
        fetched_at: str,
        url: str | None,
        details: dict,
        **known: Any,
    ) -> PageTruth:
        """Truth of a file that loads no assessment: the values it does not state are None."""
        values: dict[str, Any] = dict.fromkeys(
            ("template", "occupation", "raw_value", "scale_max", "polarity", "risk_score", "label")
        )
        values.update(known)
        return cls(
            relpath=relpath,
            kind=kind,
            expected_status=status,
            expected_reason=reason,
            fetched_at=fetched_at,
            url=url,
            details=details,
            **values,
        )

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
        form=form,
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
class _Render:
    """The arguments of one render; a page is a pure function of them."""

    template: str
    occupation: str
    value: float | None
    variant: int | None
    fmt: str
    page_seed: int
    fetched_at: str
    headline: str = "normal"
    form: int | None = None
    heading_style: int | None = None
    site: int | None = None
    chrome: bool = True
    target_bytes: int | None = None

    def run(self, seed: int) -> tuple[bytes, PageTruth]:
        opts: dict = {"seed": seed, "fetched_at": self.fetched_at, "headline": self.headline}
        if not self.chrome:
            opts["chrome"] = False
        if self.target_bytes:
            opts["target_bytes"] = self.target_bytes
        if self.template == GENERIC:
            opts.update(form=self.form, heading_style=self.heading_style, site=self.site)
        return render_page_bytes(
            self.template,
            self.occupation,
            self.value,
            rng=random.Random(self.page_seed),
            variant=self.variant,
            fmt=self.fmt,
            **opts,
        )


@dataclass(slots=True)
class _Job:
    """One landing file to write: planned sequentially, executed anywhere."""

    relpath: str
    mtime: int  # the document's mtime
    sidecar_mtime: int | None  # None: no sidecar
    render: _Render | None = None  # the page (for duplicates: the original page)
    extra: dict | None = None  # extra truth details
    dup: str | None = None  # "bytes" | "text"
    dup_of: str | None = None
    text_variant: int = 0  # text duplicates: k-th of the same page (makes its bytes unique)
    fetched_at: str | None = None  # duplicates: their own fetch time
    cut: int | None = None  # partial downloads: bytes kept of the render
    raw: str | None = None  # bytes made without rendering: "empty0".."empty3", "png", ...
    raw_seed: int = 0
    truth: PageTruth | None = None  # truth of raw and partial files


@dataclass(slots=True)
class _Spec:
    """What the planner remembers of a loaded page (for recaptures and duplicates)."""

    render: _Render
    relpath: str
    host: str
    ts: int
    scale_max: float


def _png_bytes(rng: random.Random) -> bytes:
    w, h = rng.randint(16, 640), rng.randint(16, 480)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    idat = zlib.compress(rng.randbytes(rng.randint(2000, 20000)), 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


_EMPTY = (b"", b"\n", b"  \r\n\t\n", b"<html><head></head><body>\n</body></html>\n")


def _raw_bytes(kind: str, seed: int) -> bytes:
    rng = random.Random(seed)
    if kind.startswith("empty"):
        return _EMPTY[int(kind[5:])]
    if kind == "png":
        return _png_bytes(rng)
    if kind == "ds_store":
        return b"\x00\x00\x00\x01Bud1" + rng.randbytes(rng.randint(100, 600))
    if kind == "appledouble":
        return b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + rng.randbytes(
            rng.randint(50, 300)
        )
    if kind == "lock":
        return b",scraper,crawler-01,17052;"
    raise ValueError(kind)


_A_CLASS_HREF = re.compile(r'<a (class="[^"]*") (href="[^"]*")>')
_A_HREF_CLASS = re.compile(r'<a (href="[^"]*") (class="[^"]*")>')


def _retext(doc: str, rng: random.Random, variant: int = 1) -> str:
    """Same visible text, different markup: attribute order, indentation, CRLF.

    ``variant`` (>= 1) trailing spaces on the first line keep the bytes of every
    text copy of one page distinct from the page and from each other, whatever
    the random choices: otherwise two copies can coincide byte for byte and the
    second is (rightly) a ``duplicate_bytes`` of the first. Trailing spaces are
    invisible in HTML and stripped from text captures by normalisation.
    """
    first, nl, rest = doc.partition("\n")
    doc = first.rstrip(" ") + " " * variant + nl + rest
    out = _A_CLASS_HREF.sub(r"<a \2 \1>", doc)
    if out == doc:
        out = _A_HREF_CLASS.sub(r"<a \2 \1>", doc)
    if rng.random() < 0.5:
        out = out.replace("\n<", "\n  <")
    if rng.random() < 0.5:
        out = out.replace("><li", ">\n<li")
    return out.replace("\r\n", "\n").replace("\n", "\r\n")


@lru_cache(maxsize=65536)
def _url_stem(url: str) -> str:
    """File name stem of a page: the last URL path segment, slugified."""
    return slugify(url.rstrip("/").rpartition("/")[2]) or "index"


_made_dirs: set[str] = set()


def _put(root: str, rel: str, data: bytes, mtime: int) -> None:
    path = os.path.join(root, rel)
    folder = os.path.dirname(path)
    if folder not in _made_dirs:
        os.makedirs(folder, exist_ok=True)
        _made_dirs.add(folder)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.utime(fd, (mtime, mtime))
    finally:
        os.close(fd)


def _execute(root: str, seed: int, job: _Job) -> str:
    """Write one planned file (and its sidecar); return its truth row as JSON."""
    if job.raw is not None:
        data = _raw_bytes(job.raw, job.raw_seed)
        truth = job.truth
    else:
        assert job.render is not None
        data, truth = job.render.run(seed)
        if job.cut is not None:
            data = data[: job.cut]
        if job.truth is not None:
            truth = job.truth
        elif job.dup is not None:
            if job.dup == "text":
                data = _retext(
                    data.decode("utf-8"), random.Random(job.mtime), job.text_variant
                ).encode("utf-8")
            truth = replace(
                truth,
                kind=f"duplicate_{job.dup}",
                expected_status="duplicate",
                fetched_at=job.fetched_at,
                details=dict(truth.details, duplicate_of=job.dup_of),
            )
        if job.extra:
            truth.details.update(job.extra)
    assert truth is not None
    row = {f: getattr(truth, f) for f in _FIELDS}
    row["relpath"] = job.relpath
    if job.sidecar_mtime is not None and truth.url is not None:
        meta = f'{{"url": {json.dumps(truth.url)}, "fetched_at": "{truth.fetched_at}"}}'
        stem = job.relpath.rpartition(".")[0]
        _put(root, stem + ".meta.json", meta.encode(), job.sidecar_mtime)
    elif truth.kind != "ignored":
        row["url"] = None
        row["fetched_at"] = _iso(job.mtime)
    _put(root, job.relpath, data, job.mtime)
    return _TRUTH_JSON.encode(row)


_WORKER: dict = {}


def _worker_init(root: str, seed: int) -> None:
    _WORKER["root"] = root
    _WORKER["seed"] = seed


def _worker_run(job: _Job) -> str:
    return _execute(_WORKER["root"], _WORKER["seed"], job)


class _Planner:
    """Decides, sequentially and cheaply, every file of the landing folder."""

    def __init__(self, seed: int, start: date, days: int, sidecar_share: float) -> None:
        self.seed = seed
        self.days = days
        self.sidecar_share = sidecar_share
        self.start_ts = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
        self.occs = occupations()
        self.used: set[str] = set()
        self.used_ts: set[int] = set()
        self.cycles: dict[str, list[int]] = {}
        self.cursor: dict[str, int] = {}
        self.rounds: dict[str, int] = {}
        self.variants: dict[str, int] = {}
        self.text_copies: dict[str, int] = {}  # page relpath -> text duplicates made of it
        self.reservoir: list[_Spec] = []
        # Values already rendered per page identity: a later capture of the same page
        # with a value it had before would repeat an earlier text (a duplicate), or
        # repeat its bytes exactly (text captures), so every capture gets a new value.
        self.used_values: dict[tuple, set[float]] = {}
        # Per page as the pipeline keys it (source, occupation): the latest capture so far.
        # Captures of a page are dated in the order they are planned, two days apart at
        # least, and a copy is dated the day after the latest capture, so a copy is never
        # older than a capture it should duplicate nor newer than the next one.
        self.latest: dict[tuple[str, str], _Spec] = {}

    # -- names and times
    def free_relpath(self, folder: str, stem: str, ext: str) -> str:
        base = f"{folder}/{stem}"
        n = 2
        while base in self.used:  # one document per stem: sidecar names stay unique
            base = f"{folder}/{stem}-{n}"
            n += 1
        self.used.add(base)
        return base + ext

    def free_ts(self, ts: int) -> int:
        while ts in self.used_ts:
            ts += 1
        self.used_ts.add(ts)
        return ts

    def day_ts(self, rng: random.Random) -> int:
        day = int(rng.random() * self.days)
        return self.free_ts(self.start_ts + day * 86400 + rng.randrange(6 * 3600, 22 * 3600))

    def next_occ(self, key: str) -> str:
        order = self.cycles.get(key)
        if order is None or self.cursor[key] >= len(order):
            rnd = self.rounds.get(key, 0)
            self.rounds[key] = rnd + 1
            order = list(range(len(self.occs)))
            random.Random(f"{self.seed}:{key}:{rnd}").shuffle(order)
            self.cycles[key] = order
            self.cursor[key] = 0
        i = order[self.cursor[key]]
        self.cursor[key] += 1
        return self.occs[i].title

    def mtimes(self, rng: random.Random, ts: int) -> tuple[int, int | None]:
        if rng.random() < self.sidecar_share:
            return ts + int(rng.random() * 4), ts + 1 + int(rng.random() * 90)
        return ts, None

    # -- file kinds
    def page(
        self,
        rng: random.Random,
        page_seed: int,
        *,
        generic_share: float,
        text_share: float,
        headline: str = "normal",
        template: str | None = None,
        value: float | None = None,
    ) -> _Job:
        if template is None:
            generic = rng.random() < generic_share
            template = GENERIC if generic else TEMPLATES[int(rng.random() * len(TEMPLATES))]
        fmt = "text" if rng.random() < text_share else "html"
        occ = lookup_occupation(self.next_occ(template))
        variant = None
        if fmt == "html":
            k = self.variants.get(template, 0)
            self.variants[template] = k + 1
            variant = k % N_VARIANTS
        ts = self.after_latest((template, occ.title), self.day_ts(rng), rng)
        form = site = hs = None
        if template == GENERIC:
            form = int(rng.random() * len(GENERIC_FORMS))
            site = int(rng.random() * len(chrome.GENERIC_SITES))
            hs = int(rng.random() * 3)
            _lead, _f, smax, pol = GENERIC_FORMS[form]
            site_obj = chrome.GENERIC_SITES[site]
            if value is None:
                lat = latent_risk(self.seed, occ)
                if pol == "safety":
                    lat = 100.0 - lat
                value = float(min(smax, max(1, round((lat + rng.gauss(0, 8)) * smax / 100.0))))
        else:
            smax = SCALES[template].scale_max
            site_obj = chrome.SITES[template]
            if value is None:
                value = source_value(template, latent_risk(self.seed, occ), rng)
        if headline == "normal" and 0 <= value <= smax:
            value = self.fresh_value((template, occ.title, fmt, form, site), value, smax)
        render = _Render(
            template, occ.title, value, variant, fmt, page_seed, _iso(ts), headline, form, hs, site
        )
        url = chrome.canonical_url(site_obj, occ)
        stem = _url_stem(url)
        ext = ".html" if fmt == "html" else ".txt"
        rel = self.free_relpath(f"{site_obj.host}/{_iso(ts)[:10]}", stem, ext)
        mtime, side = self.mtimes(rng, ts)
        if headline == "normal" and 0 <= value <= smax:
            spec = _Spec(render, rel, site_obj.host, ts, smax)
            self.remember(rng, spec)
            self.latest[(template, occ.title)] = spec
        return _Job(rel, mtime, side, render=render)

    def after_latest(self, page: tuple[str, str], ts: int, rng: random.Random) -> int:
        """``ts``, moved to at least two days after the page's latest capture."""
        latest = self.latest.get(page)
        if latest is not None and ts < latest.ts + 2 * 86400:
            ts = latest.ts + 2 * 86400 + rng.randint(0, 3600)
        return self.free_ts(ts)

    def fresh_value(self, identity: tuple, value: float, smax: float) -> float:
        """``value``, or the nearest value in [1, smax] this page has not had yet."""
        used = self.used_values.setdefault(identity, set())
        for step in range(int(smax)):
            for candidate in (value + step, value - step):
                if 1 <= candidate <= smax and candidate not in used:
                    used.add(candidate)
                    return candidate
        return value

    def remember(self, rng: random.Random, spec: _Spec) -> None:
        if len(self.reservoir) < 512:
            self.reservoir.append(spec)
        else:
            self.reservoir[int(rng.random() * 512)] = spec

    def recapture(self, rng: random.Random) -> _Job:
        idx = int(rng.random() * len(self.reservoir))
        spec = self.reservoir[idx]
        old = spec.render
        smax = spec.scale_max
        assert old.value is not None
        step = rng.randint(1, 2) if smax <= 10 else rng.randint(3, 15)
        value = old.value + (step if rng.random() < 0.5 else -step)
        if not 1 <= value <= smax:
            value = old.value - step if value > smax else old.value + step
        value = float(min(smax, max(1.0, value)))
        if value == old.value:
            value = old.value - 1 if old.value > 1 else old.value + 1
        # At least two days later: a copy of a page (below) is dated the day after it, so it
        # is never later than the page's next capture (else it would read as a revert).
        page_key = (old.template, old.occupation)
        ts = self.after_latest(page_key, spec.ts + rng.randint(2, 21) * 86400, rng)
        value = self.fresh_value(
            (old.template, old.occupation, old.fmt, old.form, old.site), value, smax
        )
        render = replace(old, value=value, fetched_at=_iso(ts))
        name = spec.relpath.rpartition("/")[2]
        stem, _, ext = name.rpartition(".")
        stem = stem.rsplit("-", 1)[0] if stem.rsplit("-", 1)[-1].isdigit() else stem
        rel = self.free_relpath(f"{spec.host}/{_iso(ts)[:10]}", stem, "." + ext)
        mtime, side = self.mtimes(rng, ts)
        self.reservoir[idx] = _Spec(render, rel, spec.host, ts, smax)
        self.latest[page_key] = self.reservoir[idx]
        extra = {"recapture_of": spec.relpath, "previous_value": old.value}
        return _Job(rel, mtime, side, render=render, extra=extra)

    def duplicate(self, rng: random.Random) -> _Job:
        picked = self.reservoir[int(rng.random() * len(self.reservoir))].render
        spec = self.latest[(picked.template, picked.occupation)]  # copy the current capture
        how = "bytes" if rng.random() < 0.5 else "text"
        variant = 0
        if how == "text":
            variant = self.text_copies.get(spec.relpath, 0) + 1
            self.text_copies[spec.relpath] = variant
        ts = self.free_ts(spec.ts + 86400 + rng.randint(0, 3600))
        name = spec.relpath.rpartition("/")[2]
        stem, _, ext = name.rpartition(".")
        rel = self.free_relpath(f"{spec.host}/{_iso(ts)[:10]}", stem, "." + ext)
        mtime, side = self.mtimes(rng, ts)
        return _Job(
            rel,
            mtime,
            side,
            render=spec.render,
            dup=how,
            dup_of=spec.relpath,
            text_variant=variant,
            fetched_at=_iso(ts),
        )

    def raw_file(self, rng: random.Random, kind: str, reason: str) -> _Job:
        template = TEMPLATES[int(rng.random() * len(TEMPLATES))]
        occ = lookup_occupation(self.occs[int(rng.random() * len(self.occs))].title)
        site = chrome.SITES[template]
        url = chrome.canonical_url(site, occ)
        ts = self.day_ts(rng)
        rel = self.free_relpath(f"{site.host}/{_iso(ts)[:10]}", _url_stem(url), ".html")
        mtime, side = self.mtimes(rng, ts)
        truth = PageTruth.not_loaded(
            rel, "bad", "quarantined", reason, _iso(ts), url, {"host": site.host, "raw": kind}
        )
        return _Job(rel, mtime, side, raw=kind, raw_seed=rng.getrandbits(32), truth=truth)

    def too_large(self, rng: random.Random, page_seed: int, max_file_bytes: int) -> _Job:
        job = self.page(rng, page_seed, generic_share=0.0, text_share=0.0)
        assert job.render is not None
        job.render.target_bytes = max_file_bytes + 1 + rng.randint(0, 65536)
        self.reservoir = [s for s in self.reservoir if s.relpath != job.relpath]
        r = job.render
        job.truth = PageTruth.not_loaded(
            job.relpath,
            "bad",
            "quarantined",
            "too_large",
            r.fetched_at,
            chrome.canonical_url(chrome.SITES[r.template], lookup_occupation(r.occupation)),
            {"host": chrome.SITES[r.template].host, "min_bytes": r.target_bytes},
            template=r.template,
            occupation=r.occupation,
            raw_value=r.value,
            scale_max=SCALES[r.template].scale_max,
            polarity=SCALES[r.template].polarity,
        )
        return job

    def ignored(self, rng: random.Random, page_seed: int) -> _Job:
        template = TEMPLATES[int(rng.random() * len(TEMPLATES))]
        occ = lookup_occupation(self.occs[int(rng.random() * len(self.occs))].title)
        site = chrome.SITES[template]
        ts = self.day_ts(rng)
        folder = f"{site.host}/{_iso(ts)[:10]}"
        stem = slugify(chrome.canonical_url(site, occ).rpartition("/")[2])
        kind = _IGNORED_KINDS[int(rng.random() * len(_IGNORED_KINDS))]
        names = {
            "ds_store": ".DS_Store",
            "appledouble": f"._{stem}.html",
            "lock": f".~lock.{stem}.html#",
        }
        name = names.get(kind, f"{stem}.html.{kind}")
        if f"{folder}/{name}" in self.used:
            kind = "part"
            name = f"{stem}-{rng.getrandbits(20)}.html.part"
        rel = f"{folder}/{name}"
        self.used.add(rel)
        truth = PageTruth.not_loaded(
            rel,
            "ignored",
            "ignored",
            None,
            _iso(ts),
            None,
            {"ignore_reason": "partial_download" if name.endswith(PARTIAL_NAMES) else "dotfile"},
        )
        if kind in ("part", "tmp", "crdownload"):
            render = _Render(
                template,
                occ.title,
                50.0 if SCALES[template].scale_max > 10 else 5.0,
                0,
                "html",
                page_seed,
                _iso(ts),
                chrome=False,
            )
            return _Job(rel, ts, None, render=render, cut=rng.randint(0, 4000), truth=truth)
        return _Job(rel, ts, None, raw=kind, raw_seed=rng.getrandbits(32), truth=truth)


PARTIAL_NAMES = (".part", ".tmp", ".crdownload")
_IGNORED_KINDS = ("part", "tmp", "crdownload", "ds_store", "appledouble", "lock")


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
    workers: int | None = None,
) -> Path:
    """Write a landing folder of ``n_pages`` files under ``root``; return the truth path.

    ``workers`` processes render and write the files (``None``: one per CPU, at most
    8, for 2,000 pages or more; else 1). The output is the same for any number.
    """
    if workers is None:
        workers = min(8, os.cpu_count() or 1) if n_pages >= 2000 else 1
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"landing root {root} is not empty")
    root.mkdir(parents=True, exist_ok=True)
    _made_dirs.clear()
    if truth_path is None:
        truth_path = root.parent / f"{root.name}.truth.jsonl"
    truth_path = Path(truth_path)
    if truth_path.resolve().is_relative_to(root.resolve()):
        raise ValueError("truth_path must lie outside the landing root")
    plan = _Planner(seed, start, days, sidecar_share if sidecars else 0.0)
    master = random.Random(seed)
    cut_bad = bad_share
    cut_dup = cut_bad + duplicate_share
    cut_rec = cut_dup + recapture_share
    cut_ign = cut_rec + ignored_share
    bad_kinds = [
        "empty_file",
        "binary_content",
        "no_score",
        "no_score_generic",
        "score_out_of_range",
        "conflicting_scores",
    ]
    bad_weights = [0.14, 0.14, 0.16, 0.12, 0.2, 0.24]
    if max_file_bytes:
        bad_kinds.append("too_large")
        bad_weights.append(0.08)

    def jobs():
        for _ in range(n_pages):
            u = master.random()
            page_seed = master.getrandbits(64)
            rng = random.Random(page_seed ^ 0x5EED)
            if u < cut_bad:
                kind = rng.choices(bad_kinds, bad_weights)[0]
                if kind == "empty_file":
                    yield plan.raw_file(rng, f"empty{int(rng.random() * 4)}", kind)
                elif kind == "binary_content":
                    yield plan.raw_file(rng, "png", kind)
                elif kind == "too_large":
                    assert max_file_bytes is not None
                    yield plan.too_large(rng, page_seed, max_file_bytes)
                elif kind == "score_out_of_range":
                    yield plan.page(
                        rng,
                        page_seed,
                        generic_share=0.0,
                        text_share=text_share,
                        template=("impact_report", "ai_safe_careers")[int(rng.random() * 2)],
                        value=float(rng.choice((11, 12, 12, 14, 15))),
                    )
                else:
                    share = {"no_score": 0.0, "no_score_generic": 1.0}.get(kind, 0.1)
                    headline = "conflict" if kind == "conflicting_scores" else "none"
                    yield plan.page(
                        rng,
                        page_seed,
                        generic_share=share,
                        text_share=text_share,
                        headline=headline,
                    )
            elif u < cut_dup and plan.reservoir:
                yield plan.duplicate(rng)
            elif u < cut_rec and plan.reservoir:
                yield plan.recapture(rng)
            elif cut_rec <= u < cut_ign:
                yield plan.ignored(rng, page_seed)
            else:
                yield plan.page(rng, page_seed, generic_share=unknown_share, text_share=text_share)

    root_s = str(root)
    with open(truth_path, "w", encoding="utf-8") as fh:
        if workers <= 1:
            for job in jobs():
                fh.write(_execute(root_s, seed, job))
                fh.write("\n")
        else:
            import multiprocessing as mp

            ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
            with ctx.Pool(workers, initializer=_worker_init, initargs=(root_s, seed)) as pool:
                it = jobs()
                while True:
                    batch = list(itertools.islice(it, 2048))
                    if not batch:
                        break
                    for line in pool.imap(_worker_run, batch, chunksize=32):
                        fh.write(line)
                        fh.write("\n")
    return truth_path


# --------------------------------------------------------------------------- CLI


def _dir_size(root: Path) -> tuple[int, int]:
    n = size = 0
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            n += 1
            size += os.path.getsize(os.path.join(dirpath, f))
    return n, size


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


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
    ap.add_argument(
        "--workers", type=int, default=None, help="processes (default: one per CPU, at most 8)"
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    c0 = _cpu_seconds()
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
        workers=args.workers,
    )
    dt = max(time.perf_counter() - t0, 1e-9)
    cpu = max(_cpu_seconds() - c0, 1e-9)  # a tiny run can round to zero CPU time
    n_files, size = _dir_size(args.out_dir)
    print(
        f"wrote {args.pages} documents ({n_files} files incl. sidecars, {size / 1e6:.1f} MB) "
        f"to {args.out_dir} in {dt:.2f}s: {args.pages / dt:,.0f} pages/s, "
        f"{size / 1e6 / dt:.1f} MB/s ({cpu:.2f} CPU-s: {args.pages / cpu:,.0f} pages "
        f"per CPU-second); truth: {truth}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
