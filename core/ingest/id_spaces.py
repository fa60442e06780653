"""Id spaces: whether a file's customer ids are the customers another source already created.

Two systems can both number their customers 1, 2, 3 ...: a shop's purchase log and a CDNOW-style log
loaded before it. Left alone, the second file's rows silently join the first file's customers. So an
import that creates customers (a ``transactions`` file, a file imported with ``create_customers``, or a
``customers`` file in append mode) is checked first:

- **source**: the import's ``source`` when the analyst names one, else its file name's stem
  (``cdnow_master.txt`` -> ``cdnow_master``), lower case, blanks as ``_``. An earlier import's source is
  read from its log (``options.source``, written by :func:`core.ingest.importer.commit_import`), or derived
  from its file name for imports logged before sources were recorded. A customer's source is the source of
  the import that created it (``customer.import_id``).
- **matches**: the file's distinct ids that are customers created by another source, found with one query.
  Ids that only match the source's own customers (its earlier files) need no choice. Nor do ids of the
  customer list, customers created by a ``customers`` file: that list is what purchase, revenue and ticket
  files refer to, so "customers first, then their purchases" attaches as it always did (and a ``customers``
  file repeating a listed id is already a row error, "customer already in the store"). The collision the
  check exists for is two logs that each create customers from their own numbering.
- **the choice**: ``attach`` (the file's ids are those customers) or ``separate`` (the file's ids get the
  source's prefix, ``retail:12346``, so they are new customers). With no choice, a file that matches
  another source's customers is refused at commit with this explanation; when the source's own earlier
  imports were kept separate (its prefixed ids are already customers), ``separate`` is applied again,
  whether or not this file's ids collide, so one source's customers never split across two id spaces.

Files that only refer to customers (a ticket file naming the CRM's customers) never create any, so their
ids attach by definition and no choice is asked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd
from sqlalchemy import text

from core.errors import DataValidationError
from core.export import units
from core.ingest import wording
from core.store.tables import Customer, ImportLog

CHOICES = ("attach", "separate")
#: the choices in the Data page's words (its radio) and the CLI's (its options)
PAGE_WORDS = {"attach": "These are the same customers", "separate": "Keep them separate"}
CLI_WORDS = {"attach": "--attach", "separate": "--separate"}
SEP = ":"
#: the file's distinct ids and their prefixed forms, matched against the customers in one statement; the
#: ``created`` flag tells a prefixed match (the source's separate customers) from a plain one
_MATCH_SQL = text(
    "SELECT c.import_id, l.file_name, l.kind, json_extract(l.mapping, '$.options.source') AS source, "
    "substr(c.customer_id, 1, length(:prefix)) = :prefix AS prefixed, COUNT(*) AS n "
    f"FROM {Customer.__tablename__} AS c LEFT JOIN {ImportLog.__tablename__} AS l ON l.id = c.import_id "
    "WHERE c.customer_id IN (SELECT value FROM json_each(:ids)) GROUP BY c.import_id, prefixed")
#: the same on PostgreSQL (its own JSON functions; the import log's columns grouped by its primary key)
_MATCH_SQL_PG = text(
    "SELECT c.import_id, l.file_name, l.kind, l.mapping -> 'options' ->> 'source' AS source, "
    "substr(c.customer_id, 1, length(CAST(:prefix AS text))) = CAST(:prefix AS text) AS prefixed, COUNT(*) AS n "
    f"FROM {Customer.__tablename__} AS c LEFT JOIN {ImportLog.__tablename__} AS l ON l.id = c.import_id "
    "WHERE c.customer_id IN (SELECT json_array_elements_text(CAST(:ids AS json))) "
    "GROUP BY c.import_id, l.id, prefixed")


_KEPT_SQL = text(f"SELECT 1 FROM {Customer.__tablename__} WHERE customer_id >= :lo AND customer_id < :hi LIMIT 1")


def source_name(file_name: str, named: str | None = None) -> str:
    """The source of an import: ``named`` when given, else the file name's stem; lower case, blanks as ``_``.

    Examples
    --------
    >>> source_name("Online Retail.xlsx"), source_name("x.csv", "Retail")
    ('online_retail', 'retail')
    """
    base = named.strip() if named and named.strip() else PurePath(file_name or "").stem
    return re.sub(r"\s+", "_", base.strip().lower()) or "file"


def kept_separate(conn, source: str) -> bool:
    """Whether the store holds customers in the source's own id space (``source:...``): one range query on the
    primary key (every id from ``source:`` up to ``source;``, the next character)."""
    lo = source + SEP
    hi = source + chr(ord(SEP) + 1)
    return conn.execute(_KEPT_SQL, {"lo": lo, "hi": hi}).first() is not None


def prefixed(ids: pd.Series, source: str) -> pd.Series:
    """``ids`` in the source's own space (``retail:12346``); blanks stay blank."""
    return ids.where(ids.isna(), source + SEP + ids.astype("string").astype(object))


@dataclass(frozen=True)
class SourceMatch:
    """Customers of one earlier import that the file's ids match."""

    import_id: int | None
    file_name: str | None
    source: str
    n: int

    def words(self) -> str:
        if self.import_id is None:
            return f"customers with no import recorded ({units.count(self.n)})"
        return f"customers created by import #{self.import_id} ({self.file_name})"


