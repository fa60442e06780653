"""Is the store file sound? SQLite's own check of every page, run when the app opens a store.

A store whose b-tree holds garbage (a bad disk, a copy cut short, a file edited by hand) can pass every
page the app shows until a query happens to walk the damaged page, and then it fails, or worse, returns
fewer rows. ``PRAGMA quick_check`` reads every page once and checks that each b-tree is well formed
(O(size of the file): about 2.5 s for a 1 GB store of 10 million activity rows), so the app runs it
once per store per server process and shows what it found at the top of every page.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

#: at most this many problems are listed (SQLite stops counting there)
MAX_PROBLEMS = 100
_HEADER = "*** in database"  # SQLite's heading line before the problems of one attached database


def quick_check(engine: Engine) -> list[str]:
    """Run SQLite's ``PRAGMA quick_check`` on the store and return the problems it finds, one line each.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store. Stores that are not SQLite are not checked.

    Returns
    -------
    list of str
        Empty when the store is sound (or not SQLite); otherwise SQLite's own words for each problem
        (``"On tree page 152 cell 113: Offset 49905 out of range 252..4092"``), at most
        :data:`MAX_PROBLEMS`, ending with the error that stopped the check if one did
        (``"database disk image is malformed"``).

    Examples
    --------
    >>> from core.store.engine import make_engine
    >>> quick_check(make_engine("sqlite://"))
    []
    """
    if engine.dialect.name != "sqlite":
        return []
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            for (row,) in conn.exec_driver_sql(f"PRAGMA quick_check({MAX_PROBLEMS})"):
                problems += [line for line in str(row).splitlines() if line and not line.startswith(_HEADER)]
    except DBAPIError as exc:  # a damaged page can stop the check itself, or opening the file at all
        problems.append(str(getattr(exc, "orig", None) or exc).strip())
    return [] if problems == ["ok"] else problems


def summary(problems: list[str], store: str = "the store") -> str:
    """What the problems mean and what to do, in one paragraph for the analyst (empty when there are none).

    Parameters
    ----------
    problems : list of str
        :func:`quick_check`'s result.
    store : str
        How to name the store file (its path).
    """
    if not problems:
        return ""
    n = len(problems)
    found = f"{'at least ' if n >= MAX_PROBLEMS else ''}{n} problem{'s' if n != 1 else ''}"
    return (f"The store file {store} is damaged: SQLite's integrity check found {found}. Figures on these "
            "pages may be wrong or incomplete, and some pages may fail. Restore the store file from a "
            "backup (the folder beside it ending in .columns is rebuilt by itself), or move the damaged "
            "file away and import your files again on the Data page; then restart the app.")
