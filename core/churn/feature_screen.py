"""Which candidate columns become churn features, and why the others do not.

A churn model should learn from what describes a customer's situation and behaviour. Identifiers (the
customer id, a row number), personal data (names, e-mail addresses, phone numbers, postal addresses) and free
text say who a customer is, not why customers leave, yet a tree model still finds splits in them: a row number
that follows the signup order stands in for tenure, a surname two churners share looks like a driver, and
one-hot encoding thousands of surnames made one fit of a 10,000-customer bank file take minutes.
:func:`screen_features` decides on one row per customer which candidate columns are features and gives each
other column a reason in plain words (the model card lists them). The first rule that matches gives the reason:

1. **the customer id**: a column named like one (``CustomerId``, ``client_id``, ``id``, ``uuid``) or whose
   values are the customers' ids;
2. **personal data**: by the words of its name (surname, first/last/full name, e-mail, phone number, address),
   for a column with more than two values (a yes/no flag named ``Phone`` is not a number), or by its values
   (at least half of the text values are e-mail addresses, or at least 90 % are phone numbers);
3. **a row number**: whole numbers, a different one for every customer, that fill at least half of the range
   from the smallest to the largest: a run 1, 2, 3 ... in the file's order, a shuffled one (a permutation of
   1..n), or either after some customers left; measured amounts almost never have a different whole number
   for every customer so densely;
4. **unique per customer**: text with at least 95 % distinct values among the customers that have one;
5. **free text or too many categories**: text with more than max(50, 5 % of customers) distinct values.

Rules 3-5 need at least 20 customers with a value; on fewer, distinctness proves nothing. A numeric column is
never excluded for being distinct (balances and salaries are distinct and are real features).

:class:`RareCategories` pools rare categories (under 1 % of the training rows, or fewer than 10 rows) into
``"other"`` before one-hot encoding. It is a step of the fitted model (:mod:`core.churn.model`), so a saved
model pools the same way whenever it scores customers, and a category it never saw counts as ``"other"``.

Marks: each kept feature keeps the mark the feature table gave it (controllable or fixed, from
:func:`core.history.features.is_controllable`), and a mark the analyst sets (``marks``) overrides that and is
kept. A mark does not bring back an excluded column: an identifier is never a feature.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin

from core.errors import DataValidationError, InsufficientDataError
from core.export import units
from core.history.features import ChurnData
from core.history.inputs import ChurnInputs
from core.store.dates import datetimes

#: text with at least this share of distinct values among its non-missing ones is unique per customer
UNIQUE_SHARE = 0.95
#: text with more distinct values than the larger of these is free text or has too many categories
HIGH_CARDINALITY_MIN, HIGH_CARDINALITY_SHARE = 50, 0.05
#: distinct whole numbers filling at least this share of their range are a row number
SEQUENTIAL_FILL = 0.5
#: the distinctness rules (row number, unique, high cardinality) need this many customers with a value
MIN_ROWS = 20
#: a category is rare under this share of the training rows or under this many rows; rare ones are pooled
RARE_SHARE, RARE_MIN_ROWS = 0.01, 10
#: the pooled category
OTHER = "other"

_ID_NAMES = {"id", "uuid", "guid", "customerid", "customeruuid", "clientid", "accountid", "userid", "memberid",
             "subscriberid", "contactid", "custid", "customerkey", "customernumber", "customerno", "clientnumber",
             "accountnumber", "accountno", "membernumber"}
_ROW_NAMES = {"rownumber", "rowno", "rownum", "rowid", "row", "index", "unnamed0", "column1"}
_PERSON_NAMES = {"name", "surname", "lastname", "firstname", "fullname", "forename", "givenname", "familyname",
                 "middlename", "customername", "contactname", "clientname", "personname", "username", "nickname"}
_PHONE_NAMES = {"phone", "phonenumber", "phoneno", "telephone", "telephonenumber", "mobilenumber", "mobilephone",
                "cellphone", "fax", "faxnumber", "contactnumber"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[\d ()\-/]{7,}$")
_PERSONAL = {"name": "a person's name", "email": "e-mail addresses", "phone": "phone numbers",
             "address": "postal addresses"}


@dataclass(frozen=True)
class Excluded:
    """A candidate column that is not a feature, and why (plain words, for the model card)."""

    column: str
    reason: str


@dataclass
class FeatureScreen:
    """The outcome of :func:`screen_features`.

    Attributes
    ----------
    features : list of str
        The candidate columns kept as features, in their order.
    excluded : list of Excluded
        The other candidate columns, each with its reason.
    controllable : dict
        Kept feature -> True when the business can act on it (the analyst's mark where one was set).
    customers : int
        The customers the rules were judged on (one row each).
    """

    features: list
    excluded: list = field(default_factory=list)
    controllable: dict = field(default_factory=dict)
    customers: int = 0

    def apply(self, data: ChurnData) -> ChurnData:
        """``data`` with only the kept features and their marks."""
        return ChurnData(data.X[self.features].copy(), data.y, data.customer_id, dict(self.controllable),
                         data.source, data.cutoff, data.missing)

    def lines(self) -> list[str]:
        """One plain line per column left out, the customer key first: ``column: reason``."""
        return [f"{e.column}: {e.reason}" for e in (STORE_KEY, *self.excluded)]


#: the column every import matches customers by; it is the key of the store's customers, never a candidate
STORE_KEY = Excluded("customer id", "the key each customer is stored under (the file's customer id column, "
                                    "matched on import): it names a customer, it does not describe one")


def card_exclusions(screen: FeatureScreen | None) -> list[dict]:
    """The model card's list of columns left out: ``[{"column", "reason"}]``, the customer key first ([] for a
    result fitted without a screen)."""
    if screen is None:
        return []
    return [{"column": e.column, "reason": e.reason} for e in (STORE_KEY, *screen.excluded)]


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def _personal_by_name(name: str) -> str | None:
    """``name``, ``email``, ``phone`` or ``address`` when the column's name says it holds that."""
    words = _words(name)
    joined = "".join(words)
    if joined in _PERSON_NAMES:
        return "name"
    if joined in ("email", "mail", "emailaddress", "mailaddress") or (words and words[-1] == "email"):
        return "email"
    if joined in _PHONE_NAMES or joined.endswith("phonenumber"):
        return "phone"
    if (words and words[-1] == "address") or joined in ("street", "streetaddress", "address1", "address2",
                                                        "addressline1", "addressline2"):
        return "address"
    return None


