"""Hostile and huge files, generated: a tiny valid workbook written by xlsxwriter, then its XML patched.

Shared by the tests of the read limits (core, CLI, Data page) and by ``benchmarks/import_bounds.py``.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import numpy as np
import xlsxwriter

SHEET = "xl/worksheets/sheet1.xml"
SST = "xl/sharedStrings.xml"
#: Excel's longest cell text
LONGEST_TEXT = 32_767


def base_xlsx(rows: int = 2) -> bytes:
    """A valid activity workbook: header ``customer_id, date, metric, value`` and ``rows`` rows (shared strings,
    as Excel writes them)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Activity")
    ws.write_row(0, 0, ["customer_id", "date", "metric", "value"])
    for i in range(rows):
        ws.write_row(i + 1, 0, [f"C{i + 1}", f"2024-01-{i % 28 + 1:02d}", "login", i + 1])
    wb.close()
    return buf.getvalue()


def patch_xlsx(data: bytes, edits: dict, extra: dict | None = None, level: int = 6) -> bytes:
    """Rewrite a workbook's zip: ``edits`` maps a part name to a function of its text; ``extra`` adds parts."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename in edits:
                body = edits[info.filename](body.decode("utf-8")).encode("utf-8")
            z.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


def _set_dimension(xml: str, ref: str | None) -> str:
    if ref is None:
        return re.sub(r"<dimension [^>]*/>", "", xml)
    return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)


def _append_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>")


def far_cell_xlsx(ref: str = "XFD1048576", dimension: str | None = "full") -> bytes:
    """One cell at ``ref`` below a 2-row table; the dimension says the full range (``"full"``), lies (a ref),
    or is missing (None)."""
    row = int(re.sub(r"[A-Z]", "", ref))
    dim = f"A1:{ref}" if dimension == "full" else dimension

    def edit(xml: str) -> str:
        return _append_rows(_set_dimension(xml, dim), f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>')

    return patch_xlsx(base_xlsx(), {SHEET: edit})


def shared_string_bomb_xlsx(cells: int = 60_000, length: int = LONGEST_TEXT, per_row: int = 10) -> bytes:
    """``cells`` cells that all point at one shared string ``length`` characters long (Excel's longest): about
    400 KB on disk, ``cells x length`` bytes (2 GB) of text once each cell holds its copy."""
    base = base_xlsx()
    index = zipfile.ZipFile(io.BytesIO(base)).read(SST).decode().count("<si>")  # the new string's number
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{chr(65 + j)}{r}" t="s"><v>{index}</v></c>' for j in range(per_row))
        + "</row>" for r in range(4, 4 + cells // per_row))
    return patch_xlsx(base, {SST: lambda x: x.replace("</sst>", f"<si><t>{'A' * length}</t></si></sst>"),
                             SHEET: lambda x: _append_rows(_set_dimension(x, None), body)}, level=9)


def zip_bomb_xlsx(megabytes: int = 50) -> bytes:
    """A sheet padded with ``megabytes`` MB of white space: compresses about 1,000 to 1."""
    pad = " " * (megabytes * 1_000_000)
    return patch_xlsx(base_xlsx(), {SHEET: lambda x: x.replace("<sheetData>", pad + "<sheetData>")}, level=9)


def understated_size_xlsx(declared: int = 100) -> bytes:
    """A workbook whose zip directory says the sheet unpacks to ``declared`` bytes (it unpacks to more)."""
    data = bytearray(base_xlsx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    struct.pack_into("<I", data, info.header_offset + 22, declared)  # local header: uncompressed size
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:  # the sheet's central directory entry
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len].decode() == SHEET:
            struct.pack_into("<I", data, pos + 24, declared)
            return bytes(data)
        pos += 4
    raise AssertionError("no central directory entry for the sheet")


def prefixed_xlsx() -> bytes:
    """The base workbook with its sheet's elements under a namespace prefix (``<x:c>``), as some SDKs write."""
    def edit(xml: str) -> str:
        xml = re.sub(r"<(/?)(worksheet|sheetData|row|c|v|dimension|sheetViews|sheetView|selection|sheetFormatPr"
                     r"|pageMargins|cols|col)\b", r"<\1x:\2", xml)
        return xml.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                           'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    return patch_xlsx(base_xlsx(), {SHEET: edit})


def unreferenced_cells_xlsx(width: int = 20) -> bytes:
    """A row of ``width`` cells without ``r`` references (allowed: each sits right of the one before)."""
    row = '<row r="5">' + "<c><v>1</v></c>" * width + "</row>"
    return patch_xlsx(base_xlsx(), {SHEET: lambda x: _append_rows(x, row)})


def wide_csv(columns: int = 10_000, rows: int = 150, seed: int = 0) -> bytes:
    """An activity CSV ``columns`` wide: the four activity columns, then numeric extra columns."""
    rng = np.random.default_rng(seed)
    head = ["customer_id", "date", "metric", "value"] + [f"extra_{i}" for i in range(columns - 4)]
    values = rng.integers(0, 100, size=(rows, columns - 4)).astype(str)
    lines = [",".join(head)]
    for r in range(rows):
        lines.append(",".join([f"C{r % 50}", f"2024-01-{r % 28 + 1:02d}", "login", str(r % 7), *values[r]]))
    return ("\n".join(lines) + "\n").encode()
