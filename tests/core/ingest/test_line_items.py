"""A line-item log shaped like the public online-retail file (InvoiceNo, StockCode, Description, Quantity,
InvoiceDate, UnitPrice, CustomerID, Country): the amount is quantity x unit price, cancellations ("C" invoices,
negative quantities) are returns that lower net revenue and are never purchases, and invoice ids stay text.

The file is generated here (seeded); every expectation is recomputed from it with pandas, independently of the
importer. No ``--map`` is needed: the columns are matched by name."""

import io

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text

import core
from core.cohorts.table import cohort_table
from core.export import units
from core.ingest import line_items
from core.store.engine import init_db
from core.store.read import load_table

COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
LATE_BUYER = "19999"  # returns an item in December 2010 before buying anything: first purchase in January 2011
_ITEMS = [("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 2.55), ("71053", "WHITE METAL LANTERN", 3.39),
          ("84406B", "CREAM CUPID HEARTS COAT HANGER", 2.75), ("22752", "SET 7 BABUSHKA NESTING BOXES", 7.65),
          ("21730", "GLASS STAR FROSTED T-LIGHT HOLDER", 4.25), ("22633", "HAND WARMER UNION JACK", 1.85),
          ("84879", "ASSORTED COLOUR BIRD ORNAMENT", 1.69), ("22960", "JAM MAKING SET WITH JARS", 4.25),
          ("POST", "POSTAGE", 18.0), ("23166", "MEDIUM CERAMIC TOP STORAGE JAR", 1.04)]


def _stamp(t: pd.Timestamp) -> str:
    """``12/1/2010 8:26``: the public file's style (no zero padding)."""
    return f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}"


def make_line_items(seed: int = 7, n_invoices: int = 400) -> pd.DataFrame:
    """A line-item log: purchase invoices of 1-6 lines, some without a customer id, and cancellations ("C" + the
    next invoice number) that take back part of an earlier invoice of the same customer with negative quantities."""
    rng = np.random.default_rng(seed)
    customers = [str(c) for c in rng.choice(np.arange(12346, 18288), 60, replace=False)]
    start = pd.Timestamp("2010-12-01 08:26")
    times = np.sort(rng.integers(0, 120 * 24 * 60, n_invoices))
    rows, invoices, number = [], [], 536365
    for minutes in times:
        when = start + pd.Timedelta(minutes=int(minutes))
        cid = "" if rng.random() < 0.15 else str(rng.choice(customers))
        country = "United Kingdom" if rng.random() < 0.8 else str(rng.choice(["France", "EIRE", "Germany"]))
        if cid and invoices and rng.random() < 0.08:  # a cancellation of an earlier invoice of this customer
            earlier = [inv for inv in invoices if inv[1] == cid and inv[2] < when]
            if earlier:
                _, _, _, lines, ctry = earlier[int(rng.integers(len(earlier)))]
                for code, desc, qty, price in lines[: int(rng.integers(1, len(lines) + 1))]:
                    back = -int(rng.integers(1, qty + 1))
                    rows.append([f"C{number}", code, desc, back, _stamp(when), price, cid, ctry])
                number += 1
                continue
        lines = []
        for i in rng.choice(len(_ITEMS), int(rng.integers(1, 7)), replace=False):
            code, desc, price = _ITEMS[i]
            lines.append((code, desc, int(rng.choice([1, 2, 3, 6, 12, 24])), price))
        for code, desc, qty, price in lines:
            rows.append([str(number), code, desc, qty, _stamp(when), price, cid, country])
        invoices.append((str(number), cid, when, lines, country))
        number += 1
    rows.append([f"C{number}", "22633", "HAND WARMER UNION JACK", -2, "12/20/2010 10:15", 1.85, LATE_BUYER,
                 "United Kingdom"])  # the late buyer's first line is a return (of a purchase before the log)
    rows.append([str(number + 1), "22752", "SET 7 BABUSHKA NESTING BOXES", 3, "1/12/2011 11:02", 7.65, LATE_BUYER,
                 "United Kingdom"])
    return pd.DataFrame(rows, columns=COLUMNS)


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode()


