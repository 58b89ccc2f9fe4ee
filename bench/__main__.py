"""``python -m bench``: run every benchmark scenario (filled in by the benchmarks work)."""

import sys

if __name__ == "__main__":
    sys.stderr.write("no benchmark scenarios yet\n")
    sys.exit(0)
