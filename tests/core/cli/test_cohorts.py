"""``python -m core cohorts``: core's cohort table on stdout, and the Cohort curves page's workbook with ``--out``."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main
from core.cohorts.export import export_frame
from core.cohorts.table import cohort_table
from core.history.filters import Filters
from tests.conftest import copy_store
from tests.pages import store_kinds

#: the page's choices equal to the CLI's defaults (pages/cohort_curves.py builds the same tuple)
PAGE_DEFAULTS = (("cohort_by", "signup"), ("period", "month"), ("measure", "logo"), ("definition", "on"),
                 ("retained_by", "subscription"), ("base", "period0"), ("weighting", "weighted"), ("min_size", 20))


@pytest.fixture(scope="module")
def demo_url(small_demo_store, tmp_path_factory):
    """A private copy of the small demo store (churned and active customers)."""
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('cli_cohorts'))}"


def _customers(url: str) -> pd.DataFrame:
    """The store's customers with real dates (parsed here, whatever the loader returns)."""
    c = core.load_table(core.make_engine(url), "customer")
    return c.assign(signup_date=pd.to_datetime(c["signup_date"]), churn_date=pd.to_datetime(c["churn_date"]))


def _cells(data: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def _page_xlsx(url: str, options: tuple) -> bytes:
    """What the Cohort curves page offers as its XLSX download for ``options`` (no filter)."""
    from ui.cohorts import cached as page

    return page.xlsx(page.table(url, core.store_version(core.make_engine(url)), Filters(), options))


def _same_as(printed: pd.DataFrame, expected: pd.DataFrame, atol: float) -> None:
    assert printed.index.astype(str).tolist() == expected.index.astype(str).tolist()
    assert printed.columns.tolist() == [str(c) for c in expected.columns]
    np.testing.assert_allclose(printed.to_numpy(float), expected.to_numpy(float), atol=atol, equal_nan=True)


def test_cohorts_prints_core_s_table_on_a_store_with_churned_and_active_customers(demo_url, capsys):
    code = main(["--db", demo_url, "cohorts"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code == 0, captured.err
    printed = pd.read_csv(io.StringIO(captured.out), index_col=0)
    customers = _customers(demo_url)
    assert customers["churn_date"].notna().any() and customers["churn_date"].isna().any()
    t = cohort_table(customers)
    _same_as(printed, export_frame(t), atol=5e-5)
    assert printed["customers"].iloc[:-1].astype(int).tolist() == t.sizes.tolist()
    assert printed.index[-1] == "average" and printed.iloc[:-1, 2:].lt(1).any().any()  # churn shows


def test_cohorts_keeps_the_segments_asked_for_and_writes_the_same_frame_to_csv(demo_url, tmp_path, capsys):
    out = tmp_path / "smb.csv"
    assert main(["--db", demo_url, "cohorts", "--segment", "SMB", "--period", "quarter", "--out", str(out)]) == 0
    customers = _customers(demo_url)
    t = cohort_table(customers[customers["segment"] == "SMB"], period="quarter")
    assert capsys.readouterr().out == f"wrote {len(t.values)} cohorts x {t.values.shape[1]} periods to {out}\n"
    _same_as(pd.read_csv(out, index_col=0), export_frame(t), atol=5e-7)
    assert t.sizes.sum() == (customers["segment"] == "SMB").sum()


def test_the_xlsx_of_the_demo_store_is_the_page_s_download(demo_url, tmp_path):
    out = tmp_path / "c.xlsx"
    assert main(["--db", demo_url, "cohorts", "--out", str(out)]) == 0
    cli, page = _cells(out.read_bytes()), _cells(_page_xlsx(demo_url, PAGE_DEFAULTS))
    assert list(cli) == list(page) == ["cohorts", "settings", "Definitions"]
    assert cli == page


def test_the_xlsx_of_an_activity_table_is_the_page_s_download(tmp_path, capsys, shared):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["--db", url, "import", str(shared / "cdnow/CDNOW_sample.txt"), "--kind", "transactions",
                 "--map", "column_1=customer_id", "--map", "column_3=date", "--map", "column_4=quantity",
                 "--map", "column_5=amount", "--map", "column_2=-"]) == 0
    flags = ["--cohort-by", "first_activity", "--retained-by", "activity", "--definition", "on_or_after",
             "--base", "previous", "--weighting", "simple", "--min-size", "5"]
    out, csv = tmp_path / "c.xlsx", tmp_path / "c.csv"
    assert main(["--db", url, "cohorts", *flags, "--out", str(out)]) == 0
    assert main(["--db", url, "cohorts", *flags, "--out", str(csv)]) == 0
    options = (("cohort_by", "first_activity"), ("period", "month"), ("measure", "logo"),
               ("definition", "on_or_after"), ("retained_by", "activity"), ("base", "previous"),
               ("weighting", "simple"), ("min_size", 5))
    cli, page = _cells(out.read_bytes()), _cells(_page_xlsx(url, options))
    assert list(cli) == ["cohorts", "settings", "Definitions"]
    assert cli == page
    settings = dict(cli["settings"][1:])
    assert (settings["cohort_by"], settings["base"], settings["min_size"]) == ("first_activity", "previous", 5)
    sheet = pd.read_excel(out, sheet_name="cohorts", index_col=0)
    _same_as(pd.read_csv(csv, index_col=0), sheet, atol=5e-7)  # the CSV holds the workbook's frame
    assert 0 < sheet.iloc[:-1, 2:].stack().min() < 1


# -- the store decides the choices not given (core/cohorts/defaults.py) --------------------------------------

TELCO = "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"


def _independent_cdnow(path) -> pd.DataFrame:
    """Share of each first-purchase month's customers who purchased in month k, read from the file with pandas."""
    raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    month = pd.to_datetime(raw["date"], format="%Y%m%d").dt.to_period("M")
    cohort = month.groupby(raw["customer_id"]).transform("min")
    k = (month - cohort).map(lambda off: off.n)
    buyers = pd.DataFrame({"cohort": cohort.astype(str), "k": k, "id": raw["customer_id"]}).drop_duplicates()
    counts = buyers.groupby(["cohort", "k"])["id"].nunique().unstack(fill_value=0)
    shares = counts.div(counts[0], axis=0)
    last = pd.Period("1998-06", "M")  # the log's last month: later months are not complete
    reached = pd.DataFrame({c: [pd.Period(i, "M") + c <= last for i in shares.index] for c in shares.columns},
                           index=shares.index)
    return shares.where(reached)


@pytest.fixture(scope="module")
def cdnow_url(tmp_path_factory, shared):
    return store_kinds.build("cdnow", tmp_path_factory.mktemp("cli_cdnow"))  # the run's one import, copied


def test_a_purchase_log_without_choices_gives_first_purchase_cohorts_retained_when_buying(cdnow_url, shared, capsys):
    capsys.readouterr()
    assert main(["--db", cdnow_url, "cohorts"]) == 0
    out = capsys.readouterr()
    assert "purchase log" in out.err and "first purchase" in out.err
    printed = pd.read_csv(io.StringIO(out.out), index_col=0)
    expected = _independent_cdnow(shared / "cdnow/CDNOW_master.txt")
    cells = printed.drop(index="average").drop(columns="customers")
    assert cells.index.tolist() == expected.index.tolist() == ["1997-01", "1997-02", "1997-03"]
    np.testing.assert_allclose(cells.to_numpy(float), expected.to_numpy(float), atol=5e-5, equal_nan=True)
    assert cells.iloc[:, 1:].max().max() < 0.2  # not the 100 % of "retained while not churned"
    # a choice given wins; the rest still come from the store
    assert main(["--db", cdnow_url, "cohorts", "--definition", "on_or_after"]) == 0
    after = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    assert (after.loc["1997-01", "1"] > printed.loc["1997-01", "1"]) and after.loc["1997-01", "0"] == 1


def test_a_snapshot_without_choices_says_why_and_prints_survival_on_tenure(tmp_path, shared, capsys):
    from lifelines import KaplanMeierFitter

    url = f"sqlite:///{tmp_path / 't.db'}"
    assert main(["--db", url, "import", str(shared / TELCO), "--kind", "customers", "--as-of", "2024-01-31",
                 "--lenient"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "cohorts"]) == 0
    out = capsys.readouterr()
    assert "a snapshot cannot give cohort retention" in out.err and "2024-01-31" in out.err
    summary = pd.read_csv(io.StringIO(out.out))
    raw = pd.read_csv(shared / TELCO)
    assert summary[["customers", "churned"]].iloc[0].tolist() == [len(raw), int((raw["Churn"] == "Yes").sum())]
    kmf = KaplanMeierFitter().fit(raw["tenure"], raw["Churn"] == "Yes")
    assert summary["median_text"].iloc[0] == "not reached" and np.isinf(kmf.median_survival_time_)
    out_file = tmp_path / "s.xlsx"
    assert main(["--db", url, "cohorts", "--out", str(out_file)]) == 0
    assert pd.read_excel(out_file, sheet_name="survival")["customers"].iloc[0] == len(raw)
    assert capsys.readouterr().out == f"wrote the survival of {len(raw):,} customers to {out_file}\n"
    # asking for a table gets it (every cell 100 % until the as-of day, as the note says)
    assert main(["--db", url, "cohorts", "--retained-by", "subscription"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    assert table["customers"].iloc[:-1].sum() == len(raw)
