"""Councils, regions and England: find any of them by 3-digit DfE number or 9-character ONS code.

The code lists are data files in the package (``data/local_authorities.csv``,
``data/regions.csv``) and councils that merged, split or make joint returns are declared in
``data/area_changes.csv``, not in code. A directory can be extended with the areas that loaded
files carry (the fictional demo councils, for example).

>>> d = Directory.default()
>>> d.find("936").area_code, d.find("E10000030").la_number
('E10000030', '936')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

import pandas as pd

JOINT = " / "


def _packaged(name: str) -> pd.DataFrame:
    with resources.files("analysis").joinpath("data", name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def name_key(name: object) -> str:
    """A council's name as compared: lower case, letters only, "and" for "&".

    >>> name_key("Bristol, City of"), name_key("Brighton & Hove")
    ('bristol city of', 'brighton and hove')
    """
    text = re.sub(r"[^a-z ]", " ", str(name).lower().replace("&", " and "))
    return " ".join(text.split())


def normalise_la_number(raw: pd.Series) -> pd.Series:
    """``'936'``, ``936.0`` and ``' 936 '`` all become ``'936'``; joint returns keep ``' / '``.

    >>> normalise_la_number(pd.Series([936.0, "940/941", None])).tolist()
    ['936', '940 / 941', <NA>]
    """
    text = raw.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return text.str.replace(r"\s*/\s*", JOINT, regex=True).replace("", pd.NA)


@dataclass(frozen=True)
class Council:
    """One local authority as the library knows it."""

    la_number: str
    area_code: str
    area_name: str
    region_code: str
    region_name: str
    former_area_codes: tuple[str, ...] = ()
    joint_returns: tuple[str, ...] = field(default=())
    """Area codes of joint returns this council is part of (workforce, for example)."""
    predecessors: tuple[str, ...] = field(default=())
    """Area codes of councils it replaced (for history before a merger or split)."""

    def identity(self) -> dict[str, str]:
        """Who a report is about, as every report's ``summary.json`` records it.

        >>> Council("936", "E10000030", "Surrey", "E12000008", "South East").identity()
        {'la_number': '936', 'area_code': 'E10000030', 'name': 'Surrey'}
        """
        return {"la_number": self.la_number, "area_code": self.area_code, "name": self.area_name}


@dataclass(frozen=True)
class Directory:
    """Every area the library can report on, with codes, names, regions and changes."""

    councils: pd.DataFrame
    regions: pd.DataFrame
    changes: pd.DataFrame

    @classmethod
    def default(cls) -> Directory:
        """The English councils, regions and England, from the package's data files."""
        return cls(
            _packaged("local_authorities.csv"),
            _packaged("regions.csv"),
            _packaged("area_changes.csv"),
        )

    def extended(self, table: pd.DataFrame) -> Directory:
        """A directory that also knows the areas in tidy ``table`` that it did not know."""
        las = table.loc[table["area_level"] == "local authority"]
        las = las.loc[~las["la_number"].str.contains("/", regex=False, na=False)]
        new_las = (
            las.loc[
                ~las["la_number"].isin(self.councils["la_number"]),
                ["la_number", "area_code", "area_name", "region_code", "region_name"],
            ]
            .drop_duplicates("la_number", keep="last")
            .astype(str)
            .assign(former_area_codes="")
        )
        regional = table.loc[table["area_level"].isin(["regional", "national"])]
        new_regions = (
            regional.loc[
                ~regional["area_code"].isin(self.regions["area_code"]),
                ["area_code", "area_name", "area_level"],
            ]
            .drop_duplicates("area_code", keep="last")
            .astype(str)
            .assign(lait_number="", aliases="")
        )
        if new_las.empty and new_regions.empty:
            return self
        return Directory(
            pd.concat([self.councils, new_las[self.councils.columns]], ignore_index=True),
            pd.concat([self.regions, new_regions[self.regions.columns]], ignore_index=True),
            self.changes,
        )

    @cached_property
    def _rows(self) -> dict[str, int]:
        """The row of each DfE number, ONS code and former ONS code (the first row wins)."""
        rows: dict[str, int] = {}
        columns = ("la_number", "area_code", "former_area_codes")
        for row, (number, code, former) in enumerate(
            self.councils[list(columns)].itertuples(index=False)
        ):
            for key in (number, code, *former.split(";")):
                if key:
                    rows.setdefault(key, row)
        return rows

    @cached_property
    def _area_codes(self) -> dict[str, str]:
        """The current ONS code of each DfE number."""
        return dict(zip(self.councils["la_number"], self.councils["area_code"], strict=True))

    @cached_property
    def _changes_of(self) -> dict[str, list[tuple[str, str]]]:
        """Each member DfE number's (change, DfE number) rows of the changes, in table order."""
        found: dict[str, list[tuple[str, str]]] = {}
        for row in self.changes.itertuples(index=False):
            for member in row.members.split(";"):
                found.setdefault(member, []).append((row.change, row.la_number))
        return found

    @cached_property
    def _changes_to(self) -> dict[str, list[Any]]:
        """Each DfE number's own rows of the changes (named tuples), in table order."""
        found: dict[str, list[Any]] = {}
        for row in self.changes.itertuples(index=False):
            found.setdefault(row.la_number, []).append(row)
        return found

    def changes_to(self, la_number: str) -> list[Any]:
        """The rows of the changes about this DfE number's own area (split, merged, joint)."""
        return self._changes_to.get(la_number, [])

    def knows(self, code: str | int) -> bool:
        """Whether a council has this DfE number or ONS code (current or former)."""
        return str(code).strip() in self._rows

    def find(self, code: str | int) -> Council:
        """The council with this DfE number or ONS code (current or former).

        Raises ``KeyError`` with a clear message for an unknown code.
        """
        text = str(code).strip()
        if text not in self._rows:
            raise KeyError(
                f"no council with DfE number or ONS code {text!r}: use a 3-digit DfE number "
                "(such as 936) or a 9-character ONS code (such as E10000030)"
            )
        row = self.councils.iloc[self._rows[text]]
        return Council(
            la_number=row["la_number"],
            area_code=row["area_code"],
            area_name=row["area_name"],
            region_code=row["region_code"],
            region_name=row["region_name"],
            former_area_codes=tuple(x for x in row["former_area_codes"].split(";") if x),
            joint_returns=tuple(self._changed_codes(("joint_return",), row["la_number"])),
            predecessors=tuple(self._changed_codes(("split", "merged"), row["la_number"])),
        )

    def council_codes(self, la_numbers: pd.Series) -> pd.Series:
        """Current ONS codes for DfE numbers (joint returns get their members' codes joined).

        Unknown numbers give null.
        """
        distinct = {n: self._area_code(n) for n in la_numbers.dropna().unique()}
        return la_numbers.map(distinct).astype("string")

    def _area_code(self, la_number: object) -> object:
        """The current ONS code of a DfE number or joint return; NA when any part is unknown."""
        parts = [self._area_codes.get(part) for part in str(la_number).split(JOINT)]
        return pd.NA if None in parts else JOINT.join(parts)

    @cached_property
    def _numbers_by_name(self) -> dict[str, set[str]]:
        """The DfE numbers of each council name, as :func:`name_key` writes it (Dorset's two)."""
        found: dict[str, set[str]] = {}
        councils = self.councils
        for number, name in zip(councils["la_number"], councils["area_name"], strict=True):
            found.setdefault(name_key(name), set()).add(number)
        return found

    def misnamed(self, la_numbers: pd.Series, names: pd.Series) -> tuple[int, str] | None:
        """The position of the first council row named as another council (its codes or its
        name typed wrong: its figures would be the other's) and that council's DfE number;
        None when there is none. A name the directory does not know is no sign either way
        (LAIT writes "Durham" and "Bedford Borough"); joint returns are not judged.

        >>> Directory.default().misnamed(pd.Series(["936", "886"]), pd.Series(["Surrey"] * 2))
        (1, '936')
        """
        pairs = pd.DataFrame({"number": la_numbers.to_numpy(), "name": names.to_numpy()})
        for at, number, name in pairs.dropna().drop_duplicates().itertuples():
            known = self._numbers_by_name.get(name_key(name))
            if known and JOINT not in str(number) and number not in known:
                return int(at), min(known)
        return None

    def council_regions(self, la_numbers: pd.Series) -> pd.DataFrame:
        """Region code and name of each council (joint returns: the first member's)."""
        first = la_numbers.astype("string").str.split(JOINT).str[0]
        table = self.councils.set_index("la_number")[["region_code", "region_name"]]
        return table.reindex(first.to_numpy()).set_axis(la_numbers.index).astype("string")

    def region_code(self, name_or_number: str) -> str | None:
        """ONS code of a region or England from its name, alias or LAIT number."""
        key = str(name_or_number).strip().lower().removesuffix(".0")
        for row in self.regions.itertuples(index=False):
            names = {row.area_name.lower(), row.lait_number}
            names |= {a.lower() for a in row.aliases.split(";") if a}
            if key in names:
                return row.area_code
        return None

    def _changed_codes(self, changes: tuple[str, ...], la_number: str) -> list[str]:
        """Current ONS codes of the areas of these ``changes`` that the council is a member of:
        the joint returns it is part of, or the councils it replaced."""
        rows = self._changes_of.get(la_number, [])
        codes = [self._area_code(number) for change, number in rows if change in changes]
        return [code for code in codes if code is not pd.NA]
