"""Leaflet and plugin assets: inlined into each page (default) or linked from a CDN with SRI.

Assets are data — (name, kind, file) rows — as in folium, so one table serves both modes.
The files come from the XStatic packages on PyPI (no download at build time). In CDN mode
the SRI hash is computed from the file's bytes, the same release the CDN publishes, so a CDN
serving anything else is refused by the browser. Inlined, a file may be minified or trimmed
(Asset.minify, Asset.english_only); linked, it is always the file as published.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import rcssmin
import rjsmin
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_gesturehandling as xs_gesture


@dataclass(frozen=True)
class Asset:
    name: str
    kind: str  # "js" or "css"
    path: Path
    cdn_url: str
    banner: str = ""  # a licence notice put before the inlined text (the file itself stays byte-identical to the CDN's)
    minify: bool = False  # inlined without comments and spaces (a file not minified by its authors)
    english_only: bool = False  # inlined with only the English entry of its locale table (_english_only)


LEAFLET_VERSION = xs_leaflet.VERSION
GESTURE_VERSION = xs_gesture.VERSION
# Vendored from npm (`npm pack leaflet-polylineoffset@1.1.1`), file unchanged; MIT licence beside it.
POLYLINE_OFFSET_VERSION = "1.1.1"
STATIC_DIR = Path(__file__).resolve().parent / "static"

ASSETS = (
    Asset("leaflet-css", "css", Path(xs_leaflet.BASE_DIR) / "leaflet.css",
          f"https://unpkg.com/leaflet@{LEAFLET_VERSION}/dist/leaflet.css", minify=True),
    Asset("leaflet-js", "js", Path(xs_leaflet.BASE_DIR) / "leaflet.js",
          f"https://unpkg.com/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"),
    Asset("gesture-css", "css", Path(xs_gesture.BASE_DIR) / "leaflet-gesture-handling.min.css",
          f"https://unpkg.com/leaflet-gesture-handling@{GESTURE_VERSION}/dist/leaflet-gesture-handling.min.css"),
    Asset("gesture-js", "js", Path(xs_gesture.BASE_DIR) / "leaflet-gesture-handling.min.js",
          f"https://unpkg.com/leaflet-gesture-handling@{GESTURE_VERSION}/dist/leaflet-gesture-handling.min.js",
          english_only=True),
    Asset("polylineoffset-js", "js", STATIC_DIR / "leaflet.polylineoffset.js",
          f"https://unpkg.com/leaflet-polylineoffset@{POLYLINE_OFFSET_VERSION}/leaflet.polylineoffset.js",
          banner=f"/*! Leaflet.PolylineOffset {POLYLINE_OFFSET_VERSION} | (c) 2014 Benjamin Becquet | MIT License */\n",
          minify=True),
)


# Rules no page uses, not inlined: Leaflet's default marker image, there only for L.Icon.Default
# to guess where its icons live (atlas.js gives every marker a divIcon; 1.3 KB gzipped), and the
# rules for Internet Explorer 8 and older (.leaflet-oldie, VML), which cannot run our scripts.
UNUSED_CSS = re.compile(r"(?:\.leaflet-default-icon-path|[^{}]*(?:\.leaflet-oldie|\.lvml|\.leaflet-vml-shape)[^{}]*)\s*\{[^}]*\}")

# The layer control's button: Leaflet draws it from two PNGs (1x and retina), 2 KB gzipped inlined;
# the same stack of three sheets as a vector is 0.3 KB and sharp at any pixel ratio.
LAYERS_ICON_SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='26' height='26' viewBox='0 0 26 26'>"
                   "<g stroke='#9a9a9a' stroke-linejoin='round'>"
                   "<path d='M13 10.5 1.5 17 13 23.5 24.5 17z' fill='#bdbdbd'/>"
                   "<path d='M13 7.5 1.5 14 13 20.5 24.5 14z' fill='#cfcfcf'/>"
                   "<path d='M13 2.5 1.5 9 13 15.5 24.5 9z' fill='#e9e9e9'/></g></svg>")
LAYERS_ICONS = {"images/layers.png": "data:image/svg+xml," + quote(LAYERS_ICON_SVG, safe="/:=' "),
                "images/layers-2x.png": None}  # the retina rule keeps only its background-size


def _image_data_uri(match: re.Match, base: Path) -> str:
    target = base / match.group(1)
    if not target.is_file():
        return match.group(0)
    mime = "image/svg+xml" if target.suffix == ".svg" else f"image/{target.suffix.lstrip('.')}"
    encoded = base64.b64encode(target.read_bytes()).decode("ascii")
    return f"url(data:{mime};base64,{encoded})"


# Leaflet.GestureHandling's hints in 50 languages (`var o={ar:{touch:…,scroll:…,scrollMac:…},…}`),
# chosen by the browser's language: 4.9 KB of every page gzipped. atlas.js gives it the page's
# own words (locales/<lang>.toml, gesture_*), so an inlined copy keeps the English entry only,
# the plugin's fallback. The CDN's file is linked unchanged (its SRI hash is of the whole file).
LOCALE_TABLE = re.compile(r"var o=\{(?P<entries>.*?)\};L\.Map\.mergeOptions\(\{gestureHandlingOptions:", re.S)
ENGLISH_ENTRY = re.compile(r'(?:^|,)(en:\{touch:"[^"{}]*",scroll:"[^"{}]*",scrollMac:"[^"{}]*"\})')


def _english_only(text: str, path: Path) -> str:
    """`text` with its locale table cut to the English entry; a clear error if the file is not laid
    out as the pinned version (a new version of the plugin: check the table, then this pattern)."""
    table = LOCALE_TABLE.search(text)
    english = ENGLISH_ENTRY.search(table.group("entries")) if table else None
    if english is None:
        raise RuntimeError(f"{path}: no locale table with an English entry where Leaflet.GestureHandling "
                           f"{GESTURE_VERSION} has one (var o={{…en:{{touch,scroll,scrollMac}}…}}); "
                           "check the new version's layout and assets.LOCALE_TABLE")
    return text[:table.start("entries")] + english.group(1) + text[table.end("entries"):]


@lru_cache(maxsize=None)
def asset_text(asset: Asset) -> str:
    """The file's text; CSS images become data: URIs so nothing is fetched by relative URL."""
    text = asset.banner + asset.path.read_text(encoding="utf-8")
    if asset.kind == "js":
        text = re.sub(r"//# sourceMappingURL=\S+", "", text)
    if asset.english_only:
        text = _english_only(text, asset.path)
    if asset.kind == "css":
        text = UNUSED_CSS.sub("", text)
        for image, vector in LAYERS_ICONS.items():
            text = text.replace(f"background-image: url({image});", f'background-image: url("{vector}");' if vector else "")
        text = re.sub(r"url\((?!data:)['\"]?([^'\")]+)['\"]?\)", lambda m: _image_data_uri(m, asset.path.parent), text)
        text = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", text)
    return minified(text, asset.kind) if asset.minify else text


