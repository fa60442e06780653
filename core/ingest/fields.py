"""What each import kind expects, how columns are matched to it, and how text is typed.

The typing functions are vectorised: they take a text Series and return the typed Series
plus a boolean mask of the cells that could not be typed, so validation can name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class FieldSpec:
    """One schema field an import kind can fill.

    ``type`` is one of ``key, text, date, datetime, number, flag, group, months``.
    """

    name: str
    type: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str = ""


def _f(name, type_, required=False, syn=(), help_=""):
    return FieldSpec(name, type_, required, tuple(syn), help_)


_CUSTOMER_KEY = ("customer_id", "customerid", "customer", "cust_id", "custid", "client_id",
                 "account_id", "accountid", "account", "user_id", "userid", "customer_number",
                 "customer_no", "customer_key", "cid")

#: kind -> fields, in the order they are matched (the key first)
KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": (
        _f("customer_id", "key", True, _CUSTOMER_KEY, "the shared customer key"),
        _f("name", "text", syn=("name", "customer_name", "company", "company_name", "account_name")),
        _f("segment", "text", syn=("segment", "customer_segment", "tier_segment", "size")),
        _f("plan", "text", syn=("plan", "product", "product_line", "tier", "contract", "subscription",
                                 "package", "edition")),
        _f("region", "text", syn=("region", "country", "geo", "territory", "market", "state")),
        _f("channel", "text", syn=("channel", "acquisition_channel", "source", "lead_source",
                                    "acquisition_source")),
        _f("signup_date", "date", syn=("signup_date", "signup", "start_date", "created", "created_at",
                                        "join_date", "joined", "customer_since", "acquired",
                                        "acquisition_date", "first_purchase")),
        _f("churn_date", "date", syn=("churn_date", "churned_at", "cancel_date", "cancelled_at",
                                       "canceled_at", "end_date", "cancellation_date")),
        _f("churn_type", "text", syn=("churn_type", "churn_reason_type", "churn_kind")),
        _f("renewal_date", "date", syn=("renewal_date", "renewal", "contract_renewal", "renews_on",
                                         "next_renewal")),
        _f("tenure", "months", syn=("tenure", "tenure_months", "months_active", "lifetime_months"),
           help_="months since signup at the as-of date; with --as-of it derives signup_date"),
        _f("churned", "flag", syn=("churn", "churned", "is_churned", "churn_flag", "exited", "attrited",
                                   "cancelled", "canceled"),
           help_="yes/no churn flag; with --as-of it sets churn_date to the as-of date"),
    ),
    "revenue": (
        _f("customer_id", "key", True, _CUSTOMER_KEY),
        _f("period", "date", True, ("period", "month", "date", "billing_month", "invoice_date", "period_start")),
        _f("mrr", "number", syn=("mrr", "recurring", "recurring_revenue", "monthly_recurring_revenue", "arr_monthly",
                                 "subscription_amount")),
        _f("amount", "number", syn=("amount", "revenue", "value", "total", "sales", "price", "dollar_value",
                                    "transaction_amount", "invoice_amount")),
        _f("payment_failed", "flag", syn=("payment_failed", "failed_payment", "payment_failure", "failed",
                                          "dunning", "past_due"),
           help_="yes/no: the payment for this period failed (feeds the failed-payments health measure)"),
    ),
    "activity": (
        _f("customer_id", "key", True, _CUSTOMER_KEY),
        _f("date", "date", True, ("date", "day", "event_date", "timestamp", "activity_date", "usage_date")),
        _f("metric", "text", True, ("metric", "feature", "event", "event_name", "action", "measure")),
        _f("value", "number", True, ("value", "count", "amount", "quantity", "usage", "events", "minutes")),
    ),
    "transactions": (
        _f("customer_id", "key", True, _CUSTOMER_KEY),
        _f("date", "date", True, ("date", "order_date", "transaction_date", "purchase_date", "invoice_date")),
        _f("amount", "number", True, ("amount", "dollar_value", "value", "revenue", "sales", "total",
                                      "price", "order_value")),
        _f("quantity", "number", syn=("quantity", "qty", "units", "number_of_cds", "items", "number_of_items",
                                      "count")),
    ),
    "tickets": (
        _f("ticket_id", "text", syn=("ticket_id", "ticket", "case_id", "case_number", "ticket_number", "id")),
        _f("customer_id", "key", False, _CUSTOMER_KEY),
        _f("opened", "datetime", syn=("opened", "opened_at", "created", "created_at", "open_date",
                                      "submitted", "submitted_at", "date")),
        _f("first_response", "datetime", syn=("first_response", "first_response_time", "first_reply",
                                               "first_reply_at", "responded_at")),
        _f("resolved", "datetime", syn=("resolved", "resolved_at", "closed", "closed_at", "time_to_resolution",
                                        "resolution_time", "resolution_date")),
        _f("priority", "text", syn=("priority", "ticket_priority", "severity", "urgency")),
        _f("category", "text", syn=("category", "ticket_type", "type", "topic", "issue_type", "reason")),
        _f("channel", "text", syn=("channel", "ticket_channel", "source", "via", "medium")),
        _f("status", "text", syn=("status", "ticket_status", "state")),
        _f("satisfaction", "number", syn=("satisfaction", "csat", "customer_satisfaction_rating",
                                          "satisfaction_rating", "rating", "satisfaction_score")),
        _f("text", "text", syn=("text", "subject", "ticket_subject", "description", "ticket_description",
                                "body", "comment", "message")),
    ),
    "feedback": (
        _f("customer_id", "key", False, _CUSTOMER_KEY),
        _f("date", "date", syn=("date", "response_date", "submitted", "submitted_at", "created_at",
                                "survey_date", "review_date")),
        _f("channel", "text", True, ("channel", "survey", "survey_type", "source", "feedback_type"),
           help_="nps, csat, ces, review, social, support ... (--set channel=review for a whole file)"),
        _f("score", "number", syn=("score", "rating", "nps", "csat", "ces", "stars", "nps_score")),
        _f("text", "text", syn=("text", "review_text", "comment", "comments", "verbatim", "feedback",
                                "review", "response", "body", "message")),
        _f("status", "text", syn=("status", "follow_up", "follow_up_status", "state")),
    ),
    "interventions": (
        _f("customer_id", "key", True, _CUSTOMER_KEY),
        _f("play", "text", True, ("play", "intervention", "campaign", "playbook", "treatment_name", "action")),
        _f("channel", "text", syn=("channel", "medium", "via")),
        _f("date", "date", True, ("date", "sent", "sent_at", "start_date", "intervention_date", "assigned")),
        _f("group", "group", True, ("group", "arm", "variant", "treatment_group", "cohort", "assignment")),
        _f("cost", "number", syn=("cost", "spend", "cost_usd", "expense")),
    ),
}

#: score ranges by feedback channel; other channels are not range-checked
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}
SATISFACTION_RANGE = (1, 5)

DATE_FORMATS = ("ISO8601", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y",
                "%m-%d-%Y", "%m/%d/%y", "%d/%m/%y", "%d %b %Y", "%b %d %Y", "%d-%b-%Y", "%b %d, %Y",
                "%d %B %Y", "%B %d, %Y", "%Y-%m")
_TRUE = {"yes", "y", "true", "t", "1", "churned", "churn", "lost", "cancelled", "canceled", "exited", "1.0"}
_FALSE = {"no", "n", "false", "f", "0", "active", "retained", "stayed", "0.0"}
_TREATMENT = {"treatment", "treated", "test", "t", "1", "yes", "intervention", "exposed", "variant"}
_HOLDOUT = {"holdout", "control", "c", "0", "no", "hold out", "hold-out", "untreated", "baseline", "hold",
            "no contact", "not contacted", "no treatment", "no e-mail", "no email", "none", "held out"}


#: words too common in headers to match on their own inside a longer name
#: ("Customer Name" is not a customer id, "Date of Purchase" is not a ticket's open date)
_GENERIC = {"customer", "date", "name", "type", "value", "count", "id", "account", "source", "state",
            "size", "total", "created", "product", "reason", "action", "event", "cohort", "review",
            "response", "message", "body", "text", "channel", "sent", "month", "day", "price"}


def norm(name: str) -> str:
    """Normalise a header for matching: lower case, runs of non-alphanumerics as ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def blank_mask(s: pd.Series) -> pd.Series:
    """Cells that are empty or white space only."""
    return s.isna() | (s.str.strip() == "")


