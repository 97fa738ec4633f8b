"""Benchmark runner: riskpipe end to end on a generated landing folder of N pages.

Usage::

    python -m benchmarks.run --pages 10000 [--seed 1] [--workdir DIR] [--keep]
                             [--reuse-landing] [--json PATH] [--floor-sample 2000]
                             [--profile] [--no-reruns]

Steps, all on one freshly generated landing folder (``benchmarks.pagegen``):

1. **full run**: ``riskpipe run --quiet`` as a child process on an empty warehouse;
   wall time, CPU time, peak memory of the process tree (the parse workers are
   separate processes) and the duration of every Dagster step;
2. **accuracy**: the warehouse views against the generator's ground truth
   (:mod:`benchmarks.accuracy`);
3. **floor**: ``BeautifulSoup(html, "lxml").get_text()`` alone, single process,
   on (a sample of) the same pages (:mod:`benchmarks.floor`);
4. **no-op rerun**: the same command again over the unchanged folder;
5. **1% rerun**: 1% of the pages rewritten in place with a new headline score
   and a later modification time, then the command again; the changed pages
   are checked against their new truth;
6. with ``--profile``: one more full run on a fresh warehouse, in one process
   (``RISKPIPE_WORKERS=1``), under cProfile, one profile per Dagster step; the
   top functions per stage are printed and the ``.prof`` files kept.

The child is ``python -m benchmarks.run _child TIMINGS -- run --quiet ...``:
``pipelines.cli.main`` itself, with ``pipelines.cli.run_pipeline`` wrapped to
write the step durations (Dagster's ``STEP_SUCCESS`` events) and the process
timestamps to ``TIMINGS``, and ``DagsterInstance.handle_new_event`` watched for
each step's wall-clock window (to attribute memory and CPU samples to stages);
it ends with ``pipelines.cli.exit_now``, as the ``riskpipe`` console script does.
Peak memory is polled from ``/proc`` every 0.1 s over the child and all its
descendants: the largest single process (``VmHWM``)
and the largest sum over the tree at one instant (RSS, and PSS, which counts
pages shared between the forkserver's children once). ``ru_maxrss`` is not
used: Linux carries a process's high-water mark across ``exec``, so a child
started from a large benchmark process would report the parent's size.

The results table is printed as Markdown; ``--json`` also writes every number.
The ``RISKPIPE_WORKERS``, ``RISKPIPE_BATCH_SIZE`` and ``RISKPIPE_MAX_FILE_BYTES``
variables are passed through to the child.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Dagster step key -> benchmark stage; every other step is an asset check ("validate").
STAGE_OF_STEP = {
    "landing_inventory": "read",
    "parsed_documents": "parse",
    "normalised_assessments": "normalise",
    "warehouse_tables": "load",
    "consensus_profiles": "consensus",
    "published_exports": "export",
    "consensus_report": "report",
}
STAGES = ("read", "parse", "normalise", "validate", "load", "consensus", "export", "report")
STAGE_NOTES = {
    "read": "scan the landing folder, plan the run (path, size, mtime vs. warehouse)",
    "parse": "read + hash + parse in worker processes, stage Parquet batches",
    "normalise": "canonical scale on the staged assessments",
    "validate": "asset checks: pandera models, accounting, drift",
    "load": "one DuckDB transaction: documents, assessments, details, quarantine",
    "consensus": "consensus, calibration, task/salary consensus (derived tables)",
    "export": "Parquet/CSV/JSON exports + manifest, atomic swap",
    "report": "offline HTML report",
}
CHANGE_SHARE = 0.01
MTIME_BUMP_S = 3600
POLL_S = 0.1

TARGETS = {
    "e2e_100k_s": 600.0,
    "floor_ratio": 1.5,
    "peak_rss_mb": 1536.0,
    "noop_beyond_start_s": 5.0,
    "change_share_of_full": 0.10,
    "accuracy": 1.0,
}


# --------------------------------------------------------------------------- child


def _child(argv: list[str]) -> NoReturn:
    """``_child TIMINGS [--profile DIR] -- <riskpipe args>``: run the CLI, record timings."""
    t_main = time.time()
    timings = Path(argv[0])
    profile_dir = None
    rest = argv[1:]
    if rest[:1] == ["--profile"]:
        profile_dir = Path(rest[1])
        rest = rest[2:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    import pipelines.assets
    import pipelines.checks
    import pipelines.cli as cli

    del pipelines.assets, pipelines.checks  # imported so startup is not billed to the run
    t_imported = time.time()
    record: dict[str, Any] = {"t_main": t_main, "t_imported": t_imported}
    original = cli.run_pipeline

    def timed_run_pipeline(paths):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        record["t_run_start"] = time.time()
        try:
            result = original(paths)
        finally:
            record["run_s"] = time.perf_counter() - t0
        record["steps"] = {
            e.step_key: e.event_specific_data.duration_ms / 1000.0
            for e in result.all_events
            if e.event_type_value == "STEP_SUCCESS"
        }
        record["run_id"] = result.run_id
        return result

    cli.run_pipeline = timed_run_pipeline
    windows: dict[str, list[float]] = record.setdefault("step_windows", {})
    profilers = _install_step_hook(windows, profile=profile_dir is not None)
    try:
        rc = cli.main(rest)
    finally:
        cli.run_pipeline = original
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for step, prof in profilers.items():
            prof.dump_stats(str(profile_dir / f"{step}.prof"))
    record["t_end"] = time.time()
    record["rc"] = rc
    timings.write_text(json.dumps(record, indent=1))
    cli.exit_now(rc)  # as the ``riskpipe`` console script ends


def _install_step_hook(windows: dict[str, list[float]], *, profile: bool) -> dict[str, Any]:
    """Record each Dagster step's wall-clock window (``windows``: step -> [start, end]);
    with ``profile``, also run one cProfile.Profile per step (returned by step key).

    The in-process executor runs steps one after another in this thread and
    stores every event through ``DagsterInstance.handle_new_event`` just before
    and just after the step's compute: the hook watches STEP_START and
    STEP_SUCCESS / STEP_FAILURE there. Without that method (another Dagster
    version) nothing is recorded and the run is unaffected.
    """
    import cProfile

    from dagster import DagsterInstance

    profilers: dict[str, cProfile.Profile] = {}
    original = getattr(DagsterInstance, "handle_new_event", None)
    if original is None:
        return profilers

    def handle_new_event(self, event, *args, **kwargs):  # type: ignore[no-untyped-def]
        dagster_event = getattr(event, "dagster_event", None)
        kind = dagster_event.event_type_value if dagster_event is not None else None
        if kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            prof = profilers.get(dagster_event.step_key)
            if prof is not None:
                prof.disable()
            windows.setdefault(dagster_event.step_key, [time.time()]).append(time.time())
        out = original(self, event, *args, **kwargs)
        if kind == "STEP_START":
            windows[dagster_event.step_key] = [time.time()]
            if profile:
                prof = profilers[dagster_event.step_key] = cProfile.Profile()
                prof.enable()
        return out

    DagsterInstance.handle_new_event = handle_new_event  # type: ignore[method-assign]
    return profilers


# --------------------------------------------------------------------------- process tree


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    out.extend(int(x) for x in fh.read().split())
            except OSError:
                continue
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(_children(p))
    return pids


_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of one process so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * _TICK_S
    except (OSError, IndexError, ValueError):
        return None


def _machine_busy_s() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat)."""
    try:
        with open("/proc/stat") as fh:
            values = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) * _TICK_S