def minified(text: str, kind: str) -> str:
    """Comments and spaces out (rjsmin, rcssmin: deterministic, no renaming); /*! licence */ comments
    stay. Every page inlines its scripts and styles: about 9 KB gzipped less on each."""
    return rjsmin.jsmin(text, keep_bang_comments=True) if kind == "js" else rcssmin.cssmin(text, keep_bang_comments=True)


def sri_hash(asset: Asset) -> str:
    digest = hashlib.sha384(asset.path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


# Our own scripts, minified with their local names shortened (renamed_script), as committed by
# scripts/minify_js.py: line 1 names the source's SHA-256, the rest is what the page inlines.
MINIFIED_DIR = STATIC_DIR / "min"
# Set (to anything): our scripts keep their names (rjsmin only), for a profiler or a debugger
# (bench/profile_startup.py names atlas.js's functions). fingerprint.code_digest includes it.
READABLE_JS = "CORRIDOR_ATLAS_READABLE_JS"
OWN_SCRIPTS = ("atlas.js", "basemap.js", "compare.js", "dom.js", "locator.js", "story.js", "timeline.js")


@lru_cache(maxsize=None)
def own_asset(name: str) -> str:
    """The project's own front-end code (corridor_atlas/static/), minified (the files keep their comments):
    a script renamed (its committed copy in static/min/ when that was made from this very source)."""
    text = resources.files("corridor_atlas").joinpath("static", name).read_text(encoding="utf-8")
    if name not in OWN_SCRIPTS or os.environ.get(READABLE_JS):
        return minified(text, "css" if name.endswith(".css") else "js")
    committed = MINIFIED_DIR / name
    if committed.is_file():
        header, _, body = committed.read_text(encoding="utf-8").partition("\n")
        if header == minified_header(text):
            return body
    return renamed_script(text)  # edited since scripts/minify_js.py last ran: the same bytes, made here


def minified_header(source: str) -> str:
    """Line 1 of a committed minified script: which source it was made from."""
    return f"// {hashlib.sha256(source.encode()).hexdigest()} (python scripts/minify_js.py)"


def renamed_script(source: str) -> str:
    """An ES5 script (all of ours are), comments and spaces out and its local names shortened
    (calmjs.parse: deterministic, pure Python; top-level names such as window.AtlasDom's users
    keep theirs). 2.7 KB gzipped less than rjsmin on the story page; parsing takes 0.1-0.3 s a
    file, so the build uses the copies scripts/minify_js.py commits (tests/test_assets.py checks them)."""
    from calmjs.parse import es5
    from calmjs.parse.unparsers.es5 import minify_print

    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


def _script_safe(text: str) -> str:
    """Text placed inside <script>/<style> must not close the element early."""
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)


