"""ONS mid-year population estimates (EES layout), for rates per 10,000 children."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.areas import Directory
from analysis.catalogue import Indicator
from analysis.ees import POPULATION, POPULATION_AGE_GROUP, load_ees

#: The population estimate as an indicator, so it loads like any other EES column.
POPULATION_INDICATOR = Indicator(
    id=POPULATION,
    title="Children aged 0 to 17 (ONS mid-year estimate)",
    description="The number of children aged 0 to 17 living in the area at 30 June.",
    polarity="neutral",
    unit="children",
    decimal_places=0,
    period_type="calendar year",
    source={
        "ees": {
            "file": "ons_mid-year_population_estimates_2012_to_2024.csv",
            "value": "population_estimate",
            "filters": {"age_group": POPULATION_AGE_GROUP},
        }
    },
)


def load_population(path: str | Path, directory: Directory | None = None) -> pd.DataFrame:
    """Children aged 0 to 17 by area and year, as the tidy table (indicator ``population_0_17``).

    >>> table = load_population("ons_mid-year_population_2012_to_2024.csv")  # doctest: +SKIP
    """
    return load_ees(path, POPULATION_INDICATOR, directory)
