"""Feedback themes: verbatims from every channel, tagged by a codebook and tied to churn and revenue.

The flow: :mod:`core.feedback.inputs` reads verbatims, survey scores, customers and MRR;
:mod:`core.feedback.prepared` masks personal data and adds sentiment, the negative flag and churn
signals (once per store version); :mod:`core.feedback.tagging` tags them with a
:mod:`core.feedback.codebook` (rule syntax: :mod:`core.feedback.rules`; the one to start from:
:mod:`core.feedback.starter`), once per codebook. Then each theme is measured:
:mod:`core.feedback.impact` (NPS impact, churn impact, MRR at risk), :mod:`core.feedback.mentions`
(per period and per group), :mod:`core.feedback.followup` (items, backlog, churn signals) and
:mod:`core.feedback.surveys` (NPS, CSAT, CES). :mod:`core.feedback.verbatims` holds the text analytics,
:mod:`core.feedback.discovery` clusters untagged verbatims, :mod:`core.feedback.store` saves the codebook.
"""
