"""HTML -> visible text: blocks, inline runs, hidden content, normalisation."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sources import html_text
from sources.html_text import HtmlError, html_to_text, looks_like_html
from sources.normalise import normalise_text, text_sha256


def test_inline_elements_do_not_break_and_blocks_do():
    page = (
        "<html><body><div><span>68</span><span>/100</span></div>"
        "<div>Average <b>resilience</b> score</div><ul><li>one</li><li>two</li></ul>"
        "<p>para</p><p>graph</p>a<br>b</body></html>"
    )
    assert (
        html_to_text(page) == "68/100\nAverage resilience score\none\ntwo\n\npara\n\ngraph\n\na\nb"
    )


def test_invisible_content_is_dropped():
    page = """<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style>
    <script>var state = {"score": "91/100"};</script></head><body>
    <!-- Score: 12/100 -->
    <nav><a href="/">Home</a></nav>
    <div hidden>hidden attr 1/100</div>
    <div style="display: none;">inline none 2/100</div>
    <div style="visibility:hidden">invisible 3/100</div>
    <span aria-hidden="true">▼</span>
    <div role="dialog" id="cookie-banner">We use cookies</div>
    <template><p>template 4/100</p></template><noscript>Enable JS</noscript>
    <svg><text>svg text</text></svg>
    <header><h1>Visible title</h1></header><main><p>Visible body</p></main>
    <footer>Last updated: April 2026</footer></body></html>"""
    assert html_to_text(page) == "T\nVisible title\n\nVisible body\n\nLast updated: April 2026"


def test_title_is_the_first_line_and_head_is_otherwise_dropped():
    page = "<html><head><title>Will AI replace\n  Nurses?</title><meta name=x></head><body>x</body>"
    assert html_to_text(page) == "Will AI replace Nurses?\nx"


def test_markup_whitespace_collapses_like_a_browser():
    page = "<p>  Several\n   words   <em> split </em>\tover\nlines  </p>"
    assert html_to_text(page) == "Several words split over lines"


def test_same_visible_text_gives_same_hash_whatever_the_markup():
    a = (
        '<html><body><div class="a" id="x"><p>Risk Level: 4/10</p><p>Industry: Legal</p>'
        "</div></body></html>"
    )
    b = (
        '<html>\r\n<body>\r\n  <div id="x"   class="a">\r\n\t<p>Risk Level:\r\n 4/10</p>\r\n'
        "    <p>Industry:&nbsp;Legal</p>\r\n  </div>\r\n</body>\r\n</html>\r\n"
    )
    assert text_sha256(html_to_text(a)) == text_sha256(html_to_text(b))


def test_normalise_text_rules():
    raw = "Caf\u0065\u0301\r\nA\u00a0B\u2009C\u200b  \r\rD\t E\n\n\n\n\nF  \n"
    assert normalise_text(raw) == "Café\nA B C\n\nD  E\n\nF"
    assert normalise_text("x\ud800y") == "x\ufffdy"
    assert normalise_text("") == ""


def test_twenty_thousand_nested_divs_raise_no_recursion_error():
    page = "<html><body>" + "<div>" * 20_000 + "deep" + "</div>" * 20_000 + "</body></html>"
    with pytest.raises(HtmlError):
        html_to_text(page)


def test_moderate_nesting_is_parsed():
    page = "<html><body>" + "<div>" * 500 + "deep 7/10" + "</div>" * 500 + "</body></html>"
    assert html_to_text(page) == "deep 7/10"


def test_beautifulsoup_fallback_renders_the_same_text(monkeypatch, seed_bytes, as_html):
    page = as_html(seed_bytes("career_guide").decode(), "Guide")
    page = page.replace("<p>78</p><p>/ 100</p>", "<div><span>78</span> <span>/ 100</span></div>")
    expected = html_to_text(page)

    def refuse(*args, **kwargs):
        raise ValueError("lxml refused the markup")

    monkeypatch.setattr(html_text.etree, "fromstring", refuse)
    assert html_to_text(page) == expected
    assert BeautifulSoup("<p>x</p>", "lxml").p.text == "x"


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("<!DOCTYPE html><p>x</p>", "a.txt", True),
        ("<html><body>x</body></html>", "", True),
        ("plain <b>bold</b> words", "a.html", True),
        ("plain <b>bold</b> words", "a.txt", False),
        ("a < b and c > d", "a.html", False),
        ("Risk Level: 4/10 | Industry: Technology", "a.html", False),
    ],
)
def test_content_sniffing(text, name, expected):
    assert looks_like_html(text, name) is expected
