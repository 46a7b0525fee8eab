"""Size limits on input, so that no file can make a build run away (data/FORMAT.md, "Limits").

Each limit is far above what the real data needs today (counted on 2026-11-29, in the
comment) and far below what makes a build or a reader's browser tab stall.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

#: bytes per input file (GeoJSON, TOML). Largest today: data/base/countries.geojson, 1.3 MB (25x).
DEFAULT_FILE_BYTES = MAX_FILE_BYTES = 32 * 1024 * 1024
#: positions per feature. Largest today: a countries-detail polygon, 13,663 (15x).
DEFAULT_VERTICES_PER_FEATURE = MAX_VERTICES_PER_FEATURE = 200_000
#: features per layer file. Largest today: data/base/admin1.geojson, 108 (90x).
MAX_FEATURES_PER_LAYER = 10_000
#: callouts per map. Most today: 2 (maps/nakhchivan.toml); labels are placed pairwise in the page.
MAX_CALLOUTS_PER_MAP = 100
#: extra `labels` per map. None today; the places layer has 73 features in all.
MAX_LABELS_PER_MAP = 500


#: environment variable with the same meaning as `python build.py --max-input-mb N`
MAX_INPUT_MB_ENV = "CORRIDOR_ATLAS_MAX_INPUT_MB"


def parse_max_input_mb(text: str) -> float:
    """`--max-input-mb` as a number of MiB; ValueError (the message for the user) unless positive and finite."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"must be a positive number of MiB (got {text!r})")
    return value


def set_max_input_mb(megabytes: float) -> None:
    """Let input files be up to `megabytes` MiB, on purpose (a very large base file, the bench's 100x run).

    Positions per feature scale with it (a densified file's features are as many times larger
    as the file), never below the default; features per layer, callouts and labels stay.
    Forked workers inherit the new values.
    """
    from . import safe_read  # it holds its own reference to the byte limit

    global MAX_FILE_BYTES, MAX_VERTICES_PER_FEATURE
    MAX_FILE_BYTES = safe_read.MAX_FILE_BYTES = int(megabytes * 1024 * 1024)
    MAX_VERTICES_PER_FEATURE = max(DEFAULT_VERTICES_PER_FEATURE,
                                   math.ceil(DEFAULT_VERTICES_PER_FEATURE * MAX_FILE_BYTES / DEFAULT_FILE_BYTES))


def current() -> tuple[int, int]:
    """The limits in force, for `restore`."""
    return MAX_FILE_BYTES, MAX_VERTICES_PER_FEATURE


def restore(saved: tuple[int, int]) -> None:
    from . import safe_read

    global MAX_FILE_BYTES, MAX_VERTICES_PER_FEATURE
    MAX_FILE_BYTES, MAX_VERTICES_PER_FEATURE = saved
    safe_read.MAX_FILE_BYTES = MAX_FILE_BYTES


def count_positions(coordinates: Any, stop_after: int) -> int:
    """Positions (innermost [x, y] lists) in GeoJSON ``coordinates``, counting up to ``stop_after``+1.

    One nesting level at a time (list comprehensions instead of a pop per value: ~15% less
    CPU on the real data), so deep nesting cannot overflow the stack; malformed shapes are
    counted as far as they go (their message comes from the geometry check).
    """
    count, level = 0, [coordinates]
    while level and count <= stop_after:
        lists = [value for value in level if isinstance(value, list) and value]
        nested = [value for value in lists if isinstance(value[0], list)]
        count += len(lists) - len(nested)  # a non-empty list whose first item is not a list is a position
        level = list(chain.from_iterable(nested))
    return count


def collection_problems(data: dict, lists_in_text: int | None = None) -> list[tuple[str, str]]:
    """(location, message) for each limit a parsed FeatureCollection exceeds.

    ``lists_in_text``: the number of "[" in the file's text, if known. Every position is a
    list, so when the whole file has no more than a feature may, no feature is counted (the
    count is a pass over every position in Python: ~0.04 s of a build).
    """
    features = data.get("features")
    if not isinstance(features, list):
        return []
    if len(features) > MAX_FEATURES_PER_LAYER:
        return [("features", f"{len(features):,} features; the limit is {MAX_FEATURES_PER_LAYER:,} per layer "
                             "(split the layer; see data/FORMAT.md, Limits)")]
    if lists_in_text is not None and lists_in_text <= MAX_VERTICES_PER_FEATURE:
        return []
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
