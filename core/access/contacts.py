"""A customer's contact details among the attributes an import kept (:attr:`core.store.tables.Customer.attributes`):
which of them the retention policy clears (:func:`cleared`)."""

from __future__ import annotations

import re

#: words of an attribute name that holds contact details (e-mail, phone, fax, postal address ...)
CONTACT_WORDS = frozenset("mail email mobile cell tel telephone fax contact street postcode zip zipcode postal "
                          "phone address".split())
#: ... and parts of a name that do, inside a longer word ("workemail", "billing_phone2")
CONTACT_PARTS = ("email", "e-mail", "phone", "address")
#: a value that is an e-mail address, whatever its attribute's name
EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_contact(name: str, value) -> bool:
    """Whether an attribute holds contact details: by its name, or a value that is an e-mail address.

    Examples
    --------
    >>> is_contact("Work E-mail", "x"), is_contact("notes", "jane@example.com"), is_contact("plan_tier", "Gold")
    (True, True, False)
    """
    low = str(name).lower()
    words = set(re.split(r"[^a-z0-9]+", low))
    if words & CONTACT_WORDS or any(p in low for p in CONTACT_PARTS):
        return True
    return isinstance(value, str) and bool(EMAIL_VALUE.match(value.strip()))


def cleared(attributes: dict | None) -> dict | None:
    """``attributes`` without the contact details (the same object when there are none)."""
    if not attributes:
        return attributes
    kept = {k: v for k, v in attributes.items() if not is_contact(k, v)}
    return attributes if len(kept) == len(attributes) else kept