@dataclass(frozen=True)
class IdSpaces:
    """What the id check found and which choice applies.

    Attributes
    ----------
    source : str
        The file's source (:func:`source_name`).
    n_ids : int
        Distinct customer ids in the file.
    own : int
        Ids matching customers the same source created.
    other : tuple of SourceMatch
        Ids matching customers other sources created, per creating import (largest first).
    choice : {'attach', 'separate'} or None
        The choice applied; None when none was needed or none was made.
    applies : bool
        Whether the file creates customers (only then can its ids collide).
    remembered : bool
        ``separate`` was applied because the source's earlier imports were kept separate.
    listed : int
        Ids matching the customer list (customers created by a ``customers`` file): no choice needed.
    """

    source: str
    n_ids: int
    own: int = 0
    other: tuple[SourceMatch, ...] = ()
    choice: str | None = None
    applies: bool = False
    remembered: bool = False
    listed: int = 0

    @property
    def n_other(self) -> int:
        return sum(m.n for m in self.other)

    @property
    def needs_choice(self) -> bool:
        """The file matches another source's customers and no choice was made: it cannot be loaded."""
        return self.applies and self.n_other > 0 and self.choice is None

    def matches(self) -> str:
        """"2,913 of 4,372 ids match customers created by import #3 (cdnow_master.txt)" (empty when none)."""
        if not self.n_other:
            return ""
        where = "; ".join(m.words() for m in self.other)
        return f"{units.count(self.n_other)} of {units.count(self.n_ids)} ids match {where}"

    def summary(self) -> str:
        """One line for the report: the matches and the choice applied."""
        if not self.applies:
            return f"ids: source {self.source}; the file creates no customers, its ids refer to existing ones"
        if self.choice == "separate" and not self.n_other:
            return f"ids: source {self.source}; kept separate: the file's ids are prefixed '{self.source}{SEP}'"
        if not self.n_other:
            known = [f"{units.count(self.own)} are its own earlier customers"] if self.own else []
            known += [f"{units.count(self.listed)} are on the customer list"] if self.listed else []
            more = f" ({'; '.join(known)})" if known else ""
            return f"ids: source {self.source}; no id matches another source's customers{more}"
        if self.choice == "attach":
            return f"ids: {self.matches()}; attached: the file's rows join those customers"
        if self.choice == "separate":
            how = " (as its earlier imports were)" if self.remembered else ""
            return (f"ids: {self.matches()}; kept separate{how}: the file's ids are prefixed "
                    f"'{self.source}{SEP}' and are customers of their own")
        return f"ids: {self.matches()}; choose attach or separate before loading"

    def refusal(self) -> str:
        """The one-line refusal with the two choices, named as the surface (:mod:`core.ingest.wording`) names them."""
        page = wording.surface() == wording.PAGE
        verb = "choose" if page else "import with"
        attach, separate = (f"'{PAGE_WORDS[c]}'" if page else CLI_WORDS[c] for c in CHOICES)
        return (f"Nothing was loaded: {self.matches()}, a different source than this file ({self.source}). "
                f"If they are the same customers, {verb} {attach}; if they are different customers "
                f"that share numbers, {verb} {separate} (ids become '{self.source}{SEP}ID').")


def check(conn, ids: pd.Series | None, source: str, *, applies: bool, choice: str | None) -> IdSpaces:
    """Match the file's customer ids against the store's customers and their creating imports, in one query.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A connection to the store (SQLite: uses ``json_each``; PostgreSQL ``json_array_elements_text``).
    ids : pandas.Series or None
        The file's typed customer ids (None when the file has no customer id).
    source : str
        The file's source (:func:`source_name`).
    applies : bool
        Whether the file creates customers; when False the result only records the source.
    choice : {'attach', 'separate'} or None
        The analyst's choice.

    Returns
    -------
    IdSpaces

    Raises
    ------
    DataValidationError
        ``choice`` is not one of ``attach``, ``separate`` or None.
    """
    if choice not in (None, *CHOICES):
        raise DataValidationError(f"Unknown id space '{choice}'. Choose attach or separate.")
    distinct = pd.Series([], dtype=object) if ids is None else pd.Series(ids.unique()).dropna()  # no copy of ids
    if not applies or distinct.empty:
        return IdSpaces(source=source, n_ids=len(distinct), choice=choice, applies=False)
    prefix = source + SEP
    values = distinct.astype(str).tolist()
    match = _MATCH_SQL_PG if conn.dialect.name == "postgresql" else _MATCH_SQL
    rows = conn.execute(match, {"prefix": prefix,
                                     "ids": json.dumps(values + [prefix + v for v in values])}).all()
    own = own_prefixed = listed = 0
    other: list[SourceMatch] = []
    for import_id, file_name, kind, logged_source, is_prefixed, n in rows:
        creator = source_name(file_name or "", logged_source) if import_id is not None and file_name else None
        if kind == "customers" and not is_prefixed:
            listed += n
        elif creator == source:
            if is_prefixed:
                own_prefixed += n
            else:
                own += n
        elif not is_prefixed:
            other.append(SourceMatch(import_id, file_name, creator or "unknown", int(n)))
    other.sort(key=lambda m: (-m.n, m.import_id or 0))
    # its earlier files were kept separate: so is this one, whether or not its ids meet theirs (a source never splits)
    remembered = choice is None and (own_prefixed > 0 or kept_separate(conn, source))
    return IdSpaces(source=source, n_ids=len(distinct), own=own + own_prefixed, other=tuple(other),
                    choice="separate" if remembered else choice, applies=True, remembered=remembered,
                    listed=listed)
