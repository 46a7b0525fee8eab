"""A plain-text description of a map, generated from its data.

Screen-reader users get it through aria-describedby, search engines and link previews as
the meta description, readers without JavaScript in <noscript>. Generated, never
hand-written, so it cannot drift from what the map shows.
"""

from __future__ import annotations

from .spec import MapSpec
from .style import KIND_LABELS, STATUS_LABELS
from .vocabulary import LINE_KINDS, STATUSES


def describe_map(spec: MapSpec, features) -> str:
    routes = [f for f in features if f.props.kind in LINE_KINDS]
    areas = [f for f in features if f.props.kind == "area"]
    places = [f for f in features if f.props.kind == "place"]
    parts = [f"{spec.title}." if not spec.title.endswith((".", "?", "!")) else spec.title]
    if spec.subtitle:
        parts.append(spec.subtitle if spec.subtitle.endswith(".") else spec.subtitle + ".")
    if routes:
        by_status = sorted(routes, key=lambda f: (STATUSES.index(f.props.status), f.props.name))
        listed = "; ".join(
            f"{f.props.name} ({KIND_LABELS[f.props.kind].lower()}, {STATUS_LABELS[f.props.status]})" for f in by_status
        )
        parts.append(f"The map shows {len(routes)} route{'s' if len(routes) != 1 else ''}: {listed}.")
    if areas:
        parts.append("Areas: " + ", ".join(sorted(f.props.name for f in areas)) + ".")
    if places:
        parts.append(f"{len(places)} places are marked.")
    return " ".join(parts)
