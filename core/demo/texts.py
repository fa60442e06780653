"""The demo's words: themes, churn words, and the templates of verbatims, reviews and ticket subjects."""

from __future__ import annotations

THEMES = {
    "onboarding": ("onboarding", "setup", "getting started", "implementation"),
    "pricing": ("price", "pricing", "expensive", "cost"),
    "bugs": ("bug", "crash", "broken", "glitch"),
    "support_speed": ("support", "response time", "waiting", "ticket"),
    "missing_features": ("feature", "missing", "roadmap", "integration"),
    "billing_errors": ("invoice", "billing", "charged", "payment"),
}
CHURN_WORDS = ("cancel", "switching", "leave", "not renew")
#: how much more often a customer who churns (voluntarily) within the next six months names each theme
#: in a negative verbatim: added to the theme's choice weight (base weights 0.6-1.2). Pricing carries
#: the largest true churn effect; support speed is also raised by unresolved tickets (a churn driver).
THEME_CHURN_LIFT = {"onboarding": 0.0, "pricing": 4.0, "bugs": 1.0, "support_speed": 0.0,
                    "missing_features": 0.0, "billing_errors": 0.0}
#: a theme only reviews and social posts mention, and that no starter codebook rule covers: what
#: theme discovery should find
HIDDEN_THEME = "performance"
HIDDEN_NEGATIVE = ("The app is so slow, pages take ages to load.", "Loading times are terrible since the update.",
                   "Everything lags when we open big projects.", "Slow performance makes the team avoid it.",
                   "Reports load slowly and often time out.")
HIDDEN_POSITIVE = ("Pages load fast now, performance is great.", "Snappy and fast, no lag at all.")
#: ticket category -> subject lines
TICKET_TEXT = {
    "bug": ("The {thing} crashes when we open it.", "Error message in the {thing} after the update, looks like a bug.",
            "The {thing} is broken for all our users since this morning."),
    "billing": ("We were charged twice this month, please check the invoice.", "Our invoice lists seats we "
                "removed.", "The payment failed although the card is valid, billing please help."),
    "feature request": ("Please add a {feat} integration.", "Is a {feat} feature on the roadmap?",
                        "We need {feat} support, it is missing for our team."),
    "integration": ("The {feat} integration stopped syncing.", "How do we connect the {feat} integration?"),
    "how-to": ("How do I share a report with a colleague?", "Where can I change my notification settings?",
               "How can I schedule a weekly email?"),
    "account": ("Please add a new admin user to our account.", "Can you change the owner of our workspace?",
                "Please update the company address on file."),
}
#: ticket category -> the theme its subject names (categories not listed name none)
TICKET_THEME = {"bug": "bugs", "billing": "billing_errors", "feature request": "missing_features",
                "integration": "missing_features"}
#: personal data some public posts carry (what masking must catch)
PII = (" You can reach me at dana.fox@{co}.com.", " Call me on +1 (415) 555-0{n}.",
       " Card 4111 1111 1111 1111 was charged.", " My number is 020 7946 0{n}.")

NEGATIVE = {
    "onboarding": ["The {ob} took far too long and nobody guided us.", "Our {ob} was confusing; we still "
                   "don't use half of it.", "{OB} was a mess, the docs did not match the product.",
                   "We needed more help with {ob}, the team felt left alone."],
    "pricing": ["The {pr} is too high for what we get.", "Way too expensive after the last {pr} change.",
                "Hard to justify the cost to our finance team.", "{PR} keeps going up every year."],
    "bugs": ["Too many bugs, the {thing} crashes every week.", "The {thing} is broken again after the update.",
             "Constant glitches in the {thing} make it unreliable.", "We hit a bug in the {thing} that "
             "lost our work."],
    "support_speed": ["Support takes days to answer a ticket.", "We are still waiting on support for a "
                      "critical issue.", "Response time from support is far too slow.",
                      "Our ticket sat open for two weeks, support never followed up."],
    "missing_features": ["The {feat} feature we need is still missing.", "No {feat} integration, which "
                         "competitors have.", "Missing basic features like {feat}.", "The {feat} feature "
                         "has been on the roadmap forever."],
    "billing_errors": ["We were charged twice on the last invoice.", "The invoice was wrong again and "
                       "billing took weeks to fix it.", "Billing errors every quarter, our payment "
                       "failed for no reason.", "We got charged for seats we removed; the invoice is a mess."],
}
POSITIVE = {
    "onboarding": ["{OB} was smooth and quick.", "Great {ob}, the team got us live in a week."],
    "pricing": ["Fair pricing for the value.", "Good value for the price."],
    "bugs": ["The {thing} is stable, hardly any bug since we started.", "Solid {thing}, no crash in months."],
    "support_speed": ["Support answers fast and fixes things.", "Quick response time from support, "
                      "every ticket handled the same day."],
    "missing_features": ["The new {feat} feature is exactly what we needed.", "Love the {feat} integration."],
    "billing_errors": ["Billing is simple and every invoice is clear.", "Invoice and payment are painless."],
}
#: ``{slot}`` -> the words a template is expanded with
FILLERS = {"ob": ("onboarding", "setup", "implementation"), "pr": ("price", "pricing"),
           "thing": ("dashboard", "report builder", "mobile app", "export", "editor"),
           "feat": ("Salesforce", "SSO", "custom roles", "forecasting", "API webhooks", "Slack")}
OPENERS = ("", "", "Honestly, ", "Overall: ", "To be frank, ", "In short, ")
CHURN_CLAUSES = ("We are considering switching to a competitor.", "If this is not fixed we will cancel.",
                 "Thinking about switching tools at renewal.", "We plan to cancel our subscription.",
                 "We will not renew unless this changes.", "Our team wants to leave for another vendor.")
#: first words an opener does not lower-case
KEEP_CASE = ("SSO", "API", "Salesforce", "Slack")
NEUTRAL = ("It does the job.", "Fine, nothing special.", "Useful product, some rough edges.")


def render(templates: list[str]) -> list[str]:
    """Expand every ``{slot}`` template with each filler (``{OB}`` is the capitalised form)."""
    out = []
    for t in templates:
        variants = [t]
        for slot, words in FILLERS.items():
            nxt = []
            for v in variants:
                if "{" + slot + "}" in v or "{" + slot.upper() + "}" in v:
                    nxt += [v.replace("{" + slot + "}", w).replace("{" + slot.upper() + "}", w.capitalize())
                            for w in words]
                else:
                    nxt.append(v)
            variants = nxt
        out += variants
    return out
