"""A long CSV read from disk (:mod:`core.ingest.csv_file`, :func:`core.ingest.reader.read_source`) gives exactly
what reading its bytes gives: frame (dtypes too), row numbers, details, error messages and sha256.

``FROM_DISK_BYTES`` is set to 0 (every file takes the disk path when it can) and ``BLOCK`` to small sizes, so the
pass over the file cuts lines, line ends, blank lines and multi-byte characters at every position.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core
from core.cli.main import main
from core.errors import DuplicateImportError, FileFormatError
from core.ingest import csv_file
from core.ingest import reader as reader_module
from core.ingest.limits import ReadLimits
from core.ingest.reader import read_source, read_table

BOM = codecs.BOM_UTF8


def _lines(sep: str, rows: list[list[str]], end: str = "\n") -> str:
    return "".join(sep.join(r) + end for r in rows)


PLAIN = _lines(",", [["customer_id", "date", "amount"]]
               + [[f"C{i:03}", f"2024-01-{i % 28 + 1:02}", f"{i}.50"] for i in range(40)])
QUOTED = ('customer_id,comment,amount\n' + "".join(f'C{i},"late, again {i}",{i}\n' for i in range(10))
          + 'C10,"two\nlines",3\nC11,"three\r\nline\nbreaks",4\nC12,"""quoted""",5\n')

# (id, file bytes, file name, read_source keywords, route): route is "disk" (parsed from disk), "bytes" (probe said
# None), "parse-fallback" (probe passed, the disk parse failed, the bytes path answered) or None (either)
SHAPES = [
    ("comma", PLAIN.encode(), "f.csv", {}, "disk"),
    ("semicolon-decimal-comma", _lines(";", [["id", "amount", "seats"]]
                                        + [[f"C{i}", f"{i},50", str(i)] for i in range(30)]).encode(), "f.csv", {},
     "disk"),
    ("tab", PLAIN.replace(",", "\t").encode(), "f.tsv", {}, "disk"),
    ("pipe", PLAIN.replace(",", "|").encode(), "f.txt", {}, "disk"),
    ("colon", PLAIN.replace(",", ":").encode(), "f.txt", {}, "disk"),
    ("bom", BOM + PLAIN.encode(), "f.csv", {}, "disk"),
    ("quoted", QUOTED.encode(), "f.csv", {}, "disk"),
    ("crlf", PLAIN.replace("\n", "\r\n").encode(), "f.csv", {}, "disk"),
    ("trailing-blank-lines", (PLAIN + "\n\n\r\n").encode(), "f.csv", {}, "disk"),
    ("trailing-white-line", (PLAIN + "\n \t\n").encode(), "f.csv", {}, "parse-fallback"),  # a row of one cell
    # either route: scan counts blank lines before the first row too (its docstring says it does not)
    ("leading-blank-lines", ("\n\n" + PLAIN).encode(), "f.csv", {}, None),
    ("one-leading-line-end", ("\r\n" + PLAIN).encode(), "f.csv", {}, "disk"),
    ("blank-line-between-rows", PLAIN.replace("C020", "\nC020").encode(), "f.csv", {}, "bytes"),
    ("white-line-between-rows", PLAIN.replace("\n", "\r\n").replace("C02", " \t\r\nC02").encode(), "f", {}, "bytes"),
    ("cp1252", PLAIN.replace("C00", "Café").encode("cp1252"), "f.csv", {}, "bytes"),
    ("utf8-multibyte", PLAIN.replace("C00", "Café €😀").encode(), "f.csv", {}, "disk"),
    ("truncated-multibyte", PLAIN.encode() + "C99,€".encode()[:-1], "f.csv", {}, "bytes"),
    ("ragged-long-row", PLAIN.replace("C020,", "C020,x,").encode(), "f.csv", {}, "parse-fallback"),
    ("ragged-short-row", PLAIN.replace("C020,", "").encode(), "f.csv", {}, "parse-fallback"),
    ("unclosed-quote", (PLAIN + 'C99,"2024-01-01,1\n').encode(), "f.csv", {}, "parse-fallback"),
    ("headerless", PLAIN.split("\n", 1)[1].replace("C", "").encode(), "f.csv", {}, "disk"),
    ("header-forced-off", PLAIN.encode(), "f.csv", {"header": False}, "disk"),
    ("header-forced-on", PLAIN.split("\n", 1)[1].replace("C", "").encode(), "f.csv", {"header": True}, "disk"),
    ("apostrophe-neutralised", (PLAIN + "'=1+2,'-3,'@x\n").encode(), "f.csv", {}, "disk"),
    ("whitespace-aligned", b" customer_id  date n\r\n 00001 19970101  1\r\n 00002 19970112  5\r\n", "f", {}, "bytes"),
    ("header-only", b"customer_id,date,amount\n", "f.csv", {}, "bytes"),
    ("only-white-space", b"\n \r\n\t\n", "f.csv", {}, "bytes"),
    ("xlsx-named", PLAIN.encode(), "f.xlsx", {}, "bytes"),
    ("sheet-of-a-csv", PLAIN.encode(), "f.csv", {"sheet": "Sheet1"}, "bytes"),
]


@pytest.fixture
def route(monkeypatch):
    """Every file long enough for the disk path; ``route()`` tells the route :func:`read_source` last took."""
    monkeypatch.setattr(csv_file, "FROM_DISK_BYTES", 0)
    seen = {"probe": [], "bytes": 0}
    real_probe, real_read_table = csv_file.probe, reader_module.read_table

    def probe(path, header):
        seen["probe"].append(real_probe(path, header))
        return seen["probe"][-1]

    def read_table_spy(*args, **kwargs):
        seen["bytes"] += 1
        return real_read_table(*args, **kwargs)

    monkeypatch.setattr(csv_file, "probe", probe)
    monkeypatch.setattr(reader_module, "read_table", read_table_spy)

    def taken() -> str:
        probed = bool(seen["probe"]) and seen["probe"][-1] is not None
        out = ("parse-fallback" if probed else "bytes") if seen["bytes"] else "disk"
        seen["probe"].clear()
        seen["bytes"] = 0
        return out

    return taken


def _outcome(read) -> dict:
    try:
        table, sha = read()
    except Exception as exc:  # the error is the outcome compared: same type, same message
        return {"error": (type(exc).__name__, str(exc))}
    return {"table": table, "sha": sha}


def assert_same(path, file_name: str = "f.csv", **kwargs) -> dict:
    """read_source(path) and read_table(bytes) agree; returns the bytes path's outcome."""
    data = path.read_bytes()
    got = _outcome(lambda: read_source(path, file_name, **kwargs))
    want = _outcome(lambda: (read_table(data, file_name, **kwargs), hashlib.sha256(data).hexdigest()))
    assert got.keys() == want.keys(), (got, want)
    if "error" in want:
        assert got["error"] == want["error"]
        return want
    a, b = got["table"], want["table"]
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.rows.dtype == b.rows.dtype and a.rows.tolist() == b.rows.tolist()
    assert (a.details, a.file_format, a.sheets) == (b.details, b.file_format, b.sheets)
    assert got["sha"] == want["sha"]
    return want


