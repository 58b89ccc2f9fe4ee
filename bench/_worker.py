"""``python -m bench._worker SIZE OUT [--no-replay]``: scenarios 1-3 for one size, in a fresh process.

A fresh process per size keeps one size's memory out of the next one's peak; the figures go to ``OUT``
as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.scenarios.sync_runs import run_size


def main(argv: list[str]) -> None:
    """Run the size and write its figures."""
    size, out = int(argv[0]), Path(argv[1])
    figures = run_size(size, replay_runs="--no-replay" not in argv)
    out.write_text(json.dumps(figures, indent=1, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
