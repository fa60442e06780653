"""Id spaces: a purchase log from one source (ids 1..100), then a file from another source whose ids 50..150
overlap it. Without a choice nothing loads; attach joins the 51 shared ids; separate makes 101 new customers with
prefixed ids. Files of the same source, and files that refer to the customer list, need no choice."""

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event, select

import core
from core.ingest import id_spaces
from core.ingest.wording import speaking
from core.store.engine import table_counts
from core.store.tables import ImportLog


def purchase_log(ids, seed: int) -> pd.DataFrame:
    """One to four purchases per id in 1997-1998 (seeded)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 5, len(ids))
    cid = np.repeat(np.asarray(ids), n)
    days = pd.Timestamp("1997-01-01") + pd.to_timedelta(rng.integers(0, 540, len(cid)), unit="D")
    return pd.DataFrame({"customer_id": cid.astype(str), "date": days.strftime("%Y-%m-%d"),
                         "amount": rng.integers(5, 200, len(cid)).astype(float), "quantity": 1})


def as_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def purchases_per_customer(engine) -> pd.Series:
    with engine.connect() as conn:
        rows = pd.read_sql("SELECT customer_id, COUNT(*) AS n FROM activity GROUP BY customer_id", conn)
    return rows.set_index("customer_id")["n"].sort_index()


A = purchase_log(range(1, 101), seed=1)
B = purchase_log(range(50, 151), seed=2)


@pytest.fixture
def store(engine):
    core.commit_import(engine, core.prepare_import(engine, as_csv(A), "cdnow.txt", "transactions"))
    return engine


def test_a_file_matching_another_sources_customers_is_refused_with_both_choices(store):
    before = table_counts(store)
    plan = core.prepare_import(store, as_csv(B), "retail.csv", "transactions")
    shared = len(set(A["customer_id"]) & set(B["customer_id"]))  # independently: 50..100
    assert shared == 51 and plan.id_spaces.n_other == shared and plan.id_spaces.needs_choice
    with pytest.raises(core.DataValidationError) as err:
        core.commit_import(store, plan)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("Nothing was loaded: 51 of 101 ids match customers created by import #1 (cdnow.txt)")
    assert "--attach" in msg and "--separate" in msg and "'retail:ID'" in msg
    assert table_counts(store) == before
    with speaking("page"), pytest.raises(core.DataValidationError, match="'These are the same customers'.*"
                                                                         "'Keep them separate'"):
        core.commit_import(store, plan)


def test_attach_joins_the_shared_ids_to_the_first_sources_customers(store):
    plan = core.prepare_import(store, as_csv(B), "retail.csv", "transactions", id_space="attach")
    assert "51 of 101 ids match" in plan.id_spaces.summary() and "attached" in plan.id_spaces.summary()
    res = core.commit_import(store, plan)
    expected = pd.concat([A, B]).groupby("customer_id").size().sort_index()  # independent: ids as they are
    assert res.customers_created == len(set(B["customer_id"]) - set(A["customer_id"])) == 50
    assert purchases_per_customer(store).to_dict() == expected.to_dict()
    assert table_counts(store)["customer"] == 150


def test_separate_creates_prefixed_customers_and_leaves_the_first_sources_alone(store):
    before = purchases_per_customer(store)
    plan = core.prepare_import(store, as_csv(B), "retail.csv", "transactions", id_space="separate")
    res = core.commit_import(store, plan)
    assert res.customers_created == B["customer_id"].nunique() == 101
    after = purchases_per_customer(store)
    assert after[before.index].to_dict() == before.to_dict() == A.groupby("customer_id").size().to_dict()
    mine = after.drop(before.index)
    assert mine.to_dict() == B.groupby("customer_id").size().rename(lambda c: f"retail:{c}").to_dict()
    assert table_counts(store)["customer"] == 201
    with store.connect() as conn:
        options = conn.execute(select(ImportLog.mapping).where(ImportLog.id == res.import_id)).scalar()["options"]
    assert (options["source"], options["id_space"]) == ("retail", "separate")


def test_the_same_sources_next_file_needs_no_choice(store):
    more = purchase_log(range(80, 121), seed=3)
    plan = core.prepare_import(store, as_csv(more), "cdnow.txt", "transactions")  # same stem, other content
    assert not plan.id_spaces.needs_choice and plan.id_spaces.own == 21
    assert core.commit_import(store, plan).customers_created == 20
    named = core.prepare_import(store, as_csv(purchase_log(range(1, 5), seed=4)), "cdnow_1998.csv",
                                "transactions", source="CDNOW")
    assert named.id_spaces.source == "cdnow" and not named.id_spaces.needs_choice
    core.commit_import(store, named)


def test_a_source_kept_separate_stays_separate(store):
    core.commit_import(store, core.prepare_import(store, as_csv(B), "retail.csv", "transactions",
                                                  id_space="separate"))
    later = purchase_log(range(140, 161), seed=5)
    plan = core.prepare_import(store, as_csv(later), "retail.csv", "transactions")
    assert plan.id_spaces.choice == "separate" and plan.id_spaces.remembered and plan.id_spaces.own == 11
    assert core.commit_import(store, plan).customers_created == 10  # retail:151..160
    both = (B["customer_id"] == "150").sum() + (later["customer_id"] == "150").sum()
    assert purchases_per_customer(store)["retail:150"] == both and "150" not in purchases_per_customer(store)


def test_a_choice_at_commit_attach_loads_the_plan_as_prepared_separate_needs_a_new_plan(store):
    plan = core.prepare_import(store, as_csv(B), "retail.csv", "transactions")
    with pytest.raises(core.DataValidationError, match="prepare it again with 'separate'"):
        core.commit_import(store, plan, id_space="separate")
    assert core.commit_import(store, plan, id_space="attach").customers_created == 50


def test_a_customers_file_that_creates_customers_is_asked_too(store):
    crm = as_csv(pd.DataFrame({"customer_id": [str(i) for i in range(90, 111)], "segment": "SMB"}))
    assert core.prepare_import(store, crm, "crm.csv", "customers").id_spaces.n_other == 11
    plan = core.prepare_import(store, crm, "crm.csv", "customers", id_space="separate")
    assert plan.n_errors == 0
    assert core.commit_import(store, plan).tables["customer"] == 21
    assert table_counts(store)["customer"] == 121


def test_files_that_refer_to_the_customer_list_attach_without_a_choice(engine):
    core.commit_import(engine, core.prepare_import(
        engine, as_csv(pd.DataFrame({"customer_id": [str(i) for i in range(1, 101)]})), "crm.csv", "customers"))
    plan = core.prepare_import(engine, as_csv(B), "shop.csv", "transactions")
    assert not plan.id_spaces.needs_choice and plan.id_spaces.listed == 51
    assert core.commit_import(engine, plan).customers_created == 50
    tickets = b"ticket_id,customer_id,opened\nT1,3,2024-01-02 10:00\n"  # creates no customers: never asked
    assert not core.prepare_import(engine, tickets, "desk.csv", "tickets").id_spaces.applies


def test_the_match_is_one_query_whatever_the_number_of_ids(store):
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(store, "before_cursor_execute", listen)
    try:
        with store.connect() as conn:
            found = id_spaces.check(conn, B["customer_id"], "retail", applies=True, choice=None)
    finally:
        event.remove(store, "before_cursor_execute", listen)
    # the match, and whether the source kept its ids separate before: two queries, not one per id
    assert len(statements) == 2 and found.n_other == 51 and found.n_ids == 101


def test_source_names_and_prefixes():
    assert id_spaces.source_name("Online Retail.xlsx") == "online_retail"
    assert id_spaces.source_name("x.csv", " Retail ") == "retail"
    ids = pd.Series(["1", None, "2"], dtype=object)
    assert id_spaces.prefixed(ids, "retail").tolist() == ["retail:1", None, "retail:2"]
    with pytest.raises(core.DataValidationError, match="Choose attach or separate"):
        id_spaces.check(None, ids, "r", applies=True, choice="merge")
