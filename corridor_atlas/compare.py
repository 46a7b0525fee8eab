"""Comparison sets: which routes to compare (data), and the figures computed from geometry.

A comparison set is a TOML file in ``data/comparisons/<set>.toml``::

    title = "Linking mainland Azerbaijan with Nakhchivan"
    description = "The proposals and the lines they would replace or complement"
    routes = ["zangezur-corridor", "aras-corridor"]      # feature ids of curated lines
    bounds = [[38.4, 42.7], [41.2, 47.6]]                  # [[south, west], [north, east]]

It is validated like a map definition (pydantic, strict types, unknown keys refused,
every problem as ``file: key: message``); an id that names no curated line is an error.

The figures, per route, and how they are computed (all in :mod:`measure`):

* **Drawn length**: geodesic on the WGS84 ellipsoid (``pyproj.Geod``), each segment the
  geodesic between its vertices. Schematic lines join documented waypoints with straight
  geodesics, so they run *short* of the real track: compare with the reported length.
* **Which borders**: ``countries-detail`` (OpenStreetMap-derived) when the route,
  densified along its geodesics, lies entirely inside that file's box (the South Caucasus,
  38–52°E, 36–44.5°N); otherwise ``countries`` (Natural Earth 10m). The same rule the map
  pages use for their basemap (:func:`prepare.choose_base`).
* **km by country** and **countries in order**: the route is judged against each
  country's *interior*. A stretch lying exactly on a shared border is in neither country
  (like a stretch at sea): its km count for no country and it is no crossing. Pieces
  under 1 km inside a country are border slivers and do not make it a country passed
  through (:data:`measure.DEFAULT_SLIVER_KM`); km_by_country lists every country with at
  least 0.5 km (whole km).
* **Border crossings**: changes of country along the route (``len(countries) - 1``): A→B
  counts once whether the two touch or sea lies between them; A→sea→A or A→along the
  border→A counts zero; A→B→A counts two.
* **New construction / existing line**: only where the data says so, as ``reported``
  entries with quantity ``new_construction`` or ``existing`` (in km); otherwise "not
  stated". The reported ``length`` is shown beside the drawn one with its source.

Whole-km precision throughout: the geometry is schematic, more digits would be noise.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from collections.abc import Iterator, Mapping
from typing import Annotated, Literal
from urllib.parse import urlsplit

import numpy as np
import shapely
from shapely import ops
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from shapely.geometry.base import BaseGeometry

from . import measure
from .errors import InvalidInput, Problems, not_blank, terminal_safe
from .input_checks import check_base_geometry
from .safe_read import UnsafeInput, project_root_of, read_text_input
from .layers import BaseLayer, Feature, Layer, _http_url, load_base_layers, load_layers
from .style import STATUS_LABELS
from .spec import LatLon, _location, _message
from .vocabulary import DATE_KEYS, LINE_KINDS

SET_ID = r"^[a-z0-9][a-z0-9-]*$"
DEFAULT_SET = "nakhchivan"
#: How far country polygons are shrunk so that their shared edges belong to neither side
#: (degrees; about a centimetre). Only a line lying exactly on a border notices it.
BORDER_EPSILON_DEG = 1e-7
MAX_MERCATOR_LAT = 85.0  # Web Mercator (Leaflet's default) is undefined at the poles
MIN_BOUNDS_DEG = 0.01
KM_PER_UNIT = {"km": 1.0, "mi": 1.609344}
NOT_STATED = "not stated"


# --------------------------------------------------------------------------- sets


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


#: analyst fields stated in words, with their source, in the set's ``[[fact]]`` entries
#: (who pays, when it is due, what happens at the border: sources say these in sentences)
FACT_FIELDS = ("financing", "expected_completion", "border_regime")
#: analyst figures taken from the routes' own ``reported`` entries (numbers with a unit and a source)
ANALYST_QUANTITIES = ("capacity", "cost")


class Fact(_Strict):
    """A sourced statement about one route that is not a number (who pays, what regime at the border)."""

    route: Annotated[str, Field(min_length=1)]
    field: Literal[FACT_FIELDS]  # type: ignore[valid-type]
    text: Annotated[str, Field(min_length=1, max_length=300)]
    source: str

    _check_url = field_validator("source")(classmethod(lambda cls, v: _http_url(v)))
    _check_text = field_validator("text")(classmethod(lambda cls, v: not_blank(v)))


class ComparisonSet(_Strict):
    id: Annotated[str, Field(pattern=SET_ID)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    routes: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    bounds: Annotated[tuple[LatLon, LatLon], Field(strict=False)]
    fact: list[Fact] = []

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return not_blank(value)

    @field_validator("routes")
    @classmethod
    def _unique(cls, routes: list[str]) -> list[str]:
        dupes = sorted({r for r in routes if routes.count(r) > 1})
        if dupes:
            raise ValueError(f"route listed twice: {', '.join(dupes)}")
        return routes

    @model_validator(mode="after")
    def _bounds_order(self) -> "ComparisonSet":
        (south, west), (north, east) = self.bounds
        if south >= north or west >= east:
            raise ValueError("bounds must be [[south, west], [north, east]] with south < north and west < east")
        if not -MAX_MERCATOR_LAT <= south < north <= MAX_MERCATOR_LAT:
            raise ValueError(f"bounds must lie within latitude ±{MAX_MERCATOR_LAT} (the page's Web Mercator ends there)")
        if north - south < MIN_BOUNDS_DEG or east - west < MIN_BOUNDS_DEG:
            raise ValueError(f"bounds must span at least {MIN_BOUNDS_DEG}° each way (about 1 km); the page scales its maps to them")
        strays = sorted({f.route for f in self.fact} - set(self.routes))
        if strays:
            raise ValueError(f"fact about a route not in routes: {', '.join(strays)}")
        return self


def comparisons_dir(root: Path) -> Path:
    return Path(root) / "data" / "comparisons"


def parse_set(path: Path, text: str, problems: Problems) -> ComparisonSet | None:
    """One set file's text → a validated set, or None with the problems recorded."""
    if text.startswith("\ufeff"):
        problems.add(path, "line 1 column 1", "invalid TOML: the file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM")
        return None
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        problems.add(path, "", f"invalid TOML: {exc}")
        return None
    if "id" in raw:
        problems.add(path, "id", "the set id is the file name; remove the id key")
        return None
    raw["id"] = path.stem
    try:
        return ComparisonSet.model_validate(raw)
    except ValidationError as exc:
        keys = {"": [k for k in ComparisonSet.model_fields if k != "id"]}
        for err in exc.errors():
            problems.add(path, _location(err["loc"]) or "(top level)", _message(err, keys))
        return None


