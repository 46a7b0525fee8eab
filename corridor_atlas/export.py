"""``python build.py export [DIR]``: the curated data as files an analyst can take away.

Writes into DIR (default ``export/``):

* ``corridor-atlas.gpkg``: one GeoPackage layer per curated layer (``data/layers/<name>``),
  columns as :mod:`corridor_atlas.api` documents them (nested properties such as
  ``sources``, ``reported``, ``trace`` as JSON text columns; computed figures as columns);
* ``<layer>.geojson``: the same table per layer as GeoJSON (same columns, same JSON text,
  coordinates exactly as in ``data/layers/``);
* ``comparison-<set>.csv``: the figures of every comparison set (``compare.to_csv``, the
  same as ``python build.py compare SET --format csv``).

Deterministic: GeoJSON and CSV are byte-identical across runs. The GeoPackage is written by
GDAL with ``OGR_CURRENT_DATE`` pinned (GDAL otherwise stamps the write time into
``gpkg_contents.last_change``), which makes it byte-identical too on one GDAL version; a
different GDAL may lay the SQLite pages out differently, so the tests compare its content.

Written like the site (``output.SiteWriter``): staged next to DIR and swapped in only when
every file is written, under a lock; DIR must be new, empty or an earlier export (marker
``.corridor-atlas-export.json``, which lists the sha256 of every file), and never the
project, an ancestor of it or an input folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .output import BuildLock, SiteWriter, check_out_dir

DEFAULT_DIR = Path("export")
#: each map page's data, beside the page in the site: data/<map id>.geojson
MAP_DATA_DIR = "data"
MARKER = ".corridor-atlas-export.json"
GPKG_NAME = "corridor-atlas.gpkg"
#: written into the GeoPackage's timestamps instead of "now", so the file is reproducible
PINNED_DATE = "2000-01-01T00:00:00.000Z"


def _geopackage(frames: dict) -> bytes:
    """Every frame as one layer of a GeoPackage, built in a temporary folder."""
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": PINNED_DATE})
    try:
        with tempfile.TemporaryDirectory(prefix="corridor-atlas-gpkg-") as tmp:
            path = Path(tmp) / GPKG_NAME
            for name, frame in frames.items():
                pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
            return path.read_bytes()
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _geojson(frame, name: str) -> str:
    """A FeatureCollection with the layer's name; properties in column order, no bbox, no ids."""
    collection = json.loads(frame.to_json(na="null", show_bbox=False, drop_id=True))
    return json.dumps({"type": "FeatureCollection", "name": name, "features": collection["features"]},
                      ensure_ascii=False, separators=(",", ":")) + "\n"


def render_files(root: Path) -> dict[str, bytes | str]:
    """{file name: content} of a complete export; raises InvalidInput on invalid data (nothing written)."""
    from . import api, compare

    layers, base = compare.load_data(root)
    sets = compare.load_and_check_sets(root, layers)
    frames = api.frames_from(layers, base)
    files: dict[str, bytes | str] = {GPKG_NAME: _geopackage(frames)}
    for name, frame in frames.items():
        files[f"{name}.geojson"] = _geojson(frame, name)
    for cset in sets:
        files[f"comparison-{cset.id}.csv"] = compare.to_csv(compare.compare_rows(cset, layers, base))
    return files


def export(root: Path, out_dir: Path = DEFAULT_DIR) -> list[str]:
    """Validate, write every file into a staging folder, then swap it into ``out_dir``; returns the names."""
    root = Path(root)
    check_out_dir(out_dir, root, [root / "maps", root / "data", Path(__file__).resolve().parent], MARKER)
    out_dir = Path(os.path.abspath(out_dir))
    files = render_files(root)
    with BuildLock(out_dir), SiteWriter(out_dir) as writer:
        for name in sorted(files):
            writer.write(name, files[name])
        writer.write(MARKER, json.dumps({"files": writer.digests}, sort_keys=True, indent=1) + "\n")
        writer.publish()
    return sorted(files)


def map_data_name(map_id: str) -> str:
    return f"{MAP_DATA_DIR}/{map_id}.geojson"


def map_data(prepared, layers: dict) -> str:
    """The features one map page draws, in drawing order, as a GeoJSON FeatureCollection:
    exactly those in the page's payload (its layers, through its filters, inside its extent),
    with every property and source, the layer name, and the geometry as curated in
    data/layers (whole, not clipped or simplified as drawn). An area's outline for the other
    basemap (``outline_by_basemap``) is left out: the geometry is the measured one.

    Standard library and shapely only (no geopandas): the build writes this for every page.
    """
    from shapely.geometry import mapping

    by_id = {f.id: f for layer in layers.values() for f in layer.features}
    features = []
    for drawn in prepared.layers:
        for item in drawn.features:
            feature = by_id[item["properties"]["id"]]
            props = feature.props.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude={"outline_by_basemap"})
            features.append({"type": "Feature", "properties": {"layer": drawn.name, **props}, "geometry": mapping(feature.geometry)})
    spec = prepared.spec
    collection = {"type": "FeatureCollection", "name": spec.id, "title": spec.title, "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(root: Path, args: list[str], out_option: Path | None, console) -> int:
    """The CLI branch: ``export [DIR]`` (or ``--out DIR``); 0 written, 2 bad input or folder."""
    if len(args) > 1 or (args and out_option is not None and Path(args[0]) != out_option):
        console.print("usage: python build.py export [DIR]   (default DIR: export)", markup=False)
        return 2
    out_dir = Path(args[0]) if args else out_option or DEFAULT_DIR
    names = export(root, out_dir)
    console.print(f"{len(names)} files written to {out_dir}/: " + ", ".join(names), markup=False)
    return 0
