"""A feature's status at any date, from its dated events (issue 13).

One rule table, `RULES`, is the whole logic. Python applies it here (the build's check, the
tests); the page gets the same table in its payload and `static/timeline.js` interprets it,
so the two can never disagree about what a date means. Rules, in order:

1. A feature without dates has its recorded `status` at every date (nothing says otherwise).
2. Dates are compared as the first day of their period ("2022-05" is 2022-05-01, "2001" is
   2001-01-01); events on the same day apply in `DATE_KEYS` order.
3. The latest event on or before the date gives the status (`events`).
4. Before the first event: `before_first` (an `idle`/`closed` line was in use before it
   stopped; anything else did not exist yet, as a plan or a line, and is not shown: None).
5. `in_use`: a feature recorded as built (operational, idle, defunct) whose dates hold no
   construction or opening date was already in use when it was proposed or agreed: the
   agreement named an existing line (the INSTC through Azerbaijan's railways, the Lachin
   road of the 2020 statement), so those events make it operational, not proposed.
6. `same_phase`: a recorded `missing` link is a proposal that breaks a corridor: where the
   events say proposed, it stays `missing`.
7. `hidden`: statuses that exist but are not drawn. A control area (data/layers/
   karabakh-control.geojson) is `held` from `held_from` and `control_ended` from its
   `control_ended` date; after that the map no longer shows it (`shown_at`).

The check: at the build's date (`as_of`: the latest event date in the data, never the wall
clock, so builds stay byte-identical) the rules must give the recorded status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .errors import Problems
from .vocabulary import DATE_KEYS

RULES: dict = {
    "order": list(DATE_KEYS),
    "events": {
        "proposed": "proposed",
        "agreed": "proposed",
        "construction_started": "under_construction",
        "opened": "operational",
        "suspended": "idle",
        "closed": "defunct",
        "held_from": "held",
        "control_ended": "control_ended",
    },
    "before_first": {"suspended": "operational", "closed": "operational"},
    "in_use": {
        "recorded": ["operational", "idle", "defunct"],
        "unless_dated": ["construction_started", "opened"],
        "events": {"proposed": "operational", "agreed": "operational"},
    },
    "same_phase": {"missing": ["proposed"]},
    "hidden": ["control_ended"],
}


def day(date: str) -> str:
    """A data date (YYYY, YYYY-MM or YYYY-MM-DD) as the first day of its period."""
    return (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]


def events(dates: Mapping[str, str]) -> list[tuple[str, str]]:
    """(day, key) in time order; same-day events in DATE_KEYS order."""
    order = RULES["order"]
    return sorted(((day(d), k) for k, d in dates.items() if k in RULES["events"]), key=lambda e: (e[0], order.index(e[1])))


def status_at(dates: Mapping[str, str] | None, recorded: str, at: str) -> str | None:
    """The status on `at` (any data date), or None where the feature did not exist yet."""
    timeline = events(dates or {})
    if not timeline:
        return recorded
    at = day(at)
    past = [key for d, key in timeline if d <= at]
    if not past:
        return RULES["before_first"].get(timeline[0][1])
    key = past[-1]
    in_use = RULES["in_use"]
    if recorded in in_use["recorded"] and not any(k in (dates or {}) for k in in_use["unless_dated"]) and key in in_use["events"]:
        return in_use["events"][key]
    status = RULES["events"][key]
    return recorded if status in RULES["same_phase"].get(recorded, []) else status


def shown_at(dates: Mapping[str, str] | None, recorded: str, at: str) -> bool:
    """Whether the map draws the feature on `at` (timeline.js `visible`)."""
    status = status_at(dates, recorded, at)
    return status is not None and status not in RULES["hidden"]


def as_of(features: Iterable, today: str | None = None) -> str | None:
    """The build's date: the map's own `today`, else the latest event date of `features`
    (objects with `.props.dates`, or property dicts with "dates")."""
    if today:
        return today
    found = [d for f in features for d in _dates(f).values()]
    return max(found, key=day) if found else None


def event_dates(features: Iterable) -> list[str]:
    """Every distinct event date of `features`, in time order (the control's default steps)."""
    return sorted({d for f in features for d in _dates(f).values()}, key=lambda d: (day(d), d))


def _dates(feature) -> dict:
    props = feature.props if hasattr(feature, "props") else feature
    dates = props.dates if hasattr(props, "dates") else props.get("dates")
    return dict(dates or {})


def check_layers(layers: Mapping, problems: Problems | None = None) -> Problems:
    """Report every feature whose recorded status contradicts its dates at the data's date."""
    problems = problems if problems is not None else Problems()
    features = [f for layer in layers.values() for f in layer.features]
    date = as_of(features)
    if date is None:
        return problems
    for layer in layers.values():
        for feature in layer.features:
            p = feature.props
            if not p.dates:
                continue
            derived = status_at(p.dates, p.status, date)
            if derived != p.status:
                last = [f"{k} {p.dates[k]}" for d, k in events(p.dates) if d <= day(date)]
                because = f"its latest event on or before {date} is {last[-1]}" if last else f"its first event is after {date}"
                problems.add(layer.path, f"feature {p.id!r}: status",
                             f"status is {p.status!r} but its dates give {derived or 'not yet shown'!r} at {date} ({because}); "
                             "fix the status or the dates (data/FORMAT.md, Dates and status)")
    return problems


def page_payload(spec, features: list[dict]) -> dict | None:
    """What the page's time control needs: the rules, the steps and the default date.
    `features` are the page's feature properties; None when the map has no control."""
    time = getattr(spec, "time", None)
    if time is None or not time.control:
        return None
    steps = sorted(time.steps, key=lambda d: (day(d), d)) if time.steps else event_dates(features)
    default = as_of(features, time.today) or (steps[-1] if steps else None)
    if default and default not in steps:
        steps = sorted(set(steps) | {default}, key=lambda d: (day(d), d))
    # each dated feature's recorded status and ISO dates, apart from the properties the page
    # may localise for display (i18n.py writes dates as text)
    dated = {p["id"]: {"status": p["status"], "dates": dict(p["dates"])} for p in features if p.get("dates")}
    return {"rules": RULES, "steps": steps, "default": default, "features": dated}


def line_statuses(time: dict | None, features: list[dict], any_date: bool = False) -> set[tuple[str, str]]:
    """(kind, status) of every line at every step of the control (`any_date`: at any date at
    all, as a shared link may ask for one between or before the steps)."""
    if not time:
        return set()
    lines = [p for p in features if "style" in p and not p["style"].startswith("area:")]
    return {(p["kind"], status) for p in lines
            for date in time["steps"] + (["0001", *(p.get("dates") or {}).values()] if any_date else [])
            if (status := status_at(p.get("dates"), p["status"], date))}


def page_styles(time: dict | None, features: list[dict]) -> dict[str, dict]:
    """The style of every line at every step (style.py keys): the page restyles lines with these."""
    from .style import line_style, style_key

    return {style_key(kind, status): line_style(kind, status).leaflet() for kind, status in sorted(line_statuses(time, features, any_date=True))}


def legend(entries: list, time: dict | None, features: list[dict]) -> list:
    """The map's legend with a row for every line style some step of the control shows."""
    from .style import KIND_LABELS, STATUS_LABELS, LegendEntry, line_style
    from .vocabulary import LINE_KINDS, STATUSES

    extra = line_statuses(time, features)
    if not extra:
        return entries
    by_label = {(KIND_LABELS[k], STATUS_LABELS[s]): (k, s) for k in LINE_KINDS for s in STATUSES}
    shown = {by_label[(e.group, e.label)] for e in entries if e.swatch == "line"} | extra
    lines = [LegendEntry(group=KIND_LABELS[k], label=STATUS_LABELS[s], swatch="line", style=line_style(k, s).leaflet())
             for k, s in sorted(shown, key=lambda ks: (LINE_KINDS.index(ks[0]), STATUSES.index(ks[1])))]
    return lines + [e for e in entries if e.swatch != "line"]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def date_text(date: str) -> str:
    """"2025-08-22" → "22 August 2025", "2022-05" → "May 2022", "2001" → "2001" (as timeline.js)."""
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"
