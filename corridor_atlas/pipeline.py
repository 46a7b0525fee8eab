"""The one build function: definitions and data in, a published site out.

Stages run in one direction: load and validate everything (no output yet) → prepare each
map → render each page → write all pages to a staging folder → publish. Any invalid input
stops the build before the first byte is written, with every problem listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InvalidInput, Problems
from .layers import BaseLayer, Layer, check_places_against_base, load_base_layer, load_layers
from .output import SiteWriter
from .prepare import prepare_map, selected_features, validate_references
from .describe import describe_map
from .render import render_page
from .site import BuiltMap, render_index
from .snapshot import photograph
from .spec import MapSpec, load_specs

BASE_FILES = ("countries", "countries-detail")


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def maps(self) -> Path:
        return self.root / "maps"

    @property
    def layers(self) -> Path:
        return self.root / "data" / "layers"

    @property
    def base(self) -> Path:
        return self.root / "data" / "base"


@dataclass
class Inputs:
    specs: list[MapSpec]
    layers: dict[str, Layer]
    base: dict[str, BaseLayer]


def load_inputs(paths: ProjectPaths, only: list[str] | None = None) -> Inputs:
    """Every definition and layer, validated; raises InvalidInput listing all problems."""
    problems = Problems()
    specs = load_specs(paths.maps, problems, only)
    layers = load_layers(paths.layers, problems)
    base: dict[str, BaseLayer] = {}
    for name in BASE_FILES:
        path = paths.base / f"{name}.geojson"
        if not path.exists():
            if name == "countries":
                problems.add(path, "", "missing: regenerate it with python data/sources/regenerate_base.py")
            continue
        layer = load_base_layer(path, problems)
        if layer is not None:
            base[name] = layer
    if "countries" in base:
        check_places_against_base(layers, base["countries"], problems)
    if not only and not specs and not problems:
        problems.add(paths.maps, "", "no map definitions (*.toml) found")
    broken_layers = {p.stem for p in paths.layers.glob("*.geojson")} - set(layers)
    for spec in specs:
        validate_references(spec, paths.maps / f"{spec.id}.toml", layers, problems, broken_layers)
    if problems:
        raise InvalidInput(problems.items)
    return Inputs(specs=specs, layers=layers, base=base)


def summary_description(spec: MapSpec, layers: dict[str, Layer]) -> str:
    features = [f for ref in spec.layers for f in selected_features(layers[ref.name], ref)]
    return describe_map(spec, features)


Progress = Callable[[str, int, int], None]


def build_site(
    paths: ProjectPaths,
    out_dir: Path,
    only: list[str] | None = None,
    asset_mode: str = "inline",
    tiles: str | None = None,
    progress: Progress | None = None,
    png: bool = False,
) -> list[BuiltMap]:
    """Build the named maps (all if none) and the index; publish only if every page rendered."""
    inputs = load_inputs(paths, only)
    built: list[BuiltMap] = []
    with SiteWriter(out_dir) as writer:
        for spec in inputs.specs:
            prepared = prepare_map(spec, inputs.layers, inputs.base, tiles_override=tiles)
            png_name = f"{spec.id}.png" if png else None
            html = render_page(prepared, asset_mode=asset_mode, png_name=png_name)
            size = writer.write(f"{spec.id}.html", html)
            built.append(BuiltMap(spec, f"{spec.id}.html", prepared.description, size, png_name))
            if progress:
                progress(spec.id, size, len(inputs.specs))
        if png:
            shots = photograph([writer.staged_path(m.filename) for m in built])
            for m in built:
                writer.write(m.png, shots[writer.staged_path(m.filename)])
        index_maps = list(built)
        if only:  # keep the gallery complete: list maps built earlier that are still defined
            all_specs = load_inputs(paths).specs
            done = {m.spec.id for m in built}
            for spec in all_specs:
                page = out_dir / f"{spec.id}.html"
                if spec.id not in done and page.exists():
                    png_file = out_dir / f"{spec.id}.png"
                    index_maps.append(BuiltMap(spec, page.name, summary_description(spec, inputs.layers), page.stat().st_size,
                                               png_file.name if png_file.exists() else None))
        writer.write("index.html", render_index(index_maps))
        writer.publish()
    return built
