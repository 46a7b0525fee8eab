"""Build-time placement of callouts, route labels and sea labels (corridor_atlas/placement.py).

Synthetic scenes with known pixels: the default view is computed as Leaflet computes it, so a
place put N pixels from a callout's anchor is N pixels from it on the page.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from shapely.geometry import LineString, Point, box

from corridor_atlas import placement
from corridor_atlas.cli import main

from .conftest import COUNTRIES, SOURCE, write_project

BOUNDS = [[39.0, 41.0], [41.0, 49.0]]
MAX_BOUNDS = [[37.0, 39.0], [43.0, 51.0]]
SPEC_VIEW = SimpleNamespace(center=None, zoom=None, min_zoom=4, max_zoom=10)


def views():
    return [placement.default_view(s, BOUNDS, None, None, 4, 10, MAX_BOUNDS) for s in placement.SCREENS]


def at_px(view, lon, lat, dx, dy):
    """The (lon, lat) `dx`, `dy` pixels from (lon, lat) at this view's zoom."""
    x, y = placement.world_px(lon, lat, view.zoom)
    return placement.lonlat(x + dx, y + dy, view.zoom)


def geojson(fid, geometry, **props):
    return {"type": "Feature", "layer": "routes", "geometry": geometry.__geo_interface__,
            "properties": {"id": fid, "name": props.pop("name", fid), **props}}


def place_all(features, callouts, geoms):
    return placement.place_map("test-map", SPEC_VIEW, callouts, features, {"routes"}, MAX_BOUNDS, BOUNDS, geoms,
                               None, box(39, 37, 51, 43))


def test_default_view__fits_bounds_like_leaflet():
    wide, compact, phone, small = views()
    # 8° of longitude: 1280 px holds them at zoom 7 (8 × 2^7 × 256 / 360 = 728 px), not at 8 (1456 px)
    assert (wide.zoom, compact.zoom, phone.zoom, small.zoom) == (7, 6, 6, 5)  # 364 px fit in 375
    cx, cy = placement.world_px(45.0, 40.0, 7)
    assert abs(wide.left + 640 - cx) < 1 and abs(wide.top + 400 - cy) < 40  # the centre of the bounds (Mercator)


def test_callout__moves_off_a_key_place_that_its_requested_side_would_cover():
    line = LineString([(41.0, 40.0), (49.0, 40.0)])
    wide = views()[0]
    above = Point(*at_px(wide, 45.0, 40.0, 0, -30))  # right above the line's middle, under a callout on "top"
    features = [geojson("pipe", line, kind="pipeline"),
                geojson("key-town", above, kind="place", label=True, rank=5, name="Key town")]
    callout = SimpleNamespace(at="pipe", text="A callout on top would cover the key town", direction="top")
    old = placement.callout_box(*placement.world_px(45.0, 40.0, wide.zoom), "top", placement.callout_size(callout.text))
    assert old.buffer(placement.MARKER_HALF_PX).contains(Point(placement.world_px(above.x, above.y, wide.zoom)))

    placed = place_all(features, [callout], {"pipe": line})

    assert placed.advice == []
    for view in views():
        spot = placed.callouts[0]["layouts"][view.screen.name]
        x, y = placement.world_px(spot["lon"], spot["lat"], view.zoom)
        new = placement.callout_box(x, y, spot["direction"], placement.callout_size(callout.text))
        marker = Point(placement.world_px(above.x, above.y, view.zoom)).buffer(placement.MARKER_HALF_PX)
        assert not new.intersects(marker)
        assert new.intersection(placement.to_px(line, view.zoom).buffer(placement.LINE_HALF_PX)).area == 0
        assert line.distance(Point(spot["lon"], spot["lat"])) < 1e-3  # anchored on its own feature


def crowded(view, hub=(44.0, 40.0)):
    """A place with a place on each side of it, as close as a callout's box reaches."""
    offsets = {"north": (0, -35), "south": (0, 35), "west": (-100, 0), "east": (100, 0)}
    return {name: Point(*at_px(view, *hub, dx, dy)) for name, (dx, dy) in offsets.items()}


