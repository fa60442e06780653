"""The names and defaults every Intervention ROI module shares: the outcomes and covariates the store gives every
play and their labels, the columns of a play's contacts (:func:`core.roi.outcomes.outcomes`), the control arm, and
the default window, pre-period and significance level, and
the defaults of the money and planning set-up (:mod:`core.roi.setup`)."""

#: days after a contact over which retention and revenue are measured
WINDOW_DAYS = 90
#: days before a contact over which the CUPED covariates are measured
PRE_DAYS = 90
ALPHA = 0.05
#: the Money tab's gross margin and the months of MRR a saved customer is assumed to bring
MARGIN, VALUE_MONTHS = 0.8, 12
#: the planned share of contacts held out (sample-ratio check and test planning) and the power a test aims at
HOLDOUT_SHARE, POWER = 0.15, 0.8
#: the effect a test is planned to detect (15 points would be 0.15)
PLANNED_EFFECT = 0.05
#: the retention without the play a test is planned around when the play's control arm gives none
BASELINE_RETENTION = 0.85
#: the held-out arm every other arm is compared with
CONTROL = "holdout"
RETAINED, REVENUE = "retained", "revenue_kept"
PRE_REVENUE, PRE_USAGE = "pre_revenue", "pre_usage"
#: plain names of the outcomes and covariates the store gives every play
LABELS = {RETAINED: "Retained", REVENUE: "Revenue kept", PRE_REVENUE: "Revenue before contact",
          PRE_USAGE: "Usage before contact (log)"}
OUTCOME_COLUMNS = ["id", "customer_id", "play", "arm", "channel", "date", "cost", "segment", "plan", "region",
                   "eligible", "followed", "churn_day", RETAINED, REVENUE, PRE_REVENUE, PRE_USAGE, "mrr_before"]
