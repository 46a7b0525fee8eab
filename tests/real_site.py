"""The real site, built once per test session from the repository's maps/ and data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor_atlas.pipeline import ProjectPaths, build_site

REPO = Path(__file__).resolve().parent.parent
MAP_IDS = sorted(p.stem for p in (REPO / "maps").glob("*.toml"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real") / "site"
    build_site(ProjectPaths(REPO), out)
    return out
