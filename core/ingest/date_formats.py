"""Check a date format the analyst forces (``--date-format``, the Data page) before any file is read.

A forced format is handed to the date parser for every date column. One it cannot use (``%Q``, a stray ``%``,
``%G`` without a week and a weekday) would fail deep inside the parser; :func:`check_date_format` refuses it
first, with one line that names the option and shows formats that work.
"""

from __future__ import annotations

import datetime as dt

from core.errors import DataValidationError

#: formats shown in the message, each with what it reads
EXAMPLES = ("%Y-%m-%d (2024-03-31)", "%d/%m/%Y (31/03/2024)", "%m/%d/%Y (03/31/2024)", "%d.%m.%Y (31.03.2024)",
            "%Y-%m-%d %H:%M (2024-03-31 13:45)")
#: names the date parser takes besides strftime formats
PARSER_NAMES = ("ISO8601", "mixed")
#: a moment with every field distinct (day > 12, a time, a time zone), written and read back to test a format
_PROBE = dt.datetime(2024, 3, 31, 13, 45, 30, tzinfo=dt.UTC)


def check_date_format(fmt: str | None, option: str = "The date format") -> str | None:
    """Return ``fmt`` if the date parser can use it; refuse it with one line otherwise.

    Parameters
    ----------
    fmt : str or None
        A strftime format such as ``%d/%m/%Y``, or ``ISO8601`` / ``mixed``. None or empty: dates are detected
        per column, nothing to check.
    option : str
        How the message names the setting (``--date-format`` on the command line).

    Returns
    -------
    str or None
        ``fmt`` unchanged (None for an empty one).

    Raises
    ------
    core.errors.DataValidationError
        ``fmt`` has an unknown directive (``%Q``), a stray ``%``, no directive at all, or a combination the
        parser rejects.

    Examples
    --------
    >>> check_date_format("%d/%m/%Y")
    '%d/%m/%Y'
    >>> try:
    ...     check_date_format("%Q", "--date-format")
    ... except DataValidationError as exc:
    ...     print(str(exc)[:60])
    --date-format '%Q' is unusable ('Q' is a bad directive). Wri
    """
    if fmt is None or fmt == "":
        return None
    if fmt in PARSER_NAMES:
        return fmt
    problem = None
    if "%" not in fmt.replace("%%", ""):  # "%%" is a literal percent sign
        problem = "it has no % code, so it reads no day, month or year"
    else:
        try:  # write a known moment with the format and read it back: the parser's own rules, no list to keep
            dt.datetime.strptime(_PROBE.strftime(fmt), fmt)
        except ValueError as exc:
            problem = str(exc).replace(f" in format {fmt!r}", "").rstrip(".")
    if problem is None:
        return fmt
    raise DataValidationError(f"{option} '{fmt}' is unusable ({problem}). Write it with strftime codes, "
                              f"e.g. {', '.join(EXAMPLES)}; or leave it out and each date column's format is "
                              "detected.")
