"""Which credits a page shows first, and the short form a compact page shows under its map.

A wide page shows its credits on one line at the map's foot, cut with an ellipsis (atlas.css);
a compact page (a phone, an embed in an article column) folds them behind an (i) button and
shows under the map only what the licences ask for. Standard library only: the page payload
(render.py) and its translations (i18n.py) use it too.
"""

from __future__ import annotations

import re

LICENCES_ASKING_CREDIT = ("ODbL", "CC BY")  # in the order their credits go


def _licence(credit: str) -> str | None:
    """The licence asking for a credit that `credit` names, if any."""
    return next((name for name in LICENCES_ASKING_CREDIT if name in credit), None)


def by_licence_duty(credits: list[str]) -> list[str]:
    """The shortest credit under each licence that asks for one first (ODbL, then CC BY); then
    the rest (more credits under a licence already credited, public domain, our own), each group
    in its given order. A wide page shows the credits on one line cut with an ellipsis
    (atlas.css), and what the cut hides must never be the only credit a licence asks for: two
    long OpenStreetMap credits had pushed GeoNames' CC BY past the cut."""
    unique = list(dict.fromkeys(credits))
    first: dict[str, str] = {}
    for credit in sorted(unique, key=len):  # (stable: the first of the shortest)
        first.setdefault(_licence(credit), credit)

    def duty(credit: str) -> int:
        name = _licence(credit)
        return LICENCES_ASKING_CREDIT.index(name) if name and first[name] == credit else len(LICENCES_ASKING_CREDIT)
    return sorted(unique, key=duty)


# "Label: credit" in every page language (Armenian writes "՝"): the credit is what follows the label
_LICENSED_PART = re.compile(r"(?:^|[:՝]\s)([^:՝]*\((?:ODbL|CC BY[^)]*)\))")


def credit_line(credits: list[str]) -> list[str]:
    """The credits a compact page shows under its map, whole, where the full list is behind its
    (i) button: each licence's first credit (by_licence_duty put them first), cut to the licensor
    and the licence ("Places: GeoNames (CC BY 4.0)" → "GeoNames (CC BY 4.0)"); the first credit
    whole when no licence asks for one. `credits` in by_licence_duty's order, in any page language."""
    lead, seen = [], set()
    for credit in credits:
        name = _licence(credit)
        if name is None or name in seen:
            break
        seen.add(name)
        lead.append(credit)
    return [m.group(1).strip() if (m := _LICENSED_PART.search(c)) else c for c in lead] or credits[:1]
