"""The indicator deep dive for analysts: one local indicator broken down by one dimension.

What the notebook ``notebooks/indicator_deep_dive.ipynb`` shows, computed once by
:func:`prepare`:

- the whole area's XmR chart (:mod:`analysis.spc`), with the rebases the analyst chose applied
  and the change points PELT suggests (:mod:`analysis.changepoint`) listed as suggestions only;
- each group's series (rows whose ``breakdown`` reads ``"<dimension>: <group>"``) with its own
  chart and SPC summary;
- how much each group contributed to the change between two periods, split into rate and mix
  effects (:mod:`analysis.decomposition`).

A month whose numerator or denominator is a count from 1 to ``threshold - 1`` loses its figure
before anything is worked out (:func:`small_counts_suppressed`), and every table goes through
:func:`analysis.disclosure.protect_table`: such counts, and anything built on them (a rate, a
share, an effect), are hidden.

>>> dive = prepare(council="701", indicator="rereferrals_12m_pct", dimension="team",
...                period_end="2025-09-30", data_dir="demo-data",
...                scorecard_path="demo-data/local/scorecard.csv")  # doctest: +SKIP
>>> display(HTML(dive.whole_area_html()))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import __version__, spc
from analysis.areas import Council
from analysis.atomic import write_text
from analysis.catalogue import Indicator, load_catalogue
from analysis.changepoint import MINIMUM_SEGMENT, suggest_rebases
from analysis.charts import (
    VARIATION_BADGES,
    contribution_alt_text,
    contribution_chart,
    data_table_html,
    figure_html,
    paragraphs_html,
    spc_alt_text,
    spc_chart,
    spc_table,
    with_limit_precision,
)
from analysis.decomposition import groups_between, kitagawa, largest_contribution
from analysis.disclosure import (
    SUPPRESSED,
    built_on_small_counts,
    counts_not_given,
    fewer_than,
    protect_table,
    small_count_note,
    suppress_small_counts,
    unchecked_note,
)
from analysis.ees import data_warnings
from analysis.errors import DataError
from analysis.local_scorecard import load_scorecard
from analysis.narrative import format_number, period_text, spc_sentence
from analysis.params import find_council
from analysis.periods import month_end
from analysis.published import DATA_ENV
from analysis.quarterly import FICTIONAL_NOTICE
from analysis.rag import format_value
from analysis.tidy import ALL
from analysis.values import scale_from_unit

NOTEBOOK = "indicator_deep_dive"


def write_summary(
    path: str | Path,
    council: Council,
    title: str,
    notebook: str,
    fictional: bool,
    key_messages: list[str],
    warnings: list[str],
) -> Path:
    """Write a report's ``summary.json`` atomically: who it is about, what it is, its key
    messages (plain text) and warnings; never record-level rows of local data."""
    record = {
        "council": council.identity(),
        "title": title,
        "notebook": notebook,
        "fictional": bool(fictional),
        "compendium_version": __version__,
        "key_messages": [str(m) for m in key_messages],
        "warnings": [str(w) for w in warnings],
    }
    return write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def heading_html(title: str, lead: str, fictional: bool, warnings: list[str]) -> str:
    """The H1, a lead paragraph, the fictional-data notice when it applies, and warnings."""
    parts = [
        f"<h1 id='title'>{html.escape(title)}</h1>",
        f"<p class='lead'>{html.escape(lead)}</p>",
    ]
    if fictional:
        parts.append(
            "<div class='notice' role='note'><strong>Fictional data.</strong> "
            f"{html.escape(FICTIONAL_NOTICE)}</div>"
        )
    parts += [f"<div class='warning' role='note'>{html.escape(w)}</div>" for w in warnings]
    return "\n".join(parts)


def key_messages_html(messages: list[str]) -> str:
    """The key messages as a list under the ``key-messages`` heading."""
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    return f"<h2 id='key-messages'>Key messages</h2><ul class='key-messages'>{items}</ul>"


def _notes_html(notes: list[str]) -> str:
    return paragraphs_html(*notes)


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


@dataclass
class DeepDive:
    """Everything the deep-dive notebook shows, for one indicator and one dimension."""

    council: Council
    indicator: Indicator
    dimension: str
    rows: pd.DataFrame
    """The council's local rows for the indicator: the whole area and the dimension's groups,
    with figures built on a small count suppressed (:func:`small_counts_suppressed`)."""
    period_end: pd.Timestamp
    compare_from: str | None
    compare_to: str | None
    rebase: list[pd.Timestamp] = field(default_factory=list)
    threshold: int = 10
    fictional: bool = False
    warnings: list[str] = field(default_factory=list)
    split_problem: str | None = None

    # --- the numbers -------------------------------------------------------------------

    @property
    def title(self) -> str:
        return f"{self.council.area_name}: {self.indicator.title} by {self.dimension}"

    @property
    def groups(self) -> list[str]:
        """The dimension's groups, in the order of the scorecard."""
        parts = self.rows.loc[self.rows["breakdown"] != ALL, "breakdown"]
        return list(dict.fromkeys(parts.astype(str)))

    def _group_name(self, breakdown: str) -> str:
        return breakdown.split(":", 1)[1].strip() if ":" in breakdown else breakdown

    @functools.cached_property
    def charts(self) -> pd.DataFrame:
        """XmR charts of the whole area and each group, with the chosen rebases applied."""
        rebase = {self.indicator.id: self.rebase} if self.rebase else None
        return spc.xmr_table(self.rows, {self.indicator.id: self.indicator.polarity}, rebase=rebase)

    def chart_of(self, breakdown: str) -> pd.DataFrame:
        charts = self.charts
        return charts.loc[charts["breakdown"] == breakdown].reset_index(drop=True)

    def summary_of(self, breakdown: str) -> dict:
        return spc.summarise(self.chart_of(breakdown), self.indicator.polarity)

    @functools.cached_property
    def suggestions(self) -> pd.DataFrame:
        """Change points PELT suggests in the whole-area series (suggestions only)."""
        whole = self.rows.loc[self.rows["breakdown"] == ALL].dropna(subset=["value"])
        return suggest_rebases(whole["value"].to_numpy(), list(whole["period"]))

    @functools.cached_property
    def split(self) -> pd.DataFrame | None:
        """Kitagawa's split of the change between the two periods by group, or None when it
        cannot be made (:attr:`split_problem` says why, and it is added to the warnings)."""
        if not self.groups:
            self.split_problem = f"There are no groups by {self.dimension} to compare."
            return None
        if not self.compare_from or not self.compare_to:
            self.split_problem = "The two periods to compare were not found in the scorecard."
            return None
        scale = scale_from_unit(self.indicator.unit) or 1.0
        groups = groups_between(self.rows, self.dimension, self.compare_from, self.compare_to)
        try:
            return kitagawa(groups, scale=scale)
        except ValueError as error:
            self.split_problem = f"The change between the two periods cannot be split: {error}."
            self._warn(self.split_problem)
            return None

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # --- protected tables --------------------------------------------------------------

    def _shown(self, value: float) -> str:
        return format_number(self.indicator, value)

    @functools.cached_property
    def _protection(self) -> tuple[pd.DataFrame, list[str]]:
        frame = self.rows[["breakdown", "period", "numerator", "denominator", "status"]]
        shown, notes = protect_table(
            frame, ["numerator", "denominator"], (), self.threshold, group_by=["period"]
        )
        hidden = self._hidden(frame, shown, ["numerator", "denominator"])
        values = [
            SUPPRESSED if h else format_number(self.indicator, v, s)
            for h, v, s in zip(hidden, self.rows["value"], self.rows["status"], strict=True)
        ]
        return shown.assign(value=values), notes

    @property
    def protected_rows(self) -> pd.DataFrame:
        """Every row's numerator, denominator and value as text, small counts hidden.

        The groups of one period add up to the whole area, so secondary suppression keeps a
        hidden count from being worked out from the total (:func:`protect_table`); a value
        built on a hidden count is hidden too.
        """
        return self._protection[0]

    @property
    def protection_notes(self) -> list[str]:
        """The notes to print under the protected tables."""
        return self._protection[1]

    def _hidden(self, frame: pd.DataFrame, shown: pd.DataFrame, columns: list[str]) -> np.ndarray:
        """True for rows where protect_table hid any of ``columns`` (a number it did not show)."""
        words = {SUPPRESSED, fewer_than(self.threshold)}
        hidden = np.zeros(len(frame), dtype=bool)
        for column in columns:
            numbers = pd.to_numeric(frame[column], errors="coerce").notna().to_numpy()
            hidden |= numbers & shown[column].isin(words).to_numpy()
        return hidden

    def _charted(self, breakdown: str) -> Indicator:
        """The indicator as one series' chart, table and sentence show it: with the decimal
        places that tell its limits and mean apart (:func:`with_limit_precision`)."""
        return with_limit_precision(self.indicator, self.chart_of(breakdown))

    def series_table(self, breakdown: str) -> pd.DataFrame:
        """The numbers behind one series' chart: counts and value (protected), SPC lines."""
        chart = self.chart_of(breakdown)
        numbers = spc_table(chart, self._charted(breakdown))
        protected = self.protected_rows
        mine = protected.loc[self.rows["breakdown"].to_numpy() == breakdown].set_index("period")
        mine = mine.reindex(chart["period"])
        return pd.DataFrame(
            {
                "Period": numbers["Period"],
                "Numerator": mine["numerator"].to_numpy(),
                "Denominator": mine["denominator"].to_numpy(),
                "Value": mine["value"].to_numpy(),
                "Mean": numbers["Mean"],
                "Lower process limit": numbers["Lower process limit"],
                "Upper process limit": numbers["Upper process limit"],
                "Signal": numbers["Signal"],
            }
        )

    # --- sections ----------------------------------------------------------------------

    def heading_html(self) -> str:
        lead = (
            f"{self.indicator.description} Local figures to "
            f"{self.period_end.strftime('%B %Y')}, broken down by {self.dimension}."
        )
        return heading_html(self.title, lead, self.fictional, self.warnings)

    def _series_figure(self, breakdown: str, name: str) -> str:
        chart = self.chart_of(breakdown)
        summary = spc.summarise(chart, self.indicator.polarity)
        labelled = dataclasses.replace(self._charted(breakdown), title=name)
        figure = spc_chart(chart, labelled, summary)
        alt = spc_alt_text(chart, summary, labelled)
        caption = f"{name}: XmR chart by {'quarter' if self._quarterly else 'month'}"
        table = data_table_html(self.series_table(breakdown), f"{name}: the numbers")
        return figure_html(figure, alt, caption) + table

    @property
    def _quarterly(self) -> bool:
        return bool((self.rows["period_type"] == "quarter").any())

    def whole_area_html(self) -> str:
        """The whole-area chart with the applied rebases, and the suggested change points."""
        if not (self.rows["breakdown"] == ALL).any():
            return paragraphs_html(
                f"The scorecard has no whole-area rows for {self.indicator.title}."
            )
        name = f"{self.indicator.title}: {self.council.area_name}"
        summary = self.summary_of(ALL)
        parts = [paragraphs_html(spc_sentence(self._charted(ALL), summary, None))]
        if self.rebase:
            applied = ", ".join(period_text(d.strftime("%b %Y")) for d in self.rebase)
            parts.append(paragraphs_html(f"Rebased (chosen in the parameters) from {applied}."))
        parts.append(self._series_figure(ALL, name))
        parts.append(self.suggestions_html())
        parts.append(_notes_html(self.protection_notes))
        return "".join(parts)

    def suggestions_html(self) -> str:
        suggestions = self.suggestions
        heading = "<h3 id='suggested-rebases'>Suggested rebase dates (suggestions only)</h3>"
        if suggestions.empty:
            reason = suggestions.attrs.get("reason") or "no change in level was found"
            return heading + paragraphs_html(
                f"Change-point detection suggests no rebase date: {reason}."
            )
        table = pd.DataFrame(
            {
                "First period of the new level": suggestions["period"].astype(str),
                "Mean before": [self._shown(v) for v in suggestions["mean_before"]],
                "Mean after": [self._shown(v) for v in suggestions["mean_after"]],
                "Change": [
                    format_value(v, self.indicator.decimal_places) for v in suggestions["shift"]
                ],
            }
        )
        text = (
            "Change-point detection (PELT) points at where the level of the whole-area series "
            "appears to move. These are suggestions only: a rebase is a human decision, made "
            "when something changed in the service and is expected to last, and it is applied "
            "only when listed in the rebase parameter."
        )
        return (
            heading
            + paragraphs_html(text)
            + data_table_html(table, "Suggested rebase dates (not applied unless chosen)")
        )

    def groups_overview(self) -> pd.DataFrame:
        """One row per group: latest value (protected), mean, limits and variation."""
        protected = self.protected_rows
        rows = []
        for breakdown in self.groups:
            summary = self.summary_of(breakdown)
            mine = protected.loc[self.rows["breakdown"].to_numpy() == breakdown]
            latest = mine.loc[mine["period"] == summary.get("latest_period")]
            shown = latest["value"].iloc[0] if len(latest) else "not available"
            rows.append(
                {
                    self.dimension.capitalize(): self._group_name(breakdown),
                    "Latest period": summary.get("latest_period") or "none",
                    "Latest value": shown,
                    "Mean": self._shown(summary.get("mean")),
                    "Process limits": (
                        f"{self._shown(summary['lpl'])} to {self._shown(summary['upl'])}"
                        if summary.get("upl") is not None
                        else summary.get("reason") or "none"
                    ),
                    "Variation": (
                        VARIATION_BADGES[summary["variation_icon"]].label
                        if summary.get("variation_icon") in VARIATION_BADGES
                        else "none"
                    ),
                    "Latest special cause": summary.get("special_cause_period") or "none",
                }
            )
        return pd.DataFrame(rows)

    def groups_html(self) -> str:
        """The groups' overview table, then each group's chart and numbers under an h3."""
        if not self.groups:
            return paragraphs_html(
                f"The scorecard has no rows broken down by {self.dimension} for "
                f"{self.indicator.title}."
            )
        parts = [
            data_table_html(
                self.groups_overview(),
                f"{self.indicator.title} by {self.dimension}: latest value and SPC summary",
            )
        ]
        for breakdown in self.groups:
            group = self._group_name(breakdown)
            name = f"{self.indicator.title}: {self.dimension} {group}"
            heading = f"{self.dimension.capitalize()} {group}"
            summary = self.summary_of(breakdown)
            labelled = dataclasses.replace(self._charted(breakdown), title=name)
            parts.append(
                f"<h3 id='{html.escape(_slug(f'{self.dimension} {group}'))}'>"
                f"{html.escape(heading)}</h3>"
                + paragraphs_html(spc_sentence(labelled, summary, None))
                + self._series_figure(breakdown, name)
            )
        parts.append(_notes_html(self.protection_notes))
        return "".join(parts)

    def split_table(self, split: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """The decomposition by group with a total row, protected, ready to show."""
        counts = ["numerator_from", "denominator_from", "numerator_to", "denominator_to"]
        total = split[counts].sum().to_dict()
        frame = pd.concat(
            [
                split.assign(breakdown=[f"{self.dimension}: {g}" for g in split["group"]]),
                pd.DataFrame(
                    [
                        {
                            **total,
                            "breakdown": ALL,
                            "group": "Whole area (sum of groups)",
                            "share_from": 1.0,
                            "share_to": 1.0,
                            "rate_from": split.attrs["overall_from"],
                            "rate_to": split.attrs["overall_to"],
                            "rate_effect": split["rate_effect"].sum(),
                            "mix_effect": split["mix_effect"].sum(),
                            "contribution": split["contribution"].sum(),
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
        shown, notes = protect_table(frame, counts, (), self.threshold, group_by=[])
        hidden = self._hidden(frame, shown, counts)
        dps = self.indicator.decimal_places

        def derived(column: str, scale: float = 1.0, places: int = dps) -> list[str]:
            return [
                SUPPRESSED if h else format_value(v * scale, places) if pd.notna(v) else "none"
                for h, v in zip(hidden, frame[column], strict=True)
            ]

        when_a, when_b = self.compare_from, self.compare_to
        table = pd.DataFrame(
            {
                self.dimension.capitalize(): frame["group"],
                f"Numerator {when_a}": shown["numerator_from"],
                f"Denominator {when_a}": shown["denominator_from"],
                f"Numerator {when_b}": shown["numerator_to"],
                f"Denominator {when_b}": shown["denominator_to"],
                f"Value {when_a}": derived("rate_from"),
                f"Value {when_b}": derived("rate_to"),
                f"Share of denominator {when_a} (%)": derived("share_from", 100, 1),
                f"Share of denominator {when_b} (%)": derived("share_to", 100, 1),
                "Rate effect": derived("rate_effect", places=dps + 1),
                "Mix effect": derived("mix_effect", places=dps + 1),
                "Contribution": derived("contribution", places=dps + 1),
            }
        )
        if hidden.any():
            notes.append(
                "Values, shares and effects of a group with a hidden count are hidden too."
            )
        return table, notes

    def _units(self) -> str:
        return "percentage points" if self.indicator.is_proportion else self.indicator.unit

    def split_sentences(self, split: pd.DataFrame) -> list[str]:
        """The change, its rate and mix parts, and the largest contribution, in words."""
        shown_groups = self._visible_groups(split)
        change = split.attrs["change"]
        rate, mix = split["rate_effect"].sum(), split["mix_effect"].sum()
        dps = self.indicator.decimal_places + 1
        units = self._units()
        sentences = [
            f"{self.indicator.title} went from {self._shown(split.attrs['overall_from'])} in "
            f"{period_text(self.compare_from)} to {self._shown(split.attrs['overall_to'])} in "
            f"{period_text(self.compare_to)} across the groups, a change of "
            f"{format_value(change, dps)} {units}.",
            f"Of that, {format_value(rate, dps)} {units} is the rate effect (groups' own rates "
            f"changing, at their average share) and {format_value(mix, dps)} {units} the mix "
            f"effect (groups' shares changing, at their average rate).",
        ]
        largest = largest_contribution(shown_groups)
        if largest is not None:
            top, part = largest
            sentences.append(
                f"The largest contribution among the groups shown came from {self.dimension} "
                f"{top['group']}: {format_value(top['contribution'], dps)} {units}, mostly "
                f"its {part} effect."
            )
        return sentences

    def _visible_groups(self, split: pd.DataFrame) -> pd.DataFrame:
        """The groups whose counts are all shown (a group with a hidden count is not drawn)."""
        table, _ = self.split_table(split)
        visible = (table["Rate effect"] != SUPPRESSED).to_numpy()[: len(split)]
        return split.loc[visible]

    def contribution_html(self) -> str:
        """The decomposition: sentences, a chart of each group's two effects, the table."""
        split = self.split
        if split is None:
            return paragraphs_html(self.split_problem or "")
        notes = []
        whole_a, whole_b = (
            self.rows.loc[(self.rows["breakdown"] == ALL) & (self.rows["period"] == p)]
            for p in (self.compare_from, self.compare_to)
        )
        for whole, key in ((whole_a, "denominator_from"), (whole_b, "denominator_to")):
            if len(whole) and whole["denominator"].iloc[0] != split[key].sum():
                notes.append(
                    "The groups do not add up to the whole area in one of the periods, so the "
                    "split explains the change across the groups, not the whole area's figure."
                )
                break
        table, table_notes = self.split_table(split)
        visible = self._visible_groups(split)
        title = (
            f"{self.indicator.title}: change from {period_text(self.compare_from)} to "
            f"{period_text(self.compare_to)} by {self.dimension}"
        )
        figure = figure_html(
            contribution_chart(visible, title, self._units()),
            contribution_alt_text(
                visible, split, title, self._units(), self.indicator.decimal_places + 1
            ),
            f"Rate and mix effects by {self.dimension}",
        )
        return (
            paragraphs_html(*self.split_sentences(split), *notes)
            + figure
            + data_table_html(table, f"{title}: rate and mix effects")
            + _notes_html(table_notes)
        )

    # --- summary -----------------------------------------------------------------------

    def key_messages(self) -> list[str]:
        messages = []
        if (self.rows["breakdown"] == ALL).any():
            messages.append(spc_sentence(self.indicator, self.summary_of(ALL), None))
        suggestions = self.suggestions
        if len(suggestions):
            periods = ", ".join(str(p) for p in suggestions["period"])
            messages.append(
                f"Change-point detection suggests the level moved at {periods} "
                "(suggestions only; a rebase is the analyst's decision)."
            )
        split = self.split
        if split is not None:
            messages += self.split_sentences(split)
        return messages or [f"There are no local figures for {self.indicator.title} to analyse."]

    def key_messages_html(self) -> str:
        return key_messages_html(self.key_messages())

    def about_paragraphs(self) -> list[str]:
        """How the charts, the suggested rebase dates and the split were worked out, in plain
        words, with the numbers the analysis uses: the limits and rules of
        :mod:`analysis.spc` (its default :class:`~analysis.spc.SpcOptions`, as :attr:`charts`
        draws them), the shortest level :func:`~analysis.changepoint.suggest_rebases` allows,
        and this deep dive's small-number threshold."""
        rules = spc.SpcOptions()  # the options xmr_table uses in charts
        screened = (
            f" (leaving out moving ranges of {spc.SCREENING_FACTOR} times the average or more)"
            if rules.screen_outliers
            else ""
        )
        return [
            "The charts are XmR charts in the NHS England Making Data Count style: the mean, "
            f"and process limits at the mean plus or minus {spc.LIMIT_FACTOR} times the "
            f"average moving range{screened}. A point outside the limits, "
            f"a run of {rules.run_length} on one side of the mean, a trend of "
            f"{rules.trend_length}, or two of three close to a limit is special cause "
            "variation. A rebase starts a new mean and new limits; it is applied only for the "
            "months listed in the parameters.",
            "Suggested rebase dates come from change-point detection (PELT, with a penalty set "
            "from the series' own variation, and at least "
            f"{MINIMUM_SEGMENT} values at each level). They are suggestions only: a rebase is "
            "a decision for the analyst, made when something changed in the service and is "
            "expected to last.",
            "The change between two periods is split by Kitagawa's method (Kitagawa 1955; Das "
            "Gupta 1993). The overall figure is the groups' figures weighted by their shares of "
            "the denominator. The rate effect of a group is its average share in the two "
            "periods times the change in its own figure; the mix effect is its average figure "
            "times the change in its share. The two effects of all groups add up exactly to "
            "the change in the overall figure. The split is arithmetic, not a cause.",
            f"Counts from 1 to {self.threshold - 1} are hidden in every table, with a second "
            "count where one could be worked out from the total, and so are the figures, "
            "shares and effects built on a hidden count. A month whose count is that small "
            "loses its figure before anything is worked out: it is a gap in the charts and "
            "statistics, and the change is not split when a group has no figure to split.",
        ]

    def about_html(self) -> str:
        """:meth:`about_paragraphs` as HTML paragraphs, every text escaped."""
        return paragraphs_html(*self.about_paragraphs())

    def save_summary(self, path: str | Path) -> Path:
        messages = self.key_messages()
        return write_summary(
            path, self.council, self.title, NOTEBOOK, self.fictional, messages, self.warnings
        )


def _periods_to_compare(
    whole: pd.DataFrame, compare_from: str, compare_to: str, warnings: list[str]
) -> tuple[str | None, str | None]:
    """The period labels to compare: the given months, else the latest whole-area value and
    the same period a year before."""
    with_value = whole.dropna(subset=["value"])
    if with_value.empty:
        return None, None
    to_end = month_end(compare_to, "compare_to") if compare_to else with_value["period_end"].max()
    from_end = (
        month_end(compare_from, "compare_from")
        if compare_from
        else to_end - pd.DateOffset(years=1) + pd.offsets.MonthEnd(0)
    )
    labels = []
    for end, what in ((from_end, "compare_from"), (to_end, "compare_to")):
        match = whole.loc[whole["period_end"] == end, "period"]
        if match.empty:
            warnings.append(f"No whole-area row for {end.strftime('%B %Y')} ({what}).")
            labels.append(None)
        else:
            labels.append(str(match.iloc[0]))
    return labels[0], labels[1]


def small_counts_suppressed(
    rows: pd.DataFrame, indicator: Indicator, threshold: int, warnings: list[str]
) -> pd.DataFrame:
    """``rows`` (the whole area and every group) with each figure built on a count from 1 to
    ``threshold`` - 1 suppressed before anything is worked out, as in the quarterly report
    (:func:`analysis.disclosure.suppress_small_counts`): no chart, alt text, sentence, table or
    split can give the count away. Adds to ``warnings`` which months were suppressed, and which
    series' figures came without the counts to check."""

    def name(breakdown: str) -> str:
        return f"{indicator.title} ({'whole area' if breakdown == ALL else breakdown})"

    small = rows.loc[built_on_small_counts(rows, threshold)]
    for breakdown, months in small.groupby("breakdown", sort=False)["period"]:
        warnings.append(small_count_note(name(breakdown), list(months), threshold))
    suppressed = suppress_small_counts(rows, threshold)
    unchecked = suppressed.loc[counts_not_given(suppressed, indicator), "breakdown"].unique()
    warnings += unchecked_note([name(b) for b in unchecked], threshold)
    return suppressed


def prepare(
    council: str,
    indicator: str,
    dimension: str,
    period_end: str,
    scorecard_path: str,
    data_dir: str | None = None,
    compare_from: str = "",
    compare_to: str = "",
    rebase: list[str] | None = None,
    small_number_threshold: int = 10,
    fictional: bool = False,
    catalogue_files: list[str] | None = None,
) -> DeepDive:
    """Load the council's scorecard and work out everything the deep dive shows."""
    catalogue = load_catalogue(*(catalogue_files or []))
    if indicator not in catalogue:
        raise DataError("parameters", f"unknown indicator id {indicator!r}", column="indicator")
    chosen = catalogue[indicator]
    if not chosen.local:
        raise DataError(
            "parameters", f"{indicator} has no local scorecard series", column="indicator"
        )
    if not scorecard_path:
        raise DataError("parameters", "the deep dive needs the council's scorecard", "scorecard")
    folder = str(data_dir or os.environ.get(DATA_ENV, ""))
    found = find_council(council, folder, Path("parameters"), "council")
    end = pd.Timestamp(period_end)
    with data_warnings() as notes:  # what the loader warned about, for the page to show
        local = load_scorecard(scorecard_path, found, catalogue, until=end)
    breakdown = local["breakdown"].astype(str)
    rows = local.loc[
        (local["indicator"] == indicator)
        & (local["period_end"] <= end)
        & ((breakdown == ALL) | breakdown.str.startswith(f"{dimension}:"))
    ].reset_index(drop=True)
    warnings = list(notes)
    if rows.empty:
        warnings.append(f"The scorecard has no rows for {chosen.title} up to {end:%B %Y}.")
    elif (rows["breakdown"] == ALL).sum() == len(rows):
        found_dimensions = sorted(
            {b.split(":", 1)[0] for b in breakdown.loc[local["indicator"] == indicator] if ":" in b}
        )
        warnings.append(
            f"The scorecard has no breakdown by {dimension!r} for {chosen.title}"
            + (f"; it has {', '.join(found_dimensions)}." if found_dimensions else ".")
        )
    rows = small_counts_suppressed(rows, chosen, small_number_threshold, warnings)
    whole = rows.loc[rows["breakdown"] == ALL]
    label_from, label_to = _periods_to_compare(whole, compare_from, compare_to, warnings)
    rebase_ends = [month_end(d, "rebase") for d in (rebase or [])]
    return DeepDive(
        council=found,
        indicator=chosen,
        dimension=dimension,
        rows=rows,
        period_end=end,
        compare_from=label_from,
        compare_to=label_to,
        rebase=rebase_ends,
        threshold=small_number_threshold,
        fictional=fictional,
        warnings=warnings,
    )
