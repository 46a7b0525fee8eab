"""Styles: statuses differ without colour; the legend lists exactly the styles in use."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from corridor_atlas.style import (
    BORDER,
    COUNTRY_FILLS,
    GREY,
    KIND_COLOURS,
    LAND,
    SEA,
    PLACE_MARKERS,
    STATUS_DASH,
    land_fill,
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
        ("How lines are drawn (lines, in whole or part)", "schematic, through documented waypoints (3)"),
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
    rows = [e.label for e in legend_entries(features) if e.group.startswith("How lines are drawn")]
    assert rows == ["traced along OpenStreetMap track (2)", "routed through OpenStreetMap stations (1)",
                    "schematic, through documented waypoints (1)"]


# --- country fills: told apart by everyone --------------------------------------------------

BASE = Path(__file__).resolve().parent.parent / "data" / "base"
LAND_FILLS = sorted(set(COUNTRY_FILLS.values()) | {LAND})

# Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
# Vision Deficiency", doi:10.1109/TVCG.2009.113: severity 1.0 matrices (dichromacy) from the
# authors' supplementary page, applied to linear sRGB.
CVD_MATRICES = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
# CIELAB ΔE*ab ≥ 7 between fills that meet: about three times the just-noticeable difference
# (≈ 2.3), so two countries read as different at a glance across a thin border, not only when
# compared side by side. The palette reaches 7.8 at its worst pair (AZE against the sea, tritanopia).
MIN_DELTA_E = 7.0


def linear_rgb(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def cielab(rgb_linear: np.ndarray) -> np.ndarray:
    """sRGB (D65) linear → CIELAB."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(rgb_linear, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: str) -> float:
    m = CVD_MATRICES[vision]
    return float(np.linalg.norm(cielab(m @ linear_rgb(a)) - cielab(m @ linear_rgb(b))))


def neighbour_pairs() -> set[tuple[str, str]]:
    """Countries whose borders meet in the bundled base layers (both detail and overview)."""
    pairs = set()
    for name in ("countries.geojson", "countries-detail.geojson"):
        features = json.loads((BASE / name).read_text())["features"]
        isos = [f["properties"]["iso_a3"] for f in features]
        geoms = [shape(f["geometry"]) for f in features]
        tree = shapely.STRtree(geoms)
        for i, j in zip(*tree.query(geoms, predicate="dwithin", distance=0.01)):
            if isos[i] < isos[j]:
                pairs.add((isos[i], isos[j]))
    return pairs


def test_country_fills__the_story_countries_all_differ():
    assert {"AZE", "ARM", "IRN", "TUR", "GEO", "RUS"} <= set(COUNTRY_FILLS)
    assert len(set(COUNTRY_FILLS.values()) | {LAND}) == len(COUNTRY_FILLS) + 1
    assert land_fill("XXX") == LAND and land_fill("AZE") == COUNTRY_FILLS["AZE"]


@pytest.mark.parametrize("vision", list(CVD_MATRICES))
def test_country_fills__neighbours_and_coasts_distinguishable_for_every_vision(vision):
    pairs = {(a, b) for a, b in neighbour_pairs() if a in COUNTRY_FILLS or b in COUNTRY_FILLS}
    assert ("ARM", "AZE") in pairs and ("AZE", "TUR") in pairs  # Nakhchivan's short border with Turkey
    worst = min((delta_e(land_fill(a), land_fill(b), vision), a, b) for a, b in pairs)
    assert worst[0] >= MIN_DELTA_E, worst
    coast = min((delta_e(fill, SEA, vision), fill) for fill in LAND_FILLS)
    assert coast[0] >= MIN_DELTA_E, coast


@pytest.mark.parametrize("fill", LAND_FILLS)
def test_country_fills__border_and_every_route_colour_keep_3_to_1(fill):
    assert contrast(BORDER, fill) >= 3.0
    for colour in list(KIND_COLOURS.values()) + [GREY]:
        assert contrast(colour, fill) >= 3.0, colour


# --- kinds: readable without colour, colours checked for colour-vision deficiencies -------------

def _marks_without_colour(kind, status):
    """What a line of this kind looks like in greyscale: dash, weight, and its marks' shapes
    (light or line-coloured, under or over, width and dash), colour itself ignored."""
    s = line_style(kind, status)
    marks = tuple((m["under"], m["color"] == "#ffffff", m["weight"], m.get("dashArray")) for m in s.marks)
    return s.dash, s.weight, marks


