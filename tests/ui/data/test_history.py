"""ui/data/history.py: what the undo confirmation says it will remove (the flow: tests/pages/test_data_undo.py)."""

from ui.data import history
from ui.data.history import removal_text


def test_the_removal_names_each_table_with_rows_in_words():
    rows = {"customer": 1, "revenue": 1200, "activity": 0, "ticket": 3, "feedback": 0, "intervention": 0}
    assert removal_text(rows) == "1 customer, 1,200 revenue rows and 3 tickets"
    assert removal_text({"customer": 0, "activity": 1}) == "1 activity row"


def test_an_import_whose_rows_are_gone_says_so():
    assert removal_text(dict.fromkeys(("customer", "revenue", "activity"), 0)).startswith("no rows (a later replace")


def test_the_history_writes_row_counts_with_thousands_separators():
    # a 1,000,000-row import read "1000000" in the history (issue 19): the counts are numbers shown localized
    config = history.column_config()
    for c in history.COUNTS:
        assert config[c]["type_config"]["type"] == "number" and config[c]["type_config"]["format"] == "localized", c
        assert config[c]["label"] == history.SHOWN[c]
    assert set(history.COUNTS) <= set(history.SHOWN)


def test_an_import_never_undone_shows_empty_cells_not_none():
    import pandas as pd

    shown = pd.DataFrame({"id": [1, 2], "undone_at": [None, "2025-01-02 10:00:00"], "undo_reason": [None, "twice"]})
    out = history.blanks(shown)
    assert out["undo_reason"].tolist() == ["", "twice"]
    assert pd.isna(out["undone_at"].iloc[0]) and out["undone_at"].iloc[1] == pd.Timestamp("2025-01-02 10:00")
    assert str(out["undone_at"].dtype).startswith("datetime64")  # a missing time, drawn empty