@pytest.mark.parametrize("block", [7, 64, 4096])
@pytest.mark.parametrize(("data", "file_name", "kwargs", "expected_route"), [s[1:] for s in SHAPES],
                         ids=[s[0] for s in SHAPES])
def test_reading_from_disk_gives_what_the_bytes_give(tmp_path, monkeypatch, route, block, data, file_name, kwargs,
                                                     expected_route):
    monkeypatch.setattr(csv_file, "BLOCK", block)
    path = tmp_path / file_name
    path.write_bytes(data)
    assert_same(path, file_name, **kwargs)
    assert route() == expected_route or expected_route is None


def test_the_shapes_read_as_their_shape(tmp_path, route):
    """The comparison above is not of two wrong answers: a few shapes, read from disk, checked by hand."""
    def read(name):
        data, file_name, kwargs, _ = next(s[1:] for s in SHAPES if s[0] == name)
        (tmp_path / file_name).write_bytes(data)
        table, sha = read_source(tmp_path / file_name, file_name, **kwargs)
        assert sha == hashlib.sha256(data).hexdigest()
        return table, route()

    t, taken = read("semicolon-decimal-comma")
    assert (taken, t.details["decimal"], t.frame["amount"][1]) == ("disk", ",", "1,50")
    t, taken = read("bom")
    assert (taken, t.details["encoding"], t.frame.columns[0]) == ("disk", "utf-8-sig", "customer_id")
    t, taken = read("quoted")
    assert taken == "disk" and t.frame["comment"].tolist()[-3:] == ["two\nlines", "three\r\nline\nbreaks", '"quoted"']
    assert t.rows.tolist()[-3:] == [12, 13, 14]
    t, taken = read("utf8-multibyte")
    assert (taken, t.details["encoding"], t.frame["customer_id"][0]) == ("disk", "utf-8", "Café €😀0")
    t, taken = read("cp1252")
    assert (taken, t.details["encoding"], t.frame["customer_id"][0]) == ("bytes", "cp1252", "Café0")
    t, taken = read("blank-line-between-rows")
    assert taken == "bytes" and t.rows.tolist()[19:22] == [21, 23, 24]  # the blank line keeps its number
    t, taken = read("apostrophe-neutralised")
    assert taken == "disk" and t.frame.iloc[-1].tolist() == ["=1+2", "-3", "@x"]
    t, taken = read("header-forced-off")
    assert taken == "disk" and t.frame.iloc[0].tolist() == ["customer_id", "date", "amount"] and t.rows[0] == 1


