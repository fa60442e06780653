"""The store's saved lapse period (core/buyers/lapse_setting.py): one N for every surface. On a mix (a recurring book
beside the headerless CDNOW sample, tests/pages/store_kinds.py kind "mix"), the proposal applies until an analyst
saves another N; from then on the churn inputs, the Overview (page and ``python -m core overview``) and the review's
assumptions read the saved N, and the buyers' churn dates equal a pandas computation from the raw file. Bad input
saves nothing and leaves the store's version alone."""

import datetime as dt

import pandas as pd
import pytest

import core
from core.buyers import lapse, lapse_setting
from core.cli.main import main
from core.errors import DataValidationError
from core.history.inputs import load_inputs
from core.review import log as review_log
from core.review.snapshot import Snapshot
from core.store import version
from tests.pages import store_kinds

SAVED = 120


@pytest.fixture(scope="module")
def mix(shared, tmp_path_factory):
    url = store_kinds.build("mix", tmp_path_factory.mktemp("lapse_setting_mix"))
    engine = core.make_engine(url)
    yield url, engine
    engine.dispose()


def _sample() -> pd.DataFrame:
    """The headerless CDNOW sample read with pandas alone: customer id (text, as the importer keeps it) and day."""
    raw = pd.read_csv(store_kinds.CDNOW_SAMPLE, sep=r"\s+", header=None, dtype=str)
    return pd.DataFrame({"customer_id": raw[0], "date": pd.to_datetime(raw[2], format="%Y%m%d")})


def _expected_churn(n: int, as_of: pd.Timestamp) -> pd.Series:
    """Each sample buyer's lapse churn date: last purchase + n days, when that day is on or before ``as_of``."""
    churn = _sample().groupby("customer_id")["date"].max() + pd.Timedelta(days=n)
    return churn.where(churn <= as_of)


def test_bad_input_saves_nothing_and_keeps_the_version(engine):
    before = version.current(engine)
    for days, author, reason, words in [(0, "Ana", "why", "whole number of days from 1"),
                                        (2.5, "Ana", "why", "whole number of days from 1"),
                                        (lapse_setting.MAX_DAYS + 1, "Ana", "why", "whole number of days from 1"),
                                        (90, " ", "why", "author field is empty"),
                                        (90, "Ana", "", "reason field is empty")]:
        with pytest.raises(DataValidationError, match=words):
            lapse_setting.save_days(engine, days, author, reason)
    assert lapse_setting.saved(engine) is None and lapse_setting.history(engine).empty
    assert version.current(engine) == before
    assert lapse.store_days(engine) is None and lapse.store_assumption(engine) is None  # no buyers at all


def test_the_proposal_applies_until_an_n_is_saved_then_every_surface_reads_it(mix, capsys):
    url, engine = mix
    proposal = lapse.store_proposal(engine)
    assert lapse.store_days(engine) == proposal.days == 210 != SAVED
    assert lapse.store_assumption(engine)["source"].startswith("proposed from the data: 90% of the")
    inputs = load_inputs(engine)
    as_of = inputs.lapse.as_of
    assert inputs.lapse.days == 210

    before = version.current(engine)
    saved = lapse_setting.save_days(engine, SAVED, " Ana ", "a buyer silent for four months rarely returns")
    assert version.current(engine) != before  # every cached page figure is recomputed
    assert (saved.days, saved.author) == (SAVED, "Ana")
    assert lapse_setting.saved(engine) == saved and lapse_setting.history(engine)["days"].tolist() == [SAVED]
    assert saved.words == (f"Saved for every page: {SAVED} days, by Ana on {saved.created_at:%Y-%m-%d} "
                           "(a buyer silent for four months rarely returns).")
    assert lapse.store_days(engine) == SAVED

    inputs = load_inputs(engine)  # the churn model, Health scores and the review read these
    assert inputs.lapse.days == SAVED and inputs.lapse.as_of == as_of
    got = inputs.customers.set_index("customer_id")["churn_date"]
    want = _expected_churn(SAVED, as_of)
    assert len(want) > 100 and pd.to_datetime(got.reindex(want.index)).equals(want.rename("churn_date"))
    book = got[got.index.str.startswith("B")]  # the recurring book keeps its own churn dates
    own = store_kinds.book()[0].set_index("customer_id")["churn_date"]
    assert pd.to_datetime(book).equals(pd.to_datetime(own.reindex(book.index)).rename("churn_date"))

    assert main(["--db", url, "overview"]) == 0  # the Overview of the mix counts the buyers' lapses with N
    out = capsys.readouterr().out
    assert f"follows their last one within {SAVED} days (the lapse rule)" in out and "within 210 days" not in out

    assumption = lapse.store_assumption(engine)
    assert assumption["days"] == SAVED and assumption["source"].startswith(
        f"saved by Ana on {saved.created_at:%Y-%m-%d}: a buyer silent for four months rarely returns (proposed: 210")
    snap = Snapshot("1998-Q2", dt.date(1998, 6, 30), "x", {}, {"lapse": assumption},
                    pd.DataFrame(columns=["page", "metric", "group", "value", "low", "high", "unit", "text"]))
    row = review_log.used_assumptions(snap).set_index("name").loc["Lapse period (churn = no purchase within N days)"]
    assert (row["value"], row["unit"], row["source"]) == (SAVED, "days", assumption["source"])

    lapse_setting.save_days(engine, 210, "Ana", "back to the proposal")  # a new row; the old one stays
    assert lapse_setting.history(engine)["days"].tolist() == [210, SAVED] and lapse.store_days(engine) == 210
