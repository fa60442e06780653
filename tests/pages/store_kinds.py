"""The five kinds of store of issue 20, built the way an analyst builds them on the Data page (the importer's
``prepare_import`` then ``commit_import``; the demo with the Data page's "Reset to demo data" loader), each in a
folder of its own, once per test module (:class:`Stores`).

* ``demo``: the demo business (a recurring-revenue book with usage, tickets, feedback and plays), 1,000 customers,
  seed 0: a copy of the session's small demo store (``tests/conftest.py``), as the pages write into their store;
* ``cdnow``: the CDNOW master log (``../shared/data/cdnow/CDNOW_master.txt``) as a purchase log (transactions);
* ``cdnow_sample``: the log's published 1/10 sample (``CDNOW_sample.txt``: 2,357 customers, headerless, mapped by
  :data:`SAMPLE_MAP`) as a purchase log: not one of :data:`KINDS`, for the tests that read a purchase log's pages
  for their words or compare two engines on it, where the master's 23,570 customers only cost time (every page on
  the master is tests/pages/test_every_store.py's);
* ``telco``: the telco file as a snapshot as of :data:`TELCO_AS_OF` (tenure in months and a churn flag);
* ``reviews``: the first :data:`REVIEWS_ROWS` women's clothing reviews as feedback only (channel ``review``, no
  dates, no customers). Not all 23,486: the Feedback themes page's first build grows with the texts (sentiment,
  tagging and discovery take about 15 s on the whole file), and the whole file's import is checked against the
  file by tests/core/cli/test_public_files_detected.py;
* ``mix``: a small recurring-revenue book (:func:`book`, generated here, 1997-98 like the log), the headerless CDNOW
  sample as a purchase log, and the first :data:`MIX_REVIEWS` clothing reviews.

The public files are read in place (``../shared/data``, see its README for their facts).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import core
from tests.conftest import SHARED, SMALL_DEMO_CUSTOMERS, copy_store

KINDS = ("demo", "cdnow", "telco", "reviews", "mix")
CDNOW = SHARED / "cdnow/CDNOW_master.txt"
CDNOW_SAMPLE = SHARED / "cdnow/CDNOW_sample.txt"
TELCO = SHARED / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
REVIEWS = SHARED / "womens_clothing_reviews/womens_clothing_reviews.csv"
TELCO_AS_OF = "2024-01-31"
#: the headerless CDNOW sample's columns, as README.md's table of public files maps them (field -> column)
SAMPLE_MAP = {"customer_id": "column_1", "date": "column_3", "quantity": "column_4", "amount": "column_5"}
#: reviews in the feedback-only store and in the mix (enough for themes, few enough to keep the page quick)
REVIEWS_ROWS, MIX_REVIEWS = 5000, 2000
#: the recurring book of the mix: customers, their signups over 1997, monthly MRR up to this month
BOOK_CUSTOMERS, BOOK_END = 60, "1998-06"


def book(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small recurring-revenue book over the CDNOW log's dates: customers ``B000..`` (segment, signup date, churn
    date for about a third of them) and one MRR row per customer and month from the signup month to the churn month
    (or :data:`BOOK_END`)."""
    rng = np.random.default_rng(seed)
    ids = [f"B{i:03d}" for i in range(BOOK_CUSTOMERS)]
    signup = pd.Timestamp("1997-01-01") + pd.to_timedelta(rng.integers(0, 365, BOOK_CUSTOMERS), unit="D")
    lifetime = pd.to_timedelta(rng.integers(60, 420, BOOK_CUSTOMERS), unit="D")
    churn = pd.Series(signup + lifetime).where(rng.random(BOOK_CUSTOMERS) < 0.35)
    churn = churn.where(churn <= pd.Timestamp(BOOK_END) + pd.offsets.MonthEnd(0))
    customers = pd.DataFrame({"customer_id": ids, "segment": rng.choice(["SMB", "Enterprise"], BOOK_CUSTOMERS),
                              "signup_date": signup.strftime("%Y-%m-%d"), "churn_date": churn.dt.strftime("%Y-%m-%d")})
    rows = []
    for cid, start, end, mrr in zip(ids, signup, churn, rng.integers(50, 500, BOOK_CUSTOMERS), strict=True):
        last = end.to_period("M") if pd.notna(end) else pd.Period(BOOK_END, "M")
        rows += [(cid, p.start_time.strftime("%Y-%m-%d"), int(mrr)) for p in pd.period_range(start, last, freq="M")]
    return customers, pd.DataFrame(rows, columns=["customer_id", "period", "mrr"])


def reviews(rows: int) -> pd.DataFrame:
    """The first ``rows`` clothing reviews as the file has them (its unnamed first column is the index)."""
    return pd.read_csv(REVIEWS, index_col=0).head(rows)


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode()


