"""Demoshire: a deterministic, clearly fictional demo data set in the real files' layouts.

The project ships no real data. :func:`write_demo` generates, from a fixed seed, everything a
report needs for one fictional council, Demoshire (DfE number 701), and 29 fictional neighbours
in three fictional regions of a fictional England:

* ``local/scorecard.csv``: Demoshire's own scorecard, monthly from April 2022 to September 2025
  (care leavers quarterly), in the documented long layout, with numerators, denominators, team
  breakdowns, suppressed and missing months and the patterns listed in :data:`DEMO_PATTERNS`;
* ``ees/``: annual published data, 2016 to 2025, with the same columns as DfE's Explore
  Education Statistics files, the statistical neighbour model and the Ofsted ILACS outcomes;
* ``lait/``: the same measures in LAIT's long "big data set" and its data dictionary.

Every number is invented here; nothing is read from or copied from real data. Codes cannot clash
with real ones: DfE numbers 701 to 730, ONS-style codes E10999701 to E10999730, regions
E12999001 to E12999003. National and regional rows are the sums of their councils' counts with
percentages and rates recomputed (half away from zero, as DfE rounds). Demoshire's annual figures
for 2023 to 2025 are built from its monthly data (sums over the financial year for flows, the
31 March figure for stocks, the 30 September figure for the workforce), so local and published
views agree.

Scorecard units: percentages are numerator / denominator x 100; rates per 10,000 are
numerator / population of children aged 0 to 17 x 10,000, where for flows (referrals, section 47
enquiries) the numerator is the month's count, so a monthly rate is about a twelfth of the annual
one, and for stocks (children in need, on a plan, looked after) it is the count at the month end.
The population is the mid-year estimate for the year the financial year starts in (the latest,
2024, after March 2025), as DfE's rates use. The caseload is cases per case-holding social worker
and is written without numerator and denominator (it is neither a proportion nor a rate).

>>> written = write_demo("demo-data")  # doctest: +SKIP
>>> written["local/scorecard.csv"]  # doctest: +SKIP
PosixPath('demo-data/local/scorecard.csv')
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.areas import Council
from analysis.ees import AREA_COLUMNS, GEOGRAPHY

SEED = 20261144
"""The first seed from 20261122 up for which the series built stable show no chance special
cause in an XmR chart, so the demo shows each pattern cleanly (chance signals in a 42-month
series of pure noise are common: most seeds give two or three)."""
YEARS = np.arange(2016, 2026)
"""Reporting years of the annual files (2025 = year ending 31 March 2025, or 30 September)."""
POPULATION_YEARS = YEARS - 1
"""Mid-year estimates, one per reporting year: year Y's rates use the estimate for Y - 1."""
WORKFORCE_FIRST_YEAR = 2017
MONTH_ENDS = pd.date_range("2022-04-30", "2025-09-30", freq="ME")
QUARTER_ENDS = MONTH_ENDS[MONTH_ENDS.month % 3 == 0]
SHIFT_MONTH = pd.Timestamp("2024-04-30")
DECLINE_MONTHS = 10
TEAMS = ("North", "South", "East", "West")