def load_sets(folder: Path, problems: Problems, only: list[str] | None = None) -> list[ComparisonSet]:
    """Every set in ``folder`` (or the named ones), sorted by id; a missing folder is no sets."""
    paths = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if only:
        known = {p.stem: p for p in paths}
        for name in only:
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                problems.add(folder, name, "no such comparison set"
                             + (f" (did you mean {hint[0]!r}?)" if hint else f"; known: {', '.join(sorted(known)) or 'none'}"))
        paths = [known[n] for n in only if n in known]
    out = []
    for path in paths:
        try:
            text = read_text_input(path, project_root_of(path))
        except UnsafeInput as exc:
            problems.add(path, "", str(exc))
            continue
        cset = parse_set(path, text, problems)
        if cset is not None:
            out.append(cset)
    return sorted(out, key=lambda s: s.id)


def check_routes(cset: ComparisonSet, path: Path, layers: dict[str, Layer], problems: Problems) -> None:
    """Every route id must name a curated line (pipeline, rail, road, shipping)."""
    by_id = {f.id: f for layer in layers.values() for f in layer.features}
    lines = sorted(fid for fid, f in by_id.items() if f.props.kind in LINE_KINDS)
    for i, rid in enumerate(cset.routes):
        feature = by_id.get(rid)
        if feature is None:
            hint = difflib.get_close_matches(rid, lines, n=1)
            problems.add(path, f"routes[{i}]", f"no route with id {rid!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        elif feature.props.kind not in LINE_KINDS:
            problems.add(path, f"routes[{i}]", f"{rid!r} is a {feature.props.kind}, not a route (a line)")


def load_and_check_sets(root: Path, layers: dict[str, Layer], only: list[str] | None = None) -> list[ComparisonSet]:
    """Sets validated against the layers; raises InvalidInput listing every problem."""
    problems = Problems()
    folder = comparisons_dir(root)
    sets = load_sets(folder, problems, only)
    for cset in sets:
        check_routes(cset, folder / f"{cset.id}.toml", layers, problems)
    if problems:
        raise InvalidInput(problems.items)
    return sets


def load_data(root: Path) -> tuple[dict[str, Layer], dict[str, BaseLayer]]:
    """The curated layers and base polygons, validated (no map definitions needed)."""
    problems = Problems()
    layers = load_layers(Path(root) / "data" / "layers", problems)
    base = load_base_layers(Path(root) / "data" / "base", problems)
    check_base_geometry(base, problems)
    if problems:
        raise InvalidInput(problems.items)
    return layers, base


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Measures:
    """Unrounded figures for one line against one set of country polygons."""

    length_km: float
    km_by_country: dict[str, float]
    countries: list[str]
    border_crossings: int


def _bounds_box(geoms: list[BaseGeometry]) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in shapely.total_bounds(geoms))  # type: ignore[return-value]


