"""AppTest of the Health scores page on a purchase log (the CDNOW log's published 1/10 sample, imported as
tests/pages/store_kinds.py builds kind "cdnow_sample"; churn by the lapse rule). The back-test's ROC-AUC equals
sklearn's on the rows the page scores and is above 0.5 (it read 0.368: an idle buyer's "flat" usage trend outscored
young idle buyers); red against green equals the band churn rates (in words where green has no churner, never "–"); a
store without recurring revenue says so instead of "$0" and an empty chart; a customer without a segment reads
"(adoption stage)", not "(None, adoption stage)". Buyers have no renewals: Purchase recency (days since the last
purchase against the lapse period) is scored in place of Renewal proximity, which the page says has no data and why. The
back-test counts churn within the lapse period N, so every buyer can churn within it."""

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import core
from core.export import units
from core.health import backtest as hb
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> str:
    return sk.build("cdnow_sample", tmp_path_factory.mktemp("health_cdnow"))


@pytest.fixture(scope="module")
def page(url):
    with pytest.MonkeyPatch.context() as mp:
        yield open_page(mp, url, "health_scores", timeout=300)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _backtest_rows(url):
    """The page's back-test rows (its saved configuration) and whether each churned within the horizon, judged from
    the customers' churn dates here."""
    engine = core.make_engine(url)
    cfg, _ = hs.current_config(engine)  # the version the page saved
    inputs = load_inputs(engine)
    data = hb.backtest_data(inputs, 12)
    churn = inputs.customers.set_index(inputs.customers["customer_id"].astype(str))["churn_date"]
    rows = hb.evaluate(cfg, data).rows
    end = rows["cutoff"] + pd.Timedelta(days=data.horizon_days)
    d = churn.reindex(rows["customer_id"]).to_numpy()
    churned = ((d > rows["cutoff"].to_numpy()) & (d <= end.to_numpy())).astype(int)
    return rows, churned, data, inputs


def test_the_back_test_auc_equals_sklearn_on_the_same_rows_and_beats_chance(page, url):
    rows, churned, _, _ = _backtest_rows(url)
    auc = roc_auc_score(churned, -rows["score"])
    assert _metric(page, "Back-test ROC-AUC") == units.score(auc)
    assert auc > 0.6


def test_red_against_green_equals_the_band_churn_rates(page, url):
    """Red's churn rate over green's, from the rows; in words where green has no churner (core/health/backtest.py
    red_green_text, tested on its own), never "–"."""
    rows, churned, _, _ = _backtest_rows(url)
    rate = pd.Series(churned).groupby(rows["band"].to_numpy()).mean()
    green = rate.get("green", float("nan"))
    shown = _metric(page, "Red churns ... x green")
    if green > 0:
        assert shown == units.multiple(rate["red"] / green)
    else:
        assert shown in ("no green customer churned", "no customer in green")


def test_no_recurring_revenue_is_said_instead_of_zero_mrr(page):
    assert "MRR in red" not in [m.label for m in page.metric]
    assert any("have no recurring revenue" in e.value for e in page.info)
    assert any("the customers shown have no recurring revenue" in e.value for e in page.caption)


def test_a_customer_without_a_segment_shows_no_none(page):
    line = next(e.value for e in page.tabs[2].markdown if "stage): health" in e.value)
    assert "None" not in line and ("(adoption stage)" in line or "(onboarding stage)" in line)


def test_purchase_recency_is_scored_in_place_of_renewal_proximity(page, url):
    """A buyer without a contract has no renewal: the page scores Purchase recency (0 days since the last purchase
    = 100 points, the lapse period N = 0), says why Renewal proximity has no data, and the default configuration
    gives purchase recency the renewal weight."""
    engine = core.make_engine(url)
    cfg, _ = hs.current_config(engine)
    n = load_inputs(engine).lapse.days
    assert cfg.rules["recency"] == {"kind": "linear", "worst": n, "best": 0}
    editor = page.data_editor[0].value.set_index("measure")
    for stage in h.STAGES:
        assert editor.at["Purchase recency", stage] == h.DEFAULT_WEIGHTS[stage]["renewal"]
        assert editor.at["Renewal proximity", stage] == 0
    assert any("Renewal proximity (buyers without a contract have no renewals" in c.value for c in page.caption)
    parts = next(d.value for d in page.dataframe if "contribution" in d.value.columns).set_index("measure")
    assert parts.at["Purchase recency", "status"] == "used" and parts.at["Renewal proximity", "status"] == "no data"
    # the customer shown: its recency points from the raw file, by hand
    pick = page.selectbox(key="health_pick").value
    raw = sk.cdnow_sample_raw()
    days = (raw["date"].max() - raw.loc[raw["customer_id"] == pick, "date"].max()).days
    assert 0 <= days < n  # an active buyer bought within the lapse period
    assert parts.at["Purchase recency", "points"] == pytest.approx(100 * (1 - days / n), abs=1e-9)


