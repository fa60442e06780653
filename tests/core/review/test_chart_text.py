"""The sentences under the Quarterly review charts (core/review/chart_text.py): each key figure equals an independent
pandas computation on a small hand-made snapshot's figures, read from the data the chart itself draws."""

import pandas as pd

from core.review import chart_text as ct
from core.review import charts
from core.review.snapshot import FIGURE_COLUMNS


def _figures(rows) -> pd.DataFrame:
    cols = ["page", "metric", "group", "value", "low", "high", "unit", "text"]
    f = pd.DataFrame(rows, columns=cols)
    for c in ("n", "definition", "note"):
        f[c] = ""
    return f


FIGURES = _figures([
    ("Overview", "NRR", "", 1.042, None, None, "share", ""),
    ("Overview", "GRR", "", 0.91, None, None, "share", ""),
    ("Overview", "Logo churn rate", "", 0.123, None, None, "share", ""),
    ("Health scores", "Health band", "red", 0.12, None, None, "share", "180 customers"),
    ("Health scores", "Health band", "amber", 0.27, None, None, "share", "405 customers"),
    ("Health scores", "Health band", "green", 0.61, None, None, "share", "915 customers"),
    ("Intervention ROI", "Play effect", "Onboarding call", 0.031, -0.01, 0.072, "points", ""),
    ("Intervention ROI", "Play effect", "Renewal save offer", 0.129, 0.101, 0.157, "points", ""),
    ("Feedback themes", "Churn impact", "Billing", 0.08, 0.02, 0.14, "points", ""),
])


def test_the_hand_made_figures_are_a_snapshot_frame():
    assert [c for c in FIGURE_COLUMNS if c not in FIGURES] == []


def test_headline_reads_every_rate_as_the_chart_labels_it():
    d = charts.headline(FIGURES).data
    o = FIGURES[FIGURES["page"] == "Overview"]
    want = ", ".join(f"{m} {100 * v:.1f}%" for m, v in zip(o["metric"], o["value"], strict=True))
    assert ct.headline(d) == f"Over the last 12 months: {want}."
    assert ct.headline(d.iloc[:0]).endswith("nothing to show for the current choices.")


def test_health_bands_read_red_against_green():
    d = charts.health_bands(FIGURES).data
    h = FIGURES[FIGURES["metric"] == "Health band"].set_index("group")
    assert ct.health_bands(d) == (f"Scored customers in red: {100 * h.at['red', 'value']:.1f}% ({h.at['red', 'text']})"
                                  f" against {100 * h.at['green', 'value']:.1f}% ({h.at['green', 'text']}) in green.")
    no_red = d[d["band"] != "red"]
    assert ct.health_bands(no_red) == "Largest health band: green, 61.0% (915 customers) (of 2)."


def test_play_effects_and_themes_read_the_largest_with_its_interval():
    d = charts.play_effects(FIGURES).data
    p = FIGURES[FIGURES["metric"] == "Play effect"]
    top = p.loc[p["value"].idxmax()]
    assert ct.effects(d, "play", "play effect on retention") == (
        f"Largest play effect on retention: {top['group']}, {100 * top['value']:+.1f} pts (95 % interval "
        f"{100 * top['low']:+.1f} to {100 * top['high']:+.1f}) (of {len(p)}).")
    t = charts.theme_impacts(FIGURES).data
    assert ct.effects(t, "theme", "churn linked to a feedback theme") == (
        "Largest churn linked to a feedback theme: Billing, +8.0 pts (95 % interval +2.0 to +14.0).")
    assert ct.effects(t.iloc[:0], "theme", "churn linked to a feedback theme") == \
        "Churn linked to a feedback theme: nothing to show for the current choices."


def test_moves_read_the_largest_move_whatever_its_sign():
    comp = pd.DataFrame({"page": ["Overview", "Overview", "Health scores"], "metric": ["NRR", "GRR", "Health band"],
                         "group": ["", "", "red"], "before": [1.0, 0.9, 0.1], "after": [1.02, 0.85, 0.13],
                         "change": [0.02, -0.05, 0.03], "unit": ["share", "share", "share"]})
    d = charts.moves(comp).data
    top = comp.loc[comp["change"].abs().idxmax()]
    assert ct.moves(d) == f"Largest move in a rate: {top['metric']} ({top['page']}), {100 * top['change']:+.1f} pts " \
                          f"(of {len(comp)})."
    data = ct.chart_data(d)
    assert list(data.columns) == ["Figure", "Value"] and data["Figure"].iloc[0] == "GRR (Overview)"
    assert ct.moves(d.iloc[:0]).endswith("nothing to show for the current choices.")


def test_chart_data_has_human_headers():
    d = ct.chart_data(charts.play_effects(FIGURES).data)
    assert list(d.columns) == ["Play", "Value", "95 % interval (points)"]
