"""What each import kind expects: its fields, their synonyms and one-line descriptions.

Matching a file's columns to the fields is :mod:`core.ingest.mapping`; how text is typed is
:mod:`core.ingest.text_types` (vectorised: a text Series in, the typed Series and a mask of the cells that could
not be typed out, so validation can name them), re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from core.ingest.text_types import (  # noqa: F401 (re-exported: callers type text through this module)
    DATE_FORMATS,
    blank_mask,
    detect_date_format,
    infer_extra_type,
    iso_date_text,
    iso_dates,
    iso_datetimes,
    to_dates,
    to_flags,
    to_groups,
    to_numbers,
    trimmed,
    type_share,
)


@dataclass(frozen=True)
class FieldSpec:
    """One schema field an import kind can fill.

    ``type`` is one of ``key, text, date, datetime, number, flag, group, months``. ``synonyms`` are header
    names in snake case, the likeliest first (core.ingest.mapping matches any spelling of them: ``Invoice Date``,
    ``InvoiceDate``, ``INVOICEDATE``); ``help`` is the one-line description the Data page shows; a header with a
    word of ``avoid`` is never matched to the field (``Spend`` is an outcome, never a ``cost``).
    """

    name: str
    type: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str = ""
    avoid: tuple[str, ...] = ()


def _words(v) -> tuple[str, ...]:
    return tuple(v.split()) if isinstance(v, str) else tuple(v)


def _f(name, type_, required=False, syn="", help_="", avoid=""):
    """A field; ``syn`` and ``avoid`` as space-separated words (or tuples)."""
    return FieldSpec(name, type_, required, _words(syn), help_, _words(avoid))


# Synonyms come from real exports: Stripe, Chargebee, Shopify, Zendesk, Intercom, Salesforce, HubSpot,
# Mailchimp, Qualtrics, App Store / Google Play reviews and the public files in ../shared/data.
_CUSTOMER_KEY = ("customer_id customer cust_id client_id account_id account user_id customer_number customer_no "
                 "customer_key customer_code account_number account_no company_id organization_id org_id "
                 "subscriber_id member_id client_number buyer_id shopper_id requester_id external_reference "
                 "external_data_reference external_id cid")
_KEY_AVOID = "name email mail age gender phone address product item"
_KEY_HELP = "the customer's id, the one the customer file uses"
#: words of an outcome: a column named with one is never a cost
_OUTCOMES = "spend spent spending revenue sales sale converted conversion visited visit purchase order income profit"

#: kind -> fields, in the order they are matched (the key first)
KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": (
        _f("customer_id", "key", True, _CUSTOMER_KEY + " record_id id",
           "the customer's unique id; other files name the customer by it", _KEY_AVOID),
        _f("name", "text", syn="name customer_name company company_name account_name organization organization_name "
           "business_name client_name display_name full_name", help_="the customer's name (company or person)"),
        _f("segment", "text", syn="segment customer_segment market_segment tier_segment size company_size "
           "business_size customer_type size_band", help_="the customer's segment, such as SMB or Enterprise"),
        _f("plan", "text", syn="plan plan_name product product_line tier contract contract_type subscription "
           "subscription_plan plan_id package edition pricing_plan price_plan license_type",
           help_="the plan, product or contract the customer is on"),
        _f("region", "text", syn="region country geo territory market state country_region country_code "
           "billing_country sales_region location province", help_="where the customer is: region, country ..."),
        _f("channel", "text", syn="channel acquisition_channel source lead_source acquisition_source original_source "
           "original_source_type marketing_channel utm_source referral_source signup_source",
           help_="how the customer was won: partner, paid search, outbound ..."),
        _f("signup_date", "date", syn="signup_date signup signed_up signed_up_at start_date started_at start created "
           "created_at created_date create_date creation_date date_created join_date joined joined_at "
           "customer_since member_since acquired acquisition_date became_a_customer_date first_purchase "
           "first_purchase_date first_order_date activated_at activation_date subscription_start "
           "subscription_start_date contract_start contract_start_date registration_date registered_at onboarded_at",
           help_="when the customer started: first contract, subscription or purchase"),
        _f("churn_date", "date", syn="churn_date churned_at churned_on churned_date date_churned cancel_date "
           "cancelled_at canceled_at cancelled_on cancelled_date cancellation_date end_date ended_at "
           "termination_date terminated_at deactivated_at lost_date",
           help_="when the customer left; blank while still a customer"),
        _f("churn_type", "text", syn="churn_type churn_reason_type churn_kind churn_category cancellation_type "
           "cancel_type", help_="voluntary or involuntary, for customers who left"),
        _f("renewal_date", "date", syn="renewal_date renewal contract_renewal renews_on renews_at next_renewal "
           "next_renewal_date renewal_due contract_end contract_end_date current_term_end current_period_end term_end",
           help_="the next contract renewal date"),
        _f("tenure", "months", syn="tenure tenure_months tenure_in_months months_active lifetime_months "
           "months_as_customer months_subscribed",
           help_="months as a customer at the snapshot date; with that date it gives the signup date"),
        _f("churned", "flag", syn="churn churned is_churned churn_flag churn_label has_churned exited attrited "
           "attrition attrition_flag cancelled canceled",
           help_="yes/no: the customer has left; with the snapshot date it sets the churn date"),
        _f("mrr", "number", syn="mrr monthly_charges monthly_charge monthly_fee monthly_revenue "
           "monthly_recurring_revenue monthly_amount monthly_price monthly_bill recurring_revenue "
           "subscription_amount current_mrr mrr_amount",
           help_="monthly recurring revenue at the snapshot date, kept with the customer", avoid="total"),
    ),
    "revenue": (
        _f("customer_id", "key", True, _CUSTOMER_KEY, _KEY_HELP, _KEY_AVOID),
        _f("period", "date", True, "period month date billing_month billing_period invoice_date period_start "
           "billing_date invoice_month revenue_month charge_date payment_date paid_at created month_start "
           "service_period_start transaction_date", "the month (or a day in it) the revenue belongs to"),
        _f("mrr", "number", syn="mrr recurring recurring_revenue monthly_recurring_revenue arr_monthly "
           "subscription_amount monthly_charges monthly_charge monthly_fee monthly_revenue mrr_amount "
           "subscription_revenue recurring_amount plan_amount",
           help_="monthly recurring revenue of the customer in that month", avoid="total"),
        _f("amount", "number", syn="amount revenue value total sales price dollar_value transaction_amount "
           "invoice_amount invoice_total amount_paid payment_amount total_amount net_amount gross_amount "
           "charge_amount order_total grand_total total_price line_total sale_amount net_revenue gross_revenue "
           "subtotal", help_="a one-off amount (invoice, payment or sale), not recurring revenue"),
        _f("payment_failed", "flag", syn="payment_failed failed_payment payment_failure failed dunning past_due "
           "is_past_due delinquent",
           help_="yes/no: the payment for this period failed (feeds the failed-payments health measure)"),
    ),
    "activity": (
        _f("customer_id", "key", True, _CUSTOMER_KEY, _KEY_HELP, _KEY_AVOID),
        _f("date", "date", True, "date day event_date timestamp activity_date usage_date event_time "
           "event_timestamp occurred_at created_at datetime session_date login_date", "the day the activity happened"),
        _f("metric", "text", True, "metric feature event event_name event_type action measure activity "
           "activity_type metric_name feature_name usage_type", "what was counted: logins, reports, API calls ..."),
        _f("value", "number", True, "value count amount quantity usage events minutes event_count usage_count "
           "sessions qty total", "how many (or how much) of the metric on that day"),
    ),
    "transactions": (
        _f("customer_id", "key", True, _CUSTOMER_KEY, _KEY_HELP, _KEY_AVOID),
        _f("date", "date", True, "date order_date transaction_date purchase_date invoice_date created_at created "
           "processed_at paid_at payment_date sale_date order_created_at order_time purchase_time checkout_date",
           "the day of the purchase"),
        _f("amount", "number", True, "amount dollar_value value revenue sales total price order_value order_total "
           "order_amount total_price line_total grand_total total_amount net_sales gross_sales sale_amount "
           "transaction_amount purchase_amount invoice_amount amount_paid total_sales subtotal",
           "what the purchase was worth: the line or order total (else quantity x unit price)",
           avoid="unit each per"),  # a unit price is never the amount: quantity x unit price is (line_items)
        _f("quantity", "number", syn="quantity qty units number_of_cds items number_of_items count item_count "
           "units_sold num_items", help_="how many items were bought (1 when not given; negative for a return)",
           avoid="price cost amount value"),
        _f("unit_price", "number", syn="unit_price unitprice price_each price_per_unit price_per_item item_price "
           "unit_cost unit_amount each_price unit_sale_price", help_="the price of one item: with the quantity it "
           "gives the amount when the file has no line total", avoid="total"),
        _f("order_id", "text", syn="order_id invoice_no invoice_number invoice_id invoice order_number order_no "
           "order transaction_id receipt_id receipt_number receipt_no sales_order",
           help_="the order or invoice the line belongs to, kept as written (C536379 marks a cancelled invoice)",
           avoid="date time amount total value price"),
        _f("status", "text", syn="status order_status transaction_status invoice_status financial_status "
           "payment_status order_state", help_="the order's status; cancelled, refunded or returned lines are returns"),
    ),
    "tickets": (
        _f("ticket_id", "text", syn="ticket_id ticket case_id case_number ticket_number ticket_no case_no "
           "conversation_id issue_id issue_key request_id incident_id incident_number id",
           help_="the ticket's own id, so a ticket is never loaded twice"),
        _f("customer_id", "key", False, _CUSTOMER_KEY, _KEY_HELP, _KEY_AVOID),
        _f("opened", "datetime", syn="opened opened_at created created_at open_date submitted submitted_at date "
           "created_date create_date creation_date date_opened date_time_opened ticket_created_at reported_at "
           "received_at conversation_started_at raised_at logged_at",
           help_="when the ticket was opened", avoid="purchase birth"),
        _f("first_response", "datetime", syn="first_response first_response_time first_reply first_reply_at "
           "responded_at first_response_at first_responded_at first_reply_time first_agent_reply_at",
           help_="when the first reply was sent (a date and time)"),
        _f("resolved", "datetime", syn="resolved resolved_at closed closed_at time_to_resolution resolution_time "
           "resolution_date solved_at solved closed_date close_date date_closed date_time_closed resolved_date "
           "completed_at", help_="when the ticket was resolved or closed (a date and time)"),
        _f("priority", "text", syn="priority ticket_priority case_priority severity urgency",
           help_="how urgent: low, medium, high ..."),
        _f("category", "text", syn="category ticket_type type topic issue_type reason case_reason ticket_category "
           "request_type case_type", help_="what the ticket is about: billing, bug, how-to ..."),
        _f("channel", "text", syn="channel ticket_channel source via medium origin case_origin contact_channel "
           "source_type", help_="where it came in: e-mail, chat, phone ..."),
        _f("status", "text", syn="status ticket_status state case_status", help_="open, pending, solved, closed ..."),
        _f("satisfaction", "number", syn="satisfaction csat customer_satisfaction_rating satisfaction_rating rating "
           "satisfaction_score csat_score conversation_rating customer_rating",
           help_="the customer's satisfaction rating (CSAT, 1-5)"),
        _f("reopens", "number", syn="reopens reopen_count reopened_count times_reopened number_of_reopens "
           "reopen_counter reopened_times num_reopens", help_="how many times the ticket was reopened (0 or more)"),
        _f("replies", "number", syn="replies agent_replies reply_count number_of_replies agent_interactions "
           "agent_responses responses num_replies public_replies", avoid="customer",
           help_="how many replies the agents sent before it was resolved (1 = solved in one touch)"),
        _f("first_contact", "flag", syn="first_contact first_contact_resolution fcr first_contact_resolved "
           "resolved_on_first_contact first_call_resolution fcr_flag one_touch one_touch_resolution",
           help_="the help desk's own yes/no: resolved at first contact"),
        _f("effort", "number", syn="effort ces customer_effort customer_effort_score effort_score ces_score "
           "ticket_effort", help_="the customer effort score given to the ticket (CES, 1-7, higher = easier)"),
        _f("text", "text", syn="text subject ticket_subject description ticket_description ticket_name body comment "
           "message summary issue_description first_message", help_="the ticket's subject or description"),
    ),
    "feedback": (
        _f("customer_id", "key", False, _CUSTOMER_KEY, _KEY_HELP, _KEY_AVOID),
        _f("date", "date", syn="date response_date submitted submitted_at created_at created survey_date review_date "
           "recorded_date completed_at tweet_created posted posted_at published published_at "
           "review_submit_date_and_time review_submitted_at date_submitted responded_at feedback_date timestamp at",
           help_="when the answer, review or post was given"),
        _f("channel", "text", True, "channel survey survey_type source feedback_type survey_name feedback_channel",
           help_="nps, csat, ces, review, social, support ... (give one value when the whole file is one kind)"),
        _f("score", "number", syn="score rating nps csat ces stars nps_score star_rating review_rating "
           "overall_rating likelihood_to_recommend csat_score ces_score rating_value",
           help_="the rating given: NPS 0-10, CSAT 1-5, stars ...", avoid="group count id"),
        _f("text", "text", syn="text review_text comment comments verbatim feedback review response body message "
           "content review_body review_content feedback_text comment_text tweet_text open_text answer",
           help_="the comment, review or post, as written"),
        _f("status", "text", syn="status follow_up follow_up_status followup_status state",
           help_="the follow-up status: open, done ..."),
        _f("followed_up", "date", syn="followed_up followed_up_at followed_up_on follow_up_date followup_date "
           "follow_up_at date_followed_up first_follow_up first_follow_up_at contacted_back_at called_back_at "
           "closed_loop_at outreach_date reached_out_at", avoid="status",
           help_="when the customer was first followed up (called or written back to)"),
        _f("closed", "date", syn="closed closed_at closed_on closed_date close_date date_closed follow_up_closed_at "
           "resolved_at resolved_on resolution_date done_at", avoid="status",
           help_="when the follow-up was closed"),
        _f("reopens", "number", syn="reopens reopen_count reopened_count times_reopened number_of_reopens",
           help_="how many times the follow-up was reopened (0 or more)"),
    ),
    "interventions": (
        _f("customer_id", "key", True, _CUSTOMER_KEY, _KEY_HELP, _KEY_AVOID),
        _f("play", "text", True, "play intervention campaign playbook treatment_name action campaign_name "
           "campaign_title play_name program initiative journey",
           "the play or campaign's name (give one value when the whole file is one play)"),
        _f("channel", "text", syn="channel medium via contact_channel delivery_channel outreach_channel",
           help_="how the customer was contacted: e-mail, phone, in-app ..."),
        _f("date", "date", True, "date sent sent_at sent_on sent_date date_sent send_date send_time start_date "
           "intervention_date assigned assigned_at assignment_date contact_date contacted_at contacted_on "
           "delivered_at scheduled_at campaign_date treatment_date exposure_date",
           "when the customer was contacted (or put in the holdout)"),
        _f("group", "group", True, "group arm variant treatment_group cohort assignment test_group experiment_group "
           "bucket treatment condition", "treatment or holdout (control, no contact); any other label is an arm"),
        _f("cost", "number", syn="cost cost_usd contact_cost cost_per_contact unit_cost send_cost expense "
           "outreach_cost channel_cost cost_of_contact contact_price price_per_contact",
           help_="what contacting the customer cost (not an outcome such as spend or revenue)", avoid=_OUTCOMES),
    ),
    "incidents": (
        _f("incident_id", "text", syn="incident_id incident incident_number incident_key incident_no outage_id "
           "event_id incident_ref", help_="the incident's own id: rows with the same id are one incident"),
        _f("customer_id", "key", False, _CUSTOMER_KEY, "an affected customer (one row per customer hit), "
           "the id the customer file uses", _KEY_AVOID),
        _f("affected", "text", syn="affected affected_segment affected_region affected_plan impacted "
           "impacted_segment impacted_region affected_group scope segment region plan",
           help_="a segment, plan or region hit, as the customer file writes it (blank, no customer: everyone)"),
        _f("start", "datetime", True, "start started_at start_time incident_start impact_start outage_start "
           "began began_at detected_at incident_started_at triggered_at created_on start_date",
           "when the incident began"),
        _f("end", "datetime", syn="end ended_at end_time incident_end impact_end outage_end recovered_at restored_at "
           "mitigated_at resolved_on resolved_at end_date", help_="when service was back (blank while ongoing)"),
        _f("severity", "text", syn="severity sev severity_level incident_severity impact impact_level urgency "
           "priority", help_="how bad: SEV1, critical, major, minor ..."),
        _f("title", "text", syn="title incident_title incident_name name summary subject description",
           help_="what happened, in a line"),
    ),
}

#: (kind, field) whose column is also kept with the row's attributes: a customer snapshot's MRR is stored with
#: the customer under the column's own name (the churn model reads it there)
KEEP_COLUMN = {("customers", "mrr")}

#: score ranges by feedback channel; other channels are not range-checked
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}
SATISFACTION_RANGE = (1, 5)
#: a ticket's effort score (CES): the feedback channel's range
EFFORT_RANGE = SCORE_RANGES["ces"]

def norm(name: str) -> str:
    """Normalise a header for matching: lower case, runs of non-alphanumerics as ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def guess_mapping(frame: pd.DataFrame, kind: str, decimal: str = ".") -> dict[str, str]:
    """field -> column for ``kind``: see :func:`core.ingest.mapping.guess_mapping` (kept here for old callers)."""
    from core.ingest.mapping import guess_mapping as guess  # here: core.ingest.mapping imports this module

    return guess(frame, kind, decimal)
