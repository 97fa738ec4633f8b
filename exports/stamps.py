"""Stamps of what an output folder was built from, so an unchanged input skips the rebuild."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
from pathlib import Path

STAMP_NAME = ".data_version"


def code_digest(*modules: str) -> str:
    """SHA-256 (hex, 16 chars) of the source files of ``modules``: new code, new stamp.

    The files are found without importing the modules (the report's pull in matplotlib).
    """
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(name)
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


def read_stamp(folder: Path) -> str | None:
    """The stamp recorded in ``folder``, or None."""
    try:
        return (Path(folder) / STAMP_NAME).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def write_stamp(folder: Path, stamp: str) -> None:
    """Record ``stamp`` in ``folder`` (atomically, after the output is complete)."""
    path = Path(folder) / STAMP_NAME
    tmp = path.with_name(f"{STAMP_NAME}.{os.getpid()}.tmp")
    try:
        tmp.write_text(stamp + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def clear_stamp(folder: Path) -> None:
    """Forget the stamp (before a rebuild, so a crash mid-build never looks current)."""
    with contextlib.suppress(OSError):
        (Path(folder) / STAMP_NAME).unlink()
