"""Sums of amounts that come out bit for bit the same on every run, whatever order an engine adds the rows in.

An engine that sums on several threads (DuckDB, PostgreSQL's parallel workers, Spark's partitions) adds float
rows in whichever order the threads finish, and float addition is not associative: the last digits of a sum of
money moved between two runs over the same data (Expansion MRR by 1.5e-11 on the demo), so a saved review could
not be reproduced exactly (DuckDB's documentation lists this under non-deterministic behaviour). Here each amount
is rounded once to :data:`AMOUNT` (nine decimals, the widest scale BigQuery's NUMERIC holds), the decimals are added
exactly (integer arithmetic on every engine, so order cannot matter) and the total is turned back into a float.
Amounts are imported with at most a few decimals, so the rounding changes nothing they hold; the totals equal the
pandas path's float sums to 1e-9 (tested), and one run equals the next exactly.
"""

from __future__ import annotations

import ibis.expr.datatypes as dt
import ibis.expr.types as ir

#: 38 digits, 9 after the point: totals up to 10**29 in any currency
AMOUNT = dt.Decimal(38, 9)


def exact_sum(value: ir.NumericColumn, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """The sum of ``value`` (rows where ``where`` holds, all when None) as a float64, independent of row order."""
    return decimal_sum(value, where).cast("float64")


def decimal_sum(value: ir.NumericColumn, where: ir.BooleanValue | None = None) -> ir.DecimalScalar:
    """The exact sum of ``value`` still as a decimal (:data:`AMOUNT`), for partial totals added up again later
    (a day's amounts, then a window's days): only the final total becomes a float (``.cast("float64")``)."""
    return value.cast(AMOUNT).sum(where=where)


def exact_mean(value: ir.NumericColumn) -> ir.FloatingScalar:
    """The mean of ``value``'s non-null rows as a float64, independent of row order (NULL when there are none)."""
    return exact_sum(value) / value.count().nullif(0).cast("float64")
