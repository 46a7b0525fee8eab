"""Command line: argument parsing and reporting only; the work is in `pipeline`.

Exit codes: 0 success, 2 invalid input or an unusable --out / --png setup (every problem
listed, no traceback), 1 internal error (a traceback only with --debug). Everything printed
that comes from input passes through errors.terminal_safe.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


from .errors import InvalidInput, terminal_safe
from . import limits
from .limits import MAX_INPUT_MB_ENV, parse_max_input_mb, set_max_input_mb
from .output import OutputRefused
from .pipeline import ProjectPaths, build_site, load_inputs
from .snapshot import SnapshotUnavailable, chromium_executable

# compare, site and source_tomls (shapely, pydantic) are imported where used: a rebuild with
# nothing to do imports none of the heavy libraries (see pipeline.py).

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class Console:
    """rich's Console, created on first use: a rebuild with nothing to do prints one plain
    line and never imports rich (~15 ms of a ~0.1 s rebuild, docs/benchmark.md).

    ``print(text, markup=False)`` of unwrapped text to a pipe is written as it is (rich would
    only substitute emoji codes); anything else goes to the real console.
    """

    def __init__(self, stderr: bool = False, **options):
        self._options, self._console = {"stderr": stderr, **options}, None
        self._stream = sys.stderr if stderr else sys.stdout

    @property
    def rich(self):
        if self._console is None:
            from rich.console import Console as RichConsole

            self._console = RichConsole(**self._options)
        return self._console

    def print(self, *objects, **kwargs) -> None:
        plain = (set(kwargs) <= {"markup", "soft_wrap", "emoji", "highlight"} and kwargs.get("markup") is False
                 and kwargs.get("soft_wrap", self._options.get("soft_wrap", False)))  # rich folds other text at 80
        if self._console is None and plain and len(objects) == 1 and isinstance(objects[0], str) and not self._stream.isatty():
            print(objects[0], file=self._stream)
            return
        self.rich.print(*objects, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.rich, name)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


class _ProgressBar:
    """A transient rich progress bar on a terminal, started at the first page built (so a
    rebuild with nothing to do never imports rich.progress); nothing when piped."""

    def __init__(self, console: Console):
        self.console, self.bar, self.task = console, None, None

    def __enter__(self) -> "_ProgressBar":
        return self

    def update(self, description: str, total: int) -> None:
        if self.bar is None:
            if not self.console.is_terminal:
                return
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=self.console.rich,
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task("building maps", total=total)
        self.bar.update(self.task, total=total, advance=1, description=description)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build Corridor Atlas maps from maps/*.toml and data/ into a static site.",
        epilog="Commands: 'check' validates every definition and layer and writes nothing. "
        "'compare [SET]' prints the figures of a comparison set (data/comparisons/SET.toml, default nakhchivan). "
        "Otherwise the arguments name maps to build (default: all).",
    )
    parser.add_argument("maps", nargs="*", metavar="MAP", help="map ids to build (file names in maps/ without .toml), or 'check', 'compare [SET]', 'features [TEXT…]', 'export [DIR]', 'new ID', 'serve [MAP…]'")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site): new, empty, or written by an earlier build; "
                        "never the project, an ancestor of it or an input folder")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--cdn", action="store_true", help="link Leaflet from a CDN with SRI hashes instead of inlining it")
    parser.add_argument("--tiles", metavar="PROVIDER", help="add online tiles by xyzservices name, e.g. CartoDB.Positron (makes network requests)")
    parser.add_argument("--png", action="store_true", help="also write <map>.png, a static image of each map (needs Chromium)")
    parser.add_argument("--embed", metavar="MAP", help="print the embed code (an <iframe> snippet) for MAP and exit")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes for the pages (default: $CORRIDOR_ATLAS_JOBS, else 2: "
                        "measured faster than 1 on 2 cores, docs/benchmark.md); 1 builds in this process")
    parser.add_argument("--max-input-mb", metavar="N", help="raise the input limits on purpose: files up to N MiB (default 32, or "
                        "$CORRIDOR_ATLAS_MAX_INPUT_MB), positions per feature in proportion (data/FORMAT.md, Limits)")
    parser.add_argument("--force", action="store_true", help="rebuild every map even if its inputs did not change, without the build cache (.<out>.cache/)")
    parser.add_argument("--lang", metavar="LANGS", help="also build each map in these languages: a code (az hy ru tr fa ar he), "
                        "a comma-separated list, or all; <map>.html stays English, others are <map>.<lang>.html")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--base-url", metavar="URL", help="where the site will be published (https://…/): embed code and "
                        "social tags (og:url, og:image) then carry absolute URLs that work when pasted elsewhere")
    parser.add_argument("--port", type=int, default=8000, help="with 'serve': the localhost port (default 8000; 0 picks a free one)")
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
    """The command line; limits raised by --max-input-mb hold for this run only (main may run
    twice in one process: the tests, an editor's integration)."""
    saved = limits.current()
    try:
        return _main(argv)
    finally:
        limits.restore(saved)


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=True, highlight=False)
    out = Console(highlight=False, soft_wrap=True)
    paths = ProjectPaths(args.root)
    if args.jobs is not None and args.jobs < 1:
        console.print(f"--jobs: must be a whole number of at least 1 (got {args.jobs})", markup=False)
        return EXIT_INVALID
    max_input_mb = args.max_input_mb if args.max_input_mb is not None else os.environ.get(MAX_INPUT_MB_ENV)
    if max_input_mb is not None:
        try:
            set_max_input_mb(parse_max_input_mb(max_input_mb))
        except ValueError as exc:
            where = "--max-input-mb" if args.max_input_mb is not None else f"${MAX_INPUT_MB_ENV}"
            console.print(terminal_safe(f"{where}: {exc}"), markup=False)
            return EXIT_INVALID
    base_url = None
    if args.base_url is not None:
        from .site import BadBaseUrl, check_base_url

        try:
            base_url = check_base_url(args.base_url)
        except BadBaseUrl as exc:
            console.print(terminal_safe(str(exc)), markup=False, soft_wrap=True)
            return EXIT_INVALID
    try:
        if args.maps[:1] == ["new"]:
            from .starter import write_starter

            if len(args.maps) != 2:
                console.print("usage: python build.py new ID   (writes maps/ID.toml, a commented starter definition)", markup=False)
                return EXIT_INVALID
            written = write_starter(paths.maps, paths.layers, args.maps[1])
            from .errors import display_path

            out.print(f"wrote {terminal_safe(display_path(written))}: a draft that builds as it is; "
                      f"python build.py {args.maps[1]} builds it, python build.py serve previews it", markup=False)
            return EXIT_OK
        if args.maps[:1] == ["serve"]:
            from . import serve

            options = {"asset_mode": "cdn" if args.cdn else "inline", "tiles": args.tiles, "png": args.png,
                       "workers": args.jobs or 1, "base_url": base_url}  # 1: no fork from a threaded server
            if args.lang is not None:  # `serve --lang fa`: the pages in these languages too (i18n.py)
                from .i18n import parse_langs

                try:
                    options["langs"] = parse_langs(args.lang)
                except ValueError as exc:
                    console.print(f"--lang: {exc}", markup=False)
                    return EXIT_INVALID
            return serve.run(paths, args.out, args.maps[1:] or None, args.port, options, console)
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
        if args.maps[:1] == ["export"]:
            from . import export  # geopandas, pyogrio: only for this command

            return export.main(paths.root, args.maps[1:], args.out if args.out != Path("site") else None, out)
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
            if (paths.root / "data" / "names" / "names.json").is_file():  # names per language (issue 12)
                from .names import check_names

                source_problems.extend(check_names(paths.root))
            try:
                inputs = load_inputs(paths, args.maps[1:] or None)
            except InvalidInput as exc:
                raise InvalidInput(exc.problems + source_problems.items) from None
            if source_problems:
                raise InvalidInput(source_problems.items)
            features = sum(len(layer.features) for layer in inputs.layers.values())
            from .advice import print_advice
            from .coverage import coverage_advice

            from .placement import placement_advice

            print_advice(coverage_advice(inputs.specs, inputs.layers) + placement_advice(inputs), console)
            from .i18n import coverage_lines

            for line in coverage_lines(paths.root):  # issue 12: translated UI strings and names per language
                out.print(line, markup=False)
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
            out.print(terminal_safe(embed_snippet(spec, f"{spec.id}.html", base_url)), markup=False, soft_wrap=True)
            if not base_url:
                console.print(f"note: the src is relative ({spec.id}.html): it works on a page beside the map; "
                              "pasted into another site (a CMS) give --base-url https://…/ where the site is published",
                              markup=False, soft_wrap=True)
            return EXIT_OK
        langs = None
        if args.lang is not None:
            from .i18n import parse_langs

            try:
                langs = parse_langs(args.lang)
            except ValueError as exc:
                console.print(f"--lang: {exc}", markup=False)
                return EXIT_INVALID
        if args.png:
            chromium_executable()  # fail before building, not after every page rendered
        started = time.perf_counter()
        advice: list = []  # warnings (advice.Advice): printed after the build, exit code unchanged
        with _ProgressBar(console) as bar:

            def report(map_id: str, size: int, total: int) -> None:
                bar.update(f"built {map_id}", total)
                out.print(f"{terminal_safe(str(args.out / (map_id + '.html')))}  {size / 1024:,.1f} KiB", markup=False)

            built = build_site(paths, args.out, args.maps or None, "cdn" if args.cdn else "inline", args.tiles, report,
                               png=args.png, workers=args.jobs, incremental=not args.force, base_url=base_url,
                               advice=advice, langs=langs)
        elapsed = time.perf_counter() - started
        if advice:
            from .advice import print_advice

            print_advice(advice, console)
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
