"""Which column feeds which field: matching a file's headers to the fields of a kind (with how sure each match
is), the user's overrides, and the checks that every field a kind needs has a column (or a value for the file).

Matching compares words, not spellings. A header is cut into lower-case words at separators, at camelCase and
PascalCase boundaries (``InvoiceDate``, ``customerID``) and, for a run-together word (``INVOICEDATE``,
``createdate``), at the words the synonyms use; qualifiers such as ``(UTC)`` are dropped. The synonyms of every
field (:data:`core.ingest.fields.KINDS`) are cut the same way once per kind into dictionaries, so a column costs
a few look-ups whatever the number of columns: matching is linear in the number of columns (no all-pairs fuzzy
comparison). Each match carries a confidence:

====  =============================================================================================
1.0   the header is a synonym of the field, in any spelling (``Invoice Date``, ``InvoiceDate``, ``INVOICEDATE``)
0.9   the same words in another form: plural, US/UK spelling (``Canceled On``, ``Monthly Fees``)
0.7   the header contains a synonym of two or more words, or a specific one (``subscription[mrr]``)
0.5   a date-like name (``Submission Date``, ``answeredOn``) for a kind with one date field
====  =============================================================================================

A word of the field's ``avoid`` list vetoes it (a ``Spend`` or ``Revenue`` column is an outcome, never a
``cost``). A guess is kept only if the column's cells fit the field's type: half of them for a 1.0 or 0.9
match, 80 % below that; the best :data:`MAX_TYPE_CHECKS` candidates of a field are checked, no more.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pandas as pd

from core.errors import DataValidationError
from core.ingest import fields as F
from core.ingest.reader import RawTable
from core.ingest.wording import how

EXACT, SPELLING, WORDS, DATE_LIKE = 1.0, 0.9, 0.7, 0.5
#: what a confidence means, in the Data page's words
HOW = {EXACT: "matched by name", SPELLING: "matched by name (another spelling)",
       WORDS: "guessed from similar words - check", DATE_LIKE: "guessed from a date-like name - check"}
CHOSEN = "chosen by you"
#: type checks per field at most (a 10,000-column file of look-alike names costs no more than a small one)
MAX_TYPE_CHECKS = 20

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[\W_]+")
#: words that qualify a header without changing what it holds: "Created (UTC)", "Amount (USD)"
_QUALIFIERS = frozenset("utc gmt local tz iso usd eur gbp yyyy yy mm dd hh".split())
#: words too common to match on their own inside a longer name ("Customer Name" is not a customer id,
#: "Date of Purchase" is not when a ticket was opened); they still match a header that is just that word
_GENERIC = frozenset("customer date name type value count id account source state size total created product "
                     "reason action event cohort review response message body text channel sent month day price "
                     "time at on amount status score group title content subscription start ticket".split())
#: a header ending in one of these holds a number, a date or an id, never free text
_NOT_TEXT = frozenset("count id number no date time at on score rating amount value rate flag ind cost price total "
                      "sum pct percent".split())
#: a header holding an id ends in one of these ("Requester external id"; "Ticket Description" is no ticket id)
_ID_TAIL = frozenset("id number no key code reference ref uuid".split())
_US_UK = {"canceled": "cancelled", "cancelation": "cancellation", "canceling": "cancelling"}
#: a header ending in one of these words names a moment (for kinds with a single date field)
_DATE_WORDS = frozenset("date time timestamp datetime created posted sent at on day".split())
#: ... unless it names another moment than the one the field means
_OTHER_MOMENTS = frozenset("birth dob due expiry expiration expire update updated modified deleted last end ended "
                           "churn churned cancel cancelled renewal signup seen reply replied resolved closed "
                           "shipped first follow followed".split())
#: the feedback's follow-up days: later moments of an answer, never its own date (a kind whose only other date
#: fields these are still has one date field a date-like name is guessed for)
_FOLLOW_UP_DATES = frozenset({"followed_up", "closed"})


@dataclass(frozen=True)
class Match:
    """One column matched to one field: ``confidence`` (see the module) and ``how``, in words."""

    field: str
    column: str
    confidence: float
    how: str


class ColumnMap(dict):
    """field -> column (a plain dict to every reader) that also carries ``matches``: field -> :class:`Match`."""

    def __init__(self, mapping=(), matches: dict[str, Match] | None = None):
        super().__init__(mapping)
        self.matches = dict(matches or {})


def words(name: str) -> tuple[str, ...]:
    """A header as lower-case words: split at separators, camelCase and run-together synonym words.

    Examples
    --------
    >>> words("InvoiceDate"), words("customer-ID"), words("INVOICEDATE"), words("Created (UTC)")
    (('invoice', 'date'), ('customer', 'id'), ('invoice', 'date'), ('created',))
    """
    raw = [w for w in _SPLIT.split(_CAMEL.sub(" ", str(name)).lower()) if w]
    kept = [w for w in raw if w not in _QUALIFIERS] or raw
    return tuple(piece for w in kept for piece in _segment(w))


def _stem(word: str) -> str:
    word = _US_UK.get(word, word)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def _vocabulary() -> frozenset[str]:
    """Every word of every synonym: the pieces a run-together header is cut into."""
    return frozenset(w for specs in F.KINDS.values() for s in specs for syn in s.synonyms for w in syn.split("_"))


def _segment(word: str) -> tuple[str, ...]:
    """A run-together word cut into the fewest vocabulary words of two letters or more; as it is otherwise."""
    vocab = _vocabulary()
    if word in vocab or not 5 <= len(word) <= 40 or not word.isalpha():
        return (word,)
    best: list[tuple[str, ...] | None] = [()] + [None] * len(word)
    for end in range(2, len(word) + 1):
        for start in range(max(0, end - 24), end - 1):
            head, piece = best[start], word[start:end]
            if head is not None and piece in vocab and (best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = (*head, piece)
    return best[-1] or (word,)


@dataclass(frozen=True)
class _Index:
    """A kind's synonyms, cut into words once: phrase -> [(field rank, synonym rank)]."""

    exact: dict
    joined: dict
    stemmed: dict
    inner: dict
    longest: int
    avoid: tuple[frozenset, ...]
    date_field: int | None


