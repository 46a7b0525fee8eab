"""Validation problems collected across all inputs and reported at once.

A build validates every definition and layer before it writes anything; each problem names
the file, where in it (the feature or key), and what is wrong, so a hand-edited file can be
fixed in one pass rather than one error per run.
"""

from __future__ import annotations

import difflib
import os
import re
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
    p = Path(os.path.abspath(path))  # not resolve(): a symlink is shown by its own name (and may loop)
    for cwd in (Path.cwd(), Path.cwd().resolve()):
        try:
            return str(p.relative_to(cwd))
        except ValueError:
            continue
    try:
        return str(p.parent.resolve().relative_to(Path.cwd().resolve()) / p.name)
    except (ValueError, OSError, RuntimeError):
        return str(path)


def short_repr(value: object, limit: int = 80) -> str:
    """repr() of a value from the input, cut short so one huge value cannot flood the report."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "…" + text[-4:]


def not_blank(value: str) -> str:
    """A pydantic validator body: text that is only spaces says nothing."""
    if not value.strip():
        raise ValueError("must not be blank (only spaces)")
    return value


def pydantic_message(err: dict, noun: str = "key", known: list[str] = ()) -> str:
    """One pydantic error as a sentence for a person editing the file by hand.

    `noun` is what the file calls its keys ("key" in TOML, "property" in GeoJSON); `known`
    lists the keys allowed where an unknown one was found, for a did-you-mean hint.
    """
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        hint = difflib.get_close_matches(key, list(known), n=1)
        return f"unknown {noun} {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    if kind == "missing":
        return f"required {noun} is missing"
    if kind == "literal_error":
        return f"{short_repr(err['input'])} is not allowed; expected {err['ctx']['expected']}"
    msg = err["msg"].removeprefix("Value error, ")
    if "input" in err and kind.endswith("_type"):
        msg += f" (got {type(err['input']).__name__} {short_repr(err['input'])})"
    return msg


#: Characters that steer a terminal or reorder what it shows: C0 and C1 controls, DEL, and
#: Unicode bidirectional controls (U+202E makes "txt.exe" print as "exe.txt").
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TERMINAL_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every terminal control character shown as a visible escape (``\\x1b``, ``\\u202e``).

    Everything printed that comes from a file name, a key or a value passes through here, so
    an input can neither send escape sequences to the reader's terminal nor forge a line.
    """
    pattern = _TERMINAL_UNSAFE_KEEP_NEWLINES if keep_newlines else _TERMINAL_UNSAFE
    return pattern.sub(_escape_char, text)
