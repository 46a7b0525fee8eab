"""Map definitions: `maps/<id>.toml` → a validated `MapSpec`.

A definition never contains code. It is parsed with tomllib and validated with pydantic
(strict types, unknown keys refused), and every problem is reported as
`file: key: what is wrong` so a reporter editing TOML by hand can fix it without Python.
Cross-checks that need the layers (does a layer or feature id exist?) live in
`pipeline.validate_references`, because this module knows nothing about data files.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import Problems, not_blank, pydantic_message
from .vocabulary import KINDS, STATUSES

MAP_ID = r"^[a-z0-9][a-z0-9-]*$"
MIN_ZOOM, MAX_ZOOM = 0, 18


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Zoom = Annotated[int, Field(ge=MIN_ZOOM, le=MAX_ZOOM)]
LatLon = Annotated[tuple[Latitude, Longitude], Field(strict=False)]


class LayerFilter(_Strict):
    """Which features of a layer a map shows; an empty filter keeps them all."""

    status: list[Literal[STATUSES]] = []  # type: ignore[valid-type]
    kind: list[Literal[KINDS]] = []  # type: ignore[valid-type]
    ids: list[str] = []
    exclude_ids: list[str] = []
    # keep only places that are waypoints of routes in these layers (e.g. places for one theme)
    waypoints_of: list[str] = []


class LayerRef(_Strict):
    name: str
    filter: LayerFilter = LayerFilter()
    shown: bool = True  # initially ticked in the layer control


class View(_Strict):
    """Initial view: either bounds ([south, west], [north, east]) or centre and zoom."""

    # TOML has arrays, not tuples: accept a list of the right length (strict=False here only)
    bounds: Annotated[tuple[LatLon, LatLon], Field(strict=False)] | None = None
    center: LatLon | None = None
    zoom: Zoom | None = None
    min_zoom: Zoom = 3
    max_zoom: Zoom = 10

    @model_validator(mode="after")
    def _one_way_to_say_where(self) -> "View":
        if self.bounds is None and (self.center is None or self.zoom is None):
            raise ValueError("give either bounds = [[south, west], [north, east]] or center and zoom")
        if self.bounds is not None and self.center is not None:
            raise ValueError("give bounds or center, not both")
        if self.bounds is not None:
            (south, west), (north, east) = self.bounds
            if south >= north or west >= east:
                raise ValueError("bounds must be [[south, west], [north, east]] with south < north and west < east")
        if self.min_zoom > self.max_zoom:
            raise ValueError(f"min_zoom ({self.min_zoom}) is greater than max_zoom ({self.max_zoom})")
        if self.zoom is not None and not self.min_zoom <= self.zoom <= self.max_zoom:
            raise ValueError(f"zoom {self.zoom} is outside min_zoom..max_zoom ({self.min_zoom}..{self.max_zoom})")
        return self


class Callout(_Strict):
    """A short annotation anchored to a curated feature (never to a free coordinate)."""

    at: str
    text: Annotated[str, Field(min_length=1, max_length=280)]
    # which side of its anchor the box sits on, so it does not hide what it points at
    direction: Literal["top", "bottom", "left", "right"] = "top"

    _check_text = field_validator("text")(classmethod(lambda cls, v: not_blank(v)))


DATE_TEXT = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # as in the layers: YYYY, YYYY-MM or YYYY-MM-DD


class Time(_Strict):
    """`[time]`: a control that shows the map at other dates (timeline.py)."""

    control: bool = False
    # the dates the control steps through; empty: every event date of the map's features
    steps: list[Annotated[str, Field(pattern=DATE_TEXT)]] = []
    # the date the page opens at; default: the latest event date of the map's features
    today: Annotated[str, Field(pattern=DATE_TEXT)] | None = None


MAX_STEPS = 50  # a story, not a slideshow; the article page has one paragraph per step
STEP_TEXT_MAX = 300  # a step's text is read beside the map, one or two sentences
SourceUrl = Annotated[str, Field(pattern=r"^https?://[^\s<>\"]+$")]


class Step(_Strict):
    """`[[steps]]`: one step of a story (story.py): what the map shows beside one paragraph of
    an article. The view follows [view]'s rules; without one the step shows the map's default view."""

    title: Annotated[str, Field(min_length=1, max_length=80)]
    text: Annotated[str, Field(min_length=1, max_length=STEP_TEXT_MAX)]
    sources: Annotated[list[SourceUrl], Field(min_length=1)]  # every step's text is backed by a source
    bounds: Annotated[tuple[LatLon, LatLon], Field(strict=False)] | None = None
    center: LatLon | None = None
    zoom: Zoom | None = None
    layers: list[str] | None = None  # the map's layers shown at this step; None: as the map opens
    date: Annotated[str, Field(pattern=DATE_TEXT)] | None = None  # the time control's date (needs [time] control)
    highlight: list[str] = []  # feature ids drawn emphasised (must be drawn on the map)

    _check_title = field_validator("title", "text")(classmethod(lambda cls, v: not_blank(v)))

    @model_validator(mode="after")
    def _view_rules(self) -> "Step":
        if self.bounds is not None and (self.center is not None or self.zoom is not None):
            raise ValueError("give bounds or center and zoom, not both")
        if (self.center is None) != (self.zoom is None):
            raise ValueError("give center and zoom together (or bounds = [[south, west], [north, east]])")
        if self.bounds is not None:
            (south, west), (north, east) = self.bounds
            if south >= north or west >= east:
                raise ValueError("bounds must be [[south, west], [north, east]] with south < north and west < east")
        return self


class StepText(_Strict):
    """A step's title and text in another language (`[[text.<lang>.steps]]`, in step order);
    left empty, the English shows, marked lang="en"."""

    title: Annotated[str, Field(max_length=80)] = ""
    text: Annotated[str, Field(max_length=STEP_TEXT_MAX)] = ""


Language = Literal["en", "az", "hy", "ru", "tr", "fa", "ar", "he"]  # i18n.LANGUAGES


class MapText(_Strict):
    """A definition's own text in one language (`[text.fa]`); anything left out shows the
    English, marked lang="en" (i18n.py). `callouts` maps a callout's `at` to its text."""

    title: str = ""
    subtitle: str = ""
    credit: str = ""
    source_line: str = ""
    callouts: dict[str, Annotated[str, Field(min_length=1, max_length=280)]] = {}
    steps: list[StepText] = []  # the story's steps, in order (story.py)
    # false: written for the atlas, not yet reviewed by a native speaker (shown nowhere; `check` counts it)
    reviewed: bool = True