@cache
def _index(kind: str) -> _Index:
    exact, joined, stemmed, inner = {}, {}, {}, {}
    longest = 1
    specs = F.KINDS[kind]
    for rank, spec in enumerate(specs):
        for i, syn in enumerate(spec.synonyms):
            ws = words(syn)
            stems = "_".join(_stem(w) for w in ws)
            for table, key in ((exact, "_".join(ws)), (joined, "".join(ws)), (stemmed, stems)):
                table.setdefault(key, []).append((rank, i))
            if len(ws) > 1 or ws[0] not in _GENERIC:
                inner.setdefault(stems, []).append((rank, i))
            longest = max(longest, len(ws))
    dates = [r for r, s in enumerate(specs) if s.type in ("date", "datetime") and s.name not in _FOLLOW_UP_DATES]
    return _Index(exact, joined, stemmed, inner, longest,
                  tuple(frozenset(_stem(w) for a in s.avoid for w in words(a)) for s in specs),
                  dates[0] if len(dates) == 1 else None)


def _candidates(kind: str, column: str) -> dict[int, tuple]:
    """field rank -> the best (confidence, share of the header's words matched, -synonym rank) of ``column``."""
    idx, ws = _index(kind), words(column)
    if not ws:
        return {}
    stems = tuple(_stem(w) for w in ws)
    best: dict[int, tuple] = {}

    def offer(hits, confidence: float, cover: float) -> None:
        for rank, syn_rank in hits:
            key = (confidence, cover, -syn_rank)
            if key > best.get(rank, (0.0,)):
                best[rank] = key

    offer(idx.exact.get("_".join(ws), ()), EXACT, 1.0)
    offer(idx.joined.get("".join(ws), ()), EXACT, 1.0)
    offer(idx.stemmed.get("_".join(stems), ()), SPELLING, 1.0)
    n = min(len(stems), 12)
    for size in range(min(n - 1, idx.longest), 0, -1):
        for i in range(n - size + 1):
            offer(idx.inner.get("_".join(stems[i:i + size]), ()), WORDS, size / len(stems))
    if idx.date_field is not None and stems[-1] in _DATE_WORDS and not _OTHER_MOMENTS & set(stems):
        offer([(idx.date_field, 999)], DATE_LIKE, 0.0)
    specs, present = F.KINDS[kind], set(stems)
    for rank in list(best):
        spec = specs[rank]
        if idx.avoid[rank] & present or best[rank][0] < SPELLING and _unlikely(spec, stems[-1]):
            del best[rank]
    return best


