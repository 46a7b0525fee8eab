"""Routes that share a track are drawn side by side: a screen offset per line, decided at build time.

Along the Meghri strip the Soviet railway, the Zangezur corridor and TRIPP follow the same
track, and BTC and Baku–Supsa leave Sangachal in one corridor: drawn on one line, only the
top one can be seen or clicked. Each line gets a pixel offset (applied in the page by
Leaflet.PolylineOffset) so that lines sharing a stretch never get the same side. The offset
is per line, not per stretch, so a line keeps one position across the whole map.
"""

from __future__ import annotations

import itertools
import math

import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

# Two lines share a stretch where one runs within SHARED_DISTANCE_M of the other (or closer than
# one offset step on screen at the map's largest zoom, where they would still touch) for at
# least SHARED_MIN_KM, and three times that distance: a crossing (2× the distance over its
# sine) or lines meeting end to end (1×) is not a shared track.
SHARED_DISTANCE_M = 200.0
SHARED_MIN_DISTANCES = 3
# ...and for at least a tenth of the shorter line: the offset moves the whole line, and moving
# 1,500 km of the CPC pipeline to clear its last 91 km into Novorossiysk misplaces more than it clears.
SHARED_MIN_SHARE = 0.1
SHARED_MIN_KM = 2.0
# Centre-to-centre distance in screen pixels between neighbouring lines: the widest line
# (4.5 px) plus a 1.5 px gap, so each line keeps pixels of its own to be seen and clicked.
OFFSET_STEP_PX = 6.0
# Lines closer than this are on the same track; farther apart, each keeps its side of the other.
SAME_TRACK_M = 50.0
MAX_SLOTS = 9  # 0, ±1 … ±4 steps


def _metric(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Project to an azimuthal equidistant plane centred on the lines, where metres are metres."""
    west, south, east, north = shapely.total_bounds(geoms)
    to_metres = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={(south + north) / 2} +lon_0={(west + east) / 2} +datum=WGS84", always_xy=True
    )
    return [shapely.transform(g, to_metres.transform, interleaved=False) for g in geoms]


def _heading(line: BaseGeometry, at: shapely.Point) -> tuple[float, float]:
    """The unit direction of `line` (in its vertex order) near the point `at`."""
    line = shapely.line_merge(line) if line.geom_type == "MultiLineString" else line
    if line.geom_type == "MultiLineString":
        line = min(line.geoms, key=lambda part: part.distance(at))
    d = line.project(at)
    a, b = line.interpolate(max(d - 500, 0)), line.interpolate(min(d + 500, line.length))
    dx, dy = b.x - a.x, b.y - a.y
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    return dx / norm, dy / norm


def touching_distance_m(lines: dict[str, BaseGeometry], max_zoom: int) -> float:
    """Metres that OFFSET_STEP_PX cover at `max_zoom` (Web Mercator) at the lines' mean latitude."""
    _, south, _, north = shapely.total_bounds(list(lines.values()))
    return OFFSET_STEP_PX * 2 * math.pi * 6378137 * math.cos(math.radians((south + north) / 2)) / (256 * 2 ** max_zoom)


def shared_stretches(lines: dict[str, BaseGeometry], distance_m: float = SHARED_DISTANCE_M) -> dict[str, dict[str, dict]]:
    """A graph of line ids as adjacency dicts (line → neighbour → edge): an edge where two lines
    share a stretch, with `km` and `same_way` (True when both run in the same vertex order there,
    which decides which side is which). Plain dicts: networkx cost 65 ms to import on every build."""
    ids = list(lines)
    graph: dict[str, dict[str, dict]] = {line_id: {} for line_id in ids}
    if len(ids) < 2:
        return graph
    metric = dict(zip(ids, _metric([lines[i] for i in ids])))
    for a, b in itertools.combinations(ids, 2):
        if not metric[a].dwithin(metric[b], distance_m):
            continue
        common = metric[a].intersection(metric[b].buffer(distance_m))
        km = common.length / 1000
        shorter_km = min(metric[a].length, metric[b].length) / 1000
        if km < max(SHARED_MIN_KM, SHARED_MIN_DISTANCES * distance_m / 1000, SHARED_MIN_SHARE * shorter_km):
            continue
        longest = max(shapely.get_parts(common), key=lambda g: g.length)
        middle = longest.interpolate(0.5, normalized=True)
        ha, hb = _heading(metric[a], middle), _heading(metric[b], middle)
        graph[a][b] = graph[b][a] = dict(km=round(km, 1), same_way=ha[0] * hb[0] + ha[1] * hb[1] >= 0,
                                         side={b: _side(metric[a], metric[b], middle), a: _side(metric[b], metric[a], middle)})
    return graph


def _side(line: BaseGeometry, other: BaseGeometry, near: shapely.Point) -> int:
    """+1 if `other` runs to the right of `line` (in its vertex order) near `near`, −1 to the
    left, 0 on the same track (closer than SAME_TRACK_M)."""
    here = line.interpolate(line.project(near))
    there = other.interpolate(other.project(here))
    dx, dy = there.x - here.x, there.y - here.y
    if (dx * dx + dy * dy) ** 0.5 < SAME_TRACK_M:
        return 0
    hx, hy = _heading(line, here)
    return 1 if dx * hy - dy * hx > 0 else -1  # the right of heading (hx, hy) is (hy, −hx)


def _slots():
    """0, +1, −1, +2, −2, …: the centre first, then alternately either side."""
    yield 0
    for n in itertools.count(1):
        yield n
        yield -n


def line_offsets(lines: dict[str, BaseGeometry], max_zoom: int | None = None) -> dict[str, float]:
    """Pixel offset per line id (only lines that share a stretch; others stay on their track).

    Greedy: lines sharing the most track are placed first, each at the slot nearest the centre
    that no neighbour already holds and that keeps it on its real side of every neighbour it
    runs beside (the Aras road south of the railway stays south). Offsets are to the right of
    the line's own direction, so a neighbour drawn in the opposite vertex order holds the
    mirrored slot."""
    if not lines:
        return {}
    distance = max(SHARED_DISTANCE_M, touching_distance_m(lines, max_zoom)) if max_zoom is not None else SHARED_DISTANCE_M
    graph = shared_stretches(lines, distance)
    order = sorted(graph, key=lambda n: (-sum(edge["km"] for edge in graph[n].values()), list(lines).index(n)))
    slot: dict[str, int] = {}
    for line_id in order:
        if not graph[line_id]:
            continue
        placed = [(n, edge) for n, edge in graph[line_id].items() if n in slot]

        def cost(s: int) -> tuple[int, int]:
            clashes = wrong_side = 0
            for n, edge in placed:
                mine = s if edge["same_way"] else -s  # in n's frame
                clashes += mine == slot[n]
                side = edge["side"][line_id]  # where this line really runs, seen from n
                wrong_side += side != 0 and (mine - slot[n]) * side < 0
            return clashes, wrong_side

        candidates = list(itertools.islice(_slots(), MAX_SLOTS))
        slot[line_id] = min(candidates, key=lambda s: (*cost(s), candidates.index(s)))
    return {line_id: s * OFFSET_STEP_PX for line_id, s in slot.items() if s}
