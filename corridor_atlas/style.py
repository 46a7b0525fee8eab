"""One table: kind × status → how a feature is drawn. The legend is drawn from it too.

Status is told apart without colour: operational lines are solid, under construction
dashed, proposed dotted, a missing link dash-dotted, idle and defunct grey (idle solid and
thin, defunct short-dashed). Kind sets the colour (an Okabe–Ito-derived palette, darkened
to keep at least 3:1 contrast against the land colour, and checked for protan, deutan and
tritan vision in tests/test_style.py) and, without colour, its marks: railways ticked, roads
cased, sea lanes haloed, pipelines plain. Places differ by marker shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .vocabulary import LINE_KINDS, PLACE_TYPES, STATUSES

LAND = "#f3efe6"
SEA = "#c9dcea"
BORDER = "#776f62"  # at least 3:1 against every land fill (tests/test_style.py); was #9a917f, 2.7:1

# The story's countries get their own pale fill so a reader tells them apart at a glance:
# Armenia's Meghri strip visibly between mainland Azerbaijan and Nakhchivan (one fill: both
# are AZE). Other countries keep LAND. Chosen so that neighbours (and each fill against the
# sea) stay apart for normal, protan, deutan and tritan vision (CIELAB ΔE ≥ 7, checked in
# tests/test_style.py) and every route colour keeps 3:1 against every fill.
COUNTRY_FILLS = {
    "AZE": "#d2f2b8",  # pale green
    "ARM": "#e3c7a0",  # tan
    "IRN": "#d8d3c4",  # stone
    "TUR": "#efe08a",  # pale yellow
    "GEO": "#fee9ec",  # pale pink
    "RUS": "#cfd1cb",  # grey
}
GREY = "#6f6f6f"


def land_fill(iso_a3: str) -> str:
    return COUNTRY_FILLS.get(iso_a3, LAND)


KIND_COLOURS = {
    "pipeline": "#b34700",  # dark vermillion
    "rail": "#005a8c",  # dark blue
    "road": "#8e3b7a",  # dark reddish purple
    "shipping": "#00735a",  # dark bluish green
}
KIND_LABELS = {"pipeline": "Pipeline", "rail": "Railway", "road": "Road", "shipping": "Shipping route"}
STATUS_LABELS = {
    "operational": "operational",
    "under_construction": "under construction",
    "proposed": "proposed",
    "missing": "missing link",
    "idle": "idle",
    "defunct": "defunct / closed",
}
PLACE_LABELS = {
    "capital": "Capital",
    "city": "City",
    "town": "Town",
    "port": "Port",
    "terminal": "Oil terminal",
    "station": "Railway station",
    "border_crossing": "Border crossing",
}


@dataclass(frozen=True)
class LineStyle:
    """Leaflet path options for a line; `dash` is an SVG dash array or None for solid;
    `marks` are extra strokes drawn along it (under or over) that tell its kind without colour."""

    color: str
    weight: float
    dash: str | None
    opacity: float = 0.95
    marks: tuple[dict, ...] = ()

    @property
    def line_cap(self) -> str:
        return "round" if self.dash and self.dash.startswith("1 ") else "butt"

    def leaflet(self) -> dict[str, object]:
        options: dict[str, object] = {
            "color": self.color,
            "weight": self.weight,
            "opacity": self.opacity,
            "lineCap": self.line_cap,
        }
        if self.dash:
            options["dashArray"] = self.dash
        if self.marks:
            options["marks"] = [dict(m) for m in self.marks]
        return options


# Dash patterns by status; the pattern alone distinguishes statuses.
STATUS_DASH = {
    "operational": None,
    "under_construction": "10 6",
    "proposed": "1 8",
    "missing": "14 6 2 6",
    "idle": None,
    "defunct": "4 5",
}
STATUS_WEIGHT = {
    "operational": 4.0,
    "under_construction": 4.0,
    "proposed": 4.5,
    "missing": 4.0,
    "idle": 2.5,
    "defunct": 2.5,
}
GREY_STATUSES = ("idle", "defunct")
# Flow arrows only where goods move today: an idle pipeline keeps its documented direction in
# the data (and the description) but draws none, and a proposal has no flow to draw.
FLOW_STATUSES = ("operational",)


# Kind is told apart without colour too, by the conventions of printed maps: a railway has
# cross ticks (sleepers), a road a light core (a cased road), a sea lane a light halo, a
# pipeline is a plain line. The status dash pattern stays on the line itself.
MARK_LIGHT = "#ffffff"
RAIL_TICKS = "1 13"  # a 1 px tick every 14 px (on a solid line; rail_ticks)
RAIL_TICK_OVERHANG = 5.0  # the ticks stand 2.5 px out on each side
RAIL_TICK_SPACING_MIN = 12  # px: on a dashed or dotted railway, ticks at least this far apart
ROAD_CORE_SHARE = 0.4  # the light core is 40% of the line's width
SHIP_HALO = 3.0  # px of light halo around a sea lane (1.5 px each side)


def _px(value: float) -> str:
    return f"{value:g}"


def rail_ticks(dash: str | None) -> tuple[str, str | None]:
    """(dashArray, dashOffset) of a railway's ticks. On a solid line, a tick every 14 px. On a
    dashed or dotted one, a tick in the middle of the widest gap of the line's own pattern, every
    period or every few (about 14 px apart): both patterns run along the same path, so the ticks
    fall between the dashes however the line winds. With a period of their own the two beat, and
    on a winding traced line ticks and dots piled up into clumps (the Aras railways at zoom 6–8)."""
    if not dash:
        return RAIL_TICKS, None
    steps = [float(step) for step in dash.split()]
    steps = steps * 2 if len(steps) % 2 else steps  # an odd list repeats, as SVG reads it
    period = sum(steps)
    starts = [sum(steps[:i]) for i in range(len(steps))]
    gaps = [(starts[i], starts[i] + steps[i]) for i in range(1, len(steps), 2)]
    start, end = max(gaps, key=lambda gap: gap[1] - gap[0])  # the first of the widest
    tick = (start + end) / 2 - 0.5  # where the 1 px tick starts, along the line
    every = period * max(1, math.ceil(RAIL_TICK_SPACING_MIN / period))
    return f"1 {_px(every - 1)}", _px(every - tick)  # the offset starts the pattern `tick` px before the line does


def kind_marks(kind: str, colour: str, weight: float, dash: str | None, line_cap: str) -> tuple[dict, ...]:
    """Extra strokes along a line of this kind: {"under": bool, Leaflet path options}."""
    if kind == "rail":
        ticks, offset = rail_ticks(dash)
        return ({"under": True, "color": colour, "weight": weight + RAIL_TICK_OVERHANG, "dashArray": ticks,
                 **({"dashOffset": offset} if offset else {}), "lineCap": "butt", "opacity": 0.95},)
    if kind == "road":
        core = {"under": False, "color": MARK_LIGHT, "weight": round(weight * ROAD_CORE_SHARE, 2), "lineCap": line_cap, "opacity": 1}
        return ({**core, "dashArray": dash} if dash else core,)
    if kind == "shipping":
        return ({"under": True, "color": MARK_LIGHT, "weight": weight + SHIP_HALO, "lineCap": "round", "opacity": 0.9},)
    return ()


def line_style(kind: str, status: str) -> LineStyle:
    if kind not in LINE_KINDS or status not in STATUSES:
        raise KeyError(f"no style for kind {kind!r} and status {status!r}")
    colour = GREY if status in GREY_STATUSES else KIND_COLOURS[kind]
    weight = STATUS_WEIGHT[status] - (1.0 if kind == "shipping" else 0.0)
    dash = STATUS_DASH[status]
    cap = "round" if dash and dash.startswith("1 ") else "butt"
    return LineStyle(color=colour, weight=weight, dash=dash, marks=kind_marks(kind, colour, weight, dash, cap))


def style_key(kind: str, status: str) -> str:
    return f"{kind}:{status}"


# Places: a marker shape per type (CSS class in atlas.css) so they differ without colour.
PLACE_MARKERS = {
    "capital": {"shape": "star", "size": 14},
    "city": {"shape": "circle", "size": 9},
    "town": {"shape": "circle", "size": 7},
    "port": {"shape": "anchor", "size": 11},
    "terminal": {"shape": "diamond", "size": 11},
    "station": {"shape": "square", "size": 9},
    "border_crossing": {"shape": "ring", "size": 11},
}

# The legend says how many of a map's lines are traced and how many are schematic: a reader
# should know before measuring anything by eye which lines follow real track.
LINE_ACCURACY_LABELS = {
    "traced": "traced along OpenStreetMap track",
    "station_routed": "routed through OpenStreetMap stations",
    "schematic": "schematic, through documented waypoints",
    "approximate": "approximate",
}

AREA_STYLE = {"color": "#7a5a00", "weight": 2, "fillColor": "#e0b84a", "fillOpacity": 0.28, "opacity": 0.9}
AREA_APPROXIMATE_DASH = "6 4"


# Control areas (who held a district when) are told apart from reference areas by colour and
# by outline weight, and from each other without colour: a district held whole has a solid
# outline and a full fill; one traced from a cited map a long-dashed outline; a district held
# only in part (the line crossed it and is not drawn) a dotted outline and a faint fill, so
# the reader sees that not all of what is drawn was held.
CONTROL_AREA_STYLE = {"color": "#8c1d18", "weight": 2.5, "fillColor": "#e8745f", "fillOpacity": 0.38, "opacity": 0.95}
CONTROL_AREA_VARIANTS = {
    "whole_district": {},
    "traced_from_map": {"dashArray": "12 5"},
    "partly_held": {"dashArray": "1 6", "lineCap": "round", "weight": 3, "fillOpacity": 0.14},
}
CONTROL_ACCURACY_LABELS = {
    "whole_district": "held: whole district",
    "traced_from_map": "held: outline traced from a cited map",
    "partly_held": "held in part: whole district drawn, line not drawn",
}


def area_style(accuracy: str) -> dict[str, object]:
    """Leaflet path options for an area by its accuracy: a geometry accuracy for a reference
    area, a control accuracy (CONTROL_ACCURACY_LABELS) for a control area."""
    if accuracy in CONTROL_AREA_VARIANTS:
        return {**CONTROL_AREA_STYLE, **CONTROL_AREA_VARIANTS[accuracy]}
    style = dict(AREA_STYLE)
    if accuracy == "approximate":
        style["dashArray"] = AREA_APPROXIMATE_DASH
    return style


def area_style_key(props) -> str:
    """The payload's style key of an area: by its control accuracy if it has one."""
    return f"area:{getattr(props, 'control_accuracy', None) or props.geometry_accuracy}"


