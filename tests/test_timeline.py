"""Dates drive status (issue 13): the rules of corridor_atlas/timeline.py, with known answers
for every dated feature in data/layers, and the check that refuses a status its dates contradict."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from corridor_atlas import timeline
from corridor_atlas.errors import Problems
from corridor_atlas.spec import parse_spec

from .test_karabakh import KNOWN_CONTROL

REPO = Path(__file__).resolve().parent.parent
N = None  # not shown: the feature did not exist yet, as a plan or a line

# Every dated feature in data/layers: its dates and recorded status as the data holds them (a
# change to the data fails test_the_table_covers_every_dated_feature until this is updated),
# and its status on dates either side of each event, worked out by hand from the rules.
KNOWN = {
    "former-nkao": ({"closed": "1991-11-26"}, "defunct",
                    [("1991-11-25", "operational"), ("1991-11-26", "defunct")]),
    "soviet-baku-julfa-yerevan-railway": ({"closed": "1992-02"}, "defunct",
                                          [("1980", "operational"), ("1992-01-31", "operational"), ("1992-02", "defunct"),
                                           ("1992-02-15", "defunct")]),
    "instc-western-route-azerbaijan": ({"agreed": "2000-09-12"}, "operational",  # an existing line named in an agreement
                                       [("2000-09-11", N), ("2000-09-12", "operational")]),
    "rasht-astara-railway": ({"agreed": "2023-05-17"}, "missing", [("2023-05-16", N), ("2023-05-17", "missing")]),
    "qazvin-rasht-railway": ({"opened": "2019-03-06"}, "operational", [("2019-03-05", N), ("2019-03-06", "operational")]),
    "instc-eastern-route": ({"agreed": "2007", "construction_started": "2009", "opened": "2014-12-03"}, "operational",
                            [("2006-12-31", N), ("2007-06-01", "proposed"), ("2009", "under_construction"),
                             ("2014-12-02", "under_construction"), ("2014-12-03", "operational")]),
    "horadiz-aghband-railway": ({"construction_started": "2021-02"}, "under_construction",
                                [("2021-01-31", N), ("2021-02-01", "under_construction")]),
    "tripp": ({"agreed": "2025-08-08"}, "proposed", [("2025-08-07", N), ("2025-08-08", "proposed")]),
    "aras-corridor": ({"agreed": "2022-03", "construction_started": "2023-10"}, "under_construction",
                      [("2022-02-28", N), ("2022-03", "proposed"), ("2023-09-30", "proposed"), ("2023-10-01", "under_construction")]),
    "kars-igdir-dilucu-railway": ({"construction_started": "2025-08-22"}, "under_construction",
                                  [("2025-08-21", N), ("2025-08-22", "under_construction")]),
    "crossroads-gyumri-kars-railway": ({"proposed": "2023-10-26"}, "proposed", [("2023-10-25", N), ("2023-10-26", "proposed")]),
    "crossroads-margara-kornidzor-road": ({"proposed": "2023-10-26"}, "proposed", [("2023-10-25", N), ("2023-10-26", "proposed")]),
    "zangezur-corridor": ({"proposed": "2020-11-10"}, "proposed", [("2020-11-09", N), ("2020-11-10", "proposed")]),
    "crossroads-yeraskh-nakhchivan-railway": ({"proposed": "2023-10-26"}, "proposed",
                                              [("2023-10-25", N), ("2023-10-26", "proposed")]),
    "lachin-road": ({"agreed": "2020-11-10", "closed": "2022-08"}, "defunct",  # the road existed: the statement named it
                    [("2020-11-09", N), ("2020-11-10", "operational"), ("2022-07-31", "operational"), ("2022-08", "defunct")]),
    "btc-pipeline": ({"opened": "2006-07-13"}, "operational", [("2006-07-12", N), ("2006-07-13", "operational")]),
    "baku-supsa-pipeline": ({"opened": "1999-04-17", "suspended": "2022-05"}, "idle",
                            [("1999-04-16", N), ("1999-04-17", "operational"), ("2022-04-30", "operational"),
                             ("2022-05-01", "idle"), ("2025-08-22", "idle")]),
    "baku-novorossiysk-pipeline": ({"agreed": "1996-02-18", "opened": "1997-10-25"}, "operational",
                                   [("1996-02-17", N), ("1996-02-18", "proposed"), ("1997-10-24", "proposed"),
                                    ("1997-10-25", "operational")]),
    "cpc-pipeline": ({"opened": "2001"}, "operational", [("2000-12-31", N), ("2001", "operational"), ("2001-01-01", "operational")]),
    "eilat-ashkelon-pipeline": ({"opened": "1970-02"}, "operational", [("1970-01-31", N), ("1970-02", "operational")]),
}
KNOWN.update(KNOWN_CONTROL)  # the Karabakh control areas: every area at every event date (tests/test_karabakh.py)


def dated_features() -> dict[str, dict]:
    out = {}
    for path in sorted((REPO / "data" / "layers").glob("*.geojson")):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if f["properties"].get("dates"):
                out[f["properties"]["id"]] = f["properties"]
    return out


def test_the_table_covers_every_dated_feature():
    data = dated_features()
    assert sorted(data) == sorted(KNOWN)
    for fid, (dates, recorded, _) in KNOWN.items():
        assert (data[fid]["dates"], data[fid]["status"]) == (dates, recorded), fid


@pytest.mark.parametrize("fid", sorted(KNOWN))
def test_status_at_known_dates(fid):
    dates, recorded, answers = KNOWN[fid]
    assert [(d, timeline.status_at(dates, recorded, d)) for d, _ in answers] == answers


@pytest.mark.parametrize("fid", sorted(KNOWN))
def test_the_data_date_gives_the_recorded_status(fid):
    dates, recorded, _ = KNOWN[fid]
    assert timeline.status_at(dates, recorded, timeline.as_of(dated_features().values())) == recorded


def test_the_hand_checked_cases():
    assert timeline.status_at({"opened": "2006-07-13"}, "operational", "2006-07-13") == "operational"  # BTC
    assert timeline.status_at({"opened": "2006-07-13"}, "operational", "2006-07-12") is None
    supsa = {"opened": "1999-04-17", "suspended": "2022-05"}
    assert timeline.status_at(supsa, "idle", "2022-06-01") == "idle"
    assert timeline.status_at(supsa, "idle", "2021-12-31") == "operational"
    assert timeline.status_at({"construction_started": "2025-08-22"}, "under_construction", "2025-08-22") == "under_construction"
    assert timeline.status_at({"agreed": "2025-08-08"}, "proposed", "2025-08-08") == "proposed"  # TRIPP


def test_undated_features_keep_their_status_at_every_date():
    assert timeline.status_at({}, "proposed", "1900") == "proposed"
    assert timeline.status_at(None, "operational", "2030-01-01") == "operational"


def test_same_day_events_apply_in_lifecycle_order():
    assert timeline.status_at({"construction_started": "2020", "opened": "2020"}, "operational", "2020-06-01") == "operational"


def test_the_data_date_is_the_latest_event_never_the_clock():
    assert timeline.as_of(dated_features().values()) == "2025-08-22"
    assert timeline.as_of(dated_features().values(), today="2026-01-01") == "2026-01-01"


def fake_layers(status: str, dates: dict) -> dict:
    props = SimpleNamespace(id="demo-line", status=status, dates=dates)
    return {"demo": SimpleNamespace(path=Path("data/layers/demo.geojson"), features=[SimpleNamespace(props=props)])}


@pytest.mark.parametrize("status, dates, says", [
    ("operational", {"opened": "2001", "closed": "2010"}, "'defunct'"),
    ("proposed", {"agreed": "2001", "construction_started": "2005"}, "'under_construction'"),
    ("under_construction", {"construction_started": "2001", "opened": "2003"}, "'operational'"),
    ("operational", {"suspended": "2003"}, "'idle'"),
])
def test_check_reports_a_status_its_dates_contradict(status, dates, says):
    problems = timeline.check_layers(fake_layers(status, dates))
    [problem] = problems.items
    assert problem.location == "feature 'demo-line': status"
    assert says in problem.message and status in problem.message


def test_check_accepts_the_data():
    from corridor_atlas.layers import load_layers

    problems = Problems()
    layers = load_layers(REPO / "data" / "layers", problems)
    assert not problems
    assert not timeline.check_layers(layers).items


def test_check_reports_through_the_cli(tmp_path, capsys):
    """`build.py check` names the file, the feature and the field."""
    import shutil

    from corridor_atlas.cli import main

    for part in ("maps", "data"):
        shutil.copytree(REPO / part, tmp_path / part)
    path = tmp_path / "data" / "layers" / "oil-routes.geojson"
    text = path.read_text(encoding="utf-8")
    assert text.count('"status": "idle"') == 1
    path.write_text(text.replace('"status": "idle"', '"status": "operational"'), encoding="utf-8")
    assert main(["check", "--root", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert "oil-routes.geojson: feature 'baku-supsa-pipeline': status: status is 'operational' but its dates give 'idle'" in out.out + out.err


def spec_with_time(time_toml: str):
    problems = Problems()
    text = f'title = "T"\n[[layers]]\nname = "places"\n[view]\ncenter = [40.0, 45.0]\nzoom = 6\n{time_toml}'
    return parse_spec(Path("maps/demo.toml"), text, problems), problems


def test_a_definition_asks_for_the_control():
    spec, problems = spec_with_time('[time]\ncontrol = true\nsteps = ["2020", "1991-12"]\ntoday = "2020-11-10"\n')
    assert not problems
    payload = timeline.page_payload(spec, [{"id": "x", "kind": "rail", "status": "defunct", "dates": {"closed": "1992-02"},
                                            "style": "rail:defunct"}])
    assert payload["steps"] == ["1991-12", "2020", "2020-11-10"]  # in time order, with the default date
    assert payload["default"] == "2020-11-10"
    assert payload["features"] == {"x": {"status": "defunct", "dates": {"closed": "1992-02"}}}


def test_steps_default_to_the_event_dates_and_the_latest_is_shown_first():
    spec, _ = spec_with_time("[time]\ncontrol = true\n")
    features = [{"id": i, "kind": "rail", "status": s, "dates": d, "style": f"rail:{s}"} for i, s, d in (
        ("a", "defunct", {"closed": "1992-02"}), ("b", "proposed", {"agreed": "2025-08-08"}), ("c", "proposed", {}))]
    payload = timeline.page_payload(spec, features)
    assert payload["steps"] == ["1992-02", "2025-08-08"] and payload["default"] == "2025-08-08"
    assert set(timeline.page_styles(payload, features)) == {"rail:operational", "rail:defunct", "rail:proposed"}


def test_no_control_no_payload():
    spec, _ = spec_with_time("")
    assert timeline.page_payload(spec, []) is None


@pytest.mark.parametrize("bad", ['[time]\ncontrol = "yes"\n', '[time]\nsteps = ["26/12/1991"]\n', '[time]\ncontorl = true\n'])
def test_a_bad_time_table_is_refused(bad):
    spec, problems = spec_with_time(bad)
    assert spec is None and problems.items and all(p.location.startswith("time") for p in problems.items)


def test_date_text():
    assert [timeline.date_text(d) for d in ("2025-08-22", "2022-05", "2001")] == ["22 August 2025", "May 2022", "2001"]
