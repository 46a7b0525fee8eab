"""Size limits on input, so that no file can make a build run away (data/FORMAT.md, "Limits").

Each limit is far above what the real data needs today (counted on 2026-11-29, in the
comment) and far below what makes a build or a reader's browser tab stall.
"""

from __future__ import annotations

from typing import Any

#: bytes per input file (GeoJSON, TOML). Largest today: data/base/countries.geojson, 1.3 MB (25x).
MAX_FILE_BYTES = 32 * 1024 * 1024
#: positions per feature. Largest today: a countries-detail polygon, 13,663 (15x).
MAX_VERTICES_PER_FEATURE = 200_000
#: features per layer file. Largest today: data/base/admin1.geojson, 108 (90x).
MAX_FEATURES_PER_LAYER = 10_000
#: callouts per map. Most today: 2 (maps/nakhchivan.toml); labels are placed pairwise in the page.
MAX_CALLOUTS_PER_MAP = 100
#: extra `labels` per map. None today; the places layer has 73 features in all.
MAX_LABELS_PER_MAP = 500


def count_positions(coordinates: Any, stop_after: int) -> int:
    """Positions (innermost [x, y] lists) in GeoJSON ``coordinates``, counting up to ``stop_after``+1.

    Iterative, so deep nesting cannot overflow the stack; malformed shapes are counted as far
    as they go (their message comes from the geometry check).
    """
    count, stack = 0, [coordinates]
    while stack and count <= stop_after:
        value = stack.pop()
        if isinstance(value, list):
            if value and not isinstance(value[0], list):
                count += 1
            else:
                stack.extend(value)
    return count


def collection_problems(data: dict) -> list[tuple[str, str]]:
    """(location, message) for each limit a parsed FeatureCollection exceeds."""
    features = data.get("features")
    if not isinstance(features, list):
        return []
    if len(features) > MAX_FEATURES_PER_LAYER:
        return [("features", f"{len(features):,} features; the limit is {MAX_FEATURES_PER_LAYER:,} per layer "
                             "(split the layer; see data/FORMAT.md, Limits)")]
    out = []
    for index, raw in enumerate(features):
        geometry = raw.get("geometry") if isinstance(raw, dict) else None
        if not isinstance(geometry, dict):
            continue
        n = count_positions(geometry.get("coordinates"), MAX_VERTICES_PER_FEATURE)
        if n > MAX_VERTICES_PER_FEATURE:
            out.append((f"features[{index}]: geometry", f"more than {MAX_VERTICES_PER_FEATURE:,} positions "
                                                       "(simplify it; see data/FORMAT.md, Limits)"))
    return out
