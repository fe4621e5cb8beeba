"""Plain-English sentences for elected members, generated from results (never hand-typed numbers).

The rules every sentence follows:

- Words follow polarity: "better" / "worse" where higher or lower is better; only "higher" /
  "lower" / "similar" for neutral indicators, which are not good or bad in themselves.
- Uncertainty is stated: "significantly worse (95% confidence)", "not significantly different
  from England", "cannot be tested".
- Numbers are rounded half away from zero, on the decimal the value reads, to the indicator's
  decimal places, only when shown (:func:`analysis.rag.format_value`: 2.25 shows as 2.3 and
  0.125 as 0.13 at 2 places), and carry their unit: "21.4%", "72 per 10,000 children",
  "16.2 cases". A missing value shows its published status in words, never 0.
- Each technical term is recorded in the report's :class:`Glossary` when first used, and the
  glossary section lists the definitions in order of first use.
- Sentences name the indicator by its catalogue title followed by a colon, so that the verb
  never has to agree with the title.

Inputs are the shapes other modules produce: an indicator of :mod:`analysis.catalogue` (or a
mapping with title, polarity, unit, decimal_places and optional local frequency), the summary
dict of :func:`analysis.spc.summarise`, :class:`analysis.trend.RecentTrend` (or its
``as_dict()``), :class:`analysis.trend.Deterioration` (or a dict of its fields), and ratings of
:func:`analysis.rag.rag`. Inputs that contradict each other (a rating of green for a value
worse than its target, "better" for a neutral indicator) raise ``ValueError``: they are a bug
upstream, and a sentence that hid it would mislead.

>>> indicator = {"title": "Re-referrals within 12 months", "polarity": "low",
...              "unit": "percent", "decimal_places": 1}
>>> glossary = Glossary()
>>> comparison_sentence(indicator, 25.34, "England", 22.0, "worse", glossary,
...                     area_name="Demoshire")
"Demoshire's 25.3% is higher than England's 22.0%, which is significantly worse (95% confidence)."
>>> glossary.terms
['confidence interval / significantly different']
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis.disclosure import SMALL_NUMBER_THRESHOLD, display_status, number_or_none
from analysis.rag import RATINGS, format_value, round_half_up
from analysis.spc import LIMIT_FACTOR, LIMITS_NOTES, TRIAL_LIMITS_BELOW, SpcOptions
from analysis.trend import CANNOT_BE_CALCULATED, CHI_SQUARED_998, POINTS

_RUN = SpcOptions().run_length
_TREND = SpcOptions().trend_length

#: The technical terms a report may use, with their plain-English definitions. The numbers in
#: them come from the methods' own constants, so they stay true if a default changes.
TERMS: dict[str, str] = {
    "special cause variation": (
        "A change too large or too lasting to be chance: a point outside the process limits, "
        f"{_RUN} or more points in a row on one side of the average, {_TREND} or more points "
        "in a row each higher (or lower) than the one before, or two of three points close to "
        "a limit. It is worth asking what changed."
    ),
    "common cause variation": (
        "The ordinary ups and downs expected from one period to the next when nothing has "
        "changed. No single point of it needs explaining."
    ),
    "process limits": (
        "The range in which almost every value should fall if nothing changes: the average "
        f"plus or minus {LIMIT_FACTOR} times the average change from one point to the next. "
        f"Limits from fewer than {TRIAL_LIMITS_BELOW} points are trial limits."
    ),
    "variation and assurance icons": (
        "The two round icons at the top right of a chart of the council's own figures. The "
        "variation icon says whether the latest figure is special cause variation: H or L "
        "(higher or lower) in orange for a concern, in blue for an improvement, in purple where "
        "higher or lower is neither; C, in grey, for common cause. The assurance icon compares "
        "the target with the process limits: P, it will be met every time; F, it will be "
        "missed every time; ?, hit and miss."
    ),
    "rebase": (
        "Starting a new average and new process limits from the month a chart's figures "
        "moved to a new level for a known reason, such as a change in the service. It is the "
        "council's decision, not the chart's."
    ),
    "statistical neighbours": (
        "The 10 councils most like ours in their children and families, chosen by the "
        "Department for Education's model."
    ),
    "good or outstanding councils": (
        "Councils whose children's services Ofsted judged good or outstanding overall at their "
        "latest inspection (ILACS)."
    ),
    "funnel plot": (
        "A chart of every council's figure against how many children it counts. The funnel's "
        "lines show how far from England's figure a council could be by chance alone; a council "
        "outside them is significantly different from England."
    ),
    "quartile band": (
        "Where a council sits among all councils in England, in four equal groups: A is the "
        "best quarter and D the worst."
    ),
    "confidence interval / significantly different": (
        "A confidence interval is the range a figure could take by chance alone. A figure is "
        "significantly different from another when the other lies outside that range."
    ),
    "recent trend": (
        f"The direction over the {POINTS} most recent years, tested as Public Health England's "
        "Fingertips tool does. It is significant only when chance is very unlikely to explain "
        f"it ({round_half_up(100 * 0.998, 1)}% confidence, chi-squared above "
        f"{round_half_up(CHI_SQUARED_998, 2)})."
    ),
    "RAG": (
        "Red, amber or green against the council's target: green is at or better than the "
        "target, amber worse but within the agreed tolerance, red worse beyond it."
    ),
    "sustained deterioration": (
        f"A lasting move in the worse direction: {_TREND} or more points in a row getting "
        f"worse, {_RUN} or more points in a row on the worse side of the average, or a "
        "significant recent trend that is getting worse."
    ),
    "suppressed": (
        "Not shown, to protect children's privacy: counts from 1 to {small}, and any figure "
        "from which such a count could be worked out."
    ),
}


class Glossary:
    """The technical terms one report has used, in order of first use, with their definitions.

    >>> glossary = Glossary()
    >>> glossary.use("RAG"), glossary.use("suppressed"), glossary.use("RAG")
    ('RAG', 'suppressed', 'RAG')
    >>> [term for term, _ in glossary.definitions()]
    ['RAG', 'suppressed']
    >>> glossary.definitions()[1][1][:52]
    "Not shown, to protect children's privacy: counts fro"
    """

    def __init__(self, threshold: int = SMALL_NUMBER_THRESHOLD) -> None:
        self._threshold = threshold
        self._used: list[str] = []

    def use(self, term: str) -> str:
        """Record ``term`` (one of :data:`TERMS`) as used and return it."""
        if term not in TERMS:
            raise ValueError(f"{term!r} is not a glossary term: one of {', '.join(TERMS)}")
        if term not in self._used:
            self._used.append(term)
        return term

    @property
    def terms(self) -> list[str]:
        """The terms used so far, in order of first use."""
        return list(self._used)

    def definitions(self) -> list[tuple[str, str]]:
        """(term, definition) for each term used, in order of first use."""
        return [(t, TERMS[t].format(small=self._threshold - 1)) for t in self._used]

    def markdown(self, heading: str = "Glossary") -> str:
        """The glossary section as Markdown ("" when no term was used)."""
        if not self._used:
            return ""
        lines = [f"**{heading}**", ""]
        lines += [f"- **{_capital(t)}**: {d}" for t, d in self.definitions()]
        return "\n".join(lines) + "\n"

    def html(self, heading: str | None = "Glossary", level: int = 2) -> str:
        """The glossary section as HTML ("" when no term was used); ``heading=None`` leaves
        the heading out (for a section whose heading is already on the page).

        >>> g = Glossary()
        >>> _ = g.use("RAG")
        >>> g.html().splitlines()[1]
        '<h2>Glossary</h2>'
        >>> g.html(heading=None).splitlines()[1]
        '<dl>'
        """
        if not self._used:
            return ""
        items = "\n".join(
            f"<dt>{html.escape(_capital(t))}</dt><dd>{html.escape(d)}</dd>"
            for t, d in self.definitions()
        )
        title = "" if heading is None else f"<h{level}>{html.escape(heading)}</h{level}>\n"
        return f"<section class='glossary'>\n{title}<dl>\n{items}\n</dl>\n</section>"


def _use(glossary: Glossary | None, term: str) -> None:
    if glossary is not None:
        glossary.use(term)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def without_title(sentence: str, title: str) -> str:
    """A sentence without its leading "Title: ", capitalised, for where the title is already
    read (the indicator's own section, a table row).

    >>> without_title("Agency social workers: the figure fell.", "Agency social workers")
    'The figure fell.'
    """
    return _capital(sentence.removeprefix(f"{title}: "))


# --- indicators, numbers and periods ---------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    title: str
    polarity: str
    unit: str
    decimal_places: int
    frequency: str | None


def _facts(indicator: Any) -> _Facts:
    """What a sentence needs of an indicator (a catalogue Indicator or a mapping)."""

    def get(name: str) -> Any:
        if isinstance(indicator, Mapping):
            return indicator.get(name)
        return getattr(indicator, name, None)

    missing = [n for n in ("title", "polarity", "unit", "decimal_places") if get(n) is None]
    if missing:
        raise ValueError(f"the indicator needs {', '.join(missing)}")
    if get("polarity") not in ("high", "low", "neutral"):
        raise ValueError(f"polarity must be high, low or neutral, not {get('polarity')!r}")
    local = get("local")
    frequency = local.get("frequency") if isinstance(local, Mapping) else None
    return _Facts(
        str(get("title")), get("polarity"), str(get("unit")), int(get("decimal_places")), frequency
    )


def unit_suffix(unit: str) -> str:
    """What follows a number of this unit: "%", " per 10,000 children", " cases", or "".

    Percentages take "%"; "rate per N" takes " per N" and what the unit says it counts
    (children when it does not say); a unit in lower-case words ("cases", "days") follows the
    number; anything else (LAIT's "Average Score", "Number") adds nothing.

    >>> unit_suffix("percent"), unit_suffix("rate per 10,000"), unit_suffix("cases")
    ('%', ' per 10,000 children', ' cases')
    >>> unit_suffix("Rate per 100,000 adults"), unit_suffix("Average Score")
    (' per 100,000 adults', '')
    """
    text = str(unit or "").strip()
    lowered = text.lower()
    if lowered.startswith(("percent", "%")):
        return "%"
    rate = re.fullmatch(r"rate per ([\d,]+)\s*(.*)", lowered)
    if rate:
        return f" per {rate[1]} {rate[2] or 'children'}"
    if re.fullmatch(r"[a-z]+( [a-z]+)*", text) and text not in ("number", "count", "value"):
        return f" {text}"
    return ""


def format_number(indicator: Any, value: Any, status: Any = None) -> str:
    """A value as a member reads it: rounded for display, with its unit, or its status in words.

    >>> cla = {"title": "CLA", "polarity": "neutral", "unit": "rate per 10,000",
    ...        "decimal_places": 0}
    >>> format_number(cla, 72.49), format_number(cla, None, "c")
    ('72 per 10,000 children', 'suppressed')
    """
    facts = _facts(indicator)
    number = number_or_none(value)
    if number is None:
        return display_status(status)
    return format_value(number, facts.decimal_places) + unit_suffix(facts.unit)


def _difference(facts: _Facts, amount: float) -> str:
    """A difference in the indicator's units: "2.0 points" for percentages."""
    shown = format_value(amount, facts.decimal_places)
    suffix = unit_suffix(facts.unit)
    return f"{shown} points" if suffix == "%" else shown + suffix


def _plain(x: float) -> str:
    """A number with at most one decimal place and no trailing zero: 95, 99.8."""
    return f"{round_half_up(x, 1):g}"


_MONTHS = {
    name[:3]: name
    for name in (
        "January February March April May June July August September October November December"
    ).split()
}


def period_text(label: Any) -> str:
    """A period label in words: "Apr 2024" -> "April 2024", "Apr-Jun 2024" -> "April to June
    2024"; a position (an integer, when a chart has no labels) -> "point n" counting from 1.

    >>> period_text("Apr 2024"), period_text("Apr-Jun 2024"), period_text("2023-24")
    ('April 2024', 'April to June 2024', '2023-24')
    >>> period_text(6)
    'point 7'
    """
    if isinstance(label, bool) or label is None:
        return "an unknown period"
    if isinstance(label, int | np.integer):
        return f"point {int(label) + 1}"
    if isinstance(label, pd.Timestamp | date):
        return label.strftime("%B %Y")
    text = str(label)
    match = re.fullmatch(r"([A-Z][a-z]{2})(?:-([A-Z][a-z]{2}))? (\d{4})", text)
    if match and all(m in _MONTHS for m in match.groups()[:2] if m):
        first, last, year = match.groups()
        months = _MONTHS[first] if last is None else f"{_MONTHS[first]} to {_MONTHS[last]}"
        return f"{months} {year}"
    return text


def _nouns(facts: _Facts) -> tuple[str, str]:
    """The word for one point of the indicator's local series, singular and plural."""
    word = {"month": "month", "quarter": "quarter", "year": "year"}.get(facts.frequency, "point")
    return word, word + "s"


def _judgement(direction: int, polarity: str) -> str | None:
    """ "better" or "worse" for a move up (+1) or down (-1); None when neutral or no move."""
    if polarity == "neutral" or direction == 0:
        return None
    return "better" if (direction > 0) == (polarity == "high") else "worse"


def _sign(x: float) -> int:
    return int(np.sign(x))


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _missing(x: Any) -> bool:
    """True for None, NaN and NA (a missing category in a pandas column)."""
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))


