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
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[0-9][0-9A-Za-z.\-]*", line), line


def test_ruff_lint_is_clean():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


#: the layers every domain may use: the store, the shared customer history, the metrics glossary, export, errors
BASE = {"store", "history", "metrics", "export", "errors"}
#: what each package of core/ may import from core/ (besides itself); anything else is a layering error
ALLOWED = {
    "errors": set(),
    "store": {"errors"},
    "query": {"store", "errors"},  # the engines (embedded DuckDB, PostgreSQL) and the fact tables on them
    # a purchase log's churn dates are the lapse rule's (core/buyers/lapse.py and purchases.py: store, units, errors),
    # applied where churn dates are read (core.history.inputs.load_inputs) for the churn model, health and review
    "history": {"store", "errors", "buyers", "query"},  # query: usage features summed by an engine
    "metrics": {"store", "history", "errors"},
    "export": {"metrics", "errors"},
    "access": {"store", "errors", "export"},  # accounts, roles, the audit trail
    "ingest": BASE | {"access"},  # an import and its undo need the right, and are audited
    "cohorts": BASE | {"query"},
    "churn": BASE | {"access"},  # a churn-model save needs the right, and is audited
    "health": BASE | {"access"},  # a health-configuration save needs the right, and is audited
    "feedback": BASE | {"access", "query"},  # codebook changes need the right, and are audited; theme counts summed
    # by the chosen engine with its exact means (core/feedback/engine_mentions.py)
    "buyers": BASE | {"access", "query"},  # purchase logs: buyer metrics, lapse churn, lifetime value; saving N needs
    # the right; the Overview's headline revenue summed by the chosen engine (core/buyers/engine_headline.py)
    # named exceptions, each with its reason:
    "demo": BASE | {"ingest", "plays"},  # the demo loads its frames through the importer's bulk insert; its
    # trigger-driven play is a year of the playbooks' own weekly runs (core/demo/triggered.py)
    "roi": BASE | {"churn", "ingest", "query"},  # risk at contact scores with the churn model; outcome flags read as
    # imported; the contacts' windows summed by the chosen engine (core/roi/engine_outcomes.py)
    # playbooks: signals of the churn, health and feedback pages turned into actions; each play's holdout is an
    # arm the ROI page measures (core/roi's control arm and sample-ratio check); a run's contacts are logged through
    # the importer (core/plays/record.py), so they have an import's guarantees and its undo
    # the escalation signal is the Service operations page's definition of an escalated ticket (core/service)
    "plays": BASE | {"churn", "health", "feedback", "roi", "access", "ingest", "service"},
    "service": BASE,  # service levels against churn: tickets, customers' churn dates and MRR
    "forecast": BASE | {"churn"},  # the revenue outlook from the churn model's probabilities; its back-test
    # fits the churn model at each past month end
    "review": BASE | {"cohorts", "churn", "health", "feedback", "roi", "buyers", "access",
                      "query"},  # a quarter's review: every page; snapshots, decisions and risk lists need rights;
    # query: MRR at risk of a warehouse's customers, its failures as one plain line
    "cli": BASE | {"access", "ingest", "demo", "cohorts", "churn", "health", "feedback", "roi", "review",
                   "buyers", "query", "plays", "service", "forecast"},  # one command each; a warehouse source
}


def _core_imports(path):
    """The core packages ``path`` imports (``from core import x`` counts as package ``x``)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core":
            parts = node.module.split(".")
            yield from ([a.name for a in node.names] if len(parts) == 1 else [parts[1]])
        elif isinstance(node, ast.Import):
            yield from (a.name.split(".")[1] for a in node.names if a.name.startswith("core."))


def _package(path):
    rel = path.relative_to(ROOT / "core").parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def test_core_domains_depend_only_on_the_layers_below_them():
    wrong = {}
    for path in (ROOT / "core").rglob("*.py"):
        pkg = _package(path)
        if pkg in ("__init__", "__main__"):
            continue
        assert pkg in ALLOWED, f"core/{pkg} is a new package: give it its place in ALLOWED"
        bad = {m for m in _core_imports(path) if m != pkg and m not in ALLOWED[pkg]}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert wrong == {}


def test_core_is_cut_into_domain_packages():
    loose = sorted(p.name for p in (ROOT / "core").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "errors.py"]


#: a module longer than this must say in its docstring why it stays one piece ("One piece: ...")
MAX_LINES = 400


def _modules():
    for folder in ("core", "ui"):
        yield from (p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_is_longer_than_a_chapter_unless_it_says_why():
    long = {}
    for path in _modules():
        text = path.read_text()
        doc = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > MAX_LINES and "One piece:" not in doc:
            long[str(path.relative_to(ROOT))] = len(text.splitlines())
    assert long == {}


def test_imports_sit_at_the_top_unless_a_comment_says_why():
    """An import inside a function is for a reason (a fast ``--help``, an optional heavy library): say it there."""
    hidden = []
    for path in _modules():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import | ast.ImportFrom):
                    here, before = lines[sub.lineno - 1], lines[sub.lineno - 2].strip()
                    if "#" not in here and not before.startswith("#"):
                        hidden.append(f"{path.relative_to(ROOT)}:{sub.lineno}")
    assert hidden == []
