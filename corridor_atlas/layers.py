"""GeoJSON layers: load, validate (schema, geometry, CRS, extent) and hold them in memory.

Curated layers (`data/layers/`) carry their evidence in every feature: the schema below
refuses a feature without sources, with an unknown status, or with a source URL that is
not http(s). Geometry is checked with shapely: present, finite, valid, of the right type
for the feature's kind, inside the region, and not lat/lon-swapped. Every problem names
the file, the feature (by id, or by index when the id itself is broken) and the field.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import numpy as np
import orjson
import shapely
import shapely.errors
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from .errors import Problems, not_blank, pydantic_message, short_repr
from .limits import collection_problems
from .safe_read import UnsafeInput, project_root_of, read_text_input
from .vocabulary import (
    AREA_KINDS,
    CONTROL_ACCURACIES,
    CONTROL_STATUSES,
    DATE_KEYS,
    GEOMETRY_ACCURACIES,
    KINDS,
    LINE_KINDS,
    PLACE_TYPES,
    POINT_KINDS,
    REGION_BOUNDS,
    STATUSES,
)

FEATURE_ID = r"^[a-z0-9][a-z0-9-]*$"
LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
ISO_A3 = r"^[A-Z]{3}$"
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}
GEOMETRY_TYPES_BY_KIND = {
    **{k: ("LineString", "MultiLineString") for k in LINE_KINDS},
    **{k: ("Polygon", "MultiPolygon") for k in AREA_KINDS},
    **{k: ("Point",) for k in POINT_KINDS},
}
REGION = box(*REGION_BOUNDS)
LAYER_NAME = FEATURE_ID
LAYER_NAME_PATTERN = FEATURE_ID
GEOJSON_GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
_RING = "closed rings (at least 4 positions, the last equal to the first)"
COORDINATE_SHAPES = {
    "Point": "one position [longitude, latitude]",
    "LineString": "a list of at least 2 positions [longitude, latitude]",
    "Polygon": f"a list of {_RING}",
    "MultiPoint": "a list of positions [longitude, latitude]",
    "MultiLineString": "a list of lines, each a list of at least 2 positions",
    "MultiPolygon": f"a list of polygons, each a list of {_RING}",
}


#: Characters that hide or reorder text: C0 (but tab and newline) and C1 controls, DEL, bidi controls.
TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_URL_FORBIDDEN = "\\s\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"


def _http_url(value: str) -> str:
    # no whitespace, control or bidi characters anywhere (fullmatch: "$" would let a final
    # newline through), and a URL that parses with a host: only a plain http(s) URL is linked
    ok = re.fullmatch(f"https?://[^{_URL_FORBIDDEN}/$.?#][^{_URL_FORBIDDEN}]*", value, flags=re.IGNORECASE)
    if ok:
        try:
            ok = bool(urlsplit(value).hostname)
        except ValueError:  # "https://[x": an unclosed IPv6 bracket
            ok = False
    if not ok:
        raise ValueError(f"{short_repr(value)} is not an http(s) URL")
    return value


def _no_controls(value: Any) -> Any:
    """Text from data may not carry characters that hide or reorder what a reader sees."""
    texts = [value] if isinstance(value, str) else [*value] if isinstance(value, list) else (
        [*value, *value.values()] if isinstance(value, dict) else [])
    for text in texts:
        if isinstance(text, str) and (bad := TEXT_CONTROLS.search(text)):
            raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; remove it")
    return value


def _real_date(value: str) -> str:
    """The pattern allows YYYY, YYYY-MM, YYYY-MM-DD; the month and day must also exist."""
    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0] or 1, parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return value


Date = Annotated[str, Field(pattern=DATE), AfterValidator(_real_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    # URLs (url, source) have their own, stricter check and message
    _check_text = field_validator("*")(classmethod(lambda cls, v, info: v if info.field_name in ("url", "source") else _no_controls(v)))


class Source(_Strict):
    title: Annotated[str, Field(min_length=1)]
    url: str
    accessed: Date | None = None

    _check_url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))
    _check_title = field_validator("title")(classmethod(lambda cls, v: not_blank(v)))


class Reported(_Strict):
    """A figure somebody published, with where they published it."""

    quantity: Annotated[str, Field(min_length=1)]
    value: float
    unit: Annotated[str, Field(min_length=1)]
    source: str
    note: str = ""
    # the figure covers only this country's section of the route (e.g. TRIPP's 43 km in Armenia)
    country: Annotated[str, Field(pattern=ISO_A3)] | None = None

    _check_url = field_validator("source")(classmethod(lambda cls, v: _http_url(v)))

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        # a length, an area, a capacity: never negative; 1e12 leaves room for any unit while
        # keeping unit conversions finite (1.5e308 mi overflowed)
        if not 0 <= value <= 1e12:
            raise ValueError(f"{value!r} is out of range: a reported figure is between 0 and 1e12")
        return value


class TracePart(_Strict):
    """One stretch of a traced line: between two named stops, how it was drawn, how long."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)
    start: Annotated[str, Field(min_length=1, alias="from")]
    end: Annotated[str, Field(min_length=1, alias="to")]
    accuracy: Literal[GEOMETRY_ACCURACIES]  # type: ignore[valid-type]
    km: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    note: str = ""


