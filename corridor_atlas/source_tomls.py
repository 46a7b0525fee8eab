"""The hand-edited sources of the curated layers: data/sources/places.toml and routes.toml.

assemble_layers.py turns them into data/layers/*.geojson. A typo there (a key, a place
id, a country code) used to surface as a KeyError traceback, or worse as a layer that
silently lacked a feature. These models (pydantic, strict, unknown keys refused with a
did-you-mean) and the cross-checks below catch it first, with the project's usual
``file: location: message`` lines, e.g.::

    data/sources/routes.toml: route 'btc-pipeline' (#3): waypoints[2]: unknown place 'tblisi' (did you mean 'tbilisi'?)

``python build.py check`` and ``assemble_layers.py`` both run :func:`check_sources`.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Problems, not_blank, pydantic_message
from .layers import DATE, FEATURE_ID, ISO_A3, Reported, _http_url, _real_date
from .safe_read import UnsafeInput, project_root_of, read_text_input
from .vocabulary import DATE_KEYS, LINE_KINDS, PLACE_TYPES, POINT_KINDS, STATUSES

PLACES_FILE = "places.toml"
ROUTES_FILE = "routes.toml"
ISO_A2 = r"^[A-Z]{2}$"
#: A geometry file stem under data/sources/geometry/ (railways, sea-legs, banks …).
GEOMETRY_STEM = r"^[a-z0-9][a-z0-9_-]*$"

Id = Annotated[str, Field(pattern=FEATURE_ID)]
Text = Annotated[str, Field(min_length=1), AfterValidator(not_blank)]
Country = Annotated[str, Field(pattern=ISO_A3)]
Url = Annotated[str, AfterValidator(_http_url)]
Date = Annotated[str, Field(pattern=DATE), AfterValidator(_real_date)]
# TOML has arrays, not tuples: a [title, url] pair is a two-element array
TitledUrl = Annotated[tuple[Text, Url], Field(strict=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Place(_Strict):
    """One [[place]]: a gazetteer record to copy coordinates from (or a border midpoint)."""

    id: Id
    name: Text
    gz_name: Text | None = None
    gz_country: Annotated[str, Field(pattern=ISO_A2)] | None = None
    gz_admin1: str | None = None
    on_border: Annotated[tuple[Country, Country], Field(strict=False)] | None = None
    place_type: Literal[PLACE_TYPES]  # type: ignore[valid-type]
    country: Country
    label: bool = False
    note: str = ""
    role: list[TitledUrl] = []
    accuracy: Literal["exact", "approximate"] = "exact"

    @model_validator(mode="after")
    def _one_way_to_locate(self) -> "Place":
        gazetteer = (self.gz_name, self.gz_country, self.gz_admin1)
        if self.on_border is not None:
            if any(v is not None for v in gazetteer):
                raise ValueError("give either on_border or gz_name/gz_country/gz_admin1, not both")
        elif any(v is None for v in gazetteer):
            raise ValueError("a place needs gz_name, gz_country and gz_admin1 (its gazetteer record), or on_border")
        return self


class SourceLayer(_Strict):
    """One [[layer]]: a layer file the routes are written into."""

    name: Id
    title: Text
    description: str = ""


class Route(_Strict):
    """One [[route]]: a line, drawn through its waypoints or taken from a derived geometry file."""

    id: Id
    layer: Id
    name: Text
    kind: Literal[LINE_KINDS]  # type: ignore[valid-type]
    status: Literal[STATUSES]  # type: ignore[valid-type]
    operator: str = ""
    sponsor: str = ""
    dates: dict[Literal[DATE_KEYS], Date] = {}  # type: ignore[valid-type]
    reported: list[Reported] = []
    countries: Annotated[list[Country], Field(min_length=1)]
    waypoints: Annotated[list[Id], Field(min_length=2)]
    sources: Annotated[list[TitledUrl], Field(min_length=1)]
    note: str = ""
    # the stem of a file in data/sources/geometry/ holding this route's line (absent: drawn through its waypoints)
    geometry: Annotated[str, Field(pattern=GEOMETRY_STEM)] | None = None
    # which way the route carries its goods, in the order of its waypoints (arrows on the map)
    flow: Literal["forward", "reverse", "both"] | None = None


class Point(_Strict):
    """One [[point]]: a context point placed on a place's coordinates."""

    id: Id
    layer: Id
    name: Text
    place: Id
    kind: Literal[POINT_KINDS]  # type: ignore[valid-type]
    place_type: Literal[PLACE_TYPES]  # type: ignore[valid-type]
    status: Literal[STATUSES]  # type: ignore[valid-type]
    sources: Annotated[list[TitledUrl], Field(min_length=1)]
    note: str = ""