def _fields(result: Any) -> dict[str, Any]:
    """A result as a plain dict: a dataclass, a mapping or a pandas row; NaN becomes None."""
    if is_dataclass(result) and not isinstance(result, type):
        out = asdict(result)
    elif isinstance(result, pd.Series):
        out = result.to_dict()
    else:
        out = dict(result)
    return {k: None if _missing(v) else v for k, v in out.items()}


# --- SPC -------------------------------------------------------------------------------------


def _side(special_cause_type: str, polarity: str) -> int:
    """+1 for a special cause on the high side (or rising), -1 on the low side (or falling)."""
    if special_cause_type == "special_cause_neutral_high":
        return 1
    if special_cause_type == "special_cause_neutral_low":
        return -1
    if polarity == "neutral":
        raise ValueError(f"{special_cause_type!r} for a neutral indicator: polarities differ")
    good = 1 if polarity == "high" else -1
    if special_cause_type == "special_cause_improvement":
        return good
    if special_cause_type == "special_cause_concern":
        return -good
    raise ValueError(f"unknown special cause type {special_cause_type!r}")


def _verdict(special_cause_type: str, now: bool) -> str:
    verb = "is" if now else "was"
    if special_cause_type == "special_cause_concern":
        return f"which {verb} special cause variation and a concern"
    if special_cause_type == "special_cause_improvement":
        return f"which {verb} special cause variation and an improvement"
    return f"which {verb} special cause variation, not good or bad in itself"