def test_callout__with_no_free_side_stands_off_clean_with_a_leader_back_to_its_place():
    """Every side of the hub is taken by a town: the callout moves off (placement.LEADER_*), its
    box and its leader clear of every town, whole on the map, and nothing is left to warn about."""
    hub = Point(44.0, 40.0)
    features = [geojson("hub", hub, kind="place")]
    features += [geojson(f"town-{name}", p, kind="place", name=f"Town {name}") for name, p in crowded(views()[0]).items()]
    callout = SimpleNamespace(at="hub", text="A long callout that finds no free side around its crowded place", direction="top")

    placed = place_all(features, [callout], {"hub": hub})

    assert placed.advice == []
    wide = views()[0]
    spot = placed.callouts[0]["layouts"]["wide"]
    assert (spot["lat"], spot["lon"]) == (40.0, 44.0) and len(spot["leader"]) == 2  # at its place, standing off
    x, y = placement.world_px(44.0, 40.0, wide.zoom)
    size = placement.callout_size(callout.text)
    beside = placement.callout_box(x, y, spot["direction"], size)
    shifted = box(beside.bounds[0] + spot["leader"][0], beside.bounds[1] + spot["leader"][1],
                  beside.bounds[2] + spot["leader"][0], beside.bounds[3] + spot["leader"][1])
    leader = placement.leader_line(x, y, spot["direction"], tuple(spot["leader"]))
    towns = [Point(placement.world_px(p.x, p.y, wide.zoom)) for p in crowded(wide).values()]
    assert all(shifted.distance(t) > placement.MARKER_HALF_PX and leader.distance(t) > placement.MARKER_HALF_PX for t in towns)
    assert wide.frame.buffer(-placement.EDGE_PX).contains(shifted)
    # the leader joins the anchor (less the px on its own marker) to the middle of the box's near side
    near = {"top": (shifted.centroid.x, shifted.bounds[3]), "bottom": (shifted.centroid.x, shifted.bounds[1]),
            "left": (shifted.bounds[2], shifted.centroid.y), "right": (shifted.bounds[0], shifted.centroid.y)}[spot["direction"]]
    assert Point(leader.coords[-1]).distance(Point(near)) < 1e-6
    assert abs(Point(leader.coords[0]).distance(Point(x, y)) - placement.LEADER_SKIP_PX) < 1e-6


def test_callout__beside_its_line_when_that_is_clean_has_no_leader():
    line = LineString([(41.0, 40.0), (49.0, 40.0)])
    callout = SimpleNamespace(at="pipe", text="Nothing in the way", direction="top")
    placed = place_all([geojson("pipe", line, kind="pipeline")], [callout], {"pipe": line})
    assert placed.advice == [] and all("leader" not in spot for spot in placed.callouts[0]["layouts"].values())


def towns_all_round(view, hub=(44.0, 40.0)) -> dict[str, Point]:
    """Towns every 30 px, 7 columns and 6 rows each way of the hub: at `view`, every box a callout
    could take beside it or standing off it (placement.LEADER_*) covers one."""
    return {f"{i + 7}-{j + 6}": Point(*at_px(view, *hub, 30 * i, 30 * j)) for i in range(-7, 8) for j in range(-6, 7) if (i, j) != (0, 0)}


def test_callout__impossible_place_warns_naming_map_callout_and_what_it_covers():
    hub = Point(44.0, 40.0)
    features = [geojson("hub", hub, kind="place")]
    features += [geojson(f"town-{name}", p, kind="place", name=f"Town {name}") for name, p in towns_all_round(views()[0]).items()]
    callout = SimpleNamespace(at="hub", text="A long callout that finds no free side around its crowded place", direction="top")

    placed = place_all(features, [callout], {"hub": hub})

    warnings = [str(a) for a in placed.advice]
    assert any(w.startswith('maps/test-map.toml: callout at "hub" ("A long callout that finds…")') and "1280×800" in w
               and "Town " in w for w in warnings), warnings