def _sample() -> tuple[bytes, str, str, dict]:
    """The headerless CDNOW sample as a purchase log (its second column, the master's customer id, left out)."""
    return (CDNOW_SAMPLE.read_bytes(), CDNOW_SAMPLE.name, "transactions",
            {"header": False, "mapping": SAMPLE_MAP, "ignore": ("column_2",)})


def _imports(kind: str) -> list[tuple[bytes, str, str, dict]]:
    """The files of a store kind, in import order: (content, file name, kind of data, importer options)."""
    if kind == "cdnow":
        return [(CDNOW.read_bytes(), CDNOW.name, "transactions", {})]
    if kind == "cdnow_sample":
        return [_sample()]
    if kind == "telco":
        return [(TELCO.read_bytes(), TELCO.name, "customers", {"as_of": TELCO_AS_OF})]
    if kind == "reviews":
        return [(_csv(reviews(REVIEWS_ROWS)), f"womens_clothing_reviews_{REVIEWS_ROWS}.csv", "feedback",
                 {"constants": {"channel": "review"}})]
    if kind == "mix":
        customers, mrr = book()
        return [(_csv(customers), "book_customers.csv", "customers", {}),
                (_csv(mrr), "book_mrr.csv", "revenue", {}),
                _sample(),
                (_csv(reviews(MIX_REVIEWS)), "reviews_2000.csv", "feedback", {"constants": {"channel": "review"}})]
    raise ValueError(f"unknown store kind {kind!r}: one of {', '.join(KINDS)}")


#: kind -> a store file of that kind built once per test run, or None (a kind built where it is asked): set by
#: tests/conftest.py's session fixture, so each module gets a copy instead of importing the files again (the CDNOW
#: log's import takes about 2 s, the others under 1 s, and the suite's modules ask for about thirty such stores)
TEMPLATES: Callable[[str], Path] | None = None


def build(kind: str, folder: Path, demo: Path | None = None) -> str:
    """Build the store ``kind`` in ``folder`` and return its URL; ``demo`` is a demo store file to copy (the
    session's), else the demo is generated here; another kind is a copy of the run's (:data:`TEMPLATES`) when the
    run has one."""
    if kind != "demo" and TEMPLATES is not None:
        return f"sqlite:///{copy_store(TEMPLATES(kind), folder)}"
    if kind == "demo":
        if demo is not None:
            return f"sqlite:///{copy_store(demo, folder)}"
        from core.demo.load import load_demo  # only when no demo store is given

        url = f"sqlite:///{folder / 'store.db'}"
        engine = core.make_engine(url)
        load_demo(engine, n_customers=SMALL_DEMO_CUSTOMERS, seed=0)
        engine.dispose()
        return url
    return fill(f"sqlite:///{folder / 'store.db'}", kind)


def fill(url: str, kind: str) -> str:
    """Import the files of ``kind`` (not the demo) into the store at ``url`` as the Data page does; returns ``url``."""
    engine = core.make_engine(url)
    try:
        for data, name, what, options in _imports(kind):
            core.commit_import(engine, core.prepare_import(engine, data, name, what, **options))
    finally:
        engine.dispose()
    return url


class Stores:
    """The stores of one test module, each built on first use in a folder of ``make_folder()``."""

    def __init__(self, make_folder, demo: Path | None = None):
        self._make_folder, self._demo, self._urls = make_folder, demo, {}

    def url(self, kind: str) -> str:
        if kind not in self._urls:
            self._urls[kind] = build(kind, self._make_folder(kind), self._demo)
        return self._urls[kind]


def cdnow_raw() -> pd.DataFrame:
    """The CDNOW master log read with pandas alone: ``customer_id`` (text), ``date`` (datetime64), ``number_of_cds``,
    ``dollar_value``."""
    df = pd.read_csv(CDNOW, sep=r"\s+", dtype={"customer_id": str, "date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


def cdnow_sample_raw() -> pd.DataFrame:
    """The CDNOW sample read with pandas alone, in :func:`cdnow_raw`'s columns."""
    df = pd.read_csv(CDNOW_SAMPLE, sep=r"\s+", header=None, dtype={0: str, 2: str},
                     names=["customer_id", "master_id", "date", "number_of_cds", "dollar_value"])
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df.drop(columns="master_id")


def telco_signups() -> pd.Series:
    """Each telco customer's signup day counted back from :data:`TELCO_AS_OF` by its tenure in whole months."""
    raw = pd.read_csv(TELCO)
    as_of = pd.Timestamp(TELCO_AS_OF)
    return pd.Series([as_of - pd.DateOffset(months=int(t)) for t in raw["tenure"]], index=raw["customerID"])
