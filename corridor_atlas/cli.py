"""Command line: argument parsing and reporting only; the work is in `pipeline`.

Exit codes: 0 success, 2 invalid input or an unusable --out / --png setup (every problem
listed, no traceback), 1 internal error (a traceback only with --debug). Everything printed
that comes from input passes through errors.terminal_safe.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .errors import InvalidInput, terminal_safe
from .output import OutputRefused
from .pipeline import ProjectPaths, build_site, load_inputs
from .snapshot import SnapshotUnavailable, chromium_executable

# compare, site and source_tomls (shapely, pydantic) are imported where used: a rebuild with
# nothing to do imports none of the heavy libraries (see pipeline.py).

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build Corridor Atlas maps from maps/*.toml and data/ into a static site.",
        epilog="Commands: 'check' validates every definition and layer and writes nothing. "
        "'compare [SET]' prints the figures of a comparison set (data/comparisons/SET.toml, default nakhchivan). "
        "Otherwise the arguments name maps to build (default: all).",
    )
    parser.add_argument("maps", nargs="*", metavar="MAP", help="map ids to build (file names in maps/ without .toml), or 'check', 'compare [SET]', 'features [TEXT…]'")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site): new, empty, or written by an earlier build; "
                        "never the project, an ancestor of it or an input folder")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--cdn", action="store_true", help="link Leaflet from a CDN with SRI hashes instead of inlining it")
    parser.add_argument("--tiles", metavar="PROVIDER", help="add online tiles by xyzservices name, e.g. CartoDB.Positron (makes network requests)")
    parser.add_argument("--png", action="store_true", help="also write <map>.png, a static image of each map (needs Chromium)")
    parser.add_argument("--embed", metavar="MAP", help="print the embed code (an <iframe> snippet) for MAP and exit")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes for the pages (default: $CORRIDOR_ATLAS_JOBS, else 2: "
                        "measured faster than 1 on 2 cores, docs/benchmark.md); 1 builds in this process")
    parser.add_argument("--force", action="store_true", help="rebuild every map even if its inputs did not change")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="with 'compare': a table in the terminal (default), or JSON / CSV on stdout")
    return parser


def feature_rows(layers: dict, words: list[str]) -> list[tuple[str, ...]]:
    """(id, kind, status, accuracy, layer, name) of every feature whose text holds all the words (any case)."""
    wanted = [w.casefold() for w in words]
    rows = []
    for name in sorted(layers):
        for f in layers[name].features:
            row = (f.id, f.props.kind, f.props.status, f.props.geometry_accuracy, name, f.props.name)
            haystack = " ".join(row).casefold()
            if all(w in haystack for w in wanted):
                rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=True, highlight=False)
    out = Console(highlight=False, soft_wrap=True)
    paths = ProjectPaths(args.root)
    if args.jobs is not None and args.jobs < 1:
        console.print(f"--jobs: must be a whole number of at least 1 (got {args.jobs})", markup=False)
        return EXIT_INVALID
    try:
        if args.maps[:1] == ["compare"]:
            from . import compare

            if len(args.maps) > 2:
                console.print("usage: python build.py compare [SET] [--format table|json|csv]")
                return EXIT_INVALID
            cset, rows = compare.compare_set(paths.root, args.maps[1] if len(args.maps) > 1 else compare.DEFAULT_SET)
            if args.format == "table":
                table_out = out if out.is_terminal else Console(highlight=False, width=180)  # piped: do not fold at 80
                table_out.print(compare.rich_table(cset, rows))
            else:
                sys.stdout.write(compare.to_json(rows) if args.format == "json" else compare.to_csv(rows))
            return EXIT_OK
        if args.maps[:1] == ["features"]:
            from .errors import Problems
            from .layers import load_layers

            problems = Problems()
            layers = load_layers(paths.layers, problems)
            if problems:
                raise InvalidInput(problems.items)
            rows = feature_rows(layers, args.maps[1:])
            for row in rows:
                out.print(terminal_safe("  ".join(row)), markup=False)
            console.print(f"{len(rows)} feature(s); put an id in a map's callouts, labels or filter ids", markup=False)
            return EXIT_OK
        if args.maps[:1] == ["check"]:
            from .source_tomls import check_sources

            source_problems = check_sources(paths.root / "data" / "sources")  # places.toml, routes.toml, when present
            try:
                inputs = load_inputs(paths, args.maps[1:] or None)
            except InvalidInput as exc:
                raise InvalidInput(exc.problems + source_problems.items) from None
            if source_problems:
                raise InvalidInput(source_problems.items)
            features = sum(len(layer.features) for layer in inputs.layers.values())
            out.print(f"ok: {len(inputs.specs)} map definitions, {len(inputs.layers)} layers, {features} features are valid")
            return EXIT_OK
        if args.tiles:
            import xyzservices.providers as xyz  # pulls in urllib and http.client: only when asked for

            try:
                xyz.query_name(args.tiles)
            except ValueError:
                console.print(f"--tiles: unknown xyzservices provider {args.tiles!r} (try CartoDB.Positron or OpenStreetMap.Mapnik)",
                              markup=False)
                return EXIT_INVALID
        if args.embed:
            from .site import embed_snippet

            spec = load_inputs(paths, [args.embed]).specs[0]
            out.print(terminal_safe(embed_snippet(spec, f"{spec.id}.html")), markup=False, soft_wrap=True)
            return EXIT_OK
        if args.png:
            chromium_executable()  # fail before building, not after every page rendered
        started = time.perf_counter()
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True,
                      disable=not console.is_terminal) as bar:
            task = bar.add_task("building maps", total=None)

            def report(map_id: str, size: int, total: int) -> None:
                bar.update(task, total=total, advance=1, description=f"built {map_id}")
                out.print(f"{terminal_safe(str(args.out / (map_id + '.html')))}  {size / 1024:,.1f} KiB", markup=False)

            built = build_site(paths, args.out, args.maps or None, "cdn" if args.cdn else "inline", args.tiles, report,
                               png=args.png, workers=args.jobs, incremental=not args.force)
        elapsed = time.perf_counter() - started
        shown_out = terminal_safe(str(args.out))
        if built:
            out.print(f"{len(built)} map(s) and index.html in {shown_out}/ in {elapsed:.1f} s", markup=False)
        else:
            out.print(f"{shown_out}/ is up to date: no input changed since the last build ({elapsed:.2f} s)", markup=False)
        return EXIT_OK
    except InvalidInput as exc:
        console.print(f"[bold red]{len(exc.problems)} problem(s) in the input; nothing was written:[/]")
        for problem in exc.problems:
            console.print(terminal_safe(str(problem)), markup=False, emoji=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID
    except OutputRefused as exc:
        console.print("[bold red]cannot use the output folder; nothing was written:[/]")
        console.print(terminal_safe(str(exc)), markup=False, emoji=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID
    except SnapshotUnavailable as exc:
        console.print("[bold red]cannot write PNGs:[/]")
        console.print(terminal_safe(str(exc)), markup=False, emoji=False, highlight=False, soft_wrap=True)
        return EXIT_INVALID
    except KeyboardInterrupt:
        console.print("interrupted; the output folder was left as it was")
        return 130
    except Exception as exc:  # the last line of defence: a clean message, code 1
        if args.debug:
            raise
        console.print(f"[bold red]internal error:[/] {exc.__class__.__name__}: {escape(terminal_safe(str(exc)))}", markup=True, emoji=False)
        console.print("run again with --debug for the traceback, and please report it")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
