"""``parse_document`` never raises, whatever bytes it is fed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.parse import parse_document, visible_text
from sources.records import PARSE_REASON_CODES, ParsedDocument

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SEED_BYTES = [p.read_bytes() for p in sorted(SAMPLES.glob("*.txt"))]

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "<div>",
    "</div>",
    "<span>",
    "</span>",
    "<p>",
    "</p>",
    "<br>",
    "<li>",
    "<ul>",
    "</ul>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<div hidden>",
    '<div style="display:none">',
    "<title>",
    "</title>",
    "<html>",
    "<body>",
    "<![CDATA[",
    "]]>",
    "<?xml version='1.0'?>",
    "&nbsp;",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "\x00",
    "\r\n",
    "\n",
    " ",
    "\u00a0",
    "\ufeff",
    "Risk Level: ",
    "4/10",
    "12/10",
    "68/100",
    "Average resilience score",
    "78",
    "/ 100",
    "How AI-proof is this career?",
    "Safety Score: ",
    "Jobisque Risk Score: ",
    "Industry: ",
    "Will AI replace ",
    "Nurses?",
    "AI Impact on ",
    "Machine Learning Engineer",
    "★★★☆☆",
    "Automation risk:",
    "62%",
    "$95k–$130k",
    "Ease: High",
    "0 – 2 years",
    "01",
    "•",
    "—",
    "|",
    "Pâtissier",
    "\ue000",
    "\ud7ff",
    "Related roles",
    "Tasks at Risk",
    "automatable",
]


def _check(doc: ParsedDocument, data: bytes, name: str) -> None:
    assert isinstance(doc, ParsedDocument)
    assert (doc.extraction is None) != (doc.rejection is None)
    if doc.rejection is not None:
        assert doc.rejection.reason_code in PARSE_REASON_CODES
        assert isinstance(doc.rejection.detail, str) and doc.rejection.detail
    if doc.text_sha256 is not None:
        assert len(doc.text_sha256) == 64
    if doc.extraction is not None:
        text = visible_text(data, name=name)
        assert isinstance(text, str)
        ex = doc.extraction
        for ev in (ex.occupation_evidence, ex.score.evidence):
            assert text[ev.start : ev.end] == ev.snippet
        assert 0 < ex.confidence <= 1 and ex.occupation


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from(["x.html", "x.txt", "", "x.png"]))
def test_random_bytes(data, name):
    _check(parse_document(data, name=name), data, name)


@FUZZ
@given(
    parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=80),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"]),
)
def test_random_html_ish_text(parts, encoding):
    data = "".join(parts).encode(encoding, errors="replace")
    _check(parse_document(data, name="page.html"), data, "page.html")


@st.composite
def mutated_seeds(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "digits", "truncate"]))
        i = draw(st.integers(0, len(data)))
        j = min(len(data), i + draw(st.integers(0, 400)))
        if op == "delete":
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=40))
        elif op == "duplicate":
            data[i:i] = data[i:j]
        elif op == "digits":
            data[i:j] = bytes(b if not 48 <= b <= 57 else 48 + (b * 7) % 10 for b in data[i:j])
        else:
            del data[j:]
    return bytes(data)


@FUZZ
@given(data=mutated_seeds(), name=st.sampled_from(["seed.txt", "seed.html"]))
def test_mutated_seeds(data, name):
    _check(parse_document(data, name=name), data, name)
