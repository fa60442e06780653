"""The Intervention ROI page (and ``python -m core roi --next-wave``) on a small store: plays with few held-out
contacts. The uplift model is cross-fitted in fewer folds when a kind of contact (held out or treated, retained or
not) has fewer than 5, and when one has fewer than 2 the page says, in plain words and not as an error, how many
there are, how many are needed and what to import.

The store is generated here and imported as on the Data page (customers with churn dates, their monthly MRR, and the
contacts); the counts are checked against pandas on the generated frames.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

import core
from core.cli.main import main
from tests.pages.conftest import open_page, rerun

PAGE = "intervention_roi"
CONTACT_DAY, WINDOW = pd.Timestamp("2025-03-03"), 90
#: play -> (treated churned, treated kept, held out churned, held out kept) within the window
PLAYS = {"Small save call": (20, 20, 3, 3), "Tiny nudge": (20, 20, 1, 6)}


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Customers (one per contact; a churner leaves 30 days after the contact, well within the window), their MRR
    month by month from January 2024 to the churn month (or December 2025), and the contacts."""
    customers, contacts = [], []
    for p, (play, sizes) in enumerate(PLAYS.items()):
        for arm, churned, n in (("treatment", True, sizes[0]), ("treatment", False, sizes[1]),
                                ("holdout", True, sizes[2]), ("holdout", False, sizes[3])):
            for _ in range(n):
                cid = f"S{p}{len(customers):03d}"
                churn = CONTACT_DAY + pd.Timedelta(days=30) if churned else pd.NaT
                customers.append((cid, "SMB" if len(customers) % 2 else "Enterprise", "2024-01-01", churn))
                contacts.append((cid, play, CONTACT_DAY, arm, 5.0 if arm == "treatment" else 0.0))
    cust = pd.DataFrame(customers, columns=["customer_id", "segment", "signup_date", "churn_date"])
    mrr = [(c.customer_id, m.strftime("%Y-%m-%d"), 100 + 10 * (i % 7)) for i, c in enumerate(cust.itertuples())
           for m in pd.date_range("2024-01-01", c.churn_date if pd.notna(c.churn_date) else "2025-12-01", freq="MS")]
    return (cust.assign(churn_date=cust["churn_date"].dt.strftime("%Y-%m-%d")),
            pd.DataFrame(mrr, columns=["customer_id", "period", "mrr"]),
            pd.DataFrame(contacts, columns=["customer_id", "play", "date", "group", "cost"]))


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(url, customers, contacts) of the small store, imported as on the Data page."""
    cust, mrr, contacts = _frames()
    url = f"sqlite:///{tmp_path_factory.mktemp('small_roi') / 'store.db'}"
    engine = core.make_engine(url)
    core.init_db(engine)
    for frame, name, kind in ((cust, "customers.csv", "customers"), (mrr, "mrr.csv", "revenue"),
                              (contacts.assign(date=contacts["date"].dt.strftime("%Y-%m-%d")), "plays.csv",
                               "interventions")):
        core.commit_import(engine, core.prepare_import(engine, _csv(frame), name, kind))
    engine.dispose()
    return url, cust, contacts


def _kinds(cust: pd.DataFrame, contacts: pd.DataFrame, play: str) -> pd.Series:
    """Contacts of ``play`` per (arm, retained over the window), from the frames alone."""
    d = contacts[contacts["play"] == play].merge(cust, on="customer_id")
    gone = pd.to_datetime(d["churn_date"]) <= d["date"] + pd.Timedelta(days=WINDOW)
    return d.assign(retained=~gone).groupby(["group", "retained"]).size()


def _page(monkeypatch, url: str, play: str):
    at = open_page(monkeypatch, url, PAGE)
    at.selectbox(key="roi_play").set_value(play)
    return rerun(at)


def _said(at) -> list[str]:
    return [e.value for e in (*at.info, *at.warning, *at.error, *at.markdown)]


def test_a_play_with_few_held_out_contacts_is_cross_fitted_in_fewer_folds(small, monkeypatch):
    url, cust, contacts = small
    kinds = _kinds(cust, contacts, "Small save call")
    folds = int(kinds.min())
    assert folds == 3 and len(kinds) == 4  # 3 held-out contacts churned and 3 kept
    at = _page(monkeypatch, url, "Small save call")
    assert not at.error, [e.value for e in at.error]
    where = at.tabs[3]
    text = " ".join(m.value for m in where.markdown)
    assert f"({folds}-fold cross-fitting, not 5: the play has too few contacts of a kind for more)" in text
    assert not any("Too few" in t for t in _said(at))


def test_a_play_too_small_to_model_says_how_many_there_are_and_what_to_import(small, monkeypatch):
    url, cust, contacts = small
    kinds = _kinds(cust, contacts, "Tiny nudge")
    churned_held_out = int(kinds.loc[("holdout", False)])
    assert churned_held_out == 1
    at = _page(monkeypatch, url, "Tiny nudge")
    assert not at.error, [e.value for e in at.error]
    want = (f"Too few contacts to model uplift: the model is checked in 2 folds on contacts it never saw, so it needs "
            f"at least 2 contacts of each kind, and there is {churned_held_out} held-out contact where Retained is "
            "no. Import more contacts of this play, held-out customers too, on the Data page (or choose a longer "
            "window).")
    for tab in (at.tabs[3], at.tabs[4]):  # Where it works, Next wave
        assert [i.value for i in tab.info if i.value.startswith("Too few")] == [want]
    raw = re.compile(r"\b[A-Z]\w*(Error|Exception)\b|for 5 folds")
    assert not [t for t in _said(at) if raw.search(t)]
    assert any(m.label == "Play effect" for m in at.metric)  # the rest of the page is there


def test_the_cli_next_wave_on_a_small_play(small, capsys):
    url, cust, contacts = small
    assert main(["--db", url, "roi", "--play", "Small save call", "--next-wave", "--budget", "100"]) == 0
    out = capsys.readouterr().out
    folds = int(_kinds(cust, contacts, "Small save call").min())
    assert f"(cross-fitted in {folds} folds, not 5: the play has too few contacts of a kind for more)" in out
    assert main(["--db", url, "roi", "--play", "Tiny nudge", "--next-wave", "--budget", "100"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Too few contacts to model uplift") and "Traceback" not in err
    assert "there is 1 held-out contact where Retained is no" in err and "Data page" in err
