"""`--max-input-mb N` raises the input limits on purpose (the bench's scaled runs); anything
but a positive number is refused, and every run starts from the defaults again."""

import json

import pytest

from corridor_atlas import limits, safe_read
from corridor_atlas.cli import main
from corridor_atlas.pipeline import build_site
from tests.conftest import write_project


@pytest.mark.parametrize("value", ["-3", "0", "nan", "inf", "abc", ""])
def test_a_limit_that_is_not_a_positive_number_is_refused(value, tmp_path, capsys, monkeypatch):
    paths = write_project(tmp_path / "project")
    assert main(["--root", str(paths.root), "--out", str(tmp_path / "site"), "--max-input-mb", value]) == 2
    assert "--max-input-mb: must be a positive number of MiB" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
    monkeypatch.setenv(limits.MAX_INPUT_MB_ENV, value)
    assert main(["--root", str(paths.root), "--out", str(tmp_path / "site")]) == 2
    assert f"${limits.MAX_INPUT_MB_ENV}: must be a positive number" in capsys.readouterr().err


def test_a_file_over_the_default_limit_builds_only_when_asked(tmp_path, capsys):
    paths = write_project(tmp_path / "project")
    layer = next(paths.layers.glob("*.geojson"))
    data = json.loads(layer.read_text(encoding="utf-8"))
    data["padding"] = "x" * (limits.DEFAULT_FILE_BYTES + 1)  # an unknown top-level member: only its size matters here
    layer.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "site"
    assert main(["--root", str(paths.root), "--out", str(out)]) == 2
    assert layer.name in capsys.readouterr().err
    assert main(["--root", str(paths.root), "--out", str(out), "--max-input-mb", "64"]) == 0
    assert main(["check", "--root", str(paths.root)]) == 2  # the next run is back at the defaults
    assert limits.MAX_FILE_BYTES == limits.DEFAULT_FILE_BYTES == safe_read.MAX_FILE_BYTES


def test_the_raised_limits_scale_positions_per_feature_and_are_restored():
    saved = limits.current()
    try:
        limits.set_max_input_mb(64)
        assert limits.MAX_FILE_BYTES == 64 * 1024 * 1024 == safe_read.MAX_FILE_BYTES
        assert limits.MAX_VERTICES_PER_FEATURE == 2 * limits.DEFAULT_VERTICES_PER_FEATURE
    finally:
        limits.restore(saved)
    assert limits.current() == (limits.DEFAULT_FILE_BYTES, limits.DEFAULT_VERTICES_PER_FEATURE)


def test_build_site_in_process_keeps_the_defaults(tmp_path):
    paths = write_project(tmp_path / "project")
    build_site(paths, tmp_path / "site")
    assert limits.MAX_FILE_BYTES == limits.DEFAULT_FILE_BYTES