def choose_borders(line: BaseGeometry, base: dict[str, BaseLayer]) -> BaseLayer:
    """countries-detail when the (densified) route lies inside its box, else countries."""
    detail = base.get("countries-detail")
    if detail is not None and detail.features:
        w, s, e, n = _bounds_box([f.geometry for f in detail.features])
        lw, ls, le, ln = measure.densify(line).bounds
        if lw >= w and ls >= s and le <= e and ln <= n:
            return detail
    return base["countries"]


#: Inside interiors_kept(): (line WKB, pad) -> (borders, their interiors), else None.
_kept_interiors: dict | None = None


@contextlib.contextmanager
def interiors_kept() -> Iterator[None]:
    """Within: country_interiors computes each (line, borders) once. A build's comparison
    pages measure routes its geographic rules (geocheck.py) have just measured against the
    same borders: the clipping and shrinking is ~40% of a comparison page's time."""
    global _kept_interiors
    previous, _kept_interiors = _kept_interiors, {}
    try:
        yield
    finally:
        _kept_interiors = previous


def country_interiors(line: BaseGeometry, borders: BaseLayer, pad_deg: float = 0.2) -> dict[str, BaseGeometry]:
    """Each country near ``line`` (clipped to a corridor around it), shrunk by BORDER_EPSILON_DEG.

    Clipping keeps the work small (a 10m Russia has tens of thousands of vertices); the
    tiny inward buffer leaves a shared edge in neither country (see the module docstring).
    """
    if _kept_interiors is None:
        return _country_interiors(line, borders, pad_deg)
    key = (shapely.to_wkb(line), pad_deg)
    kept = _kept_interiors.get(key)
    if kept is None or kept[0] is not borders:
        kept = _kept_interiors[key] = (borders, _country_interiors(line, borders, pad_deg))
    return dict(kept[1])


def _country_interiors(line: BaseGeometry, borders: BaseLayer, pad_deg: float) -> dict[str, BaseGeometry]:
    # a corridor around the line, not its bounding box: a long diagonal route (BTC) would
    # otherwise drag in, and shrink, most of the region's polygons
    area = _corridor(line, pad_deg)
    parts: dict[str, list[BaseGeometry]] = {}
    for feature in borders.features:
        geom = feature.geometry
        if not geom.intersects(area):
            continue
        clipped = geom.intersection(area)
        if not clipped.is_empty:
            parts.setdefault(feature.props.iso_a3, []).append(clipped)
    out = {}
    for code, geoms in sorted(parts.items()):
        shrunk = shapely.union_all(geoms).buffer(-BORDER_EPSILON_DEG, join_style="mitre")
        if not shrunk.is_empty:
            out[code] = shrunk
    return out


def _corridor(line: BaseGeometry, pad_deg: float) -> BaseGeometry:
    """Grid cells of ``pad_deg`` around every vertex of the densified line, and their neighbours.

    Every point within ``pad_deg`` of the line is inside (the densify step, 5 km, is shorter
    than a cell). Linear in vertices, unlike ``line.buffer``, whose cost explodes on a line
    that folds over itself (a 4,000-vertex zigzag: 76 s; 20,000: killed at 24 GB).
    """
    coords = shapely.get_coordinates(measure.densify(line))
    cells = np.unique(np.floor(coords / pad_deg).astype(np.int64), axis=0)
    around = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    cells = np.unique((cells[:, None, :] + around[None, :, :]).reshape(-1, 2), axis=0)
    boxes = shapely.box(cells[:, 0] * pad_deg, cells[:, 1] * pad_deg, (cells[:, 0] + 1) * pad_deg, (cells[:, 1] + 1) * pad_deg)
    return shapely.coverage_union_all(boxes)


