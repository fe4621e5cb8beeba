"""Kitagawa's rate and mix decomposition (analysis.decomposition).

Where the expected numbers come from: the three-team example is worked by hand below from the
formula in the module docstring (Kitagawa 1955; Das Gupta 1993, chapter 5); the age example
uses the input data of Das Gupta (1993) Example 5.1, household headship rates per 100 in the
United States in 1970 and 1985 by 13 age groups (as transcribed in the DasGuptR package's
README), where the effects are checked against the crude rates computed from the same table.
Das Gupta's printed effects for that example were not available to us, so the test checks the
identities his method guarantees rather than his printed figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.decomposition import groups_between, kitagawa


def _teams(rows: list[tuple[str, int, int, int, int]]) -> pd.DataFrame:
    columns = ["group", "numerator_from", "denominator_from", "numerator_to", "denominator_to"]
    return pd.DataFrame(rows, columns=columns)


# Worked by hand (percentages, scale 100):
#   from: A 30/100 = 30%, B 10/50 = 20%, C 20/50 = 40%; overall 60/200 = 30%
#   to:   A 24/80 = 30%,  B 30/100 = 30%, C 8/20 = 40%;  overall 62/200 = 31%
#   shares from 0.50, 0.25, 0.25; to 0.40, 0.50, 0.10
#   rate effect: A 0.45 x 0 = 0; B 0.375 x 10 = 3.75; C 0.175 x 0 = 0         -> 3.75
#   mix effect:  A 30 x -0.10 = -3; B 25 x 0.25 = 6.25; C 40 x -0.15 = -6     -> -2.75
#   total 3.75 - 2.75 = 1.00 = 31% - 30%
HAND = _teams([("A", 30, 100, 24, 80), ("B", 10, 50, 30, 100), ("C", 20, 50, 8, 20)])


def test_three_teams_worked_by_hand():
    split = kitagawa(HAND, scale=100).set_index("group")
    assert split["rate_effect"].tolist() == pytest.approx([0.0, 3.75, 0.0], abs=1e-12)
    assert split["mix_effect"].tolist() == pytest.approx([-3.0, 6.25, -6.0], abs=1e-12)
    assert split["contribution"].tolist() == pytest.approx([-3.0, 10.0, -6.0], abs=1e-12)
    assert split["share_to"].tolist() == pytest.approx([0.4, 0.5, 0.1])
    assert split["rate_from"].tolist() == pytest.approx([30.0, 20.0, 40.0])
    assert split.attrs["overall_from"] == pytest.approx(30.0)
    assert split.attrs["overall_to"] == pytest.approx(31.0)
    assert split.attrs["change"] == pytest.approx(1.0)


def test_effects_add_exactly_to_the_change():
    split = kitagawa(HAND, scale=100)
    total = split["rate_effect"].sum() + split["mix_effect"].sum()
    assert total == pytest.approx(split.attrs["change"], abs=1e-12)
    assert split["contribution"].sum() == pytest.approx(split.attrs["change"], abs=1e-12)


# Das Gupta (1993) Example 5.1: percentage of the population in each age group (15-19 ... 75+)
# and household headship rate per 100, United States 1970 and 1985.
SIZE_1970 = [12.9, 10.9, 9.5, 8.0, 7.8, 8.4, 8.6, 7.8, 7.0, 5.9, 4.7, 3.6, 4.9]
SIZE_1985 = [10.1, 11.2, 11.6, 10.9, 9.4, 7.7, 6.3, 6.0, 6.3, 5.9, 5.1, 4.0, 5.5]
RATE_1970 = [1.9, 25.8, 45.7, 49.6, 51.2, 51.6, 51.8, 54.9, 58.7, 60.4, 62.8, 66.6, 66.8]
RATE_1985 = [2.2, 24.3, 45.8, 52.5, 56.1, 55.6, 56.0, 57.4, 57.2, 61.2, 63.9, 68.6, 72.2]


def test_das_gupta_headship_example_is_an_exact_split_of_the_crude_difference():
    size_a, size_b = np.array(SIZE_1970), np.array(SIZE_1985)
    rate_a, rate_b = np.array(RATE_1970), np.array(RATE_1985)
    groups = pd.DataFrame(
        {
            "group": [f"age {i}" for i in range(13)],
            "numerator_from": size_a * rate_a / 100,
            "denominator_from": size_a,
            "numerator_to": size_b * rate_b / 100,
            "denominator_to": size_b,
        }
    )
    split = kitagawa(groups, scale=100)
    w_a, w_b = size_a / size_a.sum(), size_b / size_b.sum()
    crude_a, crude_b = (w_a * rate_a).sum(), (w_b * rate_b).sum()
    # Das Gupta's standardised rates: age-standardised = average composition, own rates;
    # rate-standardised = average rates, own composition. Their differences are the effects.
    age_standardised = ((w_a + w_b) / 2 * rate_b).sum() - ((w_a + w_b) / 2 * rate_a).sum()
    rate_standardised = ((rate_a + rate_b) / 2 * w_b).sum() - ((rate_a + rate_b) / 2 * w_a).sum()
    assert split.attrs["overall_from"] == pytest.approx(crude_a, rel=1e-12)
    assert split.attrs["overall_to"] == pytest.approx(crude_b, rel=1e-12)
    assert split["rate_effect"].sum() == pytest.approx(age_standardised, rel=1e-12)
    assert split["mix_effect"].sum() == pytest.approx(rate_standardised, rel=1e-12)
    assert split["contribution"].sum() == pytest.approx(crude_b - crude_a, rel=1e-12)
    # headship rose within most age groups while the population got older: both positive
    assert split["rate_effect"].sum() > 0 and split["mix_effect"].sum() > 0


def test_a_new_group_contributes_only_mix():
    split = kitagawa(_teams([("Old", 20, 100, 20, 100), ("New", 0, 0, 30, 100)]), scale=100)
    new = split.set_index("group").loc["New"]
    assert new["rate_effect"] == 0
    assert np.isnan(new["rate_from"])
    # its whole contribution is its share times its rate in the period it has: 0.5 x 30
    assert new["mix_effect"] == pytest.approx(15.0)
    assert split["contribution"].sum() == pytest.approx(25.0 - 20.0)


def test_a_missing_count_is_an_error_naming_the_group():
    groups = _teams([("North", 20, 100, 20, 100)]).astype(object)
    groups.loc[0, "numerator_to"] = None
    with pytest.raises(ValueError, match="North has a missing numerator"):
        kitagawa(groups)


def test_groups_come_from_the_tidy_breakdown_rows():
    tidy = pd.DataFrame(
        {
            "breakdown": ["all", "team: North", "team: South", "all", "team: North", "age: 0-4"],
            "period": ["Sep 2024", "Sep 2024", "Sep 2024", "Sep 2025", "Sep 2025", "Sep 2025"],
            "numerator": [30.0, 10.0, 20.0, 12.0, 12.0, 5.0],
            "denominator": [100.0, 40.0, 60.0, 50.0, 50.0, 9.0],
        }
    )
    groups = groups_between(tidy, "team", "Sep 2024", "Sep 2025").set_index("group")
    assert list(groups.index) == ["North", "South"]
    assert groups.loc["North"].tolist() == [10.0, 40.0, 12.0, 50.0]
    # South had no row in Sep 2025: no referrals that month, so 0, not missing
    assert groups.loc["South"].tolist() == [20.0, 60.0, 0.0, 0.0]