class MapSpec(_Strict):
    id: Annotated[str, Field(pattern=MAP_ID)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    subtitle: str = ""
    credit: str = ""
    source_line: str = ""
    description: str = ""
    layers: Annotated[list[LayerRef], Field(min_length=1)]
    view: View
    callouts: list[Callout] = []
    labels: list[str] = []
    basemap: str = "bundled"
    # a draft is built (its page can be previewed) but kept out of the gallery
    draft: bool = False
    # a locator inset (bottom right, wide pages only) shows where the map lies in the wider region
    locator: bool = False
    time: Time | None = None
    # languages this map is built in besides English (`python build.py --lang` adds more)
    lang: list[Language] = []
    text: dict[Language, MapText] = {}
    # a story: the page steps through these (story.py); an article can drive them (docs/story.md)
    steps: Annotated[list[Step], Field(max_length=MAX_STEPS)] = []

    _check_title = field_validator("title")(classmethod(lambda cls, v: not_blank(v)))

    @field_validator("layers")
    @classmethod
    def _layers_unique(cls, layers: list[LayerRef]) -> list[LayerRef]:
        names = [layer.name for layer in layers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"layer listed twice: {', '.join(dupes)}")
        return layers

    @field_validator("basemap")
    @classmethod
    def _known_basemap(cls, value: str) -> str:
        if value != "bundled" and not re.fullmatch(r"[A-Za-z0-9]+(\.[A-Za-z0-9_]+)*", value):
            raise ValueError('basemap is "bundled" or an xyzservices provider name such as "CartoDB.Positron"')
        return value

    @property
    def uses_online_tiles(self) -> bool:
        return self.basemap != "bundled"


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "tagged-union") or str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: dict, known_keys: dict[str, list[str]]) -> str:
    parent = ".".join(str(p) for p in err["loc"][:-1] if not isinstance(p, int))
    parent = re.sub(r"^text\.[a-z]{2}\b", "text", parent)  # [text.fa] holds the keys of "text"
    return pydantic_message(err, "key", known_keys.get(parent, []))


