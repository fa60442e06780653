"""Every play at a glance (core.roi.summary): each demo play's row against pandas on its contacts (customers treated
and held out, the retention difference and its Wald interval per 100 contacted, the verdict, the cost), and an
imported three-arm campaign measured on its own first outcome and valued on its spend."""

import numpy as np
import pandas as pd
import pytest

from core.export import units
from core.roi.inputs import load_inputs
from core.roi.outcomes import outcomes
from core.roi.summary import summary
from tests.core.roi.helpers import PLAYS


def _wald(t: pd.Series, c: pd.Series) -> tuple[float, float, float]:
    d = t.mean() - c.mean()
    se = np.sqrt(t.mean() * (1 - t.mean()) / len(t) + c.mean() * (1 - c.mean()) / len(c))
    return d, d - 1.959964 * se, d + 1.959964 * se


def test_each_play_reads_as_pandas_on_its_contacts(inp):
    frames = {p: outcomes(inp, p, window=90) for p in inp.plays()}
    t = summary(frames).set_index("play")
    assert list(t.index) == list(inp.plays()) and set(PLAYS) <= set(t.index)
    for play, f in frames.items():
        e = f[f["eligible"]]
        tr, ho = e[e["arm"] == "treatment"], e[e["arm"] == "holdout"]
        d, lo, hi = _wald(tr["retained"].astype(float), ho["retained"].astype(float))
        r = t.loc[play]
        assert (r["outcome"], r["arm"], r["control"]) == ("Retained", "treatment", "holdout")
        assert (r["treated"], r["held_out"]) == (len(tr), len(ho))
        assert r["difference"] == pytest.approx(d) and (r["low"], r["high"]) == (pytest.approx(lo, abs=1e-6),
                                                                                 pytest.approx(hi, abs=1e-6))
        assert r["effect"] == f"{100 * d:+.1f} per 100 contacted"
        assert r["interval"] == f"{100 * lo:+.1f} to {100 * hi:+.1f}"
        assert r["verdict"] == ("works" if lo > 0 else "hurts" if hi < 0 else "no clear effect")
        assert r["cost"] == units.money(tr["cost"].sum())
        assert r["sentence"].startswith(play) and r["note"] == ""


def test_an_imported_campaign_reads_on_its_own_outcome(campaign_store):
    engine, frame = campaign_store
    inp = load_inputs(engine)
    play = "Spring e-mail test"
    r = summary({play: outcomes(inp, play)}).iloc[0]
    v = frame.assign(v=(frame["Visited"] == "Yes") * 1.0)
    arms = v["Arm"].value_counts()
    top = [a for a in arms.index if a != "No E-Mail"][0]
    d, lo, hi = _wald(v.loc[v["Arm"] == top, "v"], v.loc[v["Arm"] == "No E-Mail", "v"])
    assert (r["outcome"], r["arm"], r["control"]) == ("Visited", top, "holdout")
    assert r["difference"] == pytest.approx(d) and r["effect"] == f"{100 * d:+.1f} per 100 contacted"
    assert r["cost"] == units.money(frame.loc[frame["Arm"] == top, "Cost"].sum())
    assert r["roi_projected"] == units.MISSING and r["revenue_saved"].startswith(("$", "-$"))


def test_a_play_without_contacts_says_so(inp):
    f = outcomes(inp, PLAYS[0], window=90)
    r = summary({PLAYS[0]: f.iloc[:0]}).iloc[0]
    assert r["note"] == "no contact within the filters" and pd.isna(r["treated"]) and r["effect"] == units.MISSING
