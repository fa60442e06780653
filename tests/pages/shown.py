"""What a page's table shows: the text ``components.table`` writes for its share columns (AppTest's ``.value`` is
the numbers behind them)."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa


def display_values(element) -> pd.DataFrame:
    """The written cells of a ``components.table`` (its Styler's display values), one column per data column."""
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_all().to_pandas()


def column_types(element) -> dict:
    """Each configured column's ``type_config`` (type, format, step)."""
    return {k: v["type_config"] for k, v in json.loads(element.proto.columns).items() if "type_config" in v}
