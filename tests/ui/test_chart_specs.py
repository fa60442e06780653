"""A chart's Vega-Lite spec is converted once per chart object (ui.components.vega_lite_spec) and draws exactly
what st.altair_chart draws."""

from __future__ import annotations

import gc

import altair as alt
import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import components


def _figure() -> alt.Chart:
    return alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]})).mark_bar().encode(x="x", y="y")


def test_a_kept_chart_is_converted_once_and_its_entry_goes_with_it(monkeypatch):
    calls = []
    real = components._convert_altair_to_vega_lite_spec
    monkeypatch.setattr(components, "_convert_altair_to_vega_lite_spec", lambda f: calls.append(id(f)) or real(f))
    kept, other = _figure(), _figure()
    first = components.vega_lite_spec(kept)
    assert components.vega_lite_spec(kept) is first and len(calls) == 1
    components.vega_lite_spec(other)
    assert len(calls) == 2  # another chart object is converted on its own
    key = id(other)
    del other
    gc.collect()
    assert key not in components._SPECS


def _both():
    import altair as alt
    import pandas as pd
    import streamlit as st

    from ui import chart_style, components

    chart_style.enable()
    f = alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]})).mark_bar().encode(x="x", y="y")
    st.altair_chart(f, width="stretch", alt="Largest x: c, 3.")
    components.chart(f, "Largest x: c, 3.", None, "x.csv", key="x")
    components.chart(f, "Largest x: c, 3.", None, "x.csv", key="y")  # the kept spec again, copied


def test_the_spec_drawn_equals_st_altair_charts_own_on_every_draw():
    at = AppTest.from_function(_both).run()
    assert not at.exception
    a, b, c = at.get("vega_lite_chart")
    assert a.proto.spec == b.proto.spec == c.proto.spec
    assert [d.data.data for d in a.proto.datasets] == [d.data.data for d in b.proto.datasets] \
        == [d.data.data for d in c.proto.datasets] != []
    assert a.proto.alt == b.proto.alt == "Largest x: c, 3."
