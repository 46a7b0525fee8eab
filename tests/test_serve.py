"""`python build.py serve`: live preview on localhost, rebuild on save, reload, errors in the page."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from corridor_atlas.pipeline import build_site
from corridor_atlas.serve import RELOAD_SCRIPT, start, with_reload_script

from .browser import browser, open_page
from .conftest import ROUTES
from .test_build import snapshot

RENAMED = "Renamed while serving"


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def write_routes(project, routes) -> None:
    (project.layers / "routes.geojson").write_text(json.dumps(routes), encoding="utf-8")


def test_with_reload_script__goes_before_the_last_body_end():
    page = b"<html><body><p>&lt;/body&gt;</p></body></html>"
    assert with_reload_script(page) == b"<html><body><p>&lt;/body&gt;</p>" + RELOAD_SCRIPT.encode() + b"</body></html>"


def test_serve__edit_reloads_the_page_a_broken_edit_shows_the_error_and_keeps_the_last_good_page(project, tmp_path):
    site = tmp_path / "site"
    messages: list[str] = []
    preview = start(project, site, port=0, build_options={"workers": 1}, report=messages.append)
    try:
        assert preview.url.startswith("http://127.0.0.1:")
        with browser() as instance:
            page, log = open_page(instance, preview.url + "test-map.html")
            page.evaluate("window.__sameDocument = true")  # gone after a reload

            routes = json.loads(json.dumps(ROUTES))
            routes["features"][2]["properties"]["name"] = RENAMED
            write_routes(project, routes)
            page.wait_for_function(
                "() => !window.__sameDocument && document.getElementById('atlas-data').textContent.includes(%s)"
                % json.dumps(RENAMED), timeout=20000)
            page.wait_for_function("() => document.querySelector('.atlas-map.leaflet-container')", timeout=20000)
            page.evaluate("window.__sameDocument = true")

            (project.layers / "routes.geojson").write_text("{ not json", encoding="utf-8")
            error = page.wait_for_selector("#atlas-build-error", timeout=20000)
            assert "routes.geojson" in error.text_content() and "last good page" in error.text_content()
            assert page.evaluate("window.__sameDocument")  # not reloaded onto a broken page
            assert RENAMED in (site / "test-map.html").read_text()  # the last good build is still published
            assert any("routes.geojson" in m for m in messages)  # and the terminal says why

            write_routes(project, routes | {"title": "Fixed routes"})
            page.wait_for_function("() => !window.__sameDocument && !document.getElementById('atlas-build-error')",
                                   timeout=20000)
            assert not log.page_errors
            assert not [u for u in log.network_requests() if not u.startswith(preview.url)]  # localhost only
    finally:
        preview.stop()
    # the files on disk are exactly what a normal build writes: the script lives only in responses
    build_site(project, tmp_path / "plain", workers=1)
    served, plain = snapshot(site), snapshot(tmp_path / "plain")
    assert {k: v for k, v in served.items() if k.endswith(".html")} == {k: v for k, v in plain.items() if k.endswith(".html")}
    assert all(b"atlas-live-reload" not in v for v in served.values())


def test_serve__responses_carry_the_script_and_stay_inside_the_folder(project, tmp_path):
    (tmp_path / "secret.html").write_text("secret")
    preview = start(project, tmp_path / "site", port=0, build_options={"workers": 1}, report=lambda m: None)
    try:
        status, body = fetch(preview.url)
        assert status == 200 and b"atlas-live-reload" in body and b"test-map.html" in body  # the gallery
        status, body = fetch(preview.url + "%2e%2e/secret.html")
        assert b"secret" not in body
        status, body = fetch(preview.url + "__atlas/version")
        assert status == 200 and json.loads(body) == {"version": 1, "error": None}
        status, body = fetch(preview.url + "not-built.html")
        assert status == 404 and b"atlas-live-reload" in body  # appears by itself once built
    finally:
        preview.stop()


def test_serve_cli__prints_the_url_and_refuses_a_bad_port(project, tmp_path):
    code = subprocess.run([sys.executable, "build.py", "serve", "--root", str(project.root), "--port", "70000"],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=60)
    assert code.returncode == 2 and "--port" in code.stderr
    server = subprocess.Popen([sys.executable, "build.py", "serve", "--root", str(project.root), "--out", str(tmp_path / "s"),
                               "--port", "0"], cwd=Path(__file__).resolve().parent.parent, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "serving" not in line:
            line = server.stderr.readline()
            assert line, "serve exited before it printed its URL"
        url = line.split(" at ", 1)[1].split()[0]  # printed before the first build
        assert url.startswith("http://127.0.0.1:")
        status, page = fetch(url)
        assert status in (200, 404) and b"atlas-live-reload" in page  # a page opened early reloads itself
        for _ in range(600):
            if json.loads(fetch(url + "__atlas/version")[1])["version"]:
                break
            time.sleep(0.1)
        assert fetch(url)[0] == 200 and fetch(url + "favicon.ico")[0] == 204
    finally:
        server.terminate()
        server.wait(timeout=10)
