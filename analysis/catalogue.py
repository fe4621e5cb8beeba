"""The indicator catalogue: what each indicator means, which way is better, where it comes from.

The core catalogue is ``data/indicators.yml`` in the package; a council adds its own indicators
in a YAML file of the same shape. Every LAIT measure becomes an indicator too, from LAIT's data
dictionary, so an analyst can benchmark anything LAIT has.

>>> catalogue = load_catalogue()
>>> catalogue["rereferrals_12m_pct"].polarity
'low'
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.errors import DataError
from analysis.text import decode
from analysis.tidy import PERIOD_TYPES

POLARITIES = ("high", "low", "neutral")
#: How a comparator group's figure is made from its councils' (analysis.benchmark): here, with
#: the other words a run file may use, so that checking a run file needs no statistics library.
METHODS = ("mean", "median", "pooled")
REQUIRED = ("title", "description", "polarity", "unit", "decimal_places", "period_type", "source")
SOURCE_KINDS = ("ees", "lait", "none")
#: The counts an ees source may name to check its figures against (analysis.ees): for each,
#: the column it checks, its one column and its list of columns, and what it must be.
CHECKED_AGAINST = {
    "counts": (
        "value",
        "numerator",
        "denominator",
        "a numerator column and a list of the columns whose sum is the denominator",
    ),
    "numerator_balance": (
        "numerator",
        "total",
        "less",
        "a total column and a list of the columns it is less",
    ),
}

#: LAIT dictionary ``Year_Type`` -> what a bare year label means.
LAIT_YEAR_TYPES = {
    "Financial Year": "financial year",
    "Academic Year": "academic year",
    "Calendar Year": "calendar year",
    "Annual (end of Sept)": "snapshot 30 September",
    "Annual - January": "academic year",
    "Annual": "snapshot 31 March",
}
LAIT_POLARITY = {"High": "high", "Low": "low", "-": "neutral"}


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue."""

    id: str
    title: str
    description: str
    polarity: str
    unit: str
    decimal_places: int
    period_type: str
    source: dict[str, Any] = field(default_factory=dict)
    local: dict[str, Any] | None = None

    @property
    def is_proportion(self) -> bool:
        """True for percentages of a whole (intervals by Wilson, trends by chi-squared)."""
        return self.unit.startswith("percent") or self.unit.startswith("%")

    @property
    def is_rate(self) -> bool:
        return self.unit.lower().startswith("rate")

    @property
    def is_steady(self) -> bool:
        """True for figures that move slowly from year to year, so that one standing far from
        the years either side is a damaged cell (:func:`analysis.values.spikes`): a rate per
        10,000 counts a share of every child in the area, a caseload the cases each social
        worker holds."""
        return self.unit.lower().startswith(("rate per 10,000", "cases"))

    @property
    def local_counts_over(self) -> str | None:
        """The period ("month" or "quarter") whose events alone each of the council's own
        figures counts (``local: {flow: true}``: the referrals received in the month), when
        the published figure, a whole year's, stands on another scale; None when the two
        compare (a share of a month's is a share of a year's; a snapshot or a rolling year)."""
        if not self.local or self.local.get("flow") is not True or self.is_proportion:
            return None
        return str(self.local.get("frequency", "month"))

    @property
    def benchmark_note(self) -> str | None:
        """Why there is no published benchmark, if there is none."""
        return self.source.get("none")


def _columns(spec: Any, one: str, several: str) -> bool:
    """True for a mapping of ``one`` to a column name and ``several`` to a list of them."""
    return (
        isinstance(spec, dict)
        and isinstance(spec.get(one), str)
        and isinstance(spec.get(several), list)
        and bool(spec[several])
        and all(isinstance(column, str) for column in spec[several])
    )


def _check(entry: Any, key: str, path: str) -> Indicator:
    if not isinstance(entry, dict):
        raise DataError(path, f"indicator {key!r} must be a mapping of its fields", column=key)
    missing = [name for name in REQUIRED if name not in entry]
    if missing:
        raise DataError(path, f"indicator {key!r} lacks {', '.join(missing)}", column=key)
    if entry["polarity"] not in POLARITIES:
        raise DataError(
            path,
            f"indicator {key!r}: polarity must be one of {', '.join(POLARITIES)}, "
            f"not {entry['polarity']!r}",
            column=key,
        )
    if entry["period_type"] not in PERIOD_TYPES:
        raise DataError(
            path,
            f"indicator {key!r}: period_type must be one of {', '.join(PERIOD_TYPES)}",
            column=key,
        )
    source = entry["source"]
    if not isinstance(source, dict) or len(source) != 1 or next(iter(source)) not in SOURCE_KINDS:
        raise DataError(
            path,
            f"indicator {key!r}: source must have exactly one of {', '.join(SOURCE_KINDS)}",
            column=key,
        )
    if "ees" in source:
        ees = source["ees"]
        if "file" not in ees or not ({"value", "numerator"} & set(ees)):
            raise DataError(
                path,
                f"indicator {key!r}: an ees source needs a file and a value or numerator column",
                column=key,
            )
        for name, (beside, one, several, shape) in CHECKED_AGAINST.items():
            if name in ees and not (beside in ees and _columns(ees[name], one, several)):
                raise DataError(
                    path,
                    f"indicator {key!r}: ees {name} must be {shape}, beside a {beside} column",
                    column=key,
                )
    local = entry.get("local")
    if local is not None and (not isinstance(local, dict) or "id" not in local):
        raise DataError(path, f"indicator {key!r}: local must be a mapping with an id", column=key)
    if local and not isinstance(local.get("flow", False), bool):
        raise DataError(path, f"indicator {key!r}: local flow must be true or false", column=key)
    if not isinstance(entry["decimal_places"], int) or entry["decimal_places"] < 0:
        raise DataError(path, f"indicator {key!r}: decimal_places must be a whole number >= 0")
    return Indicator(
        id=key,
        title=str(entry["title"]),
        description=str(entry["description"]),
        polarity=entry["polarity"],
        unit=str(entry["unit"]),
        decimal_places=entry["decimal_places"],
        period_type=entry["period_type"],
        source=source,
        local=local,
    )


