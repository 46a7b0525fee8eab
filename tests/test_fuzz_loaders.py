"""Property tests: no input makes the loaders crash.

`spec.parse_spec` and `layers.load_layer` (and `load_base_layer`) must turn ANY text into
either a valid model or recorded problems, and nothing else: not an exception, not a
model together with problems, not None without a reason. Inputs are random junk (text and
bytes), character-level mutations of the valid TOML/JSON, and structured near-valid
documents: the valid definition or layer with values replaced by junk of the wrong type,
NaN/inf, huge numbers, nested lists and tables, unicode, or with keys removed or added.

2,320 examples in all (see EXAMPLES); about 30 s on two cores.
"""

from __future__ import annotations

import copy
import json
import math
import tempfile
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor_atlas.errors import Problems
from corridor_atlas.layers import Layer, load_base_layer, load_layer
from corridor_atlas.spec import MapSpec, parse_spec

from .conftest import COUNTRIES, MAP_TOML, ROUTES

EXAMPLES = {"spec_text": 400, "spec_mutated_text": 400, "spec_structured": 300,
            "layer_bytes": 400, "layer_mutated_text": 400, "layer_structured": 300, "base_structured": 120}
assert sum(EXAMPLES.values()) >= 2000


def fuzz_settings(name: str):
    return settings(max_examples=EXAMPLES[name], deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


SPEC_PATH = Path("maps/test-map.toml")
SPEC_DICT = tomllib.loads(MAP_TOML)
WORKDIR = Path(tempfile.mkdtemp(prefix="atlas-fuzz-"))

# ------------------------------------------------------------------ junk values
TRICKY_TEXT = st.sampled_from([
    "", " ", "\t", "\x00", "\u202e", "\ud7ff", "😀", "javascript:alert(1)", "https://", "http://x", "https://example.org",
    "operational", "planned", "pipeline", "place", "Point", "LineString", "FeatureCollection", "Feature", "routes",
    "test-pipeline", "EPSG:3857", "urn:ogc:def:crs:EPSG::4326", "2006-02-30", "2024", "9999-99-99", "<script>", "{{7*7}}",
    "a" * 300,
])
NUMBERS = st.one_of(
    st.integers(min_value=-(10**18), max_value=10**18),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 19, 90.0000001, -180.5, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf]),
)
SCALARS = st.one_of(st.booleans(), NUMBERS, st.text(max_size=12), TRICKY_TEXT)


def _junk(base):
    return st.recursive(
        base,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.one_of(st.text(max_size=8), TRICKY_TEXT), inner, max_size=4),
        max_leaves=6,
    )


JUNK = {True: _junk(st.one_of(SCALARS, st.none())), False: _junk(SCALARS)}  # built once: strategies are costly to build


def junk(with_none: bool):
    return JUNK[with_none]


def _slots(doc):
    """Every (container, key) in a nested dict/list document."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                out.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                out.append((node, index))
                walk(value)

    walk(doc)
    return out


NEW_KEYS = st.one_of(st.text(max_size=10), TRICKY_TEXT, st.sampled_from(["id", "crs", "type", "zoom", "label"]))
OPS = st.sampled_from(["replace", "replace", "delete", "add", "wrap", "duplicate"])


@st.composite
def near_valid(draw, base: dict, with_none: bool):
    """`base` with 1–4 mutations: a value replaced by junk, a key removed, a key added, a value wrapped."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        slots = _slots(doc)
        op = draw(OPS)
        if op == "add" or not slots:
            targets = [c for c, _ in slots if isinstance(c, dict)] + [doc]
            container = targets[draw(st.integers(min_value=0, max_value=len(targets) - 1))]
            container[draw(NEW_KEYS)] = draw(junk(with_none))
            continue
        container, key = slots[draw(st.integers(min_value=0, max_value=len(slots) - 1))]
        if op == "replace":
            container[key] = draw(junk(with_none))
        elif op == "delete":
            del container[key]
        elif op == "wrap":
            container[key] = [container[key]] if draw(st.booleans()) else {"value": container[key]}
        elif op == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    return doc