def countries_in_order(line: BaseGeometry, countries: dict[str, BaseGeometry],
                       min_km: float = measure.DEFAULT_SLIVER_KM, step_km: float = measure.DEFAULT_STEP_KM) -> list[str]:
    """measure.countries_along, with each piece placed along the line through an STRtree of its
    segments instead of ``LineString.project`` (one pass over the whole line per piece: quadratic
    on a line that crosses a border thousands of times). Same rule, same result."""
    dense = measure.densify(line, step_km)
    merged = dense if dense.geom_type == "LineString" else ops.linemerge(dense)  # positions as measure does
    parts = [np.asarray(part.coords)[:, :2] for part in measure._lines(merged)]
    if not parts:
        return []
    starts = np.concatenate([c[:-1] for c in parts])
    ends = np.concatenate([c[1:] for c in parts])
    seg_len = np.hypot(*(ends - starts).T)
    offset = np.concatenate([[0.0], np.cumsum(seg_len)[:-1]])  # planar position of each segment's start
    tree = shapely.STRtree(shapely.linestrings(np.stack([starts, ends], axis=1)))

    def position(xy: tuple) -> float:
        nearest = tree.query_nearest(shapely.points(xy), all_matches=True)
        i = int(np.min(nearest))  # a point the line passes twice: its first passage, as project() does
        return float(offset[i] + np.hypot(xy[0] - starts[i][0], xy[1] - starts[i][1]))

    pieces: list[tuple[float, str]] = []
    for code in sorted(countries):
        poly = countries[code]
        if not dense.intersects(poly):
            continue
        inside = measure._lines(dense.intersection(poly))
        for piece in measure._lines(ops.linemerge(inside)) if inside else []:
            if measure.geodesic_length_km(piece) < min_km:
                continue
            pieces.append((min(position(piece.coords[0][:2]), position(piece.coords[-1][:2])), code))
    seq: list[str] = []
    for _, code in sorted(pieces):
        if not seq or seq[-1] != code:
            seq.append(code)
    return seq


def measure_line(line: BaseGeometry, countries: dict[str, BaseGeometry]) -> Measures:
    """Linear in the line's vertices (tests/test_hostile_round_two.py: a 20,000-vertex zigzag)."""
    along = countries_in_order(line, countries)
    return Measures(
        length_km=measure.geodesic_length_km(line),
        km_by_country=measure.km_by_country(line, countries),
        countries=along,
        border_crossings=max(0, len(along) - 1),
    )


def _reported_km(feature: Feature, quantity: str) -> tuple[int | None, str | None]:
    for r in feature.props.reported:
        if r.quantity == quantity and r.unit.lower() in KM_PER_UNIT:
            return round(r.value * KM_PER_UNIT[r.unit.lower()]), r.source
    return None, None


def _figure_text(value: float, unit: str) -> str:
    """'1,200,000 barrels/day', '3.6 billion USD': whole numbers without a decimal point."""
    return f"{value:,.0f} {unit}" if value == int(value) else f"{value:,} {unit}"


def reported_figures(feature: Feature, quantity: str) -> list[dict]:
    """Every ``reported`` entry of one quantity as {text, source, note}: the analyst columns."""
    return [{"text": _figure_text(r.value, r.unit) + (f" ({r.country})" if r.country else ""), "source": r.source, "note": r.note}
            for r in feature.props.reported if r.quantity == quantity]


def drawn_through_waypoints(feature: Feature, places: Mapping[str, Feature]) -> list[tuple[str, tuple[float, float]]] | None:
    """(country, (lon, lat)) per waypoint when the line is exactly the chain of its waypoints.

    Only such a line is a chain of chords standing for track between documented towns; a
    schematic line with any other vertices (a derived sea leg, a bank line) is judged on its
    geometry like a traced one.
    """
    p = feature.props
    if p.geometry_accuracy != "schematic" or len(p.waypoints) < 2 or feature.geometry.geom_type != "LineString":
        return None
    stops = [places.get(w) for w in p.waypoints]
    if any(s is None or s.props.country is None for s in stops):
        return None
    coords = [(s.geometry.x, s.geometry.y) for s in stops]
    if [tuple(c[:2]) for c in feature.geometry.coords] != coords:
        return None
    return [(s.props.country, c) for s, c in zip(stops, coords)]


