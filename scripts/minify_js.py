"""Write corridor_atlas/static/min/: our own scripts minified with renaming (assets.renamed_script).

    python scripts/minify_js.py          # after editing any corridor_atlas/static/*.js
    python scripts/minify_js.py --out DIR   # elsewhere (the tests compare)

The build inlines these copies while line 1 still names the SHA-256 of the source they were
made from; for a script edited since, it makes the same bytes itself, slower (0.1-0.3 s a file).
tests/test_assets.py fails while a copy is stale. Vendored scripts (leaflet.polylineoffset.js,
ES2015) are not ours to rename: rjsmin only, as before.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corridor_atlas.assets import MINIFIED_DIR, OWN_SCRIPTS, STATIC_DIR, minified_header, renamed_script  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=MINIFIED_DIR, help="where to write (default: corridor_atlas/static/min)")
    out = ap.parse_args(argv).out
    out.mkdir(exist_ok=True)
    for name in OWN_SCRIPTS:
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        (out / name).write_text(f"{minified_header(source)}\n{renamed_script(source)}", encoding="utf-8")
        print(f"wrote {out / name}")
    for stale in sorted(set(p.name for p in out.glob("*.js")) - set(OWN_SCRIPTS)):
        (out / stale).unlink()
        print(f"removed {out / stale} (no such script)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
