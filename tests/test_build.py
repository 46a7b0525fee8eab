"""The build on a synthetic project: output, determinism, escaping, atomicity, CLI contract."""

import base64
import hashlib
import json
import re

import pytest

from corridor_atlas.cli import main
from corridor_atlas.codec import decode_geometry, unpack_layers
from corridor_atlas.pipeline import build_site

from .conftest import MAP_TOML, ROUTES, write_project


def payload_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S)
    assert match, "page has no data payload"
    return unpack_layers(json.loads(match.group(1)))  # codec.pack_layers: the layers as GeoJSON again


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_site__writes_map_and_index(project, tmp_path):
    out = tmp_path / "site"
    built = build_site(project, out)
    assert [b.spec.id for b in built] == ["test-map"]
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "test-map.html"]
    html = (out / "test-map.html").read_text()
    data = payload_of(html)
    assert [layer["name"] for layer in data["layers"]] == ["routes"]
    ids = [f["properties"]["id"] for f in data["layers"][0]["geojson"]["features"]]
    assert ids == ["alpha-town", "beta-port", "test-pipeline", "test-rail"]
    # placement.py: nothing in the way, so the callout stays at its line's middle, on the side asked for (reference screens)
    spot = {"lat": 40.0, "lon": 45.0, "direction": "top"}
    [callout] = data["callouts"]
    assert {k: v for k, v in callout.items() if k != "layouts"} == {"text": "A callout", "at": "test-pipeline", **spot}
    assert callout["layouts"]["wide"] == callout["layouts"]["compact"] == spot and set(callout["layouts"]) >= {"phone", "small"}
    assert {c["iso_a3"] for c in data["countries"]} == {"AAA", "BBB"}
    assert "<h1>Test map</h1>" in html and "Test credit" in html
    assert "Test borders (public domain)" in data["attribution"]
    index = (out / "index.html").read_text()
    assert 'href="test-map.html"' in index and "&lt;iframe" in index