def detect_date_format(s: pd.Series, sample: int = 2000) -> tuple[str | None, float]:
    """Pick the date format that parses most of the non-blank cells of ``s``.

    Returns the format (``None`` if none fits) and the share of the sample it parsed. When
    day and month order are both possible (every day <= 12), month-first is kept, because
    a date format can be forced with ``date_format``.
    """
    vals = s[~blank_mask(s)].str.strip()
    if vals.empty:
        return None, 0.0
    vals = pd.Series(vals.unique()[:sample])
    best, best_share = None, 0.0
    for fmt in DATE_FORMATS:
        if fmt == "ISO8601" and not vals.str.match(r"^\d{4}-\d{1,2}-\d{1,2}").all():
            # pandas' ISO parser also takes compact forms; only use it on dashed dates
            share = vals.str.match(r"^\d{4}-\d{1,2}-\d{1,2}").mean()
            if share == 0:
                continue
        parsed = pd.to_datetime(vals, format=fmt, errors="coerce")
        share = float(parsed.notna().mean())
        if share > best_share:
            best, best_share = fmt, share
        if share == 1.0:
            break
    return best, best_share


def to_dates(s: pd.Series, fmt: str | None) -> tuple[pd.Series, pd.Series]:
    """Parse ``s`` with ``fmt``. Returns (datetime64 Series, mask of non-blank cells that failed)."""
    blank = blank_mask(s)
    if fmt is None:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"), ~blank
    parsed = pd.to_datetime(s.str.strip(), format=fmt, errors="coerce")
    return parsed, parsed.isna() & ~blank