def _status_kb(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line[:5]] = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    out["Pss"] = int(line.split()[1])
                    break
    except (OSError, ValueError):
        pass
    return out


@dataclass
class TreeMemory:
    """Peaks over a process tree, from polling /proc."""

    max_process_hwm_kb: int = 0  # largest VmHWM of any single process
    peak_rss_sum_kb: int = 0  # largest sum of VmRSS over the tree at one poll
    peak_pss_sum_kb: int = 0  # same with PSS (shared pages counted once)
    max_processes: int = 0
    hwm_by_pid: dict[int, int] = field(default_factory=dict)
    cpu_by_pid: dict[int, float] = field(default_factory=dict)  # last seen, per process
    # (time, tree RSS kB, main process CPU s, tree CPU s) per poll
    samples: list[tuple[float, int, float, float]] = field(default_factory=list)

    root: int = 0

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_by_pid.values())

    @property
    def main_cpu_s(self) -> float:
        """CPU of the riskpipe process itself (the rest is its worker processes)."""
        return self.cpu_by_pid.get(self.root, 0.0)

    def peak_between(self, start: float, end: float) -> int:
        """Largest tree RSS (kB) sampled in [start, end] (or the nearest sample after)."""
        inside = [x[1] for x in self.samples if start <= x[0] <= end]
        if not inside:
            inside = [x[1] for x in self.samples if x[0] >= start][:1]
        return max(inside, default=0)

    def cores_between(self, start: float, end: float) -> tuple[float, float] | None:
        """Average cores used by the tree and by the main process in [start, end]."""
        inside = [x for x in self.samples if start <= x[0] <= end]
        if len(inside) < 2 or inside[-1][0] - inside[0][0] < 1.0:
            return None
        (t0, _, main0, tree0), (t1, _, main1, tree1) = inside[0], inside[-1]
        return (tree1 - tree0) / (t1 - t0), (main1 - main0) / (t1 - t0)

    def poll(self, root: int) -> None:
        rss = pss = 0
        self.root = root
        pids = _tree(root)
        for pid in pids:
            st = _status_kb(pid)
            if not st:
                continue
            rss += st.get("VmRSS", 0)
            pss += st.get("Pss", 0)
            cpu = _cpu_s(pid)
            if cpu is not None:
                self.cpu_by_pid[pid] = cpu
            hwm = st.get("VmHWM", 0)
            if hwm > self.hwm_by_pid.get(pid, 0):
                self.hwm_by_pid[pid] = hwm
        self.samples.append((time.time(), rss, self.main_cpu_s, self.cpu_s))
        self.max_processes = max(self.max_processes, len(pids))
        self.peak_rss_sum_kb = max(self.peak_rss_sum_kb, rss)
        self.peak_pss_sum_kb = max(self.peak_pss_sum_kb, pss)
        self.max_process_hwm_kb = max([self.max_process_hwm_kb, *self.hwm_by_pid.values()])


