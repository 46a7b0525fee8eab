"""The real maps and data: they validate, build, and build the same bytes twice."""

import re

from corridor_atlas.cli import main
from corridor_atlas.pipeline import ProjectPaths, build_site, load_inputs

from .real_site import MAP_IDS, REPO, built_site  # noqa: F401  (fixture)

REQUIRED_MAPS = {"nakhchivan", "caspian-crude", "instc", "overview"}


def test_real_inputs__validate(capsys):
    assert main(["check", "--root", str(REPO)]) == 0
    assert re.search(r"ok: \d+ map definitions, \d+ layers, \d+ features are valid", capsys.readouterr().out)


def test_real_site__has_the_required_maps_and_index(built_site):
    assert REQUIRED_MAPS <= set(MAP_IDS)
    names = {p.name for p in built_site.iterdir()}
    assert {f"{m}.html" for m in MAP_IDS} | {"index.html"} <= names


def test_real_site__byte_identical_on_rebuild(built_site, tmp_path):
    again = tmp_path / "again"
    build_site(ProjectPaths(REPO), again)
    for page in sorted(built_site.glob("*.html")):
        assert (again / page.name).read_bytes() == page.read_bytes(), page.name


def test_real_site__no_network_references(built_site):
    for page in built_site.glob("*.html"):
        html = page.read_text()
        assert not re.search(r'<(script|img|iframe)[^>]+src="https?:', html), page.name
        assert not re.search(r'<link[^>]+href="https?:', html), page.name


def test_real_site__osm_credit_where_osm_borders_are_drawn(built_site):
    inputs = load_inputs(ProjectPaths(REPO))
    detail = inputs.base.get("countries-detail")
    assert detail is not None and "OpenStreetMap" in detail.attribution
    html = (built_site / "nakhchivan.html").read_text()
    assert "OpenStreetMap contributors" in html
