"""Parse many landing files into staged Parquet batches, on every core.

Pages are read, hashed and parsed in worker processes, a bounded number of
chunks in flight, so memory does not grow with the size of the landing folder.
The main process decides each file's status (loaded, duplicate, quarantined) in
path order, so the outcome is deterministic, and writes one Parquet file per
table per batch into the run's staging folder. The warehouse loads those
batches in bulk in one transaction.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sources.landing import LandingFile, LandingProblem
from sources.parse import PARSER_VERSION
from sources.worker import FileResult, exit_with_parent, process_chunk, process_file
from transforms.frames import DETAIL_KINDS, assessment_frame, detail_frames
from transforms.staged import schemas_by_table, validate_batch

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
# Transient landing problems: the file is examined again on the next run.
TRANSIENT_REASONS = frozenset({"vanished", "unreadable"})

FILE_COLUMNS = {
    "path": "string",
    "document_id": "string",
    "size_bytes": "Int64",
    "mtime_ns": "Int64",
    "status": "string",
    "duplicate_of": "string",
    "reason_code": "string",
    "detail": "string",
}
DOCUMENT_COLUMNS = {
    "document_id": "string",
    "path": "string",
    "size_bytes": "Int64",
    "text_sha256": "string",
    "source": "string",
    "url": "string",
    "fetched_at": "datetime64[ns, UTC]",
    "status": "string",
    "duplicate_of": "string",
    "reason_code": "string",
    "detail": "string",
    "parser_version": "string",
    "reparse": "boolean",
}


@dataclass(frozen=True, slots=True)
class KnownDocument:
    status: str
    reason_code: str | None
    detail: str | None
    parser_version: str | None
    path: str | None
    duplicate_of: str | None = None  # the loaded document a duplicate stands for


@dataclass(frozen=True, slots=True)
class KnownFile:
    size: int | None
    mtime_ns: int | None
    document_id: str | None
    status: str
    reason_code: str | None


@dataclass(slots=True)
class KnownState:
    """What the warehouse already holds, as needed to plan and deduplicate a run."""

    files: dict[str, KnownFile] = field(default_factory=dict)  # current content per path
    documents: dict[str, KnownDocument] = field(default_factory=dict)
    loaded_texts: dict[str, str] = field(default_factory=dict)  # text_sha256 -> document_id
    # (source, occupation_slug) -> (fetched_at, text_sha256) of the latest loaded capture
    latest_pages: dict[tuple[str, str], tuple[Any, str | None]] = field(default_factory=dict)


@dataclass(slots=True)
class RunPlan:
    to_process: list[LandingFile]
    unchanged: int
    vanished_paths: list[str]  # current in the warehouse, gone from the landing folder


@dataclass(slots=True)
class Inventory:
    """A landing scan with its plan: what this run will read."""

    landing: str
    plan: RunPlan
    problems: list[LandingProblem]
    ignored: list[str]
    files_seen: int


def _is_stale(doc: KnownDocument | None, parser_version: str) -> bool:
    """A document parsed by another parser version is parsed again."""
    return doc is not None and doc.parser_version not in (None, parser_version)


# --------------------------------------------------------------------------- workers


def _chunks(items: list[LandingFile], size: int) -> Iterator[list[LandingFile]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


CHUNK_SIZE = 32
"""Files per task sent to a parse worker."""
WORKER_MODULE = "sources.worker"
"""Imported once by the fork server, so each parse worker starts with it loaded."""


def uses_worker_processes(n_files: int, workers: int, chunk_size: int = CHUNK_SIZE) -> bool:
    """Whether parsing ``n_files`` is worth worker processes (else it runs in this one)."""
    return workers > 1 and n_files >= 2 * chunk_size


def _worker_context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([WORKER_MODULE])
    return context


def start_worker_server(n_files: int, workers: int) -> bool:
    """Start the fork server the parse workers come from, if parsing will use them.

    Called as soon as the run knows how many files it will read: the server
    imports the parser (~0.3 s) in the background while the run moves on to
    the parse step, which then forks its workers at once. Returns whether it
    was started (or was already running).
    """
    if not uses_worker_processes(n_files, workers):
        return False
    _worker_context()
    multiprocessing.forkserver.ensure_running()
    return True


def iter_results(
    root: Path,
    files: list[LandingFile],
    *,
    workers: int,
    max_bytes: int,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[FileResult]:
    """Results in the order of ``files``; parallel when it pays, bounded in-flight chunks."""
    root = root.resolve()
    if not uses_worker_processes(len(files), workers, chunk_size):
        for f in files:
            yield process_file(root, f, max_bytes)
        return
    context = _worker_context()
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        pending: deque[Future[list[FileResult]]] = deque()
        chunks = _chunks(files, chunk_size)
        for chunk in chunks:
            pending.append(pool.submit(process_chunk, str(root), chunk, max_bytes))
            if len(pending) >= workers * 3:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


# --------------------------------------------------------------------------- staging


@dataclass(slots=True)
class StagedRun:
    """A run's staged batches and its accounting."""

    run_id: str
    staging_dir: Path
    files_seen: int = 0
    unchanged: int = 0
    processed: int = 0
    ignored: int = 0
    status_counts: Counter[str] = field(default_factory=Counter)
    reason_counts: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    vanished_paths: list[str] = field(default_factory=list)
    validated: dict[str, int] = field(default_factory=dict)
    """Record batch file -> rows, for each batch validated with its pandera model before
    it was written (so the blocking check need not read and validate it again)."""
    record_failures: list[pd.DataFrame] = field(default_factory=list)
    """Failures found then that name no document (see ``transforms.staged.validate_batch``)."""

    def tables(self) -> dict[str, list[Path]]:
        """Staged Parquet files per table name."""
        out: dict[str, list[Path]] = {}
        for folder in sorted(p for p in self.staging_dir.iterdir() if p.is_dir()):
            parts = sorted(folder.glob("part-*.parquet"))
            if parts:
                out[folder.name] = parts
        return out