# --------------------------------------------------------------------------- one pipeline run


@dataclass
class RunMeasure:
    """One ``riskpipe run`` child process."""

    label: str
    wall_s: float
    cpu_s: float
    returncode: int
    memory: TreeMemory
    timings: dict[str, Any]
    run: dict[str, Any]
    stderr: str = ""
    other_load: float = 0.0  # cores kept busy by other processes on the machine, on average

    @property
    def startup_s(self) -> float:
        """Process start to the CLI, pipelines and Dagster imported."""
        t = self.timings
        return t["t_imported"] - t["t_spawn"] if "t_imported" in t else float("nan")

    @property
    def steps(self) -> dict[str, float]:
        return self.timings.get("steps", {})

    def stage_seconds(self) -> dict[str, float]:
        out = dict.fromkeys(STAGES, 0.0)
        for step, seconds in self.steps.items():
            out[STAGE_OF_STEP.get(step, "validate")] += seconds
        return out

    def stage_cores(self) -> dict[str, tuple[float, float]]:
        """Per stage (steps of at least a second): average cores used by the whole
        process tree, and by the main process alone."""
        out: dict[str, tuple[float, float]] = {}
        for step, window in self.timings.get("step_windows", {}).items():
            cores = self.memory.cores_between(window[0], window[-1]) if len(window) > 1 else None
            if cores is not None:
                stage = STAGE_OF_STEP.get(step, "validate")
                if stage not in out or window[-1] - window[0] > 1.0:
                    out[stage] = cores
        return out

    def stage_peak_mb(self) -> dict[str, float]:
        """Peak tree RSS while each stage's steps ran (and during start-up and exit)."""
        out: dict[str, float] = {}
        t = self.timings
        windows: dict[str, list[float]] = t.get("step_windows", {})
        for step, window in windows.items():
            if len(window) < 2:
                continue
            stage = STAGE_OF_STEP.get(step, "validate")
            peak = self.memory.peak_between(window[0], window[-1]) / 1024
            out[stage] = max(out.get(stage, 0.0), peak)
        if "t_imported" in t:
            out["start-up"] = self.memory.peak_between(t["t_spawn"], t["t_imported"]) / 1024
        if "t_run_start" in t:
            end = t["t_run_start"] + t["run_s"]
            out["exit"] = self.memory.peak_between(end, t["t_spawn"] + self.wall_s) / 1024
        return out

    @property
    def orchestration_s(self) -> float:
        """Run time outside any step: Dagster's own bookkeeping (plan, events, IO)."""
        return self.timings.get("run_s", float("nan")) - sum(self.steps.values())

    @property
    def exit_s(self) -> float:
        """Summary printing and interpreter shutdown."""
        t = self.timings
        if "t_run_start" not in t:
            return float("nan")
        return self.wall_s - (t["t_run_start"] - t["t_spawn"]) - t["run_s"]

    @property
    def peak_mb(self) -> float:
        """The memory figure the targets use: peak sum of RSS over the process tree."""
        return self.memory.peak_rss_sum_kb / 1024

    def to_json(self) -> dict[str, Any]:
        return {
            "wall_s": self.wall_s,
            "cpu_s": self.cpu_s,
            "cpu_sampled_s": self.memory.cpu_s,
            "cpu_main_s": self.memory.main_cpu_s,
            "cpu_workers_s": self.memory.cpu_s - self.memory.main_cpu_s,
            "other_load_cores": self.other_load,
            "returncode": self.returncode,
            "startup_s": self.startup_s,
            "orchestration_s": self.orchestration_s,
            "exit_s": self.exit_s,
            "stages_s": self.stage_seconds(),
            "stage_peak_rss_mb": self.stage_peak_mb(),
            "stage_cores_tree_main": self.stage_cores(),
            "steps_s": self.steps,
            "memory_mb": {
                "peak_tree_rss": self.memory.peak_rss_sum_kb / 1024,
                "peak_tree_pss": self.memory.peak_pss_sum_kb / 1024,
                "max_single_process_hwm": self.memory.max_process_hwm_kb / 1024,
                "processes": self.memory.max_processes,
                "main_process_hwm": self.memory.hwm_by_pid.get(self.memory.root, 0) / 1024,
                "other_processes_hwm": sorted(
                    (
                        kb / 1024
                        for pid, kb in self.memory.hwm_by_pid.items()
                        if pid != self.memory.root
                    ),
                    reverse=True,
                ),
            },
            "run": self.run,
        }


