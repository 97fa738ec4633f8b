"""Hostile and chrome-heavy pages: the parser reads the page's own score and always ends.

Speed is measured by the benchmark (docs/performance.md), not here. These inputs once
sent a regex into catastrophic backtracking, so each parse runs under a generous alarm
that turns a hang into a failure instead of a stuck test run.
"""

from __future__ import annotations

import html
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sources.parse import parse_document

HANG_SECONDS = 60  # a parse takes milliseconds; this only catches a hang


@contextmanager
def _no_hang() -> Iterator[None]:
    def expire(signum, frame):
        raise TimeoutError(f"parse did not finish within {HANG_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _page_45kb(text: str) -> bytes:
    cards = "".join(
        f'<div class="card c{i % 7}" data-i="{i}"><div class="inner"><p>{html.escape(line)}</p>'
        f"</div></div>\n"
        for i, line in enumerate(text.splitlines())
        if line.strip()
    )
    nav = "".join(f'<li><a href="/roles/{i}">Role {i} 55/100</a></li>' for i in range(60))
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>AI risk profile</title>'
        f"<style>{'.c{margin:0}' * 300}</style>"
        f'<script>window.__STATE__={{"related":[{{"score":"41/100"}}]}};</script></head>'
        f"<body><nav><ul>{nav}</ul></nav><main>{cards}</main></body></html>"
    )
    filler = "<section><div><span>Filler about careers.</span> <span>More</span></div></section>"
    while len(page) < 45_000:
        page = page.replace("</main>", filler + "</main>", 1)
    return page.encode()


def test_a_45kb_page_with_chrome_gives_its_own_score(seed_bytes):
    data = _page_45kb(seed_bytes("resilience_profile").decode())
    assert 45_000 <= len(data) < 50_000
    with _no_hang():
        doc = parse_document(data, name="page.html")
    assert doc.extraction is not None and doc.extraction.score.value == 68


@pytest.mark.parametrize(
    "data",
    [
        b"62% risk score " * 20_000,
        b"1/" * 100_000,
        b"<a " * 30_000,
        b"Is being a " * 5_000,
        b"$1,000-$" * 20_000,
    ],
    ids=["percents", "slashes", "unclosed-tags", "repeated-heading", "money"],
)
def test_adversarial_inputs_end_in_a_record_or_a_reason(data):
    with _no_hang():
        doc = parse_document(data, name="x.html")
    assert (doc.extraction is None) != (doc.rejection is None)
