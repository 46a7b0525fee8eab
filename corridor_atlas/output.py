"""Writing the site so that a failed or interrupted build leaves the previous one intact.

Every page of a build is first written into a staging folder next to the output folder;
only when all of them exist are they moved into place, each with an atomic `os.replace`.
A crash, an invalid input or Ctrl-C before that point leaves the output untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class SiteWriter:
    """Collects files for `out_dir` and publishes them all at once."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._staged: dict[str, Path] = {}
        self._staging: Path | None = None

    def __enter__(self) -> "SiteWriter":
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}-staging-", dir=self.out_dir.parent))
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
        return len(payload)

    def staged_path(self, name: str) -> Path:
        """Where a staged file sits before publishing (to photograph a page, say)."""
        return self._staged[name]

    def publish(self) -> None:
        """Move every staged file into the output folder (each move atomic)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(self._staged):
            target = self.out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._staged[name], target)
        self._staged.clear()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
