"""Time :func:`analysis.benchmark.benchmark_all` over the whole LAIT data set.

Reads LAIT's ``bds_long.parquet`` into the tidy shape with plain pandas (every measure, every
council, region and England), the DfE 2025 statistical neighbours, and the councils judged Good
or Outstanding by Ofsted, then benchmarks everything three times and reports the median.

Usage, from the repository root::

    .venv/bin/python benchmarks/benchmark.py [path to shared/data/dfe]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from machine import machine

from analysis.benchmark import benchmark_all

DFE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe"
RUNS = 3


def lait_table(dfe: Path) -> pd.DataFrame:
    """LAIT's long file in the tidy shape: councils, regions (980-990) and England (970)."""
    raw = pd.read_parquet(dfe / "lait" / "bds_long.parquet")
    number = raw["LA Number"].astype("int64")
    level = np.select([number == 970, number >= 980], ["national", "regional"], "local authority")
    names = raw["LA and Regions"].str.strip().str.casefold()
    region_number = dict(zip(names[number >= 980], number[number >= 980].astype(str), strict=False))
    region_number |= {"inner london": "987", "outer london": "988"}
    return pd.DataFrame(
        {
            "indicator": raw["Short Desc"],
            "area_code": number.astype(str),
            "area_level": level,
            "la_number": number.astype(str),
            "region_code": raw["Region"].str.strip().str.casefold().map(region_number),
            "period": raw["Years"],
            "value": pd.to_numeric(raw["Values"], errors="coerce"),  # "-" is missing
        }
    )


def lait_polarity(dfe: Path) -> dict[str, str]:
    dictionary = pd.read_csv(dfe / "lait" / "lait_data_dictionary.csv")
    dictionary = dictionary.dropna(subset=["Polarity"]).drop_duplicates("Measure_short")
    mapping = {"High": "high", "Low": "low", "-": "neutral"}
    return dictionary.set_index("Measure_short")["Polarity"].map(mapping).to_dict()


def statistical_neighbours(dfe: Path) -> dict[str, list[str]]:
    model = pd.read_csv(dfe / "ees" / "sn_model_2025_wide.csv", dtype=str, encoding="utf-8-sig")
    columns = [f"SN_{i}" for i in range(1, 11)]
    return dict(zip(model["old_la_code"], model[columns].values.tolist(), strict=True))


def good_or_outstanding(dfe: Path) -> list[str]:
    """DfE numbers of councils whose latest ILACS judgement is Good or Outstanding."""
    ilacs = pd.read_excel(
        dfe / "ees" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods",
        sheet_name="Inspections_as_at_31_March",
        header=None,
        dtype=str,
    )
    header = ilacs.index[ilacs.eq("Local authority area code").any(axis=1)][0]
    ilacs = ilacs.iloc[header + 1 :].set_axis(ilacs.iloc[header].str.strip(), axis=1)
    good = ilacs["Overall effectiveness"].str.strip().isin(["Good", "Outstanding"])
    codes = set(ilacs.loc[good, "Local authority area code"].str.strip())
    c1 = pd.read_csv(
        dfe / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        dtype=str,
        usecols=["old_la_code", "new_la_code"],
    ).dropna()
    return sorted(set(c1.loc[c1["new_la_code"].isin(codes), "old_la_code"]))


def main(argv: list[str]) -> int:
    dfe = Path(argv[1]) if len(argv) > 1 else DFE
    if not (dfe / "lait" / "bds_long.parquet").is_file():
        print(f"LAIT's bds_long.parquet not found under {dfe}: nothing to time", file=sys.stderr)
        return 1
    start = time.perf_counter()
    table = lait_table(dfe)
    polarity = lait_polarity(dfe)
    neighbours = statistical_neighbours(dfe)
    good = good_or_outstanding(dfe)
    load_seconds = time.perf_counter() - start

    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        out = benchmark_all(table, polarity, neighbours, good)
        timings.append(time.perf_counter() - start)

    councils = table.loc[table["area_level"] == "local authority", "area_code"].nunique()
    print(machine(pandas=pd.__version__, numpy=np.__version__))
    print(
        f"input: {len(table):,} rows, {table['indicator'].nunique()} indicators, "
        f"{councils} councils, {table['period'].nunique()} period labels"
    )
    print(f"comparators: {len(neighbours)} neighbour lists, {len(good)} Good or Outstanding")
    print(f"load and reshape: {load_seconds:.2f} s")
    print(
        f"benchmark_all: median {statistics.median(timings):.2f} s of {RUNS} runs "
        f"({', '.join(f'{t:.2f}' for t in timings)})"
    )
    print(
        f"output: {len(out):,} council rows x {out.shape[1]} columns; "
        f"{out['quartile_band'].notna().sum():,} banded, "
        f"{out['national_rank'].notna().sum():,} ranked, "
        f"{out['sn_mean'].notna().sum():,} with a neighbour mean"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
