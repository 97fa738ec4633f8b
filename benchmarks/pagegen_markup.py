"""Markup styles: one small vocabulary of blocks, rendered as plain text or as HTML.

Template renderers build a page only through a :class:`Markup` object, so the same
content comes out as a plain-text capture (:class:`TextMarkup`, worded like the
real captures) or as HTML in one of :data:`HTML_VARIANTS` tag structures:

0. ``divs``      -- div soup, hashed class names, scores split ``<span>68</span><span>/100</span>``
1. ``semantic``  -- section/article/h2/p/ul, key-value pairs as ``<strong>Key:</strong> value``
2. ``tables``    -- layout tables; key-value pairs and lists as table rows
3. ``dl``        -- definition lists for key-value pairs, ``<data>`` scores, ol/li lists

Class names are meaningless per-page tokens, attribute order and indentation vary
per page; the visible text of a variant never depends on those choices.
"""

from __future__ import annotations

import random
import string

HTML_VARIANTS = ("divs", "semantic", "tables", "dl")


def esc(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def _token_pool(seed: int, n: int) -> tuple[tuple[str, ...], ...]:
    """Pools of meaningless class names in four common generated styles."""
    r = random.Random(seed)
    alnum = string.ascii_lowercase + string.digits
    letters = string.ascii_letters
    emotion = tuple("css-" + "".join(r.choices(alnum, k=6)) for _ in range(n))
    styled = tuple(
        "sc-" + "".join(r.choices(letters, k=6)) + " " + "".join(r.choices(letters, k=6))
        for _ in range(n)
    )
    modules = tuple(
        "_" + "".join(r.choices(alnum, k=5)) + "_" + "".join(r.choices(alnum, k=3))
        for _ in range(n)
    )
    utils = (
        "flex",
        "grid",
        "items-center",
        "gap-2",
        "gap-4",
        "px-4",
        "py-2",
        "mt-6",
        "mb-3",
        "text-sm",
        "text-lg",
        "font-semibold",
        "rounded-xl",
        "shadow",
        "border",
        "md:grid-cols-2",
        "lg:px-8",
        "text-slate-700",
        "bg-white",
        "dark:bg-slate-900",
        "leading-7",
        "tracking-tight",
        "space-y-4",
        "w-full",
    )
    tailwind = tuple(" ".join(r.sample(utils, r.randint(2, 5))) for _ in range(n))
    return (emotion, styled, modules, tailwind)


_ROLE_PRES = 'role="presentation"'
_ROLE_LIST = 'role="list"'
_POOLS = _token_pool(20260401, 2048)
_CLASS_ATTRS = tuple(tuple(f'class="{c}"' for c in pool) for pool in _POOLS)


class Markup:
    """The block vocabulary. This base class renders plain text."""

    is_html = False
    name = "text"

    def __init__(self, rng: random.Random, sep: str = "\n\n") -> None:
        self.rng = rng
        self.sep = sep

    # text ---------------------------------------------------------------
    def t(self, text: str) -> str:
        """Raw text (escaped in HTML)."""
        return text

    def box(self, *parts: str, sep: str | None = None, tag: str = "div") -> str:
        return (self.sep if sep is None else sep).join(p for p in parts if p)

    def h(self, level: int, text: str) -> str:
        return text

    def p(self, text: str) -> str:
        return text

    def inline(self, *parts: str) -> str:
        return "".join(parts)

    def lines(self, *parts: str) -> str:
        return "\n".join(p for p in parts if p)

    def items(self, items: list[str], *, ordered: bool = False, bullet: str = "") -> str:
        return "\n".join(bullet + i for i in items)

    def kv(self, pairs: list[tuple[str, str]], sep: str = " | ") -> str:
        return sep.join(f"{k}: {v}" for k, v in pairs)

    def score(self, num: str, denom: str, *, split_lines: bool = False) -> str:
        return f"{num}\n{denom}" if split_lines else f"{num}{denom}"

    def link(self, text: str, href: str) -> str:
        return text

    def strong(self, text: str) -> str:
        return text


class HtmlMarkup(Markup):
    """HTML in one of the :data:`HTML_VARIANTS` tag structures."""

    is_html = True

    def __init__(self, rng: random.Random, variant: int) -> None:
        super().__init__(rng)
        self.variant = variant % len(HTML_VARIANTS)
        self.name = HTML_VARIANTS[self.variant]
        k = rng.randrange(4)
        self._pool = _POOLS[k]
        self._attrs = _CLASS_ATTRS[k]
        self._bits = rng.getrandbits
        self._cls_first = rng.random() < 0.5
        self.nl = rng.choice(("\n", "\n", "\n  ", "\n    ", "\n\t", "", " "))
        self.t = esc  # type: ignore[method-assign]

    def cn(self) -> str:
        return self._pool[self._bits(11)]

    def open(self, tag: str, extra: str = "", cls: bool = True) -> str:
        """An opening tag with a random class; ``extra`` is pre-rendered attributes."""
        if not cls:
            return f"<{tag} {extra}>" if extra else f"<{tag}>"
        c = self._attrs[self._bits(11)]
        if not extra:
            return f"<{tag} {c}>"
        if self._cls_first:
            return f"<{tag} {c} {extra}>"
        return f"<{tag} {extra} {c}>"

    def box(self, *parts: str, sep: str | None = None, tag: str = "div") -> str:
        inner = self.nl.join(filter(None, parts))
        v = self.variant
        if v == 0:
            return f"{self.open('div')}{self.nl}{inner}{self.nl}</div>"
        if v == 1:
            t = "section" if tag == "div" else tag
            return f"{self.open(t)}{self.nl}{inner}{self.nl}</{t}>"
        if v == 2:
            return (
                self.open("table", _ROLE_PRES)
                + "<tbody><tr><td>"
                + f"{self.nl}{inner}{self.nl}</td></tr></tbody></table>"
            )
        return f"{self.open('div', cls=False)}{self.nl}{inner}{self.nl}</div>"

    def h(self, level: int, text: str) -> str:
        v = self.variant
        if v == 0:
            attrs = f'role="heading" aria-level="{level}"'
            return f"{self.open('div', attrs)}{text}</div>"
        if v == 2:
            return f"<h{level}><b>{text}</b></h{level}>"
        return f"{self.open(f'h{level}')}{text}</h{level}>"

    def p(self, text: str) -> str:
        v = self.variant
        if v == 0:
            return f"{self.open('div')}{text}</div>"
        if v == 3:
            return f"<p>{text}</p>"
        return f"{self.open('p')}{text}</p>"

    def inline(self, *parts: str) -> str:
        tag = "span" if self.variant != 3 else "em"
        if self.variant == 3:
            return "".join(
                f"<span>{p}</span>" if i else f"<{tag}>{p}</{tag}>" for i, p in enumerate(parts)
            )
        return "".join(f"{self.open('span')}{p}</span>" for p in parts)

    def lines(self, *parts: str) -> str:
        parts = tuple(p for p in parts if p)
        v = self.variant
        if v == 0:
            return self.nl.join(f"{self.open('div')}{p}</div>" for p in parts)
        if v == 1:
            return self.nl.join(f"<div>{p}</div>" for p in parts)
        if v == 2:
            return (
                f"{self.open('table')}<tbody>"
                + "".join(f"<tr><td>{p}</td></tr>" for p in parts)
                + "</tbody></table>"
            )
        return self.nl.join(f"{self.open('div')}{p}</div>" for p in parts)

    def items(self, items: list[str], *, ordered: bool = False, bullet: str = "") -> str:
        v = self.variant
        nl = self.nl
        if v == 0:
            body = nl.join(f"{self.open('div')}{i}</div>" for i in items)
            return f"{self.open('div', _ROLE_LIST)}{nl}{body}{nl}</div>"
        if v == 2:
            body = "".join(f"<tr>{self.open('td')}{i}</td></tr>" for i in items)
            return f"{self.open('table')}<tbody>{body}</tbody></table>"
        tag = "ol" if ordered else "ul"
        if v == 1:
            body = nl.join(f"<li>{i}</li>" for i in items)
        else:
            body = nl.join(f"{self.open('li')}{i}</li>" for i in items)
        return f"{self.open(tag)}{nl}{body}{nl}</{tag}>"

    def kv(self, pairs: list[tuple[str, str]], sep: str = " | ") -> str:
        v = self.variant
        if v == 0:
            spans = []
            for n, (k, val) in enumerate(pairs):
                if n:
                    spans.append(f'<span aria-hidden="true">{sep}</span>')
                spans.append(f"{self.open('span')}{k}: </span>{self.open('span')}{val}</span>")
            return f"{self.open('div')}{''.join(spans)}</div>"
        if v == 1:
            body = sep.join(f"<strong>{k}:</strong> {val}" for k, val in pairs)
            return f"{self.open('p')}{body}</p>"
        if v == 2:
            rows = "".join(f"<tr><th>{k}</th><td>{val}</td></tr>" for k, val in pairs)
            return f"{self.open('table')}<tbody>{rows}</tbody></table>"
        body = self.nl.join(f"<dt>{k}</dt><dd>{val}</dd>" for k, val in pairs)
        return f"{self.open('dl')}{self.nl}{body}{self.nl}</dl>"

    def score(self, num: str, denom: str, *, split_lines: bool = False) -> str:
        v = self.variant
        if split_lines:
            if v == 2:
                return f"<table><tr><td>{num}</td></tr><tr><td>{denom}</td></tr></table>"
            return f"{self.open('div')}{num}</div>\n{self.open('div')}{denom}</div>"
        if v == 0:
            return f"{self.open('span')}{num}</span>{self.open('span')}{denom}</span>"
        if v == 1:
            return f"{self.open('strong')}{num}{denom}</strong>"
        if v == 2:
            return f"<b>{num}</b>{denom}"
        return f'<data value="{num}">{num}</data><small>{denom}</small>'

    def link(self, text: str, href: str) -> str:
        if self._cls_first:
            return f'<a href="{href}">{text}</a>'
        return f'<a class="{self.cn()}" href="{href}">{text}</a>'

    def strong(self, text: str) -> str:
        return f"<strong>{text}</strong>" if self.variant != 0 else f"<b>{text}</b>"


def make_markup(fmt: str, rng: random.Random, variant: int, sep: str = "\n\n") -> Markup:
    if fmt == "text":
        return Markup(rng, sep)
    if fmt == "html":
        return HtmlMarkup(rng, variant)
    raise ValueError(f"fmt must be 'html' or 'text', not {fmt!r}")
