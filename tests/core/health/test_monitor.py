"""Health over time: snapshot days, the portfolio view and the alerts on a hand-made two-day history whose
answers are known, the XLSX export, and saved configuration versions."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.errors import DataValidationError, InsufficientDataError
from core.export.xlsx import to_xlsx
from core.health.monitor import (
    action_list,
    alerts,
    history,
    latest_two,
    lost_points,
    portfolio,
    snapshot_days,
    snapshots,
)
from core.health.score import MEASURES, STAGES, HealthConfig, default_config, measure_frame
from core.health.store import compare, load_config, save_config, versions, weights_table
from core.history.inputs import inputs_from_frames
from core.metrics import GLOSSARY

D1, D2 = pd.Timestamp("2025-05-31"), pd.Timestamp("2025-06-30")


# ----------------------------------------------------------------------------------------------------------
# snapshot days


def test_snapshot_days_are_month_ends_plus_the_end_day():
    days = snapshot_days(pd.Timestamp("2025-06-15"), pd.Timestamp("2024-01-10"), 13)
    assert days == [*pd.date_range("2024-06-30", "2025-05-31", freq="ME"), pd.Timestamp("2025-06-15")]
    # the end is a month end: not twice
    days = snapshot_days(pd.Timestamp("2025-06-30"), pd.Timestamp("2024-01-10"), 3)
    assert days == [pd.Timestamp("2025-04-30"), pd.Timestamp("2025-05-31"), pd.Timestamp("2025-06-30")]
    # fewer month ends than asked: all of them from the start
    days = snapshot_days(pd.Timestamp("2025-03-10 17:00"), pd.Timestamp("2025-01-05"), 13)
    assert days == [pd.Timestamp("2025-01-31"), pd.Timestamp("2025-02-28"), pd.Timestamp("2025-03-10")]
    assert snapshot_days(pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-05"), 13) == [pd.Timestamp("2025-01-20")]


def test_snapshots_skip_days_nobody_was_active():
    cust = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": ["2025-01-10", "2025-03-01"],
                         "churn_date": ["2025-01-20", None]})
    revenue = pd.DataFrame({"customer_id": ["b", "b"], "period": ["2025-05-01", "2025-06-01"], "mrr": [10.0, 20.0]})
    inputs = inputs_from_frames(cust, revenue=revenue)
    snaps = snapshots(inputs, months=13)
    # Jan 31 and Feb 28: nobody active (a churned, b not signed up yet)
    assert [d for d, _ in snaps] == list(pd.date_range("2025-03-31", "2025-06-30", freq="ME"))
    for d, f in snaps:
        pd.testing.assert_frame_equal(f, measure_frame(inputs, d)[0])
    assert snaps[-1][1]["mrr"].tolist() == [20.0]
    hist = history(default_config(), snaps)
    assert hist["day"].tolist() == [d for d, _ in snaps] and (hist["customer_id"] == "b").all()
    with pytest.raises(InsufficientDataError, match="signup dates"):
        snapshots(inputs_from_frames(cust.assign(signup_date=None)))


# ----------------------------------------------------------------------------------------------------------
# a hand-made history


def monitor_config() -> HealthConfig:
    """usage 0..10, NPS 0..10, CSAT 1..5, CES 1..7, tickets 10..0, all linear; the same weights in every stage:
    usage 40, NPS 15, CSAT 15, CES 10, tickets 20 (score = .4 U + .15 N + .15 C + .1 E + .2 T in points)."""
    cfg = default_config()
    cfg.rules.update(usage={"kind": "linear", "worst": 0, "best": 10}, nps={"kind": "linear", "worst": 0, "best": 10},
                     csat={"kind": "linear", "worst": 1, "best": 5}, ces={"kind": "linear", "worst": 1, "best": 7},
                     tickets={"kind": "linear", "worst": 10, "best": 0})
    w = dict.fromkeys(MEASURES, 0) | {"usage": 40, "nps": 15, "csat": 15, "ces": 10, "tickets": 20}
    cfg.weights = {s: dict(w) for s in STAGES}
    return cfg.validate()


#: (usage, nps, csat, ces, tickets) raw values
PERFECT = (10, 10, 5, 7, 0)  # 100 points
AMBER = (6, 6, 4, 4, 2)  # 60, 60, 75, 50, 80 points -> 65.25
RED = (1, 3, 2, 1, 8)  # 10, 30, 25, 0, 20 points -> 16.25
NAN = np.nan

#: customer -> (segment, mrr, days to renewal on D2, values on D1 or None, values on D2 or None)
CUSTOMERS = {
    "red_cross": ("SMB", 500.0, 200, AMBER, (1, 6, 4, 4, 2)),  # 65.25 -> 45.25: into red, dropped 20
    "drop_only": ("Mid", 300.0, 200, PERFECT, (10, 4, 5, 7, 5)),  # 100 -> 81: dropped 19, still green
    "mid_drop": ("SMB", 50.0, 200, PERFECT, (10, 10, 5, 7, 5)),  # 100 -> 90: dropped 10
    "renewal_amber": ("Ent", 800.0, 90, AMBER, AMBER),  # renewal exactly 90 days away, amber
    "renewal_red": ("Mid", 200.0, 10, RED, RED),  # renewal in 10 days, red both days
    "renewal_green": ("Ent", 1000.0, 5, PERFECT, PERFECT),  # renewal soon but green: no alert
    "renewal_far": ("SMB", 120.0, 91, AMBER, AMBER),  # amber, renewal 91 days away: no alert
    "contra": ("Ent", 400.0, 200, (9, 2, 5, 7, 0), (9, 2, 5, 7, 0)),  # usage 90 pts, NPS 20 pts: 84
    "contra_ces": ("SMB", 60.0, 200, (7.5, NAN, 5, 2.5, 0), (7.5, NAN, 5, 2.5, 0)),  # usage 75, CES 25 pts
    "contra_no": ("Mid", 70.0, 200, (7.4, 2, 5, 7, 0), (7.4, 2, 5, 7, 0)),  # usage 74 pts: not high
    "new_red": ("SMB", 90.0, 200, None, RED),  # new on D2: nothing to compare with
    "gone": ("Mid", 75.0, 200, AMBER, None),  # churned before D2
    "up_mover": (None, 35.0, 200, RED, AMBER),  # red -> amber
}


def _frame(day_index: int) -> pd.DataFrame:
    recs = []
    for cid, (seg, mrr, dtr, v1, v2) in CUSTOMERS.items():
        v = (v1, v2)[day_index]
        if v is None:
            continue
        rec = {"customer_id": cid, "segment": seg, "mrr": mrr, "tenure_days": 400.0 + 30 * day_index,
               "days_to_renewal": float(dtr + 30 * (1 - day_index))}
        for m in MEASURES.values():
            rec.setdefault(m.column, np.nan)
        for k, x in zip(("usage", "nps", "csat", "ces", "tickets"), v):
            rec[MEASURES[k].column] = float(x)
        recs.append(rec)
    return pd.DataFrame(recs)


@pytest.fixture(scope="module")
def cfg():
    return monitor_config()


@pytest.fixture(scope="module")
def hist(cfg):
    return history(cfg, [(D1, _frame(0)), (D2, _frame(1))])


def test_the_hand_made_history_scores_as_designed(hist):
    now = hist[hist["day"] == D2].set_index("customer_id")["score"]
    before = hist[hist["day"] == D1].set_index("customer_id")["score"]
    assert now["red_cross"] == pytest.approx(45.25) and before["red_cross"] == pytest.approx(65.25)
    assert now["drop_only"] == pytest.approx(81) and now["mid_drop"] == pytest.approx(90)
    assert now["renewal_red"] == pytest.approx(16.25) and now["contra"] == pytest.approx(84)
    assert now["contra_ces"] == pytest.approx((40 * 75 + 15 * 100 + 10 * 25 + 20 * 100) / 85)  # no NPS
    assert now["contra_no"] == pytest.approx(77.6)
    n, p = latest_two(hist)
    assert (n["day"] == D2).all() and (p["day"] == D1).all() and len(n) == 12 and len(p) == 12
    assert latest_two(hist[hist["day"] == D1])[1] is None


# ----------------------------------------------------------------------------------------------------------
# portfolio


def test_portfolio_bands_equal_a_direct_count(hist):
    pf = portfolio(hist)
    now, prev = hist[hist["day"] == D2], hist[hist["day"] == D1]
    bands = pf["bands"].set_index("band")
    assert list(bands.index) == ["red", "amber", "green"]
    counts, before = now["band"].value_counts(), prev["band"].value_counts()
    mrr = now.groupby("band")["mrr"].sum()
    for b in ("red", "amber", "green"):
        assert bands.at[b, "customers"] == counts[b]
        assert bands.at[b, "share"] == pytest.approx(counts[b] / len(now))
        assert bands.at[b, "share_before"] == pytest.approx(before[b] / len(prev))
        assert bands.at[b, "mrr"] == pytest.approx(mrr[b])
    assert bands["customers"].tolist() == [3, 3, 6]  # red_cross, renewal_red, new_red / 3 ambers / 6 greens
    assert bands["share"].sum() == pytest.approx(1.0)


def test_portfolio_movement_equals_a_direct_comparison(hist):
    rank = {"red": 0, "amber": 1, "green": 2}
    now = hist[hist["day"] == D2].set_index("customer_id")["band"].map(rank)
    prev = hist[hist["day"] == D1].set_index("customer_id")["band"].map(rank)
    was = prev.reindex(now.index)
    move = pd.Series("same band", index=now.index)
    move[now > was], move[now < was], move[was.isna()] = "up", "down", "new"
    expected = move.value_counts()
    moves = portfolio(hist)["moves"].set_index("movement")["customers"]
    assert list(moves.index) == ["up", "down", "same band", "new"]
    for m in moves.index:
        assert moves[m] == expected.get(m, 0)
    assert moves.tolist() == [1, 1, 9, 1]  # up_mover; red_cross; ...; new_red


def test_portfolio_mrr_by_segment_and_band_equals_a_pivot(hist):
    now = hist[hist["day"] == D2]
    expected = pd.pivot_table(now.assign(segment=now["segment"].fillna("(none)")), index="segment",
                              columns="band", values="mrr", aggfunc="sum", fill_value=0.0)
    risk = portfolio(hist)["mrr_at_risk"].set_index("segment")
    assert list(risk.columns) == ["red", "amber", "green"]
    assert set(risk.index) == {"SMB", "Mid", "Ent", "(none)"}
    for seg in risk.index:
        for b in ("red", "amber", "green"):
            assert risk.at[seg, b] == pytest.approx(expected.at[seg, b] if b in expected else 0.0)
    assert risk.at["SMB", "red"] == pytest.approx(500 + 90) and risk.at["(none)", "amber"] == pytest.approx(35)
    over = portfolio(hist)["over_time"]
    direct = hist.groupby(["day", "band"]).size()
    assert over.set_index(["day", "band"])["customers"].sort_index().tolist() == direct.sort_index().tolist()
    assert over.groupby("day")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_portfolio_with_one_snapshot_calls_everyone_new(hist):
    pf = portfolio(hist[hist["day"] == D2])
    assert pf["moves"].to_dict("list") == {"movement": ["new"], "customers": [12]}
    assert pf["bands"]["share_before"].isna().all()


# ----------------------------------------------------------------------------------------------------------
# alerts

DROP = "dropped more than 15 points"
RENEWAL = "renewal within 90 days"
CONTRA = "contradiction: high usage, low satisfaction"


def _by(al: pd.DataFrame) -> dict:
    return {(r.customer_id, r.alert): r.because for r in al.itertuples()}


def test_alerts_are_exactly_the_expected_ones(cfg, hist):
    al = alerts(cfg, hist)
    assert _by(al) == {
        ("red_cross", "crossed into red"): "Usage level fell 20 pts",
        ("red_cross", DROP): "Usage level fell 20 pts",
        ("drop_only", DROP): "Support tickets fell 10 pts; NPS answer fell 9 pts",
        ("renewal_amber", RENEWAL): "Usage level costs 16 pts; NPS answer costs 6 pts",
        ("renewal_red", RENEWAL): "Usage level costs 36 pts; Support tickets costs 16 pts",
        ("contra", CONTRA): "Usage level 90 pts but NPS answer 20 pts",
        ("contra_ces", CONTRA): "Usage level 75 pts but CES 25 pts",
    }
    quiet = {"mid_drop", "renewal_green", "renewal_far", "contra_no", "new_red", "gone", "up_mover"}
    assert not quiet & set(al["customer_id"])
    # red first, then by MRR
    assert al["customer_id"].tolist() == ["red_cross", "red_cross", "renewal_red", "renewal_amber", "contra",
                                          "drop_only", "contra_ces"]
    r = al[al["customer_id"] == "red_cross"].iloc[0]
    assert (r["score"], r["previous"], r["change"]) == pytest.approx((45.25, 65.25, -20.0))
    assert r["band"] == "red" and r["segment"] == "SMB" and r["mrr"] == 500
    assert list(al.columns) == ["customer_id", "segment", "mrr", "score", "previous", "change", "band", "stage",
                                "days_to_renewal", "alert", "because"]


def test_the_drop_threshold_and_renewal_window_are_settings(cfg, hist):
    five = _by(alerts(cfg, hist, drop_points=5))
    assert five[("mid_drop", "dropped more than 5 points")] == "Support tickets fell 10 pts"
    assert ("drop_only", "dropped more than 5 points") in five
    twenty = alerts(cfg, hist, drop_points=20)
    assert not twenty["alert"].str.startswith("dropped").any()  # red_cross fell exactly 20: not more than 20
    assert set(twenty["customer_id"]) == {"red_cross", "renewal_amber", "renewal_red", "contra", "contra_ces"}
    wide = _by(alerts(cfg, hist, renewal_days=91))
    assert ("renewal_far", "renewal within 91 days") in wide
    assert ("renewal_green", "renewal within 91 days") not in wide
    narrow = _by(alerts(cfg, hist, renewal_days=89))
    assert {c for c, a in narrow if a.startswith("renewal")} == {"renewal_red"}


def test_contradiction_thresholds_are_settings(cfg, hist):
    al = alerts(cfg, hist, high_usage=70)
    assert set(al.loc[al["alert"] == CONTRA, "customer_id"]) == {"contra", "contra_ces", "contra_no"}
    al = alerts(cfg, hist, low_satisfaction=20)
    assert set(al.loc[al["alert"] == CONTRA, "customer_id"]) == {"contra"}


def test_one_snapshot_gives_no_change_alerts(cfg, hist):
    al = alerts(cfg, hist[hist["day"] == D2])
    assert set(al["alert"]) == {RENEWAL, CONTRA}
    assert al["previous"].isna().all()


def test_no_alert_gives_an_empty_frame(cfg, hist):
    calm = hist[hist["customer_id"].isin(["renewal_green", "contra_no", "mid_drop"])]
    al = alerts(cfg, calm)
    assert al.empty and "because" in al
    assert action_list(al).empty and "name" in action_list(al)


def test_lost_points_add_up_to_100_minus_the_score(cfg, hist):
    now = hist[hist["day"] == D2].reset_index(drop=True)
    lost = lost_points(cfg, now)
    np.testing.assert_allclose(lost.sum(axis=1), 100 - now["score"])
    row = lost[now["customer_id"] == "renewal_amber"].iloc[0]
    assert row["usage"] == pytest.approx(16) and row["ces"] == pytest.approx(5) and row["breadth"] == 0


def test_action_list_merges_alerts_per_customer(cfg, hist):
    al = alerts(cfg, hist)
    names = pd.DataFrame({"customer_id": list(CUSTOMERS), "name": [f"{c.title()} Ltd" for c in CUSTOMERS]})
    acts = action_list(al, names)
    assert acts["customer_id"].tolist() == ["red_cross", "renewal_red", "renewal_amber", "contra", "drop_only",
                                            "contra_ces"]
    assert list(acts.columns[:2]) == ["customer_id", "name"]
    red = acts.set_index("customer_id").loc["red_cross"]
    assert red["name"] == "Red_Cross Ltd"
    assert sorted(red["alerts"].split("; ")) == sorted(["crossed into red", DROP])
    assert red["because"] == "Usage level fell 20 pts"  # the same cause once
    assert red["score"] == pytest.approx(45.25) and red["mrr"] == 500
    one = acts.set_index("customer_id").loc["contra_ces"]
    assert one["alerts"] == CONTRA and one["because"] == "Usage level 75 pts but CES 25 pts"
    assert "name" not in action_list(al)


def test_the_action_list_exports_to_a_workbook_with_its_definitions(cfg, hist):
    al = alerts(cfg, hist)
    bands = portfolio(hist)["bands"]
    long = "bands of the portfolio on the last day"
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx({"alerts": al, long: bands})))
    assert wb.sheetnames == ["alerts", long[:31], "Definitions"]
    rows = list(wb["Definitions"].iter_rows(values_only=True))
    assert rows[0] == ("metric", "definition") and rows[1:] == list(GLOSSARY.items())
    for ws, df in ((wb["alerts"], al), (wb[long[:31]], bands)):
        rows = list(ws.values)
        assert list(rows[0]) == list(df.columns)
        assert len(rows) == len(df) + 1
        assert ws.freeze_panes == "A2"
        for got, (_, want) in zip(rows[1:], df.iterrows()):
            for g, w in zip(got, want):
                if isinstance(w, float) and np.isnan(w) or w is None:
                    assert g is None
                elif isinstance(w, (int, float, np.number)):
                    assert g == pytest.approx(float(w))
                else:
                    assert g == w


# ----------------------------------------------------------------------------------------------------------
# saved configurations


def test_versions_round_trip(engine):
    assert load_config(engine) is None and versions(engine).empty
    a = default_config()
    assert save_config(engine, a, " ana ", "first version") == 1
    b = HealthConfig.from_dict(a.to_dict())
    b.weights["adoption"].update(usage=10, nps=20)
    b.red_max = 45.0
    assert save_config(engine, b, "bo", "NPS matters more", parent=1) == 2
    v = versions(engine)
    assert v["version"].tolist() == [2, 1] and v["author"].tolist() == ["bo", "ana"]
    assert v["reason"].tolist() == ["NPS matters more", "first version"]
    assert v["parent"].iloc[0] == 1 and pd.isna(v["parent"].iloc[1])
    assert load_config(engine).to_dict() == b.to_dict()
    assert load_config(engine, 1).to_dict() == a.to_dict()
    assert load_config(engine, 2) == b
    with pytest.raises(DataValidationError, match="no health configuration version 7"):
        load_config(engine, 7)


@pytest.mark.parametrize("author, reason, match", [("", "why", "author"), ("  ", "why", "author"),
                                                   (None, "why", "author"), ("ana", "", "reason"),
                                                   ("ana", " \n", "reason")])
def test_an_empty_author_or_reason_is_refused(engine, author, reason, match):
    with pytest.raises(DataValidationError, match=match):
        save_config(engine, default_config(), author, reason)
    assert versions(engine).empty


def test_an_invalid_config_is_refused_and_nothing_saved(engine):
    bad = default_config()
    bad.weights["renewal"]["usage"] += 1
    with pytest.raises(DataValidationError, match="add up to 101"):
        save_config(engine, bad, "ana", "oops")
    assert versions(engine).empty and load_config(engine) is None


def test_compare_lists_exactly_the_changed_settings():
    a = default_config()
    assert compare(a, HealthConfig.from_dict(a.to_dict())).empty
    b = HealthConfig.from_dict(a.to_dict())
    b.weights["onboarding"].update(usage=25, breadth=20)
    b.rules["csat"] = {"kind": "linear", "worst": 2, "best": 5}
    b.amber_max, b.renewal_days, b.min_measures = 80.0, 60, 2
    d = compare(a, b)
    assert d["setting"].tolist() == ["weight: Usage level (onboarding)", "weight: Breadth of use (onboarding)",
                                     "rule: CSAT", "amber up to", "renewal window days",
                                     "minimum measures per customer"]
    assert d.iloc[5][["a", "b"]].tolist() == ["3", "2"]
    assert d.iloc[0][["a", "b"]].tolist() == ["30", "25"]
    assert d.iloc[2][["a", "b"]].tolist() == ["0 points at 1, 100 at 5, linear between",
                                              "0 points at 2, 100 at 5, linear between"]
    assert d.iloc[3][["a", "b"]].tolist() == ["75", "80"] and d.iloc[4][["a", "b"]].tolist() == ["90", "60"]


def test_weights_table_shows_every_measure_and_stage():
    t = weights_table(default_config())
    assert t["key"].tolist() == list(MEASURES)
    for s in STAGES:
        assert t[s].sum() == 100
    assert t.set_index("key").at["tickets", "rule"] == "below 1: 100; 1 to <2: 80; 2 to <4: 50; 4 or more: 20"


def test_no_months_asked_gives_no_snapshot_day():
    assert snapshot_days(pd.Timestamp("2026-10-31"), pd.Timestamp("2025-01-01"), 0) == []
    assert len(snapshot_days(pd.Timestamp("2026-10-31"), pd.Timestamp("2025-01-01"), 3)) == 3
