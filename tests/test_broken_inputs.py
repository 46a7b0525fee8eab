"""The corpus of broken inputs: every file in tests/corpus/ is refused with a clear message.

Each case puts one broken file into the synthetic project of conftest.py (a map definition
replaces maps/test-map.toml, a layer replaces data/layers/routes.geojson) and runs
`python build.py check`: exit code 2, every expected `file: location: message` line
present, every printed problem in that shape, and no traceback. The expectations live in
tests/corpus/expected.toml, next to the files.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from corridor_atlas.cli import main

from .conftest import write_project

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
TARGETS = {"maps": Path("maps/test-map.toml"), "layers": Path("data/layers/routes.geojson")}
PROBLEM_LINE = re.compile(r"^\S*(maps/test-map\.toml|data/layers/routes\.geojson|data/base/countries\.geojson): .+")


def test_corpus__every_file_has_an_expectation_and_vice_versa():
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("*/*") if p.is_file()}
    assert files == set(EXPECTED)
    assert len(files) >= 40
    assert all(EXPECTED[name]["expect"] for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_input__refused_with_its_message(name, tmp_path, monkeypatch, capsys):
    paths = write_project(tmp_path / "project")
    folder = name.split("/", 1)[0]
    (paths.root / TARGETS[folder]).write_bytes((CORPUS / name).read_bytes())
    monkeypatch.chdir(paths.root)  # problems are shown relative to the working directory
    out_dir = tmp_path / "site"

    code = main(["check", "--root", str(paths.root), "--out", str(out_dir)])

    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 2, captured.out + captured.err
    lines = captured.err.splitlines()
    assert re.match(r"\d+ problem\(s\) in the input; nothing was written:", lines[0]), lines
    problems = lines[1:]
    assert problems and all(PROBLEM_LINE.match(line) for line in problems), problems
    for expected in EXPECTED[name]["expect"]:
        assert any(expected in line for line in problems), f"{expected!r} not in:\n" + "\n".join(problems)
    assert not out_dir.exists()