class _Stager:
    """Decides statuses in path order and writes batches of rows to Parquet."""

    def __init__(self, staged: StagedRun, known: KnownState, batch_size: int) -> None:
        self.staged = staged
        self.known = known
        self.batch_size = batch_size
        self.run_docs: dict[str, KnownDocument] = {}
        self.run_texts: dict[str, str] = {}
        self.latest_pages: dict[tuple[str, str], tuple[Any, str | None]] = {}
        self._reset()

    def _reset(self) -> None:
        self.files: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.assessments: list[dict[str, Any]] = []
        self.details: dict[str, list[dict[str, Any]]] = {k: [] for k in DETAIL_KINDS}

    def _is_revert(self, assessment: dict[str, Any], text_sha: str | None) -> bool:
        """A later capture whose text equals an older one, after the page had changed in
        between (A, B, then A again), is a new capture, not a duplicate: it is the latest."""
        page = (assessment["source"], assessment["occupation_slug"])
        latest = self.latest_pages.get(page) or self.known.latest_pages.get(page)
        return latest is not None and latest[1] != text_sha and assessment["fetched_at"] > latest[0]

    def _file_row(self, f: LandingFile, document_id: str | None, status: str, **kw: Any) -> None:
        self.files.append(
            {
                "path": f.path,
                "document_id": document_id,
                "size_bytes": f.size,
                "mtime_ns": f.mtime_ns,
                "status": status,
                "duplicate_of": kw.get("duplicate_of"),
                "reason_code": kw.get("reason_code"),
                "detail": kw.get("detail"),
            }
        )
        self.staged.status_counts[status] += 1
        if kw.get("reason_code") and status == "quarantined":
            self.staged.reason_counts[kw["reason_code"]] += 1
        if len(self.files) >= self.batch_size:
            self.flush()

    def _document_row(self, r: FileResult, status: str, reparse: bool, **kw: Any) -> None:
        self.documents.append(
            {
                "document_id": r.document_id,
                "path": r.file.path,
                "size_bytes": r.file.size,
                "text_sha256": r.text_sha256,
                "source": r.source,
                "url": r.url,
                "fetched_at": pd.Timestamp(r.fetched_at) if r.fetched_at else None,
                "status": status,
                "duplicate_of": kw.get("duplicate_of"),
                "reason_code": kw.get("reason_code"),
                "detail": kw.get("detail"),
                "parser_version": PARSER_VERSION,
                "reparse": reparse,
            }
        )
        self.run_docs[r.document_id] = KnownDocument(
            status,
            kw.get("reason_code"),
            kw.get("detail"),
            PARSER_VERSION,
            r.file.path,
            kw.get("duplicate_of"),
        )

    def problem(self, p: LandingProblem) -> None:
        f = LandingFile(p.path, 0, 0)
        self._file_row(f, None, "quarantined", reason_code=p.reason_code, detail=p.detail)

    def add(self, r: FileResult) -> None:
        f = r.file
        doc_id = r.document_id
        if doc_id is None:  # nothing could be read
            self._file_row(f, None, "quarantined", reason_code=r.reason_code, detail=r.detail)
            return
        original = self.run_docs.get(doc_id) or self.known.documents.get(doc_id)
        stale = doc_id not in self.run_docs and _is_stale(original, PARSER_VERSION)
        if original is not None and not stale:
            prev = self.known.files.get(f.path)
            if prev is not None and prev.document_id == doc_id and doc_id not in self.run_docs:
                # Same content at the same path (touched, or transiently failed before).
                self._file_row(
                    f, doc_id, prev.status, reason_code=prev.reason_code, detail=original.detail
                )
            elif original.status == "quarantined":
                self._file_row(
                    f,
                    doc_id,
                    "quarantined",
                    reason_code=original.reason_code,
                    detail=f"same bytes as {original.path}: {original.detail}",
                )
            else:
                self._file_row(
                    f,
                    doc_id,
                    "duplicate",
                    duplicate_of=original.duplicate_of or doc_id,
                    reason_code="duplicate_bytes",
                    detail=f"same bytes as {original.path}",
                )
            return
        if r.assessment is None:
            reason = r.reason_code or "parse_error"
            self._document_row(r, "quarantined", stale, reason_code=reason, detail=r.detail)
            self._file_row(f, doc_id, "quarantined", reason_code=reason, detail=r.detail)
            return
        text_original = self.run_texts.get(r.text_sha256 or "") or self.known.loaded_texts.get(
            r.text_sha256 or ""
        )
        if (
            text_original is not None
            and text_original != doc_id
            and not self._is_revert(r.assessment, r.text_sha256)
        ):
            where = (self.run_docs.get(text_original) or self.known.documents[text_original]).path
            detail = f"same visible text as {where}"
            self._document_row(
                r,
                "duplicate",
                stale,
                duplicate_of=text_original,
                reason_code="duplicate_text",
                detail=detail,
            )
            self._file_row(
                f,
                doc_id,
                "duplicate",
                duplicate_of=text_original,
                reason_code="duplicate_text",
                detail=detail,
            )
            return
        self._document_row(r, "loaded", stale)
        if r.text_sha256:
            self.run_texts[r.text_sha256] = doc_id
        page = (r.assessment["source"], r.assessment["occupation_slug"])
        latest = self.latest_pages.get(page) or self.known.latest_pages.get(page)
        if latest is None or r.assessment["fetched_at"] > latest[0]:
            self.latest_pages[page] = (r.assessment["fetched_at"], r.text_sha256)
        self.assessments.append(r.assessment)
        for kind, rows in (r.details or {}).items():
            self.details[kind].extend(rows)
        self._file_row(f, doc_id, "loaded")

    def _quarantine_invalid(self, frames: dict[str, pd.DataFrame], reasons: dict[str, str]) -> None:
        """Documents whose records break their pandera model go to quarantine, not the run."""
        if not reasons:
            return
        for name in ("assessments", *DETAIL_KINDS):
            frame = frames[name]
            frames[name] = frame[~frame["document_id"].isin(reasons)].reset_index(drop=True)
        for name in ("files", "documents"):
            frame = frames[name]
            hit = frame["document_id"].isin(reasons) & (frame["status"] == "loaded")
            frame.loc[hit, "status"] = "quarantined"
            frame.loc[hit, "reason_code"] = "invalid_record"
            frame.loc[hit, "detail"] = frame.loc[hit, "document_id"].map(reasons)
            if name == "files":
                n = int(hit.sum())
                self.staged.status_counts["loaded"] -= n
                self.staged.status_counts["quarantined"] += n
                self.staged.reason_counts["invalid_record"] += n
        for document_id in reasons:
            known = self.run_docs[document_id]
            self.run_docs[document_id] = KnownDocument(
                "quarantined",
                "invalid_record",
                reasons[document_id],
                known.parser_version,
                known.path,
            )

    def flush(self) -> None:
        if not self.files and not self.documents:
            return
        n = self.staged.batches
        frames: dict[str, pd.DataFrame] = {
            "files": pd.DataFrame(self.files, columns=list(FILE_COLUMNS)).astype(FILE_COLUMNS),
            "documents": pd.DataFrame(self.documents, columns=list(DOCUMENT_COLUMNS)).astype(
                DOCUMENT_COLUMNS
            ),
            "assessments": assessment_frame(self.assessments),
            **detail_frames(self.details),
        }
        checked = validate_batch(frames)
        self._quarantine_invalid(frames, checked.reasons)
        if not checked.unattributed.empty:
            self.staged.record_failures.append(
                checked.unattributed.assign(batch=f"part-{n:05d}.parquet")
            )
        models = schemas_by_table()
        for name, frame in frames.items():
            if frame.empty:
                continue
            folder = self.staged.staging_dir / name
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"part-{n:05d}.parquet"
            frame.to_parquet(target, index=False)
            if name in models:
                self.staged.validated[str(target)] = len(frame)
        self.staged.batches += 1
        self._reset()