def _special_clause(
    facts: _Facts,
    s: dict[str, Any],
    side: int,
    now: bool,
    glossary: Glossary | None,
    run_length: int,
    trend_length: int,
) -> str:
    """What the latest special cause was, in words, for the running text."""
    one, many = _nouns(facts)
    rule = s["special_cause_rule"]
    since = period_text(s.get("special_cause_since"))
    period = period_text(s.get("special_cause_period"))
    single = s.get("special_cause_since") == s.get("special_cause_period")
    if rule in ("outside_limits", "two_in_three"):
        _use(glossary, "process limits")
        limit = "upper" if side > 0 else "lower"
    if rule == "outside_limits":
        where = f"{'above' if side > 0 else 'below'} the {limit} process limit"
        if now:
            bound = format_number(facts, s.get("upl") if side > 0 else s.get("lpl"))
            where += f" of {bound}"
            if single:
                latest = format_number(facts, s.get("latest_value"))
                return f"the latest figure, {latest} in {period}, is {where}"
            return f"every {one} since {since} has been {where}"
        return (
            f"in {period} the figure was {where}"
            if single
            else (f"from {since} to {period} the figure was {where}")
        )
    if rule == "two_in_three":
        close = f"close to the {limit} process limit"
        if now:
            # named by the latest month with a figure: later months may be suppressed
            return f"two of the three {many} to {period} were {close}"
        return f"two of three {many} up to {period} were {close}"
    if rule == "trend":
        if now:
            moved = "risen" if side > 0 else "fallen"
            run = f"a run of {trend_length} or more"
            return f"the figure has {moved} every {one} since {since} ({run})"
        return f"from {since} to {period} the figure {'rose' if side > 0 else 'fell'} every {one}"
    if rule == "shift":
        where = f"{'above' if side > 0 else 'below'} the average"
        if now:
            return f"every {one} since {since} has been {where} (a run of {run_length} or more)"
        return f"every {one} from {since} to {period} was {where}"
    raise ValueError(f"unknown special cause rule {rule!r}")


