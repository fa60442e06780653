"""What a leader reads for each churn feature: a label in plain words with its unit (the code name stays for
analysts, in a "column in the data" column or a tooltip).

The behavioural features are those of :data:`core.history.features.FEATURE_TEXT`; uploaded or customer attribute
columns get a readable fallback (``contract_type`` -> "Contract type"); any other name is kept as written.
"""

from __future__ import annotations

import re

#: the label of each feature the workbench makes (behaviour, tenure, renewal, the customer table's attributes)
FEATURE_LABELS = {
    "tenure_months": "Tenure (months)",
    "days_to_renewal": "Days to renewal",
    "usage_level_30d": "Usage level, last 30 days",
    "usage_trend_90d": "Usage trend against 90 days earlier",
    "active_days_30d": "Active days, last 30 days",
    "days_since_active": "Days since last activity",
    "tickets_90d": "Support tickets, last 90 days",
    "tickets_unresolved": "Unresolved support tickets",
    "hours_to_resolve": "Hours to resolve a ticket (median)",
    "nps_latest": "Latest NPS answer (0-10)",
    "nps_change": "NPS answer change",
    "csat_latest": "Latest CSAT answer",
    "csat_change": "CSAT answer change",
    "mrr_latest": "MRR, latest month",
    "mrr_change_3m": "MRR change over 3 months",
    "failed_payments_90d": "Failed payments, last 90 days",
    "segment": "Segment",
    "plan": "Plan",
    "region": "Region",
    "channel": "Channel",
}

_SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def feature_label(name) -> str:
    """The plain-words label of feature ``name``.

    Examples
    --------
    >>> feature_label("days_to_renewal")
    'Days to renewal'
    >>> feature_label("contract_type")
    'Contract type'
    >>> feature_label("NumOfProducts")
    'NumOfProducts'
    """
    text = str(name)
    if text in FEATURE_LABELS:
        return FEATURE_LABELS[text]
    if _SNAKE.fullmatch(text):
        words = text.replace("_", " ")
        return words[0].upper() + words[1:]
    return text
