"""Run every benchmarks/bench_*.py and print its figures.

Each module has main(scale: str) -> None and prints its own table. BENCH_SCALE=small (CI)
or full (the sizes the issues ask for); default full.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main() -> None:
    scale = os.environ.get("BENCH_SCALE", "full")
    only = sys.argv[1:]
    for path in sorted(HERE.glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        print(f"\n=== {path.stem} (scale={scale}) ===", flush=True)
        importlib.import_module(path.stem).main(scale)


if __name__ == "__main__":
    main()