@pytest.mark.parametrize("status", STATUSES)
def test_kinds__distinguishable_without_colour_for_every_status(status):
    # railways ticked, roads cased (light core), sea lanes haloed, pipelines plain
    looks = {kind: _marks_without_colour(kind, status) for kind in LINE_KINDS}
    assert len(set(looks.values())) == len(LINE_KINDS), looks


def test_kinds__rail_and_road_no_longer_differ_by_colour_only():
    rail, road = line_style("rail", "operational"), line_style("road", "operational")
    assert rail.dash == road.dash and rail.weight == road.weight  # same status: same pattern…
    assert [m["under"] for m in rail.marks] == [True] and rail.marks[0]["dashArray"]  # …but ticks under the railway
    assert [m["under"] for m in road.marks] == [False] and road.marks[0]["color"] == "#ffffff"  # …and a light core on the road


@pytest.mark.parametrize("status", [s for s in STATUSES if STATUS_DASH[s]])
def test_rail_ticks__fall_in_the_gaps_of_a_dashed_or_dotted_railway_and_repeat_with_its_pattern(status):
    """Ticks and the line's own dashes run along the same path: with a period that is a multiple of
    the line's, every tick keeps to a gap, clear of the dashes' round or butt caps, however the line
    winds (style.rail_ticks); ticks stay about as far apart as on a solid railway."""
    style = line_style("rail", status)
    [ticks] = style.marks
    steps = [float(x) for x in STATUS_DASH[status].split()]
    steps = steps * 2 if len(steps) % 2 else steps
    period = sum(steps)
    on, off = [float(x) for x in ticks["dashArray"].split()]
    assert on == 1 and (on + off) % period == 0 and on + off >= 12
    cap = style.weight / 2 if style.line_cap == "round" else 0.0  # a round cap reaches half the width past a dash
    dashes, at = [], 0.0
    for i, step in enumerate(steps):
        if i % 2 == 0:
            dashes += [(at + shift - cap, at + step + shift + cap) for shift in (-period, 0.0, period)]
        at += step
    # where each of the first ten ticks starts, within the line's own pattern (the offset starts the ticks' pattern early)
    starts = {(k * (on + off) - float(ticks["dashOffset"])) % period for k in range(10)}
    assert len(starts) == 1, starts  # every tick at the same point of the line's pattern
    [start] = starts
    assert all(start + on <= a or start >= b for a, b in dashes), (status, start, dashes)


def test_rail_ticks__a_solid_railway_keeps_a_tick_every_14_px():
    assert line_style("rail", "operational").marks[0]["dashArray"] == "1 13" and "dashOffset" not in line_style("rail", "operational").marks[0]


def test_kinds__marks_keep_the_status_pattern():
    # a road's core follows the line's own dashes, so a dotted proposed road stays dotted
    for status in STATUSES:
        core = line_style("road", status).marks[0]
        assert core.get("dashArray") == STATUS_DASH[status]
    assert "marks" in line_style("rail", "proposed").leaflet()  # the page and the legend draw them


@pytest.mark.parametrize("vision", list(CVD_MATRICES))
def test_kind_colours__pairs_too_close_for_a_vision_are_told_apart_by_marks(vision):
    """Kind colours, simulated for each vision: where two are closer than MIN_DELTA_E (protanopia
    makes the railway blue and the road purple 6.3 apart), their marks must differ."""
    for a, b in itertools.combinations(LINE_KINDS, 2):
        if delta_e(KIND_COLOURS[a], KIND_COLOURS[b], vision) < MIN_DELTA_E:
            assert _marks_without_colour(a, "operational") != _marks_without_colour(b, "operational"), (a, b, vision)
    # and every kind colour stays apart from the grey of idle and closed lines by pattern or weight
    for kind in LINE_KINDS:
        assert line_style(kind, "operational").leaflet()["color"] != GREY


def test_legend_entries__flow_arrows_explained_only_where_drawn():
    class _Flowing(_F):
        def __init__(self, status, flow):
            super().__init__("pipeline", status)
            self.props.flow = flow

    assert not [e for e in legend_entries([_Flowing("idle", "forward"), _F("rail", "operational")]) if e.swatch == "arrow"]
    arrows = [e for e in legend_entries([_Flowing("operational", "forward")]) if e.swatch == "arrow"]
    assert len(arrows) == 1 and "either way" not in arrows[0].label
    both = [e for e in legend_entries([_Flowing("operational", "both")]) if e.swatch == "arrow"]
    assert "either way" in both[0].label
