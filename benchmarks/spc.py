"""How long SPC takes for 10,000 series of 36 monthly points (goal: under 2 seconds).

Run: ``.venv/bin/python benchmarks/spc.py``. Prints the machine, then the median of 3 runs of
:func:`analysis.spc.xmr_table` and of :func:`analysis.spc.summarise_table` on a generated
tidy table (fictional, seeded; about 1 in 50 values missing, a level shift in a third of the
series, a rebase and a target for one indicator).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from machine import machine

from analysis.spc import summarise_table, xmr_table

N_SERIES = 10_000
N_POINTS = 36
RUNS = 3
GOAL_SECONDS = 2.0


def generated_table(n_series: int = N_SERIES, n_points: int = N_POINTS) -> pd.DataFrame:
    """A tidy-shaped table of ``n_series`` fictional monthly series (seeded)."""
    rng = np.random.default_rng(20250101)
    months = pd.date_range("2022-04-30", periods=n_points, freq="ME")
    values = rng.normal(50.0, 5.0, size=(n_series, n_points))
    values[::3, n_points // 2 :] += 12.0
    values[rng.random(values.shape) < 0.02] = np.nan
    series = np.repeat(np.arange(n_series), n_points)
    return pd.DataFrame(
        {
            "indicator": pd.array([f"indicator_{s % 20}" for s in series], dtype="string"),
            "area_code": pd.array([f"E{s // 20:08d}" for s in series], dtype="string"),
            "breakdown": pd.array(["all"] * series.size, dtype="string"),
            "period": np.tile(months.strftime("%Y-%m"), n_series),
            "period_end": np.tile(months, n_series),
            "value": values.ravel(),
        }
    )


def median_seconds(run: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls of ``run``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(machine())
    table = generated_table()
    polarity = {f"indicator_{i}": ("increase", "decrease", "neutral")[i % 3] for i in range(20)}
    arguments = {
        "improvement_by_indicator": polarity,
        "targets": {"indicator_0": 55.0},
        "rebase": {"indicator_1": ["2023-10"]},
    }
    charts = xmr_table(table, **arguments)
    chart_time = median_seconds(lambda: xmr_table(table, **arguments))
    summary_time = median_seconds(lambda: summarise_table(charts))
    both_time = median_seconds(lambda: summarise_table(table, **arguments))
    print(f"{N_SERIES} series x {N_POINTS} points = {len(table)} rows, median of {RUNS} runs")
    print(f"xmr_table:                  {chart_time:.3f} s")
    print(f"summarise_table (charts):   {summary_time:.3f} s")
    print(f"summarise_table (tidy):     {both_time:.3f} s (goal {GOAL_SECONDS:.1f} s)")


if __name__ == "__main__":
    main()
