"""ui/health/sections.py: the action list as the page shows it (issue 21): a name or segment the store lacks is an
empty cell, and a column nobody has is left out, never ``None``."""

import pandas as pd

from ui.health.sections import readable


def test_missing_names_and_segments_are_empty_and_absent_columns_dropped():
    actions = pd.DataFrame({"customer_id": ["a", "b"], "name": [None, None], "segment": ["SMB", None],
                            "score": [40.0, 30.0]})
    out = readable(actions)
    assert list(out.columns) == ["customer_id", "segment", "score"]  # nobody has a name: no name column
    assert out["segment"].tolist() == ["SMB", ""]
    assert actions["name"].isna().all()  # the list itself is not changed
