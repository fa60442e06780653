"""AppTest of the Churn drivers page on a purchase log (the CDNOW log's published 1/10 sample, built as
tests/pages/store_kinds.py builds kind "cdnow_sample"): churn is "no purchase within N days", N proposed with its reason
and editable; the horizon defaults to N (every active buyer can lapse within it) and follows it; the page shows churners
and a model (before: "The training rows have 0 churners"), says why a shorter horizon inflates the ROC-AUC, and a
Lifetime value tab. Its figures equal pandas computations from the raw file."""

import json
import re

import pandas as pd
import pytest

from core.buyers import clv
from core.export import units
from tests.pages import store_kinds
from tests.pages.conftest import open_page
from tests.pages.shown import display_values
from ui.churn.tables import CODE_NAME

END = pd.Timestamp("1998-06-30")


@pytest.fixture(scope="module")
def raw(shared) -> pd.DataFrame:
    """The CDNOW master log read with pandas alone (``customer_id, date, qty, amount``)."""
    return store_kinds.cdnow_sample_raw().rename(columns={"number_of_cds": "qty", "dollar_value": "amount"})


@pytest.fixture(scope="module")
def cdnow_url(shared, tmp_path_factory) -> str:
    return store_kinds.build("cdnow_sample", tmp_path_factory.mktemp("cdnow_page"))


@pytest.fixture(scope="module")
def page(cdnow_url):
    with pytest.MonkeyPatch.context() as mp:
        yield open_page(mp, cdnow_url, "churn_drivers", timeout=300)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _lapsed(raw: pd.DataFrame, n: int) -> pd.Series:
    """Customer -> lapse churn date (NaT while the customer may still buy), from the raw purchases."""
    churn = raw.groupby("customer_id")["date"].max() + pd.Timedelta(days=n)
    return churn.where(churn <= END)


def _test_cutoff(horizon: int) -> pd.Timestamp:
    """The held-out cutoff: the last day of the data minus the horizon (its horizon has passed)."""
    return END - pd.Timedelta(days=horizon)


def _held_out(raw: pd.DataFrame, n: int, cutoff: pd.Timestamp, horizon: int = 90) -> tuple[int, int]:
    """(buyers active on the test cutoff: a purchase in the n days up to it; those who lapse within the horizon
    after it: some day of it with no purchase in the n days up to that day), on a day grid of the raw purchases."""
    start = cutoff - pd.Timedelta(days=n)
    grid = pd.date_range(start, cutoff + pd.Timedelta(days=horizon))
    seen = raw[(raw["date"] > start) & (raw["date"] <= grid[-1])]
    bought = pd.crosstab(seen["customer_id"], seen["date"]).reindex(columns=grid, fill_value=0) > 0
    window = bought.T.rolling(n, min_periods=1).sum().T  # purchase days in the n days up to each day
    active = window[cutoff] > 0
    lapsed = (window.loc[active, grid > cutoff] == 0).any(axis=1)
    return int(active.sum()), int(lapsed.sum())


def _card(at) -> str:
    return next(md.value for md in at.markdown if md.value.startswith("**Churn model v"))


def test_the_page_proposes_n_and_shows_churners_and_a_model(page, raw):
    at = page
    assert not at.exception and not at.error
    box = at.number_input(key="churn_lapse_days_210")
    assert box.value == 210 and box.label == "Churned after this many days without a purchase"
    days = raw.assign(day=raw["date"].dt.normalize()).drop_duplicates(["customer_id", "day"])
    gaps = len(days) - days["customer_id"].nunique()  # each customer's purchase days but the first (4,339)
    assert any(c.value.startswith(f"Proposed: 210 days. 90% of the {gaps:,} gaps") for c in at.caption)
    assert _metric(at, "Customers scored") == f"{int(_lapsed(raw, 210).isna().sum()):,}"  # the buyers still buying
    control = at.segmented_control(key="churn_horizon_210")  # the horizon follows N
    assert control.proto.label == "Churn within" and control.value == 210
    assert [o.content for o in control.proto.options] == ["30 days", "60 days", "90 days", "180 days", "210 days"]
    rows, churners = _held_out(raw, 210, _test_cutoff(210), horizon=210)  # was 1998-04-01 and 90 days
    card = _card(at)
    assert "churn within 210 days of a cutoff" in card
    one = END - pd.Timedelta(days=2 * 210)  # the only training cutoff: its horizon ends on the test cutoff
    assert any(f"out of time: trained on 1 cutoff, {one:%Y-%m-%d}, tested on {_test_cutoff(210):%Y-%m-%d}" in c.value
               for c in at.caption)
    assert not any("is inflated" in w.value for w in at.warning)  # every active buyer can lapse within N
    assert f"{rows:,} held out ({churners:,} churners)" in card and churners > 100
    assert "no purchase follows the last one within 210 days" in card
    assert "a purchase log has no renewals" in card  # days_to_renewal is left out, with why
    assert not any(d.value[CODE_NAME].eq("days_to_renewal").any() for d in at.dataframe if CODE_NAME in d.value)
    assert any(CODE_NAME in d.value for d in at.dataframe)  # the drivers table keeps the column names
    assert any(c.value.startswith("Defaults: a save is worth the buyers") for c in at.caption)
    assert at.number_input(key="churn_value").value < 1000  # a buyer's 12-month revenue, not the round 1,000
    auc = float(_metric(at, "Held-out ROC-AUC"))
    assert 0.7 < auc < 1.0
    assert len(at.tabs) == 7 and at.tabs[6].label == "Lifetime value"