class Trace(_Strict):
    """Provenance of a line drawn from OpenStreetMap: the extract, the ways and stations used."""

    extract: Annotated[str, Field(min_length=1)]
    osm_way_ids: list[Annotated[int, Field(gt=0)]] = []
    osm_node_ids: list[Annotated[int, Field(gt=0)]] = []
    km: dict[Literal[GEOMETRY_ACCURACIES], Annotated[float, Field(ge=0, allow_inf_nan=False)]] = {}  # type: ignore[valid-type]
    parts: list[TracePart] = []


class Approach(_Strict):
    """Km at each end of a sea leg that run from a port on land (or up a river) to open water."""

    start: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    end: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class FeatureProperties(_Strict):
    id: Annotated[str, Field(pattern=FEATURE_ID)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    status: Literal[STATUSES + CONTROL_STATUSES]  # type: ignore[valid-type]
    geometry_accuracy: Literal[GEOMETRY_ACCURACIES]  # type: ignore[valid-type]
    sources: Annotated[list[Source], Field(min_length=1)]
    operator: str = ""
    sponsor: str = ""
    dates: dict[Literal[DATE_KEYS], Date] = {}  # type: ignore[valid-type]
    reported: list[Reported] = []
    countries: list[Annotated[str, Field(pattern=ISO_A3)]] = []
    waypoints: list[Annotated[str, Field(pattern=FEATURE_ID)]] = []
    place_type: Literal[PLACE_TYPES] | None = None  # type: ignore[valid-type]
    country: Annotated[str, Field(pattern=ISO_A3)] | None = None
    label: bool = False
    note: str = ""
    # how a line was drawn beyond its accuracy class: OSM provenance, or the method of a
    # line derived from base data (a shortest path at sea, a river bank)
    trace: Trace | None = None
    method: str = ""
    approach_km: Approach | None = None
    # which way the line carries its goods, in its vertex order (crude westward, tankers to
    # Israel); None: no direction drawn (two-way freight, proposals)
    flow: Literal["forward", "reverse", "both"] | None = None
    # an area's outline as drawn over another basemap (base file name without .geojson →
    # GeoJSON polygon), so that on every map its border coincides with the basemap's
    outline_by_basemap: dict[Annotated[str, Field(pattern=LAYER_NAME_PATTERN)], dict[str, Any]] = {}
    # a control area (who held it when): how far to trust its outline, and its drawn area
    # (geodesic, WGS84) so a reader can set it beside the documented one
    control_accuracy: Literal[CONTROL_ACCURACIES] | None = None  # type: ignore[valid-type]
    area_km2: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None

    _check_name = field_validator("name")(classmethod(lambda cls, v: not_blank(v)))

    @model_validator(mode="after")
    def _line_provenance(self) -> "FeatureProperties":
        """A line that claims to follow real track must say which OSM ways or stations."""
        if self.kind in LINE_KINDS:
            if self.geometry_accuracy == "traced" and not (self.trace and self.trace.osm_way_ids):
                raise ValueError("a traced line needs trace.osm_way_ids (the OpenStreetMap ways it follows)")
            if self.geometry_accuracy == "station_routed" and not (self.trace and self.trace.osm_node_ids):
                raise ValueError("a station-routed line needs trace.osm_node_ids (the OpenStreetMap stations it joins)")
        return self

    @model_validator(mode="after")
    def _control_area(self) -> "FeatureProperties":
        """Control words belong to control areas only: an area with a control accuracy, held or not."""
        controlled = self.status in CONTROL_STATUSES
        if controlled != (self.control_accuracy is not None) or (controlled and self.kind not in AREA_KINDS):
            raise ValueError(f"status {', '.join(map(repr, CONTROL_STATUSES))} and control_accuracy go together, "
                             "on an area only (data/FORMAT.md, Control areas)")
        return self

    def reported_value(self, quantity: str) -> Reported | None:
        return next((r for r in self.reported if r.quantity == quantity), None)


class BaseProperties(BaseModel):
    """Reference geography: only what the basemap and the measures need."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)
    iso_a3: Annotated[str, Field(pattern=ISO_A3)]
    name: Annotated[str, Field(min_length=1)]


@dataclass(frozen=True)
class Feature:
    layer: str
    props: FeatureProperties
    geometry: BaseGeometry
    outline_by_basemap: dict[str, BaseGeometry] = field(default_factory=dict)

    def geometry_on(self, basemap: str) -> BaseGeometry:
        """The geometry to draw over the named basemap: its own outline if it has one."""
        return self.outline_by_basemap.get(basemap, self.geometry)

    @property
    def id(self) -> str:
        return self.props.id


@dataclass(frozen=True)
class BaseFeature:
    props: BaseProperties
    geometry: BaseGeometry


@dataclass
class Layer:
    """A curated theme: one file in data/layers/."""

    name: str
    title: str
    description: str
    path: Path
    features: list[Feature] = field(default_factory=list)


@dataclass
class BaseLayer:
    """A file of reference geography in data/base/."""

    name: str
    path: Path
    attribution: str
    licence: str
    features: list[BaseFeature] = field(default_factory=list)


# An integer literal of 19 digits or more may not fit orjson's 64-bit integers, and orjson then
# reads it as a float where json keeps an exact int: text with a run of 19 digits is parsed by
# json. Found with bytes.translate (every digit to "0"), ~30× faster than a regular expression.
_DIGITS_TO_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_DIGIT_RUN = b"0" * 19


# orjson reads nesting up to 1024 levels (deeper with some inputs), where json's limit is the
# interpreter's recursion limit (RecursionError: "nested too deeply"); real GeoJSON nests about
# 10 levels, so text whose brackets could nest deeper than this is parsed by json. The bound
# counts brackets inside strings too: it can only overestimate.
_MAX_ORJSON_DEPTH = 64
_BRACKET_STEP = np.zeros(256, np.int8)
_BRACKET_STEP[[0x5B, 0x7B]], _BRACKET_STEP[[0x5D, 0x7D]] = 1, -1
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _json_reads_it_alike(text: str) -> bool:
    """True unless the text has a run of 19 digits or may nest deeper than _MAX_ORJSON_DEPTH (~10 ms for 6 MB)."""
    data = text.encode("utf-8", "surrogatepass")
    if _LONG_DIGIT_RUN in data.translate(_DIGITS_TO_ZERO):
        return False
    brackets = data.translate(None, _NOT_BRACKETS)  # the running sum over the brackets alone: 3× faster
    depth = np.cumsum(_BRACKET_STEP[np.frombuffer(brackets, np.uint8)], dtype=np.int32)
    return int(depth.max(initial=0)) <= _MAX_ORJSON_DEPTH


def _parse_json(text: str) -> Any:
    """The value json.loads gives, through orjson when it reads the text exactly as json does
    (~0.1 s of a cold build: 2× faster on the base files); json otherwise, for its messages.

    orjson refuses what json accepts only in ways that fall back here (NaN, Infinity, numbers
    out of a double's range, lone surrogate escapes), and reads differently only what is sent
    to json up front (long integers, deep nesting). Duplicate keys (the last wins) and floats
    (correctly rounded; 1 million random literals compared) are read alike.
    """
    with _collector_paused():
        if _json_reads_it_alike(text):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
        data = json.loads(text)
        if LONE_SURROGATE_ESCAPE.search(text):
            orjson.loads(text)  # json accepts a lone surrogate escape (not text: breaks the build); orjson refuses it
        return data


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection inside: parsed JSON is lists and dicts that form no cycle,
    and the ~300,000 positions of the base files would set off full collections that scan
    them all again and again (~25% of parsing them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_feature_collection(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a GeoJSON FeatureCollection, refusing other top-level shapes and other CRSs.

    Never raises for any file content: unreadable, malformed, absurdly nested or otherwise
    hostile JSON is recorded as a problem.
    """
    try:
        text = read_text_input(path, project_root_of(path))
    except UnsafeInput as exc:
        problems.add(path, "", str(exc))
        return None
    try:
        data = _parse_json(text)
    except json.JSONDecodeError as exc:
        problems.add(path, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}")
        return None
    except RecursionError:
        problems.add(path, "", "invalid JSON: arrays or objects nested too deeply")
        return None
    except ValueError as exc:  # an integer with more digits than Python will convert
        problems.add(path, "", f"invalid JSON: a number is too long ({str(exc).split(';')[0]})")
        return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        problems.add(path, "(top level)", f"expected a GeoJSON FeatureCollection, got {short_repr(got)}")
        return None
    crs = data.get("crs")
    if crs is not None:
        props = crs.get("properties") if isinstance(crs, dict) else None
        name = props.get("name") if isinstance(props, dict) else None
        if not isinstance(name, str) or name not in WGS84_NAMES:
            problems.add(
                path,
                "crs",
                f"coordinates must be WGS84 longitude/latitude (got {short_repr(name or crs)}); "
                "reproject the file to EPSG:4326 and remove the crs member",
            )
            return None
    if not isinstance(data.get("features"), list):
        problems.add(path, "features", "must be a list of GeoJSON features")
        return None
    too_big = collection_problems(data, lists_in_text=text.count("["))
    for location, message in too_big:
        problems.add(path, location, message)
    return None if too_big else data


def _feature_label(raw: Any, index: int) -> str:
    fid = raw.get("properties", {}).get("id") if isinstance(raw, dict) and isinstance(raw.get("properties"), dict) else None
    if isinstance(fid, str) and re.fullmatch(FEATURE_ID, fid):
        return f"feature {fid!r}"
    return f"features[{index}]"


def _pydantic_problems(exc: ValidationError, path: Path, where: str, problems: Problems) -> None:
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p != "[key]")
        msg = pydantic_message(err, "property")
        problems.add(path, f"{where}: properties.{loc}" if loc else f"{where}: properties", msg)


def _coordinates_finite(raw_geometry: dict) -> bool:
    """Every leaf of `coordinates` is a finite int or float (iterative: no recursion limit)."""
    stack = [raw_geometry.get("coordinates", [])]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        elif isinstance(value, float) and not math.isfinite(value):
            return False
        elif isinstance(value, int) and abs(value) > 1e15:  # beyond any degree, and beyond float's exact range
            return False
    return True


def _fast_geometry(gtype: str, coordinates: Any) -> BaseGeometry | None:
    """GEOS parses well-formed, finite geometry ~10x faster than shapely.geometry.shape.

    Anything unusual (NaN, booleans, wrong nesting, huge numbers) returns None and takes the
    slow path, which says precisely what is wrong.
    """
    try:
        geom = _polygon_from_rings(gtype, coordinates)
    except (ValueError, TypeError, RecursionError, orjson.JSONEncodeError, shapely.errors.GEOSException):
        geom = None  # GEOS's reader decides, as for every other geometry
    try:
        if geom is None:
            text = orjson.dumps({"type": gtype, "coordinates": coordinates})  # NaN becomes null: GEOS refuses it
            geom = shapely.from_geojson(text)
    except (ValueError, TypeError, RecursionError, orjson.JSONEncodeError, shapely.errors.GEOSException):
        return None
    coords = shapely.get_coordinates(geom)
    if geom.geom_type != gtype or not np.isfinite(coords).all() or (np.abs(coords) > 1e15).any():
        return None
    return geom


#: What compact JSON of finite numbers in nested lists consists of: no true, false, null or string.
_NUMBERS_IN_LISTS = b"0123456789+-.eE[],"


def _polygon_from_rings(gtype: str, coordinates: Any) -> BaseGeometry | None:
    """A (Multi)Polygon built from numpy arrays of its rings: the same geometry GEOS's GeoJSON
    reader gives, in ~60% of its time (the base files' 300,000 positions). None for anything
    else, left to that reader: other types, positions that are not all plain numbers, a ring
    under 4 positions (the reader keeps a 3-position ring as it is; shapely would pad it)."""
    if gtype not in ("Polygon", "MultiPolygon") or not isinstance(coordinates, list) or not coordinates:
        return None
    polygons = [coordinates] if gtype == "Polygon" else coordinates
    if not all(isinstance(rings, list) and rings and all(isinstance(ring, list) and len(ring) >= 4 for ring in rings)
               for rings in polygons):
        return None
    if orjson.dumps(coordinates).translate(None, _NUMBERS_IN_LISTS):  # a bool or a string would pass np.array
        return None
    built = []
    for rings in polygons:
        shell, *holes = (shapely.linearrings(np.array(ring, dtype=np.float64)) for ring in rings)
        built.append(shapely.polygons(shell, holes=holes or None))
    return built[0] if gtype == "Polygon" else shapely.multipolygons(built)


def _empty(path: Path, where: str, problems: Problems) -> None:
    problems.add(path, f"{where}: geometry", "geometry is empty")
    return None


def _structure_problem(gtype: str, coordinates: Any) -> str | None:
    """What GeoJSON requires but shapely forgives: closed rings, no empty line parts."""
    if not isinstance(coordinates, list):
        return None
    if gtype == "MultiLineString":
        for i, part in enumerate(coordinates):
            if isinstance(part, list) and len(part) < 2:
                return f"part {i} of the line has {len(part)} position(s); each part needs at least 2"
    polygons = [coordinates] if gtype == "Polygon" else coordinates if gtype == "MultiPolygon" else []
    for p, rings in enumerate(polygons):
        for r, ring in enumerate(rings if isinstance(rings, list) else []):
            if isinstance(ring, list) and len(ring) >= 2 and ring[0] != ring[-1]:
                where = f"ring {r}" + (f" of polygon {p}" if gtype == "MultiPolygon" else "")
                return f"{where} is not closed: its last position must repeat its first (RFC 7946)"
    return None


def parse_geometry(raw: Any, path: Path, where: str, problems: Problems) -> BaseGeometry | None:
    """A shapely geometry, or None with the reason recorded."""
    if not isinstance(raw, dict) or "type" not in raw:
        problems.add(path, f"{where}: geometry", "missing geometry")
        return None
    gtype = raw.get("type")
    if not isinstance(gtype, str) or gtype not in GEOJSON_GEOMETRY_TYPES or "coordinates" not in raw:
        problems.add(path, f"{where}: geometry", f"unsupported geometry {short_repr(gtype)}; expected one of {', '.join(GEOJSON_GEOMETRY_TYPES)} with coordinates")
        return None
    structure = _structure_problem(gtype, raw["coordinates"])
    if structure:
        problems.add(path, f"{where}: geometry", structure)
        return None
    geom = _fast_geometry(gtype, raw["coordinates"])
    if geom is not None:
        return geom if not geom.is_empty else _empty(path, where, problems)
    # the slow path: find out exactly what is wrong, for the message
    if not _coordinates_finite(raw):
        problems.add(path, f"{where}: geometry", "coordinates must all be finite numbers")
        return None
    try:
        geom = shape({"type": gtype, "coordinates": raw["coordinates"]})
    except Exception:  # shapely raises several types for malformed coordinates
        problems.add(path, f"{where}: geometry", f"malformed {gtype} coordinates: expected {COORDINATE_SHAPES[gtype]}")
        return None
    if geom.is_empty:
        problems.add(path, f"{where}: geometry", "geometry is empty")
        return None
    return geom


def check_geometry(geom: BaseGeometry, kind: str, path: Path, where: str, problems: Problems) -> bool:
    """Type for the kind, validity, extent, and the tell-tale of swapped lat/lon."""
    allowed = GEOMETRY_TYPES_BY_KIND[kind]
    if geom.geom_type not in allowed:
        problems.add(path, f"{where}: geometry", f"a {kind} must be a {' or '.join(allowed)}, not a {geom.geom_type}")
        return False
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        problems.add(path, f"{where}: geometry", f"invalid geometry: {reason}")
        return False
    if geom.geom_type in ("LineString", "MultiLineString") and not geom.is_simple:
        problems.add(path, f"{where}: geometry", "line crosses itself; split it or remove the loop")
        return False
    if not REGION.covers(geom):  # covers: a point on the region's edge is inside
        swapped = shapely.transform(geom, lambda coords: coords[:, ::-1])
        if REGION.covers(swapped):
            problems.add(path, f"{where}: geometry", "coordinates look swapped: GeoJSON order is [longitude, latitude]")
        else:
            w, s, e, n = REGION_BOUNDS
            problems.add(
                path,
                f"{where}: geometry",
                f"lies outside the region the data covers (longitude {w}..{e}, latitude {s}..{n})",
            )
        return False
    return True


def load_layer(path: Path, problems: Problems) -> Layer | None:
    """One curated layer file, or None if anything in it is wrong (all problems recorded)."""
    before = len(problems)
    data = read_feature_collection(path, problems)
    if data is None:
        return None
    name = data.get("name")
    if not re.fullmatch(LAYER_NAME, path.stem):
        problems.add(path, "(file name)", f"a layer file name must be lower-case letters, digits and hyphens ({LAYER_NAME}); rename the file")
    if name != path.stem:
        problems.add(path, "name", f"layer name must equal the file name {path.stem!r} (got {short_repr(name)})")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.add(path, "title", "every layer needs a title for the layer control")
        title = path.stem
    elif bad := TEXT_CONTROLS.search(title):
        problems.add(path, "title", f"contains the control character U+{ord(bad.group()):04X}; remove it")
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.add(path, "description", "must be a string")
        description = ""
    layer = Layer(name=path.stem, title=title, description=description, path=path)
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["features"]):
        where = _feature_label(raw, index)
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            problems.add(path, where, "expected a GeoJSON Feature")
            continue
        if not isinstance(raw.get("properties"), dict):
            problems.add(path, f"{where}: properties", "missing properties object")
            continue
        try:
            props = FeatureProperties.model_validate(raw["properties"])
        except ValidationError as exc:
            _pydantic_problems(exc, path, where, problems)
            parse_geometry(raw.get("geometry"), path, where, problems)
            continue
        if props.id in seen:
            problems.add(path, f"{where}: properties.id", f"duplicate id (also features[{seen[props.id]}])")
            continue
        seen[props.id] = index
        if props.kind == "place" and (props.place_type is None or props.country is None):
            problems.add(path, f"{where}: properties", "a place needs place_type and country")
        if props.kind in LINE_KINDS and not props.countries:
            problems.add(path, f"{where}: properties.countries", "a route must list the countries it passes through, in order")
        if props.geometry_accuracy == "schematic" and props.kind in LINE_KINDS and len(props.waypoints) < 2:
            problems.add(path, f"{where}: properties.waypoints", "a schematic line is drawn through at least two documented waypoints")
        geom = parse_geometry(raw.get("geometry"), path, where, problems)
        if geom is None or not check_geometry(geom, props.kind, path, where, problems):
            continue
        outlines = {}
        for basemap, raw_outline in props.outline_by_basemap.items():
            at = f"{where}: properties.outline_by_basemap.{basemap}"
            if basemap not in BASE_FILES:
                problems.add(path, at, f"unknown basemap {basemap!r}; known: {', '.join(BASE_FILES)}")
                continue
            outline = parse_geometry(raw_outline, path, at, problems)
            if outline is not None and check_geometry(outline, props.kind, path, at, problems):
                outlines[basemap] = outline
        layer.features.append(Feature(layer=layer.name, props=props, geometry=geom, outline_by_basemap=outlines))
    return layer if len(problems) == before else None


