"""The story map for the article (maps/story.toml, issue 13): its content, checked against the data.

Checked per step: the highlighted features exist, are drawn by a layer the step shows, exist at
the step's date (timeline.py), and lie inside the step's bounds, so the reader sees what the
text is about; the text is short; every step cites at least one source; every figure or date
in the text is given by a page the step or its features cite (FIGURES records which); a
contested name is always quoted. The steps follow the article's order of points (STEP_IDS).
And the build: a map's extent (prepare.py) grows to hold every step, so no step is cut off.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest
from shapely.geometry import box, shape

from corridor_atlas.pipeline import ProjectPaths, load_inputs
from corridor_atlas.prepare import prepare_map
from corridor_atlas.spec import STEP_TEXT_MAX
from corridor_atlas.timeline import status_at

from .conftest import MAP_TOML, write_project

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "maps" / "story.toml"

# A step's id is its first highlighted feature. In the article's order: Nakhchivan and the
# corridor question; the routes through Armenia (the Soviet line, the "Zangezur corridor",
# the Crossroads of Peace, TRIPP), through Iran, and Turkey's line; Caspian crude to Israel;
# the Russia–India corridor.
STEP_IDS = [
    "nakhchivan-ar",
    "soviet-baku-julfa-yerevan-railway",
    "zangezur-corridor",
    "crossroads-gyumri-kars-railway",
    "tripp",
    "aras-corridor",
    "kars-igdir-dilucu-railway",
    "btc-pipeline",
    "instc-western-route-azerbaijan",
]

OC_MEDIA_MEGHRI = "https://oc-media.org/amidst-shifting-geopolitics-armenias-abandoned-meghri-railway-station-is-a-reminder-of-the-past"
TREND_ALIYEV = "https://en.trend.az/azerbaijan/politics/3693324.html"
CASPIAN_NEWS_HORADIZ = "https://caspiannews.com/news-detail/azerbaijan-makes-headway-on-railway-along-zangazur-corridor-2022-1-25-27/"
ARMRADIO = "https://en.armradio.am/2023/10/26/armenian-pm-presents-the-crossroads-of-peace-project-at-silk-road-conference-in-tbilisi/"
ASB_TRIPP = "https://asb-media.info/en/president-trump-to-orchestrate-groundbreaking-armenia-azerbaijan-truce-at-the-white-house"
CASPIAN_NEWS_AGHBAND = "https://caspiannews.com/news-detail/azerbaijan-iran-break-ground-on-cross-border-highway-bridge-2023-10-7-0/"
REPORT_BRIDGE = "https://report.az/en/infrastructure/shahin-mustafayev-construction-of-aghband-kalala-road-bridge-over-araz-river-completed"
MENAFN_KARS = "https://menafn.com/1109962733/Tu%CC%88rkiye-Breaks-Ground-On-Kars-Ig%CC%86d%C4%B1r-Aral%C4%B1k-Dilucu-Railway-Line"
AGENDA_BTC = "https://agenda.ge/en/news/2022/4405"
RZECZPOSPOLITA_KPLER = "https://www.rp.pl/gospodarka/art39304341-embargo-na-rope-dla-izraela-to-nie-problem-ale-moga-byc-inne-klopoty"
TREND_INSTC = "https://www.trend.az/business/4153471.html"

# Every number in a step's text (figures and dates) → the page that gives it.
FIGURES = {
    "nakhchivan-ar": {},
    "soviet-baku-julfa-yerevan-railway": {"1992": OC_MEDIA_MEGHRI},
    "zangezur-corridor": {"2020": TREND_ALIYEV, "2021": CASPIAN_NEWS_HORADIZ},
    "crossroads-gyumri-kars-railway": {"2023": ARMRADIO, "30": ARMRADIO},
    "tripp": {"8": ASB_TRIPP, "2025": ASB_TRIPP},
    "aras-corridor": {"2022": CASPIAN_NEWS_AGHBAND, "2023": CASPIAN_NEWS_AGHBAND, "2026": REPORT_BRIDGE},
    "kars-igdir-dilucu-railway": {"22": MENAFN_KARS, "2025": MENAFN_KARS, "224": MENAFN_KARS, "15": MENAFN_KARS,
                                  "5.5": MENAFN_KARS},
    "btc-pipeline": {"1,768": AGENDA_BTC, "60%": RZECZPOSPOLITA_KPLER, "2023": RZECZPOSPOLITA_KPLER},
    "instc-western-route-azerbaijan": {"2000": TREND_INSTC, "162": TREND_INSTC, "2023": TREND_INSTC},
}

NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
CONTESTED = ["Zangezur corridor"]  # names one side uses: always quoted, never the story's own word


@lru_cache(maxsize=1)
def story() -> dict:
    return tomllib.loads(STORY.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def features() -> dict[str, tuple[str, dict, object]]:
    """id → (layer name, properties, shapely geometry) of every curated feature."""
    found = {}
    for path in sorted((ROOT / "data" / "layers").glob("*.geojson")):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            found[f["properties"]["id"]] = (path.stem, f["properties"], shape(f["geometry"]))
    return found


def steps() -> list[dict]:
    return story()["steps"]


def step_id(step: dict) -> str:
    return step["highlight"][0]


def cited(step: dict) -> set[str]:
    """The step's own sources and every source of the features it highlights."""
    urls = set(step["sources"])
    for fid in step["highlight"]:
        props = features()[fid][1]
        urls |= {s["url"] for s in props.get("sources", [])}
        urls |= {r["source"] for r in props.get("reported", [])}
    return urls


