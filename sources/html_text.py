"""HTML -> the visible text a reader sees, one block element per line.

The hot path parses with ``lxml.etree.HTMLParser`` and walks the tree with
``iterwalk`` (iterative, so 20,000 nested ``<div>``s cannot overflow the Python
stack), which is roughly ten times faster than BeautifulSoup's ``get_text``. If
lxml itself refuses the markup, ``BeautifulSoup(..., "lxml")`` builds the tree
instead and an equivalent iterative walk renders it.

Rendering follows the browser's ``innerText`` rules closely enough that an HTML
page and a text capture of it normalise to the same string: block elements
start a new line (``<p>`` leaves a blank line), inline elements do not (so
``<span>68</span><span>/100</span>`` reads ``68/100``), runs of markup
whitespace collapse to one space. Invisible content is dropped: script, style,
template, noscript, svg, iframes and media, the ``<head>`` (its ``<title>``
becomes the first line, as scrapers that save page text keep it), comments,
navigation chrome (``<nav>``, ``role="navigation"``) and elements hidden by the
``hidden`` attribute, ``aria-hidden="true"`` or an inline ``display:none`` /
``visibility:hidden`` style. ``<header>`` and ``<footer>`` are kept: the page's
own title and its "Last updated" date often live there.
"""

from __future__ import annotations

import re
from itertools import islice

from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree

from sources.normalise import normalise_text

# Elements whose content is never visible text.
_DROP = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "head",
        "title",
        "iframe",
        "object",
        "embed",
        "canvas",
        "audio",
        "video",
        "datalist",
        "nav",
        "dialog",
    }
)
# Elements rendered as blocks: they start and end a line.
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "listing",
        "main",
        "menu",
        "ol",
        "optgroup",
        "option",
        "p",
        "pre",
        "search",
        "section",
        "select",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# A line break written while walking, turned into "\n" after markup whitespace
# has been collapsed (a private-use character, removed from the input first).
_NL = "\ue000"
_BREAKS = {tag: 1 for tag in _BLOCK} | {"p": 2}  # innerText: a blank line around <p>
# Attributes that can hide an element; most elements carry none of them.
_WATCH = frozenset({"hidden", "aria-hidden", "style", "role"})

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDDEN_ROLES = frozenset({"navigation", "dialog", "alertdialog"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_NOT_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\ue000]")

_STRONG_HTML = re.compile(
    r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s|title>)", re.IGNORECASE
)
_TAG = re.compile(r"</?[a-z][a-z0-9-]*(?:\s[^<>]{0,300})?/?>", re.IGNORECASE)
_HTML_NAMES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx")


class HtmlError(ValueError):
    """The markup could not be turned into text (reported as ``parse_error``)."""


def looks_like_html(text: str, name: str = "") -> bool:
    """Content sniffing: markup decides; a ``.html`` name only lowers the bar."""
    head = text[:65536]
    if "<" not in head:
        return False
    if _STRONG_HTML.search(head):
        return True
    needed = 1 if name.lower().endswith(_HTML_NAMES) else 3
    return sum(1 for _ in islice(_TAG.finditer(head), needed)) >= needed


def _hidden(get) -> bool:
    """``hidden``, ``aria-hidden="true"``, inline display:none / visibility:hidden,
    or a navigation / dialog role (menus, cookie and consent banners)."""
    if get("hidden") is not None:
        return True
    if (get("aria-hidden") or "").strip().lower() == "true":
        return True
    if _HIDDEN_STYLE.search(get("style") or ""):
        return True
    return (get("role") or "").strip().lower() in _HIDDEN_ROLES


class _Out:
    """Visible text with innerText-style collapsible line breaks.

    A block boundary only *requests* a break (``pending``); it is written when
    the next visible text arrives, so nested blocks give one break, not many.
    """

    __slots__ = ("add", "parts", "pending")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.add = self.parts.append
        self.pending = 0

    def text(self, s: str) -> None:
        if s.isspace():
            if not self.pending:
                self.add(" ")
            return
        if self.pending:
            if self.parts:
                self.add(_NL * self.pending)
            self.pending = 0
        self.add(s)

    def block(self, n: int) -> None:
        if n > self.pending:
            self.pending = n

    def br(self) -> None:
        self.add(_NL)

    def result(self, title: str | None) -> str:
        body = " ".join("".join(self.parts).split())  # collapse markup whitespace
        body = body.replace(" " + _NL, _NL).replace(_NL + " ", _NL).replace(_NL, "\n")
        if title:
            title = " ".join(title.split())
            if title:
                body = f"{title}\n{body}"
        return normalise_text(body)


def _render_lxml(root: etree._Element, out: _Out) -> None:
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped = False
    for event, el in walker:
        tag = el.tag
        if event == "start":
            keys = el.keys()
            if tag in _DROP or (keys and not _WATCH.isdisjoint(keys) and _hidden(el.get)):
                walker.skip_subtree()
                skipped = True
                continue
            n = _BREAKS.get(tag)
            if n:
                out.block(n)
            elif tag == "br":
                out.br()
            text = el.text
            if text and isinstance(tag, str):  # not a comment / processing instruction
                out.text(text)
        else:
            if skipped:
                skipped = False  # end event of the element whose subtree was skipped
            else:
                n = _BREAKS.get(tag)
                if n:
                    out.block(n)
            tail = el.tail
            if tail:
                out.text(tail)


def _render_soup(soup: BeautifulSoup, out: _Out) -> None:
    stack: list[tuple[object, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not a Comment, Doctype, script string...
                out.text(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        n = _BREAKS.get(name)
        if closing:
            if n:
                out.block(n)
            continue
        if name in _DROP or _hidden(node.attrs.get):
            continue
        if n:
            out.block(n)
        elif name == "br":
            out.br()
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))


def _clean_markup(html: str) -> str:
    html = _XML_DECL.sub("", html, count=1)
    return _NOT_XML_CHARS.sub("", html)


def html_to_text(html: str) -> str:
    """Normalised visible text of an HTML page.

    Raises :class:`HtmlError` when the page nests elements deeper than the
    parser's limit (the text past that point would be silently lost).
    """
    html = _clean_markup(html)
    parser = etree.HTMLParser(
        remove_comments=True, remove_pis=True, huge_tree=True, no_network=True
    )
    out = _Out()
    try:
        root = etree.fromstring(html, parser)
    except (etree.LxmlError, ValueError):
        soup = BeautifulSoup(html, "lxml")
        title_tag = soup.find("title")
        _render_soup(soup, out)
        return out.result(title_tag.get_text(" ") if title_tag else None)
    last = parser.error_log.last_error
    if last is not None and "depth" in (last.message or "").lower():
        raise HtmlError(f"markup nests deeper than the parser allows ({last.message.strip()})")
    if root is None:
        return ""
    title_el = root.find("head/title")
    title = "".join(title_el.itertext()) if title_el is not None else None
    _render_lxml(root, out)
    return out.result(title)
