"""The one build function: definitions and data in, a published site out.

Stages run in one direction: load and validate everything (no output yet) → prepare each
map → render each page → write all pages to a staging folder → publish. Any invalid input
stops the build before the first byte is written, with every problem listed.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InvalidInput, Problems
from .geocheck import check_geography, load_water
from .layers import BaseLayer, Layer, check_places_against_base, load_base_layers, load_layers
from .input_checks import check_base_geometry, check_map_limits
from .output import BuildLock, SiteWriter, check_out_dir, remove_stale_staging
from .safe_read import UnsafeInput, read_input
from .prepare import prepare_map, selected_features, validate_references
from .describe import describe_map
from .render import render_page
from .site import BuiltMap, render_index
from .compare import comparisons_dir, load_and_check_sets
from .compare_page import BuiltComparison, render_comparison
from .snapshot import photograph
from .spec import MapSpec, load_specs



@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def maps(self) -> Path:
        return self.root / "maps"

    @property
    def layers(self) -> Path:
        return self.root / "data" / "layers"

    @property
    def base(self) -> Path:
        return self.root / "data" / "base"


@dataclass
class Inputs:
    specs: list[MapSpec]
    layers: dict[str, Layer]
    base: dict[str, BaseLayer]


def load_inputs(paths: ProjectPaths, only: list[str] | None = None) -> Inputs:
    """Every definition and layer, validated; raises InvalidInput listing all problems."""
    read_inputs(paths)  # FIFOs, links out of the project, huge files: refused before any loader opens them
    problems = Problems()
    specs = load_specs(paths.maps, problems, only)
    check_map_limits(specs, paths.maps, problems)
    layers = load_layers(paths.layers, problems)
    base = load_base_layers(paths.base, problems)
    check_base_geometry(base, problems)
    if "countries" in base:
        check_places_against_base(layers, base["countries"], problems)
    # geographic rules (geocheck.py): countries crossed, land/sea, reported lengths
    problems.extend(check_geography(layers, base, load_water(paths.base, problems)))
    if not only and not specs and not problems:
        problems.add(paths.maps, "", "no map definitions (*.toml) found")
    broken_layers = {p.stem for p in paths.layers.glob("*.geojson")} - set(layers)
    for spec in specs:
        validate_references(spec, paths.maps / f"{spec.id}.toml", layers, problems, broken_layers)
    if problems:
        raise InvalidInput(problems.items)
    return Inputs(specs=specs, layers=layers, base=base)


def input_files(paths: ProjectPaths) -> list[Path]:
    """Every file a build reads as input, in a fixed order (what the fingerprint covers)."""
    return (sorted(paths.maps.glob("*.toml")) + sorted(paths.layers.glob("*.geojson")) + sorted(paths.base.glob("*.geojson"))
            + sorted(comparisons_dir(paths.root).glob("*.toml")))


def read_inputs(paths: ProjectPaths) -> dict[Path, bytes]:
    """The bytes of every input file, read safely (corridor_atlas/safe_read.py); raises InvalidInput.

    `build` fingerprints these bytes and `check` calls this too, so the two always agree on
    what is readable, and no loader ever opens a FIFO, a device or a file over the size limit.
    """
    problems = Problems()
    out: dict[Path, bytes] = {}
    for path in input_files(paths):
        try:
            out[path] = read_input(path, paths.root)
        except UnsafeInput as exc:
            problems.add(path, "", str(exc))
    if problems:
        raise InvalidInput(problems.items)
    return out


def summary_description(spec: MapSpec, layers: dict[str, Layer]) -> str:
    features = [f for ref in spec.layers for f in selected_features(layers[ref.name], ref, layers)]
    return describe_map(spec, features)


Progress = Callable[[str, int, int], None]
MANIFEST = ".corridor-atlas-build.json"
CODE_DIR = Path(__file__).resolve().parent


def _digest_files(files: list[Path], contents: dict[Path, bytes] | None = None) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(contents[f] if contents is not None else f.read_bytes())
    return h.hexdigest()


def fingerprints(paths: ProjectPaths, options: dict) -> dict[str, str]:
    """A content hash per map: its definition, all data, the code and the build options.

    Reading and hashing the inputs costs milliseconds; validating and rendering them costs
    seconds, so a rebuild with nothing changed stops here.
    """
    contents = read_inputs(paths)
    code = _digest_files(sorted(CODE_DIR.rglob("*.py")) + sorted((CODE_DIR / "static").glob("*")))
    data = _digest_files([p for p in contents if p.parent != paths.maps], contents)
    shared = hashlib.sha256(json.dumps([code, data, options], sort_keys=True).encode()).hexdigest()
    return {
        p.stem: hashlib.sha256((shared + hashlib.sha256(contents[p]).hexdigest()).encode()).hexdigest()
        for p in contents if p.parent == paths.maps
    }


FILES_KEY = "__files__"  # in the manifest: sha256 of every file the build wrote, to verify the cache


def _read_manifest(out_dir: Path) -> dict:
    """The last build's manifest; anything unreadable or malformed is no manifest (a full build)."""
    try:
        data = json.loads(read_input(out_dir / MANIFEST, out_dir, limit=1 << 20).decode("utf-8"))
    except (UnsafeInput, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    files = data.get(FILES_KEY)
    clean = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
    if isinstance(files, dict):
        clean[FILES_KEY] = {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}
    return clean


def _intact(out_dir: Path, name: str, manifest: dict) -> bool:
    """The file is there, a regular file, and byte for byte what the last build wrote."""
    expected = manifest.get(FILES_KEY, {}).get(name)
    if expected is None:
        return False
    try:
        return hashlib.sha256(read_input(out_dir / name, out_dir)).hexdigest() == expected
    except UnsafeInput:
        return False


_WORKER_STATE: tuple | None = None  # (inputs, comparison sets), inherited by forked workers


def _run_job(job: tuple, asset_mode: str, tiles: str | None, png: bool) -> tuple:
    """One unit of work, with no I/O: a map page, or a comparison page."""
    inputs, comparisons = _WORKER_STATE
    kind, index = job
    if kind == "map":
        spec = inputs.specs[index]
        prepared = prepare_map(spec, inputs.layers, inputs.base, tiles_override=tiles)
        html = render_page(prepared, asset_mode=asset_mode, png_name=f"{spec.id}.png" if png else None)
        return html, prepared.description
    return render_comparison(comparisons[index], inputs.layers, inputs.base)


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: a worker must not outlive its build (kill -9 of the build included).

    Linux: the kernel sends SIGKILL to the worker when its parent dies (prctl
    PR_SET_PDEATHSIG). Elsewhere a daemon thread polls the parent's pid. Either way, if the
    parent is already gone by the time this runs, the worker exits at once.
    """
    import ctypes
    import signal
    import threading

    armed = False
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            armed = ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="die-with-parent").start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _run_all(inputs: Inputs, comparisons: list, jobs: list[tuple], asset_mode: str, tiles: str | None, png: bool,
             workers: int):
    """Yield (job, result) in job order, spreading the jobs over up to `workers` processes."""
    global _WORKER_STATE
    _WORKER_STATE = (inputs, comparisons)
    try:
        if workers > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                                     initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
                futures = [pool.submit(_run_job, job, asset_mode, tiles, png) for job in jobs]
                for job, future in zip(jobs, futures):
                    yield job, future.result()
        else:
            for job in jobs:
                yield job, _run_job(job, asset_mode, tiles, png)
    finally:
        _WORKER_STATE = None


def build_site(
    paths: ProjectPaths,
    out_dir: Path,
    only: list[str] | None = None,
    asset_mode: str = "inline",
    tiles: str | None = None,
    progress: Progress | None = None,
    png: bool = False,
    workers: int | None = None,
    incremental: bool = True,
) -> list[BuiltMap]:
    """Build the named maps (all if none) and the index; publish only if every page rendered.

    Incremental: a map whose fingerprint matches the last build's and whose page is still
    there is not rebuilt; if nothing changed, nothing is even validated again. Returns the
    maps that were (re)built. The cache is verified: a page that is missing or whose bytes
    differ from what the manifest recorded is rebuilt.

    The output folder is checked first (output.check_out_dir) and locked for the whole
    build, so two builds into one folder wait for each other instead of interleaving.
    """
    check_out_dir(out_dir, paths.root, [paths.maps, paths.layers.parent, CODE_DIR], MANIFEST)
    out_dir = Path(os.path.abspath(out_dir))
    with BuildLock(out_dir):
        return _build_locked(paths, out_dir, only, asset_mode, tiles, progress, png, workers, incremental)


def _build_locked(paths: ProjectPaths, out_dir: Path, only: list[str] | None, asset_mode: str, tiles: str | None,
                  progress: Progress | None, png: bool, workers: int | None, incremental: bool) -> list[BuiltMap]:
    remove_stale_staging(out_dir, time.time())  # leftovers of killed builds, even if nothing needs rebuilding
    options = {"asset_mode": asset_mode, "tiles": tiles, "png": png}
    prints = fingerprints(paths, options)
    manifest = _read_manifest(out_dir) if incremental else {}
    wanted = only or sorted(prints)

    def up_to_date(map_id: str) -> bool:
        return (
            manifest.get(map_id) == prints.get(map_id)
            and _intact(out_dir, f"{map_id}.html", manifest)
            and (not png or _intact(out_dir, f"{map_id}.png", manifest))
        )

    others = [name for name in manifest.get(FILES_KEY, {}) if name.startswith("compare-")]  # comparison pages
    if (all(up_to_date(m) for m in wanted) and manifest.get("__index__") == _index_print(prints)
            and _intact(out_dir, "index.html", manifest) and all(_intact(out_dir, n, manifest) for n in others)):
        return []

    inputs = load_inputs(paths, only)
    comparisons = load_and_check_sets(paths.root, inputs.layers)  # data/comparisons/*.toml, validated
    todo = [i for i, spec in enumerate(inputs.specs) if not up_to_date(spec.id)]
    built: list[BuiltMap] = []
    workers = workers if workers is not None else (os.cpu_count() or 1)
    jobs = [("map", i) for i in todo] + [("compare", k) for k in range(len(comparisons))]
    compared: list[BuiltComparison] = []
    with SiteWriter(out_dir) as writer:
        for (kind, i), result in _run_all(inputs, comparisons, jobs, asset_mode, tiles, png, workers):
            if kind == "compare":
                filename, html, routes = result
                cset = comparisons[i]
                compared.append(BuiltComparison(cset.id, cset.title, cset.description, filename, routes,
                                                writer.write(filename, html)))
                continue
            html, description = result
            spec = inputs.specs[i]
            size = writer.write(f"{spec.id}.html", html)
            built.append(BuiltMap(spec, f"{spec.id}.html", description, size, f"{spec.id}.png" if png else None))
            if progress:
                progress(spec.id, size, len(todo))
        if png and built:
            shots = photograph([writer.staged_path(m.filename) for m in built])
            for m in built:
                writer.write(m.png, shots[writer.staged_path(m.filename)])
        all_specs = inputs.specs if not only else _all_specs(paths)
        fresh = {m.spec.id: m for m in built}
        index_maps = []
        for spec in all_specs:
            if spec.id in fresh:
                index_maps.append(fresh[spec.id])
                continue
            page = out_dir / f"{spec.id}.html"
            if page.exists():  # built earlier and unchanged, or built by an earlier partial build
                png_file = out_dir / f"{spec.id}.png"
                index_maps.append(BuiltMap(spec, page.name, summary_description(spec, inputs.layers), page.stat().st_size,
                                           png_file.name if png_file.exists() else None))
        writer.write("index.html", render_index(index_maps, compared))
        new_manifest = {k: v for k, v in manifest.items() if k in prints}
        new_manifest.update({m.spec.id: prints[m.spec.id] for m in built})
        if not only:
            new_manifest["__index__"] = _index_print(prints)
        kept = {n: d for n, d in manifest.get(FILES_KEY, {}).items() if n not in writer.digests and (out_dir / n).is_file()}
        new_manifest[FILES_KEY] = dict(sorted({**kept, **writer.digests}.items()))
        writer.write(MANIFEST, json.dumps(new_manifest, sort_keys=True, indent=1) + "\n")
        writer.publish()
    return built


def _all_specs(paths: ProjectPaths) -> list[MapSpec]:
    """Every definition, for the gallery of a partial build: the data is already loaded and
    validated, so only the definitions are read again."""
    problems = Problems()
    specs = load_specs(paths.maps, problems)
    if problems:
        raise InvalidInput(problems.items)
    return specs


def _index_print(prints: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(prints, sort_keys=True).encode()).hexdigest()