def _unlikely(spec: F.FieldSpec, last: str) -> bool:
    """A guess from words that the header's last word contradicts: free text ending in "count", "date" ...;
    an id not ending in "id", "number", "key" ..."""
    if spec.type == "key" or spec.name.endswith("_id"):
        return last not in _ID_TAIL
    return spec.type == "text" and last in _NOT_TEXT


def name_match(kind: str, field: str, column: str) -> Match | None:
    """How ``column``'s name matches ``field`` of ``kind`` (no look at its cells); None if it does not."""
    rank = next((r for r, s in enumerate(F.KINDS[kind]) if s.name == field), None)
    found = _candidates(kind, column).get(rank) if rank is not None else None
    return Match(field, column, found[0], HOW[found[0]]) if found else None


def match_columns(frame: pd.DataFrame, kind: str, decimal: str = ".", skip: tuple[str, ...] = ()) -> dict[str, Match]:
    """Match the frame's columns to the fields of ``kind`` by name, checked by type.

    The best matches are taken first (by confidence, then the share of the header's words matched, then the
    synonym's rank, then the field's and the column's order); each column feeds one field and each field
    takes one column. Linear in the number of columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file as text (one column per header).
    kind : str
        A key of :data:`core.ingest.fields.KINDS`.
    decimal : str
        The file's decimal mark, for the type check of numbers.
    skip : tuple of str
        Columns left out (the analyst ignores them).

    Returns
    -------
    dict
        field -> :class:`Match`, in the kind's field order, for the fields that found a column.

    Examples
    --------
    >>> frame = pd.DataFrame({"CustomerID": ["C1"], "InvoiceDate": ["2024-01-05"], "Total": ["12.5"]})
    >>> {f: (m.column, m.confidence) for f, m in match_columns(frame, "transactions").items()}
    {'customer_id': ('CustomerID', 1.0), 'date': ('InvoiceDate', 1.0), 'amount': ('Total', 1.0)}
    """
    specs = F.KINDS[kind]
    ranked = sorted(((key, -rank, -pos, rank, col) for pos, col in enumerate(frame.columns) if col not in skip
                     for rank, key in _candidates(kind, col).items()), reverse=True)
    found: dict[int, Match] = {}
    used: set[str] = set()
    checks: Counter = Counter()
    for key, _, _, rank, col in ranked:
        if rank in found or col in used:
            continue
        spec = specs[rank]
        if spec.type not in ("key", "text"):
            if checks[rank] >= MAX_TYPE_CHECKS:
                continue
            checks[rank] += 1
            if F.type_share(frame[col], spec.type, decimal) < (0.5 if key[0] >= SPELLING else 0.8):
                continue
        found[rank] = Match(spec.name, col, key[0], HOW[key[0]])
        used.add(col)
    return {specs[r].name: found[r] for r in sorted(found)}


def matches_of(kind: str, mapping: dict[str, str]) -> dict[str, Match]:
    """field -> :class:`Match` of a mapping: the ones a :class:`ColumnMap` carries; for a plain dict (or a field
    changed since), judged by name, and a column whose name does not match is the analyst's choice."""
    found = getattr(mapping, "matches", None) or {}
    out = {}
    for fld, col in mapping.items():
        m = found.get(fld)
        out[fld] = m if m is not None and m.column == col else (name_match(kind, fld, col) or
                                                                Match(fld, col, EXACT, CHOSEN))
    return out


def guess_mapping(frame: pd.DataFrame, kind: str, decimal: str = ".") -> dict[str, str]:
    """field -> column: :func:`match_columns` without the confidences."""
    return {f: m.column for f, m in match_columns(frame, kind, decimal).items()}