#: Why a chart has no limits (:data:`analysis.spc.LIMITS_NOTES`), in members' words.
_NO_LIMITS = dict(
    zip(
        LIMITS_NOTES[1:],
        (
            "its latest group has no values",
            "there is only one value",
            "the figure has not varied",
            "the figure has hardly varied apart from a few large jumps",
            "the values are too large",
        ),
        strict=True,
    )
)


_ASSURANCE = {
    "consistently_passing": "will be met every {one}",
    "consistently_failing": "will not be met: it lies outside the process limits",
    "hit_and_miss": "will be met in some {many} and missed in others",
}


def spc_sentence(
    indicator: Any,
    summary: Mapping[str, Any],
    glossary: Glossary | None,
    *,
    target: float | None = None,
    run_length: int = _RUN,
    trend_length: int = _TREND,
) -> str:
    """What the SPC chart of a local series says, from :func:`analysis.spc.summarise`.

    The latest point's variation (special cause by which rule and since when, or common cause
    within the process limits); an earlier special cause when the latest point is common
    cause; trial limits; and, given the ``target``, whether it will be met if nothing changes
    (the assurance icon). ``run_length`` and ``trend_length`` are the ones the chart used.

    >>> summary = {"n_values": 36, "latest_period": "Mar 2025", "latest_value": 26.1,
    ...     "mean": 23.0, "lpl": 17.2, "upl": 28.8, "trial_limits": False,
    ...     "variation_icon": "concern_high", "special_cause_rule": "shift",
    ...     "special_cause_type": "special_cause_concern", "special_cause_period": "Mar 2025",
    ...     "special_cause_since": "Apr 2024", "assurance_icon": None, "reason": None}
    >>> rereferrals = {"title": "Re-referrals within 12 months", "polarity": "low",
    ...     "unit": "percent", "decimal_places": 1, "local": {"frequency": "month"}}
    >>> print(spc_sentence(rereferrals, summary, None))  # doctest: +NORMALIZE_WHITESPACE
    Re-referrals within 12 months: every month since April 2024 has been above the average (a
    run of 7 or more), which is special cause variation and a concern.
    """
    facts = _facts(indicator)
    s = _fields(summary)
    one, many = _nouns(facts)
    name = facts.title
    if not s.get("n_values"):
        return f"{name}: there are no values to chart yet."
    latest = format_number(facts, s.get("latest_value"))
    when = period_text(s.get("latest_period"))
    has_limits = s.get("lpl") is not None and s.get("upl") is not None
    icon = s.get("variation_icon")
    sentences = []
    if icon not in (None, "common_cause") and s.get("special_cause_rule"):
        kind = s["special_cause_type"]
        side = _side(kind, facts.polarity)
        _use(glossary, "special cause variation")
        clause = _special_clause(facts, s, side, True, glossary, run_length, trend_length)
        sentences.append(f"{name}: {clause}, {_verdict(kind, True)}.")
    else:
        _use(glossary, "process limits")
        if has_limits:
            _use(glossary, "common cause variation")
            limits = f"{format_number(facts, s['lpl'])} to {format_number(facts, s['upl'])}"
            sentences.append(
                f"{name}: the latest figure, {latest} in {when}, is within the process limits "
                f"({limits}): common cause variation."
            )
        else:
            reason = _NO_LIMITS.get(s.get("reason"), s.get("reason") or "of too few values")
            sentences.append(
                f"{name}: the latest figure is {latest} in {when}; process limits cannot be "
                f"drawn because {reason}."
            )
        if s.get("special_cause_rule"):
            kind = s["special_cause_type"]
            side = _side(kind, facts.polarity)
            _use(glossary, "special cause variation")
            clause = _special_clause(facts, s, side, False, glossary, run_length, trend_length)
            sentences.append(f"Earlier, {clause}, {_verdict(kind, False)}.")
    if s.get("trial_limits") and has_limits:
        sentences.append(
            f"The limits are trial limits, from fewer than {TRIAL_LIMITS_BELOW} {many}."
        )
    assurance = s.get("assurance_icon")
    if assurance in _ASSURANCE:
        goal = (
            "the target"
            if number_or_none(target) is None
            else (f"the target of {format_number(facts, target)}")
        )
        outcome = _ASSURANCE[assurance].format(one=one, many=many)
        if icon in (None, "common_cause"):
            sentences.append(f"If nothing changes, {goal} {outcome}.")
        else:
            # Making Data Count: limits tell what to expect only of a stable process
            sentences.append(
                f"By the process limits, {goal} {outcome}. But the limits describe the figures "
                "before this change: a rebase is needed to know what to expect."
            )
            _use(glossary, "rebase")
    return " ".join(sentences)