class Area(_Strict):
    """One [[area]]: a polygon from a base file, or the union of admin-1 units."""

    id: Id
    layer: Id
    name: Text
    status: Literal[STATUSES]  # type: ignore[valid-type]
    label: bool = False
    base_file: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*\.geojson$")] | None = None
    units: list[Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")]] = []
    documented_area_km2: Annotated[float, Field(gt=0, strict=False, allow_inf_nan=False)] | None = None
    documented_area_source: Url | None = None
    dates: dict[Literal[DATE_KEYS], Date] = {}  # type: ignore[valid-type]
    sources: Annotated[list[TitledUrl], Field(min_length=1)]
    note: str = ""

    @model_validator(mode="after")
    def _one_outline(self) -> "Area":
        if (self.base_file is None) == (not self.units):
            raise ValueError("an area needs either base_file or units (admin-1 codes), not both")
        if (self.documented_area_km2 is None) != (self.documented_area_source is None):
            raise ValueError("documented_area_km2 and documented_area_source go together")
        return self


#: What each table of each file holds, and the model of one entry.
TABLES = {
    PLACES_FILE: {"place": Place},
    ROUTES_FILE: {"layer": SourceLayer, "route": Route, "point": Point, "area": Area},
}
REQUIRED_TABLES = {PLACES_FILE: ("place",), ROUTES_FILE: ("layer",)}
NESTED_KEYS = {"reported": list(Reported.model_fields)}


# --------------------------------------------------------------------------- parsing


def _toml_problem(path: Path, exc: tomllib.TOMLDecodeError, problems: Problems) -> None:
    """tomllib puts the position at the end of its message: move it to the location."""
    text = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", text)
    at_end = re.search(r"\s*\(at end of document\)$", text)
    if found:
        problems.add(path, f"line {found[1]} column {found[2]}", f"invalid TOML: {text[: found.start()]}")
    elif at_end:
        problems.add(path, "end of file", f"invalid TOML: {text[: at_end.start()]} (an unclosed array, table or string?)")
    else:
        problems.add(path, "", f"invalid TOML: {text}")


def read_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    try:
        text = read_text_input(path, project_root_of(path))  # a FIFO, a link out of the project: refused, not hung on
    except UnsafeInput as exc:
        problems.add(path, "", str(exc))
        return None
    if text.startswith("\ufeff"):
        problems.add(path, "line 1 column 1", "invalid TOML: the file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM")
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _toml_problem(path, exc, problems)
    except RecursionError:
        problems.add(path, "", "invalid TOML: arrays or tables nested too deeply")
    except ValueError as exc:  # an integer with more digits than Python will convert
        problems.add(path, "", f"invalid TOML: a number is too long ({str(exc).split(';')[0]})")
    return None


def _entry_label(table: str, raw: Any, index: int) -> str:
    """"route 'btc-pipeline' (#3)": the id (or a layer's name) and the entry's place in the file."""
    key = raw.get("name" if table == "layer" else "id") if isinstance(raw, dict) else None
    if isinstance(key, str) and re.fullmatch(FEATURE_ID, key):
        return f"{table} {key!r} (#{index + 1})"
    return f"{table} #{index + 1}"


def _where(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]" and not str(part).startswith("function-"):
            out += f".{part}" if out else str(part)
    return out


def _entries(path: Path, raw: dict[str, Any], problems: Problems) -> dict[str, list[tuple[str, Any]]]:
    """Each table's valid entries as (label, model); every invalid key or value recorded."""
    tables = TABLES[path.name]
    for key in raw:
        if key not in tables:
            hint = difflib.get_close_matches(key, list(tables), n=1)
            problems.add(path, key, f"unknown table {key!r}" + (f" (did you mean [[{hint[0]}]]?)" if hint
                                                                   else f"; expected {', '.join(f'[[{t}]]' for t in tables)}"))
    for table in REQUIRED_TABLES[path.name]:
        if table not in raw:
            problems.add(path, "(top level)", f"no [[{table}]] entries")
    out: dict[str, list[tuple[str, Any]]] = {}
    for table, model in tables.items():
        items = raw.get(table, [])
        if not isinstance(items, list):
            problems.add(path, table, f"must be an array of tables ([[{table}]]), not {type(items).__name__}")
            continue
        valid = out.setdefault(table, [])
        for index, item in enumerate(items):
            label = _entry_label(table, item, index)
            try:
                valid.append((label, model.model_validate(item)))
            except ValidationError as exc:
                for err in exc.errors():
                    if err["type"] == "missing" and isinstance(err["loc"][-1], int):  # a pair given one item
                        problems.add(path, f"{label}: {_where(err['loc'][:-1])}", "too few items: expected a pair [first, second]")
                        continue
                    field = _where(err["loc"])
                    parent = next((str(p) for p in reversed(err["loc"][:-1]) if isinstance(p, str)), "")
                    known = NESTED_KEYS.get(parent, list(model.model_fields))
                    problems.add(path, f"{label}: {field}" if field else label, pydantic_message(err, "key", known))
    return out


# --------------------------------------------------------------------------- cross-checks


def _unknown(noun: str, value: str, known: Iterable[str]) -> str:
    hint = difflib.get_close_matches(value, sorted(known), n=1)
    return f"unknown {noun} {value!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")


