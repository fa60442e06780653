"""What an import will load (:class:`ImportPlan`, computed without writing) and what it loaded
(:class:`ImportResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.export.csv import to_csv_bytes
from core.ingest import fields as F
from core.ingest import mapping as column_mapping
from core.ingest.id_spaces import IdSpaces
from core.ingest.reader import RawTable
from core.ingest.store_rows import StoreRows


@dataclass
class ImportPlan:
    """Everything :func:`commit_import` needs, computed without writing to the store.

    Attributes
    ----------
    mapping : dict
        field -> source column actually used (automatic guesses with the overrides applied).
    constants : dict
        field -> value given for the whole file (``--set``).
    report : pandas.DataFrame
        Columns ``row, column, field, value, problem, fix, severity``; ``row`` is the
        spreadsheet row number (header = row 1 for a CSV with a header).
    rejected : pandas.DataFrame
        The source rows with at least one error, their row number and reasons.
    rows : core.ingest.store_rows.StoreRows
        The valid rows as typed columns, turned into store tables a batch at a time by the load (``tables``
        gives them all at once).
    """

    kind: str
    file_name: str
    sha256: str
    raw: RawTable
    mapping: dict[str, str]
    constants: dict[str, str]
    options: dict
    date_formats: dict[str, str | None]
    report: pd.DataFrame
    rejected: pd.DataFrame
    rows: StoreRows
    new_customers: pd.DataFrame
    duplicate_of: int | None = None
    #: the id check (:class:`core.ingest.id_spaces.IdSpaces`): source, matches with other sources, the choice
    id_spaces: IdSpaces | None = None
    #: summary lines beside the report (:func:`core.ingest.line_items.notes`: a derived amount, the returns)
    notes: list[str] = field(default_factory=list)
    #: rows read from the file (``raw`` keeps only the first rows of a long file read in chunks)
    n_read: int | None = None

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The valid rows, keyed by store table (built on each call: a long file's load builds them a batch at a
        time instead, :meth:`core.ingest.store_rows.StoreRows.batches`)."""
        return self.rows.tables()

    @property
    def rows_read(self) -> int:
        return len(self.raw.frame) if self.n_read is None else self.n_read

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def rows_valid(self) -> int:
        return self.rows_read - self.rows_rejected

    @property
    def n_errors(self) -> int:
        return int((self.report["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.report["severity"] == "warning").sum())

    @property
    def matches(self) -> dict[str, column_mapping.Match]:
        """field -> how its column was matched (:class:`core.ingest.mapping.Match`: confidence and words);
        judged by name alone when the mapping carries no matches."""
        return column_mapping.matches_of(self.kind, self.mapping)

    @property
    def confidence(self) -> dict[str, float]:
        """field -> how sure its column match is: 1.0 a synonym or the analyst's choice, 0.9 another spelling,
        0.7 similar words, 0.5 a date-like name (see :mod:`core.ingest.mapping`)."""
        return {f: m.confidence for f, m in self.matches.items()}

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` source rows under their mapped field names (as text)."""
        head = self.raw.frame.head(n)
        out = pd.DataFrame({"row": self.raw.rows[: len(head)]})
        for spec in F.KINDS[self.kind]:  # in the schema's order, whatever order columns matched in
            if spec.name in self.mapping:
                out[spec.name] = head[self.mapping[spec.name]].to_numpy()
            elif spec.name in self.constants:
                out[spec.name] = self.constants[spec.name]
        return out

    def rejected_csv(self) -> bytes:
        """The rejected rows with their reasons, as CSV bytes (UTF-8; a cell that starts like a formula is
        neutralised, :mod:`core.export.cells`)."""
        return to_csv_bytes(self.rejected, date_format=None)

    def summary(self) -> str:
        """One line: rows read, valid, rejected, the notes (such as the returns), and the first problem."""
        line = (f"{self.file_name}: {self.rows_read:,} rows read, {self.rows_valid:,} valid, "
                f"{self.rows_rejected:,} rejected; {self.n_errors:,} errors, {self.n_warnings:,} warnings")
        line += "".join(f"; {note}" for note in self.notes)
        if len(self.report):
            first = self.report.sort_values(["severity", "row"]).iloc[0]
            # a problem of the whole file (no date column at all) has no column: name its field instead
            where = (f", column {first['column']}" if first["column"] else
                     f", field {first['field']}" if first["field"] else "")
            line += f". First: row {int(first['row'])}{where}: {first['problem']} ({first['fix']})"
        return line


@dataclass
class ImportResult:
    """What :func:`commit_import` loaded."""

    import_id: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    tables: dict[str, int]
    report: pd.DataFrame
    rejected: pd.DataFrame
    customers_created: int = 0