def _expected(log: pd.DataFrame) -> pd.DataFrame:
    """Per line, independently of the importer: customer, month, amount (signed as in the file), return or not."""
    known = log[log["CustomerID"] != ""].copy()
    when = pd.to_datetime(known["InvoiceDate"], format="%m/%d/%Y %H:%M")
    return pd.DataFrame({"customer_id": known["CustomerID"], "day": when.dt.normalize(),
                         "month": when.dt.to_period("M").astype(str),
                         "amount": known["Quantity"] * known["UnitPrice"],
                         "is_return": known["InvoiceNo"].str.startswith("C"), "order_id": known["InvoiceNo"]})


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return make_line_items()


@pytest.fixture
def loaded(engine, log):
    plan = core.prepare_import(engine, _csv(log), "Online Retail.csv", "transactions")  # no mapping given
    result = core.commit_import(engine, plan, strict=False)  # lines without a CustomerID are rejected
    return plan, result, engine


def test_the_generated_log_has_the_shape_the_test_needs(log):
    exp = _expected(log)
    assert list(log.columns) == COLUMNS
    assert exp["is_return"].sum() >= 10 and (log["CustomerID"] == "").sum() >= 20
    assert (log.loc[log["InvoiceNo"].str.startswith("C"), "Quantity"] < 0).all()


def test_columns_are_matched_and_the_amount_is_quantity_times_unit_price_in_the_preview(engine, log):
    plan = core.prepare_import(engine, _csv(log), "Online Retail.csv", "transactions")
    assert {f: plan.mapping[f] for f in ("customer_id", "date", "quantity", "unit_price", "order_id")} == {
        "customer_id": "CustomerID", "date": "InvoiceDate", "quantity": "Quantity", "unit_price": "UnitPrice",
        "order_id": "InvoiceNo"}
    assert plan.mapping["amount"] == "amount (Quantity x UnitPrice)"  # derived, never the unit price itself
    preview = plan.preview(30)
    np.testing.assert_allclose(preview["amount"].astype(float), (log["Quantity"] * log["UnitPrice"]).head(30))
    assert any("amount derived as quantity x unit price" in n for n in plan.notes)
    assert "amount derived as quantity x unit price" in plan.summary()


def test_revenue_per_customer_month_nets_the_returns(loaded, log):
    plan, result, engine = loaded
    exp = _expected(log)
    assert result.rows_rejected == (log["CustomerID"] == "").sum()
    rev = load_table(engine, "revenue")
    got = rev.assign(month=rev["period"].dt.to_period("M").astype(str)).groupby(["customer_id", "month"])["amount"]
    want = exp.groupby(["customer_id", "month"])["amount"].sum()
    pd.testing.assert_series_equal(got.sum().sort_index(), want.sort_index(), check_names=False, rtol=1e-9)
    assert rev["amount"].sum() == pytest.approx(exp["amount"].sum())  # net: returns lowered it
    assert rev["amount"].sum() < exp.loc[~exp["is_return"], "amount"].sum()


def test_returns_are_counted_and_totalled_in_the_report(loaded, log):
    plan, _, engine = loaded
    exp = _expected(log)
    n, total = int(exp["is_return"].sum()), float(exp.loc[exp["is_return"], "amount"].sum())
    rev = load_table(engine, "revenue")
    assert int(rev["is_return"].sum()) == n
    assert rev.loc[rev["is_return"].astype(bool), "amount"].sum() == pytest.approx(total)
    assert (rev.loc[rev["is_return"].astype(bool), "amount"] < 0).all()
    note = f"{units.count(n)} return lines (negative, cancelled or refunded), {units.money(total, decimals=2)} in total"
    assert any(note in x for x in plan.notes)
    assert note in plan.summary()


def test_invoice_ids_are_kept_as_written(loaded, log):
    _, _, engine = loaded
    rev = load_table(engine, "revenue")
    exp = _expected(log)
    assert sorted(rev["order_id"]) == sorted(exp["order_id"])
    cancelled = rev.loc[rev["order_id"].str.startswith("C"), "is_return"].astype(bool)
    assert len(cancelled) and cancelled.all()


