"""AppTest of the Data page's import flow (pages/data.py): upload, map, validate, import, undo."""

import datetime as dt

import pandas as pd

import core
from tests.pages.conftest import data_page


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_upload_map_validate_import_and_undo_the_telco_file(store_url, shared):
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    at = data_page()
    at.file_uploader[0].upload(telco.name, telco.read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    # the file needs a snapshot date: a clear message, not a crash
    assert "--as-of" in at.error[0].value or "snapshot date" in at.error[0].value
    at.date_input(key="data_as_of").set_value(dt.date(2024, 1, 31)).run()
    assert len(at.error) == 0
    m = _metrics(at)
    assert m["Rows read"] == "7,043" and m["Errors"] == "0" and m["Warnings"] == "11"
    frames = [d.value for d in at.dataframe]
    report = next(f for f in frames if "problem" in f.columns)
    assert set(report["column"]) == {"TotalCharges"} and len(report) == 11
    raw = pd.read_csv(telco, dtype=str, keep_default_na=False)
    assert sorted(report["row"]) == [i + 2 for i in raw.index[raw["TotalCharges"] == " "]]  # spreadsheet rows
    key = f"data_map_customers_None_{hash(telco.read_bytes())}"  # the mapping editor: a select box per field
    assert at.selectbox(key=f"{key}_customer_id").value == "customerID"
    assert at.selectbox(key=f"{key}_mrr").value == "MonthlyCharges"
    at.radio(key="data_strict").set_value("load the valid rows (lenient)").run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    assert _metrics(at)["Customers"] == "7,043"
    assert "Import #1 loaded" in at.success[0].value
    eng = core.make_engine(store_url)
    assert core.table_counts(eng)["customer"] == 7043

    at.selectbox(key="data_undo_id").set_value(1)
    at.button(key="data_undo").click().run()  # asks first (tests/pages/test_data_undo.py has the whole flow)
    assert core.table_counts(eng)["customer"] == 7043
    at.button(key="data_undo_confirm").click().run()
    assert not at.exception, at.exception
    assert core.table_counts(eng)["customer"] == 0 and core.table_counts(eng)["importlog"] == 1  # kept, undone
    assert _metrics(at)["Customers"] == "0"


def test_mapping_change_and_fixed_value_reach_the_validation(store_url, shared):
    reviews = shared / "womens_clothing_reviews/womens_clothing_reviews.csv"
    at = data_page()
    at.file_uploader[0].upload(reviews.name, reviews.read_bytes(), "text/csv").run()
    at.selectbox(key="data_kind").set_value("feedback").run()
    assert "maps to 'channel'" in at.error[0].value  # feedback needs a channel
    assert len(at.button) >= 1 and "data_import" not in [b.key for b in at.button]


def test_a_picture_is_refused_with_a_message(store_url):
    at = data_page()
    at.file_uploader[0].upload("chart.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "text/csv").run()
    assert not at.exception, at.exception
    assert "PNG image, not a spreadsheet" in at.error[0].value
    assert core.table_counts(core.make_engine(store_url))["customer"] == 0


def test_template_download_is_offered_for_every_kind(store_url):
    at = data_page()
    assert at.selectbox(key="data_template_kind").options == list(core.KINDS)


def test_editing_the_mapping_fixes_the_file(store_url, shared):
    """Feedback needs a channel: typing 'review' as the fixed value in the mapping editor makes the
    reviews file valid, and the import loads all 23,486 rows with that channel."""
    reviews = shared / "womens_clothing_reviews/womens_clothing_reviews.csv"
    data = reviews.read_bytes()
    at = data_page()
    at.file_uploader[0].upload(reviews.name, data, "text/csv").run()
    at.selectbox(key="data_kind").set_value("feedback").run()
    assert "maps to 'channel'" in at.error[0].value
    key = f"data_map_feedback_None_{hash(data)}_channel"
    at.selectbox(key=key).set_value("(one value for every row)").run()
    at.text_input(key=f"{key}_value").input("review").run()
    assert len(at.error) == 0, at.error
    m = _metrics(at)
    assert m["Rows read"] == "23,486" and m["Errors"] == "0"
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    fb = core.load_table(core.make_engine(store_url), "feedback")
    assert len(fb) == 23486 and set(fb["channel"]) == {"review"}
