"""A play's effect from per-arm sufficient statistics: the engine sums, Python finishes :func:`compare`'s table.

A warehouse is asked only for sums (GrowthBook's approach), one row per arm, however many contacts there are
(:func:`arm_sums`): ``n``, ``sum_y``, ``sum_y2`` and ``n_other`` (values that are neither 0 nor 1, so a yes/no
outcome is recognised exactly), and with a covariate ``x``: ``n_x`` (rows with an ``x``), ``sum_x``, ``sum_x2``,
``sum_xy`` and ``sum_y_x`` (the outcome summed over the rows with an ``x``).

:func:`compare_from_sums` gives :func:`core.roi.estimates.compare`'s columns from them: means, Wald's (yes/no) or
Welch's (amount) interval through :func:`core.roi.estimates.interval_from_moments`, and CUPED's ``theta = cov(y, x)
/ var(x)`` over both arms pooled (``ddof=1``, as :func:`core.roi.estimates.cuped`). A missing ``x`` takes the pooled
mean of the two arms compared, as in :func:`~core.roi.estimates.cuped`, which the sums allow exactly: the ``n - n_x``
missing values add ``m``, ``m**2`` and ``m * (sum_y - sum_y_x)`` to the sums of ``x``, ``x**2`` and ``xy``.

Rows counted are :func:`core.roi.outcomes.measured`'s: eligible rows for a store outcome, rows with a value for an
imported one; rows with a missing outcome (NULL or NaN) are left out in both cases (a store outcome has none).
Variances come from sums (``sum_y2 - sum_y**2 / n``), so a spread below about a millionth of the values' size reads
as none.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.roi.defaults import ALPHA, CONTROL, RETAINED, REVENUE
from core.roi.estimates import check_control, interval_from_moments, variance_reduction

#: a sum of squared deviations below this share of the sum of squares is cancellation noise: no spread
_NOISE = 1e-12
_SUMS = ("sum_y", "sum_y2", "n_x", "sum_x", "sum_x2", "sum_xy", "sum_y_x")


def _value(col: ir.Column) -> ir.FloatingColumn:
    """``col`` as a double with NaN read as NULL (pandas writes NaN; SQL aggregates skip only NULL)."""
    x = col.cast("float64")
    return ibis.ifelse(x.isnan(), ibis.null("float64"), x)


def _column(table: ir.Table, name: str, what: str) -> ir.Column:
    if name not in table.columns:
        raise DataValidationError(f"The table has no {what} column '{name}'. Columns: {', '.join(table.columns)}.")
    return table[name]


def arm_sums(table: ir.Table, outcome: str, covariate: str | None = None, arm: str = "arm") -> ir.Table:
    """One expression giving each arm's sufficient statistics for ``outcome`` (and ``covariate``).

    Parameters
    ----------
    table : ibis.Table
        One row per contact: :func:`core.roi.outcomes.outcomes`' columns, on any engine.
    outcome : str
        ``retained``, ``revenue_kept`` (counted on ``eligible`` rows) or an imported numeric column.
    covariate : str, optional
        The CUPED covariate; rows without one still count (they take the mean, see the module docstring).
    arm : str
        The column naming each contact's arm.

    Returns
    -------
    ibis.Table
        ``arm, n, n_other, sum_y, sum_y2`` and, with a covariate, ``n_x, sum_x, sum_x2, sum_xy, sum_y_x``: one row
        per arm (a NULL arm is a row too: it counts for telling a yes/no outcome, as in ``compare``).

    Raises
    ------
    DataValidationError
        When a named column is not in the table.
    """
    y_col, a_col = _column(table, outcome, "outcome"), _column(table, arm, "arm")
    x_col = _column(table, covariate, "covariate") if covariate is not None else None
    t = table.mutate(_arm=a_col, _y=_value(y_col), **({"_x": _value(x_col)} if x_col is not None else {}))
    if outcome in (RETAINED, REVENUE):
        t = t.filter(_column(table, "eligible", "eligible").cast("boolean"))
    t = t.filter(t._y.notnull())
    y = t._y
    aggs = {"n": y.count(), "n_other": ibis.ifelse((y == 0) | (y == 1), 0, 1).sum(),
            "sum_y": y.sum(), "sum_y2": (y * y).sum()}
    if x_col is not None:
        x = t._x
        aggs |= {"n_x": x.count(), "sum_x": x.sum(), "sum_x2": (x * x).sum(), "sum_xy": (x * y).sum(),
                 "sum_y_x": ibis.ifelse(x.notnull(), y, 0.0).sum()}
    return t.group_by(arm=t._arm).aggregate(**aggs)


def sums_are_binary(sums: pd.DataFrame) -> bool:
    """Whether the outcome summed is yes/no: at least one value and every value 0 or 1 (``is_binary``'s rule)."""
    return bool(sums["n"].sum() > 0) and int(sums["n_other"].sum()) == 0


def _centred(s2: float, s: float, n: float) -> float:
    """The sum of squared deviations from the mean, from the sum of squares and the sum (0 under the noise)."""
    c = s2 - s * s / n
    return c if c > _NOISE * abs(s2) else 0.0


def _interval(d: float, ss_t: float, ss_c: float, n_t: int, n_c: int, *, binary: bool,
              alpha: float) -> tuple[float, float, float, float]:
    """:func:`~core.roi.estimates.diff_interval` from the arms' sums of squared deviations ``ss``."""
    if n_t < 2 or n_c < 2:
        return (np.nan,) * 4
    ddof = 0 if binary else 1
    return interval_from_moments(d, max(ss_t, 0.0) / (n_t - ddof), max(ss_c, 0.0) / (n_c - ddof), n_t, n_c,
                                 binary=binary, alpha=alpha)


def _imputed(a: pd.Series, m: float) -> tuple[float, float, float]:
    """An arm's sums of ``x``, ``x**2`` and ``xy`` with each missing ``x`` taking ``m``."""
    missing = a["n"] - a["n_x"]
    return (a["sum_x"] + missing * m, a["sum_x2"] + missing * m * m,
            a["sum_xy"] + m * (a["sum_y"] - a["sum_y_x"]))


def _adjusted_ss(theta: float, a: pd.Series, sx: float, sx2: float, sxy: float) -> float:
    """Arm ``a``'s sum of squared deviations of ``y - theta x``: ``Syy - 2 theta Sxy + theta**2 Sxx``."""
    n, sy = a["n"], a["sum_y"]
    return _centred(a["sum_y2"], sy, n) - 2 * theta * (sxy - sx * sy / n) + theta ** 2 * _centred(sx2, sx, n)


def _cuped_columns(t: pd.Series, c: pd.Series, *, binary: bool, alpha: float, plain: tuple[float, float]) -> dict:
    """``compare``'s CUPED columns of treatment arm ``t`` against control ``c``, from their sums."""
    n_x = t["n_x"] + c["n_x"]
    m = (t["sum_x"] + c["sum_x"]) / n_x if n_x else 0.0
    (sx_t, sx2_t, sxy_t), (sx_c, sx2_c, sxy_c) = _imputed(t, m), _imputed(c, m)
    n, sy, sx = t["n"] + c["n"], t["sum_y"] + c["sum_y"], sx_t + sx_c
    sxx = _centred(sx2_t + sx2_c, sx, n)
    theta = float((sxy_t + sxy_c - sx * sy / n) / sxx) if sxx > 0 else 0.0
    d = t["sum_y"] / t["n"] - c["sum_y"] / c["n"] - theta * (sx_t / t["n"] - sx_c / c["n"])
    ss_t, ss_c = _adjusted_ss(theta, t, sx_t, sx2_t, sxy_t), _adjusted_ss(theta, c, sx_c, sx2_c, sxy_c)
    cd, clo, chi, cp = _interval(d, ss_t, ss_c, int(t["n"]), int(c["n"]), binary=binary, alpha=alpha)
    return {"theta": theta, "cuped_difference": cd, "cuped_low": clo, "cuped_high": chi, "cuped_p_value": cp,
            "variance_reduction": variance_reduction(plain, (clo, chi))}


def _arms_of(sums: pd.DataFrame) -> pd.DataFrame:
    """The sums indexed by arm (NULL arm dropped), missing sums as 0, treatment arms to come largest first."""
    s = sums[sums["arm"].notna()].copy()
    for col in [c for c in _SUMS if c in s]:
        s[col] = pd.to_numeric(s[col], errors="coerce").astype(float).fillna(0.0)
    s["n"] = s["n"].astype(np.int64)
    return s.sort_values(["n", "arm"], ascending=[False, True], kind="stable").set_index("arm")


def compare_from_sums(sums: pd.DataFrame, *, control: str = CONTROL, binary: bool, alpha: float = ALPHA,
                      outcome: str | None = None) -> pd.DataFrame:
    """:func:`core.roi.estimates.compare`'s table from :func:`arm_sums`' result.

    Parameters
    ----------
    sums : pandas.DataFrame
        :func:`arm_sums` executed: one row per arm; CUPED columns come when it holds ``sum_x``.
    control : str
        The arm every other arm is compared with.
    binary : bool
        Whether the outcome is yes/no (Wald's interval) rather than an amount (Welch's); see :func:`sums_are_binary`.
    alpha : float
        One minus the intervals' confidence.
    outcome : str, optional
        The outcome's name, for the message when the control arm is too small.

    Returns
    -------
    pandas.DataFrame
        ``compare``'s columns and values; treatment arms largest first (ties by name).

    Raises
    ------
    InsufficientDataError
        When the control arm has fewer than two measured rows.
    """
    by = _arms_of(sums)
    c = by.loc[control] if control in by.index else None
    check_control(0 if c is None else int(c["n"]), control, outcome or "")
    out = []
    for arm, t in by.drop(index=control).iterrows():
        n_t, n_c = int(t["n"]), int(c["n"])
        m_t, m_c = t["sum_y"] / n_t, c["sum_y"] / n_c
        d, lo, hi, p = _interval(m_t - m_c, _centred(t["sum_y2"], t["sum_y"], n_t),
                                 _centred(c["sum_y2"], c["sum_y"], n_c), n_t, n_c, binary=binary, alpha=alpha)
        r = {"arm": arm, "n": n_t, "n_control": n_c, "treatment": m_t, "control": m_c, "difference": d, "low": lo,
             "high": hi, "p_value": p}
        if "sum_x" in by:
            r.update(_cuped_columns(t, c, binary=binary, alpha=alpha, plain=(lo, hi)))
        out.append(r)
    return pd.DataFrame(out)


def compare_on(source_con: ibis.BaseBackend, table: ir.Table, outcome: str = RETAINED, *, control: str = CONTROL,
               covariate: str | None = None, alpha: float = ALPHA, arm: str = "arm") -> pd.DataFrame:
    """:func:`core.roi.estimates.compare` with the engine ``source_con`` summing ``table`` (one query).

    Parameters
    ----------
    source_con : ibis.BaseBackend
        The engine holding ``table`` (a :class:`core.query.sources.Source`'s ``con``).
    table : ibis.Table
        One row per contact of one play (:func:`core.roi.outcomes.outcomes`' columns).
    outcome, control, covariate, alpha
        As :func:`core.roi.estimates.compare`.
    arm : str
        The column naming each contact's arm.

    Returns
    -------
    pandas.DataFrame
        :func:`compare_from_sums`' table; yes/no when every measured value is 0 or 1, as ``compare`` decides.
    """
    sums = source_con.execute(arm_sums(table, outcome, covariate, arm))
    return compare_from_sums(sums, control=control, binary=sums_are_binary(sums), alpha=alpha, outcome=outcome)
