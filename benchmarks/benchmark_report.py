"""Time the annual benchmark report: national figures once, then 12 councils.

Loads and benchmarks the published data once (:func:`analysis.benchmark_report.national`),
then for each of 12 councils of different kinds prepares the report and builds every HTML
section (heading, key messages, overview, every indicator with its charts and tables,
glossary, about the data) and the summary, as the notebook does. Reports wall-clock and CPU
seconds (CPU time is less disturbed by other work on the machine), and the number of figures.

Usage, from the repository root::

    .venv/bin/python benchmarks/benchmark_report.py [path to shared/data/dfe]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import matplotlib
import pandas as pd
from machine import machine

from analysis.benchmark_report import national, prepare

DFE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe"
#: Counties, unitaries, London and metropolitan boroughs, large and very small.
COUNCILS = ["936", "201", "420", "857", "302", "330", "850", "352", "926", "805", "822", "380"]


def build(council: str, dfe: Path) -> tuple[int, int]:
    """Everything one council's notebook shows; returns (figures, characters of HTML)."""
    report = prepare(council, 0, dfe)
    page = "".join(
        [
            report.heading_html(),
            report.key_messages_html(),
            report.overview_html(),
            report.sections_html(),
            report.glossary_html(),
            report.about_html(),
        ]
    )
    report.summary()
    return page.count("<img"), len(page)


def main(argv: list[str]) -> int:
    dfe = Path(argv[1]) if len(argv) > 1 else DFE
    if not (dfe / "ees").is_dir():
        print(f"no ees/ folder under {dfe}: nothing to time", file=sys.stderr)
        return 1
    print(machine(pandas=pd.__version__, matplotlib=matplotlib.__version__))
    wall, cpu = time.perf_counter(), time.process_time()
    national(dfe)
    print(
        f"national figures (load + benchmark, once): {time.perf_counter() - wall:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s CPU"
    )
    walls, cpus = [], []
    for council in COUNCILS:
        wall, cpu = time.perf_counter(), time.process_time()
        figures, size = build(council, dfe)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        print(
            f"  {council}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU, {figures} figures, "
            f"{size / 1e6:.2f} MB of HTML"
        )
    print(
        f"per council (prepare + all HTML + summary), {len(COUNCILS)} councils: median "
        f"{statistics.median(walls):.2f} s wall ({min(walls):.2f} to {max(walls):.2f}), "
        f"median {statistics.median(cpus):.2f} s CPU ({min(cpus):.2f} to {max(cpus):.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