def parse_polygons(raw: Any, path: Path, where: str, problems: Problems, what: str) -> BaseGeometry | None:
    """A (Multi)Polygon from a base file, or None with the reason recorded (`what` names the data)."""
    geom = parse_geometry(raw, path, where, problems)
    if geom is not None and geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.add(path, f"{where}: geometry", f"{what} must be polygons, not {geom.geom_type}")
        return None
    return geom


def read_base_collection(path: Path, problems: Problems) -> tuple[dict[str, Any], str] | None:
    """A base file's FeatureCollection and its attribution (a problem if it credits no one)."""
    data = read_feature_collection(path, problems)
    if data is None:
        return None
    attribution = data.get("attribution")
    if not isinstance(attribution, str) or not attribution:
        problems.add(path, "attribution", "base geography must say whom to credit")
        attribution = ""
    return data, attribution


def load_base_layer(path: Path, problems: Problems) -> BaseLayer | None:
    """Reference geography: polygons with an ISO code and a name."""
    before = len(problems)
    read = read_base_collection(path, problems)
    if read is None:
        return None
    data, attribution = read
    layer = BaseLayer(name=path.stem, path=path, attribution=attribution, licence=str(data.get("licence", "")))
    for index, raw in enumerate(data["features"]):
        where = f"features[{index}]"
        try:
            props = BaseProperties.model_validate((raw or {}).get("properties") or {})
        except (ValidationError, AttributeError) as exc:
            problems.add(path, where, f"properties need iso_a3 and name ({exc.__class__.__name__})")
            continue
        geom = parse_polygons(raw.get("geometry"), path, where, problems, "base geography")
        if geom is not None:
            layer.features.append(BaseFeature(props=props, geometry=geom))
    return layer if len(problems) == before else None


