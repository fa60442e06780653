"""What the workbench itself imports is pinned as a runtime requirement: every third-party module that app.py,
pages/, ui/ and core/ import (at the top or inside a function) comes from a distribution pinned in requirements.txt,
not only in requirements-dev.txt (which holds what the tests and benchmarks add) or as another package's dependency
in constraints.txt. A user who installs requirements.txt alone gets every page and command working."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

#: the project's own packages
OWN = {"core", "ui", "pages", "app", "tests", "benchmarks", "dev"}
#: optional engines: imported only once chosen, after core.query.choice checked they are installed (pinned in
#: requirements-dev.txt, where the tests run them)
OPTIONAL = {"pyspark"}


def _modules(path) -> set[str]:
    """The top-level names of every absolute import in ``path``."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def _product_files():
    yield ROOT / "app.py"
    for folder in ("pages", "ui", "core"):
        yield from (ROOT / folder).rglob("*.py")


def _pinned(name: str) -> set[str]:
    """The normalised names of the distributions pinned in the requirements file ``name``."""
    lines = (ROOT / name).read_text().splitlines()
    return {_normal(re.split(r"[\[=]", line.strip())[0]) for line in lines
            if line.strip() and not line.lstrip().startswith(("#", "-"))}


def _normal(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def third_party_imports() -> dict[str, set[str]]:
    """Each third-party top-level module the product imports -> the files importing it (relative paths)."""
    found: dict[str, set[str]] = {}
    for path in _product_files():
        for mod in _modules(path) - OWN - set(sys.stdlib_module_names) - {"__future__"}:
            found.setdefault(mod, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_module_the_product_imports_is_a_runtime_requirement():
    runtime, dists = _pinned("requirements.txt"), packages_distributions()
    missing = {mod: sorted(files)[:3] for mod, files in third_party_imports().items()
               if mod not in OPTIONAL and not {_normal(d) for d in dists.get(mod, [])} & runtime}
    assert missing == {}, f"imported by the product but not pinned in requirements.txt: {missing}"


def test_the_check_sees_the_product_s_libraries():
    """Not vacuous: the scan finds the libraries the pages and core are built on, lazy imports included."""
    found = third_party_imports()
    assert {"streamlit", "pandas", "sqlalchemy", "lifelines", "shap", "statsmodels", "ibis"} <= set(found)
    assert any(f.startswith("core/churn/") for f in found["shap"])  # imported inside a function
    assert OPTIONAL <= set(found) and OPTIONAL <= _pinned("requirements-dev.txt")
