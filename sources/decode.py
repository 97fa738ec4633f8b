"""Bytes -> str, or the reason the bytes are not a text page.

Order of evidence, strongest first: a byte-order mark; strict UTF-8 (bytes that
decode as UTF-8 are UTF-8 in practice, and scrapers often re-save a page as
UTF-8 while keeping its old ``<meta charset>``); a declared charset (``<meta
charset>``, ``http-equiv`` or an XML declaration, read with BeautifulSoup's
``EncodingDetector``); then charset-normalizer's statistical guess. Binary files
(images, archives, PDFs, anything full of control bytes) are recognised before
any decoding is tried, so a PNG saved as ``.html`` is reported as
``binary_content`` rather than mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

from sources.records import Rejection

_SAMPLE = 8192

# (offset, magic bytes, description)
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"%PDF-", "PDF document"),
    (0, b"PK\x03\x04", "ZIP archive"),
    (0, b"PK\x05\x06", "ZIP archive"),
    (0, b"\x1f\x8b", "gzip archive"),
    (0, b"BZh91AY&SY", "bzip2 archive"),
    (0, b"\xfd7zXZ\x00", "xz archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"MZ\x90\x00", "Windows executable"),
    (0, b"\x00asm", "WebAssembly module"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"\x00\x00\x01\x00", "ICO image"),
    (0, b"wOFF", "WOFF font"),
    (0, b"wOF2", "WOFF2 font"),
    (0, b"OggS", "Ogg media"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document"),
    (4, b"ftyp", "ISO media (MP4/HEIC/AVIF)"),
    (8, b"WEBP", "WebP image"),
    (8, b"WAVE", "WAV audio"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Bytes that never appear in text pages (C0 controls other than \t \n \f \r and ESC).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))

# WHATWG: pages labelled latin-1 / ASCII are decoded as windows-1252 by every browser.
_WHATWG_ALIASES = {"latin_1": "cp1252", "iso8859_1": "cp1252", "ascii": "cp1252"}
_WESTERN = {"cp1252", "latin_1", "iso8859_15"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from a document's bytes, and the codec that decoded it."""

    text: str
    encoding: str


def _magic(data: bytes) -> str | None:
    for offset, magic, what in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if magic in (b"WEBP", b"WAVE") and not data.startswith(b"RIFF"):
                continue
            return what
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Return a UTF-16 codec if NULs sit in alternate positions like ASCII in UTF-16."""
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.6 and even_nul < 0.1:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.1:
        return "utf-16-be"
    return None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    return _WHATWG_ALIASES.get(name, name)


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None


def _declared(data: bytes) -> str | None:
    """Charset declared in a meta tag or XML declaration near the top of the page."""
    head = data[:4096]
    if b"charset" not in head.lower() and b"encoding" not in head.lower():
        return None
    codec = _codec(EncodingDetector.find_declared_encoding(head, is_html=True))
    # A page cannot declare a UTF-16/32 encoding in ASCII-compatible bytes (WHATWG).
    if codec and codec.startswith(("utf_16", "utf_32")):
        return "utf_8"
    return codec


def _statistical(data: bytes) -> Decoded | None:
    results = list(from_bytes(data))
    if not results:
        return None
    best = results[0]
    chosen = best
    if best.encoding not in _WESTERN:
        # Short Western pages score the same under several single-byte Latin code
        # pages; prefer windows-1252, the web's default legacy encoding, on a tie.
        for r in results[1:]:
            if (
                r.encoding in _WESTERN
                and r.chaos <= best.chaos + 0.01
                and r.coherence >= best.coherence - 0.02
            ):
                chosen = r
                break
    return Decoded(str(chosen), chosen.encoding)


_JUNK = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")


def _junk_ratio(text: str) -> float:
    """Share of replacement characters and control characters in decoded text."""
    return len(_JUNK.findall(text)) / len(text) if text else 0.0


def decode_bytes(data: bytes) -> Decoded | Rejection:
    """Decode a document's bytes, or say why it is not a decodable text page."""
    if not data or not data.strip():
        return Rejection("empty_file", "the file has no bytes" if not data else "only whitespace")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                text = data.decode(codec, errors="replace")
                if _junk_ratio(text) > 0.05:
                    return Rejection("undecodable", f"bytes after the {codec} BOM do not decode")
            return Decoded(text, codec)
    what = _magic(data)
    if what:
        return Rejection("binary_content", f"the bytes are a {what}")
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        codec = _utf16_without_bom(sample)
        text = _try(data, codec) if codec else None
        if text is None:
            return Rejection("binary_content", "NUL bytes: not a text page")
        return Decoded(text, codec or "")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls / len(sample) > 0.05:
        return Rejection("binary_content", f"{controls} control bytes in the first {len(sample)}")
    # Strict UTF-8 before the declaration: bytes that decode as UTF-8 are UTF-8 in
    # practice, and scrapers often re-save pages as UTF-8 but keep the old <meta>.
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf_8")
    declared = _declared(data)
    if declared:
        text = _try(data, declared)
        if text is not None:
            return Decoded(text, declared)
    guess = _statistical(data)
    if guess is None or _junk_ratio(guess.text) > 0.05:
        return Rejection("undecodable", "no character encoding decodes the bytes to sensible text")
    return guess
