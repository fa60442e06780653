"""Playbook rules (core/plays/rules.py): a JSON playbook reads into triggers and guards and back; every mistake is one
plain line naming the trigger and the key, and what to write instead."""

from __future__ import annotations

import json

import pytest

from core.errors import DataValidationError
from core.plays.rules import SIGNALS, Guards, parse, parse_json

BOOK = {
    "triggers": [
        {"name": "Health turned red", "signal": "health_band", "bands": ["red"], "play": "Rescue call",
         "owner": "Customer success", "channel": "phone", "due_days": 5, "holdout": 0.2},
        {"name": "Usage falling", "signal": "usage_drop", "percent": 30, "play": "Adoption email",
         "owner": "Product", "channel": "email"},
        {"name": "Reports unused", "signal": "not_adopted", "feature": "reports", "days": 30,
         "play": "Adoption email", "owner": "Product", "channel": "email"},
    ],
    "guards": {"fatigue_contacts": 3, "fatigue_days": 30, "fatigue_by_segment": {"Enterprise": 1}, "gap_days": 10},
}


def test_a_playbook_reads_and_writes_back():
    book = parse(BOOK)
    red, usage, unused = book.triggers
    assert (red.play, red.due_days, red.holdout, red.block) == ("Rescue call", 5, 0.2, (1, 5))
    assert (usage.holdout, usage.block, usage.due_days) == (0.15, (3, 20), 7)  # the defaults
    assert red.describe() == "the health band turns red" and usage.describe() == "usage falls by 30 % or more"
    assert unused.describe() == "reports is not used 30 days after signup"
    assert book.guards == Guards(fatigue_contacts=3, fatigue_by_segment={"Enterprise": 1}, gap_days=10)
    assert book.guards.cap("Enterprise") == 1 and book.guards.cap("SMB") == 3
    assert parse(json.loads(book.to_json())) == book


@pytest.mark.parametrize(("change", "message"), [
    ({"signal": "nps"}, "Trigger 1 ('Health turned red') names the signal 'nps': use one of "
                        + ", ".join(SIGNALS) + "."),
    ({"play": " "}, "Trigger 1 ('Health turned red') needs 'play': a text such as 'Rescue call'."),
    ({"bands": []}, "Trigger 1 ('Health turned red'): 'bands' is a list of names, such as [\"red\"]."),
    ({"percent": 20}, "Trigger 1 ('Health turned red') has 'percent', which its signal 'health_band' does not take "
                      "(it takes bands)."),
    ({"holdout": 1.5}, "Trigger 1 ('Health turned red'): 'holdout' is the share of customers held out, above 0 and "
                       "below 1 (0.15 holds out 15 %), not 1.5."),
    ({"due_days": 2.5}, "Trigger 1 ('Health turned red'): 'due_days' is a whole number of days, at least 0, not 2.5."),
])
def test_a_wrong_trigger_is_one_plain_line(change, message):
    bad = {**BOOK, "triggers": [{**BOOK["triggers"][0], **change}, *BOOK["triggers"][1:]]}
    with pytest.raises(DataValidationError) as e:
        parse(bad)
    assert str(e.value) == message


def test_a_play_has_one_holdout_share_and_names_are_unique():
    mixed = {"triggers": [BOOK["triggers"][1], {**BOOK["triggers"][2], "holdout": 0.3}]}
    with pytest.raises(DataValidationError, match="start the play 'Adoption email' with different holdout shares "
                                                  r"\(0.15 and 0.3\)"):
        parse(mixed)
    with pytest.raises(DataValidationError, match="Two triggers are called 'Usage falling'"):
        parse({"triggers": [BOOK["triggers"][1], BOOK["triggers"][1]]})


def test_wrong_guards_and_json_are_plain_lines():
    with pytest.raises(DataValidationError, match="The guards have 'cap':"):
        parse({**BOOK, "guards": {"cap": 2}})
    with pytest.raises(DataValidationError, match=r"The guards: \"fatigue_by_segment\['SMB'\]\" is a whole number of "
                                                  r"contacts, at least 0, not -1."):
        parse({**BOOK, "guards": {"fatigue_by_segment": {"SMB": -1}}})
    with pytest.raises(DataValidationError, match="The playbook is not valid JSON: Expecting value at line 1, "
                                                  "column 14."):
        parse_json('{"triggers": }')
    with pytest.raises(DataValidationError, match='A playbook is an object with "triggers"'):
        parse_json("[]")
