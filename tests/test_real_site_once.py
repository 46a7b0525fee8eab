"""The real site is built once per session, however many modules import the fixture."""

from __future__ import annotations

from corridor_atlas import pipeline

from .real_site import REPO, real_site_folder


def test_real_site__second_build_into_the_shared_folder_is_a_no_op(tmp_path_factory, monkeypatch):
    """What every further copy of the `built_site` fixture does: find the site up to date."""
    out = real_site_folder(tmp_path_factory)
    pipeline.build_site(pipeline.ProjectPaths(REPO), out)
    calls = []
    monkeypatch.setattr(pipeline, "load_inputs", lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert pipeline.build_site(pipeline.ProjectPaths(REPO), out) == []
    assert calls == []
