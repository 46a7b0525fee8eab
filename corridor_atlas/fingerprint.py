"""A fingerprint per output page, from the bytes of exactly the inputs that page reads.

Standard library only, on purpose: deciding what is stale must not import shapely, pyproj,
numpy or babel (their imports cost most of a build that has nothing to do). The pages'
inputs are found without the validating loaders, generously: a page reads every layer whose
name appears anywhere in its TOML (``[[layers]] name``, ``waypoints_of``), the layer of every
feature id that appears there (callouts, comparison routes), and the layers holding the
waypoints of the features it reads. A file that does not parse makes every page depend on it,
so the validating build that follows reports it. Every page also reads all base files, the
package code, its static assets and the versions of the libraries whose output it embeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent
# Libraries whose code or assets end up in (or shape) the pages: a new version rebuilds.
EMBEDDED_PACKAGES = ("jinja2", "xstatic-leaflet", "xstatic-leaflet-gesturehandling",
                     "xyzservices", "shapely", "pyproj", "numpy", "babel",  # babel: CLDR dates, units, language names
                     "rjsmin", "rcssmin", "calmjs.parse")  # the inlined scripts and styles, minified (assets.py)
COMPARE_PREFIX = "compare/"  # manifest key of a comparison page (map ids never contain '/')


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_digest() -> str:
    """The package's Python files and static assets, plus the embedded libraries' versions."""
    h = hashlib.sha256()
    for path in (sorted(CODE_DIR.rglob("*.py")) + sorted(p for p in (CODE_DIR / "static").rglob("*") if p.is_file())
                 + sorted((CODE_DIR / "locales").glob("*.toml"))):  # i18n.py: the UI strings per language
        h.update(path.relative_to(CODE_DIR).as_posix().encode() + b"\0" + _sha(path.read_bytes()).encode())
    h.update(f"readable-js={bool(os.environ.get('CORRIDOR_ATLAS_READABLE_JS'))}\n".encode())  # assets.READABLE_JS
    for name in EMBEDDED_PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}=={version}\n".encode())
    return h.hexdigest()


def _strings(value) -> Iterable[str]:
    """Every string anywhere in a parsed TOML document (too deep a document: RecursionError)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class _LayerIndex:
    """Which layer holds each feature id, and each layer's waypoint ids, from the raw JSON."""

    def __init__(self, layers: dict[str, bytes]):
        self.owner: dict[str, str] = {}
        self.waypoints: dict[str, set[str]] = {}
        self.unreadable: set[str] = set()
        for name, data in sorted(layers.items()):
            try:
                features = json.loads(data)["features"]
                ids, points = [], set()
                for feature in features:
                    props = feature.get("properties") or {}
                    ids.append(props.get("id"))
                    points.update(w for w in props.get("waypoints") or [] if isinstance(w, str))
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                self.unreadable.add(name)
                continue
            self.waypoints[name] = points
            for fid in ids:
                if isinstance(fid, str):
                    self.owner.setdefault(fid, name)

    def read_by(self, toml_bytes: bytes) -> set[str]:
        """The layers a page defined by this TOML reads (all of them if the TOML does not parse)."""
        try:
            refs = set(_strings(tomllib.loads(toml_bytes.decode("utf-8"))))
        except (ValueError, RecursionError):  # not UTF-8, not TOML, a number too long, nested too deeply
            return set(self.waypoints) | self.unreadable
        used = {r for r in refs if r in self.waypoints} | {self.owner[r] for r in refs if r in self.owner}
        for name in list(used):  # routes name their waypoints, which may live in another layer
            used |= {self.owner[w] for w in self.waypoints.get(name, ()) if w in self.owner}
        return used | self.unreadable


def page_fingerprints(contents: dict[Path, bytes], maps_dir: Path, layers_dir: Path, base_dir: Path,
                      comparisons_dir: Path, options: dict) -> dict[str, str]:
    """{map id: print, 'compare/<set id>': print} for every definition and comparison set."""
    layers = {p.stem: data for p, data in contents.items() if p.parent == layers_dir}
    index = _LayerIndex(layers)
    shared = json.dumps({
        "base": {p.name: _sha(data) for p, data in sorted(contents.items()) if p.parent == base_dir},
        "code": code_digest(),
        "options": options,
    }, sort_keys=True)
    prints = {}
    for path, data in sorted(contents.items()):
        if path.parent == maps_dir:
            key = path.stem
        elif path.parent == comparisons_dir:
            key = COMPARE_PREFIX + path.stem
        else:
            continue
        read = {name: _sha(layers[name]) for name in sorted(index.read_by(data))}
        prints[key] = _sha(json.dumps([key, _sha(data), read, shared], sort_keys=True).encode())
    return prints
