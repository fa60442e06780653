"""The starter codebook for a software business: a starting point to edit, rename, merge and split."""

from __future__ import annotations

from core.feedback.codebook import Codebook

#: top-level themes: (name, owner team, keywords)
STARTER = (
    ("Onboarding & setup", "Customer success", ("onboarding", "onboard*", "setup", "set up", "getting started",
                                                 "implementation", "go-live", "kickoff", "guided", "training")),
    ("Pricing & value", "Sales", ("price", "prices", "pricing", "priced", "expensive", "overpriced", "cost",
                                  "costs", "costly", "value for money", "good value", "too much money", "discount*")),
    ("Bugs & reliability", "Engineering", ("bug", "bugs", "buggy", "crash*", "broken", "glitch*", "error message*",
                                           "outage*", "unreliable", "stable", "lost our work", "data loss")),
    ("Support responsiveness", "Support", ("support", "response time", "waiting", "waited", "ticket*",
                                           "followed up", "follow up", "no answer")),
    ("Missing features", "Product", ("feature", "features", "missing", "roadmap", "integration*", "feature request*",
                                     "wish list")),
    ("Billing & invoices", "Finance", ("invoice*", "billing", "billed", "charged", "double charge*", "payment*",
                                       "refund*", "receipt*")),
    ("Usability", "Product", ("confusing", "hard to use", "easy to use", "intuitive", "clunky", "user interface",
                              "navigation")),
    ("Documentation", "Customer success", ("docs", "documentation", "help center", "tutorial*", "knowledge base")),
)
#: "SSO support" asks for a feature, it says nothing about the support team
STARTER_EXCLUDE = {"Support responsiveness": ("need _ support", "need _ _ support", "add _ support",
                                              "add _ _ support")}
#: sub-themes of the starter codebook: (parent name, name, team or None, keywords)
STARTER_SUB = (
    ("Bugs & reliability", "Crashes", None, ("crash*", "freez*")),
    ("Missing features", "Integrations", None, ("integration*", "salesforce", "slack", "webhook*", "api", "sso")),
    ("Billing & invoices", "Double charges", None, ("charged twice", "double charge*", "charged for")),
)


def starter_codebook() -> Codebook:
    """The starter codebook (:data:`STARTER` plus :data:`STARTER_SUB`), ids 1, 2, 3 ... in that order."""
    book = Codebook({}, 1)
    for name, team, kws in STARTER:
        book, _ = book.create(name, kws, team=team, exclude=STARTER_EXCLUDE.get(name, ()))
    ids = {t.name: t.id for t in book.active()}
    for parent, name, team, kws in STARTER_SUB:
        book, _ = book.create(name, kws, parent=ids[parent], team=team or book.get(ids[parent]).team)
    return book
