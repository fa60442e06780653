"""core.query.exact: sums and means of amounts that do not depend on the order an engine adds the rows in."""

from decimal import Decimal

import ibis
import numpy as np
import pyarrow as pa
import pytest

from core.query.exact import exact_mean, exact_sum

#: amounts with cents spread over six orders of magnitude, as money and usage minutes are
AMOUNTS = np.round(np.random.default_rng(23).lognormal(3, 2, 200_000), 2)


def _shuffled(seed: int) -> ibis.Table:
    """The amounts in an order of their own, in three groups that keep each amount's group (``i % 3``)."""
    order = np.random.default_rng(seed).permutation(len(AMOUNTS))
    return ibis.memtable(pa.table({"g": (order % 3).astype(np.int64), "v": AMOUNTS[order]}))


def _decimal_total(values) -> Decimal:
    return sum((Decimal(f"{x:.2f}") for x in values), Decimal(0))


@pytest.fixture(scope="module")
def con():
    c = ibis.duckdb.connect()
    yield c
    c.disconnect()


def test_the_sum_is_the_exact_decimal_total_whatever_the_row_order(con):
    got = {con.execute(exact_sum(_shuffled(seed).v)) for seed in range(5)}
    assert got == {float(_decimal_total(AMOUNTS))}


def test_the_plain_float_sum_moves_with_the_row_order_which_is_why_the_exact_sum_exists(con):
    # the premise: the same amounts added in other orders give other last digits
    assert len({con.execute(_shuffled(seed).v.sum()) for seed in range(5)}) > 1


def test_grouped_sums_and_means_are_exact_per_group_whatever_the_row_order(con):
    want = [(g, _decimal_total(AMOUNTS[g::3]), len(AMOUNTS[g::3])) for g in range(3)]
    for seed in range(3):
        t = _shuffled(seed)
        got = con.execute(t.group_by("g").agg(s=exact_sum(t.v), m=exact_mean(t.v)).order_by("g"))
        assert got["s"].tolist() == [float(total) for _, total, _ in want]
        assert got["m"].tolist() == [float(total) / n for _, total, n in want]


def test_a_filtered_sum_counts_only_the_rows_it_keeps(con):
    t = _shuffled(0)
    got = con.execute(exact_sum(t.v, where=t.g == 1))
    assert got == float(_decimal_total(AMOUNTS[1::3]))


def test_no_rows_give_null_and_nulls_are_left_out(con):
    t = ibis.memtable(pa.table({"v": pa.array([None, 2.5, None, 0.25], pa.float64())}))
    assert con.execute(exact_sum(t.v)) == 2.75
    assert con.execute(exact_mean(t.v)) == 2.75 / 2
    empty = t.filter(t.v > 10)
    assert con.execute(exact_sum(empty.v)) is None or np.isnan(con.execute(exact_sum(empty.v)))
    assert con.execute(exact_mean(empty.v)) is None or np.isnan(con.execute(exact_mean(empty.v)))


def test_amounts_keep_nine_decimals_and_negative_amounts_cancel(con):
    t = ibis.memtable(pa.table({"v": [0.1, 0.2, -0.3, 1e-9, 123456789.123456789]}))
    assert con.execute(exact_sum(t.v)) == float(Decimal("123456789.123456790"))
    zero = ibis.memtable(pa.table({"v": [0.1, 0.2, -0.3]}))
    assert con.execute(exact_sum(zero.v)) == 0.0  # a float sum gives 5.6e-17: a month summing to 0 is not "paying"
