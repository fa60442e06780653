"""core/health/chart_text.py: each chart's sentence states the figure an independent pandas computation on a small
hand-made frame gives, and says so when there is nothing to draw (issue 21, Deliver 3)."""

import pandas as pd

from core.health import chart_text as ct


def test_band_share_reads_red_in_the_first_and_last_month():
    hist = pd.DataFrame({"day": pd.to_datetime(["2024-01-31"] * 4 + ["2024-02-29"] * 4 + ["2024-03-31"] * 5),
                         "band": ["red", "green", "green", "amber", "red", "red", "green", "amber",
                                  "red", "red", "red", "green", "amber"]})
    over = hist.groupby(["day", "band"]).size().rename("customers").reset_index()
    over["share"] = over["customers"] / over.groupby("day")["customers"].transform("sum")
    first = (hist[hist["day"] == "2024-01-31"]["band"] == "red").mean()
    last = (hist[hist["day"] == "2024-03-31"]["band"] == "red").mean()
    assert ct.band_share(over) == f"Share of customers in red: {first:.1%} in Jan 2024, {last:.1%} in Mar 2024."
    no_red = over[~((over["band"] == "red") & (over["day"] == "2024-01-31"))]  # a month without red: 0.0%
    assert ct.band_share(no_red).startswith("Share of customers in red: 0.0% in Jan 2024")
    assert "nothing to show" in ct.band_share(over.iloc[:0])


def test_mrr_at_risk_names_the_segment_with_most_red_and_amber_mrr():
    risk = pd.DataFrame({"segment": ["SMB", "Mid-market", "Enterprise"], "red": [1000.0, 300.0, 0.0],
                         "amber": [200.0, 1400.0, 900.0], "green": [9000.0, 100.0, 50000.0]})
    at_risk = {s: r + a for s, r, a in zip(risk["segment"], risk["red"], risk["amber"])}
    top = max(at_risk, key=at_risk.get)  # Mid-market: green MRR is not at risk
    assert ct.mrr_at_risk(risk) == f"Largest MRR at risk (red and amber): {top}, ${at_risk[top]:,.0f} (of 3)."


def test_contributions_name_the_measure_losing_most_points():
    parts = pd.DataFrame({"measure": ["Usage", "Tickets", "NPS", "Payments"], "status": ["used", "used", "used",
                                                                                          "no data"],
                          "share": [0.5, 0.3, 0.2, 0.0], "points": [80.0, 40.0, 90.0, float("nan")]})
    parts["contribution"] = parts["share"] * parts["points"].fillna(0)
    parts["lost"] = parts["share"] * (100 - parts["points"].fillna(100))
    score = parts["contribution"].sum()  # 40 + 12 + 18
    assert ct.contributions(parts) == (f"Health score {score:.0f} of 100; most points lost: Tickets, 18.0 points "
                                       "(of 3 measures).")
    assert "nothing to show" in ct.contributions(parts[parts["status"] != "used"])


def test_score_trend_reads_the_first_and_last_month():
    trend = pd.DataFrame({"day": ["2024-03-31", "2024-01-31", "2024-02-29"], "score": [41.6, 72.4, None]})
    assert ct.score_trend(trend) == "Health score: 72 in Jan 2024, 42 in Mar 2024."
    assert "nothing to show" in ct.score_trend(trend.iloc[:0])


def test_band_churn_reads_red_against_green():
    rows = pd.DataFrame({"band": ["red"] * 4 + ["amber"] * 3 + ["green"] * 5,
                         "churned": [1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]})
    bands = rows.groupby("band")["churned"].mean().rename("churn_rate").reset_index()
    assert ct.band_churn(bands) == "Churn rate of red customers: 50.0% against 20.0% for green."


def test_band_months_count_the_months_where_the_order_held():
    bm = pd.DataFrame({"cutoff": pd.to_datetime(["2024-01-31"] * 3 + ["2024-02-29"] * 3 + ["2024-03-31"] * 2),
                       "band": ["red", "amber", "green"] * 2 + ["red", "amber"],
                       "churn_rate": [0.3, 0.1, 0.05, 0.1, 0.2, 0.05, 0.4, 0.1]})
    wide = bm.pivot(index="cutoff", columns="band", values="churn_rate")
    held = ((wide["red"] > wide["amber"]) & (wide["amber"] > wide["green"])).sum()  # March has no green: not held
    assert held == 1
    assert ct.band_months(bm) == "Red churned more than amber, and amber more than green, in 1 of 3 months."


def test_weights_name_the_largest_change_in_the_profile():
    table = pd.DataFrame({"measure": ["Usage", "Tickets", "Usage", "Tickets", "NPS"],
                          "stage": ["adoption", "adoption", "renewal", "renewal", "renewal"],
                          "current": [40.0, 60.0, 50.0, 30.0, 20.0], "suggested": [70.0, 30.0, 45.0, 45.0, 10.0]})
    d = table[table["stage"] == "renewal"]
    top = d.loc[(d["suggested"] - d["current"]).abs().idxmax()]
    assert top["measure"] == "Tickets"  # +15, against -5 and -10
    assert ct.weights(table, "renewal") == (f"Largest change of weight in the renewal profile: {top['measure']}, "
                                            f"from {top['current']:.0f} to {top['suggested']:.0f} of 100 (of 3 "
                                            "measures).")
    same = table.assign(suggested=table["current"])
    assert ct.weights(same, "adoption") == "Weights of the adoption profile: the suggestion keeps every weight."
