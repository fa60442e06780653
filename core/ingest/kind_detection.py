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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.ingest import fields as F
from core.ingest import mapping as M
from core.ingest.reader import read_table

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
         "interventions": "a play's contacts (treatment and holdout)"}
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
          "text": "text", "score": "a score", "play": "a play", "group": "a treatment or holdout group",
          "cost": "a cost", "channel": "a channel", ("feedback", "channel"): "a survey or channel",
          ("customers", "channel"): "an acquisition channel"}
_LONG_TEXT = 30  # characters, on average: free text rather than a label
_BONUS, _PENALTY, _ONE_VALUE_COST = 0.5, 0.5, 0.25


@dataclass(frozen=True)
class Detection:
    """The kind a file most likely holds.

    ``kind`` is ``None`` when ambiguous; ``reason`` is one plain line; ``scores`` maps every kind to its evidence
    (0 for a kind the file cannot be); ``candidates`` are the kinds worth asking about, likeliest first;
    ``matches`` are the columns the chosen kind (or the first candidate) takes, field -> column.
    """

    kind: str | None
    reason: str
    scores: dict[str, float]
    candidates: tuple[str, ...] = ()
    matches: dict[str, str] = field(default_factory=dict)

    @property
    def ambiguous(self) -> bool:
        """True when the caller should ask which kind the file is."""
        return self.kind is None


def detect_kind(raw_frame_or_columns, decimal: str = ".", sample_rows: int = SAMPLE_ROWS) -> Detection:
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
    """
    frame = raw_frame_or_columns if isinstance(raw_frame_or_columns, pd.DataFrame) else None
    if frame is not None:
        frame = frame.head(sample_rows)
        found = {k: {f: (m.column, m.confidence) for f, m in M.match_columns(frame, k, decimal).items()}
                 for k in F.KINDS}
    else:
        found = {k: _by_name(k, [str(c) for c in raw_frame_or_columns]) for k in F.KINDS}
    takers: dict[str, int] = {}
    for matched in found.values():
        for col, _ in matched.values():
            takers[col] = takers.get(col, 0) + 1
    scores, notes = {}, {}
    for kind, matched in found.items():
        score = _eligible(kind, matched) and sum(conf / takers[col] for col, conf in matched.values())
        note = ""
        if score and frame is not None:
            score, note = _weigh(kind, matched, frame, score)
        scores[kind], notes[kind] = round(max(float(score or 0.0), 0.0), 3), note
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


def detect_file(data: bytes, file_name: str = "", *, sheet: str | int | None = None,
                header: bool | None = None) -> Detection:
    """Detect the kind of a file's bytes: :func:`detect_kind` on its first rows.

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
    return detect_kind(raw.frame.head(SAMPLE_ROWS), raw.details.get("decimal", "."))


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


def _eligible(kind: str, matched: dict) -> bool:
    """Whether the file can be ``kind``: every field it needs has a column (or can be one value for the file)."""
    for spec in F.KINDS[kind]:
        if spec.required and spec.name not in matched and (kind, spec.name) not in ONE_VALUE_OK \
                and not _derivable(kind, spec.name, matched):
            return False
    return kind != "revenue" or bool({"mrr", "amount"} & set(matched))


def _derivable(kind: str, name: str, matched: dict) -> bool:
    """Whether a missing required field is derived from others: a line item's amount is quantity x unit price
    (:func:`core.ingest.line_items.derive_amount`)."""
    return kind == "transactions" and name == "amount" and {"quantity", "unit_price"} <= set(matched)


def _weigh(kind: str, matched: dict, frame: pd.DataFrame, score: float) -> tuple[float, str]:
    """The score after a look at the values, and a note on what the values said ("" if nothing)."""
    note = ""
    score -= _ONE_VALUE_COST * sum(1 for k, f in ONE_VALUE_OK if k == kind and f not in matched)
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
