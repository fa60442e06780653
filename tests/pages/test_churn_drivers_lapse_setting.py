"""AppTest: an analyst saves the lapse period N on the Churn drivers page of a mix (a recurring book beside the
headerless CDNOW sample, tests/pages/store_kinds.py kind "mix"), and every page reads it: before saving, the page says
that only it uses the new N; after, the input starts at the saved N with who and why, and the Overview counts the
buyers' lapses with it. A save without a reason is refused with a plain message and saves nothing."""

import pytest

import core
from core.buyers import lapse_setting
from tests.pages import store_kinds
from tests.pages.conftest import open_page

SAVED = 120


@pytest.fixture(scope="module")
def mix_url(shared, tmp_path_factory) -> str:
    return store_kinds.build("mix", tmp_path_factory.mktemp("lapse_setting_page"))


def _saved(url: str):
    engine = core.make_engine(url)
    try:
        return lapse_setting.saved(engine)
    finally:
        engine.dispose()


def test_a_saved_lapse_period_is_used_on_every_page(mix_url, monkeypatch):
    at = open_page(monkeypatch, mix_url, "churn_drivers", timeout=300)
    assert not at.error and not at.info  # the proposal is the store's N: nothing to save
    at.number_input(key="churn_lapse_days_210").set_value(SAVED).run()
    assert not at.exception
    note = [i.value for i in at.info if "Only this page uses" in i.value]
    assert note == [f"Only this page uses {SAVED} days for now; the Overview, Health scores, Cohort curves and the "
                    f"review use 210 days. Save {SAVED} days to use it everywhere."]

    at.text_input(key="churn_lapse_author").set_value("Ana *bold*")
    at.button(key=f"FormSubmitter:churn_lapse_save_{SAVED}-Use {SAVED} days on every page").click().run()
    assert [e.value for e in at.error] == ["Say why: the reason field is empty (it is what a reviewer reads later)."]
    assert _saved(mix_url) is None

    at.text_input(key="churn_lapse_reason").set_value("four silent months")
    at.button(key=f"FormSubmitter:churn_lapse_save_{SAVED}-Use {SAVED} days on every page").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = _saved(mix_url)
    assert (saved.days, saved.author, saved.reason) == (SAVED, "Ana *bold*", "four silent months")
    assert at.number_input(key=f"churn_lapse_days_{SAVED}").value == SAVED
    assert not [i for i in at.info if "Only this page uses" in i.value]
    shown = [c.value for c in at.caption if "Saved for every page" in c.value]
    assert shown == [rf"Saved for every page: {SAVED} days, by Ana \*bold\* on {saved.created_at:%Y-%m-%d} "
                     "(four silent months)."]  # the name is data: escaped, never rendered as Markdown

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert any(f"follows their last one within {SAVED} days (the lapse rule)" in c.value for c in at.caption)