# --------------------------------------------------------------------------- block boundaries, one by one


@pytest.mark.parametrize(("data", "plain"), [
    (PLAIN.encode(), True),
    (QUOTED.encode(), True),
    ((PLAIN + "\n\n \t\n\r\n").encode(), True),  # blank lines after the last row do not count
    ("id,name\n1,Café\n2,€uro\n3,😀\n".encode(), True),  # a character of 2, 3 and 4 bytes
    (BOM + PLAIN.encode(), True),
    (b"id,v\n1,2\n\n3,4\n", False),
    (b"id,v\r\n1,2\r\n\r\n3,4\r\n", False),
    (b"id,v\r\n1,2\r\n \t\r\n3,4\r\n", False),
    (b"id,v\n1,2\n\n\n\n3,4\n", False),
    ("id,name\n1,Café\n".encode("cp1252"), False),
    ("id,name\n1,€".encode()[:-1], False),  # ends inside a character
    ("id,name\n1,€".encode()[:-2], False),
], ids=["plain", "quoted", "trailing-blank", "multibyte", "bom", "blank", "crlf-blank", "white-blank",
        "blanks", "cp1252", "truncated-1", "truncated-2"])
def test_scan_at_every_block_size(tmp_path, monkeypatch, data, plain):
    """Each BLOCK from 1 byte to the whole file puts a block boundary at every position once."""
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    for block in range(1, len(data) + 2):
        monkeypatch.setattr(csv_file, "BLOCK", block)
        sha, is_plain, head, _ = csv_file.scan(path)
        assert (sha, is_plain) == (hashlib.sha256(data).hexdigest(), plain), block
        if plain:
            assert head == data.decode("utf-8-sig")


def test_a_blank_line_right_at_a_block_boundary(tmp_path, monkeypatch, route):
    """Cut after the blank line's first line end (the tail carries it on) and after its second (``pending``)."""
    data = b"id,v\n1,2\n\n3,4\n"
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    cut = data.index(b"\n\n")
    for block in (cut + 1, cut + 2):
        monkeypatch.setattr(csv_file, "BLOCK", block)
        assert csv_file.scan(path)[1] is False
        t = assert_same(path)["table"]
        assert route() == "bytes" and t.rows.tolist() == [2, 4]


def test_a_quoted_line_break_right_at_a_block_boundary(tmp_path, monkeypatch, route):
    data = b'id,comment\n1,"two\nlines"\n2,"a\r\n\r\nb"\n3,ok\n'
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    for block in (data.index(b"two\n") + 4, data.index(b"two\n") + 3, data.index(b"\r\n\r\n") + 2):
        monkeypatch.setattr(csv_file, "BLOCK", block)
        assert_same(path)
        assert route() == "bytes"  # a blank line inside a quoted cell: the bytes path (pandas) reads it
    path.write_bytes(data.replace(b"\r\n\r\n", b" "))
    for block in range(1, 40):
        monkeypatch.setattr(csv_file, "BLOCK", block)
        assert assert_same(path)["table"].frame["comment"].tolist() == ["two\nlines", "a b", "ok"]
        assert route() == "disk"