@pytest.mark.parametrize("rtl", [False, True])
def test_time_control__is_furniture_on_a_wide_page(rtl):
    """On a wide page the time control sits on the map, under the layer control (timeline.js):
    a callout whose place lies under it is warned about, as under any furniture (mirrored on a
    right-to-left page)."""
    wide = views()[0]
    x = 1135 if not rtl else 1280 - 1135
    line = LineString([placement.lonlat(wide.left + x - 20, wide.top + 192, wide.zoom),
                       placement.lonlat(wide.left + x + 20, wide.top + 192, wide.zoom)])
    callout = SimpleNamespace(at="pipe", text="Under the date", direction="top")
    warned = {}
    for time_bar in (False, True):
        placed = placement.place_map("test-map", SPEC_VIEW, [callout], [geojson("pipe", line, kind="pipeline")], {"routes"},
                                     MAX_BOUNDS, BOUNDS, {"pipe": line}, None, box(39, 37, 51, 43), time_bar=time_bar, rtl=rtl)
        warned[time_bar] = [str(a) for a in placed.advice if "1280×800" in str(a)]
    assert not any("the time control" in w for w in warned[False]), warned
    assert any("the time control" in w for w in warned[True]), warned


def test_short_label__acronym_or_name_without_prefix_and_brackets():
    assert placement.short_label("Baku–Tbilisi–Ceyhan (BTC) pipeline") == "BTC pipeline"
    assert placement.short_label("Crossroads of Peace: Gyumri–Kars railway (restore)") == "Gyumri–Kars railway"
    assert placement.short_label("Trump Route for International Peace and Prosperity (TRIPP)") == "TRIPP"


def test_route_label__beside_its_line_clear_of_places():
    line = LineString([(41.0, 40.0), (49.0, 40.0)])
    places = [geojson(f"p{i}", Point(41.0 + 4 * i, 40.0), kind="place", label=True, rank=5, name=f"Place {i}") for i in range(3)]
    placed = place_all([geojson("pipe", line, kind="pipeline", name="Alpha–Beta pipeline")] + places, [], {})
    [label] = placed.route_labels
    assert label["text"] == "Alpha–Beta pipeline" and "wide" in label["layouts"]  # compact: no gap wide enough
    for view in (v for v in views() if v.screen.name in label["layouts"]):
        spot = label["layouts"][view.screen.name]
        x, y = placement.world_px(spot["lon"], spot["lat"], view.zoom)
        w = len(label["text"]) * placement.ROUTE_CHAR_PX + 4
        text_box = placement.side_box(x, y, spot["direction"], w, placement.ROUTE_LINE_PX, 6)
        assert placement.to_px(line, view.zoom).distance(text_box) < 10  # beside its line
        scene = placement.build_scene(view, places, {"routes"})
        assert not any(text_box.intersects(p.buffer(placement.MARKER_HALF_PX)) or text_box.intersects(lab["box"])
                       for (_, _, p), lab in zip(scene.places, scene.labels))


def test_sea_label__named_by_its_documented_point_and_inside_the_water():
    caspian = box(49.0, 38.0, 53.0, 46.0)  # a stand-in body around the Caspian's documented point (50.667, 41.667)
    view = placement.default_view(placement.WIDE, [[37.0, 45.0], [47.0, 57.0]], None, None, 3, 8, [[35.0, 43.0], [49.0, 59.0]])
    scene = placement.Scene(view)
    [label] = placement.sea_labels(view, [("sea", caspian)], box(43, 35, 59, 49), 3, 8, scene)
    assert label["name"] == "Caspian Sea"
    x, y = placement.world_px(label["lon"], label["lat"], view.zoom)
    w = len(label["name"]) * placement.SEA_CHAR_PX
    assert placement.to_px(caspian, view.zoom).contains(box(x - w / 2, y - 9, x + w / 2, y + 9))
    assert label["minZoom"] <= view.zoom  # it fits at the default zoom, and perhaps below


