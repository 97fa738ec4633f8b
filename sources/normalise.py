"""The one text normalisation every span and every duplicate hash is defined on.

HTML-derived text and plain-text captures both pass through :func:`normalise_text`,
so the same visible words give the same string (and the same ``text_sha256``)
whatever markup, line endings or space characters carried them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Unicode space separators (Zs) other than the ASCII space, plus tab and form feed.
_SPACES = re.compile(r"[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Invisible format characters that only affect rendering: zero-width space,
# word joiner, BOM used as ZWNBSP, soft hyphen.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad]")
# C0/C1 controls other than LF (tab and CR are handled before), and lone surrogates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_TRAILING_SPACE = re.compile(r" +$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Return the canonical form of visible text.

    NFC; CRLF/CR -> LF; NBSP and other unicode spaces (and tabs) -> space;
    zero-width characters, soft hyphens and control characters removed;
    trailing spaces stripped per line; more than one consecutive blank line
    collapsed to one; leading/trailing blank lines removed.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATES.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


def text_sha256(text: str) -> str:
    """Hex sha256 of already-normalised text (the near-duplicate key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