ENGLAND = ("E92000001", "England")
REGIONS = (
    ("E12999001", "North Demoland"),
    ("E12999002", "South Demoland"),
    ("E12999003", "West Demoland"),
)
LAIT_ENGLAND = 970.0
LAIT_REGIONS = (980.0, 981.0, 982.0)
COUNCIL_NAMES = (
    "Demoshire",
    "Northwold",
    "Eastmere",
    "Greyfield",
    "Ashcombe Vale",
    "Millbridge",
    "Fernleigh",
    "Oakhurst",
    "Kestrel Bay",
    "Brackenmoor",
    "Southhaven",
    "Harrowdene",
    "Lindenford",
    "Coldwater",
    "Hollin Dale",
    "Marrowby",
    "Pendlestone",
    "Thistleton",
    "Wrenham",
    "Quillhampton, City of",
    "Castlemoor",
    "Elderwick",
    "Foxley Downs",
    "Glenmarsh",
    "Heronsgate",
    "Rookhaven",
    "Tallowby",
    "Umberdale",
    "Vexford",
    "Yarrowfield",
)
DEMO_COUNCILS = tuple(
    Council(
        la_number=str(701 + i),
        area_code=f"E10999{701 + i}",
        area_name=name,
        region_code=REGIONS[i // 10][0],
        region_name=REGIONS[i // 10][1],
    )
    for i, name in enumerate(COUNCIL_NAMES)
)
"""The 30 fictional councils, 10 per region, in DfE-number order."""
DEMO_COUNCIL = DEMO_COUNCILS[0]
"""Demoshire, the council the demo reports are about."""
SMALL_COUNT = 5
"""Counts from 1 to this are suppressed ('c'), in the scorecard and in the d5 file."""
NOT_RETURNED = ("729", 2020)
"""A council-year whose children in need census was not returned ('x', LAIT '-')."""

#: Scorecard id -> frequency, in the catalogue's order.
LOCAL_INDICATORS = {
    "referrals_rate_per_10k": "month",
    "rereferrals_12m_pct": "month",
    "referrals_nfa_pct": "month",
    "assessments_45d_pct": "month",
    "cin_rate_per_10k": "month",
    "s47_rate_per_10k": "month",
    "icpc_15d_pct": "month",
    "cpp_rate_per_10k": "month",
    "cpp_second_subsequent_pct": "month",
    "cpp_2yrs_plus_pct": "month",
    "cla_rate_per_10k": "month",
    "cla_3plus_placements_pct": "month",
    "cla_missing_pct": "month",
    "care_leavers_eet_pct": "quarter",
    "care_leavers_accommodation_pct": "quarter",
    "sw_turnover_pct": "month",
    "sw_agency_pct": "month",
    "sw_vacancy_pct": "month",
    "sw_caseload": "month",
}
WITHOUT_COUNTS = ("sw_caseload",)
"""Written without numerator and denominator (cases per worker is not a proportion)."""

#: What each local series was built to show (the statistics should find exactly this).
DEMO_PATTERNS = {
    "referrals_rate_per_10k": "stable (common cause only): about 42 referrals per 10,000 a "
    "month (about 500 a year), slightly fewer in August and December",
    "rereferrals_12m_pct": "level shift up at 2024-04 from about 21.0% to about 25.6% (worse): "
    "team North's rate rises and team East's share of referrals grows",
    "referrals_nfa_pct": "stable (common cause only) at about 6.8%",
    "assessments_45d_pct": "sustained deterioration: falls every month for the last 10 months, "
    "from about 84.5% to about 71% (team West falls fastest)",
    "cin_rate_per_10k": "stable (common cause only) at about 330 per 10,000",
    "s47_rate_per_10k": "stable (common cause only) at about 14 per 10,000 a month",
    "icpc_15d_pct": "stable (common cause only) at about 78%",
    "cpp_rate_per_10k": "stable (common cause only) at about 40 per 10,000",
    "cpp_second_subsequent_pct": "stable (common cause only) at about 24%",
    "cpp_2yrs_plus_pct": "improving: falls steadily from about 3.2% to about 0.5%; numerators "
    "under 10 in the last months, and counts of 1 to 5 suppressed as 'c'",
    "cla_rate_per_10k": "slow rise from about 70 to about 73 per 10,000 (neutral)",
    "cla_3plus_placements_pct": "stable (common cause only) at about 10%",
    "cla_missing_pct": "stable (common cause only) at about 11%; 2023-08 not returned ('x')",
    "care_leavers_eet_pct": "stable (common cause only) at about 55%, quarterly",
    "care_leavers_accommodation_pct": "stable (common cause only) at about 88%, quarterly",
    "sw_turnover_pct": "stable (common cause only) at about 15%",
    "sw_agency_pct": "improving: falls steadily from about 21.5% to about 12.5%",
    "sw_vacancy_pct": "stable (common cause only) at about 17%",
    "sw_caseload": "stable (common cause only) at about 16 cases; 2024-12 not returned ('x')",
}

_GEOGRAPHY = GEOGRAPHY + AREA_COLUMNS
_CLA_GEOGRAPHY = _GEOGRAPHY[:8] + ["la_name", "new_la_code"]
C1_COLUMNS = _GEOGRAPHY + [
    "category",
    "referral_count",
    "rereferral_count",
    "rereferral_percent",
    "no_further_action_count",
    "no_further_action_percent",
    "not_in_need_count",
    "not_in_need_percent",
    "referral_child_count",
    "rereferral_child_count",
    "rereferral_child_percent",
]
B1_COLUMNS = _GEOGRAPHY + [
    "category",
    "Anypoint_episodes",
    "Anypoint_child",
    "Started_episodes",
    "Started_child",
    "Ended_episodes",
    "Ended_child",
    "At31_episodes",
    "awaiting_assessment",
]
D3_COLUMNS = _GEOGRAPHY + ["category", "CPP_start", "CPP_subsequent", "CPP_subsequent_percent"]
DURATIONS = (
    "3_months_or_less",
    "more_than_3_months_6_months",
    "more_than_6_months_less_than_1_year",
    "1_year_less_than_2_years",
    "2_years_or_more",
)
D5_COLUMNS = (
    _GEOGRAPHY + ["category", "CPP_At31"] + [c for d in DURATIONS for c in (d, f"{d}_percent")]
)
CLA_COLUMNS = _CLA_GEOGRAPHY + [
    "population_type",
    "population_estimate",
    "children_count",
    "rate_per_10000",
]
CSWW_COLUMNS = _GEOGRAPHY + [
    "inpost_fte",
    "inpost_headcount",
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
    "turnover_rate_fte",
    "turnover_rate_headcount",
    "agency_fte",
    "agency_headcount",
    "agency_rate_fte",
    "agency_rate_headcount",
    "agency_cover_fte",
    "agency_cover_rate_fte",
    "vacancy_fte",
    "vacancy_rate_fte",
    "vacancy_agency_cover_rate_fte",
    "case_holders_fte",
    "cases",
    "caseload_fte",
    "working_days_lost_fte",
    "absence_rate_fte",
]
POPULATION_COLUMNS = _GEOGRAPHY + ["age_group", "population_estimate"]
SN_COLUMNS = ["old_la_code", "la_name", "region_ind", "region_name"] + [
    c for i in range(1, 11) for c in (f"SN_{i}", f"SN_{i}P")
]
LAIT_COLUMNS = [
    "Short Desc",
    "Data item",
    "Years",
    "LA and Regions",
    "Values",
    "LA Number",
    "Region",
]
LAIT_DICTIONARY_COLUMNS = [
    "Measure_code",
    "Topic",
    "Measure",
    "Chart_title",
    "Measure_short",
    "Polarity",
    "y_axis_name",
    "state_funded_flag",
    "Table_status",
    "Description",
    "Last Update",
    "Next Update",
    "Data Owner (DO) /Supplier and Contact Details",
    "Methodology",
    "Hyperlink(s)",
    "dps",
    "Year_Type",
    "No_Quartile",
]
OFSTED_SHEET = "Inspections_as_at_31_March"
JUDGEMENTS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
OFSTED_COLUMNS = [
    "Web link",
    "Local authority area code",
    "Local authority name",
    "Ofsted region",
    "Inspection date",
    "Publication date",
    "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
]
CARE_LEAVERS_JUDGED_FROM = date(2023, 1, 1)
"""Ofsted judges the experiences of care leavers separately in inspections from this date."""

FILES = {
    "c1": "ees/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "b1": "ees/b1_children_in_need_2013_to_2025.csv",
    "d3": "ees/d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5": "ees/d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "cla": "ees/cla_number_and_rate_per_10k_children.csv",
    "csww": "ees/csww_indicators_2017_to_2025.csv",
    "population": "ees/ons_mid-year_population_estimates_2012_to_2024.csv",
    "neighbours": "ees/sn_model_2025_wide.csv",
    "ofsted": "ees/LA_Inspection_Outcomes_as_at_31_March_2025.ods",
    "lait": "lait/bds_long.parquet",
    "lait_dictionary": "lait/lait_data_dictionary.csv",
    "scorecard": "local/scorecard.csv",
    "readme": "README.txt",
}

_README = """\
FICTIONAL DEMO DATA - generated by Compendium (analysis.demo.write_demo, seed {seed}).

Every council, region and number in this folder is invented. "Demoshire" (DfE number 701) and
its 29 neighbours (701 to 730, codes E10999701 to E10999730) do not exist, and the "England"
rows are the sums of these fictional councils. The files copy only the column layouts of the
real DfE, LAIT and Ofsted publications, so that the same loaders read both.
"""

Counts = dict[str, np.ndarray]
"""Council x reporting-year arrays (30 x 10) of whole counts (FTE in tenths)."""
Local = dict[str, dict[int, int]]
"""Demoshire's annual figures from its monthly data: name -> {reporting year: count}."""


# --------------------------------------------------------------------------- formatting


def _fmt(value: Decimal, dps: int, strip: bool = True) -> str:
    """Round half away from zero to ``dps`` places; EES style drops trailing zeros.

    >>> _fmt(Decimal("22.45"), 1), _fmt(Decimal("21.04"), 1), _fmt(Decimal(7), 4, strip=False)
    ('22.5', '21', '7.0000')
    """
    text = f"{value.quantize(Decimal(1).scaleb(-dps), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if strip and "." in text else text


def _ratio(numerator: int, denominator: int, scale: int, dps: int) -> str:
    """``numerator / denominator x scale`` rounded for publication; ``z`` when 0 / 0."""
    if denominator == 0:
        return "z"
    return _fmt(Decimal(int(numerator)) * scale / Decimal(int(denominator)), dps)


def _tenths(value: int) -> str:
    """An FTE held in tenths, as published: ``4037`` -> ``403.7``, ``1000`` -> ``100``."""
    return _fmt(Decimal(int(value)) / 10, 1)


def _csv_cell(cell: str) -> str:
    if cell == '""':  # an explicitly quoted empty cell, as some EES files write blanks
        return cell
    if any(ch in cell for ch in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _write_csv(
    path: Path, rows: Sequence[Sequence[str]], quote_all: bool = False, newline: str = "\n"
) -> None:
    if quote_all:
        lines = [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    else:
        lines = [",".join(_csv_cell(c) for c in row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))


# --------------------------------------------------------------------------- random levels


def _level(
    rng: np.random.Generator,
    base: float,
    deprivation: np.ndarray,
    *,
    spread: float,
    wobble: float,
    elasticity: float = 0.0,
    trend: float = 0.0,
    demo: float | None = None,
    share: bool = False,
) -> np.ndarray:
    """Council x year levels: ``base`` moved by deprivation, a council effect, a national trend
    per year and a yearly wobble, on the log scale (rates) or logit scale (``share``).

    Demoshire's centre is ``demo`` (default ``base``) so its history matches its scorecard.
    """
    forward, back = (_logit, _expit) if share else (np.log, np.exp)
    n = len(deprivation)
    council = rng.normal(0.0, spread, n)
    noise = rng.normal(0.0, wobble, (n, len(YEARS)))
    centre = forward(base) + elasticity * deprivation + council
    centre[0] = forward(base if demo is None else demo)
    return back(centre[:, None] + trend * (YEARS - YEARS[-1])[None, :] + noise)


def _logit(p: float | np.ndarray) -> np.ndarray:
    return np.log(np.asarray(p) / (1 - np.asarray(p)))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _count(values: np.ndarray) -> np.ndarray:
    return np.rint(values).astype(np.int64)


def _position(la_number: str) -> int:
    return [c.la_number for c in DEMO_COUNCILS].index(la_number)


# --------------------------------------------------------------------------- councils


@dataclass(frozen=True)
class _Profile:
    """What drives each council's numbers: deprivation, rurality and its children (0-17)."""

    deprivation: np.ndarray
    rurality: np.ndarray
    population: np.ndarray  # council x POPULATION_YEARS


def _profiles(rng: np.random.Generator) -> _Profile:
    n = len(DEMO_COUNCILS)
    deprivation = rng.normal(0.0, 1.0, n)
    rurality = rng.normal(0.0, 1.0, n)
    deprivation[0] = 0.0  # Demoshire is typical of England
    size = np.clip(np.exp(rng.normal(np.log(85_000), 0.5, n)), 24_000, 320_000)
    size[0] = 250_412
    growth = rng.normal(0.004, 0.003, n)
    years_back = (POPULATION_YEARS - POPULATION_YEARS[-1])[None, :]
    jitter = 1 + rng.normal(0.0, 0.001, (n, len(YEARS)))
    population = _count(size[:, None] * (1 + growth[:, None]) ** years_back * jitter)
    population[:, -1] = _count(size)
    return _Profile(deprivation, rurality, population)


# --------------------------------------------------------------------------- local scorecard


def _series(
    indicator: str,
    ends: pd.DatetimeIndex,
    numerator: np.ndarray,
    denominator: np.ndarray,
    scale: int,
    breakdown: str = "all",
    status: np.ndarray | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": indicator,
            "period_end": ends,
            "period_type": LOCAL_INDICATORS[indicator],
            "breakdown": breakdown,
            "numerator": np.asarray(numerator, dtype=np.int64),
            "denominator": np.asarray(denominator, dtype=np.int64),
            "scale": scale,
            "status": "" if status is None else status,
        }
    )


def _with_teams(
    indicator: str, ends: pd.DatetimeIndex, numerator: np.ndarray, denominator: np.ndarray
) -> list[pd.DataFrame]:
    """The whole-council series and one per team (team columns sum to the whole)."""
    frames = [_series(indicator, ends, numerator.sum(axis=1), denominator.sum(axis=1), 100)]
    for k, team in enumerate(TEAMS):
        frames.append(
            _series(indicator, ends, numerator[:, k], denominator[:, k], 100, f"team: {team}")
        )
    return frames


def _local_scorecard(rng: np.random.Generator, population: np.ndarray) -> pd.DataFrame:
    """Demoshire's monthly and quarterly series, with internal counts for every row."""
    ends = MONTH_ENDS
    n = len(ends)
    t = np.arange(n)
    fy_start = np.minimum(np.asarray(ends.year - (ends.month < 4)), POPULATION_YEARS[-1])
    pop = population[fy_start - POPULATION_YEARS[0]]
    shifted = np.asarray(ends >= SHIFT_MONTH)[:, None]
    frames: list[pd.DataFrame] = []

    # Referrals and re-referrals by team: from April 2024 North's re-referral rate rises and
    # East (the team with most re-referrals) takes a bigger share of referrals.
    month = np.asarray(ends.month)
    season = np.select([month == 8, month == 12], [0.93, 0.95], 1.01)
    expected = 500 / 12 * pop / 10_000 * season
    shares = np.where(shifted, [0.28, 0.21, 0.30, 0.21], [0.30, 0.25, 0.20, 0.25])
    referrals = rng.poisson(expected[:, None] * shares)
    rates = np.where(shifted, [0.31, 0.19, 0.29, 0.20], [0.20, 0.19, 0.26, 0.20])
    rereferrals = rng.binomial(referrals, rates)
    total = referrals.sum(axis=1)
    frames.append(_series("referrals_rate_per_10k", ends, total, pop, 10_000))
    frames += _with_teams("rereferrals_12m_pct", ends, rereferrals, referrals)
    nfa = rng.binomial(total, 0.068)
    frames.append(_series("referrals_nfa_pct", ends, nfa, total, 100))

    # Assessments within 45 working days: stable, then down every month for DECLINE_MONTHS.
    assessments = rng.poisson(0.78 * expected[:, None] * [0.29, 0.24, 0.22, 0.25])
    declining = np.clip(t - (n - DECLINE_MONTHS - 1), 0, None)[:, None]
    noise = rng.normal(0.0, 1.0, (n, 4)) * np.where(declining > 0, 0.003, 0.012)
    in_time_share = (
        np.array([0.86, 0.83, 0.84, 0.85]) + noise - declining * [0.011, 0.011, 0.011, 0.022]
    )
    in_time = _count(in_time_share * assessments)
    frames += _with_teams("assessments_45d_pct", ends, in_time, assessments)

    # Children in need, section 47 enquiries and conferences.
    cin = _count(330 / 10_000 * pop + rng.normal(0.0, 50.0, n))
    frames.append(_series("cin_rate_per_10k", ends, cin, pop, 10_000))
    s47 = rng.poisson(165 / 12 * pop / 10_000)
    frames.append(_series("s47_rate_per_10k", ends, s47, pop, 10_000))
    conferences = rng.binomial(s47, 0.32)
    on_time = rng.binomial(conferences, 0.78)
    frames.append(_series("icpc_15d_pct", ends, on_time, conferences, 100))

    # Child protection plans: stock, starts, and plans open 2 years or more (improving).
    plans = _count(40 / 10_000 * pop + rng.normal(0.0, 15.0, n))
    frames.append(_series("cpp_rate_per_10k", ends, plans, pop, 10_000))
    starts = rng.poisson(52 / 12 * pop / 10_000)
    frames.append(
        _series("cpp_second_subsequent_pct", ends, rng.binomial(starts, 0.24), starts, 100)
    )
    long_plans = rng.binomial(plans, 0.032 - 0.027 * t / (n - 1))
    small = np.where((long_plans >= 1) & (long_plans <= SMALL_COUNT), "c", "")
    frames.append(_series("cpp_2yrs_plus_pct", ends, long_plans, plans, 100, status=small))

    # Children looked after: a slow rise; 3+ placements; missing (one month not returned).
    looked_after = _count(70 / 10_000 * pop + 1.5 * t + rng.normal(0.0, 8.0, n))
    frames.append(_series("cla_rate_per_10k", ends, looked_after, pop, 10_000))
    frames.append(
        _series(
            "cla_3plus_placements_pct", ends, rng.binomial(looked_after, 0.10), looked_after, 100
        )
    )
    in_year = _count(looked_after * 1.32)
    not_returned = np.where(ends == pd.Timestamp("2023-08-31"), "x", "")
    frames.append(
        _series(
            "cla_missing_pct",
            ends,
            rng.binomial(in_year, 0.11),
            in_year,
            100,
            status=not_returned,
        )
    )

    # Care leavers aged 19 to 21, quarterly.
    leavers = 300 + rng.poisson(30, len(QUARTER_ENDS))
    for indicator, share in (
        ("care_leavers_eet_pct", 0.55),
        ("care_leavers_accommodation_pct", 0.88),
    ):
        frames.append(_series(indicator, QUARTER_ENDS, rng.binomial(leavers, share), leavers, 100))

    # Social workers: in post, agency (improving), vacancies, leavers in the last 12 months,
    # case holders and cases (one month not returned).
    in_post = _count(735 + 0.6 * t + rng.normal(0.0, 4.0, n))
    agency_rate = 0.215 - 0.09 * t / (n - 1) + rng.normal(0.0, 0.004, n)
    agency = _count(in_post * agency_rate / (1 - agency_rate))
    vacancy_rate = 0.17 + rng.normal(0.0, 0.006, n)
    vacancies = _count(in_post * vacancy_rate / (1 - vacancy_rate))
    leavers_12m = _count(in_post * (0.15 + rng.normal(0.0, 0.007, n)))
    holders = _count(in_post * 0.6 + rng.normal(0.0, 3.0, n))
    cases = _count(holders * (16.2 + rng.normal(0.0, 0.25, n)))
    frames.append(_series("sw_turnover_pct", ends, leavers_12m, in_post, 100))
    frames.append(_series("sw_agency_pct", ends, agency, in_post + agency, 100))
    frames.append(_series("sw_vacancy_pct", ends, vacancies, in_post + vacancies, 100))
    missed = np.where(ends == pd.Timestamp("2024-12-31"), "x", "")
    frames.append(_series("sw_caseload", ends, cases, holders, 1, status=missed))

    local = pd.concat(frames, ignore_index=True)
    order = {k: i for i, k in enumerate(LOCAL_INDICATORS)}
    teams = {"all": 0} | {f"team: {team}": i + 1 for i, team in enumerate(TEAMS)}
    local["_order"] = local["indicator"].map(order) * 10 + local["breakdown"].map(teams)
    return local.sort_values(["_order", "period_end"], kind="stable").drop(columns="_order")


def _scorecard_rows(local: pd.DataFrame) -> list[list[str]]:
    rows = [
        [
            "indicator",
            "period_end",
            "period_type",
            "breakdown",
            "value",
            "numerator",
            "denominator",
            "status",
        ]
    ]
    for r in local.itertuples(index=False):
        value = _fmt(Decimal(int(r.numerator)) * r.scale / Decimal(int(r.denominator)), 4, False)
        numerator, denominator = str(r.numerator), str(r.denominator)
        if r.indicator in WITHOUT_COUNTS:
            numerator = denominator = ""
        if r.status == "c":
            value = numerator = ""
        elif r.status:
            value = numerator = denominator = ""
        rows.append(
            [
                r.indicator,
                r.period_end.strftime("%Y-%m-%d"),
                r.period_type,
                r.breakdown,
                value,
                numerator,
                denominator,
                r.status,
            ]
        )
    return rows


#: Annual count -> (scorecard id, column, how a year is made from it, multiplier). Flows add
#: up over the financial year, stocks are the 31 March figure, care leavers the mean of the
#: year's quarters, the workforce the 30 September figure (FTE in tenths, hence 10).
LOCAL_TO_ANNUAL = {
    "referral_count": ("referrals_rate_per_10k", "numerator", "sum", 1),
    "rereferral_count": ("rereferrals_12m_pct", "numerator", "sum", 1),
    "no_further_action_count": ("referrals_nfa_pct", "numerator", "sum", 1),
    "At31_episodes": ("cin_rate_per_10k", "numerator", "31 March", 1),
    "s47": ("s47_rate_per_10k", "numerator", "sum", 1),
    "icpc": ("icpc_15d_pct", "denominator", "sum", 1),
    "icpc_15d": ("icpc_15d_pct", "numerator", "sum", 1),
    "CPP_At31": ("cpp_rate_per_10k", "numerator", "31 March", 1),
    "CPP_start": ("cpp_second_subsequent_pct", "denominator", "sum", 1),
    "CPP_subsequent": ("cpp_second_subsequent_pct", "numerator", "sum", 1),
    "2_years_or_more": ("cpp_2yrs_plus_pct", "numerator", "31 March", 1),
    "cla_at31": ("cla_rate_per_10k", "numerator", "31 March", 1),
    "cla_3plus": ("cla_3plus_placements_pct", "numerator", "31 March", 1),
    "looked_after_in_year": ("cla_missing_pct", "denominator", "31 March", 1),
    "missing": ("cla_missing_pct", "numerator", "31 March", 1),
    "care_leavers": ("care_leavers_eet_pct", "denominator", "mean", 1),
    "care_leavers_eet": ("care_leavers_eet_pct", "numerator", "mean", 1),
    "care_leavers_suitable": ("care_leavers_accommodation_pct", "numerator", "mean", 1),
    "inpost10": ("sw_turnover_pct", "denominator", "30 September", 10),
    "leavers10": ("sw_turnover_pct", "numerator", "30 September", 10),
    "agency10": ("sw_agency_pct", "numerator", "30 September", 10),
    "vacancy10": ("sw_vacancy_pct", "numerator", "30 September", 10),
    "holders10": ("sw_caseload", "denominator", "30 September", 10),
    "cases": ("sw_caseload", "numerator", "30 September", 1),
}


def _local_annual(local: pd.DataFrame) -> Local:
    """Demoshire's annual counts from its scorecard, for the complete years it covers."""
    whole = local.loc[local["breakdown"] == "all"]
    ends = pd.DatetimeIndex(whole["period_end"])
    whole = whole.assign(fy=ends.year + (ends.month >= 4), month=ends.month, year=ends.year)
    months = whole.loc[whole["indicator"] == "referrals_rate_per_10k"].groupby("fy").size()
    whole = whole.assign(complete=whole["fy"].isin(months.index[months == 12]))
    annual: Local = {}
    for name, (indicator, column, how, factor) in LOCAL_TO_ANNUAL.items():
        rows = whole.loc[whole["indicator"] == indicator]
        complete = rows.loc[rows["complete"]]
        if how == "30 September":
            values = rows.loc[rows["month"] == 9].set_index("year")[column]
        elif how == "31 March":
            values = complete.loc[complete["month"] == 3].set_index("fy")[column]
        elif how == "sum":
            values = complete.groupby("fy")[column].sum()
        else:
            values = np.rint(complete.groupby("fy")[column].mean())
        annual[name] = {int(y): int(v) * factor for y, v in values.items()}
    return annual


# --------------------------------------------------------------------------- annual counts


def _annual_counts(rng: np.random.Generator, profile: _Profile, local: Local) -> Counts:
    """Every council's annual counts; Demoshire's come from its scorecard where it has them."""
    d = profile.deprivation
    pop = profile.population
    n = len(d)
    counts: Counts = {}

    def keep(name: str, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.int64).copy()
        for year, value in local.get(name, {}).items():
            if YEARS[0] <= year <= YEARS[-1]:
                values[0, year - YEARS[0]] = value
        counts[name] = values
        return values

    def share(base: float, spread: float, wobble: float, demo: float | None = None) -> np.ndarray:
        return _level(rng, base, d, spread=spread, wobble=wobble, demo=demo, share=True)

    def per_10k(
        base: float,
        elasticity: float,
        spread: float,
        wobble: float,
        trend: float = 0.0,
        demo: float | None = None,
    ) -> np.ndarray:
        """Expected counts from a rate per 10,000 children."""
        rate = _level(
            rng,
            base,
            d,
            spread=spread,
            wobble=wobble,
            elasticity=elasticity,
            trend=trend,
            demo=demo,
        )
        return rate * pop / 10_000

    def uniform(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, (n, len(YEARS)))

    # c1: referrals and re-referrals.
    referrals = keep("referral_count", _count(per_10k(520, 0.15, 0.15, 0.05, demo=500)))
    rereferral_share = share(0.225, 0.2, 0.06, demo=0.21)
    rereferrals = keep("rereferral_count", rng.binomial(referrals, rereferral_share))
    keep("no_further_action_count", rng.binomial(referrals, share(0.05, 0.8, 0.2, demo=0.068)))
    keep("not_in_need_count", rng.binomial(referrals, share(0.30, 0.25, 0.08)))
    children = keep("referral_child_count", _count(referrals * uniform(0.86, 0.90)))
    actual_share = rereferrals / np.maximum(referrals, 1)
    keep("rereferral_child_count", rng.binomial(children, actual_share * 0.93))

    # b1: children in need.
    at31 = keep("At31_episodes", _count(per_10k(330, 0.2, 0.15, 0.04)))
    started = keep("Started_episodes", _count(at31 * uniform(0.92, 1.06)))
    keep("Started_child", _count(started * uniform(0.92, 0.95)))
    ended = keep("Ended_episodes", _count(started * uniform(0.86, 0.92)))
    keep("Ended_child", _count(ended * uniform(0.93, 0.955)))
    anypoint = keep("Anypoint_episodes", at31 + ended)
    keep("Anypoint_child", _count(anypoint * uniform(0.92, 0.94)))
    keep("awaiting_assessment", _count(at31 * 0.04 * np.exp(rng.normal(0, 0.5, at31.shape))))

    # d3 and d5: child protection plans starting, and open at 31 March by length.
    cpp_start = keep("CPP_start", _count(per_10k(51, 0.25, 0.2, 0.08, demo=52)))
    subsequent = share(0.245, 0.2, 0.1, demo=0.24)
    keep("CPP_subsequent", rng.binomial(cpp_start, subsequent))
    cpp = keep("CPP_At31", _count(per_10k(40, 0.3, 0.2, 0.08)))
    long_plans = keep("2_years_or_more", rng.binomial(cpp, share(0.023, 0.5, 0.3, demo=0.035)))
    shorter = rng.multinomial(cpp - long_plans, [0.3225, 0.261, 0.2692, 0.1473])
    for k, band in enumerate(DURATIONS[:-1]):
        keep(band, shorter[..., k])

    # Children looked after: at 31 March, starting and ceasing during the year.
    cla = keep("cla_at31", _count(per_10k(70, 0.35, 0.2, 0.04, trend=0.01)))
    keep("cla_start", _count(per_10k(26, 0.3, 0.2, 0.08)))
    ceased = keep("cla_ceased", _count(per_10k(27, 0.3, 0.2, 0.08)))

    # LAIT measures without an EES file here.
    s47 = keep("s47", _count(per_10k(165, 0.2, 0.25, 0.08)))
    icpc = keep("icpc", rng.binomial(s47, 0.32))
    keep("icpc_15d", rng.binomial(icpc, share(0.78, 0.5, 0.3)))
    keep("cla_3plus", rng.binomial(cla, share(0.10, 0.2, 0.15)))
    in_year = keep("looked_after_in_year", cla + ceased)
    keep("missing", rng.binomial(in_year, share(0.11, 0.3, 0.15)))
    care_leavers = keep("care_leavers", _count(cla * 0.2))
    keep("care_leavers_eet", rng.binomial(care_leavers, share(0.55, 0.25, 0.12)))
    keep("care_leavers_suitable", rng.binomial(care_leavers, share(0.88, 0.4, 0.2)))

    # csww: the social work workforce at 30 September, FTE in tenths.
    inpost = keep("inpost10", _count(per_10k(300, 0.2, 0.12, 0.04)))
    headcount = uniform(1.04, 1.08)  # people per FTE; part of an FTE is still a person
    keep("inpost_headcount", np.ceil(inpost / 10 * headcount))
    starters = keep("starters10", _count(inpost * share(0.16, 0.2, 0.15)))
    keep("starters_headcount", np.ceil(starters / 10 * headcount))
    leavers = keep("leavers10", _count(inpost * share(0.15, 0.25, 0.15)))
    keep("leavers_headcount", np.ceil(leavers / 10 * headcount))
    agency_rate = share(0.15, 0.5, 0.2, demo=0.20)
    agency = _count(inpost * agency_rate / (1 - agency_rate))
    agency[_position("713"), 2019 - YEARS[0]] = 3  # Lindenford, 2019: 0.3 FTE, published 'low'
    agency[_position("719"), WORKFORCE_FIRST_YEAR - YEARS[0]] = 0  # Wrenham, 2017: no agency
    agency = keep("agency10", agency)
    keep("agency_headcount", np.ceil(agency / 10 * 1.03))
    vacancy_rate = share(0.17, 0.35, 0.15)
    vacancies = keep("vacancy10", _count(inpost * vacancy_rate / (1 - vacancy_rate)))
    keep("agency_cover10", _count(np.minimum(agency, vacancies) * uniform(0.6, 1.0)))
    holders = keep("holders10", _count(inpost * 0.58 * uniform(0.95, 1.05)))
    caseload = _level(rng, 16.0, d, spread=0.1, wobble=0.06, demo=16.2)
    keep("cases", _count(holders / 10 * caseload))
    absence = share(0.035, 0.2, 0.15)
    keep("days_lost10", _count(inpost * 253 * absence))
    counts["population"] = pop
    return counts


# --------------------------------------------------------------------------- EES files


@dataclass(frozen=True)
class _Area:
    level: str  # as EES writes it: National, Regional, Local authority
    code: str
    name: str
    region_code: str
    region_name: str
    la_number: str
    members: tuple[int, ...]  # council positions whose counts add up to this area


def _areas() -> list[_Area]:
    everyone = tuple(range(len(DEMO_COUNCILS)))
    areas = [_Area("National", *ENGLAND, "", "", "", everyone)]
    for code, name in REGIONS:
        members = tuple(i for i, c in enumerate(DEMO_COUNCILS) if c.region_code == code)
        areas.append(_Area("Regional", code, name, code, name, "", members))
    for i, c in enumerate(DEMO_COUNCILS):
        areas.append(
            _Area(
                "Local authority",
                c.area_code,
                c.area_name,
                c.region_code,
                c.region_name,
                c.la_number,
                (i,),
            )
        )
    return areas


def _geography(area: _Area, year: int, cla_order: bool = False) -> list[str]:
    is_la = area.level == "Local authority"
    cells = [
        str(year),
        "Reporting year",
        area.level,
        ENGLAND[0],
        ENGLAND[1],
        area.region_code,
        area.region_name,
        area.la_number,
    ]
    la = [area.code if is_la else "", area.name if is_la else ""]
    return cells + (la[::-1] if cla_order else la)


Cells = Callable[[dict[str, int], int], list[list[str]]]
"""Builds one area-year's cells after the geography: (totals, year) -> rows of cells."""


def _ees_rows(
    header: list[str],
    counts: Counts,
    years: Sequence[int],
    cells: Cells,
    symbols: dict[tuple[str, int], dict[str, str]] | None = None,
    cla_order: bool = False,
    quoted_blanks: bool = False,
) -> list[list[str]]:
    """Header and rows, newest year first, then England, regions and councils.

    ``symbols`` replaces published cells of council rows: (DfE number, year) -> {column: code}.
    ``quoted_blanks`` writes empty text geography as ``""`` (as the d3 and d5 files do).
    """
    rows: list[list[str]] = [header]
    width = len(_GEOGRAPHY)
    text_columns = {"region_code", "region_name", "new_la_code", "la_name"}
    areas = _areas()
    sums = [{k: v[list(a.members)].sum(axis=0) for k, v in counts.items()} for a in areas]
    for year in sorted(years, reverse=True):
        j = year - YEARS[0]
        for area, area_sums in zip(areas, sums, strict=True):
            totals = {k: int(v[j]) for k, v in area_sums.items()}
            for tail in cells(totals, year):
                row = _geography(area, year, cla_order) + tail
                for column, code in (symbols or {}).get((area.la_number, year), {}).items():
                    row[header.index(column)] = code
                if quoted_blanks:
                    row = [
                        '""' if i < width and not cell and header[i] in text_columns else cell
                        for i, cell in enumerate(row)
                    ]
                rows.append(row)
    return rows


def _not_returned(columns: list[str]) -> dict[tuple[str, int], dict[str, str]]:
    values = columns[len(_GEOGRAPHY) + 1 :]
    return {NOT_RETURNED: dict.fromkeys(values, "x")}


def _c1(t: dict[str, int], year: int) -> list[list[str]]:
    referrals, children = t["referral_count"], t["referral_child_count"]
    return [
        [
            "Referrals and Re-referrals",
            str(referrals),
            str(t["rereferral_count"]),
            _ratio(t["rereferral_count"], referrals, 100, 1),
            str(t["no_further_action_count"]),
            _ratio(t["no_further_action_count"], referrals, 100, 1),
            str(t["not_in_need_count"]),
            _ratio(t["not_in_need_count"], referrals, 100, 1),
            str(children),
            str(t["rereferral_child_count"]),
            _ratio(t["rereferral_child_count"], children, 100, 1),
        ]
    ]


def _b1(t: dict[str, int], year: int) -> list[list[str]]:
    return [["Children in Need"] + [str(t[c]) for c in B1_COLUMNS[len(_GEOGRAPHY) + 1 :]]]


def _d3(t: dict[str, int], year: int) -> list[list[str]]:
    return [
        [
            "Child Protection Plans which are a second or subsequent plan",
            str(t["CPP_start"]),
            str(t["CPP_subsequent"]),
            _ratio(t["CPP_subsequent"], t["CPP_start"], 100, 1),
        ]
    ]


def _d5(t: dict[str, int], year: int) -> list[list[str]]:
    cells = ["Child Protection Plans by length of time", str(t["CPP_At31"])]
    for band in DURATIONS:
        cells += [str(t[band]), _ratio(t[band], t["CPP_At31"], 100, 1)]
    return [cells]


def _d5_symbols(counts: Counts) -> dict[tuple[str, int], dict[str, str]]:
    """Plans of 2 years or more numbering 1 to SMALL_COUNT are suppressed ('c'), with the 1 to 2
    year band so that the suppressed count cannot be worked out (as DfE does)."""
    symbols = _not_returned(D5_COLUMNS)
    small = counts["2_years_or_more"]
    cells = [c for band in DURATIONS[-2:] for c in (band, f"{band}_percent")]
    for i, j in zip(*np.nonzero((small >= 1) & (small <= SMALL_COUNT)), strict=True):
        symbols.setdefault((DEMO_COUNCILS[i].la_number, int(YEARS[j])), dict.fromkeys(cells, "c"))
    return symbols


def _cla(t: dict[str, int], year: int) -> list[list[str]]:
    pop = t["population"]
    rows = []
    for label, name in (
        ("Children ceasing to be looked after each year", "cla_ceased"),
        ("Children looked after on 31 March each year", "cla_at31"),
        ("Children starting to be looked after each year", "cla_start"),
    ):
        rows.append([label, str(pop), str(t[name]), _ratio(t[name], pop, 10_000, 0)])
    return rows


def _csww(t: dict[str, int], year: int) -> list[list[str]]:
    inpost, agency, vacancy = t["inpost10"], t["agency10"], t["vacancy10"]
    return [
        [
            _tenths(inpost),
            str(t["inpost_headcount"]),
            _tenths(t["starters10"]),
            str(t["starters_headcount"]),
            _tenths(t["leavers10"]),
            str(t["leavers_headcount"]),
            _ratio(t["leavers10"], inpost, 100, 1),
            _ratio(t["leavers_headcount"], t["inpost_headcount"], 100, 1),
            _tenths(agency),
            str(t["agency_headcount"]),
            _ratio(agency, agency + inpost, 100, 1),
            _ratio(t["agency_headcount"], t["agency_headcount"] + t["inpost_headcount"], 100, 1),
            _tenths(t["agency_cover10"]),
            _ratio(t["agency_cover10"], agency, 100, 1),
            _tenths(vacancy),
            _ratio(vacancy, vacancy + inpost, 100, 1),
            _ratio(t["agency_cover10"], vacancy, 100, 1),
            _tenths(t["holders10"]),
            str(t["cases"]),
            _ratio(t["cases"] * 10, t["holders10"], 1, 1),
            _tenths(t["days_lost10"]),
            _ratio(t["days_lost10"], inpost * 253, 100, 1),
        ]
    ]


def _csww_symbols(counts: Counts) -> dict[tuple[str, int], dict[str, str]]:
    """Agency FTE under 0.5 is published as 'low' (rounds to zero); Coldwater did not return
    its vacancies in 2021 ('x')."""
    symbols: dict[tuple[str, int], dict[str, str]] = {
        ("714", 2021): dict.fromkeys(
            ["vacancy_fte", "vacancy_rate_fte", "vacancy_agency_cover_rate_fte"], "x"
        )
    }
    agency = counts["agency10"]
    for i, j in zip(*np.nonzero((agency >= 1) & (agency <= 4)), strict=True):
        symbols[(DEMO_COUNCILS[i].la_number, int(YEARS[j]))] = dict.fromkeys(
            ["agency_fte", "agency_rate_fte", "agency_cover_fte", "agency_cover_rate_fte"], "low"
        )
    return symbols


def _population_rows(counts: Counts) -> list[list[str]]:
    def cells(t: dict[str, int], year: int) -> list[list[str]]:
        return [["Children aged 0 to 17 years", str(t["population"])]]

    # The estimate for mid-year Y is stored against reporting year Y + 1.
    shifted = _ees_rows(POPULATION_COLUMNS, counts, list(YEARS), cells)
    for row in shifted[1:]:
        row[0] = str(int(row[0]) - 1)
    return shifted


# --------------------------------------------------------------------------- neighbours, Ofsted


def _neighbour_rows(profile: _Profile) -> list[list[str]]:
    """The 10 councils nearest on deprivation, rurality and size, closest first."""
    size = np.log(profile.population[:, -1])
    traits = np.column_stack(
        [profile.deprivation, profile.rurality, (size - size.mean()) / size.std() / 2]
    )
    distance = np.sqrt(((traits[:, None, :] - traits[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :10]
    chosen = np.take_along_axis(distance, nearest, axis=1)
    cuts = np.quantile(chosen, [0.03, 0.45, 0.85, 0.95])
    bands = np.array(["Extremely close", "Very close", "Close ", "Somewhat close", "Not close"])
    closeness = bands[np.searchsorted(cuts, chosen)]
    region_ind = {code: str(k + 1) for k, (code, _) in enumerate(REGIONS)}
    rows = [SN_COLUMNS]
    for i, c in enumerate(DEMO_COUNCILS):
        row = [c.la_number, c.area_name, region_ind[c.region_code], c.region_name]
        for k in range(10):
            row += [DEMO_COUNCILS[nearest[i, k]].la_number, str(closeness[i, k])]
        rows.append(row)
    return rows


def _ofsted_rows(rng: np.random.Generator) -> list[list[str | date | None]]:
    """Latest ILACS judgements: a realistic mix; Demoshire requires improvement."""
    overall = np.repeat(np.arange(4), [5, 12, 9, 4])
    rng.shuffle(overall)
    ri = int(np.flatnonzero(overall == 2)[0])
    overall[[0, ri]] = overall[[ri, 0]]
    monday = date(2021, 6, 7)
    rows: list[list[str | date | None]] = [
        ["Local authority inspection judgements as at 31 March 2025 (FICTIONAL DEMO DATA)"],
        [
            "This worksheet contains one table with no blank rows or columns. Every council and "
            "judgement in it is fictional."
        ],
        list(OFSTED_COLUMNS),
    ]
    table = []
    for i, c in enumerate(DEMO_COUNCILS):
        inspected = monday + timedelta(weeks=int(rng.integers(0, 196)))
        published = inspected + timedelta(days=int(7 * rng.integers(5, 9) + 4))
        steps = rng.choice([-1, 0, 1], size=4, p=[0.2, 0.6, 0.2])
        subs: list[str | None] = [JUDGEMENTS[int(np.clip(overall[i] + s, 0, 3))] for s in steps]
        if inspected < CARE_LEAVERS_JUDGED_FROM:
            subs[3] = None
        table.append(
            [
                "No web page (fictional council)",
                c.area_code,
                c.area_name,
                c.region_name,
                inspected,
                published,
                JUDGEMENTS[overall[i]],
                *subs,
            ]
        )
    return rows + sorted(table, key=lambda r: str(r[2]))


def _ods_cell(cell: str | date | None) -> str:
    if cell is None or cell == "":
        return "<table:table-cell/>"
    if isinstance(cell, date):
        iso = cell.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{iso}</text:p></table:table-cell>"
        )
    text = escape(str(cell))
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def _write_ods(path: Path, sheets: dict[str, list[list[str | date | None]]]) -> None:
    """A minimal OpenDocument spreadsheet with fixed zip timestamps (byte-identical output)."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(c) for c in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content {ns} office:version="1.2"><office:body>'
        f"<office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>\n"
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-styles {ns} office:version="1.2"/>\n'
    )
    mimetype = "application/vnd.oasis.opendocument.spreadsheet"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        f'manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>\n"
    )
    parts = [
        ("mimetype", mimetype, zipfile.ZIP_STORED),
        ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
        ("content.xml", content, zipfile.ZIP_DEFLATED),
        ("styles.xml", styles, zipfile.ZIP_DEFLATED),
    ]
    with zipfile.ZipFile(path, "w") as archive:
        for name, text, method in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))


# --------------------------------------------------------------------------- LAIT


@dataclass(frozen=True)
class _Measure:
    short: str
    item: str
    numerator: str
    denominator: str  # a count, or "population" for rates per 10,000
    dps: int
    polarity: str  # as LAIT's dictionary: High, Low or -
    topic: str
    y_axis: str
    year_type: str
    code: str


LAIT_MEASURES = (
    _Measure(
        "Section_47",
        "Section 47 enquiries per 10,000 children",
        "s47",
        "population",
        1,
        "-",
        "Child Protection",
        "Rate per 10,000",
        "Financial Year",
        "217",
    ),
    _Measure(
        "CP_conf_15days",
        "Initial child protection conferences within 15 working days (%)",
        "icpc_15d",
        "icpc",
        1,
        "High",
        "Child Protection",
        "% conferences held",
        "Financial Year",
        "218",
    ),
    _Measure(
        "CPP_rate",
        "Children on a child protection plan at 31 March per 10,000 children",
        "CPP_At31",
        "population",
        1,
        "-",
        "Child Protection",
        "Rate per 10,000",
        "Annual",
        "215",
    ),
    _Measure(
        "LACStable_2016on",
        "Children looked after with 3 or more placements (%)",
        "cla_3plus",
        "cla_at31",
        0,
        "Low",
        "Children Looked After",
        "% with 3 or more placements",
        "Financial Year",
        "372",
    ),
    _Measure(
        "Children_missing",
        "Children looked after who went missing (%)",
        "missing",
        "looked_after_in_year",
        0,
        "-",
        "Children Looked After",
        "% of children",
        "Financial Year",
        "161",
    ),
    _Measure(
        "CareLeaverEET",
        "Care leavers aged 19 to 21 in education, employment or training",
        "care_leavers_eet",
        "care_leavers",
        0,
        "High",
        "Children Looked After",
        "% of leavers",
        "Financial Year",
        "113",
    ),
    _Measure(
        "CareLeaverAcc",
        "Care leavers aged 19 to 21 in suitable accommodation",
        "care_leavers_suitable",
        "care_leavers",
        0,
        "High",
        "Children Looked After",
        "% of leavers",
        "Financial Year",
        "112",
    ),
    _Measure(
        "ReReferral",
        "Referrals within 12 months of a previous referral (%)",
        "rereferral_count",
        "referral_count",
        1,
        "Low",
        "Child Protection",
        "% of referrals",
        "Financial Year",
        "271",
    ),
)
FROM_CIN_CENSUS = ("Section_47", "CP_conf_15days", "CPP_rate", "ReReferral")
SMALL_COHORT = 25
"""Care leaver cohorts smaller than this are not published by LAIT ('-') in the demo."""


def _lait_table(counts: Counts) -> pa.Table:
    """Every measure x year x area: councils by name, then England, then the regions."""
    areas = _areas()
    councils = sorted((a for a in areas if a.level == "Local authority"), key=lambda a: a.name)
    lait_number = {ENGLAND[0]: LAIT_ENGLAND} | {
        code: n for (code, _), n in zip(REGIONS, LAIT_REGIONS, strict=True)
    }
    columns: dict[str, list] = {c: [] for c in LAIT_COLUMNS}
    for m in LAIT_MEASURES:
        denominator = counts["population" if m.denominator == "population" else m.denominator]
        scale = 10_000 if m.denominator == "population" else 100
        for j, year in enumerate(YEARS):
            for area in councils + areas[: 1 + len(REGIONS)]:
                members = list(area.members)
                num = int(counts[m.numerator][members, j].sum())
                den = int(denominator[members, j].sum())
                value = _ratio(num, den, scale, m.dps)
                is_la = area.level == "Local authority"
                hidden = (
                    m.short in FROM_CIN_CENSUS and (area.la_number, year) == NOT_RETURNED
                ) or (m.denominator == "care_leavers" and den < SMALL_COHORT)
                columns["Short Desc"].append(m.short)
                columns["Data item"].append(m.item)
                columns["Years"].append(str(year))
                columns["LA and Regions"].append(area.name)
                columns["Values"].append("-" if is_la and hidden else value)
                columns["LA Number"].append(
                    float(area.la_number) if is_la else lait_number[area.code]
                )
                columns["Region"].append(area.region_name if is_la else "NA")
    types = {"LA Number": pa.float64()}
    return pa.table({c: pa.array(v, type=types.get(c, pa.string())) for c, v in columns.items()})


def _lait_dictionary_rows() -> list[list[str]]:
    rows = [LAIT_DICTIONARY_COLUMNS]
    for m in LAIT_MEASURES:
        description = f"{m.item}. Fictional demo data generated by Compendium."
        rows.append(
            [
                m.code,
                m.topic,
                m.item,
                m.item,
                m.short,
                m.polarity,
                m.y_axis,
                "NA",
                "Demo data (fictional)",
                description,
                "",
                "",
                "Compendium demo (fictional)",
                "-",
                "",
                str(m.dps),
                m.year_type,
                "NA",
            ]
        )
    return rows


# --------------------------------------------------------------------------- writing


def write_demo(out_dir: Path | str) -> dict[str, Path]:
    """Write the whole fictional data set under ``out_dir``; return relative name -> path.

    The output is byte-identical between runs (fixed seed, no timestamps anywhere).

    >>> sorted(write_demo("demo-data"))[:2]  # doctest: +SKIP
    ['README.txt', 'ees/LA_Inspection_Outcomes_as_at_31_March_2025.ods']
    """
    out = Path(out_dir)
    for folder in ("ees", "lait", "local"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    areas_rng, local_rng, annual_rng, ofsted_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(4)
    )
    profile = _profiles(areas_rng)
    local = _local_scorecard(local_rng, profile.population[0])
    counts = _annual_counts(annual_rng, profile, _local_annual(local))
    census = list(YEARS)
    workforce = [y for y in YEARS if y >= WORKFORCE_FIRST_YEAR]
    paths = {name: out / relative for name, relative in FILES.items()}

    _write_csv(paths["scorecard"], _scorecard_rows(local))
    _write_csv(paths["c1"], _ees_rows(C1_COLUMNS, counts, census, _c1, _not_returned(C1_COLUMNS)))
    _write_csv(paths["b1"], _ees_rows(B1_COLUMNS, counts, census, _b1, _not_returned(B1_COLUMNS)))
    _write_csv(
        paths["d3"],
        _ees_rows(D3_COLUMNS, counts, census, _d3, _not_returned(D3_COLUMNS), quoted_blanks=True),
    )
    _write_csv(
        paths["d5"],
        _ees_rows(D5_COLUMNS, counts, census, _d5, _d5_symbols(counts), quoted_blanks=True),
    )
    _write_csv(paths["cla"], _ees_rows(CLA_COLUMNS, counts, census, _cla, cla_order=True))
    _write_csv(
        paths["csww"], _ees_rows(CSWW_COLUMNS, counts, workforce, _csww, _csww_symbols(counts))
    )
    _write_csv(paths["population"], _population_rows(counts))
    _write_csv(paths["neighbours"], _neighbour_rows(profile))
    _write_ods(
        paths["ofsted"],
        {
            "Cover": [
                ["Local authority inspection outcomes as at 31 March 2025"],
                ["FICTIONAL DEMO DATA: every council and judgement here is invented."],
            ],
            OFSTED_SHEET: _ofsted_rows(ofsted_rng),
        },
    )
    pq.write_table(_lait_table(counts), paths["lait"])
    _write_csv(paths["lait_dictionary"], _lait_dictionary_rows(), quote_all=True, newline="\r\n")
    paths["readme"].write_text(_README.format(seed=SEED), encoding="utf-8")
    return {relative: paths[name] for name, relative in FILES.items()}
