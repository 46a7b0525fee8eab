"""Warnings about what a map definition selects: a layer whose filter keeps nothing, and an
initial view that shows none of the map's features.

Both build a valid but empty-looking page, so they are advice (advice.Advice, exit code 0),
not problems: a draft in progress may well be in that state for a while.
"""

from __future__ import annotations

import shapely
from shapely.geometry import box

from .advice import Advice
from .prepare import _view_box, selected_features
from .spec import MapSpec


def _latlon_box(bounds: tuple[float, float, float, float]) -> str:
    west, south, east, north = (round(v, 2) for v in bounds)
    return f"[[{south}, {west}], [{north}, {east}]]"


def coverage_advice(specs: list[MapSpec], layers: dict) -> list[Advice]:
    """The warnings for these (validated) definitions over these (validated) layers."""
    advice = []
    for spec in specs:
        shown = []
        for ref in spec.layers:
            layer = layers[ref.name]
            kept = selected_features(layer, ref, layers, spec.layers)
            if not layer.features:
                advice.append(Advice(spec.id, f'layer "{ref.name}"', "the layer has no features; the map draws nothing for it"))
            elif not kept:
                advice.append(Advice(spec.id, f'layer "{ref.name}"',
                                     f"its filter keeps none of its {len(layer.features)} features; "
                                     "the layer control will list an empty layer (check the filter's status, kind and ids)"))
            shown.extend(kept)
        if not shown:
            continue
        view = _view_box(spec, shown)
        if not any(box(*view).intersects(f.geometry) for f in shown):
            where = "bounds" if spec.view.bounds else "center and zoom"
            extent = shapely.total_bounds([f.geometry for f in shown])
            advice.append(Advice(spec.id, f"view.{where}",
                                 f"the initial view {_latlon_box(view)} shows none of the map's {len(shown)} features; "
                                 f"they lie within bounds = {_latlon_box(tuple(extent))}"))
    return advice
