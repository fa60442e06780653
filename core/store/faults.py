"""Store faults in plain words: a busy, full, read-only, unopenable, foreign or damaged store as one line.

A PostgreSQL store adds two: its driver (psycopg) is not installed, or its server cannot be reached (down, wrong
address, unknown user or database); the driver's errors are recognised by their module, without importing it.
SQLite reports these as ``sqlite3.OperationalError`` / ``sqlite3.DatabaseError`` (wrapped by SQLAlchemy as
``sqlalchemy.exc.OperationalError`` / ``DatabaseError`` with the driver's error as ``orig``), and the column
files beside the store as ``OSError`` (``ENOSPC``, ``EROFS``, ``EACCES``). :func:`store_fault` turns any of
them into a :class:`~core.errors.StoreError` that says what is wrong and what to do; anything else is not a
store fault and is left alone (``None``), so real bugs still surface. :func:`translated` does the same around
a block of code. The CLI prints the message with exit code 2; the pages show it as a message.

This module imports neither SQLAlchemy nor pandas (the CLI imports it before it knows the sub-command).
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import StoreError

#: how long a connection waits for another writer (an import, an undo) before giving up, in seconds
DEFAULT_BUSY_TIMEOUT_S = 30.0
#: environment variable that changes the wait (seconds)
BUSY_TIMEOUT_ENV = "RETENTION_BUSY_TIMEOUT"
#: where to point the workbench at another store (said in the messages)
URL_ENV = "RETENTION_DB_URL"

# SQLite's primary result codes (https://www.sqlite.org/rescode.html); the extended code's low byte
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26
# the same faults by their message, for drivers that give no code
_BY_MESSAGE = (
    ("database is locked", _BUSY), ("database table is locked", _LOCKED), ("database or disk is full", _FULL),
    ("readonly database", _READONLY), ("unable to open database file", _CANTOPEN),
    ("file is not a database", _NOTADB), ("malformed", _CORRUPT), ("disk i/o error", _IOERR),
)
_ERRNO_IN_TEXT = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)
#: the PostgreSQL driver (requirements.txt pins it) and the modules whose absence means it is missing
PG_DRIVER = "psycopg"
_PG_MODULES = ("psycopg", "psycopg_binary", "psycopg_c", "psycopg2")
# PostgreSQL's SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html) that are store faults
_PG_BUSY = ("55P03", "40P01")  # lock not available, deadlock
_PG_FULL = ("53100",)  # disk full
_PG_READ_ONLY = ("25006",)  # read-only transaction (a standby, default_transaction_read_only)
_PG_GONE = ("08", "57P01", "57P02", "57P03", "28", "3D000")  # connection, shutdown, authentication, no such database


def busy_timeout() -> float:
    """Seconds a connection waits for another writer: ``RETENTION_BUSY_TIMEOUT`` if set, else 30.

    Raises
    ------
    StoreError
        ``RETENTION_BUSY_TIMEOUT`` is set but is not a non-negative number.
    """
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={raw!r} is not a number of seconds: set it to e.g. 30, or unset it.",
                         reason="setting")
    return value


def store_path(url: str | None) -> str | None:
    """The file of a SQLite store URL (``sqlite:///path``, ``sqlite:///file:path?mode=ro&uri=true``), else None.

    Examples
    --------
    >>> store_path("sqlite:////tmp/store.db")
    '/tmp/store.db'
    >>> store_path("sqlite://") is None
    True
    """
    if not url or not url.startswith("sqlite") or "///" not in url:
        return None
    path = url.split("///", 1)[1].split("?", 1)[0]
    if path.startswith("file:"):
        path = path[len("file:"):]
    return None if path in ("", ":memory:") else path


def store_of(engine) -> str | None:
    """The store file of a SQLAlchemy engine (a SQLite file), else None; named in the messages."""
    database = getattr(getattr(engine, "url", None), "database", None)
    if getattr(getattr(engine, "dialect", None), "name", None) != "sqlite" or not database:
        return None
    return store_path(f"sqlite:///{database}")


def store_fault(exc: BaseException, store: str | os.PathLike | None = None) -> StoreError | None:
    """The store fault behind ``exc`` as a :class:`~core.errors.StoreError`, or None if it is not one.

    Parameters
    ----------
    exc : BaseException
        Any exception; its ``orig`` (SQLAlchemy's driver error) and ``__cause__`` are read too.
    store : str or path-like, optional
        The store file, named in the message (and checked for write access when SQLite cannot open it).

    Returns
    -------
    StoreError or None
        ``reason`` is one of ``busy``, ``full``, ``read-only``, ``cannot-open``, ``not-a-database``, ``damaged``,
        ``io``, ``driver`` (the PostgreSQL driver is not installed), ``unreachable`` (the PostgreSQL server cannot
        be reached, or refuses the user or database); None for anything that is not a store fault (a bug, bad
        input), which the caller re-raises.

    Examples
    --------
    >>> import sqlite3
    >>> store_fault(sqlite3.OperationalError("database or disk is full"), "/data/retention.db").reason
    'full'
    >>> store_fault(ValueError("a bug")) is None
    True
    """
    if isinstance(exc, StoreError):
        return exc
    for err in _chain(exc):
        fault = _from_postgres(err) if _is_psycopg(err) else _from_import(err) if isinstance(err, ImportError) else None
        if fault is not None:
            return fault
        code = _sqlite_code(err) if isinstance(err, sqlite3.Error) else None
        if code is not None:
            return _from_sqlite(code, err, store)
        if isinstance(err, OSError) and not isinstance(err, sqlite3.Error):
            fault = _from_os(err, store)
            if fault is not None:
                return fault
    return None


@contextmanager
def translated(store: str | os.PathLike | None = None) -> Iterator[None]:
    """Run a block; a store fault raised in it leaves as a :class:`~core.errors.StoreError` (from the original).

    Anything else passes through unchanged. Use it around a whole transaction, so the message can say the
    store is unchanged (SQLite rolls a failed transaction back; staged column files are deleted).
    """
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        fault = store_fault(exc, store)
        if fault is None:
            raise
        raise fault from exc


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then the driver error SQLAlchemy wraps (``orig``), then the causes (``raise ... from``), each once.

    Not ``__context__``: an error raised while handling a store fault is not itself one."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        err = todo.pop(0)
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        yield err
        todo.extend([getattr(err, "orig", None), err.__cause__])


def _sqlite_code(err: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``err`` (from the driver, else from the message), None if unknown."""
    code = getattr(err, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(err).lower()
    return next((c for words, c in _BY_MESSAGE if words in text), None)


def _where(store) -> str:
    return f"The store file {store}" if store else "The store file"


def _read_only_on_disk(store) -> bool:
    """Whether the store file, or the existing folder it is in, may not be written (SQLite writes both in WAL
    mode: the ``-wal`` and ``-shm`` files sit beside the store)."""
    path = Path(store)
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK)


def _full() -> StoreError:
    return StoreError("The disk holding the store is full: free some space and try again; nothing was written, "
                      "the store is unchanged.", reason="full")


def _read_only(store) -> StoreError:
    return StoreError(f"{_where(store)} is read-only (it or its folder cannot be written): make both writable, "
                      f"or point {URL_ENV} at a copy you can write; the store is unchanged.", reason="read-only")


def _from_sqlite(code: int, err: sqlite3.Error, store) -> StoreError | None:
    where = _where(store)
    if code in (_BUSY, _LOCKED):
        return StoreError(f"The store is busy with another import or undo (waited {busy_timeout():g} s): try "
                          "again when it has finished; the store is unchanged.", reason="busy")
    if code == _FULL:
        return _full()
    if code in (_READONLY, _PERM):
        return _read_only(store)
    if code == _CANTOPEN:
        if store and _read_only_on_disk(store):
            return _read_only(store)
        return StoreError(f"{where} cannot be opened: check that its folder exists and that you may read and "
                          f"write there, or point {URL_ENV} at another file.", reason="cannot-open")
    if code in (_NOTADB, _CORRUPT):
        what = "is not a database" if code == _NOTADB else "is damaged (its pages do not read back)"
        return StoreError(f"{where} {what}: restore a backup, or point {URL_ENV} at another file (a new name "
                          "starts an empty store).", reason="not-a-database" if code == _NOTADB else "damaged")
    if code == _IOERR:
        return StoreError(f"{where} could not be read or written (disk I/O error: {err}): check the disk and "
                          "its free space, then try again.", reason="io")
    return None


def _from_os(err: OSError, store) -> StoreError | None:
    """An OS error while writing the store's files (its column files); None for any other file."""
    number = err.errno
    if number is None:
        found = _ERRNO_IN_TEXT.search(str(err))
        number = int(found.group(1)) if found else None
    if number in (errno.ENOSPC, errno.EDQUOT):
        return _full()
    if number in (errno.EROFS, errno.EACCES, errno.EPERM) and _about_store(err, store):
        return _read_only(store)
    return None


def _about_store(err: OSError, store) -> bool:
    """Whether ``err`` concerns the store file or a file beside it (its column folder), not the user's files."""
    if not err.filename or not store:
        return err.filename is None and store is not None
    try:
        return Path(err.filename).resolve().is_relative_to(Path(store).resolve().parent)
    except (OSError, ValueError):
        return False


def _is_psycopg(err: BaseException) -> bool:
    return type(err).__module__.split(".")[0] == PG_DRIVER


def _from_import(err: ImportError) -> StoreError | None:
    """The PostgreSQL driver (or its compiled part) is missing; None for any other missing module (a bug)."""
    name = (err.name or "").split(".")[0]
    if name not in _PG_MODULES and not any(m in str(err) for m in _PG_MODULES):
        return None
    return StoreError(f"The store is a PostgreSQL database but its driver ({PG_DRIVER}) is not installed: run "
                      f"pip install -r requirements.txt (or python3 dev.py app), or point {URL_ENV} at a SQLite "
                      "file.", reason="driver")


def _from_postgres(err: BaseException) -> StoreError | None:
    """A driver error of a PostgreSQL store; None for one that is no store fault (bad SQL, a refused change)."""
    state = getattr(err, "sqlstate", None) or ""
    if state in _PG_BUSY:
        return StoreError("The store is busy with another import or undo: try again when it has finished; the "
                          "store is unchanged.", reason="busy")
    if state in _PG_FULL:
        return _full()
    if state in _PG_READ_ONLY:
        return StoreError(f"The PostgreSQL store is read-only (a standby, or read-only transactions): point "
                          f"{URL_ENV} at the primary server; the store is unchanged.", reason="read-only")
    kinds = {c.__name__ for c in type(err).__mro__}
    if state.startswith(_PG_GONE) or (not state and "OperationalError" in kinds):
        said = " ".join(str(err).split("\n", 1)[0].split()) or type(err).__name__
        return StoreError(f"The PostgreSQL store cannot be reached ({said}): check that the server is running and "
                          f"that the address, user and database in {URL_ENV} (or --db) are right; nothing was "
                          "read or written.", reason="unreachable")
    return None