_NUM_CLEAN = re.compile(r"[\s$€£¥,%]")


def to_numbers(s: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse numbers, allowing currency signs and thousands separators.

    With ``decimal=","`` (European files: ``1.234,56``) dots are thousands separators and the
    comma is the decimal mark. Returns (float Series, mask of non-blank cells that are not numbers).
    """
    blank = blank_mask(s)
    if decimal == ".":
        fast = _arrow_floats(s.where(~blank))
        if fast is not None:  # every cell is a plain number or empty: the common, large case
            return fast, pd.Series(False, index=s.index)
    if decimal == ",":
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & ~blank
    if bad.any():  # second pass only over the cells that need cleaning ("$1,200", "12 %")
        fixed = pd.to_numeric(s[bad].str.replace(_NUM_CLEAN, "", regex=True), errors="coerce")
        out.loc[bad] = fixed
        bad = out.isna() & ~blank
    return out.astype("float64"), bad


def _arrow_floats(s: pd.Series) -> pd.Series | None:
    """Cast text to float64 with pyarrow (~30x faster than pandas); None if any cell is not a number."""

    try:
        arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        out = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return pd.Series(out.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")


def to_flags(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no style flags. Returns (boolean Series with NA, mask of unrecognised cells)."""
    low = s.str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(_TRUE)] = True
    out[low.isin(_FALSE)] = False
    return out, out.isna() & ~blank_mask(s)


