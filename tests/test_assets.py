"""Our own scripts as the pages inline them: renamed copies committed by scripts/minify_js.py (issue 15)."""

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from corridor_atlas import assets

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", assets.OWN_SCRIPTS)
def test_committed_minified_script__is_what_the_minifier_makes_of_todays_source(name):
    """A stale copy would not be wrong (own_asset makes the bytes itself then), but every build
    would pay 0.1-0.3 s a script for it: run `python scripts/minify_js.py` after editing."""
    source = (assets.STATIC_DIR / name).read_text(encoding="utf-8")
    committed = (assets.MINIFIED_DIR / name).read_text(encoding="utf-8")
    header, _, body = committed.partition("\n")
    assert header == assets.minified_header(source), f"static/min/{name} is stale: run python scripts/minify_js.py"
    assert body == assets.renamed_script(source)


def test_no_committed_copy_without_its_script():
    assert sorted(p.name for p in assets.MINIFIED_DIR.glob("*")) == sorted(assets.OWN_SCRIPTS)


def test_own_asset__uses_the_copy_only_while_it_matches_the_source(tmp_path, monkeypatch):
    """An edited script is never served from a copy made before the edit."""
    source = "(function(){var longName=1;window.X=function(){return longName+1};})();\n"
    static = tmp_path / "static"
    (static / "min").mkdir(parents=True)
    (static / "atlas.js").write_text(source, encoding="utf-8")
    (static / "min" / "atlas.js").write_text(f"{assets.minified_header(source)}\nCOMMITTED", encoding="utf-8")

    class Files:  # importlib.resources.files("corridor_atlas") pointed at tmp_path
        def joinpath(self, *parts):
            return tmp_path.joinpath(*parts)

    monkeypatch.setattr(assets.resources, "files", lambda package: Files())
    monkeypatch.setattr(assets, "MINIFIED_DIR", static / "min")
    assets.own_asset.cache_clear()
    try:
        assert assets.own_asset("atlas.js") == "COMMITTED"
        assets.own_asset.cache_clear()
        (static / "atlas.js").write_text(source.replace("+1", "+2"), encoding="utf-8")
        made_here = assets.own_asset("atlas.js")
        assert made_here == assets.renamed_script(source.replace("+1", "+2"))
        assert "longName" not in made_here and "window.X" in made_here  # locals renamed, globals kept
    finally:
        assets.own_asset.cache_clear()


def test_renamed_scripts__weigh_less_than_rjsmin():
    """What renaming buys, gzipped: the browser tests run the renamed code on every page."""
    source = "".join((assets.STATIC_DIR / n).read_text(encoding="utf-8") for n in assets.OWN_SCRIPTS)
    rjsmin_gz = len(gzip.compress(assets.minified(source, "js").encode(), 9, mtime=0))
    renamed_gz = len(gzip.compress("".join(assets.own_asset(n) for n in assets.OWN_SCRIPTS).encode(), 9, mtime=0))
    assert renamed_gz < rjsmin_gz * 0.9


def test_minify_script__writes_the_committed_copies(tmp_path):
    """scripts/minify_js.py, run from anywhere, makes exactly the committed files."""
    run = subprocess.run([sys.executable, str(REPO / "scripts" / "minify_js.py"), "--out", str(tmp_path / "min")],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "min").iterdir()} == \
        {p.name: p.read_bytes() for p in assets.MINIFIED_DIR.iterdir()}


def test_inlined_leaflet_css__draws_the_layer_button_as_a_vector():
    """Leaflet's two PNGs of the layer button are not inlined (2 KB gzipped); the vector is, once."""
    css = assets.asset_text(next(a for a in assets.ASSETS if a.name == "leaflet-css"))
    assert "image/png" not in css and "layers" not in css.replace("control-layers", "")
    assert css.count("data:image/svg+xml") == 1 and "%3Csvg" in css


def test_inlined_leaflet_css__without_the_rules_no_page_uses():
    css = assets.asset_text(next(a for a in assets.ASSETS if a.name == "leaflet-css"))
    for unused in ("leaflet-default-icon-path", "leaflet-oldie", "lvml", "leaflet-vml-shape", "DXImageTransform"):
        assert unused not in css
    for kept in (".leaflet-popup-tip-container{", ".leaflet-control-zoom-in,", ".leaflet-popup-content-wrapper,"):
        assert kept in css  # the rules beside them, whole
    assert css.count("{") == css.count("}")


def test_readable_scripts_on_request__and_the_build_knows_the_difference(monkeypatch):
    """CORRIDOR_ATLAS_READABLE_JS keeps atlas.js's names (a profiler reads them); pages built so
    are other pages, so the fingerprint changes with it (a rebuild never mixes the two)."""
    from corridor_atlas.fingerprint import code_digest

    renamed, digest = assets.own_asset("atlas.js"), code_digest()
    monkeypatch.setenv(assets.READABLE_JS, "1")
    assets.own_asset.cache_clear()
    try:
        readable = assets.own_asset("atlas.js")
        assert "function expandLayers(" in readable and "function expandLayers(" not in renamed
        assert code_digest() != digest
    finally:
        monkeypatch.delenv(assets.READABLE_JS)
        assets.own_asset.cache_clear()