def test_a_shorter_lapse_period_refits(page, raw):
    at = page
    at.number_input(key="churn_lapse_days_210").set_value(120).run()
    assert not at.exception
    assert _metric(at, "Customers scored") == f"{int(_lapsed(raw, 120).isna().sum()):,}"
    assert at.segmented_control(key="churn_horizon_120").value == 120  # the horizon follows the new N
    rows, churners = _held_out(raw, 120, _test_cutoff(120), horizon=120)  # was 1998-04-01 and 90 days
    assert f"{rows:,} held out ({churners:,} churners)" in _card(at)
    assert any("churn = no purchase within 120 days" in c.value for c in at.caption)
    at.number_input(key="churn_lapse_days_210").set_value(210).run()  # back to the proposal for the next test
    assert not at.exception


def _could_lapse(raw: pd.DataFrame, n: int, horizon: int) -> tuple[int, int]:
    """(held-out buyers who could lapse within the horizon: active on the test cutoff with a last purchase at least
    N - H days before it; all held-out buyers), from the raw purchases."""
    cutoff = _test_cutoff(horizon)
    last = raw[raw["date"] <= cutoff].groupby("customer_id")["date"].max()
    recency = (cutoff - last).dt.days
    active = recency < n
    return int((active & (recency >= n - horizon)).sum()), int(active.sum())


def test_a_horizon_shorter_than_n_says_why_the_auc_is_inflated(page, raw):
    at = page
    at.segmented_control(key="churn_horizon_210").set_value(90).run()
    assert not at.exception
    headline = _metric(at, "Held-out ROC-AUC")
    could, everyone = _could_lapse(raw, 210, 90)
    _, churners = _held_out(raw, 210, _test_cutoff(90), horizon=90)
    shown = [w.value for w in at.warning if "is inflated" in w.value]
    assert len(shown) == 2  # above the tabs and on the Validation tab
    assert shown[0].startswith(f"The held-out ROC-AUC of {headline} is inflated: churn here is no purchase within "
                               "210 days, so a buyer whose last purchase was fewer than 120 days before the cutoff "
                               "cannot lapse within 90 days")
    assert (f"Among the {could:,} of {everyone:,} held-out buyers who could lapse within 90 days ({churners:,} "
            "churners) the ROC-AUC is 0.") in shown[0]
    assert "**Held-out ROC-AUC among buyers who could lapse within 90 days**" in _card(at)
    at.segmented_control(key="churn_horizon_210").set_value(210).run()  # back to N for the next test
    assert not at.exception and not any("is inflated" in w.value for w in at.warning)


def test_the_lifetime_value_tab(page, raw):
    at = page
    fit, table = clv.buyer_values(raw[["customer_id", "date", "amount"]])  # from the file, not the store
    assert _metric(at, "Buyers valued") == f"{raw['customer_id'].nunique():,}"
    assert _metric(at, "Lifetime value, 12 months") == f"${table['clv'].sum():,.0f}"
    assert _metric(at, "Expected purchases, 90 days") == f"{table['expected_purchases'].sum():,.0f}"
    repeat = table.loc[table["frequency"] > 0, "p_alive"].median()
    assert _metric(at, "Repeat buyers still buying (median chance)") == f"{repeat * 100:.1f}%"
    shown = next(d.value for d in at.dataframe if "clv" in d.value.columns)
    assert len(shown) == len(table)
    assert shown["clv"].iloc[0] == pytest.approx(table["clv"].iloc[0])
    caption = next(c.value for c in at.caption if c.value.startswith("BG/NBD"))
    assert f"r {fit.params['r']:.3f}" in caption and "lifetimes 0.11.3" in caption
    assert any(b.label == "Download lifetime values (CSV)" for b in at.get("download_button"))
    check = next(md.value for md in at.markdown if md.value.startswith("**Checked on a hold-out:**"))
    assert re.search(r"buyers made [\d,]+ \([+-]\d+\.\d%\)", check)
    # counts with thousands separators, money with "$" and separators, every share with one decimal (a grid percent
    # without a step trims its decimals and mixes "98%" with "99.57%")
    configs = {}
    for d in at.dataframe:
        configs.update({k: v["type_config"] for k, v in json.loads(d.proto.columns).items() if "type_config" in v})
    assert configs["customers"]["format"] == "localized"
    assert all(configs[c]["format"] == "localized" for c in ("purchase_days", "recency_days", "age_days"))
    assert all(configs[c]["format"] == "$%,.2f" for c in ("spend_per_purchase", "expected_value_per_purchase", "clv"))
    assert configs["p_alive"]["format"] == "percent" and configs["p_alive"]["step"] == 0.001  # a bar: it rounds
    holdout = next(d for d in at.dataframe if "error" in d.value.columns)
    assert configs["error"] == {"type": "number"}  # written by the unit formatter: rounded, one decimal
    assert display_values(holdout)["error"].tolist() == [units.percent(x) for x in holdout.value["error"]]