def _known_keys() -> dict[str, list[str]]:
    """Keys each table may hold (list indices dropped), for did-you-mean hints on typos."""
    return {
        "": list(MapSpec.model_fields),
        "view": list(View.model_fields),
        "layers": list(LayerRef.model_fields),
        "layers.filter": list(LayerFilter.model_fields),
        "callouts": list(Callout.model_fields),
        "time": list(Time.model_fields),
        "text": list(MapText.model_fields),
        "steps": list(Step.model_fields),
        "text.steps": list(StepText.model_fields),
    }


def parse_spec(path: Path, text: str, problems: Problems) -> MapSpec | None:
    """Parse one definition's text; record problems and return None if it is invalid.

    Never raises for any input text: every way a definition can be wrong ends up as a
    recorded problem (TOML syntax, absurd nesting or integers, wrong types, bad values).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add(path, "", f"invalid TOML: {exc}")
        return None
    except RecursionError:
        problems.add(path, "", "invalid TOML: arrays or tables nested too deeply")
        return None
    except ValueError as exc:  # an integer with more digits than Python will convert
        problems.add(path, "", f"invalid TOML: a number is too long ({str(exc).split(';')[0]})")
        return None
    ok = True
    raw.setdefault("id", path.stem)
    if raw["id"] != path.stem:
        problems.add(path, "id", f"id {raw['id']!r} must match the file name {path.stem!r}")
        raw["id"] = path.stem  # keep validating: report every problem in one pass
        ok = False
    try:
        spec = MapSpec.model_validate(raw)
    except ValidationError as exc:
        keys = _known_keys()
        for err in exc.errors():
            where = _location(err["loc"])
            step = re.match(r"steps\[(\d+)\]", where)  # a reporter counts steps from 1
            problems.add(path, where or "(top level)", (f"step {int(step[1]) + 1}: " if step else "") + _message(err, keys))
        return None
    except RecursionError:
        problems.add(path, "(top level)", "values nested too deeply")
        return None
    ok = _check_steps(spec, path, problems) and ok
    return spec if ok else None


def _check_steps(spec: MapSpec, path: Path, problems: Problems) -> bool:
    """What a story step may refer to within its own definition: the map's layers, its zoom
    range, its time control; feature ids are checked against the data (story.check_references)."""
    before = len(problems)
    layer_names = [ref.name for ref in spec.layers]
    time_control = spec.time is not None and spec.time.control
    for i, step in enumerate(spec.steps):
        where, say = f"steps[{i}]", f"step {i + 1}: "
        for name in step.layers or []:
            if name not in layer_names:
                close = difflib.get_close_matches(name, layer_names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f"; this map's layers: {', '.join(layer_names)}"
                problems.add(path, f"{where}.layers", f"{say}{name!r} is not one of this map's layers{hint}")
        if step.date is not None and not time_control:
            problems.add(path, f"{where}.date", f"{say}a date needs a time control: add [time] control = true")
        if step.zoom is not None and not spec.view.min_zoom <= step.zoom <= spec.view.max_zoom:
            problems.add(path, f"{where}.zoom", f"{say}zoom {step.zoom} is outside the map's min_zoom..max_zoom "
                                                 f"({spec.view.min_zoom}..{spec.view.max_zoom})")
    for lang, text in spec.text.items():
        if len(text.steps) > len(spec.steps):
            problems.add(path, f"text.{lang}.steps", f"{len(text.steps)} translated steps but the map has {len(spec.steps)}")
    return len(problems) == before


def load_spec(path: Path, problems: Problems) -> MapSpec | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, "", f"cannot read the file: {exc}")
        return None
    return parse_spec(path, text, problems)


def load_specs(maps_dir: Path, problems: Problems, only: list[str] | None = None) -> list[MapSpec]:
    """Every definition in `maps_dir` (or the named ones), sorted by id."""
    paths = sorted(maps_dir.glob("*.toml"))
    if only:
        known = {p.stem: p for p in paths}
        for name in only:
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                problems.add(maps_dir, name, "no such map" + (f" (did you mean {hint[0]!r}?)" if hint else f"; known: {', '.join(sorted(known))}"))
        paths = [known[n] for n in only if n in known]
    specs = [spec for p in paths if (spec := load_spec(p, problems)) is not None]
    return sorted(specs, key=lambda s: s.id)
