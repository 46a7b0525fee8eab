"""The benchmark is not a test, but it must keep running: its imports and options are checked."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bench__script_starts_and_lists_its_options():
    result = subprocess.run([sys.executable, "bench/run.py", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for option in ("--quick", "--scales", "--no-render", "--root"):
        assert option in result.stdout
