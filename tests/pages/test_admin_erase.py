"""The Admin page's erasure and retention policy (issue 22, Deliver 5), on a small hand-made store of two customers
with revenue and dated verbatims: erasing a customer first says what it removes (the counts computed here with SQL
over every table with a customer id), then removes them everywhere, audited; the retention policy is saved (audited,
shown with who set it when), says what applying it would change (computed here with pandas), and is applied
(audited, its last application shown). A refusal is one message and changes nothing."""

import json
import sqlite3

import pandas as pd
import pytest

import core
from core.access import users as accounts
from core.cli.main import main
from tests.pages import plain_words as pw
from tests.pages.admin_store import PASSWORD, open_admin, point, sql

FILES = {
    "customers": "customer_id,name,signup_date,churn_date,segment\n"
                 "A,Acme Ltd,2023-01-01,2023-06-30,SMB\nB,Bolt GmbH,2023-02-01,,Enterprise\n",
    "revenue": "customer_id,period,mrr\n" + "".join(f"A,2023-{m:02d}-01,100\n" for m in range(1, 7))
               + "".join(f"B,{p.strftime('%Y-%m')}-01,250\n" for p in pd.period_range("2023-02", "2024-06", freq="M")),
    "feedback": "customer_id,date,channel,score,text\nA,2023-03-01,nps,3,Too slow for us\n"
                "B,2023-04-01,nps,9,Great support\nB,2024-06-01,nps,8,Fine so far\n,,review,5,Lovely\n",
}


def build(folder) -> str:
    """Two customers, their revenue and verbatims (one undated, without a customer), imported by the local admin;
    then root (admin) and vic (viewer)."""
    url = f"sqlite:///{folder / 'store.db'}"
    for kind, text in FILES.items():
        path = folder / f"{kind}.csv"
        path.write_text(text)
        assert main(["--db", url, "import", str(path), "--kind", kind]) == 0
    engine = core.make_engine(url)
    accounts.add(engine, "root", "admin", PASSWORD)
    accounts.add(engine, "vic", "viewer", PASSWORD)
    engine.dispose()
    return url


@pytest.fixture
def store(tmp_path, monkeypatch):
    return point(monkeypatch, build(tmp_path))


