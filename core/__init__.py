"""Retention workbench analytics: the store, imports and metrics, free of any UI.

The pages, the CLI (``python -m core``) and the tests all use this one API. The names load on first use
(PEP 562 ``__getattr__``): ``import core`` alone imports neither pandas nor the models, so ``python -m core
--help`` answers at once.
"""

from __future__ import annotations

import importlib

#: where each public name lives (module, attribute)
_HOMES = {
    "KMResult": "core.cohorts.survival", "durations": "core.cohorts.survival",
    "kaplan_meier": "core.cohorts.survival", "survival_at": "core.cohorts.survival",
    "load_demo": "core.demo.load",
    "DemoData": "core.demo.synthetic", "make_demo": "core.demo.synthetic",
    "DataValidationError": "core.errors", "DuplicateImportError": "core.errors", "FileFormatError": "core.errors",
    "InsufficientDataError": "core.errors", "WorkbenchError": "core.errors",
    "KINDS": "core.ingest.fields", "guess_mapping": "core.ingest.fields",
    "ImportPlan": "core.ingest.importer", "ImportResult": "core.ingest.importer",
    "commit_import": "core.ingest.importer", "prepare_import": "core.ingest.importer",
    "template": "core.ingest.manage", "template_xlsx": "core.ingest.manage", "undo_import": "core.ingest.manage",
    "undo_preview": "core.ingest.manage",
    "read_table": "core.ingest.reader",
    "default_url": "core.store.engine", "init_db": "core.store.engine", "make_engine": "core.store.engine",
    "table_counts": "core.store.engine",
    "import_history": "core.store.read", "load_table": "core.store.read", "status": "core.store.read",
    "store_version": "core.store.read", "has_imports": "core.store.read",
}

__all__ = [
    "KINDS", "KMResult", "durations", "kaplan_meier", "survival_at", "guess_mapping",
    "read_table", "DataValidationError", "DemoData", "DuplicateImportError",
    "FileFormatError", "ImportPlan",
    "ImportResult", "InsufficientDataError", "WorkbenchError", "commit_import", "default_url",
    "import_history", "init_db", "load_demo", "load_table", "make_demo", "make_engine", "prepare_import",
    "status", "store_version", "table_counts", "template", "template_xlsx", "undo_import",
    "undo_preview", "has_imports",
]


def __getattr__(name: str):
    """Import the module holding ``name`` on first use and keep the name here (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
