"""The role/right table, written out here independently of core.access.rights, and the risk-list setting."""

import pytest

import core
from core.access import guard, rights

#: role -> the rights it has, as the issue lists them (admin: all; risk lists only when an admin allows)
EXPECTED = {
    "viewer": {"read"},
    "analyst": {"read", "import", "undo", "configure", "codebook", "follow_up", "save_model"},
    "board": {"read", "snapshot", "decide"},
    "admin": {"read", "import", "undo", "configure", "codebook", "follow_up", "save_model", "snapshot", "decide",
              "users", "erase", "retention", "audit", "reset", "risk_lists"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_has_exactly_its_rights(role):
    assert {r for r in rights.RIGHTS if rights.role_may(role, r)} == EXPECTED[role]


def test_an_unknown_role_has_no_right_and_is_refused_by_name():
    assert not any(rights.role_may("guest", r) for r in rights.RIGHTS)
    with pytest.raises(core.DataValidationError, match="'guest' is not a role"):
        rights.check_role("guest")
    assert rights.check_role(" Board ") == "board"


def test_risk_lists_follow_the_admin_setting(tmp_path):
    engine = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    viewer = guard.Actor("vic", "viewer")
    analyst = guard.Actor("ann", "analyst")
    admin = guard.Actor("root", "admin")
    assert rights.risk_list_roles(engine) == ()
    assert [guard.allowed(engine, a, rights.RISK_LISTS) for a in (viewer, analyst, admin)] == [False, False, True]
    assert rights.set_risk_list_roles(engine, ["Analyst", "admin"], "root") == ("analyst",)
    assert [guard.allowed(engine, a, rights.RISK_LISTS) for a in (viewer, analyst, admin)] == [False, True, True]
    rights.set_risk_list_roles(engine, [], "root")
    assert [guard.allowed(engine, a, rights.RISK_LISTS) for a in (viewer, analyst, admin)] == [False, False, True]
    with pytest.raises(guard.AccessDenied, match=r"^user ann \(analyst\) may not see per-customer churn scores"):
        guard.require(engine, analyst, rights.RISK_LISTS)
