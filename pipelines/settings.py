"""Where riskpipe reads and writes, from flags, ``RISKPIPE_*`` variables or defaults.

Precedence: command-line flag > environment variable > default. Defaults are
relative to the project folder, so ``riskpipe run`` works from anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# variable name -> default (paths relative to the project folder)
DEFAULTS: dict[str, str] = {
    "RISKPIPE_LANDING": "data/samples",
    "RISKPIPE_WAREHOUSE": "data/warehouse.duckdb",
    "RISKPIPE_EXPORTS": "data/exports",
    "RISKPIPE_REPORT": "data/report",
    "RISKPIPE_MAX_FILE_BYTES": str(20 * 1024 * 1024),
    "RISKPIPE_WORKERS": "0",  # 0 = one per core
    "RISKPIPE_BATCH_SIZE": "2000",
    "RISKPIPE_LOCK_TIMEOUT": "30",
}


def setting(name: str) -> str:
    """The value of a ``RISKPIPE_*`` setting: the environment's, else the default."""
    value = os.environ.get(name, "").strip()
    return value or DEFAULTS[name]


def resolve_path(value: str | Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def default_path(name: str) -> Path:
    return resolve_path(DEFAULTS[name])


def worker_count(value: int) -> int:
    return value if value > 0 else max(os.cpu_count() or 1, 1)


@dataclass(frozen=True)
class Paths:
    landing: Path
    warehouse: Path
    exports: Path
    report: Path

    @classmethod
    def from_env(cls, **overrides: str | Path | None) -> Paths:
        """Flags (``overrides``) win over ``RISKPIPE_*`` variables, which win over defaults."""

        def pick(key: str, var: str) -> Path:
            flag = overrides.get(key)
            return resolve_path(flag) if flag else resolve_path(setting(var))

        return cls(
            landing=pick("landing", "RISKPIPE_LANDING"),
            warehouse=pick("warehouse", "RISKPIPE_WAREHOUSE"),
            exports=pick("exports", "RISKPIPE_EXPORTS"),
            report=pick("report", "RISKPIPE_REPORT"),
        )
