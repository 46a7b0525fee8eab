"""The build's replay of the page's declutter (placement.declutter) treats the map's edge as
taken, as atlas.js does: a place label the edge would cut moves to its marker's other side,
or is hidden and named in a build warning (issue 11 follow-up)."""

from __future__ import annotations

from shapely.geometry import Point

from corridor_atlas import placement


def _scene_with_label_at(dx: float):
    """A wide screen's scene with one place label `dx` px from the map's left edge."""
    view = placement.default_view(placement.WIDE, [[39.0, 45.0], [40.0, 47.0]], None, None, 6, 9, [[38.0, 44.0], [41.0, 48.0]])
    scene = placement.Scene(view)
    x, y = view.left + dx, view.top + 400
    name = "Khankendi (Stepanakert)"
    label = {"id": name, "name": name, "rank": 3, "mirror_x": x, "box": placement.label_box_for_feature(Point(x, y), name, True)}
    scene.labels = [label]
    return scene, label


def test_declutter__a_label_the_right_edge_would_cut_moves_left_of_its_marker():
    scene, label = _scene_with_label_at(placement.WIDE.width - 40)
    shown: dict = {}
    assert placement.declutter(scene, [], shown) == []
    assert shown[label["id"]].bounds[2] < label["mirror_x"]  # its box now ends left of the marker


def test_declutter__a_label_with_neither_side_on_the_map_is_hidden_and_says_why():
    scene, label = _scene_with_label_at(placement.WIDE.width - 40)
    scene.view = placement.View(placement.dataclasses.replace(placement.WIDE, width=150), scene.view.zoom,
                                scene.view.left + placement.WIDE.width - 100, scene.view.top)
    assert placement.declutter(scene, []) == [(label, placement.EDGE)]
