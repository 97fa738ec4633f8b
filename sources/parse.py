"""Public entry point: one document's bytes -> one :class:`ParsedDocument`.

Steps: decode the bytes (:mod:`sources.decode`), sniff HTML vs text by content
(the file name only hints), turn HTML into visible text
(:mod:`sources.html_text`) or take a text capture as-is, normalise
(:mod:`sources.normalise`), then hand the text to the matching template adapter
or the generic fallback (:mod:`sources.templates`).

``parse_document`` never raises: every failure becomes a :class:`Rejection`
with a code from :data:`~sources.records.PARSE_REASON_CODES`.
"""

from __future__ import annotations

from sources import templates
from sources.decode import decode_bytes
from sources.html_text import HtmlError, html_to_text, looks_like_html
from sources.normalise import normalise_text, text_sha256
from sources.records import ParsedDocument, Rejection

# Bump whenever extraction output may change (YYYY.MM.N).
PARSER_VERSION = "2026.11.1"

_DETAIL_LIMIT = 300


def _failure(stage: str, exc: BaseException) -> Rejection:
    detail = f"{stage} failed: {type(exc).__name__}: {exc}"
    return Rejection("parse_error", detail[:_DETAIL_LIMIT])


def visible_text(data: bytes, *, name: str = "") -> str | Rejection:
    """The normalised visible text of a document (what spans point into), or why not."""
    decoded = decode_bytes(data)
    if isinstance(decoded, Rejection):
        return decoded
    if looks_like_html(decoded.text, name):
        try:
            return html_to_text(decoded.text)
        except HtmlError as exc:
            return Rejection("parse_error", str(exc)[:_DETAIL_LIMIT])
    return normalise_text(decoded.text)


def parse_document(data: bytes, *, name: str = "", url: str | None = None) -> ParsedDocument:
    """Parse one document; the result holds an extraction or a rejection, never both."""
    try:
        text = visible_text(bytes(data), name=name)
    except Exception as exc:  # the contract is "never raise": report, don't crash the batch
        return ParsedDocument(text_sha256=None, rejection=_failure("text extraction", exc), url=url)
    if isinstance(text, Rejection):
        return ParsedDocument(text_sha256=None, rejection=text, url=url)
    if not text.strip():
        return ParsedDocument(
            text_sha256=None, rejection=Rejection("empty_file", "no visible text"), url=url
        )
    digest = text_sha256(text)
    try:
        result = templates.extract(text, url)
    except Exception as exc:
        return ParsedDocument(text_sha256=digest, rejection=_failure("extraction", exc), url=url)
    if isinstance(result, Rejection):
        return ParsedDocument(text_sha256=digest, rejection=result, url=url)
    return ParsedDocument(text_sha256=digest, extraction=result, url=url)