def extra_columns(raw: RawTable, kind: str, used: dict[str, str], ignore: tuple[str, ...]) -> list[str]:
    """The columns kept with each row as attributes: those no field uses, and the column of a field that keeps
    its column too (:data:`core.ingest.fields.KEEP_COLUMN`: a customer snapshot's MRR stays a churn feature)."""
    kept = {used[f] for k, f in F.KEEP_COLUMN if k == kind and f in used}
    taken = set(used.values()) - kept
    return [c for c in raw.frame.columns if c not in taken and c not in ignore]


def sheet_hint(raw: RawTable) -> str:
    """A reminder of the workbook's other sheets, for messages about missing columns ("" for one sheet)."""
    if len(raw.sheets) > 1:
        return f" Is '{raw.details.get('sheet')}' the right sheet? This workbook has: {', '.join(raw.sheets)}."
    return ""


def apply_overrides(raw: RawTable, kind: str, mapping: dict | None, constants: dict,
                    ignore: tuple[str, ...]) -> ColumnMap:
    """field -> source column: the columns matched to fields (ignored ones left out), then ``mapping``'s overrides
    (a column feeds one field; ``None`` un-maps a field), then fields given as ``constants`` left out.

    The result is a :class:`ColumnMap`: its ``matches`` say how sure each match is; an override that differs from
    the match is the analyst's choice (confidence 1.0, :data:`CHOSEN`)."""
    specs = {s.name: s for s in F.KINDS[kind]}
    cols = list(raw.frame.columns)
    for col in ignore:
        if col not in cols:
            raise DataValidationError(f"Column '{col}' (to ignore) is not in the file. Columns: {', '.join(cols)}.")
    matches = match_columns(raw.frame, kind, raw.details.get("decimal", "."), skip=tuple(ignore))
    for fld, col in (mapping or {}).items():
        if fld not in specs:
            raise DataValidationError(
                f"'{fld}' is not a field of {kind}. Fields: {', '.join(specs)}.")
        if col in (None, ""):
            matches.pop(fld, None)
            continue
        if col not in cols:
            raise DataValidationError(
                f"Column '{col}' (mapped to {fld}) is not in the file. Columns: {', '.join(cols)}.")
        if fld in matches and matches[fld].column == col:
            continue  # the override confirms the match
        matches = {f: m for f, m in matches.items() if m.column != col}  # a column feeds one field
        matches[fld] = Match(fld, col, EXACT, CHOSEN)
    for fld in constants:
        if fld not in specs:
            raise DataValidationError(f"'{fld}' is not a field of {kind}. Fields: {', '.join(specs)}.")
        matches.pop(fld, None)
    return ColumnMap({f: m.column for f, m in matches.items()}, matches)


def check_fields(raw: RawTable, kind: str, used: dict[str, str], constants: dict,
                 as_of: pd.Timestamp | None) -> None:
    """Raise DataValidationError, saying which column to map, when ``kind`` lacks a field it needs."""
    specs = {s.name: s for s in F.KINDS[kind]}
    for s in specs.values():
        if s.required and s.name not in used and s.name not in constants:
            raise _missing_field_error(raw, kind, s.name)
    if kind == "revenue" and not ({"mrr", "amount"} & (set(used) | set(constants))):
        raise DataValidationError(
            "No column of the file maps to 'mrr' (recurring amount) or 'amount' (transaction amount); "
            f"revenue needs one. Columns in the file: {', '.join(raw.frame.columns)}. Choose one"
            f"{how('map_amount')}.{sheet_hint(raw)}")
    if not used:
        raise DataValidationError(
            f"None of the file's columns matches a field of {kind} ({', '.join(specs)}). "
            f"Columns in the file: {', '.join(raw.frame.columns)}. Map them{how('map_any')}, "
            f"or check the kind.{sheet_hint(raw)}")
    if kind == "customers" and ("tenure" in used or "churned" in used) and as_of is None:
        raise DataValidationError(
            f"This customer file has a tenure column or a churn flag: give the snapshot date{how('as_of')} "
            "so signup and churn dates can be derived.")


def _missing_field_error(raw: RawTable, kind: str, fld: str) -> DataValidationError:
    cols = ", ".join(raw.frame.columns)
    fix = how("map" if fld != "channel" else "map_or_set", fld)
    return DataValidationError(
        f"No column of the file maps to '{fld}', which {kind} needs. "
        f"Columns in the file: {cols}. Choose one{fix}.{sheet_hint(raw)}")
