"""Charts in one accessible style, embedded in the report as self-contained HTML figures.

Colour-blind-safe (Okabe-Ito) colours, markers as well as colour, direct labels, and alt text that
states the chart's message.

>>> html = figure_html(line_chart(series, indicator), alt="...", caption="...")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.catalogue import Indicator  # noqa: E402

#: Okabe-Ito palette (colour-blind safe); all have at least 3:1 contrast on white but yellow,
#: which is not used.
COLOURS = {"council": "#0072B2", "england": "#000000", "region": "#D55E00", "neighbours": "#009E73"}
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "svg.hashsalt": "compendium",
}


def line_chart(series: pd.DataFrame, indicator: Indicator) -> plt.Figure:
    """The council's series over time; missing or suppressed periods are gaps, never zero."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.5, 3.2))
        axes.plot(
            series["period_end"],
            series["value"],
            color=COLOURS["council"],
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            label="This council",
        )
        latest = series.dropna(subset=["value"]).tail(1)
        if not latest.empty:
            axes.annotate(
                f"{latest['value'].iloc[0]:.{indicator.decimal_places}f}",
                (latest["period_end"].iloc[0], latest["value"].iloc[0]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                color=COLOURS["council"],
                fontweight="bold",
            )
        axes.set_ylabel(indicator.unit)
        axes.set_title(indicator.title, loc="left", fontsize=12)
        figure.autofmt_xdate()
        figure.tight_layout()
    return figure


def figure_html(figure: plt.Figure, alt: str, caption: str, number: int | None = None) -> str:
    """The figure as an inline PNG in a ``<figure>`` with alt text and a numbered caption."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    label = f"Figure {number}: " if number is not None else ""
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(label + caption)}</figcaption></figure>"
    )
