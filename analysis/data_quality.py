"""Data quality checks on the tidy table: each returns a tidy frame of what it found.

A series is one indicator x area x breakdown from one source (:data:`SERIES`). The checks:

- :func:`coverage`: which series have values, from when to when, and how complete they are.
- :func:`missing_by_status`: cells without a value, counted by their status (``c``, ``x``,
  ...), in words; a missing value is never read as zero.
- :func:`duplicates`: more than one row for the same indicator x area x period x breakdown in
  one source (the same figure published by two sources is compared by
  :func:`lait_against_ees` instead, not counted as a duplicate).
- :func:`period_gaps`: periods with no row at all between a series' first and last (a month
  for monthly series, three months for quarterly ones, a year for annual ones; multi-year
  periods are not checked). A row with a status is not a gap: it is reported as missing.
- :func:`implausible_jumps`: a change from one value to the next larger than the upper range
  limit of the series' moving-range chart, 3.267 x the mean moving range (Wheeler's XmR
  chart; the same factor screens moving ranges in :mod:`analysis.spc`). That is a jump bigger
  than the series' own point-to-point variation allows by chance; it may be real (a service
  change) or an error, so it is a prompt to check, not a verdict. Series with fewer than
  :data:`MINIMUM_VALUES` values are not checked.
- :func:`lait_against_ees`: the same council and year in LAIT and in the EES file behind a
  catalogue indicator (:data:`LAIT_EQUIVALENTS`), differing by more than the published
  rounding allows (:func:`rounding_tolerance`).

>>> table = pd.DataFrame({"indicator": "x", "area_code": "E1", "breakdown": "all",
...     "source": "s", "period": "a", "value": [1.0, 2.0], "status": None})
>>> duplicates(table)[["period", "rows", "values_differ"]].to_dict("records")
[{'period': 'a', 'rows': 2, 'values_differ': True}]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.areas import Council
from analysis.catalogue import load_catalogue
from analysis.charts import data_table_html, paragraphs_html
from analysis.deep_dive import heading_html, key_messages_html, write_summary
from analysis.disclosure import (
    built_on_small_counts,
    counts_not_given,
    display_status,
    suppress_small_counts,
    unchecked_note,
)
from analysis.ees import data_warnings
from analysis.lait import load_lait
from analysis.local_scorecard import load_scorecard
from analysis.periods import month_label, quarter_label
from analysis.published import LAIT_DICTIONARY, LAIT_FILE, load_published
from analysis.published import data_dir as published_data_dir
from analysis.rag import format_value
from analysis.spc import SCREENING_FACTOR
from analysis.tidy import empty as tidy_empty
from analysis.words import listed

NOTEBOOK = "data_quality"

SERIES = ["indicator", "area_code", "breakdown", "source"]
MINIMUM_VALUES = 10
"""Values a series needs before its jumps are checked (9 moving ranges)."""
MOST_DECIMALS = 6
"""Values with more decimal places than this are taken as computed, not published rounded."""

#: Catalogue indicator published in EES -> the LAIT measure with the same figure (from the
#: measure names in LAIT's data dictionary, lait_data_dictionary.csv).
LAIT_EQUIVALENTS: dict[str, str] = {
    "referrals_rate_per_10k": "CPP_Total_Rateper10,000",
    "rereferrals_12m_pct": "ReReferral",
    "referrals_nfa_pct": "CIN_Refferals_NFA",
    "cin_rate_per_10k": "CIN",
    "cpp_second_subsequent_pct": "PrevRegCPR",
    "cpp_2yrs_plus_pct": "CPPlans2yrsActive",
    "cla_rate_per_10k": "LAC",
    "sw_turnover_pct": "Work_Force_TO_Rate",
    "sw_agency_pct": "Work_Force_Agecy_Rate",
    "sw_vacancy_pct": "Work_Force_Vac_Rate",
    "sw_caseload": "Work_Force_AvgNumCase_SW",
}

#: How many periods a table cell names before counting the rest.
PERIODS_LISTED = 6

#: Months between consecutive periods of each period type (None: not checked for gaps).
STEP_MONTHS: dict[str, int | None] = {
    "month": 1,
    "quarter": 3,
    "financial year": 12,
    "snapshot 31 March": 12,
    "snapshot 30 September": 12,
    "academic year": 12,
    "calendar year": 12,
    "multi-year": None,
}


def _month_number(ends: pd.Series) -> np.ndarray:
    return (ends.dt.year * 12 + ends.dt.month).to_numpy(dtype=np.int64)


def _period_words(end: pd.Timestamp, period_type: str) -> str:
    """A period with no row, in words: 'Aug 2023', 'Jul-Sep 2023', 'year ending 31 March 2021'."""
    if period_type == "month":
        return month_label(end)
    if period_type == "quarter":
        return quarter_label(end)
    return f"year ending {end.day} {end.strftime('%B %Y')}"


def _series_groups(table: pd.DataFrame):
    return table.sort_values("period_end", kind="stable").groupby(SERIES, sort=True, dropna=False)


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """One row per series: its period type, first and last period, how many periods it has,
    how many of them have a value, and how many periods its span should hold.

    ``expected_periods`` counts the periods from the first to the last at the series' step
    (None for multi-year periods); ``complete_pct`` is periods with a value over that.
    """
    rows = []
    for key, series in _series_groups(table):
        period_type = str(series["period_type"].iloc[-1])
        ends = series["period_end"]
        step = STEP_MONTHS.get(period_type)
        months = _month_number(ends)
        expected = (months.max() - months.min()) // step + 1 if step else None
        with_value = int(series.dropna(subset=["value"])["period_end"].nunique())
        rows.append(
            {
                **dict(zip(SERIES, key, strict=True)),
                "period_type": period_type,
                "first_period": str(series["period"].iloc[0]),
                "last_period": str(series["period"].iloc[-1]),
                "periods": int(ends.nunique()),
                "with_value": with_value,
                "without_value": int(ends.nunique()) - with_value,
                "expected_periods": expected,
                "complete_pct": 100 * with_value / expected if expected else None,
            }
        )
    columns = [*SERIES, "period_type", "first_period", "last_period", "periods", "with_value"]
    columns += ["without_value", "expected_periods", "complete_pct"]
    return pd.DataFrame(rows, columns=columns)


def missing_by_status(table: pd.DataFrame) -> pd.DataFrame:
    """Cells with no value, per series and status: how many, which periods, what it means.

    >>> t = pd.DataFrame({"indicator": "x", "area_code": "E1", "breakdown": "all", "source": "s",
    ...     "period": ["a", "b"], "period_end": pd.to_datetime(["2024-04-30", "2024-05-31"]),
    ...     "value": [None, 1.0], "status": ["c", None]})
    >>> missing_by_status(t)[["status", "meaning", "cells", "periods"]].to_dict("records")
    [{'status': 'c', 'meaning': 'suppressed', 'cells': 1, 'periods': 'a'}]
    """
    missing = table.loc[table["value"].isna()]
    status = missing["status"].astype(object).where(missing["status"].notna(), "no status given")
    missing = missing.assign(status=status)
    rows = []
    for key, cells in missing.sort_values("period_end", kind="stable").groupby(
        [*SERIES, "status"], sort=True, dropna=False
    ):
        rows.append(
            {
                **dict(zip([*SERIES, "status"], key, strict=True)),
                "meaning": display_status(None if key[-1] == "no status given" else key[-1]),
                "cells": len(cells),
                "periods": listed(list(cells["period"]), most=PERIODS_LISTED),
            }
        )
    return pd.DataFrame(rows, columns=[*SERIES, "status", "meaning", "cells", "periods"])


def duplicates(table: pd.DataFrame) -> pd.DataFrame:
    """Every indicator x area x period x breakdown that one source gives more than once.

    Columns: the series keys, ``period``, ``rows`` (how many), ``values`` (the values shown,
    statuses for cells without one) and ``values_differ``.
    """
    key = [*SERIES, "period"]
    repeated = table.loc[table.duplicated(key, keep=False)]
    rows = []
    for group, cells in repeated.groupby(key, sort=True, dropna=False):
        shown = [
            f"{v:g}" if not math.isnan(v) else str(s)
            for v, s in zip(cells["value"], cells["status"], strict=True)
        ]
        rows.append(
            {
                **dict(zip(key, group, strict=True)),
                "rows": len(cells),
                "values": ", ".join(shown),
                "values_differ": len(set(shown)) > 1,
            }
        )
    return pd.DataFrame(rows, columns=[*key, "rows", "values", "values_differ"])


def period_gaps(table: pd.DataFrame) -> pd.DataFrame:
    """Periods with no row at all inside each series' span, one row per missing period.

    Columns: the series keys, ``period_type``, ``missing_period`` (in words),
    ``missing_period_end``, ``after`` and ``before`` (the periods either side).
    """
    rows = []
    for key, series in _series_groups(table):
        period_type = str(series["period_type"].iloc[-1])
        step = STEP_MONTHS.get(period_type)
        if not step:
            continue
        present = series.drop_duplicates("period_end", keep="last")
        months = _month_number(present["period_end"])
        ends = present["period_end"].tolist()
        labels = present["period"].astype(str).tolist()
        for i in np.flatnonzero(np.diff(months) > step):
            for k in range(1, (months[i + 1] - months[i]) // step):
                end = ends[i] + pd.offsets.MonthEnd(k * step)
                rows.append(
                    {
                        **dict(zip(SERIES, key, strict=True)),
                        "period_type": period_type,
                        "missing_period": _period_words(end, period_type),
                        "missing_period_end": end,
                        "after": labels[i],
                        "before": labels[i + 1],
                    }
                )
    columns = [*SERIES, "period_type", "missing_period", "missing_period_end", "after", "before"]
    return pd.DataFrame(rows, columns=columns)


def implausible_jumps(table: pd.DataFrame, minimum_values: int = MINIMUM_VALUES) -> pd.DataFrame:
    """Changes between consecutive values beyond the moving-range chart's upper range limit.

    Per series, over the values that exist in period order (missing values are skipped, never
    read as 0; of two rows for one period the later is used): moving ranges
    ``MR_i = |y_i - y_(i-1)|``, limit ``3.267 x mean(MR)``, and a jump wherever ``MR_i`` is
    strictly above it. Series with fewer than ``minimum_values`` values or no variation are
    not checked. Columns: the series keys, ``previous_period``, ``period``,
    ``previous_value``, ``value``, ``change``, ``limit`` and ``times_mean`` (MR / mean MR).
    """
    rows = []
    for key, series in _series_groups(table.dropna(subset=["value"])):
        series = series.drop_duplicates("period_end", keep="last")
        if len(series) < minimum_values:
            continue
        y = series["value"].to_numpy(dtype=float)
        moving_range = np.abs(np.diff(y))
        mean_range = float(moving_range.mean())
        if mean_range == 0:
            continue
        limit = SCREENING_FACTOR * mean_range
        labels = series["period"].astype(str).tolist()
        for i in np.flatnonzero(moving_range > limit):
            rows.append(
                {
                    **dict(zip(SERIES, key, strict=True)),
                    "previous_period": labels[i],
                    "period": labels[i + 1],
                    "previous_value": y[i],
                    "value": y[i + 1],
                    "change": y[i + 1] - y[i],
                    "limit": limit,
                    "times_mean": moving_range[i] / mean_range,
                }
            )
    columns = [*SERIES, "previous_period", "period", "previous_value", "value", "change"]
    return pd.DataFrame(rows, columns=[*columns, "limit", "times_mean"])


def chance_of_a_jump(factor: float = SCREENING_FACTOR) -> float:
    """The chance that one change of a stable series of independent, normally distributed values
    is larger than ``factor`` times the mean moving range (the jump limit of
    :func:`implausible_jumps`), when the mean moving range is that of the process.

    The difference of two such values (standard deviation sigma) is normal with standard
    deviation sigma x sqrt(2), so the moving range is half-normal with mean 2 sigma / sqrt(pi)
    (d2 = 1.128 sigma). Hence P(MR > k x mean MR) = P(|Z| > k x sqrt(2 / pi)) =
    erfc(k / sqrt(pi)): about 0.0091 (1 in 109) for k = 3.267. A simulation agrees within its
    sampling error (a million standard normal values, numpy seed 0: 0.0093, standard error
    0.0001). In a short series the jump itself raises the mean moving range it is compared
    with, so the chance is smaller still (simulated: about 1 in 270 changes in series of 10
    values, 1 in 130 in series of 36).

    >>> round(chance_of_a_jump(), 4)
    0.0091
    """
    return math.erfc(factor / math.sqrt(math.pi))


def one_in(probability: float) -> int:
    """``probability`` as "1 in n", n rounded down to one significant figure, so that a chance
    stated as "at most about 1 in n" is never understated.

    >>> one_in(chance_of_a_jump()), one_in(0.015), one_in(0.5)
    (100, 60, 2)
    """
    n = 1 / probability
    unit = 10 ** math.floor(math.log10(n))
    return int(n // unit * unit)


def published_decimals(values: pd.Series) -> int:
    """The decimal places a set of published values was rounded to: the most any value needs
    (up to :data:`MOST_DECIMALS`; a value computed from counts needs all of them).

    >>> published_decimals(pd.Series([21.0, 19.5, 20.25])), published_decimals(pd.Series([1/3]))
    (2, 6)
    """
    finite = values.dropna().to_numpy(dtype=float)
    for places in range(MOST_DECIMALS):
        if np.all(np.abs(finite - np.round(finite, places)) < 1e-9 * np.maximum(1, abs(finite))):
            return places
    return MOST_DECIMALS


def rounding_tolerance(decimals_a: int, decimals_b: int) -> float:
    """How far apart two roundings of one figure can be: half a unit in the last place of each.

    >>> rounding_tolerance(1, 1), rounding_tolerance(0, 6)
    (0.1, 0.5000005)
    """
    return round(0.5 * 10.0**-decimals_a + 0.5 * 10.0**-decimals_b, MOST_DECIMALS + 1)


FINDINGS = ("agree", "differ", "value in EES only", "value in LAIT only", "neither has a value")


def lait_against_ees(
    ees: pd.DataFrame, lait: pd.DataFrame, equivalents: Mapping[str, str] = LAIT_EQUIVALENTS
) -> pd.DataFrame:
    """Every area and year that both EES (catalogue ids) and LAIT (measure codes) publish.

    Rows are matched on area, breakdown and ``period_end``; each side's decimal places come
    from all its values for the indicator (:func:`published_decimals`), and values agree when
    they differ by no more than :func:`rounding_tolerance` of the two. ``finding`` is one of
    :data:`FINDINGS`. Columns: ``indicator``, ``lait_measure``, ``area_code``, ``area_name``,
    ``period``, ``period_end``, ``ees_value``, ``ees_status``, ``lait_value``, ``lait_status``,
    ``difference`` (LAIT minus EES), ``tolerance`` and ``finding``.
    """
    keys = ["area_code", "breakdown", "period_end"]
    wanted = [*keys, "area_name", "period", "value", "status"]
    frames = []
    for indicator, measure in equivalents.items():
        left = ees.loc[ees["indicator"] == indicator, wanted]
        right = lait.loc[lait["indicator"] == measure, [*keys, "value", "status"]]
        if left.empty or right.empty:
            continue
        pairs = left.merge(right, on=keys, suffixes=("_ees", "_lait"))
        tolerance = rounding_tolerance(
            published_decimals(left["value"]), published_decimals(right["value"])
        )
        has_ees, has_lait = pairs["value_ees"].notna(), pairs["value_lait"].notna()
        difference = pairs["value_lait"] - pairs["value_ees"]
        close = difference.abs() <= tolerance + 1e-9
        finding = np.select(
            [has_ees & has_lait & close, has_ees & has_lait, has_ees, has_lait],
            list(FINDINGS[:4]),
            FINDINGS[4],
        )
        frames.append(
            pd.DataFrame(
                {
                    "indicator": indicator,
                    "lait_measure": measure,
                    "area_code": pairs["area_code"],
                    "area_name": pairs["area_name"],
                    "period": pairs["period"],
                    "period_end": pairs["period_end"],
                    "ees_value": pairs["value_ees"],
                    "ees_status": pairs["status_ees"],
                    "lait_value": pairs["value_lait"],
                    "lait_status": pairs["status_lait"],
                    "difference": difference,
                    "tolerance": tolerance,
                    "finding": finding,
                }
            )
        )
    columns = ["indicator", "lait_measure", "area_code", "area_name", "period", "period_end"]
    columns += ["ees_value", "ees_status", "lait_value", "lait_status", "difference"]
    columns += ["tolerance", "finding"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def small_counts(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Cells whose numerator or denominator is a count from 1 to ``threshold - 1``, per series:
    the counts that member-facing reports hide (:mod:`analysis.disclosure`).

    Columns: the series keys, ``cells`` and ``periods``.
    """
    small = built_on_small_counts(table, threshold)
    rows = []
    for key, cells in _series_groups(table.loc[small]):
        rows.append(
            {
                **dict(zip(SERIES, key, strict=True)),
                "cells": len(cells),
                "periods": listed(list(cells["period"]), most=PERIODS_LISTED),
            }
        )
    return pd.DataFrame(rows, columns=[*SERIES, "cells", "periods"])