def _personal_by_values(text: pd.Series) -> str | None:
    """``email`` or ``phone`` when the text values are mostly e-mail addresses or phone numbers."""
    if text.str.match(_EMAIL).mean() >= 0.5:
        return "email"
    phone = text.str.match(_PHONE) & (text.str.count(r"\d") >= 7) & text.str.contains(r"[+ ()\-/]", regex=True)
    return "phone" if phone.mean() >= 0.9 else None


def _as_id_text(values: pd.Series) -> pd.Series:
    """Values written as ids are: whole numbers without a decimal point (a stored 1001.0 is id ``1001``)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        if (num.dropna() % 1 == 0).all():
            return num.astype("Int64").astype(str)
    return values.astype(str).str.strip()


def _is_customer_id(name: str, values: pd.Series, ids: pd.Series | None) -> str | None:
    if "".join(_words(name)) in _ID_NAMES:
        return "its name"
    present = values.notna()
    if ids is not None and present.sum() >= 2 and values[present].nunique() >= UNIQUE_SHARE * present.sum():
        same = _as_id_text(values[present]).to_numpy() == ids[present].astype(str).str.strip().to_numpy()
        if same.mean() >= UNIQUE_SHARE:
            return "its values"
    return None


def _row_number(name: str, values: pd.Series) -> str | None:
    """What shows ``values`` is a row number (``None`` when it is not one)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        v = pd.to_numeric(values, errors="coerce").dropna()
        if len(v) >= MIN_ROWS and (v % 1 == 0).all() and v.nunique() == len(v):
            lo, hi = int(v.min()), int(v.max())
            if len(v) >= SEQUENTIAL_FILL * (hi - lo + 1):
                return (f"whole numbers from {units.count(lo)} to {units.count(hi)}, a different one for each of "
                        f"{units.count(len(v))} customers")
    return "recognised by its name" if "".join(_words(name)) in _ROW_NAMES else None


