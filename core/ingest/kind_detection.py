"""What a file holds, from its columns: the import kind it most likely is, why, and when it cannot tell.

Each kind is scored by the columns :func:`core.ingest.mapping.match_columns` finds for its fields. A column that
several kinds would take (``customer_id``, ``date``) says little; one that only a kind takes (``Ticket ID``,
``number_of_cds``, ``play``) says much: a column counts ``confidence / number of kinds it matches``. A kind
lacking a field it needs is out, except a field the analyst can give one value for (a feedback file's channel, an
intervention file's play), which costs a little. A look at a sample of at most :data:`SAMPLE_ROWS` rows then
weighs the evidence:

- a customer id that repeats is no customer list (one row per customer); one that never repeats is;
- dates on the first of the month are revenue periods; dates on any day are purchases, not revenue;
- long text (reviews, ticket descriptions) backs the kinds that hold free text.

When the best kind has little evidence, or a second kind comes close, the detection is ambiguous: ``kind`` is
``None`` and ``candidates`` names the kinds the caller should ask about. Linear in the number of columns.

**A customer id alone.** Every kind has a customer id: it says whom a row is about, not what it holds. When it is
the only column any kind places, and the file has other columns (with a value in the sample, not left out) that no
field takes, the file is no customer list we can use (the CDNOW model summaries ``ID, frequency, recency, T``): it is
refused, naming those columns (``unplaced``); the fix is the kind and their fields, or it holds no customer records
(given ``--kind customers``, it imports and they are kept with each customer). With no other column (a plain list
of accounts) it is a customer list when each id is there once, as nothing else could load it; else scores decide.

**No header line.** Columns all named ``column_1`` ... (the reader's names when there is no header line) say
nothing: unless the analyst's mapping makes the kind clear, the file is refused with ``headerless`` set, and the
fix is the kind *and* a field for every column.

**The analyst's mapping** (``--map``, ``--set``) counts when the kind is not given: a kind lacking a field the
analyst gave is out (the importer would refuse it), a mapped column is placed with confidence 1.0 (and matched to no
other field), a field given one value is present, columns left out are not looked at. A full mapping of
``customer_id``, ``date``, ``quantity`` and ``amount`` is a purchase log.

:func:`advice` and :func:`refusal` write what to give, in the words of the surface (:mod:`core.ingest.wording`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import pandas as pd

from core.ingest import fields as F
from core.ingest import mapping as M
from core.ingest.reader import read_table
from core.ingest.wording import how

#: rows of the file looked at, at most
SAMPLE_ROWS = 1000
#: the best kind needs this much evidence (about one column only it takes) ...
MIN_EVIDENCE = 0.9
#: ... and the second kind must stay below this share of the best one's score
CLOSE = 0.75
#: bytes of a text file read to detect its kind (cut at a line end); a workbook is read within its limits
SAMPLE_BYTES = 1 << 20
#: required fields the analyst can give one value for the whole file instead of a column
ONE_VALUE_OK = {("feedback", "channel"), ("interventions", "play")}
#: what a kind's rows are, in the Data page's words
NOUNS = {"customers": "a customer list", "revenue": "monthly revenue", "activity": "usage activity",
         "transactions": "purchases", "tickets": "support tickets", "feedback": "survey answers or reviews",
         "interventions": "a play's contacts (treatment and holdout)",
         "incidents": "incidents and outages (start, end, severity, who was hit)"}
#: a field in words (kind-specific ones under (kind, field))
_WORDS = {"customer_id": "a customer id", "name": "a name", "segment": "a segment", "plan": "a plan",
          "region": "a region", "signup_date": "a signup date", "churn_date": "a churn date",
          "churn_type": "a churn type", "renewal_date": "a renewal date", "tenure": "a tenure",
          "churned": "a churn flag", "mrr": "MRR", "period": "a month", "amount": "an amount",
          "payment_failed": "a failed-payment flag", "date": "a date", "metric": "a metric", "value": "a count",
          "quantity": "a quantity", "unit_price": "a unit price", "order_id": "an order or invoice id",
          "ticket_id": "a ticket id", "opened": "an opened time",
          "first_response": "a first-response time", "resolved": "a resolved time", "priority": "a priority",
          "category": "a category", "status": "a status", "satisfaction": "a satisfaction rating",
          "reopens": "a reopen count", "followed_up": "a follow-up date", "closed": "a closed date",
          "replies": "a reply count", "first_contact": "a first-contact flag", "effort": "an effort score",
          "text": "text", "score": "a score", "play": "a play", "group": "a treatment or holdout group",
          "cost": "a cost", "channel": "a channel", ("feedback", "channel"): "a survey or channel",
          ("customers", "channel"): "an acquisition channel", "incident_id": "an incident id",
          "affected": "who was hit", "start": "a start time", "end": "an end time", "severity": "a severity",
          "title": "a title"}
_LONG_TEXT = 30  # characters, on average: free text rather than a label
_NO_NAME = re.compile(r"column_\d+")  # the reader's name of a column without a header (core.ingest.reader)
_LISTED = 6  # unplaced columns named in a reason, at most
_BONUS, _PENALTY, _ONE_VALUE_COST = 0.5, 0.5, 0.25


@dataclass(frozen=True)
class Detection:
    """The kind a file most likely holds.

    ``kind`` is ``None`` when ambiguous; ``reason`` is one plain line; ``scores`` maps every kind to its evidence
    (0 for a kind the file cannot be); ``candidates`` are the kinds worth asking about, likeliest first;
    ``matches`` are the columns the chosen kind (or the first candidate) takes, field -> column; ``unplaced`` the
    columns no field takes, when they are why the kind is not told; ``headerless``: the file has no header line (and
    the analyst has not placed every column).
    """

    kind: str | None
    reason: str
    scores: dict[str, float]
    candidates: tuple[str, ...] = ()
    matches: dict[str, str] = field(default_factory=dict)
    unplaced: tuple[str, ...] = ()
    headerless: bool = False

    @property
    def ambiguous(self) -> bool:
        """True when the caller should ask which kind the file is."""
        return self.kind is None


def detect_kind(raw_frame_or_columns, decimal: str = ".", sample_rows: int = SAMPLE_ROWS, *,
                mapping: dict[str, str] | None = None, constants: dict[str, str] | None = None,
                ignore: tuple[str, ...] = ()) -> Detection:
    """Detect the import kind of a file from its columns and a sample of its values.

    Parameters
    ----------
    raw_frame_or_columns : pandas.DataFrame or sequence of str
        The file as text (:attr:`core.ingest.reader.RawTable.frame`), or only its headers (then names alone
        decide, with no look at the values).
    decimal : str
        The file's decimal mark, for the type check of numbers.
    sample_rows : int
        Rows looked at, at most (the first ones).
    mapping : dict, optional
        The analyst's mapping, field -> column (``--map``): a kind without one of these fields is out.
    constants : dict, optional
        Fields given one value for the whole file (``--set``), field -> value: present, and a kind without them
        is out.
    ignore : tuple of str
        Columns the analyst leaves out (``--map COLUMN=-``): not looked at.

    Returns
    -------
    Detection

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": ["1", "1", "2"], "date": ["19970101", "19970112", "19970105"],
    ...                       "dollar_value": ["11.77", "12.00", "5.10"]})
    >>> d = detect_kind(frame)
    >>> d.kind, d.reason
    ('transactions', 'a customer id, a date and an amount per row, dates on any day: purchases')
    >>> summaries = pd.DataFrame({"ID": ["1", "2"], "frequency": ["2", "1"], "recency": ["30.4", "1.7"]})
    >>> detect_kind(summaries).reason
    'only the customer id, ID, matches a field; frequency and recency match no field'
    """
    frame = raw_frame_or_columns if isinstance(raw_frame_or_columns, pd.DataFrame) else None
    if frame is not None:
        frame = frame.head(sample_rows)
    columns = [str(c) for c in (frame.columns if frame is not None else raw_frame_or_columns)]
    mapping = {f: c for f, c in (mapping or {}).items() if c}
    constants, ignore = dict(constants or {}), tuple(ignore)
    found = _placed(frame, columns, decimal, mapping, constants, ignore)
    if all(matched is None for matched in found.values()):
        given, nothing = ", ".join(sorted({*mapping, *constants})), dict.fromkeys(F.KINDS, 0.0)
        return Detection(None, f"no kind has every field given ({given})", nothing, tuple(F.KINDS))
    out = {k for k, matched in found.items() if matched is None}
    found = {k: matched or {} for k, matched in found.items()}
    takers: dict[str, int] = {}
    for matched in found.values():
        for col, _ in matched.values():
            takers[col] = takers.get(col, 0) + 1
    scores, notes = {}, {}
    for kind, matched in found.items():
        score = kind not in out and _eligible(kind, matched, constants) \
            and sum(conf / takers[col] for col, conf in matched.values())
        note = ""
        if score and frame is not None:
            score, note = _weigh(kind, matched, frame, score, constants)
        scores[kind], notes[kind] = round(max(float(score or 0.0), 0.0), 3), note
    placed = {col for matched in found.values() for col, _ in matched.values()}
    others = [c for c in columns if c not in placed and c not in ignore
              and (frame is None or not F.blank_mask(frame[c]).all())]
    found_kind = _lone_id(found, frame, others, scores) or _decide(found, scores, notes, takers)
    if found_kind.ambiguous and others and all(_NO_NAME.fullmatch(c) for c in columns):
        possible = tuple(k for k in F.KINDS if k not in out)
        return replace(found_kind, reason=_no_header(columns), candidates=possible, unplaced=tuple(others),
                       headerless=True)
    return found_kind


def detect_file(data: bytes, file_name: str = "", *, sheet: str | int | None = None, header: bool | None = None,
                mapping: dict[str, str] | None = None, constants: dict[str, str] | None = None,
                ignore: tuple[str, ...] = ()) -> Detection:
    """Detect the kind of a file's bytes: :func:`detect_kind` on its first rows (``mapping``, ``constants`` and
    ``ignore``: the analyst's, passed on).

    A text file is read only up to :data:`SAMPLE_BYTES` (cut at a line end), so a large log costs no more than a
    small one.

    Raises
    ------
    core.errors.FileFormatError
        The file cannot be read (empty, binary, beyond the limits, unknown sheet).
    """
    if not data.startswith(b"PK\x03\x04") and len(data) > SAMPLE_BYTES:
        cut = data.rfind(b"\n", 0, SAMPLE_BYTES)
        data = data[:cut] if cut > 0 else data
    raw = read_table(data, file_name, sheet=sheet, header=header)
    return detect_kind(raw.frame.head(SAMPLE_ROWS), raw.details.get("decimal", "."), mapping=mapping,
                       constants=constants, ignore=ignore)


def advice(found: Detection, where: str | None = None) -> str:
    """What the analyst should give when the kind was not detected, in the words of ``where`` (default: the current
    surface, :func:`core.ingest.wording.surface`): the kind; for a file without a header line the kind and a field
    for every column; for a customer id beside columns no field takes, the kind and those columns' fields, or that
    the file holds no customer records.

    Examples
    --------
    >>> advice(detect_kind(["customer_id", "date"]), "cli")
    'give the kind with --kind tickets, --kind feedback or --kind customers'
    >>> advice(detect_kind(["customer_id", "date"]), "page")
    'choose it in What the file holds (tickets, feedback or customers)'
    """
    kinds = _listing([how("kind_each", k, where) for k in found.candidates], "or")
    if found.headerless:
        return how("map_every", kinds, where)
    if found.unplaced:
        return (f"if the rows are customer records, {how('kind_and_map', where=where)}; if not (a model's summaries "
                "or scores per customer, say), the file holds no customer records to import")
    return how("kind", kinds, where)


def refusal(found: Detection, file_name: str) -> str:
    """The one line refusing a file whose kind was not detected: what could not be told and :func:`advice`."""
    return f"Cannot tell what {file_name} holds ({found.reason}): {advice(found)}."


def _placed(frame: pd.DataFrame | None, columns: list[str], decimal: str, mapping: dict, constants: dict,
            ignore: tuple[str, ...]) -> dict[str, dict | None]:
    """kind -> field -> (column, confidence): the columns each kind takes by name (and type, with a frame), then
    the analyst's mapping (confidence 1.0, a column feeding one field) and whole-file values (no column); None for
    a kind lacking a field the analyst gave."""
    out: dict[str, dict | None] = {}
    for kind, specs in F.KINDS.items():
        names = [s.name for s in specs]
        if not {*mapping, *constants} <= set(names):
            out[kind] = None
            continue
        if frame is not None:
            auto = {f: (m.column, m.confidence) for f, m in M.match_columns(frame, kind, decimal, ignore).items()}
        else:
            auto = _by_name(kind, [c for c in columns if c not in ignore])
        for fld, col in mapping.items():
            if col in columns and col not in ignore:
                auto = {f: taken for f, taken in auto.items() if taken[0] != col}
                auto[fld] = (col, 1.0)
        out[kind] = {f: auto[f] for f in names if f in auto and f not in constants}
    return out


def _lone_id(found: dict, frame: pd.DataFrame | None, others: list[str], scores: dict) -> Detection | None:
    """The detection when a customer id is the only column any kind places (see the module docstring), else None:
    refused beside columns no field takes; a customer list when it is the file's only column and each id is there
    once."""
    key = found["customers"].get("customer_id")
    if key is None or any(col != key[0] for matched in found.values() for col, _ in matched.values()):
        return None
    cols = {f: c for f, (c, _) in found["customers"].items()}
    if others:
        named = _listing(others) if len(others) <= _LISTED else f"{', '.join(others[:_LISTED])} and " \
            f"{len(others) - _LISTED:,} more"
        verb = "matches" if len(others) == 1 else "match"
        return Detection(None, f"only the customer id, {key[0]}, matches a field; {named} {verb} no field",
                         scores, ("customers",), cols, unplaced=tuple(others))
    if frame is None:
        return None
    ids = frame[key[0]][~F.blank_mask(frame[key[0]])]
    if len(ids) and ids.is_unique:
        return Detection("customers", "a customer id per row and no other column, each customer once: "
                         f"{NOUNS['customers']}", scores, ("customers",), cols)
    return None


def _decide(found: dict, scores: dict, notes: dict, takers: dict) -> Detection:
    """The kind with the most evidence, or the candidates when it has little or a second one comes close."""
    ranked = sorted((k for k in F.KINDS if scores[k] > 0), key=lambda k: -scores[k])
    cols = {k: {f: c for f, (c, _) in found[k].items()} for k in F.KINDS}
    if not ranked:
        return Detection(None, "none of the columns names a field of any kind", scores, tuple(F.KINDS))
    best = ranked[0]
    if scores[best] < MIN_EVIDENCE:
        widest = max(ranked[:3], key=lambda k: len(found[k]))  # the candidate that recognises the most columns
        what = _listing([_word(widest, f, generic=True) for f in found[widest]])
        return Detection(None, f"the columns name only {what}: it could be {_listing(ranked[:3], 'or')}", scores,
                         tuple(ranked[:3]), cols[best])
    close = [k for k in ranked[1:] if scores[k] >= CLOSE * scores[best]]
    if close:
        options = [best, *close][:3]
        parts = [f"{k} ({_listing([_word(k, f) for f in found[k]])})" for k in options]
        return Detection(None, f"it could be {_listing(parts, 'or')}", scores, tuple(options), cols[best])
    listing = _listing([_word(best, f) for f in _shown(best, found[best], takers)])
    return Detection(best, f"{listing} per row{notes[best]}: {NOUNS[best]}", scores, (best,), cols[best])


def _no_header(columns: list[str]) -> str:
    """Why a file without a header line cannot be told."""
    named = f"column is named {columns[0]}" if len(columns) == 1 else f"columns are named {columns[0]} to {columns[-1]}"
    return f"it has no header line, so its {named} and no name says what a column holds"


def _by_name(kind: str, columns: list[str]) -> dict[str, tuple[str, float]]:
    """field -> (column, confidence) by names alone: the best column per field, each column feeding one field."""
    offers = sorted(((m.confidence, -pos, m.field, col) for pos, col in enumerate(columns)
                     for spec in F.KINDS[kind] if (m := M.name_match(kind, spec.name, col))), reverse=True)
    out: dict[str, tuple[str, float]] = {}
    used: set[str] = set()
    for conf, _, fld, col in offers:
        if fld not in out and col not in used:
            out[fld] = (col, conf)
            used.add(col)
    order = [s.name for s in F.KINDS[kind]]
    return {f: out[f] for f in order if f in out}


def _eligible(kind: str, matched: dict, constants: dict) -> bool:
    """Whether the file can be ``kind``: every field it needs has a column, a value for the whole file (given, or
    one the analyst can give), or is derived from others."""
    for spec in F.KINDS[kind]:
        if spec.required and spec.name not in matched and spec.name not in constants \
                and (kind, spec.name) not in ONE_VALUE_OK and not _derivable(kind, spec.name, matched):
            return False
    return kind != "revenue" or bool({"mrr", "amount"} & {*matched, *constants})


def _derivable(kind: str, name: str, matched: dict) -> bool:
    """Whether a missing required field is derived from others: a line item's amount is quantity x unit price
    (:func:`core.ingest.line_items.derive_amount`)."""
    return kind == "transactions" and name == "amount" and {"quantity", "unit_price"} <= set(matched)


def _weigh(kind: str, matched: dict, frame: pd.DataFrame, score: float, constants: dict) -> tuple[float, str]:
    """The score after a look at the values, and a note on what the values said ("" if nothing)."""
    note = ""
    score -= _ONE_VALUE_COST * sum(1 for k, f in ONE_VALUE_OK if k == kind and f not in matched and f not in constants)
    key = matched.get("customer_id")
    if kind == "customers" and key is not None:
        ids = frame[key[0]].dropna()
        ids = ids[ids.str.strip() != ""]
        if len(ids) >= 5 and ids.is_unique:
            score, note = score + _BONUS, ", each customer once"
        elif len(ids) and ids.duplicated().mean() > 0.1:
            score *= _PENALTY
    date_field = {"revenue": "period", "transactions": "date"}.get(kind)
    if date_field in matched:
        starts = _month_start_share(frame[matched[date_field][0]])
        if starts is not None and kind == "revenue":
            if starts >= 0.9:
                score, note = score + _BONUS, ", dates on the first of the month"
            elif starts < 0.5:
                score *= _PENALTY
        elif starts is not None and starts < 0.5:
            score, note = score + _BONUS, ", dates on any day"
    if "text" in matched:
        text = frame[matched["text"][0]].dropna()
        if len(text) and text.str.len().mean() >= _LONG_TEXT:
            score += _BONUS / 2
    return score, note


def _month_start_share(s: pd.Series) -> float | None:
    """Share of the sample's dates on the first of a month (None when the column holds no dates)."""
    fmt, share = F.detect_date_format(s)
    if fmt is None or share < 0.5:
        return None
    dates = F.to_dates(s, fmt)[0].dropna()
    return float((dates.dt.day == 1).mean()) if len(dates) else None


def _shown(kind: str, matched: dict, takers: dict) -> list[str]:
    """Up to four fields for the reason, in the kind's order: the needed ones and the most telling others."""
    needed = {s.name for s in F.KINDS[kind] if s.required}
    ranked = sorted(matched, key=lambda f: (f not in needed, takers[matched[f][0]], -matched[f][1]))
    keep = set(ranked[:4])
    return [f for f in matched if f in keep]


def _word(kind: str, fld: str, generic: bool = False) -> str:
    """A field in words; ``generic``: any date or time as "a date" (when the kind is not yet known)."""
    if generic and next(s.type for s in F.KINDS[kind] if s.name == fld) in ("date", "datetime"):
        return "a date"
    return _WORDS.get((kind, fld)) or _WORDS.get(fld, fld)


def _listing(items: list[str], last: str = "and") -> str:
    """``a, b and c`` (or ``a, b or c``)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
