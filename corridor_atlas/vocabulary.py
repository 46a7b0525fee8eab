"""The closed vocabularies shared by data, validation, styles and measures.

One place so that a layer file, the style table and the legend can never disagree about
what a "status" or a "kind" may be.
"""

from __future__ import annotations

# What a curated feature is. Lines: pipeline, rail, road, shipping. Polygons: area.
# Points: place. A callout only exists in map definitions.
LINE_KINDS = ("pipeline", "rail", "road", "shipping")
AREA_KINDS = ("area",)
POINT_KINDS = ("place",)
KINDS = LINE_KINDS + AREA_KINDS + POINT_KINDS

# Where a route stands. "missing" is a gap in an otherwise working corridor (the
# Rasht–Astara rail link): not built, and the reason the corridor is not continuous.
STATUSES = ("operational", "under_construction", "proposed", "missing", "idle", "defunct")

# Who held an area at a date (Karabakh control areas, data/layers/karabakh-control.geojson):
# "held" by the side the area's name states, or "control_ended" after it changed hands (the
# time control then hides it). Only areas with a `control_accuracy` take these.
CONTROL_STATUSES = ("held", "control_ended")

# How far to trust a control area, strongest first: a whole admin-1 district that changed
# hands whole, an outline traced from a cited map, or a district of which only part was held
# (the line crossed it and is not drawn: the whole district is shown, marked as such).
CONTROL_ACCURACIES = ("whole_district", "traced_from_map", "partly_held")

# What kind of place a point is: decides its marker and whether it is labelled.
PLACE_TYPES = (
    "capital",
    "city",
    "town",
    "port",
    "terminal",
    "station",
    "border_crossing",
)

# How far to trust a line, strongest first: traced along open data (OpenStreetMap track, a
# base outline), routed straight between OpenStreetMap stations of the line, drawn through
# documented waypoints (schematic), or an outline known only approximately. A line made of
# parts of several kinds carries its weakest part's value (and `trace.km` per kind).
GEOMETRY_ACCURACIES = ("traced", "station_routed", "schematic", "approximate")

# Dates that matter for a route, in the order a popup shows them.
DATE_KEYS = (
    "proposed",
    "agreed",
    "construction_started",
    "opened",
    "suspended",
    "closed",
    "held_from",  # control areas: held from this date…
    "control_ended",  # …until this one
)

# The region the bundled base geography covers, (west, south, east, north) in degrees.
# No curated point or line may fall outside it.
REGION_BOUNDS = (20.0, 5.0, 80.0, 60.0)
