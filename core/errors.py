"""Errors raised by :mod:`core`.

Every error carries a message written for the person who has to fix the input:
what is wrong, where, and what to do about it. Pages and the CLI catch these and
show the message; anything else is a bug and is allowed to propagate.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class for every error :mod:`core` raises on purpose."""


class DataValidationError(WorkbenchError, ValueError):
    """The input cannot be used as given (bad file, bad column, bad option).

    Parameters
    ----------
    message : str
        One line saying what is wrong and how to fix it.
    report : pandas.DataFrame, optional
        The full validation report when the problem is row-level
        (columns ``row, column, field, value, problem, fix, severity``).
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class FileFormatError(DataValidationError):
    """The file is empty, unreadable, or not a spreadsheet at all."""


class DuplicateImportError(DataValidationError):
    """The same file (same sha256) was already imported for this kind."""


class InsufficientDataError(WorkbenchError):
    """There is too little data to compute what was asked."""


class NoDataYetError(InsufficientDataError):
    """The store holds none of the data a page reads yet (no plays, no feedback): an empty state, not a fault.

    The message says what to import and where (the Data page); pages show it as information, not as an error.
    """


class EngineError(WorkbenchError):
    """The engine summing the figures could not finish (embedded DuckDB out of the memory it may use); the message
    says which setting to change."""


class StoreError(WorkbenchError):
    """The store cannot be used as it is: busy, disk full, read-only, not a database, damaged.

    Raised by :func:`core.store.faults.store_fault` from the driver's error; the message says what is
    wrong and how to fix it, and the store is unchanged.

    Parameters
    ----------
    message : str
        One line: what is wrong with the store and what to do.
    reason : str
        ``busy``, ``full``, ``read-only``, ``cannot-open``, ``not-a-database``, ``damaged``, ``io`` or ``setting``.
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason
