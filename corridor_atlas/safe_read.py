"""Reading input files safely: only regular files inside the project, never more than a limit.

A file name in ``maps/`` or ``data/`` is chosen by whoever edits the project, so it may be a
dangling or looping symlink, a symlink to ``/dev/zero`` or outside the project, a FIFO
(``open`` blocks forever), a directory named ``x.geojson``, or simply a huge file. Every
reader of input (validation *and* the build's fingerprinting) goes through
:func:`read_input`, so ``check`` and ``build`` always agree on what is readable, and every
refusal is an input problem (exit 2), never an internal error or a hang.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .limits import MAX_FILE_BYTES


class UnsafeInput(Exception):
    """The file cannot be read as input; the message says why (for `file: message`)."""


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_input(path: Path, root: Path | None = None, limit: int | None = None) -> bytes:
    """The bytes of ``path``, if it is (or links to) a regular file inside ``root``, at most ``limit`` bytes.

    Opened with O_NONBLOCK and checked again with fstat after opening, so a file swapped for
    a FIFO or device between the check and the open is still refused without blocking.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    path = Path(path)
    try:
        resolved = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a symlink loop this way
        raise UnsafeInput("cannot read the file: symbolic link loop") from None
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == 40 else (
            "dangling symbolic link" if path.is_symlink() else (exc.strerror or str(exc)))
        raise UnsafeInput(f"cannot read the file: {reason}") from None
    if root is not None and not _inside(resolved, Path(root).resolve()):
        raise UnsafeInput("refused: a symbolic link to a file outside the project; copy the file in instead")
    try:
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnsafeInput(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode) else (
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket or special file")
            raise UnsafeInput(f"refused: {kind}, not a regular file")
        if info.st_size > limit:
            raise UnsafeInput(f"file too large: {info.st_size:,} bytes (limit {limit:,}; see data/FORMAT.md, Limits)")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while we read it
                raise UnsafeInput(f"file too large: over {limit:,} bytes (see data/FORMAT.md, Limits)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_input(path: Path, root: Path | None = None, limit: int | None = None) -> str:
    """:func:`read_input` decoded as UTF-8; invalid UTF-8 is an :class:`UnsafeInput` too."""
    data = read_input(path, root, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeInput(f"cannot read the file: {exc}") from None


def project_root_of(path: Path) -> Path:
    """The project an input file belongs to: the folder holding its ``maps/`` or ``data/``.

    Symlinks must stay inside it. A file outside that layout (a test's loose file) is
    confined to its own folder.
    """
    path = Path(path).absolute()
    for folder in path.parents:
        if folder.name in ("maps", "data"):
            return folder.parent
    return path.parent
