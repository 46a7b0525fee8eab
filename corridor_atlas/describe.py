"""A plain-text description of a map, generated from its data.

Screen-reader users get it through aria-describedby, search engines and link previews as
the meta description, readers without JavaScript in <noscript>. Generated, never
hand-written, so it cannot drift from what the map shows. It reads as prose about the
geography: where each area lies, which way each route runs, from where through where to
where, across which countries, and where routes meet; not as a list of names.
"""

from __future__ import annotations

from collections import Counter

import shapely
from pyproj import Geod

from .spec import MapSpec
from .style import FLOW_STATUSES, KIND_LABELS
from .vocabulary import LINE_KINDS

_GEOD = Geod(ellps="WGS84")
COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")
# what a route is and does, by status: "a proposed railway, would run west from A via B to C"
STATUS_PHRASES = {
    "operational": "an operational {}",
    "under_construction": "a {} under construction",
    "proposed": "a proposed {}",
    "missing": "a missing {} link",
    "idle": "an idle {}",
    "defunct": "a closed {}",
}
STATUS_VERBS = {
    "operational": "runs",
    "under_construction": "is being built to run",
    "proposed": "would run",
    "missing": "would run",
    "idle": "runs",
    "defunct": "ran",
}
MAX_VIA = 2  # intermediate stops named per route: enough to place it, few enough to read
MAX_HUBS = 3  # places where routes meet, most-shared first
CENTRE_SHARE = 0.15  # an area this close to the view's centre (share of its size) lies "in the centre"


def _compass(azimuth: float) -> str:
    return COMPASS[round((azimuth % 360) / 45) % 8]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _ends(geometry) -> tuple[tuple[float, float], tuple[float, float]]:
    parts = shapely.get_parts(geometry)
    return parts[0].coords[0][:2], parts[-1].coords[-1][:2]


def _view(spec: MapSpec, features) -> tuple[float, float, float, float]:
    if spec.view.bounds:
        (south, west), (north, east) = spec.view.bounds
        return west, south, east, north
    return shapely.total_bounds([f.geometry for f in features])


def _where_in_view(point, view) -> str:
    west, south, east, north = view
    dx, dy = (point.x - (west + east) / 2) / (east - west), (point.y - (south + north) / 2) / (north - south)
    if abs(dx) < CENTRE_SHARE and abs(dy) < CENTRE_SHARE:
        return "in the centre of the map"
    ns = "north" if dy > CENTRE_SHARE else "south" if dy < -CENTRE_SHARE else ""
    ew = "east" if dx > CENTRE_SHARE else "west" if dx < -CENTRE_SHARE else ""
    return f"in the {'-'.join(w for w in (ns, ew) if w)} of the map"


def _route_sentence(f, place_names: dict[str, str], country_names: dict[str, str]) -> str:
    p = f.props
    (lon1, lat1), (lon2, lat2) = _ends(f.geometry)
    heading = _compass(_GEOD.inv(lon1, lat1, lon2, lat2)[0])
    stops = [place_names[w] for w in p.waypoints if w in place_names]
    what = STATUS_PHRASES[p.status].format(KIND_LABELS[p.kind].lower())
    sentence = f"{p.name}, {what}, {STATUS_VERBS[p.status]} {heading}"
    if len(stops) >= 2:
        inner = stops[1:-1]
        # evenly spaced stops from the middle of the route, not the ones next to its ends
        via = [inner[(i + 1) * len(inner) // (MAX_VIA + 1)] for i in range(MAX_VIA)] if len(inner) > MAX_VIA else inner
        sentence += f" from {stops[0]}" + (f" via {_join(list(dict.fromkeys(via)))}" if via else "") + f" to {stops[-1]}"
    countries = [country_names[c] for c in p.countries if c in country_names]
    if countries and len(countries) == len(p.countries):
        sentence += (f", within {countries[0]}" if len(set(countries)) == 1 else ", through " + ", then ".join(countries))
    if p.flow and p.status in FLOW_STATUSES and len(stops) >= 2:
        first, last = (stops[-1], stops[0]) if p.flow == "reverse" else (stops[0], stops[-1])
        sentence += f"; the flow runs from {first} to {last}" if p.flow != "both" else "; it can pump either way"
    return sentence + "."


def country_names(base: dict) -> dict[str, str]:
    """ISO alpha-3 → name from the Natural Earth countries, whichever basemap a map draws, so a
    description never depends on which base file was chosen (the gallery and the page agree)."""
    layer = base.get("countries")
    return {f.props.iso_a3: f.props.name for f in layer.features} if layer is not None else {}


def describe_map(spec: MapSpec, features, country_names: dict[str, str] | None = None) -> str:
    """Prose about what the map shows. `country_names` (ISO alpha-3 → name, from the basemap)
    lets routes say which countries they cross; without it that clause is left out."""
    country_names = country_names or {}
    routes = [f for f in features if f.props.kind in LINE_KINDS]
    areas = [f for f in features if f.props.kind == "area"]
    places = [f for f in features if f.props.kind == "place"]
    place_names = {f.id: f.props.name for f in places}
    parts = [f"{spec.title}." if not spec.title.endswith((".", "?", "!")) else spec.title]
    if spec.subtitle:
        parts.append(spec.subtitle if spec.subtitle.endswith(".") else spec.subtitle + ".")
    view = _view(spec, features) if features else None
    for area in areas:
        spot = area.geometry.representative_point()
        parts.append(f"{area.props.name} lies {_where_in_view(spot, view)}.")
    if routes:
        parts.append(f"The map shows {len(routes)} route{'s' if len(routes) != 1 else ''}.")
        parts.extend(_route_sentence(f, place_names, country_names) for f in routes)
        shared = Counter(w for f in routes for w in dict.fromkeys(f.props.waypoints) if w in place_names)
        hubs = [(w, n) for w, n in sorted(shared.items(), key=lambda wn: (-wn[1], place_names[wn[0]])) if n >= 3][:MAX_HUBS]
        for hub, count in hubs:
            names = [f.props.name for f in routes if hub in f.props.waypoints]
            parts.append(f"{count} routes meet at {place_names[hub]}: {_join(names)}.")
    if places:
        parts.append(f"{len(places)} places are marked.")
    return " ".join(parts)