# --- trends ----------------------------------------------------------------------------------


def trend_sentence(indicator: Any, recent: Any, glossary: Glossary | None) -> str:
    """The Fingertips recent trend of an annual series (:class:`analysis.trend.RecentTrend` or
    its ``as_dict()``), with better or worse by the indicator's polarity.

    >>> recent = {"label": "increasing and getting worse", "direction": "increasing",
    ...     "significant": True, "reason": "...", "points_used": ["2021", "2022", "2023",
    ...     "2024", "2025"]}
    >>> print(trend_sentence({"title": "Agency social workers", "polarity": "low",
    ...     "unit": "percent", "decimal_places": 1}, recent, None))
    ... # doctest: +NORMALIZE_WHITESPACE
    Agency social workers: from 2021 to 2025 the figure rose significantly, which is getting
    worse (recent trend).
    """
    facts = _facts(indicator)
    r = _fields(recent)
    _use(glossary, "recent trend")
    name = facts.title
    if r.get("label") == CANNOT_BE_CALCULATED:
        return f"{name}: the recent trend cannot be calculated ({r.get('reason')})."
    points = list(r.get("points_used") or [])
    span = f"from {period_text(points[0])} to {period_text(points[-1])}" if points else "lately"
    if not r.get("significant"):
        return f"{name}: {span} there was no significant change (recent trend)."
    direction = {"increasing": 1, "decreasing": -1}.get(r.get("direction"))
    if direction is None:
        raise ValueError(f"a significant trend needs a direction, not {r.get('direction')!r}")
    judgement = _judgement(direction, facts.polarity)
    label = str(r.get("label"))
    if label.endswith(("better", "worse")) != (judgement is not None) or (
        judgement and not label.endswith(judgement)
    ):
        raise ValueError(f"the trend {label!r} was computed with another polarity")
    moved = "rose" if direction > 0 else "fell"
    tail = f", which is getting {judgement}" if judgement else ""
    return f"{name}: {span} the figure {moved} significantly{tail} (recent trend)."


