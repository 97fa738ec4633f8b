"""Bad and awkward documents at the ``parse_document`` level, and decoding."""

from __future__ import annotations

import codecs
import struct
import zlib

import pytest

from sources.decode import Decoded, decode_bytes
from sources.parse import parse_document
from sources.records import PARSE_REASON_CODES, Rejection


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _rejected(doc, code: str) -> Rejection:
    assert doc.extraction is None
    assert doc.rejection is not None and doc.rejection.reason_code == code, doc.rejection
    assert code in PARSE_REASON_CODES and doc.rejection.detail
    return doc.rejection


PATISSIER = (
    "<html><head><title>Will AI replace a Pâtissier?</title></head><body>"
    "<h1>Will AI replace a Pâtissier?</h1><p>Crème brûlée and choux.</p>"
    "<p>Our automation risk score: 3/10</p></body></html>"
)


def test_empty_bytes():
    doc = parse_document(b"", name="empty.html")
    _rejected(doc, "empty_file")
    assert doc.text_sha256 is None


def test_whitespace_only_and_markup_without_text_are_empty():
    _rejected(parse_document(b" \r\n\t ", name="a.txt"), "empty_file")
    _rejected(parse_document(b"<html><body><script>x=1</script></body></html>"), "empty_file")


def test_png_named_html_is_binary():
    doc = parse_document(_png(), name="page.html")
    assert "PNG" in _rejected(doc, "binary_content").detail
    assert doc.text_sha256 is None


@pytest.mark.parametrize(
    "data",
    [b"\xff\xd8\xff\xe0\x00\x10JFIF", b"GIF89a\x01\x00", b"%PDF-1.7\n", b"PK\x03\x04\x14\x00"],
)
def test_other_binary_magic_numbers(data):
    _rejected(parse_document(data + bytes(range(256)), name="x.html"), "binary_content")


def test_nul_bytes_are_binary():
    _rejected(parse_document(b"Risk Level: 4/10\x00\x00\x01\x02" * 50), "binary_content")


def test_latin1_page_without_declaration_decodes_to_the_right_title():
    doc = parse_document(PATISSIER.encode("latin-1"), name="patissier.html")
    ex = doc.extraction
    assert ex is not None, doc.rejection
    assert ex.occupation_raw == "Pâtissier" and ex.occupation == "Pâtissier"
    assert ex.occupation_slug == "patissier"
    assert (ex.score.value, ex.score.scale_max, ex.score.polarity) == (3, 10, "risk")


def test_latin1_page_with_meta_charset_decodes_to_the_right_title():
    page = PATISSIER.replace("<head>", '<head><meta charset="iso-8859-1">')
    doc = parse_document(page.encode("latin-1"), name="patissier.html")
    assert doc.extraction is not None and doc.extraction.occupation == "Pâtissier"
    page = PATISSIER.replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    )
    doc = parse_document(page.encode("cp1252"), name="patissier.html")
    assert doc.extraction is not None and doc.extraction.occupation == "Pâtissier"


def test_utf8_bytes_under_a_stale_latin1_declaration_stay_utf8():
    page = PATISSIER.replace("<head>", '<head><meta charset="iso-8859-1">')
    doc = parse_document(page.encode("utf-8"), name="resaved.html")
    assert doc.extraction is not None and doc.extraction.occupation == "Pâtissier"


def test_utf16_with_bom_gives_the_same_text_hash_as_utf8(seed_bytes, seeds):
    text = seed_bytes("ai_safe_careers").decode("utf-8")
    for data in (codecs.BOM_UTF16_LE + text.encode("utf-16-le"), text.encode("utf-16")):
        doc = parse_document(data, name="seed.txt")
        assert doc.extraction is not None, doc.rejection
        assert doc.extraction.score.raw_text == "9/10"
        assert doc.text_sha256 == seeds["ai_safe_careers"].text_sha256


def test_utf16_without_bom_is_recognised_by_its_nul_pattern(seed_bytes, seeds):
    data = seed_bytes("impact_report").decode("utf-8").encode("utf-16-le")
    doc = parse_document(data, name="seed.txt")
    assert doc.text_sha256 == seeds["impact_report"].text_sha256


def test_utf8_bom_and_crlf_give_the_same_text_hash(seed_bytes, seeds):
    data = codecs.BOM_UTF8 + seed_bytes("jobisque").replace(b"\n", b"\r\n")
    doc = parse_document(data, name="seed.txt")
    assert doc.text_sha256 == seeds["jobisque"].text_sha256


def test_decode_reports_the_codec():
    assert decode_bytes("é".encode()) == Decoded("é", "utf_8")
    assert isinstance(decode_bytes(b"\x00\x01\x02\x03" * 10), Rejection)


def test_undecodable_bytes():
    # Valid for no single codec: a UTF-16 BOM followed by an odd, unpaired surrogate run.
    data = codecs.BOM_UTF16_LE + b"\x00\xd8" * 400 + b"\x41"
    _rejected(parse_document(data, name="x.txt"), "undecodable")


def test_twenty_thousand_nested_divs_are_a_parse_error_not_an_exception():
    page = "<html><body>" + "<div>" * 20_000 + "Risk Level: 4/10" + "</div>" * 20_000
    doc = parse_document(page.encode(), name="deep.html")
    _rejected(doc, "parse_error")


def test_score_out_of_range(seed_bytes):
    data = (
        seed_bytes("impact_report")
        .replace(b"4/10", b"12/10")
        .replace(b"4 out of 10", b"12 out of 10")
    )
    doc = parse_document(data, name="x.txt")
    assert "12/10" in _rejected(doc, "score_out_of_range").detail
    assert doc.text_sha256 is not None


def test_conflicting_headline_scores(seed_bytes):
    data = seed_bytes("ai_safe_careers").replace(b"score of 9 out of 10", b"score of 6 out of 10")
    detail = _rejected(parse_document(data, name="x.txt"), "conflicting_scores").detail
    assert "9/10" in detail and "6/10" in detail


def test_a_second_headline_block_with_another_value_conflicts(seed_bytes):
    data = seed_bytes("career_guide").replace(
        b"Relatively safe\nRelatively safe",
        b"Relatively safe\nHow AI-proof is this career?\n61\n/ 100\nModerate",
    )
    _rejected(parse_document(data, name="x.txt"), "conflicting_scores")


def test_no_score(seed_bytes):
    data = seed_bytes("jobisque").replace(b"48/100", b"")
    detail = _rejected(parse_document(data, name="x.txt"), "no_score").detail
    assert "Jobisque" in detail


def test_no_score_on_an_unknown_page():
    page = b"<html><body><h1>Will AI replace Bakers?</h1><p>Nobody knows yet.</p></body></html>"
    _rejected(parse_document(page, name="x.html"), "no_score")


def test_no_occupation():
    page = b"<html><body><p>Our automation risk score: 7/10 for this role.</p></body></html>"
    _rejected(parse_document(page, name="x.html"), "no_occupation")


def test_memoryview_input_and_bad_types_never_raise(seed_bytes):
    assert parse_document(memoryview(seed_bytes("jobisque"))).extraction is not None
    doc = parse_document("not bytes")  # type: ignore[arg-type]
    assert doc.rejection is not None and doc.rejection.reason_code in PARSE_REASON_CODES
