"""AppTest of the Health scores page (pages/health_scores.py): the figures on screen equal an independent
computation on the same store, accepting suggested weights or editing creates a new version, bad weights
are refused with a message, the alert list and a customer's contributions add up, the empty store says
what to do."""

import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest

import core
from core.health import backtest as hb
from core.health import monitor as hm
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from tests.conftest import copy_store
from tests.pages.conftest import open_page
from tests.pages.downloads import downloads, recording

ROOT = Path(__file__).resolve().parents[2]


def _in_100(auc: float) -> str:
    """A ROC-AUC as "N times in 100", by hand: the figure shown (3 decimals) times 100, rounded half up."""
    return str(int((Decimal(f"{auc:.3f}") * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0; this module saves configuration
    versions into it)."""
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('health'))}"


@pytest.fixture(scope="module")
def reference(store):
    """Today's scores and the back-test computed straight from core, as the page should show them."""
    inputs = load_inputs(core.make_engine(store))
    frame, _ = h.measure_frame(inputs, inputs.end())
    cfg = h.default_config(frame)
    data = hb.backtest_data(inputs, months=12)
    return inputs, frame, cfg, data


@pytest.fixture
def page(store, monkeypatch):
    return open_page(monkeypatch, store, "health_scores")


def _pooled(reference, cfg=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every back-test month's customers pooled: churned within 90 days (1/0), the score of ``cfg`` (by default
    the default configuration), and which have a score; computed here from core's measures and the churn dates."""
    inputs, _, default, data = reference
    cfg = default if cfg is None else cfg
    ys, scores = [], []
    for c, f in data.frames:
        sc = h.score(cfg, f)
        churn = inputs.customers.set_index("customer_id")["churn_date"].reindex(f["customer_id"]).to_numpy()
        ys.append(((churn > np.datetime64(c)) & (churn <= np.datetime64(c + np.timedelta64(90, "D")))).astype(int))
        scores.append(sc["score"].to_numpy())
    y, sc = np.concatenate(ys), np.concatenate(scores)
    return y, sc, ~np.isnan(sc)


def test_figures_equal_an_independent_computation(page, reference, store):
    at = page
    inputs, frame, cfg, data = reference
    assert at.title[0].value == "Health scores"
    saved = hs.versions(core.make_engine(store))
    assert saved["version"].min() == 1 and saved["author"].iloc[-1] == "workbench"  # default saved as v1
    assert hs.load_config(core.make_engine(store), 1).to_dict() == cfg.to_dict()
    s = h.score(cfg, frame)
    assert _metric(at, "Customers scored") == f"{s['score'].notna().sum():,}"
    share = s["band"].value_counts(normalize=True)
    for band in h.BANDS:
        assert _metric(at, band.title()) == f"{share[band] * 100:.1f}%"
    red_mrr = s.loc[s["band"] == "red", "mrr"].sum()
    assert _metric(at, "MRR in red") == f"${red_mrr:,.0f}"
    # against last month: each band's change in share, and how many customers moved up or down a band
    prev_day = inputs.end() - pd.offsets.MonthEnd(1)
    before = h.score(cfg, h.measure_frame(inputs, prev_day)[0])
    share_before = before["band"].value_counts(normalize=True)
    for band in h.BANDS:
        delta = next(m.delta for m in at.metric if m.label == band.title())
        assert delta == f"{(share[band] - share_before[band]) * 100:+.1f} pts"
    rank = {"red": 0, "amber": 1, "green": 2}
    both = s[["customer_id", "band"]].merge(before[["customer_id", "band"]], on="customer_id", how="left",
                                            suffixes=("", "_before"))
    up = int((both["band"].map(rank) > both["band_before"].map(rank)).sum())
    down = int((both["band"].map(rank) < both["band_before"].map(rank)).sum())
    new = int(both["band_before"].isna().sum())
    assert any(f"Moved up a band: {up:,} · down: {down:,} · same band: {len(both) - up - down - new:,} · new: {new:,}"
               in c.value for c in at.caption)
    # back-test AUC: a direct roc_auc_score over every back-test month, pooled
    y, sc, ok = _pooled(reference)
    auc = roc_auc_score(y[ok], -sc[ok])
    assert _metric(at, "Back-test ROC-AUC") == f"{auc:.3f}"
    # the plain sentence first, the figures under "Analyst detail"
    sentence = next(m.value for m in at.markdown if m.value.startswith("Over 12 months of back-test"))
    assert f"puts a customer who churned below one who stayed {_in_100(auc)} times in 100" in sentence
    assert "ROC-AUC" not in sentence
    detail = next(e for e in at.expander if e.label == "Analyst detail" and any(
        m.label == "Back-test ROC-AUC" for m in e.metric))
    assert any(c.value.startswith(f"ROC-AUC {auc:.3f}: ") for c in detail.caption)
    rate = {b: y[ok][h.band_of(sc[ok], cfg) == b].mean() for b in h.BANDS}
    assert _metric(at, "Red churns ... x green") == f"{rate['red'] / rate['green']:.2f}x"  # as the review writes it
    assert f"red customers churned {rate['red'] / rate['green']:.2f}x as often as green ones" in sentence
    assert _metric(at, "Months") == "12" and _metric(at, "Customer-months scored") == f"{ok.sum():,}"
    assert rate["red"] >= 3 * rate["green"]  # acceptance: red churns at least three times as often as green
    assert len(at.get("vega_lite_chart")) >= 6  # band share, MRR, contributions, trend, band churn, months, weights


def test_the_monthly_scores_download_is_written_on_the_click_and_holds_every_month(store, reference, monkeypatch):
    """The page's largest file (13 months of every customer's score) is made when the button is clicked, not on
    every run of the page, and holds the scores core computes for the configuration shown."""
    inputs = reference[0]
    eng = core.make_engine(store)
    cfg = hs.load_config(eng, int(hs.versions(eng)["version"].max()))
    with recording(monkeypatch) as made:
        at = open_page(monkeypatch, store, "health_scores")
    label = "Download monthly scores, all customers (CSV)"
    button = next(b.proto for b in at.get("download_button") if b.proto.label == label)
    assert button.deferred_file_id and button.ignore_rerun
    files = {name: data for name, _, data in downloads(at, made[-1])}
    got = pd.read_csv(io.BytesIO(files[label]), dtype={"customer_id": str}, parse_dates=["day"])
    want = hm.history(cfg, hm.snapshots(inputs, 13))
    assert len(got) == len(want) and got["day"].nunique() == 13
    both = want[["customer_id", "day", "score"]].merge(got[["customer_id", "day", "score"]],
                                                       on=["customer_id", "day"], suffixes=("", "_file"))
    assert len(both) == len(want)
    assert np.allclose(both["score"], both["score_file"], atol=5e-5, equal_nan=True)
    _chart_downloads_are_in_percent({name: data for _, name, data in downloads(at, made[-1])}, reference, cfg)


def _chart_downloads_are_in_percent(files: dict, reference, cfg) -> None:
    """The band charts' data (CSV) as a person downloads them: today's band shares and the back-test's churn by
    band in percent to one decimal, as computed here for ``cfg`` (the configuration the page shows)."""
    inputs, frame = reference[:2]
    share = pd.read_csv(io.BytesIO(files["health_band_share.csv"]))
    assert list(share.columns) == ["Month", "Band", "Customers", "Share of customers (%)"]
    today = share[share["Month"] == str(inputs.end().date())].set_index("Band")["Share of customers (%)"]
    want = h.score(cfg, frame)["band"].value_counts(normalize=True)
    np.testing.assert_allclose(today[list(h.BANDS)], 100 * want[list(h.BANDS)], rtol=0, atol=0.05 + 1e-9)
    y, sc, ok = _pooled(reference, cfg)
    churn = pd.read_csv(io.BytesIO(files["health_band_churn.csv"])).set_index("Band")
    rate = {b: 100 * y[ok][h.band_of(sc[ok], cfg) == b].mean() for b in h.BANDS}
    np.testing.assert_allclose(churn.loc[list(h.BANDS), "Churn rate (%)"], [rate[b] for b in h.BANDS], rtol=0,
                               atol=0.05 + 1e-9)
    assert churn["Predicted churn rate (%)"].between(0, 100).all()


def test_alert_list_and_customer_contributions(page, reference):
    at = page
    _, _, cfg, _ = reference
    inputs = reference[0]
    hist = hm.history(cfg, hm.snapshots(inputs, 2))
    expected = hm.action_list(hm.alerts(cfg, hist, drop_points=15), inputs.customers)
    table = next(d.value for d in at.dataframe if "alerts" in d.value.columns)
    assert len(table) == len(expected) and set(table["customer_id"]) == set(expected["customer_id"])
    counts = hm.alerts(cfg, hist, drop_points=15)["alert"].value_counts()
    line = next(m.value for m in at.markdown if "renewal within 90 days" in m.value)
    for kind, n in counts.items():
        assert f"**{kind}**: {int(n):,}" in line
    at.number_input(key="health_drop").set_value(40).run()
    table = next(d.value for d in at.dataframe if "alerts" in d.value.columns)
    assert len(table) == len(hm.action_list(hm.alerts(cfg, hist, drop_points=40)))
    assert len(table) < len(expected)
    # the customer tab starts on the lowest score; its contributions add up to the score on screen
    now, _ = hm.latest_two(hist)
    low = now.sort_values("score").iloc[0]
    assert at.selectbox(key="health_pick").value == low["customer_id"]
    parts = next(d.value for d in at.dataframe if "contribution" in d.value.columns)
    assert parts["contribution"].sum() == pytest.approx(low["score"], abs=1e-9)
    line = next(m.value for m in at.markdown if m.value.startswith(f"**{low['customer_id']}**"))
    assert f"({low['segment']}, {low['stage']} stage): health **{low['score']:.0f}** ({low['band']})" in line


def test_accepting_suggested_weights_saves_a_version_that_beats_the_default(page, reference, store):
    at = page
    _, _, cfg, data = reference
    s = hb.suggest_weights(cfg, data)
    assert s.auc_suggested > s.auc_current  # acceptance: the suggestion beats the default weights
    assert any(f"the suggested weights put a customer who churned below one who stayed {_in_100(s.auc_suggested)} "
               f"times in 100, against {_in_100(s.auc_current)} with v1's weights: better." in m.value
               for m in at.markdown)
    assert any(f"{s.auc_suggested:.3f} with the suggested weights against {s.auc_current:.3f}" in c.value
               for c in at.caption)
    at.text_input(key="health_accept_author").input("Dana (CS ops)")
    at.button[[b.label for b in at.button].index("Accept: save as a new version")].click().run()
    assert not at.exception, at.exception
    eng = core.make_engine(store)
    v = hs.versions(eng)
    assert v["author"].iloc[0] == "Dana (CS ops)" and v["parent"].iloc[0] == 1
    assert hs.load_config(eng, int(v["version"].iloc[0])).weights == s.config.weights
    assert at.selectbox(key="health_version").value == int(v["version"].iloc[0])
    assert any("Saved as version" in x.value for x in at.success)
    # compare tab: the new version against v1 lists the changed weights
    assert at.selectbox(key="health_cmp_b").value == int(v["version"].iloc[0])
    diff = next(d.value for d in at.dataframe if "setting" in d.value.columns)
    assert len(diff) == len(hs.compare(cfg, s.config)) and len(diff) > 0
    newest = int(v["version"].iloc[0])
    assert _metric(at, f"Back-test ROC-AUC of v{newest}") == f"{hb.evaluate(s.config, data).auc:.3f}"
    assert _metric(at, "Back-test ROC-AUC of v1") == f"{hb.evaluate(cfg, data).auc:.3f}"


def test_weights_not_adding_to_100_are_refused(page, store):
    at = page
    before = len(hs.versions(core.make_engine(store)))
    v = at.selectbox(key="health_version").value
    assert len(at.data_editor) == 1  # the weights table is editable
    usage = list(h.MEASURES).index("usage")
    total = 100 - hs.load_config(core.make_engine(store), v).weights["adoption"]["usage"] + 30
    assert total != 100
    # a cell edit as the browser sends it: the adoption weight of usage set to 30
    at.session_state[f"health_weights_{v}"] = {"edited_rows": {usage: {"adoption": 30}}, "added_rows": [],
                                               "deleted_rows": []}
    at.text_input(key="health_edit_author").input("Sam")
    at.text_input(key="health_edit_reason").input("more weight on usage")
    at.button[[b.label for b in at.button].index("Save as a new version")].click().run()
    assert not at.exception, at.exception
    assert any(f"adoption weights add up to {total:g}, not 100" in e.value for e in at.error)
    assert any(f"adoption {total:g}" in c.value for c in at.caption)
    assert len(hs.versions(core.make_engine(store))) == before  # nothing saved
    # bands the wrong way round are refused too
    at.session_state[f"health_weights_{v}"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    at.number_input(key=f"health_red_{v}").set_value(80.0)
    at.button[[b.label for b in at.button].index("Save as a new version")].click().run()
    assert any("Bands need" in e.value for e in at.error)
    assert len(hs.versions(core.make_engine(store))) == before
    # a valid edit is saved as a new version naming its parent, author and reason
    at.number_input(key=f"health_red_{v}").set_value(45.0)
    at.button[[b.label for b in at.button].index("Save as a new version")].click().run()
    saved = hs.versions(core.make_engine(store))
    assert len(saved) == before + 1
    newest = saved.iloc[0]
    assert (newest["author"], newest["reason"], newest["parent"]) == ("Sam", "more weight on usage", v)
    assert hs.load_config(core.make_engine(store), int(saved["version"].iloc[0])).red_max == 45.0


def test_empty_store_says_what_to_do(store_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/health_scores.py").run()
    assert not at.exception
    assert any("Data page" in i.value for i in at.info)


def test_a_store_with_too_few_measures_says_what_is_missing_instead_of_band_shares(store_url, shared):
    """The telco snapshot: 11 of the 12 measures have no data. No '26.3 % red' with deltas: the page states the
    minimum, says nobody reaches it and which data would add measures; lowering the minimum (a saved version)
    bands the customers on what there is."""
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    eng = core.make_engine(store_url)
    core.commit_import(eng, core.prepare_import(eng, telco.read_bytes(), telco.name, "customers", as_of="2024-01-31"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/health_scores.py").run()
    assert not at.exception, at.exception
    assert hs.load_config(eng, 1).min_measures == 3  # the minimum is part of the saved configuration
    assert any("at least 3 of the 12 measures for a score and a band" in c.value for c in at.caption)
    warning = at.warning[0].value
    assert warning.startswith("No customer has the 3 measures a health band needs")
    assert "data for 1 of the 12 measures" in warning
    for data in ("product usage", "support tickets", "survey answers (NPS, CSAT, CES)", "recurring revenue"):
        assert data in warning
    assert [t.label for t in at.tabs] == ["Configuration", "Compare versions"]
    assert not at.metric and not at.get("vega_lite_chart")  # no band share, no delta, no chart
    # a minimum of 1, saved knowingly, bands them on renewal proximity alone
    at.number_input(key="health_min_1").set_value(1)
    at.text_input(key="health_edit_author").input("Sam")
    at.text_input(key="health_edit_reason").input("renewal proximity is all this snapshot has")
    at.button[[b.label for b in at.button].index("Save as a new version")].click().run()
    assert not at.exception, at.exception
    assert hs.load_config(eng, 2).min_measures == 1
    inputs = load_inputs(eng)
    scored = h.score(hs.load_config(eng, 2), h.measure_frame(inputs, inputs.end())[0])
    assert _metric(at, "Customers scored") == f"{scored['score'].notna().sum():,}"
    assert [t.label for t in at.tabs][0] == "Portfolio"
    diff = next(d.value for d in at.dataframe if "setting" in d.value.columns).set_index("setting")
    assert diff.loc["minimum measures per customer"].tolist() == ["3", "1"]  # v1 against v2
    eng.dispose()


def test_the_demo_keeps_its_twelve_measures_and_its_figures(page, reference):
    """Purchase recency is a measure of purchase logs only (buyers under the lapse rule): the demo lists the same
    12 measures as before it existed, and its scores equal a computation over those 12 alone."""
    at = page
    _, frame, cfg, _ = reference
    twelve = [k for k in h.MEASURES if k != "recency"]
    labels = [h.MEASURES[k].label for k in twelve]
    assert at.data_editor[0].value["measure"].tolist() == labels
    assert any("at least 3 of the 12 measures for a score and a band" in c.value for c in at.caption)
    assert not any("Purchase recency" in c.value for c in at.caption)
    parts = next(d.value for d in at.dataframe if "contribution" in d.value.columns)
    assert sorted(parts["measure"]) == sorted(labels)
    assert frame["days_since_purchase"].isna().all() and frame["days_to_renewal"].notna().all()
    assert all(cfg.weights[s]["recency"] == 0 for s in h.STAGES)
    # the score over the 12 measures only: weights x points over the weights of the measures with data
    stage = h.stage_of(frame["tenure_days"], frame["days_to_renewal"], cfg)
    P = np.column_stack([h.points(cfg.rules[k], frame[h.MEASURES[k].column]) for k in twelve])
    W = np.array([[cfg.weights[s][k] for k in twelve] for s in stage], float) * ~np.isnan(P)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (W * np.nan_to_num(P)).sum(axis=1) / W.sum(axis=1)
    expected[((W > 0).sum(axis=1) < cfg.min_measures)] = np.nan
    assert np.allclose(h.score(cfg, frame)["score"].to_numpy(float), expected, equal_nan=True, atol=1e-9)
