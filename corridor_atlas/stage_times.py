"""Where a build's time goes, stage by stage, without a profiler (issue 15).

`CORRIDOR_ATLAS_TIMINGS=1 python build.py …` prints one line per stage on stderr,
``timing <process> <stage> <seconds>``: the build process's own stages (wall time), and each
worker's stages per page (so the stages of one page add up in the process that did them).
bench/whole_process.py reads these lines for its per-stage medians. A profiler slows the
shapely-heavy stages about twice as much as the rest, so its breakdown misleads; these
timers cost two clock reads a stage. Off (the default): nothing is timed or printed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator

ENV = "CORRIDOR_ATLAS_TIMINGS"
_totals: dict[str, float] = {}


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time spent inside to `name` (stages may nest: inner time counts in both)."""
    if not enabled():
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - started


def forget() -> None:
    """Drop the totals so far (a forked worker inherits its parent's)."""
    _totals.clear()


def report_since(process: str, before: dict[str, float]) -> None:
    """Print only what was timed since `before` (a snapshot of the totals: one page's stages,
    also when the page was built in the build process itself) and take it out of the totals."""
    if not enabled():
        return
    for name in list(_totals):
        added = _totals[name] - before.get(name, 0.0)
        if added > 0:
            _line(f"timing {process} {name} {added:.4f}")
        if name in before:
            _totals[name] = before[name]
        else:
            del _totals[name]


def snapshot() -> dict[str, float]:
    return dict(_totals)


def report(process: str) -> None:
    """Print the stages timed so far in this process as ``timing <process> <stage> <s>`` and start afresh."""
    if enabled():
        for name, seconds in _totals.items():
            _line(f"timing {process} {name} {seconds:.4f}")
    _totals.clear()


def _line(text: str) -> None:
    """One write per line, so lines from worker processes sharing stderr never run together."""
    sys.stderr.flush()
    os.write(sys.stderr.fileno(), (text + "\n").encode())
