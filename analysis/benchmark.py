"""Benchmarks for annual published data: comparator groups, ranks, quartile bands, significance.

Everything here works on the tidy table (:mod:`analysis.tidy`), one row per indicator x area x
period; only whole-area rows (``breakdown == "all"``) are used. Councils are the rows with
``area_level == "local authority"``; England is the ``"national"`` row and a region the
``"regional"`` row whose ``area_code`` is the council's ``region_code``. Suppressed values are
NaN and are always left out, never counted as zero. Following ``docs/methods.md`` section 2:

- Comparator group figure (:func:`comparator_figures`): ``mean`` of the members' values (as
  LAIT), ``median`` (as the DfE children's social care dashboard) or ``pooled`` (sum of
  numerators over sum of denominators, times the indicator's scale). Every figure carries its
  ``method``, ``n`` (members with a value; for ``pooled``, with a numerator and a denominator)
  and a ``reason`` when there is no figure. England and the region are the published rows
  when they have a value (method ``"published"``), otherwise computed from the councils by
  ``method``. Statistical neighbours are each council's own list; Good or Outstanding
  councils and any named group are the same list for every council.
- National rank (:func:`national_rank`): 1 is best by polarity, tied values share the lowest
  rank (``min``), out of the councils with a value (``rank_of``); neutral indicators get none.
  :func:`rank_within` ranks a council among itself and its neighbours (1 to 11).
- Quartile bands (:func:`quartile_bands`), the LAIT rule: per indicator x period, quartiles of
  all councils' values by the type-7 (linear) method; quartile 1 if value <= Q1, 2 if <= Q2,
  3 if <= Q3, else 4. Lower is better: quartiles 1..4 are bands A..D; higher is better: D..A.
  Neutral indicators get no band, only ``compared``: "lower" (quartile 1), "similar"
  (quartiles 2 and 3) or "higher" (quartile 4). With fewer than 4 councils with a value, or
  when every council has the same value, there are no bands and ``reason`` says why.
- Compared with a benchmark (:func:`compare_with_benchmark`): "similar" if the benchmark lies
  inside the council's confidence interval (Wilson for proportions, Byar / exact Poisson for
  rates; ends included), else "higher" or "lower", then "better" or "worse" by polarity.
- Funnel plot limits for proportions (:func:`funnel_limits`, :func:`overdispersion`) after
  Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Statistics in
  Medicine 24:1185-1202.

:func:`benchmark_all` does all of it for every indicator, period and council at once: the
table becomes indicator-period x council matrices, so the whole LAIT data set (640,000 rows)
takes a second or two.

Scale (the multiplier from a proportion or count per head to the published value: 100 for a
percentage, 10,000 for a rate per 10,000) comes from ``scale_by_indicator`` (see
:func:`analysis.values.scale_from_unit`), otherwise it is inferred per indicator as the power
of ten nearest the median of ``value / (numerator / denominator)`` over councils with all
three, if that median is within 5% of it; otherwise, or with no such rows, there is no pooled
figure and the reason says so. An indicator is a proportion or a rate (which interval) as
``kind_by_indicator`` says, otherwise a scale of 1 or 100 with no numerator above its
denominator makes it a proportion and anything else a rate. Councils in group lists may be
given by area code or by DfE number (translated through the table's ``la_number``).

>>> table = example_table()
>>> national_rank(table, {"rereferrals": "low"})["national_rank"].tolist()
[1.0, 2.0, 2.0, 4.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import binom

from analysis.catalogue import METHODS, POLARITIES
from analysis.intervals import byar, level, wilson, z_score
from analysis.values import numbers

LOCAL_AUTHORITY = "local authority"
NATIONAL = "national"
REGIONAL = "regional"
KINDS = ("proportion", "rate")
PUBLISHED = "published"
ENGLAND = "england"
REGION = "region"
STATISTICAL_NEIGHBOURS = "statistical_neighbours"
GOOD_OR_OUTSTANDING = "good_or_outstanding"
BANDS = ("A", "B", "C", "D")
POSITIONS = ("lower", "similar", "higher")
OUTCOMES = ("better", "similar", "worse", "higher", "lower")
#: How the reasons that a figure cannot be compared with a benchmark begin.
CANNOT_COMPARE = "cannot be compared: "
NO_COUNTS = CANNOT_COMPARE + "the counts behind the figure are not published"
BAD_COUNTS = CANNOT_COMPARE + "the numerator and denominator are not valid"
NO_BENCHMARK = CANNOT_COMPARE + "no benchmark figure"
NO_VALUE = "no value"
FEW_COUNCILS = "fewer than 4 councils with a value"
SAME_VALUE = "every council has the same value"
NEUTRAL = "neutral indicator: no band, only higher / similar / lower"
NO_SCALE = "the indicator's scale is not known: give it in scale_by_indicator"
#: How far the median of value / (numerator / denominator) may be from a power of ten.
SCALE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Comparators:
    """Who each council is compared with, besides England and its region.

    ``neighbours`` maps a council to its statistical neighbours; ``good_or_outstanding`` and
    each list in ``named`` are one group, the same for every council.

    >>> Comparators(neighbours={"A": ["B", "C"]}).groups(["A"])
    {'statistical_neighbours': {'A': ['B', 'C']}}
    """

    neighbours: Mapping[str, Sequence[str]] = field(default_factory=dict)
    good_or_outstanding: Sequence[str] = ()
    named: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def groups(self, focus: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        """Group name -> council -> members, for the councils in ``focus``."""
        out: dict[str, dict[str, list[str]]] = {}
        if self.neighbours:
            neighbours = {f: list(self.neighbours[f]) for f in focus if f in self.neighbours}
            out[STATISTICAL_NEIGHBOURS] = neighbours
        if len(self.good_or_outstanding):
            out[GOOD_OR_OUTSTANDING] = {f: list(self.good_or_outstanding) for f in focus}
        for name, members in self.named.items():
            out[name] = {f: list(members) for f in focus}
        return out


def example_table() -> pd.DataFrame:
    """A four-council tidy table (one indicator, one year) for examples and quick checks."""
    return pd.DataFrame(
        {
            "indicator": "rereferrals",
            "area_code": ["A", "B", "C", "D", "R1", "E"],
            "area_level": [LOCAL_AUTHORITY] * 4 + [REGIONAL, NATIONAL],
            "region_code": ["R1", "R1", "R2", "R2", None, None],
            "period": "2025",
            "value": [20.0, 25.0, 25.0, 30.0, 22.0, 24.0],
            "numerator": [20.0, 50.0, 25.0, 90.0, np.nan, np.nan],
            "denominator": [100.0, 200.0, 100.0, 300.0, np.nan, np.nan],
        }
    )


def _categories(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """Labels from integer codes (-1: null), without building a string per row."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype="int64"), categories=list(categories))