@pytest.mark.parametrize(("data", "expected"), [
    ("id,name\n1,Café\n2,€uro\n3,😀\n".encode(), ("disk", "utf-8")),
    ("id,name\n1,Café\n2,€".encode()[:-1], ("bytes", "cp1252")),
], ids=["split-character", "cut-inside-a-character"])
def test_a_character_across_a_block_boundary(tmp_path, monkeypatch, route, data, expected):
    """A character of 2, 3 or 4 bytes split by a block boundary stays UTF-8; a file cut inside one is not UTF-8."""
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    for block in range(3, len(data) + 1):
        monkeypatch.setattr(csv_file, "BLOCK", block)
        t = assert_same(path)["table"]
        assert (route(), t.details["encoding"]) == expected, block
        assert expected[0] == "bytes" or t.frame["name"].tolist() == ["Café", "€uro", "😀"]


@pytest.mark.parametrize("how", ["environment", "argument"])
def test_a_file_over_the_column_limit_is_refused_with_the_bytes_paths_words(tmp_path, monkeypatch, route, how):
    kwargs = {"limits": ReadLimits(max_columns=5)} if how == "argument" else {}
    if how == "environment":
        monkeypatch.setenv("RETENTION_MAX_COLUMNS", "5")
    path = tmp_path / "wide.csv"
    path.write_bytes(_lines(",", [[f"c{i}" for i in range(6)], [str(i) for i in range(6)]] * 3).encode())
    error = assert_same(path, "wide.csv", **kwargs)["error"]
    assert error[0] == "FileFormatError" and error[1].startswith("The file has 6 columns, over the limit of 5:")
    assert route() == "disk"  # refused on the disk path, before the parse
    with pytest.raises(FileFormatError, match="over the limit"):
        read_source(path, "wide.csv", **kwargs)


# --------------------------------------------------------------------------- random files

#: awkward cells; no U+FEFF (a doubled BOM: KNOWN below)
CELL = st.text(alphabet=list("aZ10 ,;|:\"'\n\r\té€😀-.="), max_size=6)


@st.composite
def csv_files(draw) -> tuple[bytes, int]:
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=8))
    end, sep = draw(st.sampled_from(["\n", "\r\n"])), draw(st.sampled_from([",", ";", "\t", "|"]))
    if draw(st.booleans()):  # written as a spreadsheet would
        buf = io.StringIO()
        csv.writer(buf, lineterminator=end, delimiter=sep).writerows(rows)
        text = buf.getvalue()
    else:  # joined raw: stray quotes, ragged rows, line ends inside cells
        text = "".join(sep.join(r) + end for r in rows)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["\n", "\r\n", "\n \t\n", end + end])) + text[at:]
    data = text.encode(draw(st.sampled_from(["utf-8", "cp1252"])), errors="replace")
    return (BOM if draw(st.booleans()) else b"") + data, draw(st.integers(3, 64))


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_files())
def test_random_files_read_the_same_from_disk(tmp_path, monkeypatch, route, case):
    data, block = case
    monkeypatch.setattr(csv_file, "BLOCK", block)
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    assert_same(path, "random.csv")
    assert_same(path, "random.csv", header=False)
    route()  # resets the spy between examples


# --------------------------------------------------------------------------- once differences (fixed)

# a binary file, a BOM with a head of exactly 1 % control characters, a BOM split across blocks, a BOM saved twice
_CONTROLS = "id,v\n" + "1,a\x01\n" * 640  # 640 = 1 % of the 64,000 characters delimited.check_text judges
_CONTROLS += "1," + "y" * (64_000 - len(_CONTROLS)) + "\n" + "2,z\n" * 10
KNOWN = [
    pytest.param(PLAIN.replace("C001", "C0\x001").encode(), 4096, id="nul"),
    pytest.param(("%PDF" + PLAIN).encode(), 4096, id="pdf-magic"),
    pytest.param(BOM + _CONTROLS.encode(), 8192, id="bom-shortens-head"),
    *[pytest.param(BOM + PLAIN.encode(), block, id=f"bom-split-block-{block}") for block in (1, 2)],
    *[pytest.param(BOM + BOM + data, 64, id=f"doubled-bom-{name}")
      for name, data in (("number", b"0,1\n2,3\n"), ("name", b"id,v\n1,2\n"))],
]


@pytest.mark.parametrize(("data", "block"), KNOWN)
def test_once_different_files_read_the_same_both_ways(tmp_path, monkeypatch, route, data, block):
    monkeypatch.setattr(csv_file, "BLOCK", block)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert_same(path)


# --------------------------------------------------------------------------- import and the command line