def to_groups(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalise arm labels. Returns (text Series, mask of unrecognised cells: always empty).

    Holdout words (control, no contact ...) become ``holdout`` and treatment words (test, treated ...)
    ``treatment``; any other label names an arm of its own and is kept as written (trimmed), so a
    campaign with several treatments ("Email A", "Email B") keeps them apart against one holdout.
    """
    stripped = s.str.strip()
    low = stripped.str.lower()
    out = stripped.where(~blank_mask(s)).astype(object)
    out[low.isin(_TREATMENT)] = "treatment"
    out[low.isin(_HOLDOUT)] = "holdout"
    return out, pd.Series(False, index=s.index)


def type_share(s: pd.Series, type_: str, decimal: str = ".") -> float:
    """Share of non-blank cells of ``s`` (sampled) that can be read as ``type_``."""
    vals = s[~blank_mask(s)]
    if vals.empty:
        return 0.0
    vals = vals.iloc[:2000]
    if type_ in ("date", "datetime"):
        return detect_date_format(vals)[1]
    if type_ in ("number", "months"):
        return float(1 - to_numbers(vals, decimal)[1].mean())
    if type_ == "flag":
        return float(1 - to_flags(vals)[1].mean())
    if type_ == "group":
        return float(1 - to_groups(vals)[1].mean())
    return 1.0


def guess_mapping(frame: pd.DataFrame, kind: str, decimal: str = ".") -> dict[str, str]:
    """Match the frame's columns to the fields of ``kind`` by name, checked by type.

    A column whose normalised name equals a field's synonym wins over one that only
    contains it. A partial match is kept only if 80 % of the column's cells fit the field's
    type; an exact one if half do, so a few bad cells are reported row by row instead of
    the column silently going unmapped. Each column is used once.

    Returns
    -------
    dict
        field name -> column name, for the fields that found a column.
    """
    specs = KINDS[kind]
    candidates = []
    for rank, spec in enumerate(specs):
        for col in frame.columns:
            n = norm(col)
            tokens = n.split("_")
            score = 0
            for i, syn in enumerate(spec.synonyms):
                if n == syn:
                    score = max(score, 100 - i)
                elif syn not in _GENERIC and (syn in tokens or ("_" in syn and syn in n)):
                    score = max(score, 50 - i)
            if score:
                candidates.append((score, -rank, spec, col))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for score, _, spec, col in sorted(candidates, key=lambda c: (c[0], c[1]), reverse=True):
        if spec.name in mapping or col in used:
            continue
        need = 0.5 if score > 50 else 0.8  # an exact name needs only most of its cells to fit
        if spec.type not in ("key", "text") and type_share(frame[col], spec.type, decimal) < need:
            continue
        mapping[spec.name] = col
        used.add(col)
    return mapping


def infer_extra_type(s: pd.Series, decimal: str = ".") -> str:
    """``number`` when at least 95 % of the non-blank cells are numbers, else ``text``."""
    vals = s[~blank_mask(s)]
    if vals.empty:
        return "text"
    return "number" if float(1 - to_numbers(vals.iloc[:5000], decimal)[1].mean()) >= 0.95 else "text"


def iso_dates(s: pd.Series) -> np.ndarray:
    """datetime64 Series -> object array of ``YYYY-MM-DD`` strings (None where missing)."""

    days = pa.array(s.to_numpy(dtype="datetime64[D]"), from_pandas=True)  # NaT -> null
    return pc.cast(days, pa.string()).to_numpy(zero_copy_only=False).astype(object)


def iso_datetimes(s: pd.Series) -> np.ndarray:
    """datetime64 Series -> object array of ``YYYY-MM-DD HH:MM:SS.ffffff`` strings (None where missing)."""
    arr = s.to_numpy(dtype="datetime64[us]")
    if arr.size == 0:  # np.char on an empty array fails; nothing to format
        return np.array([], dtype=object)
    out = np.char.replace(np.datetime_as_string(arr), "T", " ").astype(object)
    out[np.isnat(arr)] = None
    return out
