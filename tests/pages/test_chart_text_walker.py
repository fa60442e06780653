"""The plain-words walker asks every chart for its text alternative (issue 21, Deliver 3): an accessible name that
also stands in a caption, so a reader who cannot see the chart reads its key figure. Small scripts, no store."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages import plain_words as pw


def _bare_chart():
    import altair as alt
    import pandas as pd
    import streamlit as st

    st.altair_chart(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x"), width="stretch")


def _named_chart_without_caption():
    import altair as alt
    import pandas as pd
    import streamlit as st

    st.altair_chart(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x"), width="stretch",
                    alt="Largest x: 2.")


def _chart_with_its_text_alternative():
    import altair as alt
    import pandas as pd

    from ui import components

    df = pd.DataFrame({"Segment": ["[Ent](http://x)", "SMB"], "MRR": [2, 1]})
    components.chart(alt.Chart(df).mark_bar().encode(x="MRR", y="Segment"), "Largest MRR: [Ent](http://x), $2.", df,
                     "mrr.csv", key="mrr")


def _found(script) -> list[str]:
    at = AppTest.from_function(script).run()
    assert not at.exception, at.exception
    return [f.split(": ")[1] for f in pw.findings(pw.collect(at)) if "text alternative" in f.split(": ")[0]]


def test_a_chart_without_a_text_alternative_is_found():
    assert _found(_bare_chart) == ["chart without a text alternative"]


def test_a_text_alternative_that_no_caption_shows_is_found():
    assert _found(_named_chart_without_caption) == ["text alternative not in a caption"]


def test_the_shared_chart_component_gives_both_and_its_data_one_click_away():
    at = AppTest.from_function(_chart_with_its_text_alternative).run()
    assert _found(_chart_with_its_text_alternative) == []
    chart = at.get("vega_lite_chart")[0]
    assert chart.proto.alt == "Largest MRR: [Ent](http://x), $2."  # an attribute: plain text, never Markdown
    assert at.caption[0].value == r"Largest MRR: \[Ent\](http\://x), \$2."  # the caption escapes the data
    button = at.get("download_button")[0].proto
    assert button.label == "Get the chart's data (CSV)" and button.deferred_file_id and button.ignore_rerun