def _duplicates(path: Path, entries: list[tuple[str, Any]], key: str, problems: Problems,
                taken: dict[str, str] | None = None) -> dict[str, str]:
    """Record entries whose ``key`` was already used; returns key → label of its first use."""
    seen = dict(taken or {})
    for label, entry in entries:
        value = getattr(entry, key)
        if value in seen:
            problems.add(path, f"{label}: {key}", f"duplicate {key} {value!r} (also {seen[value]})")
        else:
            seen[value] = label
    return seen


def base_country_codes(base_dir: Path) -> set[str] | None:
    """ISO alpha-3 codes of data/base/countries.geojson, or None if it cannot be read."""
    try:
        path = base_dir / "countries.geojson"
        data = json.loads(read_text_input(path, project_root_of(path)))
        return {f["properties"]["iso_a3"] for f in data["features"]}
    except (UnsafeInput, ValueError, KeyError, TypeError):
        return None


def _check_country(path: Path, where: str, code: str, codes: set[str] | None, problems: Problems) -> None:
    if codes is not None and code not in codes:
        problems.add(path, where, _unknown("country", code, codes) + " (not an ISO alpha-3 code in data/base/countries.geojson)")


def cross_check(places_path: Path, routes_path: Path, places: dict, routes: dict, *, codes: set[str] | None,
                geometry_dir: Path | None, base_dir: Path | None, problems: Problems) -> None:
    """What one entry alone cannot know: unique ids, and references that must resolve."""
    place_ids = _duplicates(places_path, places.get("place", []), "id", problems)
    for label, place in places.get("place", []):
        _check_country(places_path, f"{label}: country", place.country, codes, problems)
        for i, code in enumerate(place.on_border or ()):
            _check_country(places_path, f"{label}: on_border[{i}]", code, codes, problems)
    layer_names = _duplicates(routes_path, routes.get("layer", []), "name", problems)
    # feature ids share one space across layers, places included
    taken = {k: f"{v} in {PLACES_FILE}" for k, v in place_ids.items()}
    features = [e for table in ("route", "point", "area") for e in routes.get(table, [])]
    _duplicates(routes_path, features, "id", problems, taken)
    for label, entry in features:
        if entry.layer not in layer_names:
            problems.add(routes_path, f"{label}: layer", _unknown("layer", entry.layer, layer_names))
    for label, route in routes.get("route", []):
        for i, waypoint in enumerate(route.waypoints):
            if waypoint not in place_ids:
                problems.add(routes_path, f"{label}: waypoints[{i}]", _unknown("place", waypoint, place_ids))
        for i, code in enumerate(route.countries):
            _check_country(routes_path, f"{label}: countries[{i}]", code, codes, problems)
        for i, figure in enumerate(route.reported):
            if figure.country and figure.country not in route.countries:
                problems.add(routes_path, f"{label}: reported[{i}].country",
                             f"{figure.country!r} is not one of the route's countries ({', '.join(route.countries)})")
        if route.geometry and geometry_dir is not None and not (geometry_dir / f"{route.geometry}.geojson").is_file():
            problems.add(routes_path, f"{label}: geometry", f"no file {geometry_dir.name}/{route.geometry}.geojson "
                         "(regenerate it: trace_railways.py or derive_lines.py)")
    for label, point in routes.get("point", []):
        if point.place not in place_ids:
            problems.add(routes_path, f"{label}: place", _unknown("place", point.place, place_ids))
    for label, area in routes.get("area", []):
        if area.base_file and base_dir is not None and not (base_dir / area.base_file).is_file():
            problems.add(routes_path, f"{label}: base_file", f"no file data/base/{area.base_file}")


def check_sources(sources_dir: Path, base_dir: Path | None = None) -> Problems:
    """Validate places.toml and routes.toml in ``sources_dir`` (each only if present).

    Cross-checks need both files valid as TOML; country codes are checked against
    ``base_dir``/countries.geojson when it can be read (default: data/base next to sources).
    """
    problems = Problems()
    sources_dir = Path(sources_dir)
    base_dir = Path(base_dir) if base_dir is not None else sources_dir.parent / "base"
    paths = {name: sources_dir / name for name in TABLES}
    parsed = {name: read_toml(path, problems) for name, path in paths.items() if path.exists() or path.is_symlink()}
    entries = {name: _entries(paths[name], raw, problems) for name, raw in parsed.items() if raw is not None}
    if len(entries) == len(TABLES):
        cross_check(paths[PLACES_FILE], paths[ROUTES_FILE], entries[PLACES_FILE], entries[ROUTES_FILE],
                    codes=base_country_codes(base_dir), geometry_dir=sources_dir / "geometry", base_dir=base_dir,
                    problems=problems)
    return problems