def _riskpipe_args(landing: Path, out: Path) -> list[str]:
    return [
        "run",
        "--quiet",
        "--landing",
        str(landing),
        "--warehouse",
        str(out / "warehouse.duckdb"),
        "--exports",
        str(out / "exports"),
        "--report",
        str(out / "report"),
    ]


def _last_run(warehouse: Path) -> dict[str, Any]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        cur = con.execute("SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
    if row is None:
        return {}
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in zip(names, row, strict=True)
    }


def run_child(
    label: str,
    landing: Path,
    out: Path,
    timings_path: Path,
    *,
    env: dict[str, str] | None = None,
    profile_dir: Path | None = None,
) -> RunMeasure:
    """Run ``riskpipe run --quiet`` in a child process and measure it."""
    cmd = [sys.executable, "-m", "benchmarks.run", "_child", str(timings_path)]
    if profile_dir is not None:
        cmd += ["--profile", str(profile_dir)]
    cmd += ["--", *_riskpipe_args(landing, out)]
    child_env = {**os.environ, **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = _machine_busy_s()
    memory = TreeMemory()
    t_spawn = time.time()
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err, tempfile.TemporaryFile("w+") as outf:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=child_env, stdout=outf, stderr=err)
        while proc.poll() is None:
            memory.poll(proc.pid)
            time.sleep(POLL_S)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _machine_busy_s() - busy_before
    # Descendants count in RUSAGE_CHILDREN only once waited for by their parent; the
    # per-process samples miss at most the last poll interval of each process.
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu = max(reaped, memory.cpu_s)
    timings: dict[str, Any] = {}
    if timings_path.exists():
        timings = json.loads(timings_path.read_text())
    timings["t_spawn"] = t_spawn
    run = _last_run(out / "warehouse.duckdb") if proc.returncode == 0 else {}
    others = max(busy - cpu, 0.0) / wall if wall else 0.0
    return RunMeasure(label, wall, cpu, proc.returncode, memory, timings, run, stderr, others)


