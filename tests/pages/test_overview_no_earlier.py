"""Overview tiles without an earlier period (issue 21): a tile whose figure has no value one period earlier shows no
change and says so ("no earlier month to compare", its help saying why), never "vs. <month>" beside nothing; a tile
with a change still names the period it compares with. Checked on a one-month book (nobody active before the
12-month window's first day, so no earlier headline at all) and on a book with one month of MRR (ARPA and the
12-month revenue rates have no earlier value, the customer counts and MRR have one)."""

import pandas as pd
import pytest

import core
from core.buyers.overview import NO_EARLIER, NO_EARLIER_HELP
from tests.pages.conftest import open_page

#: one month of MRR (Jun 2024): A signed up in Jun 2023, B and C in Jun 2024
REVENUE = b"customer_id,period,mrr\nA,2024-06-01,100\nB,2024-06-01,200\nC,2024-06-01,50\n"


def _customers(a_signup: str) -> bytes:
    return (f"customer_id,segment,signup_date,churn_date\nA,SMB,{a_signup},\nB,SMB,2024-06-10,\n"
            "C,Enterprise,2024-06-20,\n").encode()


def _store(folder, a_signup: str) -> str:
    url = f"sqlite:///{folder / 'store.db'}"
    engine = core.make_engine(url)
    for data, name, kind in ((_customers(a_signup), "c.csv", "customers"), (REVENUE, "r.csv", "revenue")):
        core.commit_import(engine, core.prepare_import(engine, data, name, kind))
    engine.dispose()
    return url


#: the recurring section's tiles (the MRR at risk tiles below them are no period's change)
TILES = ("Customers", "Active customers", "Logo churn rate", "MRR", "ARR", "ARPA", "NRR", "GRR", "Revenue churn rate")


def _tiles(at) -> dict[str, tuple[str, str, str]]:
    """label -> (delta, what it compares with, help) of every tile of the recurring section."""
    return {m.label: (m.proto.delta, m.proto.delta_description, m.proto.help) for m in at.metric if m.label in TILES}


def _earlier(customers: pd.DataFrame, revenue: pd.DataFrame) -> dict[str, bool]:
    """Whether each figure has a value one month earlier, by pandas alone: the earlier headline exists when someone
    signed up by the day before its 12-month window (31 May 2023); ARPA's when someone paid in May 2024."""
    someone = bool((pd.to_datetime(customers["signup_date"]) <= "2023-05-31").any())
    paid_may = bool(((pd.to_datetime(revenue["period"]).dt.to_period("M") == pd.Period("2024-05", "M"))
                     & (revenue["mrr"] > 0)).any())
    return {"headline": someone, "ARPA": paid_may}


def _read(data: bytes) -> pd.DataFrame:
    import io

    return pd.read_csv(io.BytesIO(data))


def _check(tiles, has_earlier) -> None:
    for label, (delta, versus, help_) in tiles.items():
        if has_earlier(label):
            assert delta and versus.startswith("vs. "), (label, delta, versus)
            assert NO_EARLIER_HELP not in help_
        else:
            assert not delta and versus == NO_EARLIER, (label, delta, versus)
            assert help_.endswith(NO_EARLIER_HELP), (label, help_)


@pytest.mark.parametrize("a_signup", ["2023-06-15", "2023-01-03"])
def test_a_tile_without_an_earlier_value_says_so_instead_of_a_change(tmp_path, monkeypatch, a_signup):
    url = _store(tmp_path, a_signup)
    at = open_page(monkeypatch, url, "overview")
    tiles = _tiles(at)
    assert set(tiles) == set(TILES)
    earlier = _earlier(_read(_customers(a_signup)), _read(REVENUE))
    rates = {"NRR", "GRR", "Revenue churn rate"}  # the 12-month revenue rates need MRR before the window: none here

    def has_earlier(label):
        return earlier["ARPA"] if label == "ARPA" else (earlier["headline"] and label not in rates)

    _check(tiles, has_earlier)
    assert any(not has_earlier(label) for label in tiles)
    if not earlier["headline"]:  # nothing to compare: the caption does not speak of arrows
        assert all(not has_earlier(label) for label in tiles)
        assert not any("arrows compare" in c.value for c in at.caption)
    else:
        assert any(has_earlier(label) for label in tiles)