def deterioration_sentence(indicator: Any, deterioration: Any, glossary: Glossary | None) -> str:
    """Whether an indicator shows a sustained deterioration (:class:`analysis.trend.Deterioration`
    or a dict of its fields), by which rule and since when.

    >>> print(deterioration_sentence({"title": "Assessments in 45 days", "polarity": "high",
    ...     "unit": "percent", "decimal_places": 1, "local": {"frequency": "month"}},
    ...     {"flagged": True, "rule": "spc_trend", "since": "Jan 2025"}, None))
    ... # doctest: +NORMALIZE_WHITESPACE
    Assessments in 45 days: sustained deterioration since January 2025, with the figure
    falling month after month.
    """
    facts = _facts(indicator)
    d = _fields(deterioration)
    _use(glossary, "sustained deterioration")
    name = facts.title
    if not d.get("flagged"):
        return f"{name}: no sustained deterioration."
    if facts.polarity == "neutral":
        raise ValueError("a neutral indicator has no worse direction to deteriorate in")
    one, _ = _nouns(facts)
    worse_up = facts.polarity == "low"
    since = f" since {period_text(d['since'])}" if d.get("since") is not None else ""
    rule = d.get("rule")
    if rule == "spc_trend":
        how = f"the figure {'rising' if worse_up else 'falling'} {one} after {one}"
    elif rule == "spc_shift":
        how = f"every {one} {'above' if worse_up else 'below'} the average"
    elif rule == "recent_trend":
        _use(glossary, "recent trend")
        how = f"the recent trend {'rising' if worse_up else 'falling'} significantly"
    else:
        raise ValueError(f"unknown deterioration rule {rule!r}")
    return f"{name}: sustained deterioration{since}, with {how}."


# --- benchmarks and targets ------------------------------------------------------------------

_COMPARED = ("better", "worse", "similar", "higher", "lower")


#: How a group figure is made, in words, by method (analysis.benchmark.comparator_figures).
METHOD_WORDS = {
    "mean": "the mean of",
    "median": "the median of",
    "pooled": "the pooled figure (counts added up) of",
}


def unpublished_sentence(comparator_name: str, method: Any, n: Any) -> str:
    """Why a comparator's figure (England's, a region's) is worked out, not published: "" when
    it is the published one.

    >>> unpublished_sentence("England", "mean", 153)
    "No figure was published for England, so England's here is the mean of its 153 councils."
    >>> unpublished_sentence("England", "published", 153)
    ''
    """
    if method not in METHOD_WORDS:
        return ""
    return (
        f"No figure was published for {comparator_name}, so {comparator_name}'s here is "
        f"{METHOD_WORDS[method]} its {int(n)} councils."
    )


def comparison_sentence(
    indicator: Any,
    value: Any,
    comparator_name: str,
    comparator_value: Any,
    compared: str | None,
    glossary: Glossary | None,
    *,
    area_name: str = "The council",
    confidence: float = 0.95,
    reason: str | None = None,
    status: Any = None,
) -> str:
    """The council's figure against a comparator, with whether the difference is significant.

    ``compared`` is the outcome of :func:`analysis.benchmark.compare_with_benchmark`:
    "better" / "worse" / "similar", or "higher" / "lower" (either way), or None when it could
    not be tested (``reason`` says why). Better or worse always follows the indicator's
    polarity; for a neutral indicator only higher or lower is said. ``status`` is the
    published status of a missing value.

    >>> cla = {"title": "CLA", "polarity": "neutral", "unit": "rate per 10,000",
    ...        "decimal_places": 0}
    >>> print(comparison_sentence(cla, 75.2, "England", 70.0, "higher", None,
    ...                           area_name="Demoshire"))  # doctest: +NORMALIZE_WHITESPACE
    Demoshire's 75 per 10,000 children is significantly higher than England's 70 per 10,000
    children (95% confidence).
    """
    facts = _facts(indicator)
    compared = None if _missing(compared) else compared
    if compared is not None and compared not in _COMPARED:
        raise ValueError(f"compared must be one of {', '.join(_COMPARED)} or None")
    own, other = number_or_none(value), number_or_none(comparator_value)
    if own is None:
        words = display_status(status)
        if words == "suppressed":
            _use(glossary, "suppressed")
        return f"{area_name} has no figure to compare with {comparator_name} ({words})."
    if other is None:
        return f"There is no {comparator_name} figure to compare with."
    if "neighbour" in comparator_name.lower():
        _use(glossary, "statistical neighbours")
    direction = _sign(own - other)
    significant = None if compared is None else compared != "similar"
    if significant:
        stated = {"higher": 1, "lower": -1}.get(compared)
        if stated is not None and stated != direction:
            raise ValueError(f"compared is {compared!r} but {own} against {other} says otherwise")
        if compared in ("better", "worse") and _judgement(direction, facts.polarity) != compared:
            raise ValueError(
                f"compared is {compared!r} but that is not what {own} against {other} means "
                f"for a {facts.polarity}-polarity indicator"
            )
    shown, shown_other = format_number(facts, own), format_number(facts, other)
    subject = f"{_possessive(area_name)} {shown}"
    relation = {1: "higher than", -1: "lower than", 0: "the same as"}[direction]
    base = f"{subject} is {relation} {_possessive(comparator_name)} {shown_other}"
    level = f"{_plain(100 * confidence)}% confidence"
    if significant is None:
        if direction == 0:
            return f"{base}."
        why = f": {reason}" if reason else ""
        return f"{base}; whether the difference is significant cannot be tested{why}."
    _use(glossary, "confidence interval / significantly different")
    if not significant:
        but = ":" if direction == 0 else ", but"
        return f"{base}{but} not significantly different from {comparator_name} ({level})."
    judgement = _judgement(direction, facts.polarity)
    if judgement is None:
        word = "higher" if direction > 0 else "lower"
        return (
            f"{subject} is significantly {word} than {_possessive(comparator_name)} "
            f"{shown_other} ({level})."
        )
    return f"{base}, which is significantly {judgement} ({level})."