def test_returns_are_never_purchases_or_activity(loaded, log):
    _, _, engine = loaded
    exp = _expected(log)
    act = load_table(engine, "activity")
    buys = exp[~exp["is_return"]]
    assert len(act) == len(buys) and (act["metric"] == "purchase").all()
    assert act.groupby("customer_id").size().sort_index().tolist() == buys.groupby("customer_id").size().tolist()
    assert (act["value"] > 0).all()


def test_a_customer_whose_first_line_is_a_return_joins_the_cohort_of_the_first_purchase(loaded, log):
    _, _, engine = loaded
    exp = _expected(log)
    customers = load_table(engine, "customer").set_index("customer_id")
    first_buy = exp[~exp["is_return"]].groupby("customer_id")["day"].min()
    pd.testing.assert_series_equal(customers.loc[first_buy.index, "signup_date"], first_buy, check_names=False,
                                   check_dtype=False)
    assert customers.at[LATE_BUYER, "signup_date"] == pd.Timestamp("2011-01-12")
    act = load_table(engine, "activity")
    assert act.loc[act["customer_id"] == LATE_BUYER, "date"].min() == pd.Timestamp("2011-01-12")
    table = cohort_table(customers.reset_index(), act, cohort_by="first_activity", retained_by="activity",
                         period="month", as_of="2011-04-30")
    want = first_buy.dt.to_period("M").value_counts().sort_index()
    assert table.sizes.astype(int).tolist() == want.tolist()


def test_status_words_and_other_order_ids(engine):
    data = (b"order_id,customer_id,date,quantity,unit_price,status\n"
            b"CA-2016-1,A,2024-03-01,2,5,paid\nCA-2016-2,A,2024-03-05,1,5,Refunded\n"
            b"CA-2016-3,B,2024-03-02,1,4,partially_returned\nCA-2016-4,B,2024-03-09,3,4,fulfilled\n")
    plan = core.prepare_import(engine, data, "o.csv", "transactions")
    rev = plan.tables["revenue"]
    assert rev["is_return"].tolist() == [False, True, True, False]  # "CA-..." ids are not cancellations
    assert rev["amount"].tolist() == [10.0, -5.0, -4.0, 12.0]
    assert rev["order_id"].tolist() == ["CA-2016-1", "CA-2016-2", "CA-2016-3", "CA-2016-4"]
    assert len(plan.tables["activity"]) == 2


def test_a_file_with_a_line_total_keeps_it(engine):
    data = b"customer_id,date,quantity,unit_price,line_total\nA,2024-03-01,2,5,9.5\nA,2024-03-02,-1,5,-5\n"
    plan = core.prepare_import(engine, data, "t.csv", "transactions")
    assert plan.mapping["amount"] == "line_total" and not any("derived" in n for n in plan.notes)
    assert plan.tables["revenue"]["amount"].tolist() == [9.5, -5.0]


def test_cancelled_ids_need_plain_numbers_beside_them():
    assert line_items.cancelled_ids(pd.Series(["536365", "C536379", None])).tolist() == [False, True, False]
    assert not line_items.cancelled_ids(pd.Series(["CA-1", "C12", "CB-7"])).any()


def test_an_old_store_gains_the_return_and_order_columns(tmp_path):
    eng = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE revenue (id INTEGER PRIMARY KEY, customer_id VARCHAR NOT NULL, "
                          "period DATE NOT NULL, mrr FLOAT, amount FLOAT, import_id INTEGER)"))
    init_db(eng)
    assert {"is_return", "order_id"} <= {c["name"] for c in inspect(eng).get_columns("revenue")}
    eng.dispose()


def test_a_cancelled_invoice_is_a_return_whatever_the_sign_of_its_quantity(engine):
    data = (b"InvoiceNo,Quantity,InvoiceDate,UnitPrice,CustomerID\n536365,6,12/1/2010 8:26,2.55,17850\n"
            b"C536379,1,12/1/2010 9:41,27.5,17850\n536380,2,12/1/2010 9:45,3,17850\n")
    rev = core.prepare_import(engine, data, "r.csv", "transactions").tables["revenue"]
    assert rev["is_return"].tolist() == [False, True, False]
    assert rev["amount"].tolist() == pytest.approx([15.3, -27.5, 6.0])