def load_layers(layers_dir: Path, problems: Problems) -> dict[str, Layer]:
    """Every curated layer, keyed by name, with ids checked for uniqueness across files."""
    layers: dict[str, Layer] = {}
    owner: dict[str, str] = {}
    for path in sorted(layers_dir.glob("*.geojson")):
        layer = load_layer(path, problems)
        if layer is None:
            continue
        for feature in layer.features:
            if feature.id in owner:
                problems.add(path, f"feature {feature.id!r}: properties.id", f"id already used in layer {owner[feature.id]!r}")
            owner[feature.id] = layer.name
        layers[layer.name] = layer
    return layers


COASTAL_TOLERANCE_DEG = 0.03  # ~3 km: terminals and ports sit on coastlines that 1:10m data smooths


def check_places_against_base(layers: dict[str, Layer], countries: BaseLayer, problems: Problems) -> None:
    """A place must lie in the country it names; if its swapped twin does, say so."""
    polygons = {f.props.iso_a3: f.geometry for f in countries.features}
    for layer in layers.values():
        for feature in layer.features:
            code = feature.props.country
            if feature.props.kind != "place" or code is None:
                continue
            where = f"feature {feature.id!r}: geometry"
            if code not in polygons:
                problems.add(layer.path, f"feature {feature.id!r}: properties.country", f"no country {code!r} in {countries.path.name}")
                continue
            area = polygons[code]
            if shapely.dwithin(area, feature.geometry, COASTAL_TOLERANCE_DEG):
                continue
            swapped = shapely.transform(feature.geometry, lambda coords: coords[:, ::-1])
            if shapely.dwithin(area, swapped, COASTAL_TOLERANCE_DEG):
                problems.add(layer.path, where, "coordinates look swapped: GeoJSON order is [longitude, latitude]")
            else:
                problems.add(layer.path, where, f"lies outside {code} (per {countries.path.name}); check the coordinates and the country code")


BASE_FILES = ("countries", "countries-detail", "world")


def load_base_layers(base_dir: Path, problems: Problems) -> dict[str, BaseLayer]:
    """The reference geography the maps and measures use; countries.geojson is required."""
    base: dict[str, BaseLayer] = {}
    for name in BASE_FILES:
        path = base_dir / f"{name}.geojson"
        if not path.exists():
            if name == "countries":
                problems.add(path, "", "missing: regenerate it with python data/sources/regenerate_base.py")
            continue
        layer = load_base_layer(path, problems)
        if layer is not None:
            base[name] = layer
    return base
