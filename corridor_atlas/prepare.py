"""Validated spec + loaded layers → `PreparedMap`: the map's features, clipped and simplified.

Also resolves what a definition refers to (layers, feature ids for callouts and labels),
because only here are both the spec and the data in hand.
"""

from __future__ import annotations

import difflib
import math

import shapely
import shapely.affinity
from shapely.ops import polylabel
from shapely.geometry import box

from .basemap import SURROUND_FILES, drawn_land, land_extent, less_lakes, locator, seen_box, story_tiers, tiered_coverage
from .cache import prepared_coverage
from .describe import country_names, describe_map, description_plan
from .errors import Problems
from .layers import BaseLayer, Feature, Layer
from .cache import placed_map
from .prepared import PreparedLayer, PreparedMap
from .codec import encode_polygons
from .credits import by_licence_duty
from .simplify import Extent, decimals_for_zoom, geojson_geometry, prepare_coverage, prepare_line_for_story, vertex_count
from .shared_track import line_offsets
from .spec import MapSpec
from .style import BORDER, FLOW_STATUSES, LAND, PLACE_MARKERS, area_style, area_style_key, legend_entries, line_style, style_key
from .vocabulary import LINE_KINDS

# Which labels win when they collide: lower first (lines and areas 0).
LABEL_RANK = {"capital": 1, "port": 2, "terminal": 3, "border_crossing": 4, "city": 5, "station": 6, "town": 7}
# An area's name yields to every place: on a wide map a small area's long name would hide
# the places in it (the overview lost Baku and Yerevan to "Nakhchivan Autonomous Republic").
AREA_LABEL_RANK = 8

# Attribution for data that is not base geography: curated layers' place coordinates.
GEONAMES_CREDIT = "Places: GeoNames (CC BY 4.0)"
CURATED_CREDIT = "Routes: Corridor Atlas (sources in each popup)"
# Lines traced along OSM track, or derived from the OSM-derived water and border polygons.
OSM_LINES_CREDIT = "Traced and derived lines: © OpenStreetMap contributors (ODbL)"


def selected_features(layer: Layer, ref, layers: dict[str, Layer] | None = None, drawn=()) -> list[Feature]:
    """The features of `layer` that pass the map's filter (all conditions must hold).

    `drawn`: the map's own layer references. `waypoints_of` a layer the map draws with a
    filter means the stops of the routes it actually draws, not of the whole layer.
    """
    f = ref.filter
    waypoints = None
    if f.waypoints_of and layers is not None:
        own = {r.name: r for r in drawn if r is not ref}

        def routes_of(name):
            return selected_features(layers[name], own[name], layers) if name in own else layers[name].features

        waypoints = {w for name in f.waypoints_of if name in layers for feat in routes_of(name) for w in feat.props.waypoints}
    return [
        feature
        for feature in layer.features
        if (not f.status or feature.props.status in f.status)
        and (not f.kind or feature.props.kind in f.kind)
        and (not f.ids or feature.id in f.ids)
        and feature.id not in f.exclude_ids
        and (waypoints is None or feature.id in waypoints)
    ]