def _reason(name: str, values: pd.Series, ids: pd.Series | None, n: int) -> str | None:
    """The plain-words reason ``values`` (one row per customer) is not a feature, or ``None``."""
    how = _is_customer_id(name, values, ids)
    if how:
        return (f"the customer id (recognised by {how}): it names a customer, it does not describe one")
    is_text = values.dtype == object
    text = values.dropna().astype(str).str.strip() if is_text else None
    distinct = int(text.nunique()) if is_text else int(values.nunique())
    kind = _personal_by_name(name) if distinct > 2 else None
    how = "the column's name"
    if kind is None and is_text and len(text):
        kind, how = _personal_by_values(text), "its values"
    if kind:
        return (f"{_PERSONAL[kind]} (personal data, recognised by {how}; {units.count(distinct)} different values): "
                "it says who a customer is, not why customers leave")
    how = _row_number(name, values)
    if how:
        return f"a row number ({how}): it follows the order of the file, not the customer's behaviour"
    if not is_text or len(text) < MIN_ROWS:
        return None
    if distinct >= UNIQUE_SHARE * len(text):
        return (f"unique per customer: {units.count(distinct)} different values among {units.count(len(text))} "
                f"customers with a value ({units.percent(UNIQUE_SHARE, 0)} or more different), so it identifies "
                "a customer rather than describing one")
    limit = max(HIGH_CARDINALITY_MIN, math.floor(HIGH_CARDINALITY_SHARE * n))
    if distinct > limit:
        return (f"free text or too many categories: {units.count(distinct)} different values among "
                f"{units.count(n)} customers (more than {units.count(limit)}, the larger of "
                f"{units.count(HIGH_CARDINALITY_MIN)} and {units.percent(HIGH_CARDINALITY_SHARE, 0)} of the "
                "customers); most values would be seen too rarely to learn from")
    return None


def _marks(marks: dict | None, columns) -> dict[str, bool]:
    """The analyst's marks as column -> controllable (True) or fixed (False)."""
    out = {}
    for col, mark in (marks or {}).items():
        if col not in columns:
            raise DataValidationError(f"The column '{col}' marked {mark} is not among the churn model's candidate "
                                      f"columns ({', '.join(map(str, columns))}); check its spelling.")
        if mark in (True, "controllable"):
            out[col] = True
        elif mark in (False, "fixed"):
            out[col] = False
        else:
            raise DataValidationError(f"The mark of column '{col}' is {mark!r}; mark it controllable or fixed.")
    return out


def screen_features(X: pd.DataFrame, customer_id: pd.Series | None = None, controllable: dict | None = None,
                    marks: dict | None = None, left_out: dict | None = None) -> FeatureScreen:
    """Decide which candidate columns of a one-row-per-customer table are features.

    Parameters
    ----------
    X : pandas.DataFrame
        Candidate columns, one row per customer: text columns are ``object``, the others numeric.
    customer_id : pandas.Series, optional
        Each row's customer id (a column holding them is excluded as the customer id).
    controllable : dict, optional
        Column -> True when a play can move it (the feature table's marks); default all fixed.
    marks : dict, optional
        Column -> ``"controllable"``/``"fixed"`` (or True/False) set by the analyst; kept over ``controllable``.
    left_out : dict, optional
        Column -> reason: columns the store's kind rules out before any other rule (a feature that cannot vary on
        a purchase log); a column not among the candidates is ignored.

    Returns
    -------
    FeatureScreen

    Raises
    ------
    DataValidationError
        A mark names a column that is not a candidate, or is neither controllable nor fixed.
    InsufficientDataError
        No column is left to learn from.

    Examples
    --------
    >>> X = pd.DataFrame({"RowNumber": range(1, 31), "Age": [30 + i % 7 for i in range(30)]})
    >>> s = screen_features(X)
    >>> s.features, [e.column for e in s.excluded]
    (['Age'], ['RowNumber'])
    """
    X = X.reset_index(drop=True)
    ids = None if customer_id is None else pd.Series(customer_id).reset_index(drop=True)
    marked = _marks(marks, list(X.columns))
    kept, excluded = [], []
    for col in X.columns:
        reason = (left_out or {}).get(col) or _reason(str(col), X[col], ids, len(X))
        if reason is None:
            kept.append(col)
        else:
            excluded.append(Excluded(str(col), reason))
    if not kept:
        raise InsufficientDataError("Every column of the customers is an identifier, personal data or free text ("
                                    + "; ".join(f"{e.column}: {e.reason}" for e in excluded)
                                    + "), so the churn model has nothing to learn from: import customer attributes "
                                      "or behaviour (usage, tickets, surveys, revenue).")
    base = controllable or {}
    return FeatureScreen(features=kept, excluded=excluded,
                         controllable={c: bool(marked.get(c, base.get(c, False))) for c in kept}, customers=len(X))


