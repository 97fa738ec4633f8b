"""Scanning a landing folder: which files are documents, which are not yet.

Scrapers write per-site and per-day subfolders, so the scan is recursive. It
reads no file contents: it only lists paths with their size and modification
time, so an unchanged folder can be recognised without reading a byte.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# Files still being written by a scraper; picked up once renamed to their final name.
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download", ".swp")
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True, slots=True)
class LandingFile:
    """A candidate document: path relative to the landing root (POSIX separators)."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class LandingProblem:
    """A landing entry that cannot become a document (goes to quarantine)."""

    path: str
    reason_code: str
    detail: str


@dataclass(slots=True)
class LandingScan:
    files: list[LandingFile] = field(default_factory=list)
    problems: list[LandingProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # partial downloads, dotfiles, sidecars

    @property
    def files_seen(self) -> int:
        """Entries that must end loaded, duplicate or quarantined."""
        return len(self.files) + len(self.problems)


def is_partial(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES)


def sidecar_for(path: Path) -> Path:
    """``page.html`` -> ``page.meta.json``."""
    return (
        path.with_name(path.stem + SIDECAR_SUFFIX)
        if path.suffix
        else path.with_name(path.name + SIDECAR_SUFFIX)
    )


def _inside(root: Path, target: Path) -> bool:
    try:
        target.relative_to(root)
    except ValueError:
        return False
    return True


class LandingError(RuntimeError):
    """The landing folder itself cannot be read (an infrastructure failure, not bad input)."""


def scan_landing(root: Path) -> LandingScan:
    """List every entry below ``root`` (iteratively, without following directory links)."""
    root = root.resolve()
    if not root.is_dir():
        raise LandingError(f"landing folder {root} does not exist or is not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise LandingError(f"landing folder {root} is not readable")
    scan = LandingScan()
    root_str = str(root)
    prefix = len(root_str) + 1
    stack = [root_str]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)  # the lists are sorted once, at the end
        except OSError as exc:
            rel = folder[prefix:] or "."
            scan.problems.append(LandingProblem(rel, "unreadable", f"cannot list: {exc}"))
            continue
        for entry in entries:
            rel = entry.path[prefix:]  # scandir joins with "/", relative to the root
            name = entry.name
            if is_partial(name):
                scan.ignored.append(rel)
                continue
            try:
                # d_type answers these without a system call per entry
                if entry.is_symlink():
                    target = Path(os.path.realpath(entry.path))
                    if not _inside(root, target):
                        scan.problems.append(
                            LandingProblem(
                                rel,
                                "symlink_outside",
                                "symbolic link pointing outside the landing folder; not read",
                            )
                        )
                        continue
                    if target.is_dir():
                        scan.ignored.append(rel)  # its files are scanned at their real path
                        continue
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                if name.endswith(SIDECAR_SUFFIX):
                    scan.ignored.append(rel)  # read with its document, never on its own
                    continue
                st = entry.stat()
            except FileNotFoundError:
                scan.problems.append(
                    LandingProblem(rel, "vanished", "file disappeared while the folder was scanned")
                )
                continue
            except OSError as exc:
                scan.problems.append(LandingProblem(rel, "unreadable", f"cannot stat: {exc}"))
                continue
            if stat.S_ISREG(st.st_mode):
                scan.files.append(LandingFile(rel, st.st_size, st.st_mtime_ns))
            else:
                scan.problems.append(
                    LandingProblem(rel, "not_a_file", "not a regular file (device, pipe or socket)")
                )
    scan.files.sort(key=lambda f: f.path)
    scan.problems.sort(key=lambda p: p.path)
    scan.ignored.sort()
    return scan


@dataclass(frozen=True, slots=True)
class Sidecar:
    url: str | None
    fetched_at: datetime | None
    note: str | None = None  # why the sidecar was not (fully) used


def read_sidecar(document: Path) -> Sidecar:
    """Read ``NAME.meta.json`` beside a document; missing or invalid means no metadata."""
    path = sidecar_for(document)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Sidecar(None, None)
    except OSError as exc:
        return Sidecar(None, None, f"sidecar unreadable: {exc}")
    try:
        meta = json.loads(raw)
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return Sidecar(None, None, f"sidecar is not valid JSON: {exc}")
    url = meta.get("url") if isinstance(meta.get("url"), str) else None
    fetched_at = None
    note = None
    value = meta.get("fetched_at")
    if isinstance(value, str):
        try:
            fetched_at = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if fetched_at.tzinfo is None:
                fetched_at = fetched_at.replace(tzinfo=UTC)
            fetched_at = fetched_at.astimezone(UTC)
        except ValueError:
            note = f"sidecar fetched_at is not ISO 8601: {value[:40]!r}"
    return Sidecar(url, fetched_at, note)
