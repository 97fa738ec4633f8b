"""Dagster resources: where riskpipe reads and writes, configured from ``RISKPIPE_*``."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipelines.settings import DEFAULTS, resolve_path, worker_count
from warehouse.connection import WarehouseLockedError, connect
from warehouse.schema import migrate


def env_or_default(name: str) -> str | dg.EnvVar:
    """An ``EnvVar`` when the variable is set (shown as such in the UI), else the default."""
    return dg.EnvVar(name) if os.environ.get(name, "").strip() else DEFAULTS[name]


def env_int_or_default(name: str) -> int | dg.EnvVar:
    return dg.EnvVar.int(name) if os.environ.get(name, "").strip() else int(DEFAULTS[name])


class LandingResource(dg.ConfigurableResource):
    """The landing folder scrapers write into, and how to read it."""

    path: str
    max_file_bytes: int = int(DEFAULTS["RISKPIPE_MAX_FILE_BYTES"])
    workers: int = 0
    batch_size: int = int(DEFAULTS["RISKPIPE_BATCH_SIZE"])

    @property
    def root(self) -> Path:
        return resolve_path(self.path)

    @property
    def worker_count(self) -> int:
        return worker_count(self.workers)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file.

    Holds a run lock (``<warehouse>.runlock``) for the whole run so two runs never
    interleave: the second waits ``lock_timeout_s`` and then fails with a clear
    message. Every connection is closed on every path, errors included, so the
    file is never left locked by a lingering traceback.
    """

    path: str
    lock_timeout_s: float = float(DEFAULTS["RISKPIPE_LOCK_TIMEOUT"])
    _lock_file: IO[str] | None = PrivateAttr(default=None)

    @property
    def file(self) -> Path:
        return resolve_path(self.path)

    def staging_root(self) -> Path:
        return self.file.with_name(self.file.name + ".staging")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock_file = acquire_run_lock(self.file, self.lock_timeout_s)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing the descriptor releases the lock
            self._lock_file = None

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.file, read_only=read_only, lock_timeout_s=self.lock_timeout_s) as con:
            yield con

    @contextmanager
    def migrated(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A writable connection on an up-to-date schema."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                migrate(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            yield con


class ExportsResource(dg.ConfigurableResource):
    """Where published tables and the HTML report go."""

    path: str
    report_path: str = DEFAULTS["RISKPIPE_REPORT"]

    @property
    def folder(self) -> Path:
        return resolve_path(self.path)

    @property
    def report_folder(self) -> Path:
        return resolve_path(self.report_path)


def acquire_run_lock(warehouse: Path, timeout_s: float) -> IO[str]:
    """Take the exclusive run lock beside the warehouse, waiting up to ``timeout_s``."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".runlock")
    handle = lock_path.open("a+")
    deadline = time.monotonic() + max(timeout_s, 0.0)
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                handle.close()
                raise WarehouseLockedError(
                    f"another riskpipe run (pid {holder}) is using {warehouse}; "
                    f"gave up after waiting {timeout_s:g}s"
                ) from None
            time.sleep(0.2)


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources from ``RISKPIPE_*`` variables (as ``EnvVar``) or the documented defaults."""
    return {
        "landing": LandingResource(
            path=env_or_default("RISKPIPE_LANDING"),
            max_file_bytes=env_int_or_default("RISKPIPE_MAX_FILE_BYTES"),
            workers=env_int_or_default("RISKPIPE_WORKERS"),
            batch_size=env_int_or_default("RISKPIPE_BATCH_SIZE"),
        ),
        "warehouse": WarehouseResource(
            path=env_or_default("RISKPIPE_WAREHOUSE"),
            lock_timeout_s=float(os.environ.get("RISKPIPE_LOCK_TIMEOUT", "").strip() or 30),
        ),
        "exports": ExportsResource(
            path=env_or_default("RISKPIPE_EXPORTS"),
            report_path=env_or_default("RISKPIPE_REPORT"),
        ),
    }