def _did_you_mean(wrong: str, known) -> str:
    """' (did you mean 'x'?)' for the closest known id, or '' (then `python build.py features` lists them)."""
    close = difflib.get_close_matches(wrong, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else " (python build.py features lists the ids)"


def _layer_hint(wrong: str, layers) -> str:
    """' (did you mean 'x'?)' for the closest layer name, else the list of layers."""
    close = difflib.get_close_matches(wrong, sorted(layers), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(sorted(layers))}"


def validate_references(
    spec: MapSpec, spec_path, layers: dict[str, Layer], problems: Problems, broken_layers: set[str] = frozenset()
) -> None:
    """Layers, filter ids, callout anchors and labels must name things that exist.

    References into a layer that failed validation are not checked: its own problems are
    already listed, and a cascade of "unknown id" lines would only hide them.
    """
    if any(ref.name in broken_layers for ref in spec.layers):
        return
    all_ids = {f.id for layer in layers.values() for f in layer.features}
    for i, ref in enumerate(spec.layers):
        if ref.name not in layers:
            problems.add(spec_path, f"layers[{i}].name", f"unknown layer {ref.name!r}{_layer_hint(ref.name, layers)}")
            continue
        layer_ids = {f.id for f in layers[ref.name].features}
        for key in ("ids", "exclude_ids"):
            for fid in getattr(ref.filter, key):
                if fid not in layer_ids:
                    problems.add(spec_path, f"layers[{i}].filter.{key}",
                                 f"no feature {fid!r} in layer {ref.name!r}{_did_you_mean(fid, layer_ids)}")
        for name in ref.filter.waypoints_of:
            if name not in layers:
                problems.add(spec_path, f"layers[{i}].filter.waypoints_of", f"unknown layer {name!r}{_layer_hint(name, layers)}")
    for i, callout in enumerate(spec.callouts):
        if callout.at not in all_ids:
            problems.add(spec_path, f"callouts[{i}].at", f"no feature with id {callout.at!r}{_did_you_mean(callout.at, all_ids)}")
    for i, label in enumerate(spec.labels):
        if label not in all_ids:
            problems.add(spec_path, f"labels[{i}]", f"no feature with id {label!r}{_did_you_mean(label, all_ids)}")
    from .story import check_references as check_story  # story.py: what the steps highlight is drawn

    check_story(spec, spec_path, layers, problems)
    if spec.uses_online_tiles:
        import xyzservices.providers as xyz  # 16 ms to import: only for a map on online tiles

        try:
            xyz.query_name(spec.basemap)
        except ValueError:
            problems.add(spec_path, "basemap", f"unknown xyzservices provider {spec.basemap!r}")


def _display_properties(feature: Feature, labelled: set[str]) -> dict:
    """Only what the popup, tooltip and style need: keeps the page small."""
    p = feature.props
    out: dict = {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "status": p.status,
        "geometry_accuracy": p.geometry_accuracy,
        "sources": [{"title": s.title, "url": s.url} for s in p.sources],
    }
    optional = {
        "operator": p.operator,
        "sponsor": p.sponsor,
        "note": p.note,
        "dates": dict(p.dates),
        "countries": list(p.countries),
        "reported": [{k: v for k, v in (("quantity", r.quantity), ("value", r.value), ("unit", r.unit), ("source", r.source),
                                        ("country", r.country), ("note", r.note)) if v not in (None, "")} for r in p.reported],
    }
    out.update({k: v for k, v in optional.items() if v})
    if p.trace is not None:
        # the popup says how the line was drawn: km per accuracy, how many OSM ways and
        # stations, from which extract (the way ids themselves stay in the layer file)
        out["trace"] = {
            "km": {k: round(v) for k, v in p.trace.km.items()},
            "ways": len(p.trace.osm_way_ids),
            "stations": len(p.trace.osm_node_ids),
            "extract": p.trace.extract,
        }
    if p.method:
        out["method"] = p.method
    if p.flow and p.status in FLOW_STATUSES:
        out["flow"] = p.flow
    if p.kind in LINE_KINDS:
        out["style"] = style_key(p.kind, p.status)
    elif p.kind == "area":
        out["style"] = area_style_key(p)
    else:
        out["marker"] = PLACE_MARKERS[p.place_type]["shape"]
    if p.label or p.id in labelled:
        out["label"] = True
        # a label the map definition asks for is one of its key places: it wins every collision
        out["rank"] = (0 if p.id in labelled else LABEL_RANK.get(p.place_type, 1) if p.kind == "place"
                       else AREA_LABEL_RANK if p.kind == "area" else 0)
    return out


def _view_box(spec: MapSpec, features: list[Feature]) -> tuple[float, float, float, float]:
    if spec.view.bounds:
        (south, west), (north, east) = spec.view.bounds
        return west, south, east, north
    # centre + zoom: a box that the zoom shows on a ~1000 px wide screen
    lat, lon = spec.view.center
    half = 360.0 / 2 ** spec.view.zoom * 2
    return lon - half, lat - half / 1.6, lon + half, lat + half / 1.6


def _reach(spec: MapSpec, view: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The default view and every story step's bounds: the page keeps the map inside its extent
    (maxBounds, the clipped basemap), so a step reaching past the default view must widen it."""
    steps = [box(west, south, east, north) for step in spec.steps if step.bounds for (south, west), (north, east) in [step.bounds]]
    return tuple(shapely.total_bounds([box(*view), *steps]).tolist())


SCREEN_ASPECT = 2.0  # width / height of the widest screen a map is expected to fill


def widen_to_screen(view: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Widen or heighten the view box so a wide (or tall) screen showing it finds land, not
    the edge of the clipped basemap."""
    west, south, east, north = view
    shrink = math.cos(math.radians((south + north) / 2))  # a degree of longitude is shorter
    width, height = (east - west) * shrink, north - south
    if width < SCREEN_ASPECT * height:
        extra = (SCREEN_ASPECT * height - width) / shrink / 2
        west, east = west - extra, east + extra
    elif height < width / SCREEN_ASPECT:
        extra = (width / SCREEN_ASPECT - height) / 2
        south, north = south - extra, north + extra
    return west, south, east, north


def choose_base(extent: Extent, base: dict[str, BaseLayer]) -> BaseLayer:
    """OSM-derived detail where the map stays inside its box, Natural Earth elsewhere."""
    detail = base.get("countries-detail")
    if detail is not None and detail.features:
        w, s, e, n = shapely.total_bounds([f.geometry for f in detail.features])
        if extent.within((w, s, e, n)):
            return detail
    return base["countries"]


def _story_tiers(spec: MapSpec, view: tuple[float, float, float, float], land_box: Extent):
    """basemap.story_tiers for a story map (its default view and every step), or None: a map
    without steps may be zoomed to max_zoom anywhere in its extent, so it keeps the detail everywhere."""
    if not spec.steps:
        return None
    views = [(Extent(*view), None)]
    for step in spec.steps:
        if step.bounds:
            (south, west), (north, east) = step.bounds
            views.append((Extent(west, south, east, north), None))
        elif step.center:
            views.append((Extent(step.center[1], step.center[0], step.center[1], step.center[0]), step.zoom))
    return story_tiers(views, land_box, spec.view.min_zoom, spec.view.max_zoom)


def _basemap(spec: MapSpec, countries_layer: BaseLayer, base: dict[str, BaseLayer], extent: Extent,
             view: tuple[float, float, float, float], land_box: Extent, tiers) -> tuple[list[dict], list[str], list[dict], int]:
    """The map's land: country labels, the attributions of the rings, the encoded countries, their vertices.
    `land_box`: land_extent of the map; `tiers`: _story_tiers, or None."""
    max_zoom = spec.view.max_zoom
    decimals = decimals_for_zoom(max_zoom)
    # Natural Earth's countries less their lakes (basemap.less_lakes); the OSM-derived detail has them cut
    geoms = [g for _, g in less_lakes([countries_layer])] if countries_layer.name in SURROUND_FILES \
        else [f.geometry for f in countries_layer.features]
    if tiers is None:
        base_geoms = prepared_coverage(geoms, land_box, max_zoom)  # cache.py: per region and zoom
    else:
        base_geoms = tiered_coverage(geoms, tiers, decimals)
    labels = []
    # Every country with a real share of the default view gets a label, placed where the
    # reader looks (the pole of inaccessibility of its largest part inside the view, grown by
    # a tenth each side because a screen shows a little more than the declared bounds), not
    # at the centre of a part that may lie off screen.
    label_box = shapely.affinity.scale(box(*view), 1.2, 1.2)
    min_label_area = box(*view).area / 400
    for feature, geom in zip(countries_layer.features, base_geoms):
        if geom is None:
            continue
        in_view = shapely.get_parts(geom.intersection(label_box))
        in_view = [g for g in in_view if g.geom_type == "Polygon"]
        largest = max(in_view, key=lambda g: g.area) if in_view else None
        if largest is not None and largest.area >= min_label_area:
            spot = polylabel(largest, tolerance=0.05)
            labels.append({"name": feature.props.name, "lat": round(spot.y, 3), "lon": round(spot.x, 3)})
    # the land around the extent too, for screens that see past it when zoomed out (basemap.py)
    land, land_credits = drawn_land([(f.props.iso_a3, g) for f, g in zip(countries_layer.features, base_geoms)],
                                    base, extent, spec.view.min_zoom, max_zoom, decimals, tiers)
    countries = [{"iso_a3": iso, "q": encode_polygons(geom, decimals)} for iso, geom in land]
    return labels, land_credits, countries, sum(vertex_count(geom) for _, geom in land)


def prepare_map(spec: MapSpec, layers: dict[str, Layer], base: dict[str, BaseLayer], tiles_override: str | None = None) -> PreparedMap:
    max_zoom = spec.view.max_zoom
    labelled = set(spec.labels)
    by_id = {f.id: f for layer in layers.values() for f in layer.features}

    chosen: list[tuple] = []
    for ref in spec.layers:
        chosen.append((ref, layers[ref.name], selected_features(layers[ref.name], ref, layers, spec.layers)))
    all_features = [f for _, _, feats in chosen for f in feats]

    view = _view_box(spec, all_features)
    extent = Extent.around(*widen_to_screen(_reach(spec, view)))
    clip = box(extent.west, extent.south, extent.east, extent.north)

    countries_layer = choose_base(extent, base)
    from .stage_times import stage  # where a build's time goes (CORRIDOR_ATLAS_TIMINGS=1)

    # a story: fine detail only where its steps zoom in, for the land and the lines alike
    land_box = land_extent(extent, spec.view.min_zoom, max_zoom)
    tiers = _story_tiers(spec, view, land_box)
    with stage("prepare: basemap"):
        labels, land_credits, countries, vertices = _basemap(spec, countries_layer, base, extent, view, land_box, tiers)

    styles: dict[str, dict] = {"__land": {"color": BORDER, "weight": 1, "fillColor": LAND, "fillOpacity": 1, "opacity": 1}}
    prepared_layers = []
    drawn_lines: dict[str, object] = {}
    for ref, layer, feats in chosen:
        out = []
        for feature in feats:
            geom = prepare_line_for_story(feature.geometry_on(countries_layer.name), tiers, max_zoom)  # as any map's without tiers
            if not geom.intersects(clip):
                continue
            vertices += vertex_count(geom)
            props = _display_properties(feature, labelled)
            if "style" in props and props["style"] not in styles:
                if feature.props.kind == "area":
                    styles[props["style"]] = area_style(props["style"].removeprefix("area:"))
                else:
                    styles[props["style"]] = line_style(feature.props.kind, feature.props.status).leaflet()
            out.append({"type": "Feature", "properties": props, "geometry": geojson_geometry(geom)})
            if feature.props.kind in LINE_KINDS:
                drawn_lines[feature.id] = geom
        prepared_layers.append(PreparedLayer(name=layer.name, title=layer.title, shown=ref.shown, features=out))
    # routes sharing a track are drawn side by side (shared_track.py)
    offsets = line_offsets(drawn_lines, max_zoom)
    for f in (f for pl in prepared_layers for f in pl.features if f["properties"]["id"] in offsets):
        f["properties"]["offset"] = offsets[f["properties"]["id"]]

    shown_features = [by_id[f["properties"]["id"]] for pl in prepared_layers for f in pl.features]
    # callouts, route and sea labels placed where they cover nothing at the default view (placement.py)
    with stage("prepare: placement"):
        placement_inputs = (spec.id, spec.view, spec.callouts,
                            [dict(f, layer=pl.name) for pl in prepared_layers for f in pl.features],
                            {pl.name for pl in prepared_layers if pl.shown}, extent.leaflet_bounds(),
                            [[view[1], view[0]], [view[3], view[2]]] if spec.view.bounds else None,
                            {c.at: by_id[c.at].geometry_on(countries_layer.name) for c in spec.callouts},
                            countries_layer.path.parent, clip, labels, bool(spec.time and spec.time.control))
        placed = placed_map(*placement_inputs)

    attributions = [countries_layer.attribution] + [a for a in land_credits if a != countries_layer.attribution]
    if any(f.props.kind == "place" for f in shown_features):
        attributions.append(GEONAMES_CREDIT)
    if any(f.props.trace is not None or f.props.method for f in shown_features):
        attributions.append(OSM_LINES_CREDIT)
    if shown_features:
        attributions.append(CURATED_CREDIT)
    attributions = by_licence_duty(attributions)
    tiles = None
    tiles_name = tiles_override or (spec.basemap if spec.uses_online_tiles else None)
    if tiles_name:
        import xyzservices.providers as xyz  # 16 ms to import: only for a map on online tiles

        provider = xyz.query_name(tiles_name)
        tiles = {"url": provider.build_url(scale_factor="{r}") if "{r}" in provider.url else provider.build_url(),
                 "attribution": provider.get("attribution", provider.name), "max_zoom": provider.get("max_zoom", 18)}

    return PreparedMap(
        spec=spec,
        extent=extent,
        view_bounds=[[view[1], view[0]], [view[3], view[2]]] if spec.view.bounds else None,
        countries=countries,
        country_labels=sorted(labels, key=lambda c: c["name"]),
        layers=prepared_layers,
        callouts=placed.callouts,
        legend=legend_entries(shown_features),
        styles=styles,
        attributions=attributions,
        description=describe_map(spec, shown_features, country_names(base)),
        description_plan=description_plan(spec, shown_features, country_names(base)),  # i18n: worded per page language
        placement_inputs=placement_inputs,  # i18n.rtl_placement: placed again for right-to-left pages
        tiles=tiles,
        stats={"vertices": vertices, "features": len(shown_features)},
        labels={"routes": placed.route_labels, "seas": placed.sea_labels},
        advice=placed.advice,
        land_bounds=seen_box(extent, spec.view.min_zoom).leaflet_bounds(),
        locator=locator(view, base) if spec.locator else None,
    )