def head_html(mode: str, story: bool = False, time: bool = True, locator: bool = True) -> str:
    """<link>/<script> tags (cdn) or inline <style>/<script> blocks (inline) for the libraries;
    `story`: the map has steps (story.css; only those pages carry it); the time control's and
    the locator inset's styles, likewise, only where the map has them."""
    parts = []
    for asset in ASSETS:
        if mode == "cdn":
            sri = sri_hash(asset)
            if asset.kind == "css":
                parts.append(f'<link rel="stylesheet" href="{asset.cdn_url}" integrity="{sri}" crossorigin="anonymous">')
            else:
                parts.append(f'<script src="{asset.cdn_url}" integrity="{sri}" crossorigin="anonymous"></script>')
        else:
            tag = "style" if asset.kind == "css" else "script"
            parts.append(f"<{tag}>{_script_safe(asset_text(asset))}</{tag}>")
    styles = ["atlas.css"] + ["locator.css"] * locator + ["timeline.css"] * time + ["story.css"] * story
    parts.append(f"<style>{_script_safe(''.join(own_asset(name) for name in styles))}</style>")
    return "\n".join(parts)


def page_script(name: str) -> str:
    """A page's own script, preceded by the DOM helpers every page script relies on."""
    return _script_safe(own_asset("dom.js") + "\n" + own_asset(name))


def atlas_script(story: bool = False, time: bool = True, locator: bool = True) -> str:
    """atlas.js and what it calls besides the DOM helpers: the basemap's client side; the locator
    inset, the time control and story.js (window.AtlasStory; `story`: the map has steps) only on
    a map that has them (atlas.js calls them only then)."""
    names = ["basemap.js"] + ["locator.js"] * locator + ["timeline.js"] * time + ["story.js"] * story
    helpers = "\n".join(own_asset(name) for name in names)
    return f"<script>{_script_safe(helpers)}\n{page_script('atlas.js')}</script>"
