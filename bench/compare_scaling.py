"""How the comparison's geometry work grows with a route's vertices (issue 16: linear).

    python bench/compare_scaling.py

Measures compare.country_interiors + compare.measure_line on zigzag routes across two
synthetic countries at 2,000, 20,000 and (unless --quick) 100,000 vertices, medians of
three runs each, and prints each time as a ratio to the 2,000-vertex baseline measured in
the same run, with the exponent of growth (1.0 = linear, 2.0 = quadratic).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shapely.geometry import LineString  # noqa: E402

from corridor_atlas import compare  # noqa: E402
from tests.conftest import write_project  # noqa: E402


def zigzag(n: int) -> LineString:
    return LineString([(44.9 if i % 2 == 0 else 45.1, 38.5 + 3.0 * i / n) for i in range(n)])


def seconds(borders, n: int, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        line = zigzag(n)
        started = time.perf_counter()
        compare.measure_line(line, compare.country_interiors(line, borders))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 and 20,000 vertices only")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project = write_project(Path(tmp) / "p")
        _, base = compare.load_data(project.root)
    borders = base["countries"]
    sizes = [2_000, 20_000] + ([] if args.quick else [100_000])
    base_n, base_t = sizes[0], seconds(borders, sizes[0])
    print(f"{'vertices':>9} {'median s':>9} {'ratio':>7} {'exponent':>9}   (baseline {base_n:,} vertices, same run)")
    print(f"{base_n:>9,} {base_t:>9.3f} {1.0:>7.1f} {'':>9}")
    for n in sizes[1:]:
        t = seconds(borders, n)
        exponent = math.log(t / base_t) / math.log(n / base_n)
        print(f"{n:>9,} {t:>9.3f} {t / base_t:>7.1f} {exponent:>9.2f}   target: exponent ≤ 1.2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
