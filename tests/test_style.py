"""Styles: statuses differ without colour; the legend lists exactly the styles in use."""

import itertools

import pytest

from corridor_atlas.style import (
    GREY,
    KIND_COLOURS,
    LAND,
    PLACE_MARKERS,
    STATUS_DASH,
    legend_entries,
    line_style,
)
from corridor_atlas.vocabulary import LINE_KINDS, PLACE_TYPES, STATUSES


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance, written out here independently of the style module."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_line_style__every_status_has_its_own_pattern_or_weight():
    for kind in LINE_KINDS:
        looks = {(line_style(kind, s).dash, line_style(kind, s).weight, line_style(kind, s).color == GREY) for s in STATUSES}
        assert len(looks) == len(STATUSES), kind


def test_line_style__statuses_distinguishable_without_colour():
    # ignore colour entirely: dash pattern and weight alone must separate the statuses
    for kind in LINE_KINDS:
        shapes = [(line_style(kind, s).dash, line_style(kind, s).weight) for s in STATUSES]
        assert len(set(shapes)) == len(STATUSES), (kind, shapes)


def test_line_style__conventions():
    assert line_style("rail", "operational").dash is None
    assert line_style("rail", "under_construction").dash == STATUS_DASH["under_construction"]
    assert line_style("rail", "proposed").dash.startswith("1 ")  # dots
    assert line_style("rail", "proposed").leaflet()["lineCap"] == "round"
    assert line_style("pipeline", "idle").color == GREY
    assert line_style("pipeline", "defunct").color == GREY


def test_line_style__unknown_combination_raises():
    with pytest.raises(KeyError):
        line_style("canal", "operational")


@pytest.mark.parametrize("colour", list(KIND_COLOURS.values()) + [GREY])
def test_colours__contrast_with_land_at_least_3_to_1(colour):
    assert contrast(colour, LAND) >= 3.0


def test_place_markers__one_shape_per_type():
    assert set(PLACE_MARKERS) == set(PLACE_TYPES)
    assert len({m["shape"] for m in PLACE_MARKERS.values()}) >= len(PLACE_TYPES) - 1  # city/town share a circle (size differs)


class _P:
    def __init__(self, kind, status, place_type=None, accuracy="schematic"):
        self.kind, self.status, self.place_type, self.geometry_accuracy = kind, status, place_type, accuracy


class _F:
    def __init__(self, *args, **kwargs):
        self.props = _P(*args, **kwargs)


def test_legend_entries__only_styles_in_use():
    features = [_F("rail", "proposed"), _F("pipeline", "operational"), _F("rail", "proposed"), _F("place", "operational", "port")]
    entries = legend_entries(features)
    assert [(e.group, e.label) for e in entries] == [
        ("Pipeline", "operational"),
        ("Railway", "proposed"),
        ("How lines are drawn", "schematic, through documented waypoints (3)"),
        ("Places", "Port"),
    ]
    assert entries[1].style == line_style("rail", "proposed").leaflet()


def test_legend_entries__empty_map_has_empty_legend():
    assert legend_entries([]) == []


def test_legend_entries__all_combinations_are_drawable():
    features = [_F(k, s) for k, s in itertools.product(LINE_KINDS, STATUSES)]
    lines = [e for e in legend_entries(features) if e.swatch == "line"]
    assert len(lines) == len(LINE_KINDS) * len(STATUSES)


def test_legend_entries__say_how_many_lines_are_traced_and_how_many_schematic():
    features = [_F("rail", "operational", accuracy="traced"), _F("rail", "proposed", accuracy="schematic"),
                _F("rail", "operational", accuracy="traced"), _F("road", "operational", accuracy="station_routed")]
    rows = [e.label for e in legend_entries(features) if e.group == "How lines are drawn"]
    assert rows == ["traced along OpenStreetMap track (2)", "routed through OpenStreetMap stations (1)",
                    "schematic, through documented waypoints (1)"]
