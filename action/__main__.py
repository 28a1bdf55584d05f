"""Entry point of `python -m action` (what `action.yml` runs); see `action.run`."""

import sys

from action.run import main

if __name__ == "__main__":
    sys.exit(main())
