"""The real site, built once per test session from the repository's maps/ and data/.

Several test modules import `built_site`, and pytest makes one session fixture per module
that imports it, so the fixture itself must not build: every copy builds into one shared
folder with the incremental build, keyed on the inputs' fingerprints (the build's own
manifest) and serialised by the build's lock on that folder. The first copy builds; the
others find it up to date in milliseconds. Under pytest-xdist the folder is shared by the
workers too (basetemp's parent).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor_atlas.pipeline import ProjectPaths, build_site

REPO = Path(__file__).resolve().parent.parent
MAP_IDS = sorted(p.stem for p in (REPO / "maps").glob("*.toml"))


def real_site_folder(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base  # xdist: one per run, not per worker
    return shared / "real-site"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    out = real_site_folder(tmp_path_factory)
    build_site(ProjectPaths(REPO), out)  # incremental: a no-op when an earlier copy already built it
    return out
