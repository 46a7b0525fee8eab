"""The author's workflow from the command line: `new ID`, warnings that name the problem,
and `--base-url` for embed code and social tags that work when pasted elsewhere."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from corridor_atlas.cli import main
from corridor_atlas.errors import Problems
from corridor_atlas.layers import load_layers
from corridor_atlas.prepare import validate_references
from corridor_atlas.site import BadBaseUrl, check_base_url, social_meta
from corridor_atlas.spec import parse_spec
from corridor_atlas.starter import starter_toml

from .conftest import MAP_TOML, write_project

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# `python build.py new ID`


def test_new__writes_a_commented_draft_that_checks_and_builds(project, tmp_path, capsys):
    code, out, _ = run(capsys, "new", "my-map", "--root", project.root)
    assert code == 0 and "maps/my-map.toml" in out
    text = (project.maps / "my-map.toml").read_text()
    assert tomllib.loads(text)["draft"] is True
    assert 'name = "routes"' in text and "test-pipeline" in text  # real layer names and feature ids in the comments
    for key in ("title", "subtitle", "credit", "source_line", "description", "draft", "basemap", "labels", "shown",
                "filter", "bounds", "min_zoom", "max_zoom", "callouts", "direction"):
        assert re.search(rf"^#?\s*{key}\b.*#|^#.*\b{key}\b", text, re.M), f"{key} is not explained"
    assert run(capsys, "check", "--root", project.root)[0] == 0
    code, out, err = run(capsys, "my-map", "--root", project.root, "--out", tmp_path / "site", "--jobs", 1)
    assert code == 0 and "warning" not in without_furniture(err)
    assert (tmp_path / "site" / "my-map.html").is_file()
    assert "my-map.html" not in (tmp_path / "site" / "index.html").read_text()  # a draft stays out of the gallery


@pytest.mark.parametrize("bad_id", ["My-Map", "_map", "a b", "../x", "x.toml"])
def test_new__refuses_a_bad_id(project, capsys, bad_id):
    code, _, err = run(capsys, "new", bad_id, "--root", project.root)
    assert code == 2 and "not a map id" in err
    assert sorted(p.name for p in project.maps.iterdir()) == ["test-map.toml"]


def test_new__refuses_an_existing_definition(project, capsys):
    before = (project.maps / "test-map.toml").read_bytes()
    code, _, err = run(capsys, "new", "test-map", "--root", project.root)
    assert code == 2 and "already exists" in err
    assert (project.maps / "test-map.toml").read_bytes() == before


def test_new__over_the_real_layers_is_valid_and_frames_its_features():
    """The starter written in this repository validates against the real data, with no warning."""
    from corridor_atlas.coverage import coverage_advice

    problems = Problems()
    layers = load_layers(REPO / "data" / "layers", problems)
    text = starter_toml("starter-check", layers)
    path = REPO / "maps" / "starter-check.toml"  # never written: parsed from the text
    spec = parse_spec(path, text, problems)
    assert spec is not None and spec.draft
    validate_references(spec, path, layers, problems)
    assert not problems, problems.items
    assert coverage_advice([spec], layers) == []
    assert all(f'"{name}"' in text or f"  {name} " in text for name in layers)  # every layer named


# warnings: printed by build and check, exit code 0

FILTERED_OUT = MAP_TOML.replace('name = "routes"', 'name = "routes"\nfilter = { status = ["idle"] }')
ELSEWHERE = MAP_TOML.replace("bounds = [[38.5, 40.5], [41.5, 49.5]]", "bounds = [[10.0, 10.0], [12.0, 14.0]]")


def test_warning__a_layer_whose_filter_keeps_nothing(tmp_path, capsys):
    paths = write_project(tmp_path / "p", map_toml=FILTERED_OUT.replace("[[callouts]]\nat = \"test-pipeline\"\ntext = \"A callout\"\n", ""))
    for argv in (["check"], ["--out", tmp_path / "site", "--jobs", 1]):
        code, _, err = run(capsys, *argv, "--root", paths.root)
        assert code == 0
        assert 'warning: maps/test-map.toml: layer "routes": its filter keeps none of its 4 features' in " ".join(err.split())


def test_warning__bounds_that_show_no_feature_suggest_bounds_that_do(tmp_path, capsys):
    paths = write_project(tmp_path / "p", map_toml=ELSEWHERE)
    for argv in (["check"], ["--out", tmp_path / "site", "--jobs", 1]):
        code, _, err = run(capsys, *argv, "--root", paths.root)
        flat = " ".join(err.split())
        assert code == 0
        assert "maps/test-map.toml: view.bounds: the initial view [[10.0, 10.0], [12.0, 14.0]] shows none of the map's 4 features" in flat
        assert "they lie within bounds = [[40.0, 41.0], [41.0, 49.0]]" in flat


def test_warning__none_for_a_map_that_shows_its_features(project, tmp_path, capsys):
    code, _, err = run(capsys, "check", "--root", project.root)
    assert code == 0 and "warning" not in without_furniture(err)


def without_furniture(err: str) -> str:
    """The fixture's two squares fill a 1280×800 screen, so its westernmost town sits under the
    legend and the build says so (a true warning, placement.places_under_furniture); the tests
    here are about the other warnings."""
    lines = err.splitlines()
    assert sum("under the page's furniture" in line for line in lines) <= 1
    return "\n".join(line for line in lines if "under the page's furniture" not in line)


# --base-url: absolute embed code and social tags


@pytest.mark.parametrize("url", ["example.org/atlas", "ftp://example.org/", "https:///x", "javascript:alert(1)",
                                 'https://a.org/" onload="x', "https://a.org/a b", "https://a.org/<x>", "https://a.org/?q=1",
                                 "https://a.org/#top", "https://a.org/\x1b[2J"])
def test_base_url__refused_unless_an_absolute_http_url(url, project, capsys):
    with pytest.raises(BadBaseUrl):
        check_base_url(url)
    code, _, err = run(capsys, "--embed", "test-map", "--base-url", url, "--root", project.root)
    assert code == 2 and "--base-url" in err and "\x1b" not in err


def test_base_url__gets_one_trailing_slash():
    assert check_base_url("https://example.org/atlas") == "https://example.org/atlas/"
    assert check_base_url("http://localhost:8000/") == "http://localhost:8000/"


def test_embed__absolute_with_base_url_else_relative_with_a_note(project, capsys):
    code, out, err = run(capsys, "--embed", "test-map", "--root", project.root)
    assert code == 0 and 'src="test-map.html"' in out and "relative" in err and "--base-url" in err
    code, out, err = run(capsys, "--embed", "test-map", "--root", project.root, "--base-url", "https://news.example/maps")
    assert code == 0 and 'src="https://news.example/maps/test-map.html"' in out and "relative" not in err


def _meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:]+)" content="([^"]*)">', html))


def test_build__with_base_url_gives_absolute_embed_code_and_og_url(project, tmp_path, capsys):
    site = tmp_path / "site"
    assert run(capsys, "--root", project.root, "--out", site, "--jobs", 1, "--base-url", "https://news.example/a&b")[0] == 0
    page = (site / "test-map.html").read_text()
    meta = _meta(page)
    assert meta["og:url"] == "https://news.example/a&amp;b/test-map.html"  # escaped in the attribute
    assert meta["og:title"] == "Test map" and meta["twitter:card"] == "summary"
    assert "og:image" not in meta  # no PNG built
    assert "src=&#34;https://news.example/a&amp;amp;b/test-map.html&#34;" in (site / "index.html").read_text()


def test_build__without_base_url_has_no_relative_og_url(project, tmp_path, capsys):
    assert run(capsys, "--root", project.root, "--out", tmp_path / "site", "--jobs", 1)[0] == 0
    meta = _meta((tmp_path / "site" / "test-map.html").read_text())
    assert "og:url" not in meta and "og:image" not in meta and meta["twitter:card"] == "summary"
    assert "src=&#34;test-map.html&#34;" in (tmp_path / "site" / "index.html").read_text()


def test_build__base_url_is_part_of_the_fingerprint(project, tmp_path, capsys):
    site = tmp_path / "site"
    for url, rebuilt in (("https://a.example/", True), ("https://a.example/", False), ("https://b.example/", True)):
        code, out, _ = run(capsys, "--root", project.root, "--out", site, "--jobs", 1, "--base-url", url)
        assert code == 0 and ("up to date" not in out) == rebuilt, (url, out)
        assert f'content="{url}test-map.html"' in (site / "test-map.html").read_text()


def test_social_meta__a_png_becomes_an_absolute_og_image_and_a_large_card(project):
    from corridor_atlas.spec import load_specs

    spec = load_specs(project.maps, Problems())[0]
    meta = _meta(str(social_meta(spec, "x " * 200, "test-map.html", "https://e.example/", "test-map.png")))
    assert meta["og:image"] == "https://e.example/test-map.png" and meta["twitter:card"] == "summary_large_image"
    assert len(meta["og:description"]) <= 200 and meta["og:description"].endswith("…")
    assert "og:image" not in _meta(str(social_meta(spec, "d", "test-map.html", None, "test-map.png")))  # never relative
