"""What the Intervention ROI measures read, from a company's warehouse (:mod:`core.query.warehouse`): its plays'
contacts (the mapping's ``[contacts]`` table), its customers and its revenue as frames, each contact's revenue and
usage windows summed in the warehouse (:mod:`core.roi.engine_outcomes`, as the store's engine sums them). Nothing is
written there.

The activity stays in the warehouse: its last day counts for the data's end, as on a store, and the next wave's
candidates have their revenue and usage summed there too (:mod:`core.roi.candidates`).
"""

from __future__ import annotations

import pandas as pd

from core.errors import DataValidationError, NoDataYetError
from core.history import asof
from core.history.warehouse_inputs import warehouse_customers
from core.query.sources import Source
from core.query.warehouse import answered
from core.roi.inputs import RoiInputs, inputs_from_frames
from core.store.dates import datetimes

NO_CONTACTS = ("The mapping file names no [contacts] table, so there are no plays to measure: map the table of your "
               "plays' contacts and holdouts (customer_id, play, date, arm; see the README's worked mapping).")
#: the fields every contact needs
REQUIRED = ("customer_id", "play", "date", "arm")
#: the workbench's fields of a contact (the other columns are the play's own: the mapping's ``columns``)
FIELDS = (*REQUIRED, "channel", "cost", "id")
NO_ROWS = "The warehouse's contact table ([contacts] table in the mapping file) holds no contacts: check the table."


@answered
def warehouse_roi_inputs(source: Source) -> RoiInputs:
    """:class:`~core.roi.inputs.RoiInputs` of the warehouse ``source``, its windows summed there.

    Raises
    ------
    NoDataYetError
        The mapping names no contacts, or their table is empty.
    DataValidationError
        Contacts without a customer, play, date or arm (:func:`_check_complete`).
    EngineError
        The warehouse failed to answer (:func:`answered`).
    """
    if source.contacts is None:
        raise NoDataYetError(NO_CONTACTS)
    contacts = source.con.execute(source.contacts)
    if contacts.empty:
        raise NoDataYetError(NO_ROWS)
    _check_complete(contacts)
    contacts = _with_attributes(contacts)
    contacts = contacts.rename(columns={"arm": "group"})
    contacts["date"] = datetimes(contacts["date"])
    customers = warehouse_customers(source)
    revenue = _revenue(source)
    end = asof.data_end(customers, None, revenue, extra=[_activity_days(source)])
    inputs = inputs_from_frames(contacts, customers, revenue, None, end=end)
    inputs.source = source
    return inputs


def _check_complete(contacts: pd.DataFrame) -> None:
    """Refuse contacts without a customer, play, date or arm (a store's import refuses them too), naming the field,
    how many rows lack it and the first such contact.

    Raises
    ------
    DataValidationError
        A required field is empty on some rows.
    """
    for field in REQUIRED:
        empty = contacts[field].isna() | (contacts[field].astype(str).str.strip() == "")
        if empty.any():
            first = contacts[empty].iloc[0]
            which = (f"contact id {first['id']}" if "id" in contacts and pd.notna(first["id"]) else
                     f"customer {first['customer_id']}" if pd.notna(first["customer_id"]) else "a contact")
            raise DataValidationError(f"{int(empty.sum()):,} rows of the warehouse's contact table have no {field} "
                                      f"([contacts] {field} in the mapping file; the first: {which}): fill them in the "
                                      "warehouse, or map a table or view that leaves them out.")


def _with_attributes(contacts: pd.DataFrame) -> pd.DataFrame:
    """The contacts with the play's own columns (the mapping's ``columns``) as each row's ``attributes``, as a store
    keeps a file's extra columns: the values given (none for a row without one), read as numbers or yes/no flags by
    :func:`core.roi.inputs.inputs_from_frames`, as the store's are."""
    own = [c for c in contacts.columns if c not in FIELDS]
    if not own:
        return contacts
    values = contacts[own].astype(object).where(contacts[own].notna(), None)
    attributes = [{k: v for k, v in zip(own, row, strict=True) if v is not None}
                  for row in values.itertuples(index=False, name=None)]
    return contacts.drop(columns=own).assign(attributes=attributes)


def _revenue(source: Source) -> pd.DataFrame:
    """``customer_id, period, mrr, amount`` of the warehouse's revenue (empty without a [revenue] table)."""
    if source.revenue is None:
        return pd.DataFrame(columns=["customer_id", "period", "mrr", "amount"])
    r = source.revenue
    frame = source.con.execute(r.select("customer_id", "period", "mrr", *(["amount"] if "amount" in r.columns else [])))
    frame["period"] = datetimes(frame["period"])
    return frame


def _activity_days(source: Source) -> pd.Series:
    """The activity's last day (an empty series without activity)."""
    if source.activity is None:
        return pd.Series([], dtype="datetime64[ns]")
    a = source.activity
    return datetimes(source.con.execute(a.aggregate(last=a.date.max()))["last"])