def rag_sentence(
    indicator: Any,
    value: Any,
    target: Any,
    rating: str | None,
    glossary: Glossary | None,
    *,
    tolerance: float | None = None,
    tolerance_type: str = "absolute",
    status: Any = None,
) -> str:
    """The red / amber / green rating against the target, as :func:`analysis.rag.rag` gives it.

    >>> rereferrals = {"title": "Re-referrals", "polarity": "low", "unit": "percent",
    ...                "decimal_places": 1}
    >>> print(rag_sentence(rereferrals, 25.3, 22.0, "red", None, tolerance=2.0))
    ... # doctest: +NORMALIZE_WHITESPACE
    Red: 25.3% against a target of 22.0% or lower, worse than the target by more than the
    tolerance of 2.0 points.
    """
    facts = _facts(indicator)
    _use(glossary, "RAG")
    own, goal = number_or_none(value), number_or_none(target)
    rating = None if _missing(rating) else rating
    if rating is None:
        if facts.polarity == "neutral":
            why = "this indicator has no better or worse direction"
        elif goal is None:
            why = "no target is set"
        elif own is None:
            words = display_status(status)
            if words == "suppressed":
                _use(glossary, "suppressed")
            why = f"no figure for this period ({words})"
        else:
            raise ValueError("a value, a target and a direction need a rating")
        return f"No RAG rating: {why}."
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)} or None, not {rating!r}")
    if facts.polarity == "neutral" or own is None or goal is None:
        raise ValueError(
            "a rating needs a value, a target and a higher- or lower-is-better polarity"
        )
    worse = (own - goal) * (1 if facts.polarity == "low" else -1) > 0
    if worse != (rating != "green"):
        raise ValueError(f"{rating!r} does not fit {own} against a target of {goal}")
    head = (
        f"{_capital(rating)}: {format_number(facts, own)} against a target of "
        f"{format_number(facts, goal)} or {'lower' if facts.polarity == 'low' else 'higher'}"
    )
    allowed = None
    if number_or_none(tolerance):
        allowed = (
            f"{_plain(100 * float(tolerance))}% of the target"
            if tolerance_type == "relative"
            else _difference(facts, float(tolerance))
        )
    if rating == "green":
        met = format_number(facts, own) == format_number(facts, goal)
        tail = "meeting the target" if met else "better than the target"
    elif rating == "amber":
        tail = "worse than the target but within the tolerance" + (
            f" of {allowed}" if allowed else ""
        )
    else:
        tail = "worse than the target" + (
            f" by more than the tolerance of {allowed}" if allowed else ""
        )
    return f"{head}, {tail}."


# --- key messages ----------------------------------------------------------------------------

NOTHING_NEEDS_ATTENTION = (
    "No indicator needs attention: none is red, deteriorating, showing special cause concern "
    "or significantly worse than England."
)


def _as_row(item: Any) -> Mapping[str, Any]:
    """A key-message row from a mapping, or from an :class:`analysis.assessment.Assessment`
    (read by its attributes): red counts as getting worse when the indicator is in sustained
    deterioration or its published recent trend is getting worse."""
    if isinstance(item, Mapping):
        return item
    published = item.published or {}
    latest = item.latest
    return {
        "indicator": item.indicator,
        "rag": item.rag,
        "getting_worse": bool(item.deterioration.flagged)
        or str(published.get("recent_trend") or "").endswith("getting worse"),
        "recent_trend": published.get("recent_trend"),
        "value": None if latest is None else latest["value"],
        "target": (item.target or {}).get("target"),
        "deterioration": item.deterioration,
        "spc": item.spc,
        "compared_with_england": published.get("compared_with_england"),
        "published_value": published.get("value"),
        "england": published.get("england"),
    }


def _flags(row: Mapping[str, Any]) -> list[bool]:
    """Whether a key-message row is: red and getting worse, in sustained deterioration, in
    special cause concern, significantly worse than England, red (most urgent first)."""
    red = row.get("rag") == "red"
    deterioration = row.get("deterioration")
    flagged = bool(deterioration is not None and _fields(deterioration).get("flagged"))
    spc = row.get("spc")
    concern = bool(row.get("special_cause_concern")) or bool(
        spc is not None and str(_fields(spc).get("variation_icon") or "").startswith("concern")
    )
    return [
        red and bool(row.get("getting_worse")),
        flagged,
        concern,
        row.get("compared_with_england") == "worse",
        red,
    ]


