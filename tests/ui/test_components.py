"""ui/components.py: links to one customer's pages carry the id URL-encoded; downloads are neutralised."""

from urllib.parse import parse_qs, urlsplit

import pandas as pd

from ui import components


def test_a_customer_link_opens_that_customer_whatever_characters_its_id_has():
    ids = pd.Series(["C001", "A&B", "x#1", "two words", "é/ü?", "00001"])
    links = components.customer_link("health_scores", ids)
    for cid, link in zip(ids, links):
        parts = urlsplit(link)
        assert parts.path == "health_scores"
        assert parse_qs(parts.query) == {"customer": [cid]}  # decodes back to exactly the id, nothing more


def test_with_customer_links_adds_one_link_column_per_page_with_its_configuration():
    df = pd.DataFrame({"customer_id": ["A&B", "C"], "mrr": [1.0, 2.0]})
    shown, config = components.with_customer_links(df, ("churn_risk", "feedback_page"))
    assert list(shown.columns) == ["customer_id", "mrr", "churn_risk", "feedback_page"]
    assert list(shown["churn_risk"]) == ["churn_drivers?customer=A%26B", "churn_drivers?customer=C"]
    assert list(shown["feedback_page"]) == ["feedback_themes?customer=A%26B", "feedback_themes?customer=C"]
    assert set(config) == {"churn_risk", "feedback_page"}
    assert config["churn_risk"]["type_config"]["type"] == "link"
    assert "churn_risk" not in df  # the input is left alone


def test_a_value_from_the_data_is_inert_inside_markdown():
    from streamlit.testing.v1 import AppTest

    hostile = "![x](http://tracker.example/p.png) **bold** <b>html</b> `code` [link](http://x) $x$ a_b|c~d"

    def page(text):
        import streamlit as st

        from ui import components

        st.markdown(f"**{components.plain(text)}** goes with the most churn")

    at = AppTest.from_function(page, args=(hostile,)).run()
    source = at.markdown[0].value
    # each meaningful character is escaped, so the text shows as written: no image, link, HTML, code or emphasis
    for ch in "![]*<>`$_|~":
        assert ch not in source.replace("\\" + ch, "")[2:-len("** goes with the most churn")].replace("**", ""), ch
    assert components.plain("Pricing & value") == "Pricing & value"
    assert components.plain("Mid-Market 2.0") == "Mid-Market 2.0"
    assert components.plain("a\nb") == "a b"