def interpreter_start_s(repeat: int = 3) -> float:
    """Best of ``repeat`` bare interpreter starts (``python -c pass``)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        best = min(best, time.perf_counter() - t0)
    return best


# --------------------------------------------------------------------------- 1% changed


def change_pages(
    landing: Path, truth: list[dict[str, Any]], *, seed: int, share: float = CHANGE_SHARE
) -> list[dict[str, Any]]:
    """Rewrite ``share`` of the documents in place with a new headline score.

    Picks loaded template pages (not the original of a duplicate), re-renders
    each with the generator for the same template, occupation, URL, format and
    capture date and a score moved by one scale step (10-point scales) or 7
    points (100-point scales), overwrites the file and moves its modification
    time one hour later. Returns the new truth rows of the changed pages.
    """
    from benchmarks.pagegen import TEMPLATES, render_page_bytes

    documents = [t for t in truth if t["expected_status"] != "ignored"]
    originals = {t["details"].get("duplicate_of") for t in documents}
    candidates = [
        t
        for t in documents
        if t["kind"] == "page"
        and t["expected_status"] == "loaded"
        and t["template"] in TEMPLATES
        and t["relpath"] not in originals
    ]
    k = min(len(candidates), max(1, round(len(documents) * share)))
    rng = random.Random(f"riskpipe-benchmark:{seed}:change")
    chosen = sorted(rng.sample(candidates, k), key=lambda t: t["relpath"])
    changed = []
    for t in chosen:
        smax, old = t["scale_max"], t["raw_value"]
        step = 1.0 if smax <= 10 else 7.0
        new = old + step if old + step <= smax else old - step
        details = t["details"]
        variant = details.get("variant")
        data, new_truth = render_page_bytes(
            t["template"],
            t["occupation"],
            new,
            rng=random.Random(f"{seed}:{t['relpath']}"),
            variant=variant if isinstance(variant, int) else None,
            fmt=details.get("fmt", "html"),
            fetched_at=t["fetched_at"],
            url=details.get("canonical_url"),
            seed=seed,
        )
        path = landing / t["relpath"]
        mtime_ns = path.stat().st_mtime_ns + MTIME_BUMP_S * 1_000_000_000
        with open(path, "wb") as fh:  # in place: same inode, new bytes
            fh.write(data)
        os.utime(path, ns=(mtime_ns, mtime_ns))
        fetched_at = t["fetched_at"]
        if t["url"] is None:  # no sidecar: fetched_at is the file's modification time
            fetched_at = datetime.fromtimestamp(mtime_ns // 1_000_000_000, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        changed.append(
            dict(
                t,
                raw_value=new_truth.raw_value,
                risk_score=new_truth.risk_score,
                label=new_truth.label,
                fetched_at=fetched_at,
            )
        )
    return changed


# --------------------------------------------------------------------------- profile


def profile_tables(profile_dir: Path, top: int = 12) -> dict[str, dict[str, list[dict]]]:
    """Per stage: the top functions by cumulative time (below the step's own call
    chain) and by own time, merged over the stage's steps."""
    import pstats

    by_stage: dict[str, list[Path]] = {}
    for prof in sorted(profile_dir.glob("*.prof")):
        by_stage.setdefault(STAGE_OF_STEP.get(prof.stem, "validate"), []).append(prof)
    out: dict[str, dict[str, list[dict]]] = {}
    for stage in STAGES:
        files = by_stage.get(stage)
        if not files:
            continue
        stats = pstats.Stats(str(files[0]))
        for extra in files[1:]:
            stats.add(str(extra))
        entries = []
        for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
            entries.append(
                {
                    "function": _short_func(filename, line, func),
                    "calls": nc,
                    "own_s": tt,
                    "cum_s": ct,
                }
            )
        total = stats.total_tt
        # Dagster's own frames and builtins wrap everything; the cumulative list shows
        # the project's and its libraries' functions (Dagster's share is in own time).
        cumulative = sorted(
            (e for e in entries if not e["function"].startswith(_WRAPPERS)),
            key=lambda e: -e["cum_s"],
        )[:top]
        own = sorted(entries, key=lambda e: -e["own_s"])[:top]
        out[stage] = {"total_s": total, "cumulative": cumulative, "own": own}  # type: ignore[dict-item]
    return out


_WRAPPERS = (
    "dagster/",
    "<built-in method builtins.next>",
    "<built-in method builtins.exec>",
    "<frozen ",
    "contextlib.py",
    "threading.py",
)


