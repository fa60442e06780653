"""Cohort curves (pages/cohort_curves.py) on a mix (the recurring-revenue book of tests/pages/store_kinds.py beside
the CDNOW sample as a purchase log): the buyers without recurring revenue churn by the lapse rule (no purchase
within N days of the last one), so the survival curve, its summary and the lifetime value the page shows equal a
pandas computation written here from the files, not customers that never leave."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from tests.pages import store_kinds
from tests.pages.conftest import open_page

#: the last day of the mix's data: the CDNOW sample's last purchase and the book's last MRR month (1998-06)
DATA_END = pd.Timestamp("1998-06-30")
MONTH = 30.4375


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    return store_kinds.build("mix", tmp_path_factory.mktemp("mix_cohorts"))


@pytest.fixture(scope="module")
def page(url):
    with pytest.MonkeyPatch.context() as mp:
        yield open_page(mp, url, "cohort_curves", timeout=180)


def purchases() -> pd.DataFrame:
    """The CDNOW sample read with pandas alone: ``customer_id`` (text, as in the file), ``date``."""
    raw = pd.read_csv(store_kinds.CDNOW_SAMPLE, sep=r"\s+", header=None, dtype={0: str, 2: str})
    return pd.DataFrame({"customer_id": raw[0], "date": pd.to_datetime(raw[2], format="%Y%m%d")})


def lapse_days(log: pd.DataFrame) -> int:
    """N: the 90th percentile of the gaps between a buyer's consecutive purchase days, rounded up to whole 30-day
    months (it is over 13 weeks here); a year with fewer than 20 gaps."""
    days = log.drop_duplicates().sort_values(["customer_id", "date"])
    gaps = days.groupby("customer_id")["date"].diff().dropna().dt.days
    assert len(gaps) >= 20
    q = float(np.quantile(gaps, 0.9))
    assert q > 91
    return int(math.ceil(q / 30) * 30)


def customers() -> pd.DataFrame:
    """Every customer of the mix with the churn date it should be read with: the book's own, and for each buyer
    its last purchase plus N days when that is on or before :data:`DATA_END` (else none: it may still buy)."""
    book, _ = store_kinds.book()
    book = pd.DataFrame({"customer_id": book["customer_id"], "signup_date": pd.to_datetime(book["signup_date"]),
                         "churn_date": pd.to_datetime(book["churn_date"])})
    log = purchases()
    n = lapse_days(log)
    span = log.groupby("customer_id")["date"].agg(["min", "max"])
    churn = span["max"] + pd.Timedelta(days=n)
    buyers = pd.DataFrame({"customer_id": span.index, "signup_date": span["min"].to_numpy(),
                           "churn_date": churn.where(churn <= DATA_END).to_numpy()})
    return pd.concat([book, buyers], ignore_index=True)


def kaplan_meier(people: pd.DataFrame) -> pd.Series:
    """Product-limit survival after each event time (months since signup), censored at the as-of day: the latest
    signup or churn date."""
    as_of = max(people["signup_date"].max(), people["churn_date"].max())
    event = people["churn_date"].notna() & (people["churn_date"] <= as_of)
    end = people["churn_date"].where(event, as_of)
    t = (end - people["signup_date"]).dt.days / MONTH
    times = np.sort(t[event].unique())
    at_risk = np.array([(t >= x).sum() for x in times])
    died = np.array([((t == x) & event).sum() for x in times])
    return pd.Series(np.cumprod(1 - died / at_risk), index=times)


def ltv(people: pd.DataFrame) -> float:
    """ARPA of the book's last month (1998-06) over the mean monthly logo churn of its six months to it."""
    _, mrr = store_kinds.book()
    june = mrr[(pd.to_datetime(mrr["period"]) == "1998-06-01") & (mrr["mrr"] > 0)]
    arpa = june["mrr"].sum() / june["customer_id"].nunique()
    rates = []
    for start in pd.date_range("1998-01-01", "1998-06-01", freq="MS"):
        before, end = start - pd.Timedelta(days=1), start + pd.offsets.MonthEnd(0)
        active = (people["signup_date"] <= before) & (people["churn_date"].isna() | (people["churn_date"] > before))
        rates.append((people.loc[active, "churn_date"] <= end).sum() / active.sum())
    return arpa / np.mean(rates)


def _survival_data(at) -> pd.DataFrame:
    for chart in at.get("vega_lite_chart"):
        spec = json.dumps(json.loads(chart.proto.spec))
        if "Still a customer" in spec:
            return convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)
    raise AssertionError("no survival chart")


def test_the_lapse_period_is_the_proposal(url):
    import core
    from core.buyers.lapse import store_proposal

    engine = core.make_engine(url)
    try:
        assert store_proposal(engine).days == lapse_days(purchases()) == 210
    finally:
        engine.dispose()


def test_survival_counts_the_buyers_lapse_churn(page):
    people = customers()
    summary = next(d.value for d in page.dataframe if "median_text" in d.value.columns)
    event = people["churn_date"].notna()
    assert summary["customers"].tolist() == [len(people)]
    assert summary["churned"].tolist() == [int(event.sum())]
    assert int(event.sum()) > 1000  # the buyers leave: most of the 2,357 lapsed before mid-1998
    curve = _survival_data(page)
    expected = kaplan_meier(people)
    # the page's step curve, read at each event time, is the product-limit estimate
    got = [curve.loc[curve["time"] <= x + 1e-9, "survival"].iloc[-1] for x in expected.index]
    assert np.asarray(got) == pytest.approx(expected.to_numpy(), abs=1e-9)
    assert curve["survival"].min() == pytest.approx(expected.iloc[-1], abs=1e-9)


def test_lifetime_value_counts_the_buyers_lapse_churn(page):
    shown = next(m.value for m in page.metric if m.label == "LTV")
    assert re.fullmatch(r"\$[\d,]+", shown), shown
    expected = ltv(customers())
    assert float(shown[1:].replace(",", "")) == pytest.approx(expected, abs=0.5)
    assert expected < 10_000  # not the ~$650,000 of buyers that never churn
