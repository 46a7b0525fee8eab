"""Checks on validated inputs that the per-file loaders cannot make on their own.

The map limits of data/FORMAT.md ("Limits") and the validity of the base polygons: an
invalid polygon there (a bow-tie ring) otherwise surfaces deep in clipping as a GEOS
TopologyException, i.e. exit 1 for what is an input problem.
"""

from __future__ import annotations

from pathlib import Path

import shapely

from .errors import Problems
from .layers import BaseLayer
from .limits import MAX_CALLOUTS_PER_MAP, MAX_LABELS_PER_MAP


def check_map_limits(specs: list, maps_dir: Path, problems: Problems) -> None:
    """Callouts and labels per map (data/FORMAT.md, Limits): the page places them pairwise."""
    for spec in specs:
        for key, items, limit in (("callouts", spec.callouts, MAX_CALLOUTS_PER_MAP), ("labels", spec.labels, MAX_LABELS_PER_MAP)):
            if len(items) > limit:
                problems.add(maps_dir / f"{spec.id}.toml", key,
                             f"{len(items):,} {key}; the limit is {limit:,} per map (see data/FORMAT.md, Limits)")


def check_base_geometry(base: dict[str, BaseLayer], problems: Problems) -> None:
    """Every base polygon valid (shapely's reason otherwise), as curated polygons already must be.

    A file with an invalid polygon is taken out of ``base`` (like a file that failed to load),
    so the checks that follow never clip against it.
    """
    for name, layer in list(base.items()):
        geoms = [f.geometry for f in layer.features]
        invalid = [i for i, ok in enumerate(shapely.is_valid(geoms)) if not ok] if geoms else []
        for index in invalid:
            problems.add(layer.path, f"features[{index}]: geometry",
                         f"invalid geometry: {shapely.is_valid_reason(geoms[index])}; regenerate or repair the file")
        if invalid:
            del base[name]
