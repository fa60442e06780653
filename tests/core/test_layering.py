"""The house rules of DEVELOPERS.md that code can check."""

import ast
import re

from tests.conftest import ROOT


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "core").rglob("*.py")
                 if any(m.split(".")[0] == "streamlit" for m in _imports(p))]
    assert offenders == []


def test_pages_do_not_import_analytics_or_storage_libraries():
    banned = {"pandas", "sklearn", "shap", "sqlmodel", "sqlalchemy", "sqlite3", "openpyxl", "lifelines"}
    offenders = {p.name: sorted(set(m.split(".")[0] for m in _imports(p)) & banned)
                 for p in (ROOT / "pages").glob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pages_folder_holds_only_registered_pages():
    app = (ROOT / "app.py").read_text()
    registered = set(re.findall(r'st\.Page\("(pages/[^"]+)"', app))
    files = {f"pages/{p.name}" for p in (ROOT / "pages").iterdir() if p.name != "__pycache__"}
    assert files == registered


def test_requirements_are_exact_pins():
    for name in ("requirements.txt", "requirements-dev.txt", "constraints.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r ", "-c ")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-]*", line), line


def test_ruff_lint_is_clean():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