@dataclass(frozen=True)
class LegendEntry:
    """One row of the legend: what it says and how to draw its swatch."""

    group: str
    label: str
    swatch: str  # "line", "area" or "marker"
    style: dict[str, object]


def _drawn_as(props) -> set[str]:
    """The accuracies of a line's parts: its trace's km per accuracy, else its own accuracy."""
    trace = getattr(props, "trace", None)
    if trace is not None and trace.km:
        return {a for a, km in trace.km.items() if km > 0}
    return {props.geometry_accuracy}


def legend_entries(features) -> list[LegendEntry]:
    """Legend rows for exactly the styles the given features use, in a stable order."""
    line_keys = sorted(
        {(f.props.kind, f.props.status) for f in features if f.props.kind in LINE_KINDS},
        key=lambda ks: (LINE_KINDS.index(ks[0]), STATUSES.index(ks[1])),
    )
    entries = [
        LegendEntry(
            group=KIND_LABELS[kind],
            label=STATUS_LABELS[status],
            swatch="line",
            style=line_style(kind, status).leaflet(),
        )
        for kind, status in line_keys
    ]
    # a line counts under every way some part of it is drawn (a railway traced along OSM
    # track except across a border the extract does not cover counts as traced and schematic)
    line_accuracies = [a for f in features if f.props.kind in LINE_KINDS for a in _drawn_as(f.props)]
    for accuracy in [a for a in LINE_ACCURACY_LABELS if a in line_accuracies]:
        entries.append(
            LegendEntry(
                group="How lines are drawn (lines, in whole or part)",
                label=f"{LINE_ACCURACY_LABELS[accuracy]} ({line_accuracies.count(accuracy)})",
                swatch="text",
                style={},
            )
        )
    flows = {f.props.flow for f in features if f.props.kind in LINE_KINDS and getattr(f.props, "flow", None)
             and f.props.status in FLOW_STATUSES}
    if flows:
        entries.append(LegendEntry(group="Flow", label="direction of flow" + ("; paired: either way" if "both" in flows else ""),
                                   swatch="arrow", style={"color": "#1d1d1d"}))
    control = {f.props.control_accuracy for f in features if f.props.kind == "area" and f.props.control_accuracy}
    for accuracy in [a for a in CONTROL_ACCURACY_LABELS if a in control]:
        entries.append(LegendEntry(group="Control of an area (at the date shown)", label=CONTROL_ACCURACY_LABELS[accuracy],
                                   swatch="area", style=area_style(accuracy)))
    area_accuracies = sorted({f.props.geometry_accuracy for f in features if f.props.kind == "area" and not f.props.control_accuracy})
    for accuracy in area_accuracies:
        entries.append(
            LegendEntry(
                group="Area",
                label="outline approximate" if accuracy == "approximate" else "outline from open data",
                swatch="area",
                style=area_style(accuracy),
            )
        )
    place_types = sorted(
        {f.props.place_type for f in features if f.props.kind == "place"},
        key=PLACE_TYPES.index,
    )
    for place_type in place_types:
        entries.append(
            LegendEntry(group="Places", label=PLACE_LABELS[place_type], swatch="marker", style=dict(PLACE_MARKERS[place_type]))
        )
    return entries
