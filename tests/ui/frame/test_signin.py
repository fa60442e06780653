"""AppTest of the sign-in gate (ui/frame/signin.py, called by app.py before any page): a store with accounts shows
the sign-in form and nothing of the pages; a wrong password shows the one message; a viewer signs in, sees who
they are in the sidebar, and on the Data page is told why there is no import and no undo (the store unchanged); an
analyst undoes an import (audited with their name); an admin's change of role takes effect at once; sign-out
returns to the form. A server bound beyond this computer on a store without accounts shows only the refusal.
The OpenID Connect path: AppTest.secrets with an ``[auth]`` section and AppTest.user as the provider's user.

Small hand-made stores (tests/core/access/store.py: two customers in import #1, one user per role); the counts
and audit entries are read with raw SQL.
"""

import sqlite3
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from core.access import exposure, login
from core.access import users as accounts
from tests.core.access import store as hand_made

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = hand_made.PASSWORD
UNDO_BUTTONS = {"data_undo", "data_undo_confirm"}


def _db(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _customers(url: str) -> int:
    con = sqlite3.connect(_db(url))
    try:
        return con.execute("SELECT count(*) FROM customer").fetchone()[0]
    finally:
        con.close()


def _trail(url: str) -> list[tuple]:
    con = sqlite3.connect(_db(url))
    try:
        return con.execute('SELECT "user", role, action, target FROM auditentry ORDER BY id').fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A store with users, read by the tests that change nothing in it."""
    return hand_made.build(tmp_path_factory.mktemp("signin"))


@pytest.fixture
def own(tmp_path):
    """A store with users of the test's own (the test changes it)."""
    return hand_made.build(tmp_path)


def _app(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    # AppTest runs app.py only the first time, then only the page (where ui.frame.page.require gates it again):
    # a second run draws the form where the next runs will read it
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()  # the form's only button
    assert not at.exception, at.exception
    return at


def _signed_in_as(at: AppTest) -> list[str]:
    return [t.value for t in at.sidebar.text if t.value.startswith("Signed in as ")]


def _the_form_only(at: AppTest) -> None:
    assert [t.value for t in at.title] == ["Sign in to the Retention Workbench"]
    assert [w.label for w in at.text_input] == ["Name", "Password"]
    assert not at.metric and not at.dataframe and not _signed_in_as(at)


def test_a_store_with_accounts_shows_the_form_and_no_page(monkeypatch, shared):
    at = _app(monkeypatch, shared)
    _the_form_only(at)
    at.switch_page("pages/data.py").run()  # a page opened directly: still the form only
    _the_form_only(at)


def test_a_wrong_password_shows_the_one_message(monkeypatch, shared):
    at = _sign_in(_app(monkeypatch, shared), "vic", "not the password")
    assert [e.value for e in at.error] == [login.WRONG]
    _the_form_only(at)
    _sign_in(at, "nobody", PASSWORD)
    assert [e.value for e in at.error] == [login.WRONG]


def test_a_viewer_sees_the_data_page_but_may_not_import_or_undo(monkeypatch, shared):
    before = hand_made.dump(shared)
    at = _sign_in(_app(monkeypatch, shared), "vic")
    assert _signed_in_as(at) == ["Signed in as vic (viewer)"]
    assert at.title and at.title[0].value != "Sign in to the Retention Workbench"
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Customers"] == "2"
    captions = [c.value for c in at.caption]
    assert "Your role (viewer) may not undo an import: ask an admin for the analyst role." in captions
    assert ("Your role (viewer) may not load data (import a file, record a playbook run or a contact log): ask an "
            "admin for the analyst role.") in captions
    assert "Your role (viewer) may not replace the store's data with the demo: ask an admin for the admin role." \
        in captions
    keys = {b.key for b in at.button}
    assert not keys & (UNDO_BUTTONS | {"data_reset_demo"}) and not at.get("file_uploader")
    after = hand_made.dump(shared)
    after["tables"].pop("auditentry"), before["tables"].pop("auditentry")  # the sign-in's entry
    assert after == before and _customers(shared) == 2


def test_an_analyst_undoes_an_import_as_themselves(monkeypatch, own):
    at = _sign_in(_app(monkeypatch, own), "ann")
    at.switch_page("pages/data.py").run()
    at.button(key="data_undo").click().run()
    at.button(key="data_undo_confirm").click().run()
    assert not at.exception, at.exception
    assert _customers(own) == 0
    assert _trail(own)[-2:] == [("ann", "analyst", "sign in", "ann"), ("ann", "analyst", "undo import", "import #1")]


def test_a_role_taken_away_takes_effect_at_the_next_click(monkeypatch, own):
    at = _sign_in(_app(monkeypatch, own), "ann")
    at.switch_page("pages/data.py").run()
    at.button(key="data_undo").click().run()
    confirm = at.button(key="data_undo_confirm")
    accounts.set_role(core_engine := _engine(own), "ann", "viewer")
    confirm.click().run()  # the click runs the app again: the gate reads the new role first
    assert not at.exception, at.exception
    assert _customers(own) == 2
    assert _signed_in_as(at) == ["Signed in as ann (viewer)"]
    assert not {b.key for b in at.button} & UNDO_BUTTONS
    accounts.disable(core_engine, "ann")
    at.run()
    assert [e.value for e in at.error] == ["user ann is disabled: ask an admin"]
    _the_form_only(at)
    core_engine.dispose()


def _engine(url: str):
    import core

    return core.make_engine(url)


def test_sign_out_returns_to_the_form(monkeypatch, own):
    at = _sign_in(_app(monkeypatch, own), "bo")
    assert _signed_in_as(at) == ["Signed in as bo (board)"]
    at.sidebar.button(key="signin_out").click().run()
    assert not at.exception, at.exception
    _the_form_only(at)
    assert _trail(own)[-2:] == [("bo", "board", "sign in", "bo"), ("bo", "board", "sign out", "bo")]


@pytest.fixture
def bound_to_every_interface():
    """The server option as ``--server.address 0.0.0.0`` sets it (AppTest runs the app in this process)."""
    was = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", was)


def test_beyond_this_computer_a_store_without_accounts_shows_only_the_refusal(monkeypatch, tmp_path,
                                                                             bound_to_every_interface):
    url = hand_made.build(tmp_path, with_users=False)
    at = _app(monkeypatch, url)
    assert [e.value for e in at.error] == [exposure.REFUSAL]
    assert not at.metric and not at.dataframe and not at.text_input and not at.title
    at.switch_page("pages/data.py").run()
    assert [e.value for e in at.error] == [exposure.REFUSAL] and not at.metric


def test_beyond_this_computer_a_store_with_accounts_asks_to_sign_in(monkeypatch, shared, bound_to_every_interface):
    at = _app(monkeypatch, shared)
    _the_form_only(at)
    _sign_in(at, "root")
    assert _signed_in_as(at) == ["Signed in as root (admin)"]


def test_on_this_computer_a_store_without_accounts_opens_without_sign_in(monkeypatch, tmp_path):
    assert exposure.loopback(config.get_option("server.address"))  # .streamlit/config.toml
    url = hand_made.build(tmp_path, with_users=False)
    at = _app(monkeypatch, url)
    at.switch_page("pages/data.py").run()
    assert not at.exception and not at.error and not _signed_in_as(at)
    assert "data_undo" in {b.key for b in at.button}  # the local admin may do everything


AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "not a secret",
                 "client_id": "workbench", "client_secret": "not a secret",
                 "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}}


def _provider_app(monkeypatch, url: str, user: dict) -> AppTest:
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(AUTH)
    at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


def test_with_an_identity_provider_its_user_maps_to_the_account(monkeypatch, own):
    accounts.add(engine := _engine(own), "jane@example.com", "analyst", PASSWORD)
    engine.dispose()
    at = _provider_app(monkeypatch, own, {"is_logged_in": False})
    assert not at.text_input and [b.key for b in at.button] == ["signin_provider"]  # no local form
    at = _provider_app(monkeypatch, own, {"is_logged_in": True, "email": "Jane@Example.com", "name": "Jane"})
    assert _signed_in_as(at) == ["Signed in as jane@example.com (analyst)"]
    assert _trail(own)[-1] == ("jane@example.com", "analyst", "sign in", "jane@example.com")
    at = _provider_app(monkeypatch, own, {"is_logged_in": True, "email": "max@example.com"})
    assert [e.value for e in at.error] == ["there is no account for max@example.com: an admin adds one with python "
                                           "-m core users add max@example.com --role viewer"]
    assert not at.metric and not _signed_in_as(at)


@pytest.fixture
def with_reviews(tmp_path):
    """A store with users and 300 clothing reviews as feedback (the Feedback themes page's codebook tab)."""
    import core
    from tests.pages import store_kinds

    url = hand_made.build(tmp_path)
    engine = _engine(url)
    data = store_kinds.reviews(300).to_csv(index=False).encode()
    core.commit_import(engine, core.prepare_import(engine, data, "reviews.csv", "feedback",
                                                   constants={"channel": "review"}), user="ann")
    engine.dispose()
    return url


def _codebook_tab(monkeypatch, url: str, name: str) -> AppTest:
    from tests.pages.conftest import rerun

    at = _sign_in(_app(monkeypatch, url), name)
    at.switch_page("pages/feedback_themes.py")
    return rerun(at)


def _theme_name(url: str, theme_id: int) -> str:
    con = sqlite3.connect(_db(url))
    try:
        return con.execute("SELECT name FROM theme WHERE id = ?", (theme_id,)).fetchone()[0]
    finally:
        con.close()


def test_a_codebook_change_is_saved_as_the_signed_in_analyst(monkeypatch, with_reviews):
    from tests.pages.conftest import rerun

    at = _codebook_tab(monkeypatch, with_reviews, "ann")
    assert "cb_author_Rename" not in {t.key for t in at.text_input}  # the author is the signed-in user
    assert "Saved as ann" in [t.value for t in at.text]
    at.selectbox(key="cb_ren_id").set_value(2)
    at.text_input(key="cb_ren_name").input("Price and value")
    at.text_input(key="cb_reason_Rename").input("shorter")
    next(b for b in at.button if b.form_id == "cb_Rename").click()
    rerun(at)
    assert _theme_name(with_reviews, 2) == "Price and value"
    con = sqlite3.connect(_db(with_reviews))
    author = con.execute("SELECT author FROM themechange ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.close()
    assert author == "ann"
    assert _trail(with_reviews)[-1] == ("ann", "analyst", "codebook rename", "themes 2")


def test_a_viewer_is_told_why_the_codebook_cannot_be_changed(monkeypatch, with_reviews):
    at = _codebook_tab(monkeypatch, with_reviews, "vic")
    before = _theme_name(with_reviews, 2)  # the starter codebook, saved on the page's first read
    assert "Your role (viewer) may not change the feedback codebook: ask an admin for the analyst role." in \
        [c.value for c in at.caption]
    save = next(b for b in at.button if b.form_id == "cb_Rename")
    assert save.disabled
    assert _theme_name(with_reviews, 2) == before
