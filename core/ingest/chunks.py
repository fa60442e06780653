"""A file as a sequence of chunks of rows, so a long CSV is validated and loaded without being held whole.

A long UTF-8 delimited file on disk (the one :mod:`core.ingest.csv_file` reads from the disk) is parsed by
pyarrow's streaming reader and handed out :data:`CHUNK_ROWS` rows at a time, each a
:class:`~core.ingest.reader.RawTable` with the first chunk's headers, details (delimiter, decimal mark) and the
rows numbered on, as one read of the whole file would number them. Any other file (bytes, a workbook, a short
file, one the disk path does not take) is one chunk: :func:`core.ingest.reader.read_source` as before.

A file whose rows turn out ragged midway cannot be chunked: the reader raises :class:`Ragged` and the caller reads
it again as bytes, whose reader names the line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from core.ingest import csv_file, delimited
from core.ingest.limits import ReadLimits
from core.ingest.reader import RawTable, _check_width, _from_arrow, _sniff_binary, read_source

#: rows per chunk of a long file (tests set it small to cut an ordinary file into many chunks)
CHUNK_ROWS = 200_000
#: the bytes pyarrow parses at a time (it reads some blocks ahead: small blocks keep that small)
BLOCK = 1 << 20


class Ragged(Exception):
    """A chunked file's rows stopped having the first line's number of columns: read it whole instead."""


def read_chunks(source: bytes | os.PathLike, file_name: str = "", *, sheet: str | int | None = None,
                header: bool | None = None, limits: ReadLimits | None = None) -> tuple[Iterator[RawTable], str]:
    """The file's chunks (an iterator of :class:`RawTable`) and its sha256.

    Raises
    ------
    FileFormatError
        As :func:`core.ingest.reader.read_source`, for the file or its first chunk.
    Ragged
        While iterating, when a later chunk's rows are ragged.
    """
    found = None
    if not isinstance(source, (bytes, bytearray, memoryview)) and sheet in (None, "", 0):
        found = csv_file.probe(source, header)
    if found is None:
        raw, sha = read_source(source, file_name, sheet=sheet, header=header, limits=limits)
        return iter([raw]), sha
    with open(source, "rb") as f:  # what the bytes path refuses as binary, this path refuses too
        _sniff_binary(f.read(8192))
    _check_width(len(found.first), limits or ReadLimits.from_env())
    return _chunks(os.fspath(source), found), found.sha256


def _reader(path: str, delim: str, ncols: int) -> pacsv.CSVStreamingReader:
    """pyarrow's streaming reader, with the options of :func:`core.ingest.delimited.arrow_table`."""
    return pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=BLOCK),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.large_string() for i in range(ncols)},
                                             null_values=[""], strings_can_be_null=True,
                                             quoted_strings_can_be_null=True))


def _tables(path: str, delim: str, ncols: int, header: bool) -> Iterator[pa.Table]:
    """The file as tables of :data:`CHUNK_ROWS` data rows (the first one has the header row too; the last one is
    shorter)."""
    try:
        reader = _reader(path, delim, ncols)
        if len(reader.schema) != ncols:
            raise Ragged(path)
        batches, n, size, yielded = [], 0, CHUNK_ROWS + int(header), False
        for batch in reader:
            batches.append(batch)
            n += batch.num_rows
            while n > size:
                table = pa.Table.from_batches(batches)
                yield table.slice(0, size)
                rest = table.slice(size)
                batches, n, size, yielded = rest.to_batches(), rest.num_rows, CHUNK_ROWS, True
        if n or not yielded:
            yield pa.Table.from_batches(batches, schema=reader.schema)
    except (pa.ArrowInvalid, ValueError) as exc:
        raise Ragged(path) from exc


def _chunks(path: str, found: csv_file.Probe) -> Iterator[RawTable]:
    """The chunks as raw tables: the first takes the header, the others its names and numbering."""
    names, after, details = None, 0, None
    for table in _tables(path, found.delimiter, len(found.first), found.header):
        frame, rows, original = _from_arrow(table, found.header if names is None else False, names, after)
        if names is None:
            names = original if found.header else [None] * len(found.first)
            details = {"encoding": found.encoding, "delimiter": delimited.delim_name(found.delimiter),
                       "header": bool(found.header), "decimal": delimited.detect_decimal(frame, found.delimiter),
                       "original_headers": original}
        after = int(rows[-1]) if len(rows) else after
        yield RawTable(frame=frame, rows=rows, file_format="csv", details=dict(details))