# --- the table as matrices ------------------------------------------------------------------


@dataclass(frozen=True)
class _Panel:
    """The tidy table as indicator-period (rows) x council (columns) matrices.

    The value, numerator and denominator matrices have one extra, all-NaN column at index
    ``missing``: group members that are not in the table point there and so have no value.
    ``row_key`` and ``row_area`` place each council row of the table (``la_rows``).
    """

    keys: pd.DataFrame
    areas: pd.Index
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    england: np.ndarray
    regions: pd.Index
    region_value: np.ndarray
    region_of: np.ndarray
    la_rows: pd.DataFrame
    row_key: np.ndarray
    row_area: np.ndarray
    number_to_code: dict[str, str]

    @property
    def missing(self) -> int:
        return len(self.areas)

    def index_of(self, codes: Sequence[str]) -> np.ndarray:
        """Column indices of councils by area code or DfE number (unknown: the NaN column)."""
        resolved = [self.number_to_code.get(str(c), str(c)) for c in codes]
        where = self.areas.get_indexer(resolved)
        return np.where(where < 0, self.missing, where)

    def by_area_code(self, by_focus: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """A council -> members mapping keyed by area code (DfE numbers translated)."""
        return {self.number_to_code.get(str(k), str(k)): list(v) for k, v in by_focus.items()}

    def polarity(self, polarity_by_indicator: Mapping[str, str]) -> np.ndarray:
        """Polarity per key; an indicator not in the mapping is neutral."""
        given = self.keys["indicator"].map(dict(polarity_by_indicator)).to_numpy(dtype=object)
        polarity = np.where(pd.isna(given), "neutral", given).astype(object)
        bad = sorted({str(p) for p in pd.unique(polarity)} - set(POLARITIES))
        if bad:
            raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, not {bad}")
        return polarity

    def rows(self) -> pd.DataFrame:
        """indicator, period, area_code and value of each council row."""
        out = self.la_rows[["indicator", "period", "area_code"]].copy()
        out["value"] = self.value[self.row_key, self.row_area]
        return out


def _matrix(shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, values: np.ndarray):
    matrix = np.full(shape, np.nan)
    matrix[rows, cols] = values
    return matrix


def _check_unique(rows: np.ndarray, cols: np.ndarray, frame: pd.DataFrame, what: str) -> None:
    duplicated = pd.DataFrame({"row": rows, "col": cols}).duplicated().to_numpy()
    if duplicated.any():
        first = frame.iloc[int(np.flatnonzero(duplicated)[0])]
        raise ValueError(
            f"the table has more than one whole-area row for {what} {first['area_code']!r}, "
            f"indicator {first['indicator']!r}, period {first['period']!r}: expected one"
        )


def _panel(table: pd.DataFrame) -> _Panel:
    needed = ("indicator", "area_code", "area_level", "period", "value")
    absent = [c for c in needed if c not in table]
    if absent:
        raise ValueError(f"the table lacks the column(s) {', '.join(absent)}")
    rows = table
    if "breakdown" in rows:
        rows = rows.loc[rows["breakdown"].fillna("all").astype(str) == "all"]
    rows = rows.loc[rows["indicator"].notna() & rows["period"].notna() & rows["area_code"].notna()]
    rows = rows.reset_index(drop=True)
    indicator_code, indicators = pd.factorize(rows["indicator"])
    period_code, periods = pd.factorize(rows["period"])
    width = max(len(periods), 1)
    key_code, key_uniques = pd.factorize(indicator_code.astype("int64") * width + period_code)
    keys = pd.DataFrame(
        {
            "indicator": np.asarray(indicators, dtype=object)[key_uniques // width],
            "period": np.asarray(periods, dtype=object)[key_uniques % width],
        }
    )
    level_of_row = rows["area_level"].astype(str).to_numpy()

    is_la = level_of_row == LOCAL_AUTHORITY
    la = rows.loc[is_la].reset_index(drop=True)
    la_key = key_code[is_la]
    la_area, areas = pd.factorize(la["area_code"].astype(str))
    areas = pd.Index(areas)
    _check_unique(la_key, la_area, la, "council")
    shape = (len(keys), len(areas) + 1)
    value, numerator, denominator = (
        _matrix(shape, la_key, la_area, numbers(la, name))
        for name in ("value", "numerator", "denominator")
    )

    is_national = level_of_row == NATIONAL
    national = rows.loc[is_national]
    _check_unique(key_code[is_national], np.zeros(len(national)), national, "England")
    england = np.full(len(keys), np.nan)
    england[key_code[is_national]] = numbers(national, "value")

    is_regional = level_of_row == REGIONAL
    regional = rows.loc[is_regional]
    region_text = (
        la["region_code"].astype("string")
        if "region_code" in la
        else pd.Series(pd.NA, index=la.index, dtype="string")
    )
    council_region = (
        pd.DataFrame({"area": la_area, "region": region_text})
        .dropna()
        .drop_duplicates("area")
        .set_index("area")["region"]
        .reindex(np.arange(len(areas)))
    )
    published_regions = regional["area_code"].astype(str).tolist()
    regions = pd.Index(pd.unique(np.array(published_regions + council_region.dropna().tolist())))
    region_col = regions.get_indexer(published_regions)
    _check_unique(key_code[is_regional], region_col, regional, "region")
    region_value = _matrix(
        (len(keys), len(regions) + 1),
        key_code[is_regional],
        region_col,
        numbers(regional, "value"),
    )
    region_of = np.where(
        council_region.isna().to_numpy(), -1, regions.get_indexer(council_region.astype(str))
    )

    number_to_code: dict[str, str] = {}
    if "la_number" in la:
        pairs = la[["la_number", "area_code"]].dropna().drop_duplicates("la_number")
        number_to_code = dict(
            zip(pairs["la_number"].astype(str), pairs["area_code"].astype(str), strict=True)
        )
    return _Panel(
        keys=keys,
        areas=areas,
        value=value,
        numerator=numerator,
        denominator=denominator,
        england=england,
        regions=regions,
        region_value=region_value,
        region_of=region_of,
        la_rows=la,
        row_key=la_key,
        row_area=la_area,
        number_to_code=number_to_code,
    )


def _scale(panel: _Panel, scale_by_indicator: Mapping[str, float] | None) -> np.ndarray:
    """Multiplier from a proportion (or count per head) to the published value, per key."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = panel.value / (panel.numerator / panel.denominator)
    key, _ = np.nonzero(np.isfinite(ratio) & (ratio > 0))
    observed = pd.Series(ratio[np.isfinite(ratio) & (ratio > 0)])
    median = observed.groupby(panel.keys["indicator"].to_numpy()[key]).median()
    inferred = 10.0 ** np.round(np.log10(median))
    inferred = inferred.where((median / inferred - 1).abs() <= SCALE_TOLERANCE)
    if scale_by_indicator:
        inferred = pd.Series(dict(scale_by_indicator), dtype="float64").combine_first(inferred)
    return panel.keys["indicator"].map(inferred).to_numpy(dtype="float64")


def _kind(
    panel: _Panel, scale: np.ndarray, kind_by_indicator: Mapping[str, str] | None
) -> np.ndarray:
    """'proportion' or 'rate' per key (see the module notes)."""
    over_by_key = (panel.numerator > panel.denominator).any(axis=1)
    over = pd.Series(over_by_key).groupby(panel.keys["indicator"].to_numpy()).transform("any")
    kind = np.where(np.isin(scale, (1.0, 100.0)) & ~over.to_numpy(), "proportion", "rate")
    kind = kind.astype(object)
    if kind_by_indicator:
        given = panel.keys["indicator"].map(dict(kind_by_indicator)).to_numpy(dtype=object)
        kind = np.where(pd.isna(given), kind, given)
    return kind


# --- group figures --------------------------------------------------------------------------


def _index_matrix(index_lists: Sequence[np.ndarray], missing: int) -> np.ndarray:
    """Stack column-index lists into a matrix padded with the all-NaN column ``missing``."""
    width = max((len(m) for m in index_lists), default=0)
    out = np.full((len(index_lists), max(width, 1)), missing, dtype="int64")
    for row, members in enumerate(index_lists):
        out[row, : len(members)] = members
    return out


def _member_matrix(panel: _Panel, member_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """Column indices of each group's members (area codes or DfE numbers)."""
    return _index_matrix([panel.index_of(m) for m in member_lists], panel.missing)


def _median_last_axis(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Median along the last axis of the ``counts`` non-NaN values (NaN sorts last)."""
    ordered = np.sort(values, axis=-1)
    low = np.clip((counts - 1) // 2, 0, None)[..., None]
    high = np.clip(counts // 2, 0, values.shape[-1] - 1)[..., None]
    pick_low = np.take_along_axis(ordered, low, axis=-1)[..., 0]
    pick_high = np.take_along_axis(ordered, high, axis=-1)[..., 0]
    return np.where(counts > 0, (pick_low + pick_high) / 2, np.nan)


def _group_figures(
    panel: _Panel, members: np.ndarray, method: str, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Figure and n for each key x group (row of ``members``), by ``method``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    values = panel.value[:, members]
    has_value = ~np.isnan(values)
    if method == "pooled":
        numerator = panel.numerator[:, members]
        denominator = panel.denominator[:, members]
        usable = has_value & np.isfinite(numerator) & np.isfinite(denominator) & (denominator > 0)
        n = usable.sum(axis=-1)
        total_numerator = np.where(usable, numerator, 0.0).sum(axis=-1)
        total_denominator = np.where(usable, denominator, 0.0).sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            figure = scale[:, None] * total_numerator / total_denominator
        return np.where(n > 0, figure, np.nan), n
    n = has_value.sum(axis=-1)
    if method == "median":
        return _median_last_axis(values, n), n
    with np.errstate(divide="ignore", invalid="ignore"):
        figure = np.where(has_value, values, 0.0).sum(axis=-1) / n
    return np.where(n > 0, figure, np.nan), n


def _no_figure_reason(n: np.ndarray, members: np.ndarray, method: str) -> np.ndarray:
    what = "a numerator and denominator" if method == "pooled" else "a value"
    return np.where(
        members == 0,
        "the group has no members",
        np.where(n == 0, f"no member of the group had {what}", None),
    ).astype(object)


def _england(panel: _Panel, method: str, scale: np.ndarray) -> tuple[np.ndarray, ...]:
    """England per key: the published figure, else computed from all councils."""
    everyone = np.arange(len(panel.areas))[None, :]
    computed, n = (a[:, 0] for a in _group_figures(panel, everyone, method, scale))
    published = ~np.isnan(panel.england)
    return np.where(published, panel.england, computed), published, n


def _regions(panel: _Panel, method: str, scale: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per key x region (last column: no region): figure, published or not, n."""
    member_lists = [np.flatnonzero(panel.region_of == r) for r in range(len(panel.regions) + 1)]
    members = _index_matrix(member_lists, panel.missing)
    computed, n = _group_figures(panel, members, method, scale)
    published = ~np.isnan(panel.region_value)
    return np.where(published, panel.region_value, computed), published, n


# --- comparator figures ---------------------------------------------------------------------


def comparator_figures(
    table: pd.DataFrame,
    groups: Mapping[str, Mapping[str, Sequence[str]]] | Comparators | None = None,
    method: str = "mean",
    focus: Sequence[str] | None = None,
    scale_by_indicator: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Each comparator group's figure, per indicator x period x council x group.

    ``groups`` maps a group name to council -> members, or is a :class:`Comparators`; England
    (``"england"``) and the council's region (``"region"``) are always there. ``focus`` lists
    the councils to report for (default: every council in the table). Columns: indicator,
    period, area_code, comparator, method, value, n, members, reason.

    >>> figures = comparator_figures(example_table(), {"pair": {"A": ["B", "C"]}}, "pooled")
    >>> figures.loc[figures["comparator"] == "pair", ["value", "n"]].to_dict("records")
    [{'value': 25.0, 'n': 2}]
    """
    panel = _panel(table)
    focus_codes = list(panel.areas)
    if focus is not None:
        focus_codes = [panel.number_to_code.get(str(f), str(f)) for f in focus]
    if isinstance(groups, Comparators):
        code_to_number = {code: number for number, code in panel.number_to_code.items()}
        groups = groups.groups(focus_codes + [code_to_number.get(f, f) for f in focus_codes])
    scale = _scale(panel, scale_by_indicator)
    n_keys = len(panel.keys)
    parts = []

    def emit(name, codes, figure, label, n, members, reason) -> None:
        shape = (n_keys, len(codes))
        parts.append(
            pd.DataFrame(
                {
                    "indicator": np.repeat(panel.keys["indicator"].to_numpy(), len(codes)),
                    "period": np.repeat(panel.keys["period"].to_numpy(), len(codes)),
                    "area_code": np.tile(np.asarray(codes, dtype=object), n_keys),
                    "comparator": name,
                    "method": np.broadcast_to(label, shape).ravel(),
                    "value": np.broadcast_to(figure, shape).ravel(),
                    "n": np.broadcast_to(n, shape).ravel(),
                    "members": np.broadcast_to(members, shape).ravel(),
                    "reason": np.broadcast_to(reason, shape).ravel(),
                }
            )
        )

    everyone = np.array(len(panel.areas))
    figure, published, n = _england(panel, method, scale)
    label = np.where(published, PUBLISHED, method)[:, None]
    reason = _no_figure_reason(n, everyone, method)[:, None]
    emit(ENGLAND, focus_codes, figure[:, None], label, n[:, None], everyone, reason)

    figure, published, n = _regions(panel, method, scale)
    region = np.append(panel.region_of, -1)[panel.index_of(focus_codes)]
    column = np.where(region < 0, len(panel.regions), region)
    size = np.bincount(panel.region_of[panel.region_of >= 0], minlength=len(panel.regions) + 1)
    reason = np.where(
        region[None, :] < 0,
        "the council's region is not known",
        _no_figure_reason(n[:, column], size[column][None, :], method),
    )
    label = np.where(published[:, column], PUBLISHED, method)
    emit(REGION, focus_codes, figure[:, column], label, n[:, column], size[column], reason)

    for name, by_focus in (groups or {}).items():
        by_focus = panel.by_area_code(by_focus)
        codes = [f for f in focus_codes if f in by_focus]
        unique = list(dict.fromkeys(tuple(by_focus[f]) for f in codes))
        if not codes:
            continue
        which = np.array([unique.index(tuple(by_focus[f])) for f in codes])
        figure, n = _group_figures(panel, _member_matrix(panel, unique), method, scale)
        size = np.array([len(m) for m in unique])[which]
        reason = _no_figure_reason(n[:, which], size[None, :], method)
        emit(name, codes, figure[:, which], np.array(method), n[:, which], size, reason)
    out = pd.concat(parts, ignore_index=True)
    out["reason"] = out["reason"].where(out["value"].isna(), None)
    if method == "pooled":
        known = dict(zip(panel.keys["indicator"], ~np.isnan(scale), strict=True))
        unscaled = out["value"].isna() & (out["n"] > 0) & ~out["indicator"].map(known).astype(bool)
        out.loc[unscaled, "reason"] = NO_SCALE
    return out


# --- ranks ----------------------------------------------------------------------------------


def _sign(polarity: np.ndarray) -> np.ndarray:
    """+1 where lower is better, -1 where higher is better, NaN for neutral: signed values
    are smaller when better."""
    return np.select([polarity == "low", polarity == "high"], [1.0, -1.0], np.nan)


def _national_ranks(panel: _Panel, polarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    signed = panel.value[:, : panel.missing] * _sign(polarity)[:, None]
    rank = pd.DataFrame(signed).rank(axis=1, method="min").to_numpy()
    rank_of = (~np.isnan(signed)).sum(axis=1).astype("float64")
    rank_of[polarity == "neutral"] = np.nan
    return rank, rank_of


def national_rank(table: pd.DataFrame, polarity_by_indicator: Mapping[str, str]) -> pd.DataFrame:
    """Each council's rank among all councils with a value: 1 is best, ties share the lowest.

    Columns: indicator, period, area_code, value, national_rank, rank_of. Neutral indicators
    (and indicators not in ``polarity_by_indicator``) get no rank.
    """
    panel = _panel(table)
    rank, rank_of = _national_ranks(panel, panel.polarity(polarity_by_indicator))
    out = panel.rows()
    out["national_rank"] = rank[panel.row_key, panel.row_area]
    out["rank_of"] = rank_of[panel.row_key]
    return out


def rank_within(
    table: pd.DataFrame,
    focus: str,
    members: Sequence[str],
    polarity_by_indicator: Mapping[str, str],
) -> pd.DataFrame:
    """The rank of council ``focus`` among itself and ``members`` (its neighbours: 1 to 11).

    1 is best; ties share the lowest rank; members without a value are left out. Columns:
    indicator, period, value, rank, rank_of, reason.

    >>> rank_within(example_table(), "C", ["A", "B", "D"], {"rereferrals": "low"})["rank"].tolist()
    [2.0]
    """
    panel = _panel(table)
    polarity = panel.polarity(polarity_by_indicator)
    column = panel.index_of([focus])[0]
    others = panel.index_of([m for m in members if panel.index_of([m])[0] != column])
    sign = _sign(polarity)
    own = panel.value[:, column] * sign
    theirs = panel.value[:, others] * sign[:, None]
    present = ~np.isnan(panel.value[:, others])
    reason = np.select(
        [polarity == "neutral", np.isnan(panel.value[:, column])],
        ["neutral indicator: no rank", "the council has no value"],
        None,
    ).astype(object)
    ranked = pd.isna(reason)
    return pd.DataFrame(
        {
            "indicator": panel.keys["indicator"],
            "period": panel.keys["period"],
            "value": panel.value[:, column],
            "rank": np.where(ranked, 1.0 + (present & (theirs < own[:, None])).sum(axis=1), np.nan),
            "rank_of": np.where(ranked, 1.0 + present.sum(axis=1), np.nan),
            "reason": reason,
        }
    )


# --- quartile bands -------------------------------------------------------------------------


def _row_quantiles(ordered: np.ndarray, counts: np.ndarray, p: float) -> np.ndarray:
    """Type-7 quantile of each row's first ``counts`` values (rows sorted, NaN last).

    Interpolates as numpy's ``method="linear"`` does, so results agree with ``np.quantile``.
    """
    if ordered.shape[1] == 0:
        return np.full(len(counts), np.nan)
    position = (counts - 1) * p
    below = np.floor(position).astype("int64")
    above = np.minimum(below + 1, np.maximum(counts - 1, 0))
    below = np.maximum(below, 0)
    a = np.take_along_axis(ordered, below[:, None], axis=1)[:, 0]
    b = np.take_along_axis(ordered, above[:, None], axis=1)[:, 0]
    t = position - np.floor(position)
    difference = b - a
    out = np.where(t >= 0.5, b - difference * (1 - t), a + difference * t)
    out = np.where(a == b, a, out)
    return np.where(counts > 0, out, np.nan)


def _quartiles(panel: _Panel, polarity: np.ndarray) -> dict[str, np.ndarray]:
    """Per key: q1, q2, q3, n, reason (code); per key x council: quartile (0: none)."""
    values = panel.value[:, : panel.missing]
    ordered = np.sort(values, axis=1)
    n = (~np.isnan(values)).sum(axis=1)
    q1, q2, q3 = (_row_quantiles(ordered, n, p) for p in (0.25, 0.5, 0.75))
    lowest, highest = (_row_quantiles(ordered, n, p) for p in (0.0, 1.0))
    reason = np.select([n < 4, lowest == highest], [0, 1], -1)
    quartile = 1 + (values > q1[:, None]) + (values > q2[:, None]) + (values > q3[:, None])
    quartile = np.where((reason < 0)[:, None] & ~np.isnan(values), quartile, 0)
    band = np.select(
        [
            (quartile > 0) & (polarity == "low")[:, None],
            (quartile > 0) & (polarity == "high")[:, None],
        ],
        [quartile - 1, 4 - quartile],
        -1,
    )
    position = np.select([quartile == 1, quartile == 4, quartile > 0], [0, 2, 1], -1)
    return {
        "q1": q1,
        "q2": q2,
        "q3": q3,
        "n": n,
        "reason": reason,
        "quartile": quartile,
        "band": band,
        "position": position,
    }


def quartile_bands(table: pd.DataFrame, polarity_by_indicator: Mapping[str, str]) -> pd.DataFrame:
    """LAIT quartile bands of every council, with the quartile boundaries.

    Columns: indicator, period, area_code, value, q1, q2, q3 (the boundaries), n_areas
    (councils with a value), quartile (1 to 4 by value), band (A best to D; null for neutral
    indicators), compared (lower / similar / higher), reason (why there is no band).

    >>> bands = quartile_bands(example_table(), {"rereferrals": "low"})
    >>> bands["band"].tolist(), float(bands["q1"].iloc[0])
    (['A', 'B', 'B', 'D'], 23.75)
    """
    panel = _panel(table)
    polarity = panel.polarity(polarity_by_indicator)
    q = _quartiles(panel, polarity)
    key, area = panel.row_key, panel.row_area
    out = panel.rows()
    for name in ("q1", "q2", "q3"):
        out[name] = q[name][key]
    out["n_areas"] = q["n"][key]
    quartile = q["quartile"][key, area]
    out["quartile"] = pd.Series(quartile).where(quartile > 0).astype("Int64")
    out["band"] = _categories(q["band"][key, area], BANDS)
    out["compared"] = _categories(q["position"][key, area], POSITIONS)
    unbanded = q["reason"][key]
    reason = np.select(
        [np.isnan(out["value"]), unbanded >= 0, polarity[key] == "neutral"], [2, unbanded, 3], -1
    )
    out["reason"] = _categories(reason, (FEW_COUNCILS, SAME_VALUE, NO_VALUE, NEUTRAL))
    return out


# --- significance against a benchmark -------------------------------------------------------


def compare_with_benchmark(
    x: float | Sequence[float] | np.ndarray,
    n: float | Sequence[float] | np.ndarray,
    benchmark: float | Sequence[float] | np.ndarray,
    polarity: str | Sequence[str] | np.ndarray,
    kind: str | Sequence[str] | np.ndarray = "proportion",
    confidence: float = 0.95,
    scale: float | Sequence[float] | np.ndarray = 1.0,
) -> pd.DataFrame:
    """Is a council's ``x / n`` (times ``scale``) significantly different from ``benchmark``?

    The interval is Wilson's for a proportion and Byar's (exact below 10 events) for a rate, at
    ``confidence`` (0.95 or 0.998 in Fingertips), on the published scale (``scale``: 100 for a
    percentage, 10,000 for a rate per 10,000). ``compared`` is "similar" when the benchmark is
    inside the interval, ends included, else "higher" or "lower"; ``outcome`` turns that into
    "better" or "worse" by polarity (neutral: "higher" / "similar" / "lower"). Without a valid
    numerator, denominator or benchmark both are null and ``reason`` says why. Columns: lower,
    upper, compared, outcome, reason.

    >>> compare_with_benchmark([30, 15], 100, 20.0, "low", scale=100)["outcome"].tolist()
    ['worse', 'similar']
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(a, dtype="float64") for a in (x, n, benchmark, scale)),
        np.asarray(polarity, dtype=object),
        np.asarray(kind, dtype=object),
    )
    x_arr, n_arr, bench, scale_arr, polarity_arr, kind_arr = (a.ravel() for a in arrays)
    x_arr, n_arr, bench, scale_arr = (a.astype("float64") for a in (x_arr, n_arr, bench, scale_arr))
    for name, values, allowed in (
        ("polarity", polarity_arr, POLARITIES),
        ("kind", kind_arr, KINDS),
    ):
        bad = sorted({str(v) for v in pd.unique(values)} - set(allowed))
        if bad:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {bad}")
    confidence = level(confidence)
    counted = np.isfinite(x_arr) & np.isfinite(n_arr)
    lower = np.full(x_arr.shape, np.nan)
    upper = np.full(x_arr.shape, np.nan)
    rows = counted & (kind_arr == "proportion")
    lower[rows], upper[rows] = wilson(x_arr[rows], n_arr[rows], confidence)
    rows = counted & (kind_arr == "rate") & (n_arr > 0)
    low_count, high_count = byar(x_arr[rows], confidence)
    lower[rows], upper[rows] = low_count / n_arr[rows], high_count / n_arr[rows]
    lower, upper = lower * scale_arr, upper * scale_arr
    has_interval = np.isfinite(lower) & np.isfinite(upper)
    has_benchmark = np.isfinite(bench)
    position = np.select(
        [~has_interval | ~has_benchmark, bench < lower, bench > upper], [-1, 2, 0], 1
    )
    outcome = np.select(
        [position == 1, polarity_arr == "neutral", polarity_arr == "high", polarity_arr == "low"],
        [
            1,
            np.where(position == 2, 3, 4),
            np.where(position == 2, 0, 2),
            np.where(position == 0, 0, 2),
        ],
        -1,
    )
    outcome = np.where(position < 0, -1, outcome)
    reason = np.select([~counted, ~has_interval, ~has_benchmark], [0, 1, 2], -1)
    return pd.DataFrame(
        {
            "lower": lower,
            "upper": upper,
            "compared": _categories(position, POSITIONS),
            "outcome": _categories(outcome, OUTCOMES),
            "reason": _categories(reason, (NO_COUNTS, BAD_COUNTS, NO_BENCHMARK)),
        }
    )


# --- funnel plots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter's (2005) over-dispersion estimate for a funnel plot of proportions.

    ``phi``: mean squared winsorised z-score; ``tau2``: additive random-effects variance (0
    when ``units * phi <= units - 1``); ``note``: the sentence for the chart.
    """

    phi: float
    tau2: float
    units: int
    winsorised_at: float
    note: str


def overdispersion(
    x: Sequence[float] | np.ndarray,
    n: Sequence[float] | np.ndarray,
    p0: float,
    winsorise: float = 0.1,
) -> Overdispersion:
    """Over-dispersion of units' proportions ``x / n`` around the target ``p0``.

    Spiegelhalter (2005), over-dispersion and the additive random-effects model: z-scores
    ``z_i = (x_i / n_i - p0) / s_i`` with ``s_i = sqrt(p0 (1 - p0) / n_i)``; z-scores below the
    ``winsorise`` (10%) and above the ``1 - winsorise`` (90%) percentiles (type 7) are set to
    those percentiles; ``phi`` is the mean squared winsorised z-score; with ``w_i = 1 / s_i^2``
    and ``I`` units, ``tau2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w)`` when
    ``I phi > I - 1``, else 0. Units with a missing or impossible count are left out.

    >>> round(overdispersion([10, 20, 30, 40], [100] * 4, 0.25).phi, 4)
    4.5067
    """
    x_arr = np.asarray(x, dtype="float64")
    n_arr = np.asarray(n, dtype="float64")
    valid = np.isfinite(x_arr) & np.isfinite(n_arr) & (n_arr > 0) & (x_arr >= 0) & (x_arr <= n_arr)
    x_arr, n_arr = x_arr[valid], n_arr[valid]
    units = int(valid.sum())
    if not 0 < p0 < 1:
        note = "no over-dispersion estimate: the target proportion is 0 or 1"
        return Overdispersion(np.nan, np.nan, units, winsorise, note)
    if units < 2:
        note = "no over-dispersion estimate: fewer than 2 units"
        return Overdispersion(np.nan, np.nan, units, winsorise, note)
    variance = p0 * (1 - p0) / n_arr
    z = (x_arr / n_arr - p0) / np.sqrt(variance)
    low, high = np.quantile(z, [winsorise, 1 - winsorise], method="linear")
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    weight = 1 / variance
    excess = units * phi - (units - 1)
    tau2 = float(excess / (weight.sum() - (weight**2).sum() / weight.sum())) if excess > 0 else 0.0
    if tau2 > 0:
        note = (
            "Limits widened for over-dispersion (additive random effects, Spiegelhalter 2005): "
            f"tau\u00b2 = {tau2:.3g}, phi = {phi:.3g}, from {units} units with z-scores "
            f"winsorised at {winsorise:.0%}."
        )
    else:
        note = f"No over-dispersion (phi = {phi:.3g} from {units} units): limits not widened."
    return Overdispersion(phi, tau2, units, winsorise, note)


def _exact_limit(n: np.ndarray, p0: float, probability: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial ``probability`` quantile, as a proportion."""
    r = binom.ppf(probability, n, p0)
    at = binom.cdf(r, n, p0)
    below = binom.cdf(r - 1, n, p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (r - (at - probability) / (at - below)) / n


def funnel_limits(
    n: float | Sequence[float] | np.ndarray,
    p0: float,
    confidence: Sequence[float] = (0.95, 0.998),
    method: str = "normal",
    overdispersion: Overdispersion | None = None,
) -> pd.DataFrame:
    """Funnel plot control limits for a proportion with target ``p0``, at denominators ``n``.

    ``method="normal"``: ``p0 +/- z sqrt(p0 (1 - p0) / n)``, or with an
    :class:`Overdispersion` (``tau2 > 0``) ``p0 +/- z sqrt(p0 (1 - p0) / n + tau2)``.
    ``method="exact"`` (Spiegelhalter 2005, appendix): with ``r_p`` the smallest r such that
    ``P(R <= r) >= p`` for ``R ~ Binomial(n, p0)`` and
    ``alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1))``, the limit is
    ``(r_p - alpha) / n``, for ``p = (1 - confidence) / 2`` and ``1 - p``; ``n`` must be whole.
    Limits are kept within 0 and 1. Columns: n, confidence, lower, upper.

    >>> funnel_limits([100], 0.2, confidence=[0.95]).round(6).to_dict("records")
    [{'n': 100.0, 'confidence': 0.95, 'lower': 0.121601, 'upper': 0.278399}]
    """
    if method not in ("normal", "exact"):
        raise ValueError(f"method must be 'normal' or 'exact', not {method!r}")
    tau2 = 0.0
    if overdispersion is not None and np.isfinite(overdispersion.tau2):
        tau2 = overdispersion.tau2
    if method == "exact" and tau2 > 0:
        raise ValueError("the over-dispersion adjustment applies to the normal limits only")
    n_arr = np.atleast_1d(np.asarray(n, dtype="float64"))
    valid = np.isfinite(n_arr) & (n_arr > 0) & (0 <= p0 <= 1)
    if method == "exact":
        valid &= n_arr == np.round(n_arr)
    safe_n = np.where(valid, n_arr, 1.0)
    parts = []
    for each in confidence:
        each = level(each)
        if method == "normal":
            spread = z_score(each) * np.sqrt(p0 * (1 - p0) / safe_n + tau2)
            lower, upper = p0 - spread, p0 + spread
        else:
            tail = (1 - each) / 2
            lower, upper = _exact_limit(safe_n, p0, tail), _exact_limit(safe_n, p0, 1 - tail)
        limits = {
            "lower": np.where(valid, np.clip(lower, 0, 1), np.nan),
            "upper": np.where(valid, np.clip(upper, 0, 1), np.nan),
        }
        parts.append(pd.DataFrame({"n": n_arr, "confidence": each, **limits}))
    return pd.concat(parts, ignore_index=True)


# --- everything at once ---------------------------------------------------------------------


def benchmark_all(
    table: pd.DataFrame,
    polarity_by_indicator: Mapping[str, str],
    neighbours: Mapping[str, Sequence[str]],
    good_or_outstanding: Sequence[str],
    method: str = "mean",
    confidence: float = 0.95,
    scale_by_indicator: Mapping[str, float] | None = None,
    kind_by_indicator: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every council's benchmarks for every indicator and period, in one pass.

    One row per council row of the table. Columns: indicator, period, area_code, value;
    england and england_method ("published", or ``method`` when computed from the councils);
    region and region_method; sn_mean, sn_median and sn_n (neighbours with a value; a council
    listed among its own neighbours is left out); sn_rank
    and sn_rank_of (within the council and its neighbours); good_or_outstanding and
    good_or_outstanding_n (by ``method``); national_rank and rank_of; quartile (1 to 4) and
    quartile_band (A to D, null for neutral indicators); compared_with_england ("better" /
    "similar" / "worse", or "higher" / "similar" / "lower" for neutral indicators) at
    ``confidence``, and compared_with_england_reason.

    A comparison with England needs a confidence interval, hence a numerator and a
    denominator. Rows without them (all of LAIT, which publishes values only) get no
    comparison and the reason "cannot be compared: the counts behind the figure are not
    published", rather than a bare higher or lower that would claim more than the data show;
    value, england and the quartile band still say where the council stands.

    >>> out = benchmark_all(example_table(), {"rereferrals": "low"}, {"A": ["B", "C"]}, ["C", "D"])
    >>> out.loc[0, ["value", "england", "region", "sn_mean", "good_or_outstanding"]].tolist()
    [20.0, 24.0, 22.0, 25.0, 27.5]
    """
    panel = _panel(table)
    polarity = panel.polarity(polarity_by_indicator)
    scale = _scale(panel, scale_by_indicator)
    key, area = panel.row_key, panel.row_area
    out = panel.rows()
    method_labels = (PUBLISHED, method)

    england, published, _ = _england(panel, method, scale)
    out["england"] = england[key]
    out["england_method"] = _categories(
        np.where(np.isnan(england), -1, ~published)[key], method_labels
    )

    region, published, _ = _regions(panel, method, scale)
    column = np.where(panel.region_of < 0, len(panel.regions), panel.region_of)[area]
    out["region"] = region[key, column]
    labels = np.where(np.isnan(region[key, column]), -1, ~published[key, column])
    out["region_method"] = _categories(labels, method_labels)

    by_code = panel.by_area_code(neighbours)
    members = _member_matrix(panel, [by_code.get(code, []) for code in panel.areas])
    members = np.where(members == np.arange(len(panel.areas))[:, None], panel.missing, members)
    values = panel.value[key[:, None], members[area]]
    present = ~np.isnan(values)
    sn_n = present.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.where(present, values, 0.0).sum(axis=1)
        out["sn_mean"] = np.where(sn_n > 0, total / sn_n, np.nan)
    out["sn_median"] = _median_last_axis(values, sn_n)
    out["sn_n"] = sn_n
    sign = _sign(polarity)[key]
    own = out["value"].to_numpy() * sign
    better = present & (values * sign[:, None] < own[:, None])
    ranked = ~np.isnan(own)
    out["sn_rank"] = np.where(ranked, 1.0 + better.sum(axis=1), np.nan)
    out["sn_rank_of"] = np.where(ranked, 1.0 + sn_n, np.nan)

    group = _member_matrix(panel, [list(good_or_outstanding)])
    figure, n = _group_figures(panel, group, method, scale)
    out["good_or_outstanding"] = figure[key, 0]
    out["good_or_outstanding_n"] = n[key, 0]

    rank, rank_of = _national_ranks(panel, polarity)
    out["national_rank"] = rank[key, area]
    out["rank_of"] = rank_of[key]

    quartiles = _quartiles(panel, polarity)
    quartile = quartiles["quartile"][key, area]
    out["quartile"] = pd.Series(quartile).where(quartile > 0).astype("Int64")
    out["quartile_band"] = _categories(quartiles["band"][key, area], BANDS)

    comparison = compare_with_benchmark(
        panel.numerator[key, area],
        panel.denominator[key, area],
        out["england"].to_numpy(),
        polarity[key],
        _kind(panel, scale, kind_by_indicator)[key],
        confidence,
        np.where(np.isnan(scale), 1.0, scale)[key],
    )
    out["compared_with_england"] = comparison["outcome"].to_numpy()
    out["compared_with_england_reason"] = comparison["reason"].to_numpy()
    return out