def not_applicable(inputs: ChurnInputs) -> dict[str, str]:
    """Features that cannot vary in the way their name says on this store, with why: on a purchase log without
    renewal dates, ``days_to_renewal`` (the next anniversary of the first purchase says when a buyer started, and
    no contract renews)."""
    cust = inputs.customers
    renewals = "renewal_date" in cust and datetimes(cust["renewal_date"]).notna().any()
    if inputs.lapse is not None and not renewals:
        return {"days_to_renewal": "a purchase log has no renewals (no customer has a renewal date): days to the "
                                   "anniversary of the first purchase would only restate when a buyer started"}
    return {}


def screen_churn_data(parts: list[ChurnData], marks: dict | None = None, left_out: dict | None = None) -> FeatureScreen:
    """:func:`screen_features` on the customers of several feature tables (cutoffs, splits), one row each;
    ``left_out``: column -> reason, left out whatever its values.

    A temporal table stacks a customer once per cutoff; the rules judge customers, so each customer's first row
    counts once (attributes are the same at every cutoff).
    """
    X = pd.concat([p.X for p in parts], ignore_index=True)
    ids = pd.concat([p.customer_id.astype(str) for p in parts], ignore_index=True)
    first = ~ids.duplicated().to_numpy()
    controllable = {k: v for p in parts for k, v in p.controllable.items()}
    return screen_features(X[first], ids[first], controllable, marks, left_out)


class RareCategories(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Pool rare categories into ``other``: a step before one-hot encoding.

    A category is rare when it has fewer than ``max(min_rows, ceil(min_share x rows))`` training rows (under
    1 % of them, or fewer than 10); at transform, rare and never-seen categories become ``other``.

    Parameters
    ----------
    min_share : float
    min_rows : int
    other : str
    """

    def __init__(self, min_share: float = RARE_SHARE, min_rows: int = RARE_MIN_ROWS, other: str = OTHER):
        self.min_share = min_share
        self.min_rows = min_rows
        self.other = other

    def fit(self, X, y=None) -> RareCategories:
        Z = np.asarray(X, dtype=object)
        self.n_features_in_ = Z.shape[1]
        self.min_count_ = max(self.min_rows, math.ceil(self.min_share * len(Z)))
        counts = [pd.Series(Z[:, j]).value_counts() for j in range(Z.shape[1])]
        self.kept_ = [list(c.index[c >= self.min_count_]) for c in counts]
        self.pooled_ = [int((c < self.min_count_).sum()) for c in counts]
        return self

    def transform(self, X):
        if not hasattr(self, "kept_"):
            raise DataValidationError("RareCategories is not fitted yet: call fit(X) first.")
        Z = np.array(X, dtype=object)
        for j, kept in enumerate(self.kept_):
            Z[:, j] = np.where(pd.Series(Z[:, j]).isin(kept).to_numpy(), Z[:, j], self.other)
        return Z


def pooled_categories(model) -> dict[str, int]:
    """Column -> how many rare categories a fitted :class:`core.churn.model.ChurnModel` pooled into ``other``
    (only columns with any; {} for a model fitted before pooling existed, or without a categorical column,
    whose unfitted pooling step has nothing to say)."""
    cat = model.pipeline_.named_steps["prep"].named_transformers_.get("cat")
    pool = getattr(cat, "named_steps", {}).get("pool")
    if pool is None or not hasattr(pool, "pooled_"):
        return {}
    cols = model.pipeline_.named_steps["prep"].transformers_[0][2]
    return {str(c): n for c, n in zip(cols, pool.pooled_) if n}
