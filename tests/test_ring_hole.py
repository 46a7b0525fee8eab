"""Basemap work saved without changing the land drawn (issue 15).

The rings around a map are simplified without most of their hole (basemap._cut): they must
draw the land a ring simplified whole draws, vertex for vertex (a ring may start at another
vertex). A base polygon inside a clip region is clipped once per process (simplify._uncut):
that must be what clipping it in any such region gives, byte for byte."""

from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

from corridor_atlas import basemap, simplify
from corridor_atlas.errors import Problems
from corridor_atlas.layers import load_base_layers
from corridor_atlas.simplify import Extent, prepare_coverage

ROOT = Path(__file__).resolve().parents[1]
OVERVIEW_EXTENT = Extent(9.236964941806825, 24.6, 78.76303505819317, 51.9)  # maps/overview.toml, padded (prepare.py)


@lru_cache(maxsize=1)
def surround() -> list[tuple[str, shapely.Geometry]]:
    base = load_base_layers(ROOT / "data" / "base", Problems())
    return [(f.props.iso_a3, f.geometry) for name in basemap.SURROUND_FILES for f in base[name].features]


def simplified_whole(features, clip: Extent, zoom: int, hole: Extent) -> dict[str, shapely.Geometry]:
    """What _cut gave before: the whole box simplified, the hole cut out after."""
    nearby = [(iso, g) for iso, g in features if g.intersects(clip.polygon)]
    out = {}
    for (iso, _), geom in zip(nearby, prepare_coverage([g for _, g in nearby], clip, zoom)):
        if geom is not None and not (geom := geom.difference(hole.polygon)).is_empty:
            out[iso] = geom
    return out


def test_ring_cut_without_its_hole__draws_the_same_land():
    features = surround()
    for zoom, outer, inner in basemap.surround_rings(OVERVIEW_EXTENT, 3, 6):
        reach = basemap._grown(outer, basemap._overlap(zoom - 1)) if zoom > 3 else outer
        cut = dict(basemap._cut(features, reach, zoom - basemap.RING_COARSENING, inner))
        whole = simplified_whole(features, reach, zoom - basemap.RING_COARSENING, inner)
        assert sorted(cut) == sorted(whole)
        for iso in cut:  # the same vertices; a ring may start at another one
            assert shapely.equals_exact(shapely.normalize(cut[iso]), shapely.normalize(whole[iso]), 0), (zoom, iso)


def test_prepare_coverage__a_polygon_inside_the_hole_is_dropped_and_the_rest_kept():
    square = shapely.box(0, 0, 1, 1)
    across = shapely.box(-4, -1, 4, 1)  # crosses the hole
    outside = shapely.box(6, 6, 7, 7)
    out = prepare_coverage([square, across, outside], Extent(-10, -10, 10, 10), 8, hole=Extent(-2, -2, 2, 2))
    assert out[0] is None
    assert np.isclose(out[1].area, across.area - 4 * 2)
    assert shapely.equals_exact(shapely.normalize(out[2]), shapely.normalize(outside), 0)


def test_uncut__a_polygon_inside_any_region_is_clipped_as_that_region_would_clip_it():
    for _, polygon in surround():
        west, south, east, north = polygon.bounds
        ring_region = shapely.Polygon(shapely.box(west - 40, south - 40, east + 40, north + 40).exterior,
                                      [shapely.box(east + 1, north + 1, east + 9, north + 9).exterior])
        for region in (shapely.box(west - 0.01, south - 0.01, east + 7, north + 3), ring_region):
            assert shapely.to_wkb(simplify._uncut(polygon)) == shapely.to_wkb(shapely.intersection(polygon, region))


def test_open_data_is_never_thinned_at_any_zoom_a_map_uses():
    """_thinned snaps only inputs far denser than the tolerance: the real base files, clipped to
    the overview's extent, go to the simplifier as they are at every zoom from 3 to 10."""
    geoms = [g for _, g in surround() if g.intersects(OVERVIEW_EXTENT.polygon)]
    clipped = [g for g in shapely.intersection(np.asarray(geoms, dtype=object), OVERVIEW_EXTENT.polygon) if not g.is_empty]
    for zoom in range(3, 11):
        assert simplify._thinned(clipped, simplify.degrees_per_pixel(zoom)) is clipped, zoom


def test_a_dense_coverage_is_thinned_within_a_tenth_of_the_tolerance_and_stays_a_coverage():
    """Two squares sharing an edge, densified to a vertex every 1/200 of the tolerance: snapped to
    a grid of tolerance/8, each moves by at most that grid's half-diagonal, keeps far fewer
    vertices, and the two still share their edge (no gap, no overlap) before and after simplifying."""
    tolerance = simplify.degrees_per_pixel(6)
    west, east = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    dense = list(shapely.segmentize([west, east], tolerance / 200))
    thinned = simplify._thinned(dense, tolerance)
    assert thinned is not dense
    assert sum(shapely.get_num_coordinates(thinned)) < sum(shapely.get_num_coordinates(dense)) / 20
    for before, after in zip(dense, thinned):
        assert shapely.hausdorff_distance(before, after) <= tolerance * simplify.THIN_STEP * 0.71
    for pair in (thinned, list(shapely.coverage_simplify(thinned, tolerance=tolerance))):
        assert shapely.intersection(pair[0], pair[1]).area == 0  # no overlap
        assert shapely.union_all(pair).geom_type == "Polygon"  # no gap: one piece
        assert abs(shapely.union_all(pair).area - 2.0) <= 6 * tolerance  # the outline (6 long) moved by under a tolerance
