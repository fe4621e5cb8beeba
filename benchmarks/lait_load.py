"""How long loading all of LAIT's bds_long.parquet into the tidy table takes (goal: under 10 s).

    .venv/bin/python benchmarks/lait_load.py [DFE_DATA_DIR]

Prints the machine, the row count and the median of 3 runs.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

from machine import machine

from analysis.lait import load_lait

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "dfe"
    parquet, dictionary = (
        data / "lait" / "bds_long.parquet",
        data / "lait" / "lait_data_dictionary.csv",
    )
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = load_lait(parquet, dictionary)
        times.append(time.perf_counter() - start)
    print(machine())
    print(
        f"LAIT bds_long -> tidy table: {len(table):,} rows, "
        f"{table['indicator'].nunique()} indicators"
    )
    print(
        f"median of 3 runs: {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
