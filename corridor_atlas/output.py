"""Writing the site so that a failed or interrupted build leaves the previous one intact.

Every page of a build is first written into a staging folder next to the output folder
(`.<out>-staging-<pid>-<random>`). Publishing completes the staging folder with the files
of the current output that this build does not replace (hard links, so cheap), then swaps
the two folders in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two
renames, with a window of microseconds in which the output folder is absent). Before the
swap the output folder is untouched, after it the output is the complete new site: a
crash, an invalid input, SIGKILL or Ctrl-C can never leave a mix of old and new pages.

A staging folder orphaned by a killed build is a sibling of the output folder, never
inside it; the next build removes those whose process is gone and that are older than
the current run.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Test hook (tests/test_interrupted_build.py): with both set, the build announces the named
# point by creating the file, then waits there to be killed.
PAUSE_AT_ENV, PAUSE_FILE_ENV = "CORRIDOR_ATLAS_TEST_PAUSE_AT", "CORRIDOR_ATLAS_TEST_PAUSE_FILE"


def _checkpoint(name: str) -> None:
    if os.environ.get(PAUSE_AT_ENV) == name and os.environ.get(PAUSE_FILE_ENV):
        Path(os.environ[PAUSE_FILE_ENV]).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(30)


def staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}-staging-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # exists but not ours, or not a pid at all: leave it alone
    return True


def remove_stale_staging(out_dir: Path, started: float) -> list[Path]:
    """Delete staging folders of `out_dir` left by killed builds (older than `started`, owner gone)."""
    removed = []
    prefix = staging_prefix(out_dir)
    try:
        entries = list(out_dir.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or entry.is_symlink() or not entry.is_dir():
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
            continue  # another build is running right now
        try:
            if entry.stat().st_mtime >= started:
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _keep_metadata(src: Path, dst: Path) -> None:
    """Give `dst` the mode, times and (where allowed) owner of `src`: the swap must not change them."""
    shutil.copystat(src, dst, follow_symlinks=False)
    info = src.stat()
    try:
        os.chown(dst, info.st_uid, info.st_gid)
    except (PermissionError, OSError):
        pass  # only root may give a folder away; the mode is kept anyway


def _carry_over(src: Path, dst: Path, skip: set[str]) -> None:
    """Link (or copy) every file of `src` not in `skip` into the same place under `dst`.

    Folders are recreated with their original mode, owner and times (set bottom-up, after
    their content, so that filling them does not change their mtime); a folder where this
    build writes a file (a manifest turned into a folder, say) gives way to the file.
    """
    folders: list[tuple[Path, Path]] = []
    for dirpath, dirnames, filenames in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        for name in list(dirnames):
            if (Path(dirpath) / name).is_symlink():
                filenames.append(name)  # recreate the link itself, do not descend
                dirnames.remove(name)
            elif (rel / name).as_posix() in skip:
                dirnames.remove(name)  # replaced by the file this build wrote
            else:
                (dst / rel / name).mkdir(exist_ok=True)
                folders.append((Path(dirpath) / name, dst / rel / name))
        for name in filenames:
            key = (rel / name).as_posix()
            if key in skip:
                continue
            source, target = Path(dirpath) / name, dst / rel / name
            if target.exists() or target.is_symlink():
                continue
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
                continue
            if not source.is_file():
                continue  # a FIFO, socket or device someone put there: not ours to copy
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
    for source, target in reversed(folders):
        _keep_metadata(source, target)


class SiteWriter:
    """Collects files for `out_dir` and publishes them all at once."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._staged: dict[str, Path] = {}
        self.digests: dict[str, str] = {}  # sha256 of each file written, for the manifest
        self._staging: Path | None = None
        self._started = time.time()

    def __enter__(self) -> "SiteWriter":
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(self.out_dir, self._started)
        self._staging = Path(tempfile.mkdtemp(prefix=f"{staging_prefix(self.out_dir)}{os.getpid()}-", dir=self.out_dir.parent))
        try:
            _checkpoint("staging-created")
        except BaseException:  # Ctrl-C here: __exit__ will not run, so clean up now
            self.__exit__(None, None, None)
            raise
        return self

    def write(self, name: str, data: str | bytes) -> int:
        if self._staging is None:
            raise RuntimeError("SiteWriter.write() outside its with-block")
        path = self._staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with open(path, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        self._staged[name] = path
        self.digests[name] = hashlib.sha256(payload).hexdigest()
        _checkpoint(f"wrote {name}")
        return len(payload)

    def staged_path(self, name: str) -> Path:
        """Where a staged file sits before publishing (to photograph a page, say)."""
        return self._staged[name]

    def publish(self) -> None:
        """Make the output folder the staged site in one step (see the module docstring)."""
        if self._staging is None:
            raise RuntimeError("SiteWriter.publish() outside its with-block")
        _checkpoint("before-publish")
        staging, out = self._staging, self.out_dir
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            self._publish_file_by_file()  # a symlinked output folder: keep the link, replace its files
            return
        umask = os.umask(0)
        os.umask(umask)
        if not out.exists():
            os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes 0700; a new site gets the usual mode
            _checkpoint("before-swap")
            os.rename(staging, out)
            self._staging = None
        else:
            _carry_over(out, staging, set(self._staged))
            _keep_metadata(out, staging)  # the site keeps the folder's mode and owner
            _checkpoint("before-swap")
            if not _exchange(staging, out):
                old = Path(tempfile.mkdtemp(prefix=f"{staging_prefix(out)}{os.getpid()}-", dir=out.parent))
                old.rmdir()
                os.rename(out, old)
                os.rename(staging, out)
                self._staging = old
            # the staging path now holds the previous site; __exit__ deletes it
        self._staged.clear()
        _checkpoint("after-swap")

    def _publish_file_by_file(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(self._staged):
            target = self.out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._staged[name], target)
        self._staged.clear()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


# --------------------------------------------------------------------------- where, and who


class OutputRefused(Exception):
    """The output folder cannot be used (the CLI prints the message and exits 2)."""


LOCK_TIMEOUT_ENV = "CORRIDOR_ATLAS_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 120.0


def check_out_dir(out: Path, root: Path, inputs: list[Path], marker: str) -> None:
    """Refuse an output folder the build must not swap: see docs/hostile-input.md, "Output".

    The build replaces the whole folder, so it must not be the project, an ancestor of it
    (``.``, ``..``, ``/``, ``~``), inside an input folder, a file, somewhere unwritable, or an
    existing non-empty folder that no build of ours wrote (no ``marker`` file in it).
    """
    if not str(out).strip():
        raise OutputRefused("--out is empty; name a folder, e.g. --out site")
    target = Path(os.path.abspath(out))
    real = target.resolve()
    root = Path(root).resolve()
    if real == root or real in root.parents or real.parent == real:
        raise OutputRefused(f"--out {out}: is the project folder or one of its ancestors "
                            f"({real}); the build replaces the whole output folder. Use e.g. --out site")
    for folder in inputs:
        folder = folder.resolve()
        if real == folder or folder in real.parents:
            raise OutputRefused(f"--out {out}: is inside the input folder {folder}; write the site elsewhere")
    if target.exists() or target.is_symlink():
        if not real.is_dir():
            raise OutputRefused(f"--out {out}: exists and is not a folder")
        try:
            entries = [e.name for e in os.scandir(real)]
        except OSError as exc:
            raise OutputRefused(f"--out {out}: cannot list the folder ({exc.strerror})") from None
        if entries and marker not in entries:
            raise OutputRefused(f"--out {out}: is a non-empty folder that no Corridor Atlas build wrote "
                                f"(no {marker} in it); the build replaces the folder, so choose a new or empty one")
        if not os.access(real, os.W_OK | os.X_OK):
            raise OutputRefused(f"--out {out}: the folder is not writable")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputRefused(f"--out {out}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputRefused(f"--out {out}: cannot write in {parent} (permission denied or read-only)")


class BuildLock:
    """An exclusive ``flock`` on ``.<out>.lock`` beside the output folder (never inside it).

    A second build into the same folder waits up to ``timeout`` seconds, then gives up with
    :class:`OutputRefused`, so two builds never interleave their manifest reads and swaps. The
    lock file is left in place: deleting it would let a third build lock a different inode.
    The kernel drops the lock when the process dies, even by SIGKILL.
    """

    def __init__(self, out: Path, timeout: float | None = None):
        self.out = Path(os.path.abspath(out))
        self.path = self.out.parent / f".{self.out.name}.lock"
        env = os.environ.get(LOCK_TIMEOUT_ENV)
        self.timeout = timeout if timeout is not None else float(env) if env else DEFAULT_LOCK_TIMEOUT_S
        self._fd: int | None = None

    def __enter__(self) -> "BuildLock":
        import fcntl

        try:  # the first write next to the output: where permissions or a read-only mount show
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise OutputRefused(f"--out {self.out}: cannot write in {self.path.parent} ({exc.strerror})") from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise OutputRefused(f"--out {self.out}: another build is writing there (lock {self.path}); "
                                        f"waited {self.timeout:g} s. Try again when it has finished.") from None
                time.sleep(0.1)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
