"""Load a regeneration script of data/sources/ as a module, once per test session.

The scripts are not part of the package (they read npm tarballs and ../shared/), but their
functions are tested on small synthetic data, so the tests import them by path."""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "data" / "sources"


@lru_cache(maxsize=None)
def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, SOURCES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while executing it
    spec.loader.exec_module(module)
    return module
