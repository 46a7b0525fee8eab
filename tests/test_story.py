"""Story mode (issue 13): `[[steps]]` in a definition are validated (every problem names the
file, the step and the field), become the page's `story` payload, the example article and the
no-script list, and hostile text in a step stays text."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from corridor_atlas.errors import InvalidInput, Problems
from corridor_atlas.pipeline import build_site, load_inputs
from corridor_atlas.spec import parse_spec
from corridor_atlas.story import article_filename

from .conftest import MAP_TOML, ROUTES, write_project

PAYLOAD = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)

STEPS = '''
[[steps]]
title = "The whole line"
text = "Both countries."
sources = ["https://example.org/a"]

[[steps]]
title = "The pipeline"
text = "The western half."
sources = ["https://example.org/b", "https://example.com/c"]
bounds = [[39.5, 40.5], [40.5, 42.5]]
highlight = ["test-pipeline"]
date = "2010"

[[steps]]
title = "The rail"
text = "Centre and zoom."
sources = ["https://example.org/d"]
center = [40.5, 43.0]
zoom = 8
layers = ["routes"]
highlight = ["test-rail", "alpha-town"]
'''

TIME = '''
[time]
control = true
'''

STORY_TOML = MAP_TOML + TIME + STEPS


def dated_routes() -> dict:
    """The test routes with dates, so the time control has something to move."""
    routes = copy.deepcopy(ROUTES)
    for f in routes["features"]:
        if f["properties"]["id"] == "test-pipeline":
            f["properties"]["dates"] = {"construction_started": "2002", "opened": "2006"}
        if f["properties"]["id"] == "test-rail":
            f["properties"]["dates"] = {"proposed": "2021"}
    return routes


def write_story_project(root: Path, map_toml: str = STORY_TOML):
    return write_project(root, map_toml=map_toml, routes=dated_routes())


def parse(text: str):
    problems = Problems()
    spec = parse_spec(Path("maps/test-map.toml"), text, problems)
    return spec, [str(p) for p in problems.items]


def problems_of(tmp_path, map_toml: str) -> list[str]:
    paths = write_story_project(tmp_path / "p", map_toml)
    with pytest.raises(InvalidInput) as exc:
        load_inputs(paths)
    return [f"{p.location}: {p.message}" for p in exc.value.problems]


def test_steps_parse_with_their_views_layers_dates_and_highlights():
    spec, problems = parse(STORY_TOML)
    assert problems == []
    assert [s.title for s in spec.steps] == ["The whole line", "The pipeline", "The rail"]
    assert spec.steps[1].bounds == ((39.5, 40.5), (40.5, 42.5)) and spec.steps[1].date == "2010"
    assert spec.steps[2].center == (40.5, 43.0) and spec.steps[2].zoom == 8 and spec.steps[2].layers == ["routes"]
    assert spec.steps[0].layers is None  # as the map opens


def test_an_unknown_key_in_a_step_names_the_step_and_suggests_the_key():
    spec, problems = parse(STORY_TOML.replace('highlight = ["test-pipeline"]', 'higlight = ["test-pipeline"]'))
    assert spec is None
    assert "maps/test-map.toml: steps[1].higlight: step 2: unknown key 'higlight' (did you mean 'highlight'?)" in problems


@pytest.mark.parametrize("old, new, where, says", [
    ('sources = ["https://example.org/a"]', "sources = []", "steps[0].sources", "step 1: "),
    ('sources = ["https://example.org/a"]', 'sources = ["javascript:alert(1)"]', "steps[0].sources[0]", "step 1: "),
    ('text = "Both countries."', f'text = "{"x" * 301}"', "steps[0].text", "step 1: "),
    ('text = "Both countries."', 'text = "   "', "steps[0].text", "step 1: "),
    ('title = "The rail"\n', "", "steps[2].title", "step 3: required key is missing"),
    ("\nzoom = 8\n", "\n", "steps[2]", "step 3: give center and zoom together"),
    ('bounds = [[39.5, 40.5], [40.5, 42.5]]', 'bounds = [[40.5, 40.5], [39.5, 42.5]]', "steps[1]", "step 2: bounds must be"),
])
def test_a_wrong_step_is_refused_with_its_number_and_field(old, new, where, says):
    spec, problems = parse(STORY_TOML.replace(old, new, 1))
    assert spec is None
    assert any(p.startswith(f"maps/test-map.toml: {where}: {says}") for p in problems), problems


def test_a_step_date_needs_a_time_control_and_layers_and_zoom_must_be_the_maps():
    toml = (MAP_TOML + STEPS).replace('layers = ["routes"]', 'layers = ["route"]').replace("\nzoom = 8", "\nzoom = 12")
    spec, problems = parse(toml)
    assert spec is None
    assert "maps/test-map.toml: steps[1].date: step 2: a date needs a time control: add [time] control = true" in problems
    assert "maps/test-map.toml: steps[2].layers: step 3: 'route' is not one of this map's layers (did you mean 'routes'?)" in problems
    assert any(p.startswith("maps/test-map.toml: steps[2].zoom: step 3: zoom 12 is outside") for p in problems), problems


def test_highlighted_features_must_exist_be_drawn_and_be_shown_at_their_step(tmp_path):
    toml = (STORY_TOML.replace('name = "routes"\n', 'name = "routes"\nfilter = { exclude_ids = ["beta-port"] }\n', 1)
            .replace('highlight = ["test-pipeline"]', 'highlight = ["test-pipelin", "beta-port"]')
            .replace('layers = ["routes"]', "layers = []"))
    problems = problems_of(tmp_path, toml)
    assert "steps[1].highlight: step 2: no feature with id 'test-pipelin' (did you mean 'test-pipeline'?)" in problems
    assert "steps[1].highlight: step 2: 'beta-port' is not drawn on this map (no layer of the map shows it)" in problems
    assert "steps[2].highlight: step 3: 'test-rail' is in layer 'routes', which this step does not show" in problems


def test_translated_steps_cannot_outnumber_the_steps():
    extra = '\n[text.fa]\n' + '[[text.fa.steps]]\ntitle = "یک"\n' * 4
    spec, problems = parse(STORY_TOML + extra)
    assert spec is None
    assert "maps/test-map.toml: text.fa.steps: 4 translated steps but the map has 3" in problems


@pytest.fixture(scope="module")
def story_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("story")
    hostile = STORY_TOML.replace('text = "Both countries."', 'text = "Both </script><script>alert(1)</script> & {{7*7}}"')
    hostile = hostile.replace('title = "The whole line"', 'title = "<img src=x onerror=alert(1)>"')
    hostile = 'lang = ["fa"]\n' + hostile + '\n[text.fa]\n[[text.fa.steps]]\ntitle = "همه خط"\n'
    paths = write_story_project(root / "project", hostile)
    out = root / "site"
    build_site(paths, out, workers=1)
    return out


def page_payload(html: str) -> dict:
    return json.loads(PAYLOAD.search(html).group(1))


def steps_list(html: str) -> list[dict]:
    """The page's #atlas-steps list (story.py steps_list) as story.js reads it: per step its title
    and text (and their lang, set on an English fallback), and its source links."""
    from html.parser import HTMLParser

    class Steps(HTMLParser):
        def __init__(self):
            super().__init__()
            self.steps, self.inside, self.field = [], False, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "ol" and attrs.get("id") == "atlas-steps":
                self.inside = True
                assert "hidden" in attrs  # shown only by the <noscript> style
            elif self.inside and tag == "li":
                self.steps.append({"title": "", "text": "", "sources": []})
            elif self.inside and tag in ("strong", "span"):
                self.field = "title" if tag == "strong" else "text"
                if attrs.get("lang"):
                    self.steps[-1][self.field + "Lang"] = attrs["lang"]
            elif self.inside and tag == "a":
                self.steps[-1]["sources"].append(attrs["href"])

        def handle_endtag(self, tag):
            if tag in ("strong", "span"):
                self.field = None
            elif tag == "ol":
                self.inside = False

        def handle_data(self, data):
            if self.field:
                self.steps[-1][self.field] += data

    parser = Steps()
    parser.feed(html)
    return parser.steps


def test_the_payload_and_the_list_carry_every_step(story_site):
    html = (story_site / "test-map.html").read_text(encoding="utf-8")
    steps = page_payload(html)["story"]["steps"]
    assert len(steps) == 3
    assert steps[0]["layers"] is None and "bounds" not in steps[0] and "date" not in steps[0]
    assert steps[1] == {"bounds": [[39.5, 40.5], [40.5, 42.5]], "layers": None, "highlight": ["test-pipeline"], "date": "2010"}
    assert steps[2]["center"] == [40.5, 43.0] and steps[2]["zoom"] == 8 and steps[2]["layers"] == ["routes"]
    words = steps_list(html)
    assert len(words) == 3 and html.count("The western half.") == 1  # the words once, in the list
    assert words[1] == {"title": "The pipeline", "text": "The western half.", "sources": ["https://example.org/b", "https://example.com/c"]}
    assert html.count("https://example.com/c") == 1  # and the step's source: not in the payload again


def test_hostile_step_text_stays_text_in_the_page_the_steps_list_and_the_article(story_site):
    html = (story_site / "test-map.html").read_text(encoding="utf-8")
    article = (story_site / article_filename("test-map")).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert steps_list(html)[0]["text"] == "Both </script><script>alert(1)</script> & {{7*7}}"
    assert steps_list(html)[0]["title"] == "<img src=x onerror=alert(1)>"
    listed = re.search(r'<ol class="atlas-story-list" id="atlas-steps" hidden>.*?</ol>', html, re.S).group(0)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{7*7}}" in listed
    assert "&lt;img src=x onerror=alert(1)&gt;" in listed
    assert "<script>alert(1)" not in article and "<img src=x" not in article
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{7*7}}" in article
    assert article.count("<script>") == 1  # the article's own script only


def test_the_article_has_a_paragraph_per_step_and_the_map_in_an_iframe(story_site):
    article = (story_site / article_filename("test-map")).read_text(encoding="utf-8")
    assert re.findall(r'<section class="step" id="step-(\d)" data-step="\d">', article) == ["1", "2", "3"]
    assert '<iframe id="story-map" src="test-map.html?panel=nav#step=1"' in article  # the article shows the text: the panel only navigates
    assert not re.search(r'(src|href)="(https?:)?//', article.split("<footer>")[0].replace('href="https://example', ""))


def test_a_translated_step_and_the_english_fallbacks_are_marked(story_site):
    """In the Persian page's list, which readers without script read too (it was English there)."""
    steps = steps_list((story_site / "test-map.fa.html").read_text(encoding="utf-8"))
    assert steps[0]["title"] == "همه خط" and "titleLang" not in steps[0] and steps[0]["textLang"] == "en"
    assert steps[1]["title"] == "The pipeline" and steps[1]["titleLang"] == "en"
    html = (story_site / "test-map.fa.html").read_text(encoding="utf-8")
    assert '<strong lang="en" dir="ltr">The pipeline</strong>' in html  # English runs left to right in the Persian page


def test_a_map_without_steps_carries_no_story(tmp_path):
    paths = write_project(tmp_path / "p")
    build_site(paths, tmp_path / "site", workers=1)
    html = (tmp_path / "site" / "test-map.html").read_text(encoding="utf-8")
    assert page_payload(html)["story"] is None
    assert "AtlasStory = " not in html and ".atlas-story-nav" not in html
    assert not (tmp_path / "site" / article_filename("test-map")).exists()


def test_a_typo_in_a_translated_step_suggests_the_key():
    spec, problems = parse(STORY_TOML + '\n[text.fa]\n[[text.fa.steps]]\ntitel = "یک"\n')
    assert spec is None
    assert "maps/test-map.toml: text.fa.steps[0].titel: unknown key 'titel' (did you mean 'title'?)" in problems
