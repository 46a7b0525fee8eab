"""A content-addressed cache of work that depends only on input bytes (issue 15).

What cost most of a build that has only a little to do (one layer edited): the geographic
verdict of every curated line (geocheck.py, with the water polygons it reads), loading and
validating the base borders (layers.load_base_layers, input_checks.check_base_geometry), and
the basemap each map clips, simplifies and rounds (simplify.prepare_coverage). All are pure
functions of bytes the build already reads, so their results are kept under a key that
hashes exactly those bytes and the package code (fingerprint.code_digest: every .py and
static file, and the embedded libraries' versions). Namespaces: ``geocheck``, ``water``,
``base-layer``, ``base-valid``, ``basemap``, ``placement`` (docs/benchmark.md, "The build cache").

Where: ``.<out>.cache/`` beside the output folder (next to the build lock), never in the
site that is published and never in ``data/``. One file per entry, written atomically
(a temporary file, then ``os.replace``), so forked workers may write entries too.

Safety: an entry stores its key and a sha256 of its value; an entry that is missing,
unreadable, truncated, for another key or whose checksum does not match is a miss, and the
work is done again. A bad cache costs time, never a wrong verdict.

Standard library only at import: the no-change rebuild imports this module for nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Entries kept per namespace; beyond this the least recently used are deleted.
MAX_ENTRIES = 2048

_active: "Store | None" = None


def digest(*parts) -> str:
    """sha256 of JSON-encoded parts (str, numbers, lists, dicts; bytes hashed first)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, (bytes, bytearray, memoryview)):
            h.update(b"b" + hashlib.sha256(part).digest())
        else:
            h.update(b"j" + json.dumps(part, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def file_sha(path: Path) -> str:
    """sha256 of a file's bytes (an input the build has already read and checked)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cache_dir_for(out_dir: Path) -> Path:
    """``.<out>.cache`` beside the output folder, like the build lock (output.BuildLock)."""
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.parent / f".{out_dir.name}.cache"


class Store:
    """Key → JSON value, one file per entry under ``root/<namespace>/``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._code: str | None = None
        self.written = False  # trimmed at the end only if something was added

    def code(self) -> str:
        """The package code and library versions, computed once per store (part of every key)."""
        if self._code is None:
            from .fingerprint import code_digest

            self._code = code_digest()
        return self._code

    def _path(self, namespace: str, key: str) -> Path:
        return self.root / namespace / f"{key}.json"

    def get(self, namespace: str, key: str):
        """The value stored under ``key``, or None for a miss (absent or not exactly what was written)."""
        path = self._path(namespace, key)
        try:
            with open(path, "rb") as fh:
                entry = json.loads(fh.read(64 << 20))
            value = entry["value"]
            if entry["key"] != key or entry["sha256"] != digest(value):
                return None
            os.utime(path)  # recently used: kept when the namespace is trimmed
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return value

    def put(self, namespace: str, key: str, value) -> None:
        """Store ``value`` (JSON-serialisable); a failure to write is ignored (the cache is optional)."""
        folder = self.root / namespace
        payload = json.dumps({"key": key, "sha256": digest(value), "value": value}, sort_keys=True, separators=(",", ":"))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, folder / f"{key}.json")
            self.written = True
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def trim(self) -> None:
        """Keep the MAX_ENTRIES most recently used entries of each namespace; drop stray temp files."""
        try:
            folders = [p for p in self.root.iterdir() if p.is_dir() and not p.is_symlink()]
        except OSError:
            return
        for folder in folders:
            with contextlib.suppress(OSError):
                entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
                for stale in entries[MAX_ENTRIES:] + [p for p in entries if p.name.startswith(".tmp-")]:
                    stale.unlink(missing_ok=True)


def active() -> Store | None:
    """The store of the running build, or None (no caching: `check`, --force, library use)."""
    return _active


@contextlib.contextmanager
def activated(root: Path | None) -> Iterator[Store | None]:
    """Use a store at ``root`` for the duration (None: no caching). Forked workers inherit it."""
    global _active
    previous, _active = _active, (Store(root) if root is not None else None)
    try:
        yield _active
    finally:
        if _active is not None and _active.written:
            _active.trim()
        _active = previous


def prepared_coverage(geometries: list, extent, max_zoom: int, hole=None) -> list:
    """simplify.prepare_coverage, kept per (exact input polygons, extent, zoom, hole, package code).

    The basemap of a map is the same from build to build and from map to map of one region;
    clipping, simplifying and rounding it is the largest part of preparing a page. Stored as
    WKB (exact doubles), so a hit is the very geometry a miss would compute.
    """
    import shapely

    from .simplify import prepare_coverage

    store = active()
    if store is None:
        return prepare_coverage(geometries, extent, max_zoom, hole)
    wkb = shapely.to_wkb(geometries) if geometries else []
    key = digest(store.code(), [hashlib.sha256(w).hexdigest() for w in wkb],
                 [extent.west, extent.south, extent.east, extent.north], max_zoom,
                 None if hole is None else [hole.west, hole.south, hole.east, hole.north])
    value = store.get("basemap", key)
    if isinstance(value, list) and len(value) == len(geometries):
        try:
            return [None if v is None else _from_stored(*v) for v in value]
        except (ValueError, TypeError, shapely.errors.GEOSException):
            pass  # damaged in a way the checksum missed: recompute
    out = prepare_coverage(geometries, extent, max_zoom, hole)
    store.put("basemap", key, [None if g is None else [shapely.to_wkb(g, hex=True), shapely.get_precision(g)] for g in out])
    return out


def _from_stored(wkb_hex: str, precision: float):
    """A geometry back from WKB with the precision grid it had: later overlays (the label
    spots) snap to that grid, so without it a hit would give different label positions."""
    import shapely

    geom = shapely.from_wkb(bytes.fromhex(wkb_hex))
    return shapely.set_precision(geom, float(precision), mode="pointwise") if precision else geom


def checked_base_geometry(base: dict, problems) -> None:
    """input_checks.check_base_geometry, skipped for a base file whose exact bytes passed it
    before (GEOS validity of every polygon: ~0.1 s a build). Same effect on ``base``: a file
    with an invalid polygon is reported and taken out."""
    from .input_checks import check_base_geometry

    store = active()
    if store is None:
        check_base_geometry(base, problems)
        return
    keys = {name: digest(store.code(), file_sha(layer.path)) for name, layer in base.items()}
    unknown = {name: layer for name, layer in base.items() if store.get("base-valid", keys[name]) is not True}
    check_base_geometry(unknown, problems)  # removes the invalid ones from `unknown`
    for name in list(keys):
        if name in unknown:
            store.put("base-valid", keys[name], True)
        elif store.get("base-valid", keys[name]) is not True:
            del base[name]


def loaded_base_layers(base_dir: Path, problems) -> dict:
    """layers.load_base_layers, each file kept as validated properties and WKB per its bytes.

    Parsing and validating ~2.5 MB of border GeoJSON is ~0.2 s of every stale build; a file
    whose exact bytes loaded without a problem before is rebuilt from the cache instead (the
    same properties, the same geometry). A file with problems is loaded, and reported, every time.
    """
    from .layers import BASE_FILES, load_base_layer, load_base_layers

    store = active()
    paths = {name: Path(base_dir) / f"{name}.geojson" for name in BASE_FILES}
    if store is None or not paths["countries"].is_file():
        return load_base_layers(base_dir, problems)  # also says what is missing
    base = {}
    for name, path in paths.items():
        if not path.exists():
            continue
        key = digest(store.code(), file_sha(path))
        layer = _base_from_stored(name, path, store.get("base-layer", key))
        if layer is None:
            before = len(problems)
            layer = load_base_layer(path, problems)
            if layer is not None and len(problems) == before:
                store.put("base-layer", key, {
                    "attribution": layer.attribution, "licence": layer.licence,
                    "features": [[f.props.model_dump(mode="json"), _wkb_hex(f.geometry)] for f in layer.features]})
        if layer is not None:
            base[name] = layer
    return base


def _wkb_hex(geom) -> str:
    import shapely

    return shapely.to_wkb(geom, hex=True)


def _base_from_stored(name: str, path: Path, value):
    """A BaseLayer back from its cache entry, or None if the entry is not one."""
    import shapely

    from .layers import BaseFeature, BaseLayer, BaseProperties

    try:
        features = [BaseFeature(props=BaseProperties.model_validate(props), geometry=shapely.from_wkb(bytes.fromhex(wkb)))
                    for props, wkb in value["features"]]
        return BaseLayer(name=name, path=path, attribution=value["attribution"], licence=value["licence"], features=features)
    except Exception:  # noqa: BLE001  (absent, malformed or invalid entry: a miss, never an error)
        return None


def placed_map(map_id: str, spec_view, callouts: list, features: list[dict], shown_layers: set[str],
               max_bounds, view_bounds, callout_geoms: dict, base_dir: Path | None, extent_box,
               country_labels=(), time_bar: bool = False, rtl: bool = False):
    """placement.place_map, kept per exact inputs (the prepared features, the view, the
    callouts, their features' geometry, the water file and the package code).

    Placing callouts and labels on four reference screens is the largest part of preparing
    a page; its inputs are the page's own data, so an unchanged map reuses it.
    """
    from .advice import Advice
    from .placement import MapPlacement, place_map

    args = (map_id, spec_view, callouts, features, shown_layers, max_bounds, view_bounds, callout_geoms,
            base_dir, extent_box, country_labels, time_bar, rtl)  # rtl: a right-to-left page's layout (i18n.py)
    store = active()
    if store is None:
        return place_map(*args)
    water = Path(base_dir) / "water.geojson" if base_dir else None
    try:
        key = digest(store.code(), map_id, spec_view.model_dump(mode="json"),
                     [c.model_dump(mode="json") for c in callouts], features, sorted(shown_layers),
                     max_bounds, view_bounds,
                     {at: _wkb_hex(g) for at, g in sorted(callout_geoms.items())},
                     file_sha(water) if water and water.is_file() else None,
                     _wkb_hex(extent_box), list(country_labels), time_bar, *([rtl] if rtl else []))
    except (TypeError, ValueError, OSError):
        return place_map(*args)  # something not plainly serialisable: do the work
    value = store.get("placement", key)
    if isinstance(value, dict):
        try:
            return MapPlacement(value["callouts"], value["route_labels"], value["sea_labels"],
                                [Advice(*a) for a in value["advice"]])
        except (KeyError, TypeError):
            pass  # damaged in a way the checksum missed: recompute
    placed = place_map(*args)
    store.put("placement", key, {"callouts": placed.callouts, "route_labels": placed.route_labels,
                                 "sea_labels": placed.sea_labels,
                                 "advice": [[a.map_id, a.subject, a.message] for a in placed.advice]})
    return placed
