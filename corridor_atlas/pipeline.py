"""The one build function: definitions and data in, a published site out.

Stages run in one direction: fingerprint each page from file bytes and stop if none is
stale → load and validate everything (no output yet) → prepare each stale map → render each
stale page → write them to a staging folder → publish. Any invalid input stops the build
before the first byte is written, with every problem listed. To use both cores, the workers
start preparing pages as soon as every file has parsed cleanly, while this process runs
the rules that read the inputs whole (geography, references); if those fail, the workers
are stopped and nothing is written (`_build_locked`). This process then renders the
comparison pages, whose routes the geographic rules have just measured
(compare.interiors_kept).
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import cache, stage_times
from .errors import InvalidInput, Problems
from .fingerprint import COMPARE_PREFIX, page_fingerprints
from .i18n import country_codes, language_pages, language_prints, load_names, map_page_languages, names_digest
from .output import BuildLock, SiteWriter, check_out_dir, remove_stale_staging
from .safe_read import UnsafeInput, read_input

# The validating loaders, prepare and render import shapely, pyproj, numpy and babel: they
# are imported inside the functions that need them, so that a rebuild with nothing to do
# (decided in fingerprint.py from file bytes) never pays for those imports.


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
    specs: list  # list[spec.MapSpec]
    layers: dict  # dict[str, layers.Layer]
    base: dict  # dict[str, layers.BaseLayer]


def load_inputs(paths: ProjectPaths, only: list[str] | None = None) -> Inputs:
    """Every definition and layer, validated; raises InvalidInput listing all problems."""
    inputs, problems = parse_inputs(paths, only)
    check_inputs(paths, inputs, problems, only)
    return inputs


def parse_inputs(paths: ProjectPaths, only: list[str] | None = None) -> tuple[Inputs, Problems]:
    """The first half of load_inputs: every file read and checked against its schema, and
    the problems so far (not raised). What a page needs to be prepared; `check_inputs` then
    runs the rules that read it whole (geography, references), and a build may start
    preparing pages while they run (_build_locked), publishing nothing unless they pass."""
    from .input_checks import check_map_limits
    from .layers import load_layers
    from .spec import load_specs

    read_inputs(paths)  # FIFOs, links out of the project, huge files: refused before any loader opens them
    problems = Problems()
    with stage_times.stage("read+parse"):
        specs = load_specs(paths.maps, problems, only)
        check_map_limits(specs, paths.maps, problems)
        layers = load_layers(paths.layers, problems)
        base = cache.loaded_base_layers(paths.base, problems)  # load_base_layers, cached per file's bytes
    return Inputs(specs=specs, layers=layers, base=base), problems


def check_inputs(paths: ProjectPaths, inputs: Inputs, problems: Problems, only: list[str] | None = None) -> None:
    """The second half of load_inputs: base polygon validity, places against borders, the
    geographic rules, the timeline, every reference; raises InvalidInput listing all problems
    (those of parse_inputs too)."""
    from .geocheck import check_geography_cached
    from .layers import check_places_against_base
    from .prepare import validate_references
    from .timeline import check_layers as check_timeline

    specs, layers, base = inputs.specs, inputs.layers, inputs.base
    with stage_times.stage("validate"):
        cache.checked_base_geometry(base, problems)  # check_base_geometry, once per base file's bytes
        if "countries" in base:
            check_places_against_base(layers, base["countries"], problems)
        # geographic rules (geocheck.py): countries crossed, land/sea, reported lengths
        problems.extend(check_geography_cached(layers, base, paths.base, problems))  # cached per line while building
        check_timeline(layers, problems)  # timeline.py: a status its own dates contradict
        if not only and not specs and not problems:
            problems.add(paths.maps, "", "no map definitions (*.toml) found")
        broken_layers = {p.stem for p in paths.layers.glob("*.geojson")} - set(layers)
        for spec in specs:
            validate_references(spec, paths.maps / f"{spec.id}.toml", layers, problems, broken_layers)
    if problems:
        raise InvalidInput(problems.items)


def comparisons_dir(root: Path) -> Path:
    return Path(root) / "data" / "comparisons"  # as compare.comparisons_dir, without importing shapely


def input_files(paths: ProjectPaths) -> list[Path]:
    """Every file a build reads as input, in a fixed order (what the fingerprints cover)."""
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


def summary_description(spec, layers: dict, base: dict | None = None) -> str:
    from .describe import country_names, describe_map
    from .prepare import selected_features

    features = [f for ref in spec.layers for f in selected_features(layers[ref.name], ref, layers, spec.layers)]
    return describe_map(spec, features, country_names(base or {}))


Progress = Callable[[str, int, int], None]
MANIFEST = ".corridor-atlas-build.json"
CODE_DIR = Path(__file__).resolve().parent


def fingerprints(paths: ProjectPaths, options: dict) -> dict[str, str]:
    """A content hash per output page (corridor_atlas/fingerprint.py): per map id, and per
    'compare/<set>' for comparison pages.

    Reading and hashing the inputs costs milliseconds; importing the libraries, validating
    and rendering cost seconds, so a rebuild with nothing changed stops here.
    """
    return page_fingerprints(read_inputs(paths), paths.maps, paths.layers, paths.base, comparisons_dir(paths.root), options)


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


JOBS_ENV = "CORRIDOR_ATLAS_JOBS"


def default_workers() -> int:
    """Worker processes when --jobs is not given: $CORRIDOR_ATLAS_JOBS, else DEFAULT_JOBS
    (measured: see docs/benchmark.md, "Workers")."""
    env = os.environ.get(JOBS_ENV, "")
    return int(env) if env.isdigit() and int(env) > 0 else DEFAULT_JOBS


DEFAULT_JOBS = 2

_I18N_STATE: dict = {}
_WORKER_STATE: tuple | None = None  # (inputs, comparison sets), inherited by forked workers


def _run_job(job: tuple, asset_mode: str, tiles: str | None, png: bool, base_url: str | None = None) -> tuple:
    """One unit of work, with no I/O: a map page, or a comparison page."""
    from .compare_page import render_comparison
    from .export import map_data
    from .prepare import prepare_map
    from .render import render_page

    inputs, comparisons = _WORKER_STATE
    kind, index = job
    timed_before = stage_times.snapshot()
    try:
        if kind == "map":
            spec = inputs.specs[index]
            with stage_times.stage("prepare"):
                prepared = prepare_map(spec, inputs.layers, inputs.base, tiles_override=tiles)
            langs, names, country_iso = _I18N_STATE[spec.id], _I18N_STATE["names"], _I18N_STATE["country_iso"]
            with stage_times.stage("render"):
                pages = {lang: render_page(prepared, asset_mode=asset_mode, png_name=f"{spec.id}.png" if png else None,
                                           base_url=base_url, lang=lang, languages=langs, names=names, country_iso=country_iso)
                         for lang in langs}
            html = pages.pop("en")
            with stage_times.stage("render"):
                data = map_data(prepared, inputs.layers)
            # the page, its "Download data" file, its warnings (placement.py: labels and callouts), its other languages
            return html, prepared.description, data, prepared.advice, pages
        with stage_times.stage("comparison page"):
            return render_comparison(comparisons[index], inputs.layers, inputs.base)
    finally:
        stage_times.report_since(f"{kind}:{inputs.specs[index].id if kind == 'map' else comparisons[index].id}", timed_before)


def expected_cost(job: tuple) -> float:
    """A rough guess of a job's time, to start the longest first (then two workers finish
    together instead of one waiting while the other does the widest map last): a map's
    basemap, water and labels grow with its view's area and its detail doubles per zoom
    level; a comparison page is cheaper than any map. Only the order matters."""
    kind, index = job
    if kind != "map":
        return 0.0
    view = _WORKER_STATE[0].specs[index].view
    if view.bounds:
        (south, west), (north, east) = view.bounds
        area = (east - west) * (north - south)
    else:
        area = (720.0 / 2 ** view.zoom) ** 2 / 1.6
    return 1.0 + area * 2 ** view.max_zoom


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


def _start_worker(parent_pid: int) -> None:
    """Pool initializer: die with the build; time only this worker's own stages; collect
    garbage again (forked while the build paused it, its inputs frozen: _build_locked)."""
    _die_with_parent(parent_pid)
    stage_times.forget()
    gc.enable()


def _run_all(inputs: Inputs, comparisons: list, jobs: list[tuple], asset_mode: str, tiles: str | None, png: bool,
             workers: int, base_url: str | None = None, alongside: int = 0):
    """Yield None as soon as the work has started, then (job, result) in job order,
    spreading the jobs over up to `workers` processes, the costliest first (expected_cost).

    The first None lets the caller finish validating (and run `alongside` jobs of its own)
    while the workers prepare pages (_build_locked); closing the generator then stops the
    workers at once. In-process (one worker, one job in all, no fork) nothing runs before
    the second step.
    """
    global _WORKER_STATE
    _WORKER_STATE = (inputs, comparisons)
    try:
        if workers > 1 and jobs and len(jobs) + alongside > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            gc.freeze()  # the inputs live as long as the build: no collection here or in a worker scans them again
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                                     initializer=_start_worker, initargs=(os.getpid(),)) as pool:
                futures = {job: pool.submit(_run_job, job, asset_mode, tiles, png, base_url)
                           for job in sorted(jobs, key=expected_cost, reverse=True)}
                try:
                    yield None
                except GeneratorExit:  # the inputs failed validation: nothing will be published
                    _stop(pool)
                    raise
                for job in jobs:
                    with stage_times.stage("waiting for workers"):
                        result = futures[job].result()
                    yield job, result
        else:
            yield None
            for job in jobs:
                yield job, _run_job(job, asset_mode, tiles, png, base_url)
    finally:
        _WORKER_STATE = None


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers without waiting for their pages."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


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
    base_url: str | None = None,
    advice: list | None = None,
    langs: list[str] | None = None,
) -> list[BuiltMap]:
    """Build the named maps (all if none) and the index; publish only if every page rendered.

    Incremental: a page (map or comparison) whose fingerprint (fingerprint.py: the bytes of
    the inputs that page reads) matches the last build's and whose file is intact is not
    rebuilt; if nothing changed, nothing is validated again and no heavy library is even
    imported. When anything is stale every input is validated (geography included) before
    a byte is written. Returns the maps that were (re)built. The cache is verified: a page
    that is missing or whose bytes differ from what the manifest recorded is rebuilt.

    `workers`: processes for the pages (None: default_workers()). `base_url`: where the site
    will be published (site.check_base_url), for absolute embed code and social tags.
    `advice`: a list the build appends its warnings to (advice.Advice) when it validates.

    The output folder is checked first (output.check_out_dir) and locked for the whole
    build, so two builds into one folder wait for each other instead of interleaving.
    """
    check_out_dir(out_dir, paths.root, [paths.maps, paths.layers.parent, CODE_DIR], MANIFEST)
    out_dir = Path(os.path.abspath(out_dir))
    collecting = gc.isenabled()
    try:
        with BuildLock(out_dir), cache.activated(cache.cache_dir_for(out_dir) if incremental else None):
            return _build_locked(paths, out_dir, only, asset_mode, tiles, progress, png, workers, incremental, base_url, advice, langs)
    finally:
        gc.unfreeze()  # _run_all froze the build's inputs for its workers: collectable again
        if collecting:
            gc.enable()  # _build_locked paused it while parsing
        stage_times.report("build")  # CORRIDOR_ATLAS_TIMINGS=1: this process's stages on stderr


def _build_locked(paths: ProjectPaths, out_dir: Path, only: list[str] | None, asset_mode: str, tiles: str | None,
                  progress: Progress | None, png: bool, workers: int | None, incremental: bool,
                  base_url: str | None = None, advice: list | None = None, langs: list[str] | None = None) -> list:
    remove_stale_staging(out_dir, time.time())  # leftovers of killed builds, even if nothing needs rebuilding
    options = {"asset_mode": asset_mode, "tiles": tiles, "png": png, "base_url": base_url,
               "langs": sorted(langs or []), "names": names_digest(paths.root)}  # i18n: every page's languages and names
    with stage_times.stage("fingerprints"):
        prints = fingerprints(paths, options)  # stdlib only: nothing heavy is imported before this decision
    page_langs = map_page_languages(paths, langs)  # {map id: ["en", ...]} from the definitions' `lang`
    lang_prints = language_prints(prints, page_langs)  # "<map>.<lang>" pages
    manifest = _read_manifest(out_dir) if incremental else {}
    map_ids = sorted(k for k in prints if not k.startswith(COMPARE_PREFIX))
    wanted = only or map_ids

    def page_fresh(key: str, filename: str) -> bool:
        return manifest.get(key) == prints.get(key) and _intact(out_dir, filename, manifest)

    def up_to_date(map_id: str) -> bool:
        return (page_fresh(map_id, f"{map_id}.html") and _intact(out_dir, f"data/{map_id}.geojson", manifest)
                and all(manifest.get(k) == lang_prints[k] and _intact(out_dir, f, manifest)
                        for k, f in language_pages(map_id, page_langs))
                and (not png or _intact(out_dir, f"{map_id}.png", manifest))
                # a story's example article (story.py), if the last build wrote one
                and (f"{map_id}.article.html" not in manifest.get(FILES_KEY, {}) or _intact(out_dir, f"{map_id}.article.html", manifest)))

    def comparison_fresh(set_id: str) -> bool:
        return page_fresh(COMPARE_PREFIX + set_id, f"compare-{set_id}.html")

    set_ids = sorted(k[len(COMPARE_PREFIX):] for k in prints if k.startswith(COMPARE_PREFIX))
    if (all(up_to_date(m) for m in wanted) and all(comparison_fresh(c) for c in set_ids)
            and manifest.get("__index__") == _index_print({**prints, **lang_prints}) and _intact(out_dir, "index.html", manifest)):
        return []

    # something is stale: validate everything (geography included) before writing a byte
    with stage_times.stage("imports"):
        from .compare import interiors_kept, load_and_check_sets
        from .compare_page import BuiltComparison
        from .site import BuiltMap, render_index
        from .snapshot import photograph

    collecting = gc.isenabled()
    gc.disable()  # until the workers fork (then frozen: _run_all): the inputs live as long as the build, and the
    # collector scanning them again and again, here and in each worker, was ~0.5 s of a cold build's CPU
    inputs, problems = parse_inputs(paths, only)
    comparisons = None
    if not problems:
        try:
            comparisons = load_and_check_sets(paths.root, inputs.layers)  # data/comparisons/*.toml, validated
        except InvalidInput:
            pass
    if comparisons is None:  # a problem already: validate everything and list every problem before anything starts (raises)
        check_inputs(paths, inputs, problems, only)
        comparisons = load_and_check_sets(paths.root, inputs.layers)
    todo = [i for i, spec in enumerate(inputs.specs) if not up_to_date(spec.id)]
    stale_sets = [k for k, cset in enumerate(comparisons) if not comparison_fresh(cset.id)]
    built: list[BuiltMap] = []
    workers = workers if workers is not None else default_workers()
    jobs = [("map", i) for i in todo]
    _I18N_STATE.clear()  # read by _run_job (forked workers inherit it): each map's languages, names.json, country codes
    _I18N_STATE.update(page_langs, names=load_names(paths.root), country_iso=country_codes(inputs.base))
    compared: dict[str, BuiltComparison] = {}
    runner = _run_all(inputs, comparisons, jobs, asset_mode, tiles, png, workers, base_url, alongside=len(stale_sets))
    if todo:
        from .geocheck import preload_water

        preload_water(inputs.base, paths.base)  # parsed once here, inherited by the workers' sea labels
    next(runner)  # the workers start preparing pages while the rest of the validation runs here
    if collecting:
        gc.enable()
    try:
        with interiors_kept():  # the comparison pages measure routes the geographic rules have just measured
            check_inputs(paths, inputs, problems, only)  # geography, references: raises, and then nothing is published
            with stage_times.stage("comparison pages"):  # in this process now (each page also timed as compare:<set>)
                compared_here = [(("compare", k), _run_job(("compare", k), asset_mode, tiles, png, base_url)) for k in stale_sets]
    except BaseException:
        runner.close()  # stops the workers
        raise
    if advice is not None:
        from .coverage import coverage_advice

        advice.extend(coverage_advice(inputs.specs, inputs.layers))
    with SiteWriter(out_dir) as writer:
        for (kind, i), result in itertools.chain(compared_here, runner):
            if kind == "compare":
                filename, html, routes = result
                cset = comparisons[i]
                compared[cset.id] = BuiltComparison(cset.id, cset.title, cset.description, filename, routes,
                                                    writer.write(filename, html))
                continue
            html, description, data, map_advice, translated = result
            if advice is not None:
                advice.extend(map_advice)
            spec = inputs.specs[i]
            size = writer.write(f"{spec.id}.html", html)
            writer.write(f"data/{spec.id}.geojson", data)  # export.map_data_name: what the page's download link names
            if spec.steps:  # story.py: an example article that drives the map's steps from its paragraphs
                from .story import article_filename, article_html

                writer.write(article_filename(spec.id), article_html(spec, f"{spec.id}.html"))
            translations = tuple((lang, f"{spec.id}.{lang}.html", writer.write(f"{spec.id}.{lang}.html", page))
                                 for lang, page in translated.items())
            for lang, filename, page_size in translations:
                if progress:
                    progress(f"{spec.id}.{lang}", page_size, len(todo))
            built.append(BuiltMap(spec, f"{spec.id}.html", description, size, f"{spec.id}.png" if png else None,
                                  tuple((lang, filename) for lang, filename, _ in translations)))
            if progress:
                progress(spec.id, size, len(todo))
        for cset in comparisons:  # unchanged comparison pages, listed as the index lists them
            if cset.id not in compared:
                page = out_dir / f"compare-{cset.id}.html"
                compared[cset.id] = BuiltComparison(cset.id, cset.title, cset.description, page.name, len(cset.routes),
                                                    page.stat().st_size)
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
                index_maps.append(BuiltMap(spec, page.name, summary_description(spec, inputs.layers, inputs.base), page.stat().st_size,
                                           png_file.name if png_file.exists() else None,
                                           tuple((lang, f) for lang, f in language_pages(spec.id, page_langs, keys=False)
                                                 if (out_dir / f).is_file())))
        writer.write("index.html", render_index(index_maps, [compared[c.id] for c in comparisons], base_url))
        new_manifest = {k: v for k, v in manifest.items() if k in prints or k in lang_prints}
        new_manifest.update({m.spec.id: prints[m.spec.id] for m in built})
        new_manifest.update({k: lang_prints[k] for m in built for k, _ in language_pages(m.spec.id, page_langs)})
        new_manifest.update({COMPARE_PREFIX + c: prints[COMPARE_PREFIX + c] for c in compared})
        if not only:
            new_manifest["__index__"] = _index_print({**prints, **lang_prints})
        kept = {n: d for n, d in manifest.get(FILES_KEY, {}).items() if n not in writer.digests and (out_dir / n).is_file()}
        new_manifest[FILES_KEY] = dict(sorted({**kept, **writer.digests}.items()))
        writer.write(MANIFEST, json.dumps(new_manifest, sort_keys=True, indent=1) + "\n")
        writer.publish()
    return built


def _all_specs(paths: ProjectPaths) -> list:
    """Every definition, for the gallery of a partial build: the data is already loaded and
    validated, so only the definitions are read again."""
    from .spec import load_specs

    problems = Problems()
    specs = load_specs(paths.maps, problems)
    if problems:
        raise InvalidInput(problems.items)
    return specs


def _index_print(prints: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(prints, sort_keys=True).encode()).hexdigest()