def _read_yaml(text: str, path: str) -> dict[str, Any]:
    try:
        entries = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise DataError(
            path, f"expected valid YAML ({error.__class__.__name__})", row=row
        ) from None
    if not isinstance(entries, dict):
        raise DataError(path, "expected a mapping of indicator id to its fields")
    return entries


def load_catalogue(*extra: str | Path) -> dict[str, Indicator]:
    """The core catalogue plus any council catalogue files (later files add or replace)."""
    core = resources.files("analysis").joinpath("data", "indicators.yml")
    sources = [(core.read_text(encoding="utf-8"), "analysis/data/indicators.yml")]
    for path in extra:
        try:
            sources.append((Path(path).read_text(encoding="utf-8"), str(path)))
        except OSError as error:
            raise DataError(path, f"cannot read the catalogue file ({error.strerror})") from None
    catalogue: dict[str, Indicator] = {}
    for text, path in sources:
        for key, entry in _read_yaml(text, path).items():
            catalogue[str(key)] = _check(entry, str(key), path)
    return catalogue


def _decimal_places(cell: object, path: Path, row: int) -> int:
    """A dictionary row's ``dps``: a whole number from 0 to 6, or 1 when blank."""
    if pd.isna(cell):
        return 1
    places = pd.to_numeric(pd.Series([str(cell).strip()]), errors="coerce").iloc[0]
    if pd.isna(places) or places != int(places) or not 0 <= places <= 6:
        raise DataError(
            path,
            f"expected a whole number of decimal places, found {cell!r}",
            row=row,
            column="dps",
        )
    return int(places)


def lait_catalogue(dictionary_path: str | Path) -> dict[str, Indicator]:
    """Every LAIT measure as an indicator (id = LAIT short code), from its data dictionary.

    Polarity ``High``/``Low``/``-`` becomes high/low/neutral (a missing polarity is neutral),
    ``y_axis_name`` is the unit label, ``dps`` the decimal places (1 when not given) and
    ``Year_Type`` says what a bare year means. Where the dictionary repeats a measure, the last
    row wins (LAIT's own app does the same when it joins on the short code). Any other
    polarity or year type, or decimal places that are not a whole number from 0 to 6, are an
    error naming the row and column: a misspelt polarity must not turn "worse" into "lower".
    """
    path = Path(dictionary_path)
    try:
        text = decode(path.read_bytes(), path)
        table = pd.read_csv(io.StringIO(text), dtype=str)
    except (OSError, pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        raise DataError(path, f"expected LAIT's data dictionary as CSV ({error})") from None
    needed = [
        "Measure_short",
        "Measure",
        "Description",
        "Polarity",
        "y_axis_name",
        "dps",
        "Year_Type",
    ]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(path, f"expected the columns {', '.join(missing)}", row=1)
    catalogue: dict[str, Indicator] = {}
    for number, row in enumerate(table.itertuples(index=False), start=2):
        short = str(row.Measure_short).strip()
        year_type = str(row.Year_Type).strip()
        if year_type not in LAIT_YEAR_TYPES:
            raise DataError(
                path,
                f"expected a Year_Type of {', '.join(LAIT_YEAR_TYPES)}, found {year_type!r}",
                row=number,
                column="Year_Type",
            )
        polarity = "-" if pd.isna(row.Polarity) else str(row.Polarity).strip()
        if polarity not in LAIT_POLARITY:
            raise DataError(
                path,
                f"expected a Polarity of {', '.join(LAIT_POLARITY)} or blank, found {polarity!r}",
                row=number,
                column="Polarity",
            )
        unit = str(row.y_axis_name).strip() if pd.notna(row.y_axis_name) else ""
        dps = _decimal_places(row.dps, path, number)
        catalogue[short] = Indicator(
            id=short,
            title=str(row.Measure).strip(),
            description=str(row.Description).strip()
            if pd.notna(row.Description)
            else str(row.Measure).strip(),
            polarity=LAIT_POLARITY[polarity],
            unit=unit,
            decimal_places=dps,
            period_type=LAIT_YEAR_TYPES[year_type],
            source={"lait": short},
        )
    return catalogue
