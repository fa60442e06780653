"""The one formatter of units against strings written out by hand."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.export.units import (
    AMOUNT_DECIMALS,
    MISSING,
    UNITS,
    count,
    format_value,
    in_100,
    interval,
    money,
    multiple,
    nps,
    p_value,
    percent,
    points,
    score,
)

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)
#: finite figures of a size a workbench shows (beyond 1e12 a float no longer holds whole cents)
FIGURES = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)

# value, unit, shown plainly, shown as a change (signed=True)
CASES = [
    (0.25, "share", "25.0%", "+25.0 pts"),
    (-0.031, "share", "-3.1%", "-3.1 pts"),
    (0.05, "points", "+5.0 pts", "+5.0 pts"),
    (-0.021, "points", "-2.1 pts", "-2.1 pts"),
    (12.34, "nps", "+12.3", "+12.3"),
    (-7.26, "nps", "-7.3", "-7.3"),
    (1234.6, "currency", "$1,235", "+$1,235"),
    (-1234.6, "currency", "-$1,235", "-$1,235"),
    (1000, "currency", "$1,000", "+$1,000"),
    (12.0, "currency", "$12", "+$12"),
    (0.05, "currency", "$0.05", "+$0.05"),
    (-0.4, "currency", "-$0.40", "-$0.40"),
    (0.71234, "score", "0.712", "+0.712"),
    (-0.0456, "score", "-0.046", "-0.046"),
    (2.5, "ratio", "2.50x", "+2.50x"),
    (0.333, "ratio", "0.33x", "+0.33x"),
    (3.55, "roi", "+355%", "+355 pts"),
    (-0.774, "roi", "-77%", "-77 pts"),
    (1234, "count", "1,234", "+1,234"),
    (-1234, "count", "-1,234", "-1,234"),
    (5.41, "customers", "5.4", "+5.4"),
    (150.7, "customers", "151", "+151"),
    (1234567, "contacts", "1,234,567", "+1,234,567"),
    (12, "verbatims", "12", "+12"),
    (3, "rank", "3", "+3"),
]


def test_the_cases_cover_every_unit():
    assert {unit for _, unit, _, _ in CASES} == set(UNITS)


@pytest.mark.parametrize(("value", "unit", "plain", "signed"), CASES)
def test_format_value_writes_each_unit(value, unit, plain, signed):
    assert format_value(value, unit) == plain
    assert format_value(value, unit, signed=True) == signed


@pytest.mark.parametrize("value", [np.float64(0.25), np.float32(0.25), pd.Series([0.25]).iloc[0]])
def test_numpy_scalars_are_figures(value):
    assert format_value(value, "share") == "25.0%"


def test_money_puts_the_sign_before_the_symbol():
    assert money(-1234.6) == "-$1,235"
    assert money(-1234.6, signed=True) == "-$1,235"
    assert money(1234.6, signed=True) == "+$1,235"
    assert money(-0.05, decimals=2) == "-$0.05"


def test_float_noise_in_money_never_changes_the_figure_shown():
    """An exact sum (an engine's, core.query.exact) and pandas' float sum of the same amounts show the same: the
    float's last-bit noise goes before the rounding (the Overview's contraction of 412.5 on pandas and on Spark)."""
    assert sum([137.5, 137.5, 137.5]) == 412.5 and 0.1 + 0.2 != 0.3
    assert money(412.5000000000001) == money(412.5) == money(412.4999999999999) == "$412"
    assert money(413.5000000000001) == "$414" and money(412.50000001) == "$413"  # more than noise: shown
    assert money(0.1 + 0.2, decimals=1) == "$0.3" and money(-(0.1 + 0.2) + 0.3, decimals=2) == "$0.00"
    assert format_value(1234.5000000000002, "currency") == "$1,234"


def test_money_is_exact_to_the_engines_amount_scale():
    from core.query.exact import AMOUNT

    assert AMOUNT_DECIMALS == AMOUNT.scale


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: money(0.0004, decimals=2), "$0.00"),
        (lambda: money(-0.0004, decimals=2), "$0.00"),
        (lambda: money(-0.4), "$0"),
        (lambda: money(-0.5), "$0"),  # an exact half rounds to even
        (lambda: money(-0.6), "-$1"),
        (lambda: money(0.005, decimals=2), "$0.01"),
        (lambda: format_value(0.0004, "currency"), "$0.00"),
        (lambda: format_value(-0.0004, "currency"), "$0.00"),
        (lambda: format_value(99.999, "currency"), "$100.00"),
        (lambda: format_value(1234.5, "currency"), "$1,234"),
        (lambda: format_value(-0.0004, "share"), "0.0%"),
        (lambda: format_value(-0.0004, "share", signed=True), "+0.0 pts"),
        (lambda: format_value(-0.0004, "points"), "+0.0 pts"),
        (lambda: format_value(-0.01, "nps"), "+0.0"),
        (lambda: format_value(-0.0001, "score"), "0.000"),
        (lambda: format_value(-0.001, "ratio"), "0.00x"),
        (lambda: format_value(-0.04, "customers"), "0.0"),
        (lambda: format_value(99.96, "customers"), "100.0"),
        (lambda: format_value(0.9996, "share"), "100.0%"),
    ],
)
def test_rounding_edges(call, expected):
    assert call() == expected


def test_the_formatters_take_their_digits():
    assert percent(0.12345, digits=2) == "12.35%"  # 12.345 is stored just above the half
    assert percent(0.021, signed=True) == "+2.1%"
    assert points(0.12345, digits=0) == "+12 pts"
    assert money(1234.567, decimals=2) == "$1,234.57"
    assert multiple(2.5, digits=1) == "2.5x"
    assert score(0.71234, digits=1, signed=True) == "+0.7"
    assert nps(99.96) == "+100.0"
    assert count(-5.41, signed=True) == "-5.4"


MISSING_VALUES = [None, float("nan"), np.nan, np.float32("nan"), pd.NA, pd.NaT, np.datetime64("NaT")]


@pytest.mark.parametrize("value", MISSING_VALUES, ids=repr)
@pytest.mark.parametrize("unit", sorted(UNITS))
def test_a_missing_figure_is_missing_in_every_unit(value, unit):
    assert MISSING == "\u2013"  # an en dash
    assert format_value(value, unit) == MISSING
    assert format_value(value, unit, signed=True) == MISSING


@pytest.mark.parametrize("value", MISSING_VALUES, ids=repr)
@pytest.mark.parametrize("formatter", [percent, points, money, count, multiple, nps, score])
def test_each_formatter_writes_a_missing_figure_as_missing(value, formatter):
    assert formatter(value) == MISSING


@pytest.mark.parametrize("value", [1.5, None])
def test_an_unknown_unit_names_the_units(value):
    with pytest.raises(ValueError, match="Unknown unit 'percent'") as err:
        format_value(value, "percent")
    for unit in ("share", "points", "nps", "currency", "score", "ratio", "count", "customers", "rank"):
        assert unit in str(err.value)


def test_interval():
    assert interval(0.021, 0.104, "points") == "[+2.1 pts, +10.4 pts]"
    assert interval(0.021, 0.104, "share") == "[2.1%, 10.4%]"
    assert interval(-1234.6, 5000, "currency") == "[-$1,235, $5,000]"
    assert interval(1.25, 3.5, "ratio") == "[1.25x, 3.50x]"


@pytest.mark.parametrize(("low", "high"), [(None, 0.1), (0.1, float("nan")), (pd.NA, pd.NA)])
def test_an_interval_with_a_missing_end_is_empty(low, high):
    assert interval(low, high, "share") == ""


# --- properties -----------------------------------------------------------------------------------------------


def number(text: str) -> float:
    """The number a formatted figure shows (its symbol, separators and suffix dropped)."""
    return float(re.sub(r"[$,%x]| pts$", "", text))


@PROPERTY
@given(FIGURES)
def test_percent_reads_back_as_the_rounded_percentage(x):
    text = percent(x)
    assert re.fullmatch(r"-?\d+\.\d%", text)
    assert number(text) == round(100 * x, 1)


@PROPERTY
@given(FIGURES)
def test_points_are_always_signed(x):
    text = points(x)
    assert re.fullmatch(r"[+-]\d+\.\d pts", text)
    assert number(text) == round(100 * x, 1)


@PROPERTY
@given(FIGURES, st.integers(min_value=0, max_value=2), st.booleans())
def test_money_never_writes_a_sign_after_the_symbol(x, decimals, signed):
    text = money(x, decimals=decimals, signed=signed)
    assert "$-" not in text and "$+" not in text
    digits = rf"\.\d{{{decimals}}}" if decimals else ""
    assert re.fullmatch(r"[+-]?\$\d{1,3}(,\d{3})*" + digits, text)
    assert number(text) == round(x, decimals)
    assert text.startswith("-") == (round(x, decimals) < 0)


@PROPERTY
@given(FIGURES)
def test_currency_keeps_cents_only_on_small_amounts(x):
    text = format_value(x, "currency")
    small = x != int(x) and abs(x) < 100
    assert number(text) == round(x, 2 if small else 0)
    assert ("." in text) == small


@PROPERTY
@given(FIGURES)
def test_a_fraction_of_a_customer_keeps_one_decimal(x):
    text = format_value(x, "customers")
    whole = x == int(x) or abs(x) >= 100
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*" + ("" if whole else r"\.\d"), text)
    assert number(text) == round(x, 0 if whole else 1)


@PROPERTY
@given(FIGURES, st.sampled_from(sorted(UNITS)), st.booleans())
def test_no_unit_writes_minus_zero(x, unit, signed):
    text = format_value(x, unit, signed=signed)
    if number(text) == 0:
        assert not text.startswith("-"), text
    else:
        assert math.copysign(1, number(text)) == math.copysign(1, x)


@pytest.mark.parametrize("p, expected", [(0.0423, "0.042"), (0.001, "0.001"), (0.00099, "<0.001"), (0.0, "<0.001"),
                                         (1.0, "1.000"), (np.nan, MISSING), (None, MISSING)])
def test_p_values_have_three_decimals_and_a_floor(p, expected):
    assert p_value(p) == expected


@pytest.mark.parametrize("x, n", [(0.763, "76"), (0.7649, "77"), (0.7644, "76"), (0.765, "77"), (0.745, "75"),
                                  (0.5, "50"), (0.5044, "50"), (0.5046, "51"), (0.994, "99"), (0.995, "more than 99"),
                                  (0.9996, "more than 99"), (1.0, "100"), (0.004, "fewer than 1"),
                                  (0.0004, "fewer than 1"), (0.0, "0"), (np.float64(0.42), "42")])
def test_in_100_reads_the_shown_score_rounded_half_up(x, n):
    assert in_100(x) == n


def test_in_100_agrees_with_the_digits_of_the_shown_score_everywhere_between():
    """N read off the score as shown ("0.765" -> 77): its first two decimals, plus one when the third is 5 or more."""
    for x in np.linspace(0.005, 0.994, 1000):
        shown = score(float(x))
        assert shown.startswith("0.")
        assert in_100(float(x)) == str(int(shown[2:4]) + (shown[4] >= "5")), x