def test_sea_label__a_lake_too_small_at_the_default_zoom_shows_from_a_closer_one():
    sevan = box(45.2, 40.2, 45.5, 40.4)  # a stand-in lake around Lake Sevan's documented point (45.35, 40.317)
    view = placement.default_view(placement.WIDE, [[38.0, 42.0], [42.0, 48.0]], None, None, 5, 10, [[37.0, 41.0], [43.0, 49.0]])
    [label] = placement.sea_labels(view, [("lake", sevan)], box(41, 37, 49, 43), 5, 10, placement.Scene(view))
    assert label["name"] == "Lake Sevan" and label["minZoom"] > view.zoom
    z = label["minZoom"]
    x, y = placement.world_px(label["lon"], label["lat"], z)
    w = len(label["name"]) * placement.SEA_CHAR_PX
    assert placement.to_px(sevan, z).contains(box(x - w / 2, y - 9, x + w / 2, y + 9))


@pytest.fixture
def crowded_project(tmp_path):
    """The synthetic project with a callout that finds no clean place (CLI: warns, exit code 0)."""
    view = placement.default_view(placement.WIDE, BOUNDS, None, None, 4, 10, MAX_BOUNDS)
    place = {"kind": "place", "status": "operational", "geometry_accuracy": "approximate", "sources": [dict(SOURCE)],
             "place_type": "town", "country": "AAA"}
    features = [{"type": "Feature", "properties": {**place, "id": "hub", "name": "Hub"},
                 "geometry": {"type": "Point", "coordinates": [42.5, 40.0]}}]
    for name, p in towns_all_round(view, (42.5, 40.0)).items():  # all inside the test country AAA (40°–45° E, 38°–42° N)
        features.append({"type": "Feature", "properties": {**place, "id": f"town-{name}", "name": f"Town {name}"},
                         "geometry": {"type": "Point", "coordinates": [round(p.x, 5), round(p.y, 5)]}})
    routes = {"type": "FeatureCollection", "name": "routes", "title": "Test routes", "description": "crowded", "features": features}
    toml = ('title = "Crowded"\n[[layers]]\nname = "routes"\n[view]\nbounds = [[39.0, 41.0], [41.0, 49.0]]\n'
            'min_zoom = 4\nmax_zoom = 10\n[[callouts]]\nat = "hub"\n'
            'text = "A long callout that finds no free side around its crowded place"\n')
    return write_project(tmp_path / "project", map_toml=toml, routes=routes, countries=json.loads(json.dumps(COUNTRIES)))


@pytest.mark.parametrize("command", [[], ["check"]])
def test_cli__build_and_check_print_the_warning_and_exit_0(crowded_project, tmp_path, capsys, command):
    code = main(command + ["--root", str(crowded_project.root), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert 'warning: maps/test-map.toml: callout at "hub" ("A long callout that finds…")' in " ".join(err.split())


def test_declutter__a_place_label_moves_left_of_its_marker_when_its_right_is_taken_else_hides():
    view = placement.default_view(placement.WIDE, [[39.0, 45.0], [40.0, 47.0]], None, None, 6, 9, [[38.0, 44.0], [41.0, 48.0]])
    scene = placement.Scene(view)
    x, y = placement.world_px(46.0, 39.5, view.zoom)

    def point_label(name, px, rank):
        return {"id": name, "name": name, "rank": rank, "mirror_x": px,
                "box": placement.label_box_for_feature(Point(px, y), name, True)}

    # a higher-ranked label 40 px left of "Meghri" whose box runs over Meghri's right side
    winner = point_label("Julfa (Azerbaijan)", x - 40, 1)
    loser = point_label("Meghri", x, 5)
    scene.labels = [winner, loser]
    assert placement.declutter(scene, []) == [(loser, "the label 'Julfa (Azerbaijan)'")]  # its left is taken too
    # with room on its left (the winner now well to the right), it moves there instead of hiding
    scene.labels = [point_label("Julfa (Azerbaijan)", x + 20, 1), loser]
    assert placement.declutter(scene, []) == []
