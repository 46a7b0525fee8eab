"""Validation problems collected across all inputs and reported at once.

A build validates every definition and layer before it writes anything; each problem names
the file, where in it (the feature or key), and what is wrong, so a hand-edited file can be
fixed in one pass rather than one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file: `file: location: message`."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.file}: {where}{self.message}"


@dataclass
class Problems:
    """An accumulator that validation stages append to."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str | Path, location: str, message: str) -> None:
        self.items.append(Problem(display_path(file), location, message))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


class InvalidInput(Exception):
    """Raised when validation found problems; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: str | Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
