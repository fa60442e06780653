"""ui/components.py: links to one customer's pages carry the id URL-encoded; downloads are neutralised."""

import ast
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from core.export import units
from tests.pages.shown import display_values
from ui import components

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_table_writes_its_shares_as_the_unit_formatter_does_and_keeps_their_numbers():
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd

        from ui import components

        df = pd.DataFrame({"band": ["a", "b", "c"], "rate": [0.05197, 0.1, float("nan")], "n": [1924, 10, 3],
                           "mrr": [1.5, 2.0, 3.0]})
        components.table(df, {"rate": components.percent("Churn", help="Churn within 90 days."),
                              "mrr": components.MONEY, "band": "Band"}, hide_index=True)

    at = AppTest.from_function(page).run(timeout=60)
    assert not at.exception
    table = at.dataframe[0]
    assert list(table.value["rate"].iloc[:2]) == [0.05197, 0.1]  # the cells keep the numbers: sorting is by value
    shown = display_values(table)
    assert list(shown["rate"].iloc[:2]) == ["5.2%", "10.0%"]  # rounded as units.percent (the grid cut to 5.1%)
    assert list(shown["rate"]) == [units.percent(x) for x in (0.05197, 0.1, float("nan"))]
    config = json.loads(table.proto.columns)
    assert config["rate"] == {"label": "Churn", "help": "Churn within 90 days.", "type_config": {"type": "number"}}
    assert config["mrr"]["type_config"]["format"] == "dollar"  # other columns keep their own format
    assert config["band"] == {"label": "Band"}


#: only a progress bar may use the grid's own percent format (it draws the bar; its text is no table figure)
_OWN_FORMAT_ALLOWED = {"ProgressColumn"}



#: a share column: components.PERCENT or components.percent(...)
_SHARE = re.compile(r"\bPERCENT\b|\bcomponents\.percent\(")


def _share_makers(path: Path) -> tuple[set[str], set[str]]:
    """Module-level functions and constants of ``path`` that build or hold share columns."""
    functions, constants = set(), set()
    source = path.read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and _SHARE.search(ast.get_source_segment(source, node) or ""):
            functions.add(node.name)
        if isinstance(node, ast.Assign) and _SHARE.search(ast.get_source_segment(source, node.value) or ""):
            constants |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return functions, constants


def test_every_share_in_a_table_goes_through_the_unit_formatter():
    """The grid's "percent" format shows two decimals, and with a step it cuts rather than rounds: a share column is
    declared with ``components.percent``/``PERCENT`` and shown by ``components.table``, never by ``st.dataframe``."""
    paths = sorted((ROOT / "ui").rglob("*.py")) + sorted((ROOT / "pages").rglob("*.py"))
    makers = {path: _share_makers(path) for path in paths}
    functions = set().union(*(f for f, _ in makers.values()))
    own, direct = [], []
    for path in paths:
        source = path.read_text()
        shares = re.compile("|".join([_SHARE.pattern] + [rf"\b{f}\(" for f in functions]
                                     + [rf"\b{c}\b" for c in makers[path][1]]))
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            formats = [k for k in node.keywords if k.arg == "format" and isinstance(k.value, ast.Constant)]
            if (any(k.value.value == "percent" for k in formats) and path.name != "components.py"
                    and name not in _OWN_FORMAT_ALLOWED):
                own.append(where)
            if name == "dataframe" and shares.search(ast.get_source_segment(source, node) or ""):
                direct.append(where)
    assert not own, f"a share column formatted by the grid (use components.percent): {own}"
    assert not direct, f"share columns passed to st.dataframe (use components.table): {direct}"


def test_a_float_column_without_a_format_in_a_styled_table_is_written_as_the_grid_writes_it():
    """A Styler writes every cell (pandas would write 1.234568 and 2.000000): an unformatted float column keeps the
    grid's own look (1.2346, 2), a formatted one keeps its format, an integer column its digits."""
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd

        from ui import components

        df = pd.DataFrame({"rate": [0.05197, 0.1], "x": [1.23456789, 2.0], "big": [11113223.4, -0.00001],
                           "n": [1924, 10], "mrr": [1.5, 2.0]})
        components.table(df, {"rate": components.PERCENT, "mrr": components.MONEY}, hide_index=True)

    at = AppTest.from_function(page).run(timeout=60)
    assert not at.exception
    shown = display_values(at.dataframe[0])
    assert list(shown["x"]) == ["1.2346", "2"] and list(shown["big"]) == ["11113223.4", "0"]
    assert list(shown["n"]) == ["1924", "10"] and list(shown["rate"]) == ["5.2%", "10.0%"]
    assert components.grid_number(float("nan")) == units.MISSING
