"""Landing scan, sidecars and run planning, as plain functions."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sources.batch import KnownDocument, KnownFile, KnownState, plan_run
from sources.landing import LandingError, read_sidecar, scan_landing, sidecar_for


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_scan_is_recursive_and_ignores_partials_dotfiles_and_sidecars(tmp_path: Path) -> None:
    _touch(tmp_path / "site-a" / "2026-05-01" / "nurse.html")
    _touch(tmp_path / "site-a" / "2026-05-01" / "nurse.meta.json", "{}")
    _touch(tmp_path / "site-b" / "welder.txt")
    _touch(tmp_path / "site-b" / "baker.html.part")
    _touch(tmp_path / "site-b" / "x.tmp")
    _touch(tmp_path / "site-b" / ".DS_Store")
    _touch(tmp_path / ".cache" / "old.html")
    scan = scan_landing(tmp_path)
    assert [f.path for f in scan.files] == ["site-a/2026-05-01/nurse.html", "site-b/welder.txt"]
    assert scan.ignored == [
        ".cache",
        "site-a/2026-05-01/nurse.meta.json",
        "site-b/.DS_Store",
        "site-b/baker.html.part",
        "site-b/x.tmp",
    ]
    assert scan.problems == []
    assert scan.files_seen == 2


def test_links_outside_the_landing_folder_are_problems_not_documents(tmp_path: Path) -> None:
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    secret = _touch(outside / "secret.txt")
    inside = _touch(landing / "real.txt")
    os.symlink(secret, landing / "escape.txt")
    os.symlink(outside, landing / "escape-dir")
    os.symlink(inside, landing / "alias.txt")
    scan = scan_landing(landing)
    assert {p.path: p.reason_code for p in scan.problems} == {
        "escape-dir": "symlink_outside",
        "escape.txt": "symlink_outside",
    }
    assert [f.path for f in scan.files] == ["alias.txt", "real.txt"]


def test_missing_landing_folder_is_an_infrastructure_error(tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="does not exist"):
        scan_landing(tmp_path / "nope")


def test_sidecars(tmp_path: Path) -> None:
    page = _touch(tmp_path / "page.html")
    assert sidecar_for(page) == tmp_path / "page.meta.json"
    assert read_sidecar(page).fetched_at is None
    sidecar_for(page).write_text(
        '{"url": "https://x.example/p", "fetched_at": "2026-04-01T08:00:00Z"}'
    )
    meta = read_sidecar(page)
    assert meta.url == "https://x.example/p"
    assert meta.fetched_at == datetime(2026, 4, 1, 8, tzinfo=UTC)
    sidecar_for(page).write_text('{"fetched_at": "last tuesday"}')
    assert read_sidecar(page).fetched_at is None and "ISO 8601" in read_sidecar(page).note
    sidecar_for(page).write_text("{not json")
    assert read_sidecar(page).note.startswith("sidecar is not valid JSON")


def test_plan_skips_unchanged_and_rereads_changed_stale_or_transient(tmp_path: Path) -> None:
    for name in ("same", "changed", "stale", "flaky", "new"):
        _touch(tmp_path / f"{name}.txt")
    files = {f.path: f for f in scan_landing(tmp_path).files}
    known = KnownState()

    def remember(name: str, parser: str = "v2", reason: str | None = None, size: int = 0) -> None:
        f = files[f"{name}.txt"]
        known.files[f.path] = KnownFile(
            size or f.size, f.mtime_ns, name, "quarantined" if reason else "loaded", reason
        )
        known.documents[name] = KnownDocument("loaded", reason, None, parser, f.path)

    remember("same")
    remember("changed", size=999)
    remember("stale", parser="v1")
    remember("flaky", reason="unreadable")
    known.files["gone.txt"] = KnownFile(1, 1, "gone", "loaded", None)
    plan = plan_run(files.values(), known, parser_version="v2")
    assert sorted(f.path for f in plan.to_process) == [
        "changed.txt",
        "flaky.txt",
        "new.txt",
        "stale.txt",
    ]
    assert plan.unchanged == 1
    assert plan.vanished_paths == ["gone.txt"]