def _holding(url: str, cid: str) -> dict[str, int]:
    """Rows per table that name ``cid`` (every table with a customer id column), from sqlite's own schema."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for t in tables:
            if "customer_id" in [c[1] for c in con.execute(f'PRAGMA table_info("{t}")')]:
                out[t] = con.execute(f'SELECT count(*) FROM "{t}" WHERE customer_id = ?', (cid,)).fetchone()[0]
        return out
    finally:
        con.close()


def _last_entry(url: str) -> tuple:
    user, action, target, detail = sql(url, 'SELECT "user", action, target, detail FROM auditentry '
                                            "ORDER BY id DESC LIMIT 1")[0]
    return user, action, target, json.loads(detail or "{}")


def _ask_erase(at, cid: str, reason: str):
    at.text_input(key="admin_erase_id").input(cid)
    at.text_input(key="admin_erase_reason").input(reason).run()  # the button is enabled once both are given
    at.button(key="admin_erase").click().run()
    assert not at.exception, at.exception
    return at


def test_erasing_a_customer_says_what_goes_then_removes_it_everywhere(store):
    held = _holding(store, "A")
    assert held["customer"] == 1 and held["revenue"] == 6 and held["feedback"] == 1
    at = _ask_erase(open_admin(store, "root"), "A", "erasure request")
    words = {"customer": "customer record", "revenue": "revenue rows", "feedback": "feedback verbatims"}
    parts = [f"{n} {words[t]}" for t, n in held.items() if n]
    assert len(parts) == 3  # only these tables hold A
    head, tail = ("Erase customer A? This removes ", " from the store, and takes them out of any saved review "
                  "snapshot. It cannot be undone.")
    assert len(at.warning) == 1 and at.warning[0].value.startswith(head) and at.warning[0].value.endswith(tail)
    listed = at.warning[0].value[len(head):-len(tail)]
    assert sorted(listed.replace(" and ", ", ").split(", ")) == sorted(parts)
    assert _holding(store, "A") == held  # nothing yet
    assert pw.findings(pw.collect(at)) == []  # the confirmation in plain words
    at.button(key="admin_erase_confirm").click().run()
    assert not at.exception and not at.error
    assert set(_holding(store, "A").values()) == {0}
    assert _holding(store, "B")["customer"] == 1
    user, action, target, detail = _last_entry(store)
    assert (user, action, detail["reason"]) == ("root", "erase customer", "erasure request")
    assert [s.value for s in at.success] == [f"Erased the customer: {sum(held.values())} rows removed."]
    assert pw.findings(pw.collect(at)) == []  # the erasure's audit entry in plain words


def test_erasing_needs_an_id_and_a_reason_and_an_unknown_id_changes_nothing(store):
    at = open_admin(store, "root")
    assert at.button(key="admin_erase").disabled
    at.text_input(key="admin_erase_id").input("A").run()
    assert at.button(key="admin_erase").disabled  # no reason yet
    before = sql(store, "SELECT count(*) FROM auditentry")
    _ask_erase(at, "ZZZ", "erasure request")
    assert [e.value for e in at.error] == ["There is no customer ZZZ in this store: nothing to erase."]
    assert not at.warning and sql(store, "SELECT count(*) FROM auditentry") == before


def _set_policy(at, months, days):
    at.number_input(key="admin_retention_months").set_value(months)
    at.number_input(key="admin_retention_days").set_value(days)
    at.button[[b.label for b in at.button].index("Save the policy")].click().run()
    assert not at.exception, at.exception
    return at


def test_the_retention_policy_is_saved_previewed_and_applied(store):
    at = open_admin(store, "root")
    assert at.info[-1].value == "No retention policy is set: verbatim text and contact details are kept."
    assert "The policy was never applied to this store." in [c.value for c in at.caption]
    assert not any(b.key == "admin_retention_apply" for b in at.button)  # nothing to apply yet
    _set_policy(at, 12, 30)
    row = sql(store, "SELECT verbatim_months, contact_days, user, at FROM retentionpolicy ORDER BY id DESC")[0]
    assert row[:3] == (12, 30, "root")
    user, action, _, detail = _last_entry(store)
    assert (user, action, detail["after"]) == ("root", "set retention policy",
                                               {"verbatim_months": 12, "contact_days": 30})
    assert at.info[-1].value == ("Verbatim text older than 12 months is masked; contact details are cleared 30 days "
                                 f"after churn (set by root on {row[3][:16]} UTC).")
    preview = [w.value for w in at.warning if w.value.startswith("Applied now")]
    assert len(preview) == 1
    today = pd.Timestamp(preview[0].split("ages counted from ")[1][:10])
    fb = pd.read_sql("SELECT date, text FROM feedback", sqlite3.connect(store.removeprefix("sqlite:///")),
                     parse_dates=["date"])
    masked = int((fb["date"] < today - pd.DateOffset(months=12)).sum())
    cust = pd.read_sql("SELECT churn_date, name FROM customer", sqlite3.connect(store.removeprefix("sqlite:///")),
                       parse_dates=["churn_date"])
    cleared = int(((cust["churn_date"] <= today - pd.Timedelta(days=30)) & cust["name"].notna()).sum())
    undated = int((fb["date"].isna() & fb["text"].notna()).sum())
    assert (masked, cleared, undated) == (2, 1, 1)  # the figures below mean something
    assert preview[0] == (f"Applied now (ages counted from {today:%Y-%m-%d}), the policy masks {masked} feedback "
                          f"verbatims and 0 ticket texts, clears the contact details of {cleared} customer and "
                          f"redacts 0 saved review snapshots; {undated} verbatim without a date is kept.")
    at.button(key="admin_retention_apply").click().run()
    assert not at.exception and not at.error
    assert sql(store, "SELECT name FROM customer WHERE customer_id = 'A'") == [(None,)]
    kept = sql(store, "SELECT text FROM feedback ORDER BY id")
    assert [t for (t,) in kept].count("Fine so far") == 1 and "Too slow for us" not in [t for (t,) in kept]
    user, action, _, detail = _last_entry(store)
    assert (user, action, detail["feedback verbatims masked"]) == ("root", "apply retention policy", masked)
    stamp = sql(store, "SELECT at FROM auditentry ORDER BY id DESC LIMIT 1")[0][0]
    assert f"Last applied by root on {stamp[:16]} UTC: {masked} feedback verbatims and 0 ticket texts masked, the " \
           f"contact details of {cleared} customer cleared, 0 review snapshots redacted." in [c.value for c in
                                                                                             at.caption]
    assert pw.findings(pw.collect(at)) == []  # the policy, its application and the trail in plain words


def test_a_policy_with_both_parts_off_is_saved_and_offers_no_apply(store):
    at = open_admin(store, "root")
    before = sql(store, "SELECT count(*) FROM retentionpolicy")
    at.number_input(key="admin_retention_days").set_value(None)
    at.number_input(key="admin_retention_months").set_value(None)
    at.button[[b.label for b in at.button].index("Save the policy")].click().run()
    assert not at.exception
    assert sql(store, "SELECT count(*) FROM retentionpolicy") == [(before[0][0] + 1,)]  # an all-off policy is a policy
    assert at.info[-1].value.startswith("Verbatim text is kept; contact details are kept (set by root on")
    assert not any(b.key == "admin_retention_apply" for b in at.button)
