"""Every chart of the Feedback themes page has its text alternative (issue 21, Deliver 3): on a copy of the small
demo store, each chart's accessible name is a non-empty sentence shown as a caption too, the charts with no table
beside them offer their data as a CSV with human headers, and the survey-score sentence's figures (NPS of all
answers in the first and last quarter) equal pandas on the store's answers."""

from __future__ import annotations

import re
import sqlite3

import pandas as pd
import pytest

from tests.pages import plain_pages, warm
from tests.pages.conftest import default_window

START, END = (pd.Timestamp(d) for d in default_window())


#: a private copy of the small demo store
store_url = warm.store_fixture("feedback_chart_text")


@pytest.fixture(scope="module")
def page(store_url):
    with plain_pages.opened(store_url, "feedback_themes", timeout=300) as at:
        yield at


def _charts(at) -> list:
    return at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")


def _captions(at) -> set[str]:
    return {re.sub(r"\\(.)", r"\1", c.value) for c in at.caption}  # Markdown escapes undone


def test_every_chart_has_a_sentence_shown_as_its_caption(page):
    charts = _charts(page)
    assert len(charts) == 5  # churn impact, MRR at risk, over time, by segment, scores
    alts = [c.proto.alt for c in charts]
    assert all(a.strip() for a in alts), alts
    assert set(alts) <= _captions(page)
    assert len(set(alts)) == 5
    assert alts[0].startswith("Largest churn impact: ") and alts[1].startswith("Largest MRR at risk: ")
    assert alts[2].startswith("Share of verbatims naming ") and alts[3].startswith("Largest share of a segment's")


def test_the_charts_without_a_table_offer_their_data_with_human_headers(page, monkeypatch):
    """The frames the charts hand to their download (caught on a rerun): only the charts with no table beside them
    have one, no code word in a header, shares in percent, the same rows as the chart draws."""
    from ui import components

    frames, real = {}, components.chart

    def caught(figure, sentence, data, file_name, key, where=components.st):
        frames[key] = data
        return real(figure, sentence, data, file_name, key, where)

    monkeypatch.setattr(components, "chart", caught)
    page.run()
    assert not page.exception, page.exception
    assert {k for k, v in frames.items() if v is not None} == {"themes_dl_time", "themes_dl_group"}
    keys = [b.proto.id.rsplit("-", 1)[-1] for b in page.get("download_button")
            if b.label == "Get the chart's data (CSV)"]
    assert keys == ["themes_dl_time", "themes_dl_group"]
    over_time, by_group = frames["themes_dl_time"], frames["themes_dl_group"]
    assert over_time.columns.tolist() == ["Period", "Theme", "Verbatims naming it", "Verbatims",
                                          "Share of verbatims (%)", "Average sentiment (-1 to +1)"]
    assert by_group.columns.tolist() == ["Segment", "Theme", "Verbatims naming it", "Verbatims",
                                         "Share of verbatims (%)", "Average sentiment (-1 to +1)"]
    drawn = _data(_charts(page)[2])
    assert len(over_time) == len(drawn)
    assert (over_time["Share of verbatims (%)"] - 100 * drawn["share"].to_numpy()).abs().max() < 0.006


def _data(chart) -> pd.DataFrame:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)


def _nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_the_scores_sentence_reads_nps_of_all_answers_in_the_first_and_last_quarter(page, store_url):
    con = sqlite3.connect(store_url.split("///", 1)[1])
    fb = pd.read_sql("SELECT date, channel, score FROM feedback WHERE score IS NOT NULL", con)
    con.close()
    fb["date"] = pd.to_datetime(fb["date"], format="ISO8601")
    nps = fb[(fb["channel"].str.lower() == "nps") & (fb["date"] >= START) & (fb["date"] <= END)]
    quarter = nps["date"].dt.to_period("Q")
    first, last = quarter.min(), quarter.max()
    want = (f"NPS of all answers: {_nps(nps.loc[quarter == first, 'score']):+.1f} in Q{first.quarter} {first.year}, "
            f"{_nps(nps.loc[quarter == last, 'score']):+.1f} in Q{last.quarter} {last.year}.")
    assert _charts(page)[4].proto.alt == want
