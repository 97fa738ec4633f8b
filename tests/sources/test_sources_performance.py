"""A guard against pathological slowness (catastrophic regex backtracking, O(n²) scans).

The bound is ten times the measured cost of a 45 KB page (~4 ms of CPU), so it
only trips on a real regression, not on a busy machine.
"""

from __future__ import annotations

import html
import time

import pytest

from sources.parse import parse_document

LIMIT_SECONDS = 0.05


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


def _cpu_per_call(fn, n: int = 20) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - t) / n)
    return best


def test_a_45kb_page_parses_quickly(seed_bytes):
    data = _page_45kb(seed_bytes("resilience_profile").decode())
    assert 45_000 <= len(data) < 50_000
    doc = parse_document(data, name="page.html")
    assert doc.extraction is not None and doc.extraction.score.value == 68
    assert _cpu_per_call(lambda: parse_document(data, name="page.html")) < LIMIT_SECONDS


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
def test_adversarial_inputs_stay_linear(data):
    assert _cpu_per_call(lambda: parse_document(data, name="x.html"), n=1) < 20 * LIMIT_SECONDS
