"""Build warnings: things the build can still do but a reader would notice (a callout that
covers what it explains, a label the runtime will hide, bounds that show no feature).

Unlike errors.Problems they never stop the build nor change the exit code; `build` and
`check` print them on stderr in yellow, one line each, naming the map and the subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Advice:
    map_id: str  # the map definition (maps/<map_id>.toml)
    subject: str  # what it is about, e.g. 'callout "btc" ("The BTC pipeline …")' or 'layer "places"'
    message: str  # what is wrong, in words a map author can act on

    def __str__(self) -> str:
        return f"maps/{self.map_id}.toml: {self.subject}: {self.message}"


def print_advice(advice: Iterable[Advice], console=None) -> int:
    """Print each warning (sorted, deduplicated) on stderr in yellow; returns how many."""
    from rich.console import Console

    from .errors import terminal_safe

    console = console or Console(stderr=True, highlight=False)
    items = sorted(set(advice))
    for item in items:
        console.print(f"[yellow]warning:[/] ", end="")
        console.print(terminal_safe(str(item)), markup=False, emoji=False, highlight=False, soft_wrap=True,
                      style="yellow")
    return len(items)