def test_the_back_test_judges_every_buyer_within_the_lapse_period(page, url):
    """The back-test counts churn within N days of a month end (a buyer lapses N days after the last purchase at the
    earliest, so with a 90-day horizon every buyer of the last 120 days was a stayer by definition and the ROC-AUC,
    0.911, mostly restated recency); purchase recency still ranks the buyers who lapse (0.698 with renewal
    proximity at 90 days)."""
    rows, churned, data, inputs = _backtest_rows(url)
    assert data.horizon_days == inputs.lapse.days == 210
    assert any(f"for {data.horizon_days} days" in c.value for c in page.caption)
    auc = roc_auc_score(churned, -rows["score"])
    assert _metric(page, "Back-test ROC-AUC") == units.score(auc)
    assert auc > 0.65


def test_a_configuration_saved_before_purchase_recency_gets_its_default_weight(url):
    """A version saved before Purchase recency existed (no weight for it in any stage) on a purchase log: the page
    says so plainly and shows it with Purchase recency at its default weight (each stage's renewal weight as saved),
    not 0; saving it keeps that weight. The versions are added to the module's store and taken out afterwards (a
    configuration is read fresh and is no import, so the page's health measures of this store are reused, not built
    again for a copy)."""
    import datetime as dt

    from sqlalchemy import delete
    from sqlmodel import Session

    from core.store.tables import HealthConfigVersion

    engine = core.make_engine(url)
    old = h.default_config().to_dict()  # as an older workbench saved its default: no rule and no weight for
    old["rules"].pop("recency")         # purchase recency, renewal weighted as for a contract
    old["weights"] = {s: {k: w for k, w in h.DEFAULT_WEIGHTS[s].items() if k != "recency"} for s in h.STAGES}
    before = hs.versions(engine)
    with Session(engine) as s:
        s.add(HealthConfigVersion(created_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC), author="old workbench",
                                  reason="saved before purchase recency", parent=None, config=old))
        s.commit()
    v = int(hs.versions(engine)["version"].iloc[0])
    try:
        with pytest.MonkeyPatch.context() as mp:
            at = open_page(mp, url, "health_scores", timeout=300)
            assert at.selectbox(key="health_version").value == v
            note = next(i.value for i in at.info if "saved before the Purchase recency measure existed" in i.value)
            assert note.startswith(f"Configuration v{v} was saved before")
            editor = at.data_editor[0].value.set_index("measure")
            for stage in h.STAGES:
                assert editor.at["Purchase recency", stage] == h.DEFAULT_WEIGHTS[stage]["renewal"]
                assert editor.at["Renewal proximity", stage] == 0
            parts = next(d.value for d in at.dataframe if "contribution" in d.value.columns).set_index("measure")
            assert parts.at["Purchase recency", "status"] == "used" and parts.at["Purchase recency", "contribution"] > 0
            at.text_input(key="health_edit_author").input("Dana")
            at.text_input(key="health_edit_reason").input("keep purchase recency")
            at.button[[b.label for b in at.button].index("Save as a new version")].click().run()
            assert not at.exception, at.exception
            saved = hs.load_config(engine, v + 1)
            assert [saved.weights[s]["recency"] for s in h.STAGES] == [h.DEFAULT_WEIGHTS[s]["renewal"]
                                                                        for s in h.STAGES]
            assert not any("saved before the Purchase recency" in i.value for i in at.info)
    finally:  # the module's other tests read the store as it was
        with engine.begin() as conn:
            conn.execute(delete(HealthConfigVersion).where(HealthConfigVersion.version >= v))
        assert hs.versions(engine).equals(before)
        engine.dispose()
