"""The curated data as GeoDataFrames and DataFrames, for notebooks and scripts.

    import corridor_atlas as ca
    ca.routes()                  # every line (pipeline, rail, road, shipping), one row per route
    ca.places()                  # every place (GeoNames points), one row per place
    ca.compare("crude")          # the comparison table of data/comparisons/crude.toml (a DataFrame)
    ca.api.layers()              # {layer name: GeoDataFrame}, every curated layer

(``ca.layers`` is the validating loader module, hence ``ca.api.layers()``; ``ca.compare`` is
the comparison module, which answers a call with :func:`compare`.)

Every function validates the data exactly as the build does (an invalid file raises
:class:`corridor_atlas.errors.InvalidInput` listing every problem) and takes an optional
``root``: the project folder (default: the checkout this package lives in).

Columns of a layer frame (the same for every layer, so frames concatenate):

* the feature's properties as ``data/FORMAT.md`` defines them: ``layer``, ``id``, ``name``,
  ``kind``, ``status``, ``geometry_accuracy``, ``operator``, ``sponsor``, ``place_type``,
  ``country``, ``label``, ``note``, ``method``;
* nested properties as JSON text (``json.loads`` gives them back): ``sources``, ``reported``,
  ``dates``, ``countries``, ``waypoints``, ``trace``, ``approach_km``, ``outline_by_basemap``.
  JSON text rather than Python objects so that the very same table can be written to a
  GeoPackage (which has no list or object columns) and read back unchanged;
* figures computed from the geometry (``compare.route_row`` for lines, whole km, measured on
  WGS84): ``length_km``, ``km_by_country`` and ``km_by_accuracy`` (JSON text),
  ``countries_measured`` (JSON list, in order along the line), ``border_crossings``,
  ``borders_from`` (which base borders), ``reported_length_km``; ``area_km2`` for areas.
  Empty (NaN / None) where a figure does not apply.

Geometry is WGS84 longitude/latitude (EPSG:4326), exactly as in ``data/layers/``.
pandas and geopandas are imported here only: ``import corridor_atlas`` stays cheap.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import compare as _compare
from . import measure
from .layers import BaseLayer, Feature, Layer
from .vocabulary import LINE_KINDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CRS = "EPSG:4326"
TEXT_COLUMNS = ("layer", "id", "name", "kind", "status", "geometry_accuracy", "operator", "sponsor", "place_type", "country",
                "label", "note", "method")
JSON_COLUMNS = ("sources", "reported", "dates", "countries", "waypoints", "trace", "approach_km", "outline_by_basemap")
FIGURE_COLUMNS = ("length_km", "km_by_country", "km_by_accuracy", "countries_measured", "border_crossings", "borders_from",
                  "reported_length_km", "area_km2")
COLUMNS = TEXT_COLUMNS + JSON_COLUMNS + FIGURE_COLUMNS
#: columns holding JSON text (nested properties and computed dicts/lists)
JSON_TEXT = JSON_COLUMNS + ("km_by_country", "km_by_accuracy", "countries_measured")
FLOAT_COLUMNS = ("length_km", "border_crossings", "reported_length_km", "area_km2")


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def feature_record(feature: Feature, base: dict[str, BaseLayer], places: dict[str, Feature]) -> dict:
    """One row: properties (nested ones as JSON text) and the figures computed from the geometry."""
    props = feature.props.model_dump(mode="json", by_alias=True, exclude_none=True)
    record = {"layer": feature.layer, **{k: props.get(k) for k in TEXT_COLUMNS if k != "layer"}}
    record.update({k: _json(props.get(k)) for k in JSON_COLUMNS})
    record.update(dict.fromkeys(FIGURE_COLUMNS))
    if feature.props.kind in LINE_KINDS:
        row = _compare.route_row(feature, base, places)
        record.update(length_km=row["length_km"], km_by_country=_json(row["km_by_country"]),
                      km_by_accuracy=_json(row["km_by_accuracy"]), countries_measured=_json(row["countries"]),
                      border_crossings=row["border_crossings"], borders_from=row["borders_from"],
                      reported_length_km=row["reported_length_km"])
    elif feature.geometry.geom_type in ("Polygon", "MultiPolygon"):
        record["area_km2"] = round(measure.geodesic_area_km2(feature.geometry), 1)
    return record


def layer_frame(layer: Layer, base: dict[str, BaseLayer], places: dict[str, Feature]) -> gpd.GeoDataFrame:
    """One curated layer as a GeoDataFrame, rows in file order, columns as COLUMNS."""
    records = [feature_record(f, base, places) for f in layer.features]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    for column in FLOAT_COLUMNS:
        frame[column] = frame[column].astype("float64")
    frame["label"] = frame["label"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=[f.geometry for f in layer.features], crs=CRS)


def frames_from(layers: dict[str, Layer], base: dict[str, BaseLayer]) -> dict[str, gpd.GeoDataFrame]:
    places = {f.id: f for layer in layers.values() for f in layer.features if f.props.kind == "place"}
    return {name: layer_frame(layers[name], base, places) for name in sorted(layers)}


def layers(root: Path | str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Every curated layer, by name (sorted), validated as the build validates it."""
    return frames_from(*_compare.load_data(Path(root or PROJECT_ROOT)))


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=CRS)


def routes(root: Path | str | None = None) -> gpd.GeoDataFrame:
    """Every line (pipeline, rail, road, shipping) of every layer, with its computed figures."""
    frames = layers(root)
    return _concat([f[f["kind"].isin(LINE_KINDS)] for f in frames.values()])


def places(root: Path | str | None = None) -> gpd.GeoDataFrame:
    """Every place (kind ``place``), one row each."""
    frames = layers(root)
    return _concat([f[f["kind"] == "place"] for f in frames.values()])


def compare(set_id: str = _compare.DEFAULT_SET, root: Path | str | None = None) -> pd.DataFrame:
    """The figures of ``data/comparisons/<set_id>.toml``, one row per route in the set's order.

    The same values as ``python build.py compare SET --format json``: dicts and lists stay
    Python objects (``km_by_country``, ``countries``, ``dates``…); ``None`` where not stated.
    """
    _, rows = _compare.compare_set(Path(root or PROJECT_ROOT), set_id)
    return pd.DataFrame(rows)