def stage_documents(
    root: Path,
    plan: RunPlan,
    problems: list[LandingProblem],
    known: KnownState | Callable[[], KnownState],
    staged: StagedRun,
    *,
    workers: int,
    batch_size: int = 1000,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> StagedRun:
    """Parse the planned files and stage their rows; returns the filled ``staged``.

    ``known`` may be a function that loads the warehouse state: it then runs in
    a thread while the worker processes parse the first files (results wait in
    a buffer of at most ``batch_size``), so loading the state of a large
    warehouse costs the run no wall time.
    """
    staged.staging_dir.mkdir(parents=True, exist_ok=True)
    staged.unchanged = plan.unchanged
    staged.vanished_paths = plan.vanished_paths
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="known-state") as loader:
        pending = loader.submit(known) if callable(known) else None
        stager: _Stager | None = None
        waiting: list[FileResult] = []

        def start() -> _Stager:
            ready = _start_stager(
                staged, pending.result() if pending else known, problems, batch_size
            )
            for early in waiting:
                ready.add(early)
            waiting.clear()
            return ready

        for result in iter_results(root, plan.to_process, workers=workers, max_bytes=max_bytes):
            staged.processed += 1
            if stager is not None:
                stager.add(result)
                continue
            waiting.append(result)
            if pending is None or pending.done() or len(waiting) >= batch_size:
                stager = start()
        if stager is None:  # fewer results than a batch, all waiting for the state
            stager = start()
    stager.flush()
    return staged


def _start_stager(
    staged: StagedRun, known: KnownState, problems: list[LandingProblem], batch_size: int
) -> _Stager:
    """A stager with the landing problems staged first (those not already recorded)."""
    stager = _Stager(staged, known, batch_size)
    for problem in problems:
        prev = known.files.get(problem.path)
        if (
            prev is None
            or prev.reason_code != problem.reason_code
            or (problem.reason_code in TRANSIENT_REASONS)
        ):
            stager.problem(problem)
        else:
            staged.unchanged += 1
    return stager