def route_row(feature: Feature, base: dict[str, BaseLayer], places: dict[str, Feature] | None = None) -> dict:
    """Everything the table shows for one route (JSON-ready; whole km).

    A schematic route drawn through documented waypoints is judged chord by chord
    (measure.countries_along_waypoints): a chord between two towns on the same bank of a
    border river does not count as crossing the river where it cuts a bend. km per country
    stay those of the line as drawn.
    """
    p = feature.props
    borders = choose_borders(feature.geometry, base)
    interiors = country_interiors(feature.geometry, borders)
    m = measure_line(feature.geometry, interiors)
    stops = drawn_through_waypoints(feature, places or {})
    if stops:
        sequence, _ = measure.countries_along_waypoints(stops, interiors)
        m = Measures(m.length_km, m.km_by_country, sequence, len(sequence) - 1)
    length = round(m.length_km)
    reported, reported_source = _reported_km(feature, "length")
    length_figure = feature.props.reported_value("length")
    reported_country = length_figure.country if length_figure else None
    # a figure for one country's section is compared with the km drawn in that country
    drawn_for_reported = m.km_by_country.get(reported_country, 0.0) if reported_country else m.length_km
    new_km, new_source = _reported_km(feature, "new_construction")
    existing_km, existing_source = _reported_km(feature, "existing")
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "status": p.status,
        "status_text": STATUS_LABELS.get(p.status, p.status),
        "geometry_accuracy": p.geometry_accuracy,
        # how much of the line follows OSM track or stations, and how much is schematic
        "km_by_accuracy": ({k: round(v) for k, v in p.trace.km.items()} if p.trace and p.trace.km
                           else {p.geometry_accuracy: length}),
        "length_km": length,
        "reported_length_km": reported,
        "reported_length_source": reported_source,
        "reported_length_country": reported_country,
        "ratio_drawn_to_reported": round(drawn_for_reported / reported, 2) if reported else None,
        "countries": list(m.countries),
        "km_by_country": {c: round(km) for c, km in sorted(m.km_by_country.items(), key=lambda kv: (-kv[1], kv[0]))
                          if round(km) >= 1},
        "border_crossings": m.border_crossings,
        "new_construction_km": new_km,
        "new_construction_source": new_source,
        "existing_km": existing_km,
        "existing_source": existing_source,
        **{q: reported_figures(feature, q) for q in ANALYST_QUANTITIES},
        **{name: [] for name in FACT_FIELDS},  # filled from the set's [[fact]] entries (compare_rows)
        "sponsor": p.sponsor or None,
        "operator": p.operator or None,
        "dates": {k: p.dates[k] for k in DATE_KEYS if k in p.dates},
        "borders_from": borders.name,
    }


ACCURACY_WORDS = {"traced": "traced", "station_routed": "station-routed", "schematic": "schematic", "approximate": "approximate"}


def accuracy_text(row: dict) -> str:
    """'traced 581 km, schematic 89 km': how a route's km were drawn, strongest first."""
    return ", ".join(f"{ACCURACY_WORDS.get(k, k)} {km} km" for k, km in
                     sorted(row["km_by_accuracy"].items(), key=lambda kv: list(ACCURACY_WORDS).index(kv[0])))


def compare_rows(cset: ComparisonSet, layers: dict[str, Layer], base: dict[str, BaseLayer]) -> list[dict]:
    by_id = {f.id: f for layer in layers.values() for f in layer.features}
    places = {f.id: f for f in by_id.values() if f.props.kind == "place"}
    rows = [route_row(by_id[rid], base, places) for rid in cset.routes]
    for row in rows:
        for name in FACT_FIELDS:
            row[name] = [{"text": f.text, "source": f.source, "note": ""} for f in cset.fact if f.route == row["id"] and f.field == name]
    return rows


def compare_set(root: Path, set_id: str = DEFAULT_SET) -> tuple[ComparisonSet, list[dict]]:
    """Load, validate and measure one set (what ``python build.py compare SET`` prints)."""
    layers, base = load_data(root)
    cset = load_and_check_sets(root, layers, [set_id])[0]
    return cset, compare_rows(cset, layers, base)


# --------------------------------------------------------------------------- output

