"""Retention workbench analytics: the store, imports and metrics, free of any UI.

The pages, the CLI (``python -m core``) and the tests all use this one API.
"""

from core.cohorts.survival import KMResult, durations, kaplan_meier, survival_at
from core.demo.load import load_demo
from core.demo.synthetic import DemoData, make_demo
from core.errors import (
    DataValidationError,
    DuplicateImportError,
    FileFormatError,
    InsufficientDataError,
    WorkbenchError,
)
from core.ingest.fields import KINDS, guess_mapping
from core.ingest.importer import ImportPlan, ImportResult, commit_import, prepare_import
from core.ingest.manage import template, template_xlsx, undo_import
from core.ingest.reader import read_table
from core.store.engine import default_url, init_db, make_engine, table_counts
from core.store.read import import_history, load_table, status, store_version

__all__ = [
    "KINDS", "KMResult", "durations", "kaplan_meier", "survival_at", "guess_mapping",
    "read_table", "DataValidationError", "DemoData", "DuplicateImportError",
    "FileFormatError", "ImportPlan",
    "ImportResult", "InsufficientDataError", "WorkbenchError", "commit_import", "default_url",
    "import_history", "init_db", "load_demo", "load_table", "make_demo", "make_engine", "prepare_import",
    "status", "store_version", "table_counts", "template", "template_xlsx", "undo_import",
]
