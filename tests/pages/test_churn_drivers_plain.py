"""The Churn drivers page says its model statistics in plain words first (issue 21): each sentence agrees with the
saved model card's figure (read from the store, rounded here by its own digits), and the figures themselves sit in
"Analyst detail" expanders; on the small demo store (a copy)."""

import math
import re

import pytest
from sqlalchemy import select

import core
from core.history.feature_labels import feature_label
from core.store.tables import ChurnRun
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page


def _in_100(x: float) -> int:
    """N in 100 from the figure as the page shows it (3 decimals), its third decimal rounding half up."""
    whole, decimals = f"{x:.3f}".split(".")
    return int(whole) * 100 + int(decimals[:2]) + (decimals[2] >= "5")


@pytest.fixture(scope="module")
def shown(tmp_path_factory, small_demo_store):
    """(the page, the model card the page saved)."""
    url = sk.build("demo", tmp_path_factory.mktemp("churn_plain"), small_demo_store)
    with pytest.MonkeyPatch.context() as mp:
        at = open_page(mp, url, "churn_drivers")
        caption = next(c.value for c in at.caption if "saved as version" in c.value)
        version = int(re.search(r"saved as version (\d+)", caption).group(1))
        engine = core.make_engine(url)
        with engine.connect() as conn:
            card = conn.execute(select(ChurnRun.card).where(ChurnRun.version == version)).scalar_one()
        engine.dispose()
        yield at, card


def _expander(at, label: str):
    return [e for e in at.expander if e.label == label]


def test_the_headline_says_the_cards_figures_in_words(shown):
    at, card = shown
    m, rows = card["metrics"][card["model"]], card["rows"]
    rate = rows["test_churners"] / rows["test"]
    lines = [md.value for md in at.markdown if md.value.startswith("- ")]
    rank = next(line for line in lines if "ranks a churner above a stayer" in line)
    lo, hi = m["roc_auc_ci"]
    assert rank == (f"- The model ranks a churner above a stayer {_in_100(m['roc_auc'])} times in 100 (95% interval: "
                    f"between {_in_100(lo)} and {_in_100(hi)}); a coin toss would do it 50 times.")
    pr = next(line for line in lines if "churn on average" in line)
    assert f"{_in_100(m['pr_auc'])} in 100 churn on average, against {round(100 * rate)} in 100" in pr
    assert pr.endswith(f"{m['pr_auc'] / rate:.2f} times as many.")
    brier = next(line for line in lines if "closer to what happened" in line)
    gain = round(100 * (1 - card["calibration"]["brier_calibrated"] / (rate * (1 - rate))))
    assert f"come {gain}% closer to what happened than always guessing the churn rate ({100 * rate:.1f}%)" in brier
    # the page's sentence is the card's sentence
    card_md = next(md.value for md in at.markdown if md.value.startswith("**Churn model v"))
    assert rank[len("- "):] in card_md and brier[len("- "):] in card_md


def test_the_figures_sit_in_analyst_detail(shown):
    at, card = shown
    m = card["metrics"][card["model"]]
    detail = _expander(at, "Analyst detail")
    assert len(detail) >= 3  # the headline, the customer, the validation table
    metrics = {x.label: x.value for x in detail[0].metric}
    assert metrics == {"Held-out ROC-AUC": f"{m['roc_auc']:.3f}", "PR-AUC": f"{m['pr_auc']:.3f}",
                       "Brier (calibrated)": f"{card['calibration']['brier_calibrated']:.3f}"}
    assert any(x.label == "Customers scored" for x in at.metric)
    assert any("ROC-AUC" in d.value.columns for e in detail for d in e.dataframe)  # the validation table
    # the Validation tab: each model's ranking in words, against its card figure
    for kind, v in card["metrics"].items():
        assert any(md.value.startswith(f"- The {kind} model") and
                   f"ranks a churner above a stayer {_in_100(v['roc_auc'])} times in 100" in md.value
                   for md in at.markdown), kind


def test_the_top_driver_and_a_customer_in_words(shown):
    at, card = shown
    drivers = next(d.value for d in at.dataframe if "Average impact on churn log-odds" in d.value.columns)
    first = drivers.iloc[0]
    assert first["Driver"] == feature_label(card["top_drivers"][0])
    factor = math.exp(first["Average impact on churn log-odds"])
    moves = (f"multiplies or divides a customer's odds of churning by {factor:.1f}" if factor >= 2 else
             f"moves a customer's odds of churning by {round(100 * (factor - 1))}%, up or down")
    assert any(md.value == f"{first['Driver']} matters most: on average it {moves}." for md in at.markdown)
    # the customer: what raises and lowers the odds most, read off the contributions table
    table = next(d.value for d in at.dataframe if "Contribution to churn log-odds" in d.value.columns)
    up = table.loc[table["Contribution to churn log-odds"].idxmax()]
    factor = math.exp(up["Contribution to churn log-odds"])
    said = (f"multiplies the odds of churning by {factor:.1f}" if factor >= 2 else
            f"raises the odds of churning by {round(100 * (factor - 1))}%")
    raises = next(md.value for md in at.markdown if md.value.startswith("What raises it most"))
    assert raises == f"What raises it most: {up['Driver']} = {up['Value']} ({said})."
    assert up["In plain words"] == said