CSV_FIELDS = (
    "id", "name", "kind", "status", "geometry_accuracy", "km_by_accuracy", "length_km", "reported_length_km", "reported_length_source",
    "ratio_drawn_to_reported", "countries", "km_by_country", "border_crossings", "new_construction_km",
    "new_construction_source", "existing_km", "existing_source", *ANALYST_QUANTITIES, *FACT_FIELDS,
    "sponsor", "operator", "dates", "borders_from",
)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _safe_strings(value):
    """Every string inside ``value`` passed through errors.terminal_safe (for terminal output)."""
    if isinstance(value, str):
        return terminal_safe(value)
    if isinstance(value, dict):
        return {_safe_strings(k): _safe_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe_strings(v) for v in value]
    return value


def to_json(rows: list[dict]) -> str:
    """JSON with every terminal control character as a ``\\uXXXX`` escape: the same data, safe to print.

    json.dumps escapes C0 controls itself; DEL, C1 and the bidi controls are escaped here.
    """
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def to_csv(rows: list[dict]) -> str:
    """One line per route; lists joined with ';' (countries in order), maps as key=value;…

    Control characters in a value (C0, C1, DEL, bidi overrides) are *escaped* as visible
    ``\\x1b`` / ``\\u202e`` text rather than refused: CSV has no escape of its own, the file is
    often read with ``cat`` or ``column`` in a terminal, and refusing here would make
    ``compare`` fail on data that ``check`` accepted (refusing is validation's job).
    """
    rows = _safe_strings(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        flat["countries"] = ";".join(row["countries"])
        flat["km_by_country"] = ";".join(f"{c}={km}" for c, km in row["km_by_country"].items())
        flat["dates"] = ";".join(f"{k}={v}" for k, v in row["dates"].items())
        for name in (*ANALYST_QUANTITIES, *FACT_FIELDS):  # "text <source>; …", or empty: not stated
            flat[name] = "; ".join(f"{f['text']} <{f['source']}>" for f in row.get(name) or [])
        writer.writerow({k: "" if flat.get(k) is None else flat[k] for k in CSV_FIELDS})
    return buf.getvalue()


def km_text(value: int | None) -> str:
    return NOT_STATED if value is None else f"{value:,}"


def rich_table(cset: ComparisonSet, rows: list[dict]):
    from rich.table import Table
    from rich.text import Text

    rows = _safe_strings(rows)
    table = Table(title=terminal_safe(cset.title), caption="Drawn: geodesic on WGS84; schematic lines run short of the real track.",
                  show_lines=True)
    for name, justify in (("Route", "left"), ("Status", "left"), ("Drawn km", "right"), ("Reported km", "right"),
                          ("Drawn/rep.", "right"), ("Countries", "left"), ("km by country", "left"),
                          ("Crossings", "right"), ("New / existing km", "left"), ("Sponsor / operator", "left"),
                          ("Dates", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for r in rows:
        reported = km_text(r["reported_length_km"])
        if r["reported_length_source"]:
            try:
                reported += f"\n({urlsplit(r['reported_length_source']).hostname})"
            except ValueError:  # e.g. "https://[x": show the figure without a host
                pass
        if r["new_construction_km"] is None and r["existing_km"] is None:
            split = NOT_STATED
        else:
            split = f"new: {km_text(r['new_construction_km'])}\nexisting: {km_text(r['existing_km'])}"
        who = "; ".join(x for x in (r["sponsor"] and f"sponsor: {r['sponsor']}", r["operator"] and f"operator: {r['operator']}") if x)
        table.add_row(*(Text(cell) for cell in (
            f"{r['name']}\n{r['id']}\n({accuracy_text(r)})",
            r["status_text"],
            f"{r['length_km']:,}",
            reported,
            "" if r["ratio_drawn_to_reported"] is None else f"{r['ratio_drawn_to_reported']:.2f}",
            " → ".join(r["countries"]),
            "\n".join(f"{c} {km:,}" for c, km in r["km_by_country"].items()),
            str(r["border_crossings"]),
            split,
            who or NOT_STATED,
            "\n".join(f"{k.replace('_', ' ')}: {v}" for k, v in r["dates"].items()) or "—",
        )))
    return table


# --------------------------------------------------------------------------- notebooks


class _CallableModule(ModuleType):
    """``corridor_atlas.compare("crude")`` is the notebook API (api.compare, a DataFrame), while
    ``corridor_atlas.compare`` stays this module: the package attribute can only be one object,
    and the import system sets it to the submodule, so the module itself answers the call."""

    def __call__(self, set_id: str = DEFAULT_SET, root=None):
        from .api import compare as compare_frame

        return compare_frame(set_id, root)


sys.modules[__name__].__class__ = _CallableModule
