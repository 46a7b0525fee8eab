"""A plain-text description of a map, generated from its data, in the page's language.

Screen-reader users get it through aria-describedby, search engines and link previews as
the meta description, readers without JavaScript in <noscript>. Generated, never
hand-written, so it cannot drift from what the map shows. It reads as prose about the
geography: where each area lies, which way each route runs, from where through where to
where, across which countries, and where routes meet; not as a list of names.

Two steps, so every language says the same facts: `description_plan` turns the features
into sentences as data (JSON-able: it travels in the PreparedMap to worker processes), and
`render_description` words them from the `desc_*` templates of `locales/<lang>.toml`
(i18n.py). The templates avoid case endings ("route: A – B – C" rather than "from A"), so a
name from names.json fits every slot. A name with no sourced translation stays English and
is marked `lang="en"` in the HTML form.
"""

from __future__ import annotations

import re

from collections import Counter

import shapely
from markupsafe import Markup, escape
from pyproj import Geod

from .spec import MapSpec
from .style import FLOW_STATUSES
from .vocabulary import LINE_KINDS

_GEOD = Geod(ellps="WGS84")
COMPASS = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
MAX_VIA = 2  # intermediate stops named per route: enough to place it, few enough to read
MAX_HUBS = 3  # places where routes meet, most-shared first
CENTRE_SHARE = 0.15  # an area this close to the view's centre (share of its size) lies "in the centre"


def _compass(azimuth: float) -> str:
    return COMPASS[round((azimuth % 360) / 45) % 8]


def _ends(geometry) -> tuple[tuple[float, float], tuple[float, float]]:
    parts = shapely.get_parts(geometry)
    return parts[0].coords[0][:2], parts[-1].coords[-1][:2]


def _view(spec: MapSpec, features) -> tuple[float, float, float, float]:
    if spec.view.bounds:
        (south, west), (north, east) = spec.view.bounds
        return west, south, east, north
    return shapely.total_bounds([f.geometry for f in features])


def _where_in_view(point, view) -> str:
    """"centre", or a compass point ("ne") of the view the point lies in."""
    west, south, east, north = view
    dx, dy = (point.x - (west + east) / 2) / (east - west), (point.y - (south + north) / 2) / (north - south)
    if abs(dx) < CENTRE_SHARE and abs(dy) < CENTRE_SHARE:
        return "centre"
    ns = "n" if dy > CENTRE_SHARE else "s" if dy < -CENTRE_SHARE else ""
    ew = "e" if dx > CENTRE_SHARE else "w" if dx < -CENTRE_SHARE else ""
    return ns + ew