def _short_func(filename: str, line: int, func: str) -> str:
    if filename == "~":
        return func
    path = filename
    for marker in ("site-packages/", str(PROJECT_ROOT) + "/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line}({func})"


# --------------------------------------------------------------------------- report


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _s(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "–"
    return f"{seconds:,.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _rate(pages: int, seconds: float) -> str:
    return f"{pages / seconds:,.0f}" if seconds > 0.0005 and pages else "–"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def _ok(flag: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "n/a"}[flag]


def render(results: dict[str, Any], measures: dict[str, RunMeasure], acc: Any) -> str:
    """The Markdown results of one benchmark."""
    n = results["pages"]
    full = measures["full"]
    docs = results["generation"]["documents"]
    parts = [
        f"### riskpipe benchmark: {n:,} pages (seed {results['seed']})",
        "",
        f"revision {results['revision']} · {results['date']} · {results['machine']} · "
        f"workers {results['workers']} · batch size "
        f"{results['batch_size']} · landing {results['generation']['mb']:,.0f} MB "
        f"({docs:,} documents, {results['generation']['files']:,} files with sidecars) · "
        f"load average {results['loadavg_start']} at start, {results['loadavg_end']} at end",
        "",
    ]
    t = results["targets"]
    summary_rows = [
        [
            "end-to-end wall time, full run",
            f"{_s(full.wall_s)} ({_rate(docs, full.wall_s)} pages/s; CPU {_s(full.cpu_s)}: "
            f"main process {_s(full.memory.main_cpu_s)}, workers "
            f"{_s(full.memory.cpu_s - full.memory.main_cpu_s)}; other processes kept "
            f"{full.other_load:.1f} cores busy)",
            f"100k pages < 10 min (linear projection: {_s(t['e2e_100k_projected_s'])})",
            _ok(t["e2e_ok"]),
        ],
        [
            "throughput vs. BeautifulSoup floor",
            f"{t['floor_ratio']:.2f}× (floor {results['floor']['pages_per_s']:,.0f} pages/s on "
            f"{results['floor']['pages']:,} pages, 1 process; parse stage alone "
            f"{t['parse_floor_ratio']:.2f}×)",
            "≥ 1.5×",
            _ok(t["floor_ok"]),
        ],
        [
            "peak RSS, process tree (sum)",
            f"{full.peak_mb:,.0f} MB (PSS {full.memory.peak_pss_sum_kb / 1024:,.0f} MB; "
            f"largest process {full.memory.max_process_hwm_kb / 1024:,.0f} MB)",
            "< 1.5 GB (and flat from 10k to 100k: compare runs)",
            _ok(t["rss_ok"]),
        ],
    ]
    if "noop" in measures:
        noop = measures["noop"]
        summary_rows.append(
            [
                "no-op rerun",
                f"{_s(noop.wall_s)} = start-up {_s(noop.startup_s)} + "
                f"{_s(t['noop_beyond_start_s'])} "
                f"(bare interpreter {_s(results['python_start_s'])})",
                "< 5 s beyond start-up",
                _ok(t["noop_ok"]),
            ]
        )
    if "change" in measures:
        ch = measures["change"]
        summary_rows.append(
            [
                f"rerun after {results['changed']['pages']:,} pages (1 %) changed",
                f"{_s(ch.wall_s)} = {_pct(t['change_share'])} of the full run; changed pages "
                f"right: {results['changed']['correct']:,}/{results['changed']['pages']:,}",
                "< 10 % of the full run",
                _ok(t["change_ok"]),
            ]
        )
    summary_rows.append(
        [
            "extraction accuracy (documents fully right)",
            f"{_pct(acc.overall)} ({acc.rows_all_correct:,}/{acc.rows:,}; "
            f"{len(acc.mismatches):,} mismatches)",
            "100 %",
            _ok(t["accuracy_ok"]),
        ]
    )
    parts += [_md_table(["measure", "result", "target", "met"], summary_rows), ""]

    stage_rows = []
    header = ["stage", "full run", "pages/s", "peak RSS", "cores (main)"]
    peaks = full.stage_peak_mb()
    cores = full.stage_cores()
    labels = [k for k in ("noop", "change") if k in measures]
    header += [{"noop": "no-op rerun", "change": "1 % rerun"}[k] for k in labels]
    header.append("what")
    processed = int(full.run.get("files_processed") or docs)

    def row(name: str, getter, rate: bool, note: str) -> None:  # type: ignore[no-untyped-def]
        key = name.strip("*")
        peak = f"{peaks[key]:,.0f} MB" if key in peaks else "–"
        if key == "total":
            peak = f"{full.peak_mb:,.0f} MB"
        used = f"{cores[key][0]:.2f} ({cores[key][1]:.2f})" if key in cores else "–"
        cells = [name, _s(getter(full)), _rate(processed, getter(full)) if rate else "–", peak]
        cells.append(used)
        cells += [_s(getter(measures[k])) for k in labels]
        stage_rows.append([*cells, note])

    row("start-up", lambda m: m.startup_s, False, "interpreter + imports (dagster, pandas, …)")
    for stage in STAGES:
        row(stage, lambda m, s=stage: m.stage_seconds()[s], True, STAGE_NOTES[stage])
    row("orchestration", lambda m: m.orchestration_s, False, "Dagster between/around steps")
    row("exit", lambda m: m.exit_s, False, "summary query, print, interpreter exit")
    row("**total**", lambda m: m.wall_s, True, "wall time of the child process")
    parts += [_md_table(header, stage_rows), ""]

    acc_rows = [
        [f, f"{acc.checked[f]:,}", f"{acc.correct[f]:,}", _pct(acc.share(f))]
        for f in acc.checked
        if acc.checked[f]
    ]
    parts += [
        "Accuracy per field:",
        "",
        _md_table(["field", "checked", "right", "accuracy"], acc_rows),
    ]
    if acc.mismatches:
        shown = acc.mismatches[: results["show_mismatches"]]
        parts += [
            "",
            f"First {len(shown)} of {len(acc.mismatches):,} mismatches:",
            "",
            _md_table(["path", "field", "expected", "warehouse"], [m.as_row() for m in shown]),
        ]
    return "\n".join(parts)


def render_profile(tables: dict[str, dict[str, list[dict]]], top: int = 8) -> str:
    parts = ["", "Profile (one process, cProfile; per stage: top cumulative, then top own time):"]
    for stage, info in tables.items():
        parts += ["", f"**{stage}** ({info['total_s']:.2f} s profiled)", ""]
        rows = [
            [e["function"], f"{e['calls']:,}", f"{e['cum_s']:.2f}", f"{e['own_s']:.2f}"]
            for e in info["cumulative"][:top]
        ]
        rows += [["…", "", "", ""]]
        rows += [
            [e["function"], f"{e['calls']:,}", f"{e['cum_s']:.2f}", f"{e['own_s']:.2f}"]
            for e in info["own"][:top]
        ]
        parts.append(_md_table(["function", "calls", "cum s", "own s"], rows))
    return "\n".join(parts)


# --------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Benchmark riskpipe end to end on a generated landing folder.",
    )
    ap.add_argument("--pages", type=int, default=10_000, help="documents to generate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, help="where to generate and run (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the landing folder and outputs")
    ap.add_argument(
        "--reuse-landing",
        action="store_true",
        help="reuse WORKDIR's landing folder and truth when they match --pages/--seed and "
        "were not modified by a previous benchmark",
    )
    ap.add_argument("--json", type=Path, help="also write every number as JSON")
    ap.add_argument(
        "--floor-sample",
        type=int,
        default=2000,
        help="pages for the BeautifulSoup floor, evenly spread (0 = all)",
    )
    ap.add_argument("--no-reruns", action="store_true", help="skip the no-op and 1%% reruns")
    ap.add_argument("--profile", action="store_true", help="also profile a one-process run")
    ap.add_argument("--show-mismatches", type=int, default=15)
    return ap


def _revision() -> str:
    """The checkout's commit, with ``+changes`` when the tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def _loadavg() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _prepare_landing(args: argparse.Namespace, workdir: Path) -> tuple[Path, Path, float, bool]:
    from benchmarks.pagegen import generate_landing

    landing, truth = workdir / "landing", workdir / "truth.jsonl"
    stamp = workdir / "landing.json"
    wanted = {"pages": args.pages, "seed": args.seed, "modified": False}
    reusable = args.reuse_landing and stamp.exists() and truth.exists() and landing.is_dir()
    if reusable and json.loads(stamp.read_text()) == wanted:
        return landing, truth, 0.0, True
    for stale in (landing, truth, stamp):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    t0 = time.perf_counter()
    generate_landing(landing, args.pages, seed=args.seed, truth_path=truth)
    seconds = time.perf_counter() - t0
    stamp.write_text(json.dumps(wanted))
    return landing, truth, seconds, False


def _folder_stats(root: Path) -> tuple[int, int]:
    n = size = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            n += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return n, size


def _fail(measure: RunMeasure) -> int:
    print(f"riskpipe {measure.label} run failed (exit {measure.returncode}):", file=sys.stderr)
    print(measure.stderr[-4000:], file=sys.stderr)
    return 1


def benchmark(args: argparse.Namespace, workdir: Path) -> int:
    from benchmarks import accuracy, floor

    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    loadavg_start = _loadavg()
    revision = _revision()
    log(f"generating {args.pages:,} pages (seed {args.seed}) in {workdir}")
    landing, truth_path, gen_s, reused = _prepare_landing(args, workdir)
    truth = list(accuracy.read_truth(truth_path))
    n_files, n_bytes = _folder_stats(landing)
    documents = [t for t in truth if t["expected_status"] != "ignored"]
    out = workdir / "out"
    if out.exists():
        shutil.rmtree(out)
    timings = workdir / "timings"
    timings.mkdir(exist_ok=True)
    measures: dict[str, RunMeasure] = {}

    log("interpreter start")
    python_start = interpreter_start_s()
    log("full run")
    full = measures["full"] = run_child("full", landing, out, timings / "full.json")
    if full.returncode:
        return _fail(full)
    log(f"full run: {full.wall_s:.1f}s; accuracy")
    acc = accuracy.measure(truth_path, out / "warehouse.duckdb")
    log("floor")
    paths = floor.sample([t["relpath"] for t in documents], args.floor_sample)
    fl = floor.measure(landing, paths)

    changed_info: dict[str, Any] = {}
    if not args.no_reruns:
        log("no-op rerun")
        noop = measures["noop"] = run_child("no-op", landing, out, timings / "noop.json")
        if noop.returncode:
            return _fail(noop)
        log(f"no-op rerun: {noop.wall_s:.1f}s; changing 1% of the pages")
        (workdir / "landing.json").write_text(
            json.dumps({"pages": args.pages, "seed": args.seed, "modified": True})
        )
        changed = change_pages(landing, truth, seed=args.seed)
        change = measures["change"] = run_child("1%", landing, out, timings / "change.json")
        if change.returncode:
            return _fail(change)
        after = accuracy.compare(changed, accuracy.warehouse_rows(out / "warehouse.duckdb"))
        changed_info = {
            "pages": len(changed),
            "correct": after.rows_all_correct,
            "read_this_run": change.run.get("files_processed"),
            "mismatches": [m.as_row() for m in after.mismatches[:10]],
        }
        log(f"1% rerun: {change.wall_s:.1f}s")

    profile: dict[str, Any] = {}
    if args.profile:
        log("profiling a one-process run")
        prof_dir = workdir / "profile"
        if prof_dir.exists():
            shutil.rmtree(prof_dir)
        prof = run_child(
            "profile",
            landing,
            prof_dir / "out",
            timings / "profile.json",
            env={"RISKPIPE_WORKERS": "1"},
            profile_dir=prof_dir / "steps",
        )
        if prof.returncode:
            return _fail(prof)
        profile = {"wall_s": prof.wall_s, "stages": profile_tables(prof_dir / "steps")}

    docs = len(documents)
    noop = measures.get("noop")
    change = measures.get("change")
    e2e_projected = full.wall_s * 100_000 / docs if docs else float("nan")
    ratio = (docs / full.wall_s) / fl.pages_per_s if fl.pages_per_s else float("nan")
    parse_s = full.stage_seconds()["parse"]
    parse_ratio = (docs / parse_s) / fl.pages_per_s if fl.pages_per_s and parse_s else float("nan")
    noop_beyond = (noop.wall_s - noop.startup_s) if noop else None
    change_share = change.wall_s / full.wall_s if change else None
    workers_env = os.environ.get("RISKPIPE_WORKERS", "").strip() or "0"
    results: dict[str, Any] = {
        "pages": args.pages,
        "seed": args.seed,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "revision": revision,
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}",
        "workers": workers_env if workers_env != "0" else f"0 (= {os.cpu_count()})",
        "batch_size": os.environ.get("RISKPIPE_BATCH_SIZE", "").strip() or "1000",
        "loadavg_start": loadavg_start,
        "loadavg_end": _loadavg(),
        "show_mismatches": args.show_mismatches,
        "generation": {
            "seconds": gen_s,
            "reused": reused,
            "documents": docs,
            "files": n_files,
            "mb": n_bytes / 1e6,
        },
        "python_start_s": python_start,
        "runs": {k: m.to_json() for k, m in measures.items()},
        "accuracy": acc.to_json(),
        "floor": fl.to_json(),
        "changed": changed_info,
        "targets": {
            "e2e_100k_projected_s": e2e_projected,
            "e2e_ok": (full.wall_s if docs >= 100_000 else e2e_projected) < TARGETS["e2e_100k_s"],
            "floor_ratio": ratio,
            "floor_ok": ratio >= TARGETS["floor_ratio"],
            "parse_floor_ratio": parse_ratio,
            "rss_ok": full.peak_mb < TARGETS["peak_rss_mb"],
            "noop_beyond_start_s": noop_beyond,
            "noop_ok": None
            if noop_beyond is None
            else noop_beyond < TARGETS["noop_beyond_start_s"],
            "change_share": change_share,
            "change_ok": None
            if change_share is None
            else change_share < TARGETS["change_share_of_full"],
            "accuracy_ok": acc.overall == TARGETS["accuracy"],
        },
        "profile": profile,
    }
    print(render(results, measures, acc))
    if profile:
        print(render_profile(profile["stages"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return _child(argv[1:])
    args = _parser().parse_args(argv)
    if args.pages < 1:
        print("--pages must be at least 1", file=sys.stderr)
        return 2
    created = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="riskpipe-bench-")) if created else args.workdir
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return benchmark(args, workdir)
    finally:
        if not args.keep:
            if created:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                for name in ("landing", "out", "timings", "profile"):
                    shutil.rmtree(workdir / name, ignore_errors=True)
                for name in ("truth.jsonl", "landing.json"):
                    (workdir / name).unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
