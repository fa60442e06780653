"""The Data page's mapping editor (ui/data/importing.py): a select box per field, preset to the match, with the
field's description and the match's confidence in words; a changed choice changes the mapping the import uses."""

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

import core
from core.ingest import mapping as M

ROOT = Path(__file__).resolve().parents[3]
CAMPAIGN = ROOT / "data" / "samples" / "campaign.csv"


def _editor():
    """The editor alone, on the campaign sample's columns; what it returns goes to session state."""
    import streamlit as st

    from ui.data import importing

    columns = ["Customer ID", "Arm", "Sent On", "Visited", "Converted", "Spend", "Spend Last Year", "Cost",
               "Campaign Title Draft"]
    guessed = {"customer_id": "Customer ID", "date": "Sent On", "group": "Arm", "cost": "Cost",
               "play": "Campaign Title Draft"}
    st.session_state["result"] = importing._mapping_editor(columns, guessed, "interventions", key="m")


def test_one_select_box_per_field_preset_to_the_match_with_its_description_and_confidence():
    at = AppTest.from_function(_editor).run()
    assert not at.exception, at.exception
    specs = core.KINDS["interventions"]
    boxes = {s.name: at.selectbox(key=f"m_{s.name}") for s in specs}
    assert boxes["date"].value == "Sent On" and boxes["cost"].value == "Cost" and boxes["channel"].value is not None
    assert boxes["channel"].value == "(not in this file)"
    assert boxes["date"].options == ["(not in this file)", "Customer ID", "Arm", "Sent On", "Visited", "Converted",
                                     "Spend", "Spend Last Year", "Cost", "Campaign Title Draft",
                                     "(one value for every row)"]
    captions = [c.value for c in at.caption]
    assert all(s.help in captions for s in specs)  # every field's description is on the page
    assert "matched by name" in captions  # Sent On, Arm, Cost, Customer ID
    assert "guessed from similar words - check" in captions  # "Campaign Title Draft" only contains a synonym
    assert "not in this file" in captions  # channel
    mapping, constants = at.session_state["result"]
    assert mapping == {"customer_id": "Customer ID", "play": "Campaign Title Draft", "channel": None,
                       "date": "Sent On", "group": "Arm", "cost": "Cost"}
    assert constants == {}


def test_a_changed_choice_changes_the_mapping_and_says_it_was_chosen():
    at = AppTest.from_function(_editor).run()
    at.selectbox(key="m_cost").set_value("(not in this file)").run()
    at.selectbox(key="m_play").set_value("(one value for every row)").run()
    at.text_input(key="m_play_value").input("Spring e-mail test").run()
    at.selectbox(key="m_channel").set_value("Visited").run()
    mapping, constants = at.session_state["result"]
    assert mapping["cost"] is None and mapping["play"] is None and mapping["channel"] == "Visited"
    assert constants == {"play": "Spring e-mail test"}
    captions = [c.value for c in at.caption]
    assert M.CHOSEN in captions and "one value for every row" in captions


def test_on_the_page_a_changed_choice_changes_the_mapping_the_import_uses(tmp_path, monkeypatch):
    monkeypatch.setenv("RETENTION_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    data = CAMPAIGN.read_bytes()
    at.file_uploader[0].upload(CAMPAIGN.name, data, "text/csv").run()
    at.selectbox(key="data_kind").set_value("interventions").run()
    key = f"data_map_interventions_None_{hash(data)}"
    assert at.selectbox(key=f"{key}_date").value == "Sent On"  # no --map needed
    at.selectbox(key=f"{key}_play").set_value("(one value for every row)").run()
    at.text_input(key=f"{key}_play_value").input("Spring e-mail test").run()
    assert not at.exception and len(at.error) == 0, at.error
    preview = next(d.value for d in at.dataframe if "group" in d.value.columns)
    raw = pd.read_csv(CAMPAIGN, dtype=str)
    assert preview["cost"].tolist() == raw["Cost"].head(20).tolist()

    at.selectbox(key=f"{key}_cost").set_value("Spend").run()  # the analyst's choice reaches the import
    preview = next(d.value for d in at.dataframe if "group" in d.value.columns)
    assert preview["cost"].tolist() == raw["Spend"].head(20).tolist()
    assert M.CHOSEN in [c.value for c in at.caption]