# ------------------------------------------------------------------ TOML writer (for structured specs)
def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(doc: dict) -> str:
    return "".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}\n" for k, v in doc.items())


def test_toml_writer_round_trips_the_valid_definition():
    assert tomllib.loads(to_toml(SPEC_DICT)) == SPEC_DICT
    problems = Problems()
    assert parse_spec(SPEC_PATH, to_toml(SPEC_DICT), problems) is not None and not problems


@st.composite
def mutated_text(draw, text: str):
    """Character-level damage: delete, insert or replace a few characters (syntax ones favoured)."""
    chars = list(text)
    alphabet = st.one_of(st.sampled_from(list('[]{}",:=#\n\\\'.-0e') + ["NaN", "Infinity", "\x00", "\ufeff"]), st.characters())
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        pos = draw(st.integers(min_value=0, max_value=max(len(chars) - 1, 0)))
        op = draw(st.sampled_from(["delete", "insert", "replace"]))
        if op == "delete" and chars:
            del chars[pos]
        elif op == "insert":
            chars.insert(pos, draw(alphabet))
        elif chars:
            chars[pos] = draw(alphabet)
    return "".join(chars)


# ------------------------------------------------------------------ the property
def check_spec(text: str) -> None:
    problems = Problems()
    spec = parse_spec(SPEC_PATH, text, problems)  # must not raise
    assert_outcome(spec, problems, MapSpec, "maps/test-map.toml")


def assert_outcome(result, problems: Problems, model_type, file_suffix: str) -> None:
    if result is None:
        assert problems, "refused without saying why"
    else:
        assert isinstance(result, model_type)
        assert not problems, f"a model came back together with problems: {problems.items}"
    for problem in problems.items:
        assert problem.file.endswith(file_suffix)
        assert isinstance(problem.message, str) and problem.message.strip()
        assert isinstance(problem.location, str)
        assert len(str(problem)) < 2000, "one problem line should stay readable"


def check_layer_bytes(data: bytes, loader=load_layer, name: str = "routes") -> None:
    path = WORKDIR / f"{name}.geojson"
    path.write_bytes(data)
    problems = Problems()
    layer = loader(path, problems)  # must not raise
    assert_outcome(layer, problems, object, f"{name}.geojson")
    if layer is not None and isinstance(layer, Layer):
        for feature in layer.features:
            assert feature.geometry.is_valid and not feature.geometry.is_empty
            assert feature.props.sources


# ------------------------------------------------------------------ definitions
@fuzz_settings("spec_text")
@given(st.text(max_size=400) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_parse_spec__random_text_never_crashes(text):
    check_spec(text)


@fuzz_settings("spec_mutated_text")
@given(mutated_text(MAP_TOML))
def test_parse_spec__damaged_toml_never_crashes(text):
    check_spec(text)


@fuzz_settings("spec_structured")
@given(near_valid(SPEC_DICT, with_none=False))
def test_parse_spec__near_valid_definitions_validate_or_report(doc):
    try:
        text = to_toml(doc)
    except TypeError:  # pragma: no cover - junk() has no TOML-less types
        raise
    check_spec(text)


# ------------------------------------------------------------------ layers
@fuzz_settings("layer_bytes")
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_load_layer__random_bytes_never_crash(data):
    check_layer_bytes(data)


@fuzz_settings("layer_mutated_text")
@given(mutated_text(json.dumps(ROUTES)))
def test_load_layer__damaged_json_never_crashes(text):
    check_layer_bytes(text.encode("utf-8", "surrogatepass"))


@fuzz_settings("layer_structured")
@given(near_valid(ROUTES, with_none=True))
def test_load_layer__near_valid_layers_validate_or_report(doc):
    check_layer_bytes(json.dumps(doc, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@fuzz_settings("base_structured")
@given(near_valid(COUNTRIES, with_none=True))
def test_load_base_layer__near_valid_base_geography_validates_or_reports(doc):
    check_layer_bytes(json.dumps(doc, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass"), load_base_layer, "countries")
