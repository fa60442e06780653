"""One formatter of units: how every surface (pages, CLI, review workbook, printed report) writes a figure.

Units (how a figure is stored, how it is shown):

========== ============================================ ==========================
unit        stored as                                   shown as
========== ============================================ ==========================
share       a rate as a fraction (0.25)                 ``25.0%``
points      a difference of two rates (0.05)            ``+5.0 pts``
nps         net promoter points, -100 to 100            ``+12.3``
currency    money                                       ``$1,235``, ``-$1,235``
score       a model or survey score                     ``0.712``
ratio       one figure over another (a multiple)        ``2.50x``
count       customers, contacts, verbatims, a rank      ``1,234``
========== ============================================ ==========================

A missing figure (None or NaN) is :data:`MISSING` everywhere. ``signed`` writes a change between two figures: a
share's change is in points, the others carry an explicit sign. A figure that rounds to zero has no minus sign
(``0.0%``, ``$0``, never ``-0.0%`` or ``-$0``). An exact half rounds to even, as Python's ``format`` does
(``1234.5`` currency is ``$1,234``). Money is first rounded to nine decimals, the scale at which the engines sum
amounts exactly (:mod:`core.query.exact`): a float sum's last-bit noise (``412.5000000000001`` for 412.5) never
changes the figure shown, so pandas and every engine show the same.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: how a missing figure is written, on every surface
MISSING = "–"
#: the currency symbol of money figures
CURRENCY = "$"
#: the decimals money is exact to (core.query.exact.AMOUNT's scale)
AMOUNT_DECIMALS = 9

#: every unit, with how it is stored and how it is shown (the glossary of the review's unit column)
UNITS = {
    "share": "a rate as a fraction (0.25), shown as 25.0%",
    "points": "a difference of two rates as a fraction (0.05), shown as +5.0 pts",
    "nps": "net promoter points, -100 to 100 (or a difference of them), shown as +12.3",
    "currency": f"money, shown to the whole unit with its symbol ({CURRENCY}1,235; -{CURRENCY}1,235)",
    "score": "a model or survey score, shown to 3 decimals",
    "ratio": "one figure divided by another, shown as 2.50x",
    "roi": "return on cost: net value divided by cost (3.55), shown as +355%",
    "count": "a count, shown with thousands separators",
    "customers": "a count", "contacts": "a count", "verbatims": "a count", "rank": "a position, 1 first",
}
#: units that are counts of something (whole numbers, but a fraction of a customer keeps one decimal)
COUNT_UNITS = ("count", "customers", "contacts", "verbatims", "rank")


def is_missing(x) -> bool:
    """Whether ``x`` is no figure at all (None, NaN, pandas' NA/NaT)."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT and pd.NA are the values not equal to themselves
    except TypeError:  # pd.NA refuses bool()
        return True


def percent(x, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.1234 -> '12.3%'`` (``signed``: ``'+12.3%'``)."""
    if is_missing(x):
        return MISSING
    return f"{100 * float(x):{'+' if signed else ''}z.{digits}f}%"


def points(x, digits: int = 1) -> str:
    """A difference of two rates (fractions) in percentage points: ``0.05 -> '+5.0 pts'``."""
    if is_missing(x):
        return MISSING
    return f"{100 * float(x):+z.{digits}f} pts"


def money(x, decimals: int = 0, signed: bool = False) -> str:
    """Money with its symbol, the sign before it: ``1234.6 -> '$1,235'``, ``-1234.6 -> '-$1,235'``."""
    if is_missing(x):
        return MISSING
    x = round(float(x), AMOUNT_DECIMALS)  # float noise below the amounts' scale goes before the rounding shown
    sign = "-" if x < 0 and round(abs(x), decimals) != 0 else ("+" if signed else "")
    return f"{sign}{CURRENCY}{abs(x):,.{decimals}f}"


def count(x, signed: bool = False) -> str:
    """A count with thousands separators: ``1234 -> '1,234'``; a fraction keeps one decimal (``5.41 -> '5.4'``)."""
    if is_missing(x):
        return MISSING
    decimals = 0 if float(x).is_integer() or abs(float(x)) >= 100 else 1
    return f"{float(x):{'+' if signed else ''}z,.{decimals}f}"


def multiple(x, digits: int = 2, signed: bool = False) -> str:
    """One figure over another: ``2.5 -> '2.50x'``."""
    if is_missing(x):
        return MISSING
    return f"{float(x):{'+' if signed else ''}z.{digits}f}x"


def nps(x) -> str:
    """Net promoter points, always signed: ``12.34 -> '+12.3'``."""
    if is_missing(x):
        return MISSING
    return f"{float(x):+z.1f}"


def score(x, digits: int = 3, signed: bool = False) -> str:
    """A model or survey score: ``0.71234 -> '0.712'``."""
    if is_missing(x):
        return MISSING
    return f"{float(x):{'+' if signed else ''}z.{digits}f}"


def in_100(x) -> str:
    """A share (0..1), such as a ROC-AUC, as "N" of "N times in 100", read off the figure as :func:`score` shows it
    (3 decimals) and rounded half up: ``0.763 -> '76'``, ``0.7649 -> '77'`` (shown 0.765), ``0.996`` and ``0.9996``
    (shown 1.000) ``-> 'more than 99'``, ``0.004 -> 'fewer than 1'``, ``1 -> '100'``."""
    shown = Decimal(score(x))
    n = int((shown * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if n >= 100 and x < 1:
        return "more than 99"
    if n <= 0 < x:
        return "fewer than 1"
    return str(n)


def p_value(p) -> str:
    """A test's p-value: three decimals, ``<0.001`` below that (``0.0423 -> '0.042'``)."""
    if is_missing(p):
        return MISSING
    return "<0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def format_value(value, unit: str, signed: bool = False) -> str:
    """A figure in its unit (see :data:`UNITS`); ``signed`` for a change between two figures.

    Examples
    --------
    >>> format_value(0.25, "share"), format_value(0.05, "points"), format_value(1234.4, "currency")
    ('25.0%', '+5.0 pts', '$1,234')
    >>> format_value(0.021, "share", signed=True), format_value(5.41, "customers"), format_value(None, "ratio")
    ('+2.1 pts', '5.4', '–')
    """
    if unit not in UNITS:  # checked first, so a misspelt unit fails even on a missing figure
        raise ValueError(f"Unknown unit '{unit}'. Use one of: {', '.join(UNITS)}.")
    if is_missing(value):
        return MISSING
    if unit == "share":
        return points(value) if signed else percent(value)
    if unit == "points":
        return points(value)
    if unit == "nps":
        return nps(value)
    if unit == "score":
        return score(value, signed=signed)
    if unit == "ratio":
        return multiple(value, signed=signed)
    if unit == "roi":
        return points(value, digits=0) if signed else percent(value, digits=0, signed=True)
    if unit == "currency":
        # whole units, but a small amount (a cost of 0.05 per e-mail) keeps its cents
        small = not float(value).is_integer() and abs(float(value)) < 100
        return money(value, decimals=2 if small else 0, signed=signed)
    return count(value, signed=signed)  # the COUNT_UNITS


def interval(low, high, unit: str) -> str:
    """A 95 % interval in the figure's unit: ``'[+2.1 pts, +10.4 pts]'``; empty when either end is missing."""
    if is_missing(low) or is_missing(high):
        return ""
    return f"[{format_value(low, unit)}, {format_value(high, unit)}]"

