"""A build killed at any moment leaves the previous site byte-identical (or, once the swap
has happened, the complete new one): never a mix, never a staging folder inside the output.

`python build.py` runs in a subprocess. Deterministic kills use the test hook in
corridor_atlas/output.py (CORRIDOR_ATLAS_TEST_PAUSE_AT: the build announces a named point by
creating a file and waits there); timed kills hit wherever the build happens to be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corridor_atlas.output import PAUSE_AT_ENV, PAUSE_FILE_ENV

from .conftest import MAP_TOML, ROUTES, write_project

REPO = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def is_complete_new(snap: dict[str, bytes], old: dict[str, bytes]) -> bool:
    """Every page of the second build, none of the first. (Compared by content marker, not to a
    reference build's bytes: the code in a shared checkout may change between two builds.)"""
    pages = [name for name in snap if name.endswith(".html")]
    return set(snap) == set(old) and bool(pages) and all(b"second edition" in snap[name] for name in pages)


def staging_inside(out: Path) -> list[str]:
    return [p.name for p in out.rglob("*") if "staging" in p.name]


def staging_siblings(out: Path) -> list[Path]:
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}-staging-"))


def start_build(root: Path, out: Path, env_extra: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, **(env_extra or {}))
    env.pop(PAUSE_AT_ENV, None) if not env_extra else None
    return subprocess.Popen(
        [sys.executable, "build.py", "--root", str(root), "--out", str(out)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    """In the child, before exec: Ctrl-C acts even when the test runner ignores SIGINT
    (nohup, some CI), since an ignored signal stays ignored across exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_build(root: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "--root", str(root), "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def kill(proc: subprocess.Popen, sig: int) -> int:
    try:
        os.killpg(proc.pid, sig)  # the whole group, as a terminal's Ctrl-C would
    except ProcessLookupError:
        pass
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung build is itself a failure
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return proc.returncode


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """A project, its published site (old), and the bytes a complete build of the changed project gives (new)."""
    base = tmp_path_factory.mktemp("interrupted")
    paths = write_project(base / "project")
    old_out = base / "reference-old"
    assert run_build(paths.root, old_out).returncode == 0
    write_project(base / "project", map_toml=MAP_TOML.replace("Test map", "Test map, second edition"))
    new_out = base / "reference-new"
    assert run_build(paths.root, new_out).returncode == 0
    old, new = snapshot(old_out), snapshot(new_out)
    assert old != new and set(old) == set(new)
    return paths, old, new


def published(tmp_path: Path, old: dict[str, bytes]) -> Path:
    out = tmp_path / "site"
    out.mkdir()
    for name, data in old.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)  # data/<map>.geojson
        (out / name).write_bytes(data)
    return out


POINTS = ["staging-created", "wrote test-map.html", "before-swap"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
@pytest.mark.parametrize("point", POINTS)
def test_killed_before_the_swap__previous_site_byte_identical(point, sig, sites, tmp_path):
    paths, old, _ = sites
    out = published(tmp_path, old)
    marker = tmp_path / "paused"
    proc = start_build(paths.root, out, {PAUSE_AT_ENV: point, PAUSE_FILE_ENV: str(marker)})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never reached " + point
        time.sleep(0.01)
    code = kill(proc, sig)

    assert snapshot(out) == old
    assert staging_inside(out) == []
    if sig == signal.SIGINT:
        assert code == 130  # "interrupted; the output folder was left as it was"
        assert staging_siblings(out) == []  # Ctrl-C cleans up after itself
    # the next build publishes normally and removes whatever a SIGKILL left behind
    assert run_build(paths.root, out).returncode == 0
    assert staging_siblings(out) == []


def test_killed_after_the_swap__complete_new_site_and_leftover_cleaned(sites, tmp_path):
    paths, old, new = sites
    out = published(tmp_path, old)
    marker = tmp_path / "paused"
    proc = start_build(paths.root, out, {PAUSE_AT_ENV: "after-swap", PAUSE_FILE_ENV: str(marker)})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    kill(proc, signal.SIGKILL)
    assert is_complete_new(snapshot(out), old)
    leftovers = staging_siblings(out)
    assert len(leftovers) == 1 and snapshot(leftovers[0]) == old  # the previous site, moved aside
    assert run_build(paths.root, out).returncode == 0
    assert staging_siblings(out) == [] and is_complete_new(snapshot(out), old)


def test_killed_at_random_moments__old_or_new_never_a_mix(sites, tmp_path):
    paths, old, new = sites
    started = time.monotonic()
    assert run_build(paths.root, tmp_path / "timing").returncode == 0
    duration = time.monotonic() - started
    for i, fraction in enumerate([0.5, 0.85, 0.95, 1.05]):
        out = published(tmp_path / f"run{i}", old) if (tmp_path / f"run{i}").mkdir() is None else None
        proc = start_build(paths.root, out)
        time.sleep(duration * fraction)
        kill(proc, signal.SIGKILL)
        result = snapshot(out)
        assert result == old or is_complete_new(result, old), f"killed at {fraction:.0%} of a build: a mix of old and new files"
        assert staging_inside(out) == []


def test_stale_staging_folders_are_removed_but_a_live_build_is_left_alone(sites, tmp_path):
    paths, old, new = sites
    out = published(tmp_path, old)
    stale = tmp_path / ".site-staging-999999999-dead"  # no such process
    legacy = tmp_path / ".site-staging-oldformat"  # written by an older version
    live = tmp_path / f".site-staging-{os.getpid()}-live"  # this process is alive: a concurrent build
    for folder in (stale, legacy, live):
        folder.mkdir()
        (folder / "test-map.html").write_text("half written")
        past = time.time() - 3600
        os.utime(folder, (past, past))
    unrelated = tmp_path / ".other-staging-1-x"
    unrelated.mkdir()
    assert run_build(paths.root, out).returncode == 0
    assert not stale.exists() and not legacy.exists()
    assert live.exists() and unrelated.exists()
    assert is_complete_new(snapshot(out), old)


def test_invalid_input__exit_2_and_site_unchanged(sites, tmp_path):
    paths, old, _ = sites
    out = published(tmp_path, old)
    broken = json.loads(json.dumps(ROUTES))
    broken["features"][2]["properties"]["status"] = "planned"
    broken_project = write_project(tmp_path / "broken", routes=broken)
    result = run_build(broken_project.root, out)
    assert result.returncode == 2
    assert "feature 'test-pipeline': properties.status: 'planned' is not allowed" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(out) == old
    assert staging_siblings(out) == [] and staging_inside(out) == []


def test_files_not_written_by_this_build_are_kept(sites, tmp_path):
    paths, old, new = sites
    out = published(tmp_path, old)
    (out / "CNAME").write_text("atlas.example.org")
    (out / "extra").mkdir()
    (out / "extra" / "note.txt").write_text("kept")
    assert run_build(paths.root, out).returncode == 0
    assert (out / "CNAME").read_text() == "atlas.example.org" and (out / "extra" / "note.txt").read_text() == "kept"
    assert is_complete_new({k: v for k, v in snapshot(out).items() if k in new}, old)
