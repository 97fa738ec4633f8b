"""Published tables: Parquet, CSV and JSON files plus a manifest, swapped in atomically.

Layout (``exports_dir`` is e.g. ``out/exports``)::

    out/exports -> .exports.versions/000042-<run_id>     (symlink, swapped atomically)
    out/.exports.versions/
        000041-<run_id>/  000042-<run_id>/  ...         (immutable version directories)
        CURRENT                                         (name of the current version)
        .lock                                           (serialises publishers)

A publication writes every file into a private staging directory inside
``.exports.versions``, fsyncs it, renames it to its version name, then points
``exports_dir`` at it by ``os.replace`` of a freshly made symlink (an atomic
rename on POSIX), and finally rewrites ``CURRENT``. A reader therefore sees
either the previous version or the new one, never a mix, and a crash at any
point leaves the previous version published and complete. The current version
and the :data:`KEEP_PREVIOUS_VERSIONS` before it are kept; older ones are
pruned. See docs/exports.md for how readers should read.

Each table is materialised once into a temporary table (so its three formats
hold the same rows) and written with DuckDB ``COPY ... TO`` in bulk; CSV text
cells go through the formula-injection rule of :mod:`exports.csv_safety`.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from exports.csv_safety import neutralised_select, quote_identifier

try:  # POSIX: serialise concurrent publishers; elsewhere publishers must not overlap.
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("parquet", "csv", "json")
MANIFEST_NAME = "manifest.json"
POINTER_NAME = "CURRENT"
KEEP_PREVIOUS_VERSIONS = 2
LOCK_TIMEOUT_S = 60.0

# DuckDB COPY options per format. Stated explicitly so a DuckDB default change
# does not silently change the published bytes.
COPY_OPTIONS: dict[str, str] = {
    "parquet": "FORMAT parquet, COMPRESSION snappy",
    "csv": "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"'",
    "json": "FORMAT json, ARRAY true",
}

_EXPORT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_VERSION_NAME = re.compile(r"^(\d{6,})-[A-Za-z0-9._-]+$")
_RUN_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ExportError(RuntimeError):
    """Publishing or reading the exports failed (one-line message)."""


# --------------------------------------------------------------------------- paths


def versions_dir(exports_dir: Path) -> Path:
    """The directory holding the version directories behind ``exports_dir``."""
    exports_dir = Path(os.path.abspath(exports_dir))
    return exports_dir.parent / f".{exports_dir.name}.versions"


def resolve_exports(exports_dir: Path) -> Path:
    """The version directory ``exports_dir`` currently stands for, resolved once.

    Readers should call this once and read the manifest and every file from
    the returned directory, so a publication that happens meanwhile cannot
    mix two versions. Works through the symlink; where the symlink cannot be
    followed, falls back to the ``CURRENT`` pointer file; a plain directory
    (e.g. a copy made by a sync tool) is returned as it is.
    """
    exports_dir = Path(os.path.abspath(exports_dir))
    if exports_dir.is_symlink():
        target = Path(os.path.realpath(exports_dir))
        if target.is_dir():
            return target
    elif exports_dir.is_dir():
        return exports_dir
    pointer = versions_dir(exports_dir) / POINTER_NAME
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    if name and _VERSION_NAME.match(name) and (pointer.parent / name).is_dir():
        return pointer.parent / name
    raise ExportError(f"no published exports at {exports_dir}")


# --------------------------------------------------------------------------- publish


def publish_exports(
    con: duckdb.DuckDBPyConnection,
    exports_dir: Path,
    *,
    tables: Mapping[str, str],
    run_id: str,
    schema_version: int,
    generated_at: datetime,
    data_version: str | None = None,
) -> dict:
    """Write every table as Parquet, CSV and JSON plus ``manifest.json``; publish atomically.

    ``data_version``, when given, is recorded in the manifest: a stamp of the
    data the tables were made from (see :func:`exports_current`).

    ``tables`` maps an export name (``[a-z][a-z0-9_]*``, the file stem) to one
    constant ``SELECT`` statement; it should ``ORDER BY`` a unique key so the
    files are byte-identical when the data is. The statements run on ``con``
    (inside the caller's transaction, if one is open). Returns the manifest.
    Raises :class:`ExportError` when the files cannot be written or published;
    the previously published version then stays in place, complete.
    """
    exports_dir = Path(os.path.abspath(exports_dir))
    _validate_tables(tables)
    if not isinstance(run_id, str) or not run_id.strip():
        raise ValueError("run_id must be a non-empty string")
    generated = _utc_iso(generated_at)
    root = versions_dir(exports_dir)
    _prepare_root(exports_dir, root)

    with _publisher_lock(root, exports_dir):
        _check_destination(exports_dir)
        _remove_stale(root, exports_dir)
        try:
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
        except OSError as exc:
            raise _error(exports_dir, exc) from exc
        version: Path | None = None
        try:
            files = _write_tables(con, staging, tables)
            manifest = {
                "schema_version": int(schema_version),
                "generated_at": generated,
                "run_id": run_id,
                **({"data_version": data_version} if data_version is not None else {}),
                "files": files,
            }
            _write_durably(staging / MANIFEST_NAME, _manifest_bytes(manifest))
            _fsync_dir(staging)
            version = root / _next_version_name(root, run_id)
            os.rename(staging, version)
            _fsync_dir(root)
            _switch_symlink(exports_dir, version)
        except BaseException as exc:
            # Not published: the previous version is untouched; drop what we wrote.
            shutil.rmtree(staging, ignore_errors=True)
            if version is not None and _current_target(exports_dir) != version.resolve():
                shutil.rmtree(version, ignore_errors=True)
            if isinstance(exc, OSError | duckdb.Error):
                raise _error(exports_dir, exc) from exc
            raise
        try:
            _write_durably(root / POINTER_NAME, (version.name + "\n").encode())
        except OSError as exc:
            raise ExportError(
                f"exports published at {exports_dir} but the {POINTER_NAME} pointer "
                f"could not be updated: {_reason(exc)}"
            ) from exc
        _prune(root, exports_dir)
    log.info("published %d export files to %s (%s)", len(files), exports_dir, version.name)
    return manifest


def _validate_tables(tables: Mapping[str, str]) -> None:
    if not tables:
        raise ValueError("tables must name at least one export")
    for name, query in tables.items():
        if not isinstance(name, str) or not _EXPORT_NAME.match(name):
            raise ValueError(f"export name {name!r} must match {_EXPORT_NAME.pattern}")
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"export {name!r} needs a SELECT statement")


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc.__class__.__name__}{where}"
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _error(exports_dir: Path, exc: BaseException) -> ExportError:
    return ExportError(f"cannot publish exports to {exports_dir}: {_reason(exc)}")


def _prepare_root(exports_dir: Path, root: Path) -> None:
    """Make sure the parent is a writable directory before anything is written."""
    parent = exports_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"cannot publish exports to {exports_dir}: cannot create its parent "
            f"directory ({_reason(exc)})"
        ) from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{exports_dir.name}.probe-", dir=parent)
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(probe)
        root.mkdir(exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"cannot publish exports to {exports_dir}: parent directory {parent} "
            f"is not writable ({_reason(exc)})"
        ) from exc


@contextlib.contextmanager
def _publisher_lock(root: Path, exports_dir: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover - non-POSIX
        yield
        return
    try:
        fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _error(exports_dir, exc) from exc
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ExportError(
                        f"cannot publish exports to {exports_dir}: another publication "
                        f"still holds {root / '.lock'} after {LOCK_TIMEOUT_S:g}s"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # also releases the lock


def _check_destination(exports_dir: Path) -> None:
    if exports_dir.is_symlink() or not exports_dir.exists() or exports_dir.is_dir():
        return
    raise ExportError(
        f"cannot publish exports to {exports_dir}: it exists and is not a directory or symlink"
    )


def _remove_stale(root: Path, exports_dir: Path) -> None:
    """Leftovers of a publication that crashed (we hold the lock, so none is running)."""
    for entry in root.glob(".staging-*"):
        shutil.rmtree(entry, ignore_errors=True)
    for pattern in (f".{exports_dir.name}.link-*", f".{exports_dir.name}.probe-*"):
        for entry in exports_dir.parent.glob(pattern):
            with contextlib.suppress(OSError):
                entry.unlink()
    with contextlib.suppress(OSError):
        (root / f".{POINTER_NAME}.tmp").unlink()


def _next_version_name(root: Path, run_id: str) -> str:
    seqs = [int(m.group(1)) for p in root.iterdir() if (m := _VERSION_NAME.match(p.name))]
    safe = _RUN_ID_UNSAFE.sub("_", run_id)[:64].strip("._") or "run"
    return f"{max(seqs, default=0) + 1:06d}-{safe}"


def _current_target(exports_dir: Path) -> Path | None:
    if not exports_dir.is_symlink():
        return None
    return Path(os.path.realpath(exports_dir))


def _switch_symlink(exports_dir: Path, version: Path) -> None:
    """Point ``exports_dir`` at ``version`` with one atomic rename."""
    parent = exports_dir.parent
    link = parent / f".{exports_dir.name}.link-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(version, parent), link, target_is_directory=True)
    moved_aside: Path | None = None
    try:
        if exports_dir.is_dir() and not exports_dir.is_symlink():
            # First publication over a directory made by hand: keep it, out of the way.
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            moved_aside = version.parent / f"preexisting-{stamp}-{uuid.uuid4().hex[:8]}"
            os.rename(exports_dir, moved_aside)
            log.warning("moved the existing directory %s aside to %s", exports_dir, moved_aside)
        os.replace(link, exports_dir)
    except BaseException:
        with contextlib.suppress(OSError):
            link.unlink()
        if moved_aside is not None and not exports_dir.exists():
            with contextlib.suppress(OSError):
                os.rename(moved_aside, exports_dir)
        raise
    _fsync_dir(parent)


def _prune(root: Path, exports_dir: Path) -> None:
    """Keep the current version and the KEEP_PREVIOUS_VERSIONS before it."""
    try:
        versions = sorted(
            (int(m.group(1)), p)
            for p in root.iterdir()
            if (m := _VERSION_NAME.match(p.name)) and p.is_dir()
        )
        protected = {_current_target(exports_dir)}
        with contextlib.suppress(OSError):
            protected.add(root / (root / POINTER_NAME).read_text(encoding="utf-8").strip())
        for _, path in versions[: -(KEEP_PREVIOUS_VERSIONS + 1)]:
            if path not in protected and path.resolve() not in protected:
                shutil.rmtree(path)
    except OSError as exc:  # publication already succeeded; pruning is housekeeping
        log.warning("could not prune old export versions in %s: %s", root, _reason(exc))


# --------------------------------------------------------------------------- writing


@contextlib.contextmanager
def _export_session(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Session settings that make the output deterministic, restored afterwards.

    ``TimeZone=UTC`` so TIMESTAMPTZ values render the same on every machine;
    ``preserve_insertion_order`` so the ORDER BY of each query is kept.
    """
    wanted = {"TimeZone": "UTC", "preserve_insertion_order": "true"}
    previous = {
        name: (value, scope)
        for name, value, scope in con.execute(
            "SELECT name, value, scope FROM duckdb_settings() WHERE name IN (?, ?)",
            list(wanted),
        ).fetchall()
    }
    for name, value in wanted.items():
        if name in previous:  # TimeZone needs ICU, which every official build bundles
            con.execute(f"SET SESSION {name} = '{value}'")
    try:
        yield
    finally:
        for name in previous:
            value, scope = previous[name]
            with contextlib.suppress(duckdb.Error):
                if scope == "LOCAL" and value is not None:
                    escaped = str(value).replace("'", "''")
                    con.execute(f"SET SESSION {name} = '{escaped}'")
                else:
                    con.execute(f"RESET SESSION {name}")


def _single_select(con: duckdb.DuckDBPyConnection, name: str, query: str) -> str:
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise ExportError(f"export {name!r}: invalid SQL: {_reason(exc)}") from exc
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ExportError(f"export {name!r} must be exactly one SELECT statement")
    return query.strip().rstrip(";").strip()


def _copy_to(con: duckdb.DuckDBPyConnection, select_sql: str, path: Path, options: str) -> int:
    """One bulk ``COPY (select) TO path``; returns the number of rows written."""
    target = "'" + str(path).replace("'", "''") + "'"
    row = con.execute(f"COPY ({select_sql}) TO {target} ({options})").fetchone()
    return int(row[0]) if row else 0


def _write_tables(
    con: duckdb.DuckDBPyConnection, staging: Path, tables: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    with _export_session(con):
        for name, query in tables.items():
            select = _single_select(con, name, query)
            temp = quote_identifier(f"__riskpipe_export_{uuid.uuid4().hex}")
            con.execute(f"CREATE TEMP TABLE {temp} AS {select}")
            try:
                relation = con.sql(f"SELECT * FROM {temp}")
                columns = [
                    {"name": n, "type": str(t)}
                    for n, t in zip(relation.columns, relation.types, strict=True)
                ]
                type_ids = [
                    (n, t.id) for n, t in zip(relation.columns, relation.types, strict=True)
                ]
                rows = con.execute(f"SELECT count(*) FROM {temp}").fetchone()[0]
                for fmt in EXPORT_FORMATS:
                    path = staging / f"{name}.{fmt}"
                    if fmt == "csv":
                        select_sql = neutralised_select(type_ids, temp)
                    else:
                        select_sql = f"SELECT * FROM {temp}"
                    written = _copy_to(con, select_sql, path, COPY_OPTIONS[fmt])
                    if written != rows:
                        raise ExportError(f"export {path.name}: wrote {written} of {rows} rows")
                    digest, size = _sha256_and_fsync(path)
                    files[path.name] = {
                        "table": name,
                        "format": fmt,
                        "rows": int(rows),
                        "columns": columns,
                        "sha256": digest,
                        "bytes": size,
                    }
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"DROP TABLE IF EXISTS {temp}")
    return files


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _sha256_and_fsync(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb+") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(fh.fileno())
    return digest.hexdigest(), size


def _write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - some filesystems refuse directory fsync
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- reading


def read_manifest(exports_dir: Path) -> dict:
    """The manifest of the currently published version."""
    return _load_manifest(resolve_exports(exports_dir))


def exports_current(exports_dir: Path, data_version: str) -> dict | None:
    """The published manifest if it was made from ``data_version`` and every file it
    lists is there with its recorded size; else None (publish again).

    Lets an unchanged warehouse skip the export; a deleted or truncated file
    still forces a new version. (:func:`verify_exports` checks checksums too.)
    """
    try:
        version_dir = resolve_exports(Path(os.path.abspath(exports_dir)))
        manifest = _load_manifest(version_dir)
    except ExportError:
        return None
    if manifest.get("data_version") != data_version:
        return None
    for name, entry in manifest["files"].items():
        try:
            if Path(name).name != name or (version_dir / name).stat().st_size != entry.get("bytes"):
                return None
        except OSError:
            return None
    return manifest


def _load_manifest(version_dir: Path) -> dict:
    path = version_dir / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{path} is missing") from None
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot read {path}: {_reason(exc)}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ExportError(f"{path} is not an exports manifest")
    return manifest


def verify_exports(exports_dir: Path) -> list[str]:
    """Problems with the published version (empty when it is complete and intact).

    Checks every file of the manifest: present, size and sha256 as recorded,
    row count and column names as recorded; and that no unlisted file is there.
    """
    try:
        version_dir = resolve_exports(exports_dir)
        manifest = _load_manifest(version_dir)
    except ExportError as exc:
        return [str(exc)]
    problems: list[str] = []
    for name, entry in manifest["files"].items():
        path = version_dir / name
        if Path(name).name != name or not path.is_file():
            problems.append(f"{name}: missing file")
            continue
        try:
            digest, size = _sha256(path)
            if size != entry.get("bytes"):
                problems.append(f"{name}: size {size} bytes, manifest says {entry.get('bytes')}")
            if digest != entry.get("sha256"):
                problems.append(f"{name}: checksum mismatch")
            rows, columns = _count_rows(path, entry.get("format"))
        except (OSError, ValueError, csv.Error) as exc:
            problems.append(f"{name}: unreadable ({_reason(exc)})")
            continue
        if rows != entry.get("rows"):
            problems.append(
                f"{name}: row count mismatch: {rows} rows, manifest says {entry.get('rows')}"
            )
        expected = [c.get("name") for c in entry.get("columns", [])]
        if columns is not None and columns != expected:
            problems.append(f"{name}: columns {columns} differ from the manifest's {expected}")
    listed = set(manifest["files"]) | {MANIFEST_NAME}
    for path in sorted(version_dir.iterdir()):
        if path.name not in listed:
            problems.append(f"{path.name}: unexpected file not in the manifest")
    return problems


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _count_rows(path: Path, fmt: str | None) -> tuple[int, list[str] | None]:
    """Row count and column names of one export file, read independently of DuckDB."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path)
        return meta.metadata.num_rows, list(meta.schema_arrow.names)
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            return sum(1 for _ in reader), header
    if fmt == "json":
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, list):
            raise ValueError("not a JSON array")
        columns = list(data[0]) if data and isinstance(data[0], dict) else None
        return len(data), columns
    raise ValueError(f"unknown format {fmt!r}")
