"""The landing-folder generator: determinism, coverage, sizes and ground truth."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Comment

from benchmarks.pagegen import (
    HTML_VARIANTS,
    TEMPLATES,
    PageTruth,
    _retext,
    generate_landing,
    main,
    render_page,
)
from benchmarks.pagegen_content import BANDS, LABELS, band_of

SIDECAR = ".meta.json"
PARTIAL = (".part", ".tmp", ".crdownload")
# The headline as a careful reader finds it in the visible text of each template.
HEADLINE = {
    "resilience_profile": r"Average resilience score\s*(\d+)\s*/100",
    "jobisque": r"Your Jobisque Risk Score:\s*(\d+)\s*/100",
    "impact_report": r"Risk Level:?\s*(\d+)\s*/10\b",
    "ai_safe_careers": r"Safety Score:?\s*(\d+)\s*/10\b",
    "career_guide": r"How AI-proof is this career\?\s*Based on[^\n]*\s*(\d+)\s*/ 100",
}
VALUES = {"impact_report": 4, "ai_safe_careers": 9}


def visible_text(data: bytes, fmt: str = "html") -> str:
    """Visible text, whitespace-normalised: no scripts, styles, comments or hidden blocks."""
    if fmt == "text":
        text = data.decode("utf-8")
    else:
        soup = BeautifulSoup(data, "lxml")
        for tag in soup(["head", "script", "style", "noscript", "template", "svg"]):
            tag.decompose()
        for tag in soup.find_all(style=re.compile(r"display:\s*none")):
            tag.decompose()
        for tag in soup.find_all(hidden=True):
            tag.decompose()
        for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
            node.extract()
        text = soup.get_text("\n")
    return re.sub(r"\s*\n\s*", "\n", text.replace("\r\n", "\n")).strip()


def read_truth(path: Path) -> list[PageTruth]:
    return [PageTruth.from_json(line) for line in path.read_text(encoding="utf-8").splitlines()]


def documents(root: Path) -> set[str]:
    out = set()
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not name.endswith(SIDECAR):
                out.add(Path(dirpath, name).relative_to(root).as_posix())
    return out


def folder_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
        h.update(str(path.stat().st_mtime_ns).encode())
    return h.hexdigest()


def canonical(t: PageTruth) -> float:
    assert t.raw_value is not None and t.scale_max is not None
    risk = t.raw_value / t.scale_max * 100
    return 100 - risk if t.polarity == "safety" else risk


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[PageTruth]]:
    base = tmp_path_factory.mktemp("pagegen")
    truth = generate_landing(base / "landing", 200, seed=0, truth_path=base / "truth.jsonl")
    return base / "landing", read_truth(truth)


# --------------------------------------------------------------------------- landing folder


def test_same_seed_same_bytes_and_mtimes(tmp_path: Path) -> None:
    a = generate_landing(tmp_path / "a", 60, seed=3, truth_path=tmp_path / "a.jsonl")
    b = generate_landing(tmp_path / "b", 60, seed=3, truth_path=tmp_path / "b.jsonl")
    assert folder_digest(tmp_path / "a") == folder_digest(tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    generate_landing(tmp_path / "c", 60, seed=4, truth_path=tmp_path / "c.jsonl")
    assert folder_digest(tmp_path / "a") != folder_digest(tmp_path / "c")


def test_workers_do_not_change_the_output(tmp_path: Path) -> None:
    generate_landing(tmp_path / "a", 40, seed=5, truth_path=tmp_path / "a.jsonl")
    generate_landing(tmp_path / "b", 40, seed=5, truth_path=tmp_path / "b.jsonl", workers=2)
    assert folder_digest(tmp_path / "a") == folder_digest(tmp_path / "b")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_truth_rows_are_the_files_written(landing: tuple[Path, list[PageTruth]]) -> None:
    root, rows = landing
    rels = [t.relpath for t in rows]
    assert len(rows) == 200
    assert len(set(rels)) == len(rels)
    assert set(rels) == documents(root)
    assert not any(p.name.endswith(".jsonl") for p in root.rglob("*"))


def test_layout_is_site_then_day(landing: tuple[Path, list[PageTruth]]) -> None:
    _root, rows = landing
    for t in rows:
        host, day, name = t.relpath.split("/")
        assert "." in host
        assert re.fullmatch(r"2026-\d\d-\d\d", day)
        if t.kind != "ignored":
            assert t.fetched_at.startswith(day) or t.kind.startswith("duplicate")
            assert name.endswith((".html", ".txt"))


def test_every_template_and_variant_appears(landing: tuple[Path, list[PageTruth]]) -> None:
    _root, rows = landing
    seen = {(t.template, t.details["variant"]) for t in rows if t.kind == "page"}
    for template in TEMPLATES:
        for variant in range(len(HTML_VARIANTS)):
            assert (template, variant) in seen
    assert any(t.template == "generic" for t in rows)
    assert any(t.details.get("fmt") == "text" for t in rows if t.kind == "page")


def test_html_pages_weigh_30_to_60_kb(landing: tuple[Path, list[PageTruth]]) -> None:
    root, rows = landing
    sizes = [
        (root / t.relpath).stat().st_size
        for t in rows
        if t.kind == "page" and t.details["fmt"] == "html"
    ]
    assert sizes
    assert min(sizes) >= 30 * 1024
    assert max(sizes) <= 60_000


def test_risk_score_follows_the_canonical_formula(landing: tuple[Path, list[PageTruth]]) -> None:
    _root, rows = landing
    scored = [t for t in rows if t.risk_score is not None]
    assert len(scored) > 150
    for t in scored:
        assert t.risk_score == pytest.approx(canonical(t), abs=1e-9)
        assert t.expected_status in ("loaded", "duplicate")
    for t in rows:
        if t.expected_status == "loaded":
            assert t.risk_score is not None and 0 <= t.risk_score <= 100


def test_labels_match_the_score_band(landing: tuple[Path, list[PageTruth]]) -> None:
    _root, rows = landing
    for t in rows:
        if t.kind == "page" and t.template in TEMPLATES and t.risk_score is not None:
            band = band_of(t.risk_score)
            words = LABELS[t.template][band]
            assert t.label in words or (t.label == "AI-Created" and band == "very_low")


def test_sidecars_or_mtime_give_fetched_at(landing: tuple[Path, list[PageTruth]]) -> None:
    root, rows = landing
    with_sidecar = 0
    for t in rows:
        if t.kind == "ignored":
            continue
        path = root / t.relpath
        sidecar = path.with_name(path.stem + SIDECAR)
        if t.url is not None:
            meta = json.loads(sidecar.read_text())
            assert meta == {"url": t.url, "fetched_at": t.fetched_at}
            with_sidecar += 1
        else:
            assert not sidecar.exists()
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            assert mtime.strftime("%Y-%m-%dT%H:%M:%SZ") == t.fetched_at
    assert with_sidecar > len(rows) // 2


def test_visible_headline_is_the_truth(landing: tuple[Path, list[PageTruth]]) -> None:
    root, rows = landing
    checked = 0
    seen = set()
    for t in rows:
        if t.template not in HEADLINE or t.expected_status == "ignored":
            continue
        key = (t.template, t.details["variant"], t.expected_status, t.expected_reason)
        if key in seen:  # one page of each kind keeps the test fast
            continue
        seen.add(key)
        text = visible_text((root / t.relpath).read_bytes(), t.details["fmt"])
        values = {float(v) for v in re.findall(HEADLINE[t.template], text)}
        if t.expected_status in ("loaded", "duplicate"):
            assert values == {t.raw_value}, t.relpath
            assert t.occupation in text
        elif t.expected_reason == "no_score":
            assert not values
        checked += 1
    assert checked > 25


def test_recaptures_keep_the_url_and_change_the_score(tmp_path: Path) -> None:
    truth = generate_landing(
        tmp_path / "l", 80, seed=2, truth_path=tmp_path / "t.jsonl", recapture_share=0.4
    )
    rows = {t.relpath: t for t in read_truth(truth)}
    recaptures = [t for t in rows.values() if "recapture_of" in t.details]
    assert len(recaptures) > 10
    for t in recaptures:
        old = rows[t.details["recapture_of"]]
        assert (old.template, old.occupation) == (t.template, t.occupation)
        assert old.details["canonical_url"] == t.details["canonical_url"]
        assert old.raw_value != t.raw_value
        assert t.fetched_at > old.fetched_at


def test_duplicates(tmp_path: Path) -> None:
    root = tmp_path / "l"
    truth = generate_landing(
        root, 400, seed=1, truth_path=tmp_path / "t.jsonl", duplicate_share=0.6
    )
    rows = {t.relpath: t for t in read_truth(truth)}
    kinds = set()
    text_copies: dict[bytes, str] = {}
    for t in rows.values():
        if not t.kind.startswith("duplicate"):
            continue
        kinds.add(t.kind)
        original = rows[t.details["duplicate_of"]]
        assert t.expected_status == "duplicate"
        assert (t.template, t.occupation, t.raw_value) == (
            original.template,
            original.occupation,
            original.raw_value,
        )
        assert t.relpath.split("/")[1] > original.relpath.split("/")[1]  # a later day folder
        a, b = (root / original.relpath).read_bytes(), (root / t.relpath).read_bytes()
        if t.kind == "duplicate_bytes":
            assert a == b
        else:
            assert a != b
            fmt = t.details["fmt"]
            assert visible_text(a, fmt) == visible_text(b, fmt)
            # a text copy equal byte for byte to another copy would be a byte duplicate
            assert text_copies.setdefault(b, t.relpath) == t.relpath
    assert kinds == {"duplicate_bytes", "duplicate_text"}
    assert len(text_copies) >= 5


def test_text_copies_of_one_page_differ_in_bytes() -> None:
    page = "<html>\n<body>\n<p>Risk 40/100</p>\n</body>\n</html>\n"
    copies = {_retext(page, random.Random(0), variant) for variant in range(1, 6)}
    assert len(copies) == 5 and page not in {c.replace("\r\n", "\n") for c in copies}


def test_bad_and_ignored_files(tmp_path: Path) -> None:
    root = tmp_path / "l"
    truth = generate_landing(
        root,
        150,
        seed=4,
        truth_path=tmp_path / "t.jsonl",
        bad_share=0.45,
        ignored_share=0.1,
        max_file_bytes=70_000,
    )
    rows = read_truth(truth)
    reasons = {t.expected_reason for t in rows if t.expected_status == "quarantined"}
    assert reasons == {
        "empty_file",
        "binary_content",
        "no_score",
        "score_out_of_range",
        "conflicting_scores",
        "too_large",
    }
    for t in rows:
        data = (root / t.relpath).read_bytes()
        if t.expected_reason == "binary_content":
            assert data.startswith(b"\x89PNG") and t.relpath.endswith(".html")
        elif t.expected_reason == "empty_file":
            assert not visible_text(data)
        elif t.expected_reason == "too_large":
            assert len(data) > 70_000
        elif t.expected_reason == "score_out_of_range":
            assert t.raw_value is not None and t.raw_value > t.scale_max
        elif t.kind == "ignored":
            name = t.relpath.rpartition("/")[2]
            assert name.startswith(".") or name.endswith(PARTIAL)
            assert t.expected_status == "ignored"
    assert any(t.kind == "ignored" for t in rows)


def test_truth_outside_root_and_empty_root_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_landing(tmp_path / "l", 5, truth_path=tmp_path / "l" / "t.jsonl")
    generate_landing(tmp_path / "m", 5, truth_path=tmp_path / "m.jsonl")
    with pytest.raises(FileExistsError):
        generate_landing(tmp_path / "m", 5, truth_path=tmp_path / "m2.jsonl")


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        main([str(out), "--pages", "12", "--seed", "9", "--truth", str(tmp_path / "t.jsonl")]) == 0
    )
    assert len(read_truth(tmp_path / "t.jsonl")) == 12 == len(documents(out))


# --------------------------------------------------------------------------- render_page


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("fmt", ["html", "text"])
def test_render_page_states_the_given_score(template: str, fmt: str) -> None:
    value = VALUES.get(template, 68)
    for variant in range(len(HTML_VARIANTS) if fmt == "html" else 1):
        doc, truth = render_page(
            template,
            "Registered Nurse",
            value,
            rng=random.Random(variant),
            variant=variant,
            fmt=fmt,
        )
        text = visible_text(doc.encode(), fmt)
        assert {float(v) for v in re.findall(HEADLINE[template], text)} == {value}
        assert truth.raw_value == value and truth.expected_status == "loaded"
        assert truth.risk_score == pytest.approx(canonical(truth))
        assert truth.label and truth.label in text
        assert "Registered Nurse" in text
        assert truth.details["variant"] == (variant if fmt == "html" else "text")


def test_render_page_other_occupations_and_plural_headings() -> None:
    doc, truth = render_page("jobisque", "Electrician", 22, rng=random.Random(1))
    assert "Will AI Replace Electricians?" in visible_text(doc.encode())
    assert truth.label == "low" and truth.risk_score == 22
    doc, truth = render_page("ai_safe_careers", "Data Scientist", 10, rng=random.Random(1))
    assert truth.label == "AI-Created" and truth.details["industry"] == "Technology"


def test_render_page_bad_headlines() -> None:
    rng = random.Random(2)
    _doc, t = render_page("impact_report", "Welder", 12, rng=rng)
    assert (t.expected_status, t.expected_reason, t.risk_score) == (
        "quarantined",
        "score_out_of_range",
        None,
    )
    doc, t = render_page("career_guide", "Welder", 70, rng=rng, headline="none")
    assert t.expected_reason == "no_score" and t.raw_value is None
    assert not re.findall(HEADLINE["career_guide"], visible_text(doc.encode()))
    doc, t = render_page("jobisque", "Welder", 70, rng=rng, headline="conflict", conflict_value=40)
    assert t.expected_reason == "conflicting_scores"
    assert {float(v) for v in re.findall(HEADLINE["jobisque"], visible_text(doc.encode()))} == {
        70.0,
        40.0,
    }


def test_render_page_generic_forms() -> None:
    from benchmarks.pagegen import GENERIC_FORMS

    for form, (lead, _fmt, scale_max, polarity) in enumerate(GENERIC_FORMS):
        value = 3 if scale_max <= 10 else 63
        doc, t = render_page(
            "generic", "Registered Nurse", value, rng=random.Random(form), form=form
        )
        text = " ".join(visible_text(doc.encode()).split())
        assert lead in text and t.details["score_text"] in text
        assert (t.scale_max, t.polarity) == (scale_max, polarity)
        assert t.risk_score == pytest.approx(canonical(t))


def test_band_edges_are_half_open() -> None:
    assert [band_of(b[1]) for b in BANDS] == [b[0] for b in BANDS]
    assert band_of(100.0) == "very_high"
