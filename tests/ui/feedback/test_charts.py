"""The Feedback themes "By segment" heat map at full size (issue 21): it takes its container's width, grows a
readable row per theme, shows every theme and segment name (none run into the next: "EnterpSMB"; slanted when a
column is narrow, as on a 390 px phone; tests/e2e/walk_feedback_themes.py photographs both widths), and
its cells equal a crosstab written here in pandas from the verbatims."""

import numpy as np
import pandas as pd
import pytest

from core.feedback.codebook import Codebook
from core.feedback.mentions import by_group
from core.feedback.tagging import tag
from ui.feedback import charts

SEGMENTS = ["Enterprise", "Mid-Market", "SMB", "(unknown)"]
THEMES = {"Pricing & value": "price", "Onboarding": "onboarding", "Support": "support", "Bugs": "bug",
          "Integrations": "integration", "Performance": "slow", "Reporting": "report", "Billing": "invoice"}


@pytest.fixture(scope="module")
def verbatims():
    """Seeded verbatims naming one to three of the themes' keywords, each from a segment."""
    rng = np.random.default_rng(7)
    words = list(THEMES.values())
    n = 600
    texts = [" and ".join(rng.choice(words, rng.integers(1, 4), replace=False)) + " matter" for _ in range(n)]
    texts[:5] = ["nothing to say"] * 5  # untagged verbatims still count in their segment's total
    return pd.DataFrame({"text": texts, "segment": rng.choice(SEGMENTS, n, p=[0.2, 0.3, 0.4, 0.1]), "sentiment": 0.0,
                         "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")})


@pytest.fixture(scope="module")
def book():
    b = Codebook({}, 1)
    for name, word in THEMES.items():
        b, _ = b.create(name, [word])
    return b


@pytest.fixture(scope="module")
def bg(verbatims, book):
    return by_group(verbatims, tag(verbatims["text"], book), book, by="segment")


def _crosstab(verbatims: pd.DataFrame) -> pd.DataFrame:
    """Share of each segment's verbatims whose text holds each theme's keyword (theme x segment)."""
    named = pd.DataFrame({name: verbatims["text"].str.contains(word) for name, word in THEMES.items()})
    named["segment"] = verbatims["segment"]
    return named.groupby("segment").mean().T


def test_the_heat_map_takes_the_container_width_and_a_row_per_theme(bg):
    spec = charts.by_group(bg, "Segment").to_dict()
    assert spec["width"] == "container"
    assert spec["height"] >= charts.ROW_HEIGHT * len(THEMES) and charts.ROW_HEIGHT >= 28
    more = pd.concat([bg, bg.assign(theme=bg["theme"] + " too")], ignore_index=True)
    assert charts.by_group(more, "Segment").to_dict()["height"] == charts.ROW_HEIGHT * 2 * len(THEMES)


def test_themes_run_down_the_side_and_segments_across_level_and_cut_to_fit(bg):
    spec = charts.by_group(bg, "Segment").to_dict()
    enc = spec["layer"][0].get("encoding") or spec["encoding"]
    enc = {**spec.get("encoding", {}), **enc}
    assert enc["y"]["field"] == "theme" and enc["x"]["field"] == "group"
    assert enc["y"]["sort"] == list(THEMES) and enc["x"]["sort"] == sorted(SEGMENTS)
    axis = enc["x"]["axis"]
    assert axis["orient"] == "top" and axis["labelOverlap"] is False
    # each name fits its column as drawn: level and cut to the column when wide, slanted below 100 px a column
    column = f"(width / {len(SEGMENTS)})"
    assert axis["labelAngle"]["expr"] == f"{column} < {charts.WIDE_LABEL} ? {charts.SLANT} : 0"
    assert axis["labelLimit"]["expr"] == f"{column} < {charts.WIDE_LABEL} ? {charts.SLANT_LIMIT} : {column} - 8"
    assert -60 <= charts.SLANT <= -30 and charts.SLANT_LIMIT >= 100
    assert enc["x"]["title"] == "Segment" and enc["y"]["title"] is None


def test_every_theme_and_segment_is_shown_and_each_cell_equals_a_pandas_crosstab(bg, verbatims):
    spec = charts.by_group(bg, "Segment").to_dict()
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert set(data["theme"]) == set(THEMES) and set(data["group"]) == set(SEGMENTS)
    shown = data.pivot(index="theme", columns="group", values="share")
    want = _crosstab(verbatims)
    pd.testing.assert_frame_equal(shown.loc[list(THEMES), SEGMENTS], want.loc[list(THEMES), SEGMENTS],
                                  check_names=False, atol=1e-12)
