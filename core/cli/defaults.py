"""The core constants the sub-command parsers show in ``--help``, copied here so that building the parser needs
no pandas, scipy or model library (a fast ``python -m core --help``).

tests/core/cli/test_main.py checks that each copy equals the value in core it stands for.
"""

#: core.ingest.fields.KINDS, the import kinds
KINDS = ("customers", "revenue", "activity", "transactions", "tickets", "feedback", "interventions",
         "incidents")

#: core.roi.wave.REST_DAYS
ROI_REST_DAYS = 30

#: core.feedback.impact.HORIZON_DAYS and core.feedback.prepared.GROUPS: the default churn horizon and the
#: customer columns scores split by
THEMES_HORIZON_DAYS = 180
THEMES_GROUPS = ("segment", "plan", "region")

#: core.churn.horizon.DEFAULT_DAYS: the churn horizon of a store with churn dates of its own (on a purchase log the
#: default is the lapse period, core.churn.horizon.default_horizon)
CHURN_HORIZON_DAYS = 90

#: core.health.backtest.DEFAULT_HORIZON_DAYS: the health back-test's horizon (the lapse period on a purchase log)
HEALTH_HORIZON_DAYS = 90

#: core.service.outcomes.DEFAULT_DAYS: churn within this many days of a ticket
SERVICE_DAYS = 90

#: core.service.indicators.OPEN_DAYS: a ticket open this many days at a month's end counts as unresolved
SERVICE_OPEN_DAYS = 14

#: core.service.follow_up.TARGET_DAYS: an NPS detractor counts as followed up in time within this many days
FOLLOW_UP_DAYS = 2

#: core.review.log.STATUSES
REVIEW_STATUSES = ("open", "in progress", "done", "dropped")
