"""What the store holds (core/store/profile.py) on each kind of store, against the public files read with pandas and
the store read with the driver alone."""

import datetime as dt
import sqlite3

import pandas as pd
import pytest

import core
from core.cli.main import main
from core.store.profile import profile

CDNOW = "cdnow/CDNOW_master.txt"
TELCO = "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
REVIEWS = "womens_clothing_reviews/womens_clothing_reviews.csv"
AS_OF = "2024-01-31"


def _cdnow(shared) -> pd.DataFrame:
    df = pd.read_csv(shared / CDNOW, sep=r"\s+", header=0, names=["id", "date", "qty", "amount"], dtype=str)
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


def _import(engine, path, kind, **options):
    plan = core.prepare_import(engine, path.read_bytes(), path.name, kind, **options)
    core.commit_import(engine, plan, strict=False)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, shared):
    """Four stores: a purchase log (CDNOW), a snapshot (telco), feedback only (reviews), and the mix of the first
    two; each as (engine, path)."""
    folder = tmp_path_factory.mktemp("profiles")
    out = {}
    for name, files in {"purchase": [(CDNOW, "transactions", {})],
                        "snapshot": [(TELCO, "customers", {"as_of": AS_OF})],
                        "feedback": [(REVIEWS, "feedback", {"constants": {"channel": "review"}})],
                        "mix": [(CDNOW, "transactions", {}), (TELCO, "customers", {"as_of": AS_OF})]}.items():
        path = folder / f"{name}.db"
        engine = core.make_engine(f"sqlite:///{path}")
        for file, kind, options in files:
            _import(engine, shared / file, kind, **options)
        out[name] = (engine, path)
    yield out
    for engine, _ in out.values():
        engine.dispose()


def test_a_purchase_log_holds_its_purchases_over_the_file_s_days(stores, shared):
    log = _cdnow(shared)
    found = profile(stores["purchase"][0])
    assert found.sort == "purchase log"
    assert found.get("purchases").rows == len(log)
    assert found.span("purchases") == (log["date"].min().date(), log["date"].max().date())
    assert found.get("customers").rows == log["id"].nunique()
    assert found.get("one_off_revenue").rows == len(log)
    assert not found.has("recurring_revenue") and not found.has("churn_dates") and not found.has("snapshot")
    assert found.summary == "This store is a purchase log, dated 1997-01-01 to 1998-06-30."


def test_a_snapshot_is_named_by_its_as_of_day_and_churn_dates_counted(stores, shared):
    telco = pd.read_csv(shared / TELCO)
    found = profile(stores["snapshot"][0])
    assert found.sort == "snapshot"
    day = dt.date.fromisoformat(AS_OF)
    assert found.get("snapshot").rows == len(telco) and found.span("snapshot") == (day, day)
    assert found.get("churn_dates").rows == int((telco["Churn"] == "Yes").sum())
    assert found.span("churn_dates") == (day, day)
    # signup = as-of minus tenure months: the longest tenure gives the first signup
    assert found.span("customers")[0] == (pd.Timestamp(day) - pd.DateOffset(months=int(telco["tenure"].max()))).date()


def test_feedback_without_dates_is_feedback_only_with_no_span(stores, shared):
    reviews = pd.read_csv(shared / REVIEWS)
    found = profile(stores["feedback"][0])
    assert found.sort == "feedback only"
    assert [h.key for h in found.holdings] == ["feedback_undated"]
    assert found.get("feedback_undated").rows == len(reviews)
    assert found.first_day is None
    assert found.summary == "This store holds feedback only, with no dates."


def test_a_mix_of_a_purchase_log_and_a_snapshot_is_a_mix(stores):
    found = profile(stores["mix"][0])
    assert found.sort == "mix"
    assert found.has("purchases") and found.has("snapshot")


def test_the_demo_is_a_recurring_revenue_book_and_every_figure_matches_the_driver(small_demo_store):
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    found = profile(engine)
    engine.dispose()
    con = sqlite3.connect(f"file:{small_demo_store}?mode=ro", uri=True)

    def q(sql):
        n, first, last = con.execute(sql).fetchone()
        return n, first and dt.date.fromisoformat(first[:10]), last and dt.date.fromisoformat(last[:10])

    expected = {
        "customers": q("SELECT count(*), min(signup_date), max(signup_date) FROM customer"),
        "recurring_revenue": q("SELECT count(*), min(period), max(period) FROM revenue WHERE mrr IS NOT NULL"),
        "usage": q("SELECT count(*), min(date), max(date) FROM activity WHERE metric <> 'purchase'"),
        "churn_dates": q("SELECT count(*), min(churn_date), max(churn_date) FROM customer "
                         "WHERE churn_date IS NOT NULL"),
        "tickets": q("SELECT count(*), min(opened), max(opened) FROM ticket"),
        "feedback_dated": q("SELECT count(*), min(date), max(date) FROM feedback WHERE date IS NOT NULL"),
        "interventions": q('SELECT count(*), min(date), max(date) FROM intervention'),
    }
    con.close()
    assert {h.key: (h.rows, h.first, h.last) for h in found.holdings} == expected
    assert found.sort == "recurring-revenue book"
    assert found.first_day == min(v[1] for v in expected.values())


def test_a_usage_log_reads_as_one(engine):
    rows = b"customer_id,date,metric,value\nC1,2024-01-05,login,1\nC2,2024-03-09,login,2\n"
    core.commit_import(engine, core.prepare_import(engine, rows, "usage.csv", "activity", create_customers=True))
    found = profile(engine)
    assert found.sort == "usage log"
    assert found.summary == "This store is a usage log, dated 2024-01-05 to 2024-03-09."


def test_an_empty_store_says_what_to_do(engine):
    found = profile(engine)
    assert found.holdings == () and found.sort == "empty"
    assert "import a file" in found.summary


def test_python_m_core_status_prints_the_profile(stores, capsys):
    _, path = stores["purchase"]
    assert main(["--db", f"sqlite:///{path}", "status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "This store is a purchase log, dated 1997-01-01 to 1998-06-30."
    assert any(line.split()[:1] == ["purchases"] and "69,659" in line and "1997-01-01 to 1998-06-30" in line
               for line in out)
