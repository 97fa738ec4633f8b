"""The one text normalisation every span and every duplicate hash is defined on.

HTML-derived text and plain-text captures both pass through :func:`normalise_text`,
so the same visible words give the same string (and the same ``text_sha256``)
whatever markup, line endings or space characters carried them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# One pass finds every character that needs replacing: tab, form feed, vertical
# tab, the unicode space separators (NBSP, thin/em spaces, ...), invisible format
# characters (zero-width space, word joiner, BOM, soft hyphen), C0/C1 controls
# other than LF, and lone surrogates.
_ODD = re.compile(
    "[\t\v\f\x00-\x08\x0e-\x1f\x7f-\x9f\u00a0\u00ad\u1680\u2000-\u200b"
    "\u202f\u205f\u2060\u3000\ufeff\ud800-\udfff]"
)
_SPACE_LIKE = frozenset("\t\v\f\u00a0\u1680\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


def _replace(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _SPACE_LIKE:
        return " "
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return ""


def normalise_text(text: str) -> str:
    """Return the canonical form of visible text.

    CRLF/CR -> LF; tabs, NBSP and other unicode spaces -> space; zero-width
    characters, soft hyphens and control characters removed; NFC; trailing
    spaces stripped per line; runs of blank lines collapsed to one blank line;
    leading/trailing blank lines removed.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ODD.search(text):
        text = _ODD.sub(_replace, text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    blank = False
    for line in text.split("\n"):
        line = line.rstrip(" ")
        if line:
            out.append(line)
            blank = False
        elif not blank:
            out.append(line)
            blank = True
    return "\n".join(out).strip("\n")


def text_sha256(text: str) -> str:
    """Hex sha256 of already-normalised text (the near-duplicate key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