# --- the report ------------------------------------------------------------------------------


@dataclass
class DataQualityReport:
    """The data quality notebook's content for one council: its local scorecard and its rows
    in the published files, every check run once."""

    council: Council
    table: pd.DataFrame
    """The council's tidy rows: local scorecard and published (EES and LAIT) together."""
    ees: pd.DataFrame
    lait: pd.DataFrame
    period_end: pd.Timestamp
    names: dict[str, str]
    threshold: int = 10
    fictional: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.council.area_name}: data quality of children's services figures"

    def _named(self, frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
        """A findings frame for display: indicator titles, the chosen columns renamed."""
        shown = frame.assign(
            indicator=frame["indicator"].map(self.names).fillna(frame["indicator"])
        )
        return shown[list(columns)].rename(columns=columns)

    @functools.cached_property
    def findings(self) -> dict[str, pd.DataFrame]:
        """Every check's findings. The checks whose tables show values (repeated rows, jumps)
        run on the table with figures built on a small count suppressed
        (:func:`analysis.disclosure.suppress_small_counts`), so no value, change or limit gives
        such a count away; the cells themselves are listed under small counts, by period."""
        shown = suppress_small_counts(self.table, self.threshold)
        return {
            "coverage": coverage(self.table),
            "missing": missing_by_status(self.table),
            "duplicates": duplicates(shown),
            "gaps": period_gaps(self.table),
            "jumps": implausible_jumps(shown),
            "small": small_counts(self.table, self.threshold),
            "sources": lait_against_ees(self.ees, self.lait),
        }

    def heading_html(self) -> str:
        lead = (
            f"Checks on the council's own scorecard and its rows in the published files, up to "
            f"{self.period_end.strftime('%B %Y')}."
        )
        return heading_html(self.title, lead, self.fictional, self.warnings)

    def key_messages(self) -> list[str]:
        f = self.findings
        missing = f["missing"].groupby("meaning")["cells"].sum()
        by_status = "; ".join(f"{n} {m}" for m, n in missing.items())
        compared = f["sources"].loc[f["sources"]["finding"].isin(["agree", "differ"])]
        differ = int((compared["finding"] == "differ").sum())
        return [
            f"{len(f['coverage'])} series checked, from {self.table['source'].nunique()} sources.",
            f"{int(f['missing']['cells'].sum())} cells have no value"
            + (f" ({by_status})" if by_status else "")
            + "; they are counted by their status, never as zero.",
            f"{len(f['duplicates'])} repeated rows, {len(f['gaps'])} periods missing inside "
            f"a series and {len(f['jumps'])} jumps beyond the moving-range limit to check.",
            f"LAIT and EES: {len(compared)} council-years compared, {differ} differ by more than "
            "the rounding of their published decimal places.",
        ]

    def key_messages_html(self) -> str:
        return key_messages_html(self.key_messages())

    def _section(
        self, frame: pd.DataFrame, columns: dict[str, str], none: str, some: str, caption: str
    ) -> str:
        if frame.empty:
            return paragraphs_html(none)
        return paragraphs_html(some) + data_table_html(self._named(frame, columns), caption)

    def coverage_html(self) -> str:
        frame = self.findings["coverage"].assign(
            complete_pct=lambda t: [
                "not checked" if v is None or pd.isna(v) else f"{v:.0f}%" for v in t["complete_pct"]
            ]
        )
        return self._section(
            frame,
            {
                "indicator": "Indicator",
                "breakdown": "Breakdown",
                "source": "Source",
                "first_period": "First period",
                "last_period": "Last period",
                "periods": "Periods",
                "with_value": "With a value",
                "expected_periods": "Periods the span should hold",
                "complete_pct": "Complete",
            },
            "There are no rows for this council.",
            "Each series (indicator, breakdown and source), its first and last period, and how "
            "many periods have a value out of those its span should hold.",
            "Coverage of each series",
        )

    def missing_html(self) -> str:
        return self._section(
            self.findings["missing"],
            {
                "indicator": "Indicator",
                "breakdown": "Breakdown",
                "source": "Source",
                "status": "Status",
                "meaning": "Meaning",
                "cells": "Cells",
                "periods": "Periods",
            },
            "Every row has a value.",
            "Cells without a value, by the status the source gave. They are gaps in charts and "
            "left out of averages, never read as zero.",
            "Cells without a value, by status",
        )

    def duplicates_html(self) -> str:
        return self._section(
            self.findings["duplicates"],
            {
                "indicator": "Indicator",
                "breakdown": "Breakdown",
                "source": "Source",
                "period": "Period",
                "rows": "Rows",
                "values": "Values",
            },
            "No source gives the same indicator, area, period and breakdown twice.",
            "The same indicator, area, period and breakdown given more than once by one source.",
            "Repeated rows",
        )

    def gaps_html(self) -> str:
        return self._section(
            self.findings["gaps"],
            {
                "indicator": "Indicator",
                "breakdown": "Breakdown",
                "source": "Source",
                "missing_period": "Missing period",
                "after": "After",
                "before": "Before",
            },
            "No series has a period missing between its first and last.",
            "Periods with no row at all between a series' first and last period (a row with a "
            "status is not a gap: it is counted above).",
            "Periods missing inside a series",
        )

    def jumps_html(self) -> str:
        frame = self.findings["jumps"]
        shown = frame.assign(
            **{
                c: [format_value(v, 2) for v in frame[c]]
                for c in ("previous_value", "value", "change", "limit")
            },
            times_mean=[format_value(v, 1) for v in frame["times_mean"]],
        )
        return self._section(
            shown,
            {
                "indicator": "Indicator",
                "breakdown": "Breakdown",
                "source": "Source",
                "previous_period": "From",
                "period": "To",
                "previous_value": "Value before",
                "value": "Value after",
                "change": "Change",
                "limit": "Limit",
                "times_mean": "Times the mean moving range",
            },
            "No change from one value to the next is beyond its series' moving-range limit.",
            f"A jump is a change from one value to the next larger than {SCREENING_FACTOR} "
            "times the series' "
            f"mean moving range (the upper range limit of an XmR chart), in series with at least "
            f"{MINIMUM_VALUES} values. It may be real (a change in the service) or an error: "
            "check it.",
            "Jumps beyond the moving-range limit",
        )

    def small_html(self) -> str:
        return self._section(
            self.findings["small"],
            {
                "indicator": "Indicator",
                "breakdown": "Breakdown",
                "source": "Source",
                "cells": "Cells",
                "periods": "Periods",
            },
            f"No numerator or denominator is between 1 and {self.threshold - 1}.",
            f"Cells with a numerator or denominator from 1 to {self.threshold - 1}: reports for "
            "members hide these counts and what they could be worked out from.",
            "Cells with small counts",
        )

    def sources_html(self) -> str:
        found = self.findings["sources"]
        if found.empty:
            return paragraphs_html(
                "No indicator is published for this council by both LAIT and EES in the data "
                "folder, so there is nothing to compare."
            )
        counts = (
            found.assign(indicator=found["indicator"].map(self.names).fillna(found["indicator"]))
            .groupby(["indicator", "lait_measure", "finding"])
            .size()
            .unstack("finding", fill_value=0)
            .reindex(columns=list(FINDINGS), fill_value=0)
            .reset_index()
        )
        counts.columns = ["Indicator", "LAIT measure", *[f.capitalize() for f in FINDINGS]]
        text = (
            "For each indicator both publish, every year both give for this council. Values "
            "agree when they differ by no more than the rounding of the decimal places each "
            "source publishes (half a unit in the last place of each)."
        )
        parts = [paragraphs_html(text), data_table_html(counts, "LAIT against EES, by indicator")]
        differ = found.loc[found["finding"] != "agree"]
        if differ.empty:
            parts.append(paragraphs_html("Every year compared agrees."))
        else:
            shown = differ.assign(
                ees_value=[
                    format_value(v, 2, status=s)
                    for v, s in zip(differ["ees_value"], differ["ees_status"], strict=True)
                ],
                lait_value=[
                    format_value(v, 2, status=s)
                    for v, s in zip(differ["lait_value"], differ["lait_status"], strict=True)
                ],
                difference=[format_value(v, 3) for v in differ["difference"]],
                tolerance=[format_value(v, 3) for v in differ["tolerance"]],
            )
            parts.append(
                data_table_html(
                    self._named(
                        shown,
                        {
                            "indicator": "Indicator",
                            "period": "Period",
                            "ees_value": "EES",
                            "lait_value": "LAIT",
                            "difference": "Difference",
                            "tolerance": "Rounding allows",
                            "finding": "Finding",
                        },
                    ),
                    "Years where LAIT and EES do not agree",
                )
            )
        return "".join(parts)

    def about_paragraphs(self) -> list[str]:
        """What each check looks for and what a finding means, in plain words, with the
        numbers the checks use (:data:`~analysis.spc.SCREENING_FACTOR`, :data:`MINIMUM_VALUES`
        and the chance :func:`chance_of_a_jump` works out from them)."""
        return [
            "A series is one indicator, area and breakdown from one source. A gap is a period "
            "with no row at all; a row that says why it has no value (suppressed, not "
            "available) is counted under cells without a value instead, and is never read as "
            "zero.",
            "A jump is a change from one value to the next larger than "
            f"{SCREENING_FACTOR} times the series' average change from one value to the next "
            "(the upper range limit of an XmR chart). Series with fewer than "
            f"{MINIMUM_VALUES} values, or with no change at all, are not checked. For a stable "
            "series with normally distributed values, at most about 1 in "
            f"{one_in(chance_of_a_jump())} changes passes that limit by chance (fewer in a "
            "short series, whose average change includes the jump itself), so a jump is a "
            "prompt to check the figure, not proof of an error.",
            "LAIT republishes the Department for Education's figures. Where both sources give "
            "a figure for the same council and year they should agree, up to the rounding of "
            "the decimal places each publishes (half a unit in the last decimal place of "
            "each).",
        ]

    def about_html(self) -> str:
        """:meth:`about_paragraphs` as HTML paragraphs, every text escaped."""
        return paragraphs_html(*self.about_paragraphs())

    def save_summary(self, path: str | Path) -> Path:
        return write_summary(
            path,
            self.council,
            self.title,
            NOTEBOOK,
            self.fictional,
            self.key_messages(),
            self.warnings,
        )


def prepare(
    council: str,
    period_end: str,
    data_dir: str | None = None,
    scorecard_path: str | None = None,
    small_number_threshold: int = 10,
    fictional: bool = False,
    catalogue_files: list[str] | None = None,
) -> DataQualityReport:
    """Load the council's scorecard and published rows, and the LAIT measures that repeat EES
    figures, for :class:`DataQualityReport`."""
    catalogue = load_catalogue(*(catalogue_files or []))
    published = load_published(data_dir or None, catalogue)
    found = published.directory.find(council)
    end = pd.Timestamp(period_end)
    folder = published_data_dir(data_dir or None)
    codes = [found.area_code, *found.former_area_codes]
    lait = tidy_empty()
    if (folder / LAIT_FILE).exists() and (folder / LAIT_DICTIONARY).exists():
        lait = load_lait(
            folder / LAIT_FILE,
            folder / LAIT_DICTIONARY,
            published.directory,
            list(LAIT_EQUIVALENTS.values()),
        )
    with data_warnings() as notes:  # what the scorecard's loader warned about, for the page
        local = load_scorecard(scorecard_path, found, catalogue) if scorecard_path else tidy_empty()
    council_rows = published.table.loc[published.table["area_code"].isin(codes)]
    table = pd.concat([local, council_rows], ignore_index=True)
    table = table.loc[table["period_end"] <= end].reset_index(drop=True)
    ees = council_rows.loc[council_rows["source"].str.startswith("EES")]
    lait = lait.loc[lait["area_code"].isin(codes)]
    warnings = [f"{name} was not found, so it was not checked." for name in published.missing]
    if not scorecard_path:
        warnings.append("No local scorecard was given: only the published files are checked.")
    warnings += [n for n in [*published.warnings, *notes] if n not in warnings]
    shown = suppress_small_counts(local, small_number_threshold)
    unchecked = [
        catalogue[i].title
        for i, rows in shown.groupby("indicator", sort=False)
        if counts_not_given(rows, catalogue[i]).any()
    ]
    warnings += unchecked_note(unchecked, small_number_threshold)
    names = {i.id: i.title for i in catalogue.values()}
    return DataQualityReport(
        council=found,
        table=table,
        ees=ees.loc[ees["period_end"] <= end],
        lait=lait.loc[lait["period_end"] <= end],
        period_end=end,
        names=names,
        threshold=small_number_threshold,
        fictional=fictional,
        warnings=warnings,
    )
