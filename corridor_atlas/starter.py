"""`python build.py new ID`: write maps/ID.toml, a commented starter definition that builds as is.

The starter is a draft (built for preview, kept out of the gallery) showing one real layer and
the places its routes stop at, framed by those features' own extent. Its comments explain
every key with the project's real layer names and feature ids, so a new author edits a working
map instead of starting from the README.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import shapely

from .errors import InvalidInput, Problems
from .spec import MAP_ID
from .vocabulary import KINDS, STATUSES

LINE_KINDS = ("pipeline", "rail", "road", "shipping")
PADDING = 0.05  # of the extent, each side: features at the very edge of the view are hard to see
EXAMPLES = 4  # feature ids quoted per comment


def _comment_safe(text: str) -> str:
    """One line of plain text (a layer title or a feature name may hold anything)."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def _chosen_layer(layers: dict) -> str:
    """The layer with the most routes (ties: first by name): a starter should show lines."""
    def lines(name: str) -> int:
        return sum(f.props.kind in LINE_KINDS for f in layers[name].features)
    return min(layers, key=lambda name: (-lines(name), name))


def _bounds(features) -> tuple[float, float, float, float]:
    """[south, west, north, east] around the features, padded and rounded outward to 0.1°."""
    west, south, east, north = shapely.total_bounds([f.geometry for f in features])
    pad_x, pad_y = (east - west) * PADDING or 0.5, (north - south) * PADDING or 0.5
    down, up = (lambda v: math.floor(v * 10) / 10), (lambda v: math.ceil(v * 10) / 10)
    return (max(down(south - pad_y), -85.0), max(down(west - pad_x), -180.0),
            min(up(north + pad_y), 85.0), min(up(east + pad_x), 180.0))


def _ids(features, limit: int = EXAMPLES) -> str:
    return ", ".join(f'"{f.id}"' for f in features[:limit])


def starter_toml(map_id: str, layers: dict) -> str:
    """The text of the starter definition for `map_id` over these (validated) layers."""
    from .prepare import selected_features
    from .spec import LayerFilter, LayerRef

    name = _chosen_layer(layers)
    routes = layers[name].features
    places_name = "places" if "places" in layers and name != "places" else None
    places = (selected_features(layers[places_name], LayerRef(name=places_name, filter=LayerFilter(waypoints_of=[name])), layers)
              if places_name else [])
    south, west, north, east = _bounds(routes + places)
    route_lines = [f for f in routes if f.props.kind in LINE_KINDS] or routes
    catalogue = "\n".join(f"#   {n:<22} {_comment_safe(layers[n].title)} ({len(layers[n].features)} features)" for n in sorted(layers))
    examples = "\n".join(f"#   {f.id:<28} {f.props.kind:<9} {f.props.status:<18} {_comment_safe(f.props.name)}"
                         for f in route_lines[:EXAMPLES] + places[:EXAMPLES])
    first_route = route_lines[0].id
    places_block = f'''
[[layers]]
name = "{places_name}"
# waypoints_of: keep only the places that are stops of the routes this map draws from these layers
filter = {{ waypoints_of = ["{name}"] }}
''' if places_name else ""
    return f'''# maps/{map_id}.toml: a starter map definition, written by `python build.py new {map_id}`.
# It builds as it is: `python build.py {map_id}`, then open site/{map_id}.html
# (or run `python build.py serve` and edit this file: the page reloads on every save).
# Check it with `python build.py check`. Every key is explained below; delete what you do not need.
# Find feature ids with `python build.py features [TEXT]`, for example:
{examples}

title = "Draft map {map_id}"   # required, at most 120 characters: the page heading and its <title>
subtitle = ""                   # one sentence under the title
credit = "Corridor Atlas"       # shown under the title
source_line = "Click a line for how it is drawn and its sources."   # a short note after the credit
description = ""                # the page's summary for search engines and screen readers ("" = generated from the data)
draft = true                    # built for preview but kept out of the gallery (index.html); delete when the map is ready
basemap = "bundled"             # drawn offline from data/base; or an xyzservices name such as "CartoDB.Positron" (online tiles)
# labels = [{_ids(places, 2)}]   # permanent labels for these feature ids, beyond those whose data says label: true

# [[layers]]: the layers to draw, in this order, by name (data/layers/<name>.geojson). The layers there are:
{catalogue}
[[layers]]
name = "{name}"
# shown = false                  # listed in the layer control but initially off
# filter: keep only the features that match every condition given (an empty list keeps everything)
#   status: {", ".join(STATUSES)}
#   kind: {", ".join(KINDS)}
#   ids / exclude_ids: feature ids to keep / to drop, e.g. ids = [{_ids(route_lines, 2)}]
# filter = {{ status = ["operational"], exclude_ids = [] }}
{places_block}
# [view]: where the map opens. Either bounds = [[south, west], [north, east]] (degrees), or center = [lat, lon]
# and zoom. These bounds are the extent of the features above, padded by 5% and rounded outward to 0.1°.
[view]
bounds = [[{south}, {west}], [{north}, {east}]]
min_zoom = 4    # how far out a reader can zoom (0-18)
max_zoom = 8    # how far in; also how finely lines are kept (one pixel at this zoom): higher, bigger page

# [[callouts]]: a short text anchored to a feature (a place, a line's midpoint, an area), never to a coordinate.
# [[callouts]]
# at = "{first_route}"
# text = "What the reader should notice here (at most 280 characters)"
# direction = "right"           # which side of its anchor the box sits: top (default), bottom, left, right
'''


def write_starter(maps_dir: Path, layers_dir: Path, map_id: str) -> Path:
    """Write maps_dir/<map_id>.toml; refuses a bad id or an existing file (InvalidInput)."""
    from .layers import load_layers

    problems = Problems()
    target = maps_dir / f"{map_id}.toml"
    if not re.fullmatch(MAP_ID, map_id):
        problems.add(target, "", f"{map_id!r} is not a map id: lowercase letters, digits and '-', starting with a letter or digit")
        raise InvalidInput(problems.items)
    if target.exists() or target.is_symlink():
        problems.add(target, "", "already exists; choose another id or edit that file")
        raise InvalidInput(problems.items)
    layers = load_layers(layers_dir, problems)
    if problems:
        raise InvalidInput(problems.items)
    if not layers:
        problems.add(layers_dir, "", "no layers to put on a map (data/layers/*.geojson)")
        raise InvalidInput(problems.items)
    text = starter_toml(map_id, layers)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even a file created meanwhile
        handle.write(text)
    return target
