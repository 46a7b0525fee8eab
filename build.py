"""Entry point: `python build.py [MAP...] [--out DIR]`. See `python build.py --help`."""

import sys

from corridor_atlas.cli import main

if __name__ == "__main__":
    sys.exit(main())
