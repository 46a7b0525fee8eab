"""The prepared stage: everything one map page needs, already clipped, simplified and rounded.

`render` turns this into HTML without looking at files or at the raw layers; `prepare`
builds it from a validated spec and the loaded layers. Keeping the hand-over explicit is
what lets the two be tested apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import MapSpec
from .simplify import Extent
from .style import LegendEntry


@dataclass(frozen=True)
class PreparedLayer:
    name: str
    title: str
    shown: bool
    features: list[dict]  # GeoJSON features with display properties only


@dataclass(frozen=True)
class PreparedMap:
    spec: MapSpec
    extent: Extent
    view_bounds: list[list[float]] | None  # [[south, west], [north, east]]
    countries: list[dict]  # {"iso_a3", "q": codec.encode_polygons(...)}
    country_labels: list[dict]  # {"name", "lat", "lon"}
    layers: list[PreparedLayer]
    callouts: list[dict]  # {"text", "lat", "lon", "direction", "layouts": {screen: {"lat", "lon", "direction"}}}
    legend: list[LegendEntry]
    styles: dict[str, dict]
    attributions: list[str]
    description: str
    tiles: dict | None = None  # {"url", "attribution", "max_zoom"} when online tiles were asked for
    stats: dict[str, int] = field(default_factory=dict)
    labels: dict[str, list[dict]] = field(default_factory=dict)  # {"routes": [...], "seas": [...]} (placement.py)
    advice: list = field(default_factory=list)  # advice.Advice: build warnings about this map
    land_bounds: list[list[float]] | None = None  # [[south, west], [north, east]]: how far the drawn land reaches
    locator: dict | None = None  # basemap.locator(): the inset showing where the map lies
    description_plan: dict | None = None  # describe.description_plan(): the description's facts, worded per language
    placement_inputs: tuple | None = None  # placement.place_map's arguments: right-to-left pages are placed again (i18n.py)