def test_steps_follow_the_article():
    assert 6 <= len(steps()) <= 9
    assert [step_id(s) for s in steps()] == STEP_IDS


@pytest.mark.parametrize("index", range(len(STEP_IDS)), ids=STEP_IDS)
def test_highlighted_features_are_drawn_and_inside_the_bounds(index):
    step = steps()[index]
    map_layers = [layer["name"] for layer in story()["layers"]]
    shown = step.get("layers", map_layers)
    (south, west), (north, east) = step["bounds"]
    view = box(west, south, east, north)
    date = step.get("date")
    for fid in step["highlight"]:
        layer, props, geometry = features()[fid]
        assert layer in shown, f"step {index + 1}: {fid} is in layer {layer}, which the step hides"
        assert view.covers(geometry), f"step {index + 1}: {fid} {geometry.bounds} reaches outside the bounds"
        if date:
            assert status_at(props.get("dates"), props["status"], date), f"step {index + 1}: {fid} did not exist at {date}"


@pytest.mark.parametrize("index", range(len(STEP_IDS)), ids=STEP_IDS)
def test_text_is_short_and_sourced(index):
    step = steps()[index]
    assert 0 < len(step["text"]) <= STEP_TEXT_MAX
    assert step["sources"] and all(url.startswith("https://") for url in step["sources"])
    figures = FIGURES[step_id(step)]
    for number in NUMBER.findall(step["title"] + " " + step["text"]):
        assert number in figures, f"step {index + 1}: {number!r} has no source recorded in FIGURES"
        assert figures[number] in cited(step), f"step {index + 1}: {number!r} comes from {figures[number]}, which the step does not cite"


def test_the_map_extent_holds_every_step(tmp_path):
    """The page keeps the view inside the map's extent (maxBounds, the clipped basemap): a step
    reaching past [view] (the story's Russia–India step does) widens it rather than being cut off."""
    step = '[[steps]]\ntitle = "Far east"\ntext = "A step past the view."\nsources = ["https://example.org/s"]\nbounds = [[20.0, 45.0], [30.0, 60.0]]\n'
    paths = write_project(tmp_path / "p", map_toml=MAP_TOML + step)
    inputs = load_inputs(ProjectPaths(paths.root))
    extent = prepare_map(inputs.specs[0], inputs.layers, inputs.base).extent
    assert extent.south <= 20.0 and extent.east >= 60.0 and extent.west <= 40.5 and extent.north >= 41.5


def test_dates_need_the_time_control():
    dated = [s for s in steps() if "date" in s]
    assert dated and story()["time"]["control"] is True


def test_contested_names_are_quoted():
    for step in steps():
        for words in (step["title"], step["text"]):
            for name in CONTESTED:
                bare = words.replace(f'"{name}"', "")
                assert name not in bare, f"{step['title']!r}: {name!r} unquoted"
