"""The throughput floor: BeautifulSoup(html, "lxml").get_text(), single process.

What a naive single-process scraper pipeline spends per page just to get the
text out (read the file, decode it as UTF-8, build the BeautifulSoup tree with
the lxml parser, ``get_text()``), with no extraction, no validation and no
loading. riskpipe's target is to be at least 1.5x faster than this end to end.

Decoding before BeautifulSoup keeps the floor honest: given bytes, BeautifulSoup
would run its own charset detection, which is slower than the parse itself and
would flatter the comparison.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Floor:
    pages: int
    bytes: int
    seconds: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else float("nan")

    def to_json(self) -> dict[str, float | int]:
        return {
            "pages": self.pages,
            "bytes": self.bytes,
            "seconds": self.seconds,
            "pages_per_s": self.pages_per_s,
        }


def sample(paths: Sequence[str], limit: int) -> list[str]:
    """Every k-th path so that at most ``limit`` remain (all when ``limit`` <= 0)."""
    if limit <= 0 or len(paths) <= limit:
        return list(paths)
    step = len(paths) / limit
    return [paths[int(i * step)] for i in range(limit)]


def measure(root: Path, relpaths: Sequence[str]) -> Floor:
    """Time BeautifulSoup + get_text over the files, in this process."""
    from bs4 import BeautifulSoup

    total = 0
    start = time.perf_counter()
    for rel in relpaths:
        data = (root / rel).read_bytes()
        total += len(data)
        BeautifulSoup(data.decode("utf-8", "replace"), "lxml").get_text()
    return Floor(len(relpaths), total, time.perf_counter() - start)