def test_build_site__byte_identical_twice(project, tmp_path):
    build_site(project, tmp_path / "a")
    build_site(project, tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_build_site__self_contained(project, tmp_path):
    build_site(project, tmp_path / "site")
    html = (tmp_path / "site" / "test-map.html").read_text()
    assert not re.search(r'<script[^>]+src=', html)
    assert not re.search(r'<link[^>]+href=', html)
    assert "L.map(" in html and "Leaflet" in html
    assert "cdn.jsdelivr" not in html and "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_build_site__cdn_mode_uses_sri(project, tmp_path):
    build_site(project, tmp_path / "site", asset_mode="cdn")
    html = (tmp_path / "site" / "test-map.html").read_text()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https://[^"]+)"[^>]+integrity="sha384-[A-Za-z0-9+/=]+"', html)
    assert len(links) == 5


def test_inlined_gesture_plugin_keeps_its_english_hints_only_and_the_cdn_file_is_linked_whole(project, tmp_path):
    """The page's own hints replace the plugin's 50-language table inline (assets._english_only);
    in CDN mode the SRI hash is of the file as published, or the browser would refuse it."""
    from corridor_atlas import assets

    gesture = next(a for a in assets.ASSETS if a.name == "gesture-js")
    whole, inlined = gesture.path.read_text(encoding="utf-8"), assets.asset_text(gesture)
    assert 'ru:{touch:"' in whole and 'fa:{touch:"' in whole  # the table this trims is there
    assert 'var o={en:{touch:"Use two fingers to move the map",scroll:"Use ctrl + scroll to zoom the map",' \
           'scrollMac:"Use \u2318 + scroll to zoom the map"}};L.Map.mergeOptions(' in inlined
    assert "ru:{" not in inlined and "Чтобы" not in inlined and len(inlined) < len(whole) / 2
    # the rest of the plugin, byte for byte
    assert inlined[inlined.index("};L.Map.mergeOptions("):] == whole[whole.index("};L.Map.mergeOptions("):].replace(
        "//# sourceMappingURL=leaflet-gesture-handling.min.js.map", "")
    build_site(project, tmp_path / "site", asset_mode="cdn")
    html = (tmp_path / "site" / "test-map.html").read_text()
    assert f'src="{gesture.cdn_url}" integrity="{assets.sri_hash(gesture)}"' in html
    assert assets.sri_hash(gesture) == "sha384-" + base64.b64encode(hashlib.sha384(gesture.path.read_bytes()).digest()).decode()


def test_gesture_plugin_of_another_layout_is_refused_by_name(tmp_path):
    from corridor_atlas import assets

    with pytest.raises(RuntimeError, match=r"other\.js: no locale table with an English entry where Leaflet.GestureHandling"):
        assets._english_only('!function(){var o={fr:{touch:"a",scroll:"b",scrollMac:"c"}};L.Map.mergeOptions({gestureHandlingOptions:{}})}',
                             tmp_path / "other.js")


def test_build_site__filters_select_features(tmp_path):
    toml = MAP_TOML.replace('name = "routes"', 'name = "routes"\nfilter = { status = ["operational"] }')
    paths = write_project(tmp_path / "p", map_toml=toml)
    build_site(paths, tmp_path / "site")
    data = payload_of((tmp_path / "site" / "test-map.html").read_text())
    ids = [f["properties"]["id"] for f in data["layers"][0]["geojson"]["features"]]
    assert "test-rail" not in ids and "test-pipeline" in ids


def test_build_site__escapes_text_from_data(tmp_path):
    evil = '</script><script>window.pwned=1</script><img src=x onerror=alert(1)>'
    routes = json.loads(json.dumps(ROUTES))
    routes["features"][2]["properties"]["name"] = evil
    toml = MAP_TOML.replace('title = "Test map"', 'title = "T </title><script>alert(1)</script>"')
    paths = write_project(tmp_path / "p", routes=routes, map_toml=toml)
    build_site(paths, tmp_path / "site")
    html = (tmp_path / "site" / "test-map.html").read_text()
    assert "<script>window.pwned" not in html and "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert payload_of(html)["layers"][0]["geojson"]["features"][2]["properties"]["name"] == evil
    assert "<title>T &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


def test_build_site__unknown_layer_reference(tmp_path):
    paths = write_project(tmp_path / "p", map_toml=MAP_TOML.replace('name = "routes"', 'name = "rootes"'))
    assert main(["--root", str(paths.root), "--out", str(tmp_path / "site")]) == 2
    assert not (tmp_path / "site").exists()


def test_cli__builds_and_reports_size(project, tmp_path, capsys):
    assert main(["--root", str(project.root), "--out", str(tmp_path / "site")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"test-map\.html\s+[\d,.]+ KiB", out)
    assert "1 map(s) and index.html" in out


def test_cli__check_writes_nothing(project, tmp_path, capsys):
    assert main(["check", "--root", str(project.root), "--out", str(tmp_path / "site")]) == 0
    assert "ok: 1 map definitions, 1 layers, 4 features are valid" in capsys.readouterr().out
    assert not (tmp_path / "site").exists()


def test_cli__invalid_input_exit_2_lists_problems_and_keeps_site(tmp_path, capsys):
    paths = write_project(tmp_path / "p")
    out = tmp_path / "site"
    assert main(["--root", str(paths.root), "--out", str(out)]) == 0
    before = snapshot(out)
    broken = json.loads(json.dumps(ROUTES))
    broken["features"][2]["properties"]["status"] = "planned"
    broken["features"][3]["properties"]["sources"] = []
    write_project(tmp_path / "p", routes=broken)
    capsys.readouterr()
    assert main(["--root", str(paths.root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "Traceback" not in err
    assert "feature 'test-pipeline': properties.status: 'planned' is not allowed" in err
    assert "feature 'test-rail': properties.sources" in err
    assert snapshot(out) == before


def test_cli__only_named_map_is_built(tmp_path):
    paths = write_project(tmp_path / "p")
    (paths.maps / "second.toml").write_text(MAP_TOML.replace("Test map", "Second"))
    out = tmp_path / "site"
    assert main(["test-map", "--root", str(paths.root), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "test-map.html"]


def test_cli__unknown_map_name_exit_2(project, tmp_path, capsys):
    assert main(["nope", "--root", str(project.root), "--out", str(tmp_path / "s")]) == 2
    assert "no such map" in capsys.readouterr().err


def test_cli__internal_error_exit_1(project, tmp_path, monkeypatch, capsys):
    import corridor_atlas.cli as cli

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "build_site", boom)
    assert main(["--root", str(project.root), "--out", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err and "Traceback" not in err


def test_cli__help_exits_0(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "--out" in capsys.readouterr().out


def test_cli__place_outside_its_country_is_caught(tmp_path, capsys):
    routes = json.loads(json.dumps(ROUTES))
    routes["features"][0]["properties"]["country"] = "BBB"
    paths = write_project(tmp_path / "p", routes=routes)
    assert main(["check", "--root", str(paths.root)]) == 2
    assert "feature 'alpha-town': geometry: lies outside BBB" in capsys.readouterr().err


def test_build_site__no_change_rebuild_writes_nothing(project, tmp_path):
    out = tmp_path / "site"
    assert len(build_site(project, out)) == 1
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert build_site(project, out) == []
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_build_site__only_changed_map_is_rebuilt(project, tmp_path):
    (project.maps / "second.toml").write_text(MAP_TOML.replace("Test map", "Second map"))
    out = tmp_path / "site"
    assert sorted(b.spec.id for b in build_site(project, out)) == ["second", "test-map"]
    (project.maps / "second.toml").write_text(MAP_TOML.replace("Test map", "Second map, edited"))
    assert [b.spec.id for b in build_site(project, out)] == ["second"]
    assert "Second map, edited" in (out / "index.html").read_text()
    # a data change rebuilds every map
    routes = json.loads(json.dumps(ROUTES))
    routes["features"][2]["properties"]["name"] = "Renamed pipeline"
    (project.layers / "routes.geojson").write_text(json.dumps(routes))
    assert sorted(b.spec.id for b in build_site(project, out)) == ["second", "test-map"]


def test_build_site__parallel_and_serial_give_same_bytes(project, tmp_path):
    (project.maps / "second.toml").write_text(MAP_TOML.replace("Test map", "Second map"))
    build_site(project, tmp_path / "serial", workers=1)
    build_site(project, tmp_path / "parallel", workers=2)
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / "parallel")


def test_build_site__online_tiles_only_when_asked(tmp_path):
    paths = write_project(tmp_path / "p", map_toml='basemap = "OpenStreetMap.Mapnik"\n' + MAP_TOML)
    build_site(paths, tmp_path / "site")
    tiles = payload_of((tmp_path / "site" / "test-map.html").read_text())["tiles"]
    assert tiles["url"].startswith("https://tile.openstreetmap.org/{z}/{x}/{y}")
    assert "OpenStreetMap" in tiles["attribution"]
    plain = write_project(tmp_path / "q")
    build_site(plain, tmp_path / "plain")
    assert payload_of((tmp_path / "plain" / "test-map.html").read_text())["tiles"] is None
    build_site(plain, tmp_path / "cli-tiles", tiles="OpenStreetMap.Mapnik")
    assert payload_of((tmp_path / "cli-tiles" / "test-map.html").read_text())["tiles"]["url"].startswith("https://tile.openstreetmap.org/")


def test_build_site__unknown_tile_provider_is_invalid(tmp_path, capsys):
    paths = write_project(tmp_path / "p", map_toml='basemap = "NoSuch.Provider"\n' + MAP_TOML)
    assert main(["check", "--root", str(paths.root)]) == 2
    assert "basemap: unknown xyzservices provider 'NoSuch.Provider'" in capsys.readouterr().err


def test_cli__unknown_tiles_option_exit_2(project, tmp_path, capsys):
    assert main(["--tiles", "NoSuch.Provider", "--root", str(project.root), "--out", str(tmp_path / "s")]) == 2
    assert "--tiles: unknown xyzservices provider 'NoSuch.Provider'" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_build_site__traced_line_says_how_it_was_drawn_and_credits_osm(tmp_path):
    routes = json.loads(json.dumps(ROUTES))
    routes["features"][3]["properties"].update(geometry_accuracy="traced", trace={
        "extract": "OpenStreetMap railway extract of 2026-04-01", "osm_way_ids": [11, 12, 13],
        "osm_node_ids": [21, 22], "km": {"traced": 270.4, "schematic": 4.6}})
    paths = write_project(tmp_path / "p", routes=routes)
    build_site(paths, tmp_path / "site")
    html = (tmp_path / "site" / "test-map.html").read_text()
    data = payload_of(html)
    rail = data["layers"][0]["geojson"]["features"][3]["properties"]
    assert rail["geometry_accuracy"] == "traced"
    assert rail["trace"] == {"km": {"traced": 270, "schematic": 5}, "ways": 3, "stations": 2,
                             "extract": "OpenStreetMap railway extract of 2026-04-01"}
    assert "© OpenStreetMap contributors" in " ".join(data["attribution"])
    assert "traced along OpenStreetMap track (1)" in html and "schematic, through documented waypoints (2)" in html  # the rail counts under both: traced, with a schematic stretch


def test_build_site__no_osm_credit_without_traced_lines(project, tmp_path):
    build_site(project, tmp_path / "site")
    data = payload_of((tmp_path / "site" / "test-map.html").read_text())
    assert "OpenStreetMap" not in " ".join(data["attribution"])


def test_build_site__area_is_drawn_with_the_outline_of_the_basemap_under_it(tmp_path):
    """One geography per map: an area carries an outline per basemap; the page draws the one
    that matches the basemap it shows, not its primary (detail) geometry."""
    from .conftest import feature, square

    routes = json.loads(json.dumps(ROUTES))
    routes["features"].append(feature("test-area", "area", "operational", square(41.0, 39.0, 42.0, 40.0),
                                      geometry_accuracy="traced", outline_by_basemap={"countries": square(41.0, 39.0, 43.0, 41.0)}))
    paths = write_project(tmp_path / "p", routes=routes)
    build_site(paths, tmp_path / "site")
    data = payload_of((tmp_path / "site" / "test-map.html").read_text())
    area = next(f for f in data["layers"][0]["geojson"]["features"] if f["properties"]["id"] == "test-area")
    geometry = decode_geometry(area["geometry"], data["decimals"])  # the payload's compact form (codec.py)
    xs = [x for ring in geometry["coordinates"] for x, _ in ring]
    assert max(xs) == 43.0  # the countries outline, not the 42.0 primary one
    assert "outline_by_basemap" not in area["properties"]


def test_load_layer__outline_for_an_unknown_basemap_is_named(tmp_path):
    from corridor_atlas.errors import Problems
    from corridor_atlas.layers import load_layer

    from .conftest import feature, square

    routes = json.loads(json.dumps(ROUTES))
    routes["features"].append(feature("test-area", "area", "operational", square(41.0, 39.0, 42.0, 40.0),
                                      outline_by_basemap={"countrys": square(41.0, 39.0, 43.0, 41.0)}))
    path = tmp_path / "routes.geojson"
    path.write_text(json.dumps(routes))
    problems = Problems()
    assert load_layer(path, problems) is None
    assert "feature 'test-area': properties.outline_by_basemap.countrys: unknown basemap 'countrys'" in str(problems.items[0])


def test_cli__features_lists_ids_filtered_by_every_word(project, capsys):
    assert main(["features", "--root", str(project.root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["alpha-town", "beta-port", "test-pipeline", "test-rail"]
    assert main(["features", "pipeline", "OPERATIONAL", "--root", str(project.root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].split()[:5] == ["test-pipeline", "pipeline", "operational", "schematic", "routes"]


def test_cli__unknown_callout_id_gets_a_did_you_mean(tmp_path, capsys):
    paths = write_project(tmp_path / "p", map_toml=MAP_TOML.replace('at = "test-pipeline"', 'at = "test-pipelin"'))
    assert main(["check", "--root", str(paths.root)]) == 2
    err = capsys.readouterr().err
    assert "callouts[0].at: no feature with id 'test-pipelin' (did you mean 'test-pipeline'?)" in err


def test_cli__unknown_layer_gets_a_did_you_mean(tmp_path, capsys):
    paths = write_project(tmp_path / "p", map_toml=MAP_TOML.replace('name = "routes"', 'name = "route"', 1))
    assert main(["check", "--root", str(paths.root)]) == 2
    err = capsys.readouterr().err
    assert "layers[0].name: unknown layer 'route' (did you mean 'routes'?)" in err


def test_build_site__a_draft_is_built_but_not_listed_in_the_gallery(tmp_path):
    paths = write_project(tmp_path / "p", map_toml='draft = true\n' + MAP_TOML)
    build_site(paths, tmp_path / "site")
    assert (tmp_path / "site" / "test-map.html").is_file()
    assert 'href="test-map.html"' not in (tmp_path / "site" / "index.html").read_text()


def test_waypoints_of__a_filtered_route_layer_brings_only_the_stops_of_the_routes_drawn(tmp_path):
    from corridor_atlas.pipeline import ProjectPaths, load_inputs
    from corridor_atlas.prepare import prepare_map

    from .conftest import feature

    routes = json.loads(json.dumps(ROUTES))
    places = [f for f in routes["features"] if f["properties"]["kind"] == "place"]
    places.append(feature("gamma-halt", "place", "operational", {"type": "Point", "coordinates": [44.0, 41.0]},
                          place_type="town", country="AAA", geometry_accuracy="approximate"))
    routes["features"] = [f for f in routes["features"] if f["properties"]["kind"] != "place"]
    next(f for f in routes["features"] if f["properties"]["id"] == "test-rail")["properties"]["waypoints"] = ["alpha-town", "gamma-halt"]
    toml = MAP_TOML.replace('name = "routes"', 'name = "routes"\nfilter = { ids = ["test-rail"] }', 1)
    toml = toml.replace("[view]", '[[layers]]\nname = "stops"\nfilter = { waypoints_of = ["routes"] }\n\n[view]', 1)
    paths = write_project(tmp_path / "p", map_toml=toml, routes=routes)
    stops = {"type": "FeatureCollection", "name": "stops", "title": "Stops", "description": "Test stops", "features": places}
    (paths.layers / "stops.geojson").write_text(json.dumps(stops), encoding="utf-8")
    inputs = load_inputs(ProjectPaths(paths.root))
    prepared = prepare_map(inputs.specs[0], inputs.layers, inputs.base)
    shown = {f["properties"]["id"] for pl in prepared.layers if pl.name == "stops" for f in pl.features}
    assert shown == {"alpha-town", "gamma-halt"}  # not beta-port, a stop of the pipeline this map does not draw


def test_credits_a_licence_requires_come_first_so_the_one_line_strip_never_hides_them():
    from corridor_atlas.credits import by_licence_duty

    credits = ["Made with Natural Earth (public domain)", "Places: GeoNames (CC BY 4.0)",
               "Traced and derived lines: © OpenStreetMap contributors (ODbL)", "Routes: Corridor Atlas"]
    assert by_licence_duty(credits) == [credits[2], credits[1], credits[0], credits[3]]
    # a second credit under a licence already credited waits behind the other licences' first
    borders = "Borders: © OpenStreetMap contributors (ODbL), via geo-maps countries-land-10m 0.6.0"
    assert by_licence_duty([borders, *credits]) == [credits[2], credits[1], borders, credits[0], credits[3]]


def test_credit_line__each_licence_s_first_credit_cut_to_licensor_and_licence_in_any_language():
    from corridor_atlas.credits import by_licence_duty, credit_line

    credits = by_licence_duty(["Borders: © OpenStreetMap contributors (ODbL), via geo-maps countries-land-10m 0.6.0",
                               "Traced and derived lines: © OpenStreetMap contributors (ODbL)", "Places: GeoNames (CC BY 4.0)",
                               "Made with Natural Earth (public domain)", "Routes: Corridor Atlas (sources in each popup)"])
    assert credit_line(credits) == ["© OpenStreetMap contributors (ODbL)", "GeoNames (CC BY 4.0)"]
    assert credit_line(["Borders: © OpenStreetMap contributors (ODbL), via geo-maps countries-land-10m 0.6.0"]) \
        == ["© OpenStreetMap contributors (ODbL)"]  # the licensor and the licence, not the provenance after them
    # Armenian labels its credits with "՝", Persian with ":"
    assert credit_line(["Հետագծված և ածանցյալ գծեր՝ © OpenStreetMap-ի մասնակիցներ (ODbL)", "Վայրեր՝ GeoNames (CC BY 4.0)"]) \
        == ["© OpenStreetMap-ի մասնակիցներ (ODbL)", "GeoNames (CC BY 4.0)"]
    assert credit_line(["مکان‌ها: GeoNames (CC BY 4.0)"]) == ["GeoNames (CC BY 4.0)"]
    # no licence asks for a credit: the first credit, whole; none at all: nothing
    assert credit_line(["Made with Natural Earth (public domain)", "Routes: ours"]) == ["Made with Natural Earth (public domain)"]
    assert credit_line([]) == []