def _route(f, place_ids: set[str], countries: set[str]) -> dict:
    p = f.props
    (lon1, lat1), (lon2, lat2) = _ends(f.geometry)
    stops = [w for w in p.waypoints if w in place_ids]
    inner = stops[1:-1]
    # evenly spaced stops from the middle of the route, not the ones next to its ends
    via = [inner[(i + 1) * len(inner) // (MAX_VIA + 1)] for i in range(MAX_VIA)] if len(inner) > MAX_VIA else inner
    return {"t": "route", "id": f.id, "name": p.name, "status": p.status, "kind": p.kind,
            "heading": _compass(_GEOD.inv(lon1, lat1, lon2, lat2)[0]),
            "stops": [stops[0], *dict.fromkeys(via), stops[-1]] if len(stops) >= 2 else [],
            "countries": list(p.countries) if p.countries and all(c in countries for c in p.countries) else [],
            "flow": p.flow if p.flow and p.status in FLOW_STATUSES and len(stops) >= 2 else None}


def country_names(base: dict) -> dict[str, str]:
    """ISO alpha-3 → name from the Natural Earth countries, whichever basemap a map draws, so a
    description never depends on which base file was chosen (the gallery and the page agree)."""
    layer = base.get("countries")
    return {f.props.iso_a3: f.props.name for f in layer.features} if layer is not None else {}


def description_plan(spec: MapSpec, features, country_names: dict[str, str] | None = None) -> dict:
    """What the description says, as data: {"places": {id: English name}, "countries": {iso:
    English name}, "sentences": [...]}; the title and subtitle are taken in the page's language."""
    country_names = country_names or {}
    routes = [f for f in features if f.props.kind in LINE_KINDS]
    places = {f.id: f.props.name for f in features if f.props.kind == "place"}
    view = _view(spec, features) if features else None
    sentences = [{"t": "area", "id": a.id, "name": a.props.name, "where": _where_in_view(a.geometry.representative_point(), view)}
                 for a in features if a.props.kind == "area"]
    if routes:
        sentences.append({"t": "routes", "n": len(routes)})
        sentences.extend(_route(f, set(places), set(country_names)) for f in routes)
        shared = Counter(w for f in routes for w in dict.fromkeys(f.props.waypoints) if w in places)
        hubs = [(w, n) for w, n in sorted(shared.items(), key=lambda wn: (-wn[1], places[wn[0]])) if n >= 3][:MAX_HUBS]
        for hub, count in hubs:
            sentences.append({"t": "hub", "id": hub, "n": count,
                              "routes": [[f.id, f.props.name] for f in routes if hub in f.props.waypoints]})
    if places:
        sentences.append({"t": "places", "n": len(places)})
    return {"places": places, "countries": {iso: country_names[iso] for s in sentences for iso in s.get("countries", [])},
            "sentences": sentences}


class _Words:
    """Runs of text for one description: plain text and HTML, English names marked."""

    def __init__(self, lang: str, names: dict):
        from . import i18n

        self.lang, self.names, self.i18n = lang, names, i18n

    def say(self, key: str, **slots) -> Markup:
        return escape(self.i18n.Translator(self.lang).text(key)[0]).format(**slots)  # Markup.format escapes the slots

    def number(self, n: int) -> str:
        return self.i18n.local_digits(str(n), self.lang)

    def _name(self, entry: dict | None, english: str) -> Markup:
        named = (entry or {}).get("names", {}).get(self.lang)
        if named:
            return escape(named["name"])
        english = (entry or {}).get("names", {}).get("en", {}).get("name", english)  # a contested place: both names
        if self.lang == "en":
            return escape(english)
        return Markup('<span lang="en" dir="ltr">{}</span>').format(english)

    def feature(self, fid: str, english: str) -> Markup:
        return self._name(self.names.get("features", {}).get(fid), english)

    def country(self, iso: str, english: str) -> Markup:
        return self._name(self.names.get("countries", {}).get(iso), english)

    def join(self, items: list[Markup], last: str = "desc_and") -> Markup:
        if len(items) == 1:
            return items[0]
        return self.say("desc_comma").join(items[:-1]) + self.say(last) + items[-1]


def _sentence(w: _Words, s: dict, plan: dict) -> Markup:
    place = lambda pid: w.feature(pid, plan["places"][pid])  # noqa: E731
    if s["t"] == "area":
        return w.say(f"desc_area_{s['where']}" if s["where"] != "centre" else "desc_area_centre", name=w.feature(s["id"], s["name"]))
    if s["t"] == "routes":
        return w.say("desc_routes_one" if s["n"] == 1 else "desc_routes", n=w.number(s["n"]))
    if s["t"] == "places":
        return w.say("desc_places", n=w.number(s["n"]))
    if s["t"] == "hub":
        return w.say("desc_hub", n=w.number(s["n"]), place=place(s["id"]),
                     routes=w.join([w.feature(fid, name) for fid, name in s["routes"]]))
    kind = w.i18n.Translator(w.lang).text(f"kind_{s['kind']}")[0]
    text = w.say(f"desc_route_{s['status']}", name=w.feature(s["id"], s["name"]), kind=kind[:1].lower() + kind[1:],
                 heading=w.say(f"desc_heading_{s['heading']}"))
    stops = [place(pid) for pid in s["stops"]]
    if len(stops) > 2:
        text += w.say("desc_stops_via", first=stops[0], via=w.join(stops[1:-1], "desc_via_and"), last=stops[-1])
    elif stops:
        text += w.say("desc_stops", first=stops[0], last=stops[-1])
    countries = [w.country(iso, plan["countries"][iso]) for iso in s["countries"]]
    if countries:
        text += (w.say("desc_within", country=countries[0]) if len(set(s["countries"])) == 1
                 else w.say("desc_through", countries=w.say("desc_then").join(countries)))
    if s["flow"] == "both":
        text += w.say("desc_flow_both")
    elif s["flow"]:
        first, last = (stops[-1], stops[0]) if s["flow"] == "reverse" else (stops[0], stops[-1])
        text += w.say("desc_flow", first=first, last=last)
    return text + w.say("desc_end")


def render_description(plan: dict, spec: MapSpec, lang: str = "en", names: dict | None = None) -> tuple[str, Markup]:
    """The description in `lang`: (plain text for <meta> and alt, HTML with English names marked)."""
    from .i18n import spec_text

    w = _Words(lang, names or {})
    own = spec_text(spec, lang) if lang != "en" else {}
    parts = []
    for key, stops in (("title", (".", "?", "!", "؟")), ("subtitle", (".",))):
        text = own.get(key) or getattr(spec, key)
        if text:
            marked = lang != "en" and not own.get(key)  # the English, marked, where the definition has no translation
            run = Markup('<span lang="en" dir="ltr">{}</span>').format(text) if marked else escape(text)
            parts.append(run + ("" if text.endswith(stops) else w.say("desc_end")))
    parts.extend(_sentence(w, s, plan) for s in plan["sentences"])
    html = Markup(" ").join(parts)
    # not Markup.striptags(): it folds whitespace, and data text must reach <meta> as written.
    # Data text is escaped, so the only tags here are the language spans added above.
    return Markup(_OWN_SPAN.sub("", str(html))).unescape(), html


_OWN_SPAN = re.compile(r"</?span\b[^>]*>")


def describe_map(spec: MapSpec, features, country_names: dict[str, str] | None = None) -> str:
    """Prose about what the map shows, in English. `country_names` (ISO alpha-3 → name, from the
    basemap) lets routes say which countries they cross; without it that clause is left out."""
    return render_description(description_plan(spec, features, country_names), spec)[0]