CUSTOMERS = _lines(",", [["customer_id", "signup_date"]] + [[f"C{i:03}", "2023-06-01"] for i in range(12)])
ACTIVITY = _lines(",", [["customer_id", "date", "metric", "value"]]
                  + [[f"C{i % 12:03}", f"2024-02-{i % 28 + 1:02}", "logins", str(i)] for i in range(60)]
                  + [["C999", "2024-02-01", "logins", "1"], ["C001", "2024-13-01", "logins", "2"],
                     ["C002", "2024-02-02", "logins", "many"], ["C003", "", "reports", "4"]])
TRANSACTIONS = _lines(";", [["Customer ID", "Order Date", "Amount", "Quantity"]]
                      + [[f"K{i % 9}", f"{i % 28 + 1:02}/03/2024", f"{i},{i % 100:02}", "1"] for i in range(50)]
                      + [["K1", "31/02/2024", "3,00", "1"], ["", "01/03/2024", "4,00", "1"]])


def _same_plan(a, b) -> None:
    for name in ("report", "rejected", "new_customers"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.raw.frame, b.raw.frame)
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert (a.sha256, a.options, a.mapping, a.date_formats, a.notes, a.duplicate_of, a.summary()) == \
        (b.sha256, b.options, b.mapping, b.date_formats, b.notes, b.duplicate_of, b.summary())


@pytest.mark.parametrize(("kind", "text"), [("activity", ACTIVITY), ("transactions", TRANSACTIONS)])
def test_prepare_import_of_a_path_is_the_plan_of_its_bytes(engine, tmp_path, monkeypatch, route, kind, text):
    monkeypatch.setattr(csv_file, "BLOCK", 64)
    core.commit_import(engine, core.prepare_import(engine, CUSTOMERS.encode(), "customers.csv", "customers"))
    route()  # forget the customers file
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(text.encode())
    from_disk = core.prepare_import(engine, path, path.name, kind)
    assert route() == "disk"
    from_bytes = core.prepare_import(engine, text.encode(), path.name, kind)
    assert route() == "bytes"
    _same_plan(from_disk, from_bytes)
    assert from_disk.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert (from_disk.report["severity"] == "error").sum() >= 2 and sum(map(len, from_disk.tables.values())) > 40


@pytest.mark.parametrize("first", ["bytes", "path"])
def test_the_same_file_as_bytes_and_as_a_path_is_one_file(engine, tmp_path, route, first):
    path = tmp_path / "transactions.csv"
    path.write_bytes(TRANSACTIONS.encode())
    as_given = {"bytes": TRANSACTIONS.encode(), "path": path}
    done = core.commit_import(engine, core.prepare_import(engine, as_given[first], path.name, "transactions"),
                              strict=False)
    again = core.prepare_import(engine, as_given["path" if first == "bytes" else "bytes"], path.name, "transactions")
    assert again.duplicate_of == done.import_id
    with pytest.raises(DuplicateImportError):
        core.commit_import(engine, again, strict=False)


@pytest.mark.parametrize(("encoding", "expected_route"), [("utf-8", "disk"), ("cp1252", "bytes")])
def test_the_command_line_imports_a_long_file(tmp_path, db_url, monkeypatch, route, capsys, encoding, expected_route):
    """Above the threshold a UTF-8 file is parsed from disk; one that is not UTF-8 still imports, as bytes."""
    customers, activity = tmp_path / "customers.csv", tmp_path / "activity.csv"
    customers.write_bytes(CUSTOMERS.encode())
    good = ACTIVITY.split("C999")[0].replace("logins", "Café visits")
    activity.write_bytes(good.encode(encoding))
    monkeypatch.setattr(csv_file, "FROM_DISK_BYTES", activity.stat().st_size - 3)
    monkeypatch.setattr(csv_file, "BLOCK", 7)
    assert main(["--db", db_url, "import", str(customers), "--kind", "customers"]) == 0
    assert route() == "bytes"  # below the threshold
    assert main(["--db", db_url, "import", str(activity), "--kind", "activity"]) == 0, capsys.readouterr().err
    assert route() == expected_route
    stored = core.load_table(core.make_engine(db_url), "activity").sort_values("id")
    want = pd.read_csv(io.StringIO(good))
    assert stored["customer_id"].tolist() == want["customer_id"].tolist() and len(stored) == 60
    assert stored["value"].tolist() == want["value"].astype(float).tolist()
    assert stored["date"].dt.strftime("%Y-%m-%d").tolist() == want["date"].tolist()
    assert set(stored["metric"]) == {"Café visits"}