def _against(facts: _Facts, value: Any, other: Any, words: str) -> str:
    """ " (25.3% against {words}22.0%)" when both numbers are known, else ""."""
    if number_or_none(value) is None or number_or_none(other) is None:
        return ""
    return f" ({format_number(facts, value)} against {words}{format_number(facts, other)})"


def _getting_worse(row: Mapping[str, Any], glossary: Glossary | None) -> str:
    """How a red indicator is getting worse: " and in sustained deterioration since April
    2024", " and its recent trend is getting worse", or " and getting worse"."""
    deterioration = _fields(row.get("deterioration") or {})
    if deterioration.get("flagged"):
        _use(glossary, "sustained deterioration")
        since = deterioration.get("since")
        return " and in sustained deterioration" + (
            f" since {period_text(since)}" if since is not None else ""
        )
    if str(row.get("recent_trend") or "").endswith("getting worse"):
        _use(glossary, "recent trend")
        return " and its published recent trend is getting worse"
    return " and getting worse"


def _message(row: Mapping[str, Any], category: int, glossary: Glossary | None) -> str:
    facts = _facts(row["indicator"])
    name = facts.title
    england = _against(facts, row.get("published_value"), row.get("england"), "")
    if category == 3:
        _use(glossary, "confidence interval / significantly different")
        return f"{name}: significantly worse than England{england}."
    if category in (0, 4):
        _use(glossary, "RAG")
        detail = _against(facts, row.get("value"), row.get("target"), "a target of ")
        worse = _getting_worse(row, glossary) if category == 0 else ""
        text = f"{name}: red against its target{worse}{detail}"
    elif category == 1:
        _use(glossary, "sustained deterioration")
        since = _fields(row["deterioration"]).get("since")
        text = f"{name}: sustained deterioration" + (
            f" since {period_text(since)}" if since is not None else ""
        )
    else:
        _use(glossary, "special cause variation")
        since = row.get("special_cause_since")
        if since is None and row.get("spc") is not None:
            since = _fields(row["spc"]).get("special_cause_since")
        text = f"{name}: special cause variation that is a concern" + (
            f", since {period_text(since)}" if since is not None else ""
        )
    # the committee sees at once how the council compares with England, where it is worse
    if row.get("compared_with_england") == "worse":
        _use(glossary, "confidence interval / significantly different")
        text += f"; it is also significantly worse than England in the published figures{england}"
    return text + "."


def key_messages(
    rows: Sequence[Any], limit: int = 5, glossary: Glossary | None = None
) -> list[str]:
    """The few indicators that need attention and why, one sentence each, most urgent first.

    Each row is an :class:`analysis.assessment.Assessment`, or a dict with ``indicator``
    (catalogue Indicator or mapping) and any of: ``rag`` (rating), ``getting_worse`` (bool: the
    indicator is moving in the worse direction, say a sustained deterioration or a recent trend
    getting worse; the message names which when ``deterioration`` or ``recent_trend`` says),
    ``value`` and ``target`` (the latest local figure and its target),
    ``deterioration`` (:class:`analysis.trend.Deterioration` or its dict),
    ``special_cause_concern`` (bool) and ``special_cause_since``, or ``spc`` (the summary of
    :func:`analysis.spc.summarise`), ``compared_with_england`` (as in the scorecard: "worse"
    means significantly worse), ``published_value`` and ``england``.

    Order: red and getting worse, then sustained deterioration, special cause concern,
    significantly worse than England, then red otherwise; rows keep their order within a
    group, and each indicator is listed once, under its most urgent reason (and, when it is
    significantly worse than England as well, saying so too). At most ``limit``
    sentences, and one more saying how many were left out; when nothing needs attention, one
    sentence saying so.

    >>> ind = {"title": "Agency social workers", "polarity": "low", "unit": "percent",
    ...        "decimal_places": 1}
    >>> key_messages([{"indicator": ind, "rag": "green"}]) == [NOTHING_NEEDS_ATTENTION]
    True
    >>> for message in key_messages([{"indicator": ind, "compared_with_england": "worse"},
    ...                              {"indicator": ind, "rag": "red", "getting_worse": True}]):
    ...     print(message)
    Agency social workers: red against its target and getting worse.
    Agency social workers: significantly worse than England.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    ranked = []
    for position, item in enumerate(rows):
        row = _as_row(item)
        flags = _flags(row)
        if any(flags):
            ranked.append((flags.index(True), position, row))
    if not ranked:
        return [NOTHING_NEEDS_ATTENTION]
    ranked.sort(key=lambda item: item[:2])
    messages = [_message(row, category, glossary) for category, _, row in ranked[:limit]]
    left = len(ranked) - limit
    if left > 0:
        messages.append(
            f"{left} more {'indicator also needs' if left == 1 else 'indicators also need'} "
            "attention."
        )
    return messages
