"""Issue 16, "hostile input, round two": each attack that broke a promise, as a test.

The output folder (refusals, metadata, the lock), the cache (verified pages, a broken
manifest), the file system (links, FIFOs, folders, devices), sizes (the limits of
data/FORMAT.md at and just above, a comparison linear in vertices, workers that die with
their build), exit codes and the terminal. Browser-side attacks (a layer titled
`__proto__` or `Callouts`) are at the end.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from corridor_atlas import compare, limits, safe_read
from corridor_atlas.cli import main
from corridor_atlas.errors import Problems, terminal_safe
from corridor_atlas.output import BuildLock, OutputRefused, check_out_dir
from corridor_atlas.vocabulary import LINE_KINDS
from corridor_atlas.input_checks import check_map_limits
from corridor_atlas.pipeline import MANIFEST, ProjectPaths, build_site

from .conftest import COUNTRIES, MAP_TOML, ROUTES, write_project

REPO = Path(__file__).resolve().parent.parent


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run(root: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python build.py` in a subprocess (a hang becomes a TimeoutExpired, not a stuck suite)."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args], cwd=root,
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


# ----------------------------------------------------------------------------- the output folder


@pytest.mark.parametrize("out", [".", "", "site/..", "maps", "data/layers", "/"])
def test_out__the_project_its_ancestors_inputs_or_root__refused_exit_2(project, out, monkeypatch, capsys):
    monkeypatch.chdir(project.root)
    before = sorted(p.relative_to(project.root).as_posix() for p in project.root.rglob("*"))
    code, _, err = cli(capsys, "--root", str(project.root), "--out", out)
    assert code == 2, err
    assert "--out" in err and "internal error" not in err
    assert sorted(p.relative_to(project.root).as_posix() for p in project.root.rglob("*")) == before


def test_out__a_file_or_a_foreign_folder__refused_and_untouched(project, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("not a folder")
    code, _, err = cli(capsys, "--root", str(project.root), "--out", str(readme))
    assert code == 2 and "exists and is not a folder" in err
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    code, _, err = cli(capsys, "--root", str(project.root), "--out", str(foreign))
    assert code == 2 and "no Corridor Atlas build wrote" in err
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_out__unwritable_place__refused_exit_2(project, tmp_path, monkeypatch):
    # as root every folder is writable, so the permission answer is simulated
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(OutputRefused, match="cannot write in"):
        check_out_dir(tmp_path / "ro" / "site", project.root, [project.maps], MANIFEST)


def test_out__read_only_file_system__refused(project, tmp_path, capsys):
    code, _, err = cli(capsys, "--root", str(project.root), "--out", "/proc/site")
    assert code == 2 and "--out" in err and "internal error" not in err


def test_out__metadata_of_existing_folders_kept(project, tmp_path):
    out = tmp_path / "site"
    build_site(project, out)
    private = out / "private"
    private.mkdir()
    (private / "key.txt").write_text("x")
    os.chmod(private, 0o700)
    os.chmod(out, 0o750)
    past = time.time() - 86400
    os.utime(private, (past, past))
    build_site(project, out, incremental=False)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert abs(private.stat().st_mtime - past) < 1
    assert (private / "key.txt").read_text() == "x"


def test_lock__a_build_waits_for_the_lock_then_refuses_with_exit_2(project, tmp_path):
    out = tmp_path / "site"
    lock = BuildLock(out)
    with lock:
        result = run(project.root, "--out", str(out), env={"CORRIDOR_ATLAS_LOCK_TIMEOUT": "1"})
        assert result.returncode == 2, result.stderr
        assert "another build is writing there" in result.stderr
        assert not out.exists()
    assert lock.path.parent == out.parent  # beside the output, never inside the published folder
    assert run(project.root, "--out", str(out)).returncode == 0


def test_lock__two_builds_into_one_folder_never_interleave(project, tmp_path):
    """Two partial builds of different maps: both pages and both manifest entries survive."""
    (project.maps / "second-map.toml").write_text(MAP_TOML.replace("Test map", "Second map"), encoding="utf-8")
    out = tmp_path / "site"
    for _ in range(3):
        procs = [subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(project.root), "--out", str(out), m],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for m in ("test-map", "second-map")]
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
        manifest = json.loads((out / MANIFEST).read_text())
        assert {"test-map", "second-map"} <= set(manifest)
        assert (out / "test-map.html").exists() and (out / "second-map.html").exists()
        (out / "test-map.html").unlink()
        (out / "second-map.html").unlink()


# ----------------------------------------------------------------------------- the cache


def test_cache__deleted_or_truncated_pages_are_rebuilt(project, tmp_path):
    out = tmp_path / "site"
    build_site(project, out)
    good = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".html"}
    assert build_site(project, out) == []  # nothing changed: nothing rebuilt
    compare_pages = [n for n in good if n.startswith("compare-")]
    for name in ["test-map.html", "index.html", *compare_pages]:
        (out / name).unlink()
        build_site(project, out)
        assert (out / name).read_bytes() == good[name], name
        (out / name).write_bytes(good[name][:1024])
        build_site(project, out)
        assert (out / name).read_bytes() == good[name], name


@pytest.mark.parametrize("manifest", ["folder", "garbage", "wrong-types"])
def test_cache__a_broken_manifest_means_a_full_build(project, tmp_path, manifest, capsys):
    out = tmp_path / "site"
    build_site(project, out)
    path = out / MANIFEST
    path.unlink()
    if manifest == "folder":
        path.mkdir()
        (path / "inside").write_text("x")
    elif manifest == "garbage":
        path.write_bytes(b"\xff\x00{")
    else:
        path.write_text(json.dumps({"test-map": 1, "__files__": ["x"], "__index__": None}))
    code, out_text, err = cli(capsys, "--root", str(project.root), "--out", str(out))
    assert code == 0, err
    assert "1 map(s)" in out_text
    assert path.is_file() and json.loads(path.read_text())["__files__"]["test-map.html"]


# ----------------------------------------------------------------------------- the file system


def _hostile_entry(project: ProjectPaths, kind: str, tmp_path: Path) -> Path:
    layers = project.layers
    if kind == "dangling-link":
        (layers / "gone.geojson").symlink_to(layers / "nothing-here.geojson")
        return layers / "gone.geojson"
    if kind == "looping-link":
        (layers / "loop.geojson").symlink_to(layers / "loop.geojson")
        return layers / "loop.geojson"
    if kind == "folder-layer":
        (layers / "folder.geojson").mkdir()
        return layers / "folder.geojson"
    if kind == "folder-map":
        (project.maps / "folder.toml").mkdir()
        return project.maps / "folder.toml"
    if kind == "fifo":
        os.mkfifo(layers / "pipe.geojson")
        return layers / "pipe.geojson"
    if kind == "fifo-map":
        os.mkfifo(project.maps / "pipe.toml")
        return project.maps / "pipe.toml"
    if kind == "dev-zero":
        (layers / "zero.geojson").symlink_to("/dev/zero")
        return layers / "zero.geojson"
    if kind == "outside-project":
        outside = tmp_path / "elsewhere.geojson"
        outside.write_text(json.dumps(ROUTES))
        (layers / "borrowed.geojson").symlink_to(outside)
        return layers / "borrowed.geojson"
    raise AssertionError(kind)


FS_ATTACKS = {
    "dangling-link": "dangling symbolic link",
    "looping-link": "symbolic link loop",
    "folder-layer": "a folder, not a regular file",
    "folder-map": "a folder, not a regular file",
    "fifo": "a FIFO, not a regular file",
    "fifo-map": "a FIFO, not a regular file",
    "dev-zero": "outside the project",
    "outside-project": "outside the project",
}


@pytest.mark.parametrize("kind", sorted(FS_ATTACKS))
def test_file_system__build_and_check_agree_exit_2_never_hang(project, kind, tmp_path):
    entry = _hostile_entry(project, kind, tmp_path)
    out = tmp_path / "site"
    results = [run(project.root, "check", timeout=60), run(project.root, "--out", str(out), timeout=60)]
    for result in results:
        assert result.returncode == 2, result.stderr
        [line] = [line for line in result.stderr.splitlines() if FS_ATTACKS[kind] in line]
        assert line.startswith(f"{entry.relative_to(project.root).as_posix()}: "), result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert results[0].stderr == results[1].stderr
    assert not out.exists()


def test_safe_read__a_symlink_inside_the_project_is_followed(project):
    (project.layers / "alias.geojson").symlink_to(project.layers / "routes.geojson")
    assert safe_read.read_input(project.layers / "alias.geojson", project.root) == (project.layers / "routes.geojson").read_bytes()


# ----------------------------------------------------------------------------- sizes


def test_limit__bytes_per_file_at_and_above(tmp_path, monkeypatch):
    f = tmp_path / "data" / "layers" / "x.geojson"
    f.parent.mkdir(parents=True)
    with open(f, "wb") as fh:  # sparse: the real limit is checked without writing 32 MiB
        fh.truncate(limits.MAX_FILE_BYTES + 1)
    with pytest.raises(safe_read.UnsafeInput, match="file too large"):
        safe_read.read_input(f, tmp_path)
    monkeypatch.setattr(safe_read, "MAX_FILE_BYTES", 1000)
    f.write_bytes(b"x" * 1000)
    assert len(safe_read.read_input(f, tmp_path)) == 1000
    f.write_bytes(b"x" * 1001)
    with pytest.raises(safe_read.UnsafeInput, match="1,001 bytes"):
        safe_read.read_input(f, tmp_path)


def _collection(n_features: int, n_positions: int = 2) -> dict:
    line = [[40.0 + i * 1e-6, 40.0] for i in range(n_positions)]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": line}} for _ in range(n_features)]}


def test_limit__positions_per_feature_at_and_above():
    at = _collection(1, limits.MAX_VERTICES_PER_FEATURE)
    assert limits.collection_problems(at) == []
    above = _collection(1, limits.MAX_VERTICES_PER_FEATURE + 1)
    assert limits.collection_problems(above) == [("features[0]: geometry", "more than 200,000 positions (simplify it; see data/FORMAT.md, Limits)")]
    polygon = {"type": "Polygon", "coordinates": [[[0, 0]] * (limits.MAX_VERTICES_PER_FEATURE + 1)]}
    assert limits.count_positions(polygon["coordinates"], limits.MAX_VERTICES_PER_FEATURE) > limits.MAX_VERTICES_PER_FEATURE


def test_limit__features_per_layer_at_and_above():
    assert limits.collection_problems(_collection(limits.MAX_FEATURES_PER_LAYER)) == []
    [(where, message)] = limits.collection_problems(_collection(limits.MAX_FEATURES_PER_LAYER + 1))
    assert where == "features" and "10,001 features; the limit is 10,000 per layer" in message


def test_limit__reported_by_check_as_file_location_message(project, monkeypatch, capsys):
    monkeypatch.setattr(limits, "MAX_VERTICES_PER_FEATURE", 2)
    monkeypatch.chdir(project.root)
    routes = copy.deepcopy(ROUTES)
    routes["features"][3]["geometry"]["coordinates"].insert(1, [42.0, 40.5])
    write_project(project.root, routes=routes)
    code, _, err = cli(capsys, "check", "--root", str(project.root))
    assert code == 2 and "data/layers/routes.geojson: features[3]: geometry: more than 2 positions" in err


@pytest.mark.parametrize("key, limit", [("callouts", limits.MAX_CALLOUTS_PER_MAP), ("labels", limits.MAX_LABELS_PER_MAP)])
def test_limit__callouts_and_labels_per_map_at_and_above(project, key, limit):
    def spec(n):
        return SimpleNamespace(id="test-map", callouts=[None] * n if key == "callouts" else [],
                               labels=["x"] * n if key == "labels" else [])
    problems = Problems()
    check_map_limits([spec(limit)], project.maps, problems)
    assert not problems
    check_map_limits([spec(limit + 1)], project.maps, problems)
    assert [(p.location, p.message) for p in problems.items] == [
        (key, f"{limit + 1:,} {key}; the limit is {limit:,} per map (see data/FORMAT.md, Limits)")]


def test_limit__a_map_with_too_many_callouts_is_refused_by_check(project, capsys):
    callouts = '\n[[callouts]]\nat = "test-pipeline"\ntext = "again"\n' * (limits.MAX_CALLOUTS_PER_MAP + 1)
    (project.maps / "test-map.toml").write_text(MAP_TOML.split("[[callouts]]")[0] + callouts, encoding="utf-8")
    code, _, err = cli(capsys, "check", "--root", str(project.root))
    assert code == 2 and "callouts: 101 callouts; the limit is 100 per map" in err


def _zigzag(n: int):
    from shapely.geometry import LineString

    return LineString([(44.9 if i % 2 == 0 else 45.1, 38.5 + 3.0 * i / n) for i in range(n)])


def test_compare__20000_vertex_zigzag_is_measured_right(project):
    """Before: 4,000 vertices took 76 s in country_interiors alone and 20,000 ran out of memory.
    Here: the answer on 20,000 vertices (19,999 crossings). How the cost grows with vertices
    is measured in bench/compare_scaling.py, not timed here."""
    _, base = compare.load_data(project.root)
    line = _zigzag(20_000)
    m = compare.measure_line(line, compare.country_interiors(line, base["countries"]))
    assert m.border_crossings == 19_999 and m.countries[:3] == ["AAA", "BBB", "AAA"]


def test_compare__linear_ordering_matches_the_reference_on_real_routes():
    """countries_in_order is measure.countries_along with a faster lookup: same answers."""
    from corridor_atlas import measure

    layers, base = compare.load_data(REPO)
    lines = [f.geometry for layer in layers.values() for f in layer.features if f.props.kind in LINE_KINDS]
    assert len(lines) > 10
    from shapely.geometry import MultiLineString

    zig = list(_zigzag(40).coords)
    lines += [MultiLineString([zig[20:], zig[:21]]), MultiLineString([zig[:10], zig[12:]]), _zigzag(41)]
    for line in lines:
        interiors = compare.country_interiors(line, compare.choose_borders(line, base))
        assert compare.countries_in_order(line, interiors) == measure.countries_along(line, interiors)


def test_workers__die_when_the_build_is_killed(tmp_path):
    paths = write_project(tmp_path / "project")
    for i in range(3):
        (paths.maps / f"extra-{i}.toml").write_text(MAP_TOML.replace("Test map", f"Extra {i}"), encoding="utf-8")
    marker = tmp_path / "paused"
    env = {**os.environ, "CORRIDOR_ATLAS_TEST_PAUSE_AT": "wrote extra-0.html", "CORRIDOR_ATLAS_TEST_PAUSE_FILE": str(marker)}
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(paths.root), "--out", str(tmp_path / "site")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # orphans must not hold our pipes
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    workers = _children(proc.pid)
    if (os.cpu_count() or 1) > 1:
        assert workers, "the build used no worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while [w for w in workers if _alive(w)] and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [w for w in workers if _alive(w)]
    for pid in survivors:  # do not leave them running if the test fails
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status is left


# ----------------------------------------------------------------------------- exit 2, not 1


def test_lone_surrogate__refused_by_check_and_build_alike(project, tmp_path):
    text = (project.layers / "routes.geojson").read_text().replace('"Test routes"', '"Test \\ud800 routes"')
    (project.layers / "routes.geojson").write_text(text)
    results = [run(project.root, "check"), run(project.root, "--out", str(tmp_path / "site"))]
    for result in results:
        assert result.returncode == 2, result.stderr
        assert "data/layers/routes.geojson: line 1 column" in result.stderr and "surrogate" in result.stderr


@pytest.mark.parametrize("bounds, message", [
    ("[[-90, 40], [42, 50]]", "bounds must lie within latitude ±85.0"),
    ("[[5e-324, 40], [1e-323, 50]]", "bounds must span at least 0.01° each way"),
    ("[[40, 40], [40.001, 40.001]]", "bounds must span at least 0.01° each way"),
])
def test_comparison_bounds__polar_or_sub_normal__exit_2(project, tmp_path, bounds, message, capsys):
    folder = compare.comparisons_dir(project.root)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.toml").write_text(f'title = "T"\nroutes = ["test-pipeline"]\nbounds = {bounds}\n', encoding="utf-8")
    code, _, err = cli(capsys, "--root", str(project.root), "--out", str(tmp_path / "site"))
    assert code == 2 and "t.toml: (top level): " + message in err, err


def test_invalid_base_polygon__exit_2_not_a_topology_exception(tmp_path, capsys):
    countries = json.loads(json.dumps(COUNTRIES))
    countries["features"][0]["geometry"]["coordinates"] = [[[40, 38], [45, 42], [45, 38], [40, 42], [40, 38]]]  # a bow tie
    paths = write_project(tmp_path / "project", countries=countries)
    for args in (["check"], ["--out", str(tmp_path / "site")]):
        code, _, err = cli(capsys, *args, "--root", str(paths.root))
        assert code == 2, err
        assert "data/base/countries.geojson: features[0]: geometry: invalid geometry: Self-intersection" in err


def test_comparison_with_bom__says_bom(project, capsys):
    folder = compare.comparisons_dir(project.root)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bom.toml").write_text('\ufefftitle = "x"\nroutes = ["test-rail"]\nbounds = [[38, 40], [42, 50]]\n', encoding="utf-8")
    code, _, err = cli(capsys, "compare", "bom", "--root", str(project.root))
    assert code == 2 and "bom.toml: line 1 column 1: invalid TOML: the file starts with a UTF-8 byte order mark" in err


def test_png__missing_or_bad_chromium__exit_2_saying_how_to_install(project, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium"))
    code, _, err = cli(capsys, "--root", str(project.root), "--out", str(tmp_path / "site"), "--png")
    assert code == 2 and "apt-get install -y chromium" in err and not (tmp_path / "site").exists()
    monkeypatch.delenv("CHROMIUM")
    from corridor_atlas import snapshot

    monkeypatch.setattr(snapshot, "_runnable", lambda path: False)
    with pytest.raises(snapshot.SnapshotUnavailable, match="not installed: install it with 'apt-get install -y chromium'"):
        snapshot.chromium_executable()


def test_png__chromium_that_does_not_start__exit_2(project, tmp_path):
    result = run(project.root, "--out", str(tmp_path / "site"), "--png", env={"CHROMIUM": "/bin/true"})
    assert result.returncode == 2, result.stderr
    assert "did not start as Chromium" in result.stderr and "apt-get install -y chromium" in result.stderr


# ----------------------------------------------------------------------------- the terminal

HOSTILE_TEXT = "evil\x1b]0;owned\x07\x1b[2J\u202egpj.exe\x9b31m\x7f"


def test_terminal__escapes_in_file_names_never_reach_the_terminal(project):
    (project.layers / f"{HOSTILE_TEXT}.geojson").write_text(json.dumps(ROUTES), encoding="utf-8")
    result = run(project.root, "check")
    assert result.returncode == 2
    for char in "\x1b\x07\u202e\x9b\x7f":
        assert char not in result.stderr
    assert "evil\\x1b]0;owned\\x07\\x1b[2J\\u202egpj.exe\\x9b31m\\x7f.geojson" in result.stderr


def test_terminal__compare_refuses_control_characters_in_data_and_escapes_them_in_the_message(project, capsys):
    routes = copy.deepcopy(ROUTES)
    routes["features"][2]["properties"]["sponsor"] = HOSTILE_TEXT
    write_project(project.root, routes=routes)
    folder = compare.comparisons_dir(project.root)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.toml").write_text('title = "T"\nroutes = ["test-pipeline"]\nbounds = [[38, 40], [42, 50]]\n', encoding="utf-8")
    for fmt in ("csv", "json", "table"):
        code, out, err = cli(capsys, "compare", "t", "--root", str(project.root), "--format", fmt)
        assert code == 2 and "control character" in err, err
        assert not any(c in out + err for c in "\x1b\x07\u202e\x9b\x7f"), fmt


def test_terminal__csv_json_and_table_escape_control_characters_that_reach_them(project):
    """Defence in depth: validation refuses control characters in text, and the writers escape
    any that reach them all the same (CSV and the table visibly, JSON losslessly)."""
    import io

    from rich.console import Console

    _, rows = compare.compare_set(REPO, "nakhchivan")
    rows = [dict(rows[0], sponsor=HOSTILE_TEXT, name=HOSTILE_TEXT)]
    cset = compare.load_and_check_sets(REPO, compare.load_data(REPO)[0], ["nakhchivan"])[0]
    table = io.StringIO()
    Console(file=table, width=200, force_terminal=False).print(compare.rich_table(cset, rows))
    for out in (compare.to_csv(rows), table.getvalue()):
        assert not any(c in out for c in "\x1b\x07\u202e\x9b\x7f")
        assert "\\x1b" in out
    assert json.loads(compare.to_json(rows))[0]["sponsor"] == HOSTILE_TEXT


def test_terminal_safe__every_control_and_bidi_character():
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x202A, 0x202E, 0x2066, 0x2069, 0x200E, 0x061C]:
        assert terminal_safe(chr(code)).startswith("\\"), hex(code)
    assert terminal_safe("Nakhchivan – Julfa, Ağrı") == "Nakhchivan – Julfa, Ağrı"
    assert terminal_safe("a\nb", keep_newlines=True) == "a\nb"


# ----------------------------------------------------------------------------- the page


def test_page__layer_titled_proto_or_callouts_keeps_every_toggle(tmp_path):
    from .browser import browser, open_page

    routes = copy.deepcopy(ROUTES)
    routes["title"] = "__proto__"
    second = copy.deepcopy(ROUTES)
    second["name"], second["title"] = "second", "Callouts"
    for f in second["features"]:
        f["properties"]["id"] = "second-" + f["properties"]["id"]
        f["properties"]["waypoints"] = ["second-" + w for w in f["properties"].get("waypoints", [])]
    paths = write_project(tmp_path / "project", routes=routes)
    (paths.layers / "second.geojson").write_text(json.dumps(second), encoding="utf-8")
    (paths.maps / "test-map.toml").write_text(MAP_TOML.replace('name = "routes"\n', 'name = "routes"\n\n[[layers]]\nname = "second"\n'),
                                              encoding="utf-8")
    out = tmp_path / "site"
    assert main(["--root", str(paths.root), "--out", str(out)]) == 0
    with browser() as chromium:
        page, log = open_page(chromium, (out / "test-map.html").as_uri())
        try:
            labels = page.eval_on_selector_all(".leaflet-control-layers-overlays label", "ls => ls.map(l => l.textContent.trim())")
            drawn = page.evaluate("Object.keys(window.atlas.layers).map(n => [n, window.atlas.map.hasLayer(window.atlas.layers[n])])")
            proto_clean = page.evaluate("Object.getPrototypeOf({}) === Object.prototype && !('routes' in {})")
        finally:
            page.context.close()
    assert log.page_errors == [] and log.console_errors == []
    assert labels == ["__proto__", "Callouts", "Callouts"]
    assert drawn == [["routes", True], ["second", True]]
    assert proto_clean
