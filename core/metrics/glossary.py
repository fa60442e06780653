"""The glossary: every metric's definition in plain words, as the pages' help, the exports' Definitions sheet and the
review show it (read through :mod:`core.metrics`: :data:`GLOSSARY`, :func:`core.metrics.definition`)."""

GLOSSARY: dict[str, str] = {
    "Customers": "Customers that match the filters and had signed up by the as-of date, active or not; a customer "
                 "without a signup date always counts (nothing says they joined later).",
    "Active customers": "Customers who had signed up and not churned on the as-of date.",
    "Logo churn rate": "Of the customers active at the start of the last 12 months, the share that "
                       "churned within those 12 months.",
    "Revenue churn rate": "Gross MRR churn over the last 12 months: MRR lost to churn and contraction by the "
                          "start customers, divided by their MRR at the start (1 - GRR).",
    "MRR": "Monthly recurring revenue: the sum of recurring revenue booked for the as-of month.",
    "NRR": "Net revenue retention: the start customers' MRR in the as-of month divided by their MRR "
           "12 months earlier, expansion included.",
    "GRR": "Gross revenue retention: like NRR, but each customer's MRR counts at most its starting MRR, "
           "so only churn and contraction move it (never above 100 %).",
    "ARPA": "Average revenue per account: MRR in the as-of month divided by the customers paying in it.",
    "ARR": "Annual recurring revenue: 12 x MRR of the as-of month (the year's revenue if every customer kept paying "
           "what they pay now).",
    "MRR at high churn risk": "MRR in the as-of month of the customers the newest saved churn model puts in its "
                              "high-risk tier (scores of the day it was saved).",
    "LTV": "Customer lifetime value: ARPA divided by the mean monthly logo churn of the last 6 months "
           "(the expected revenue of an average account over its expected lifetime).",
    "MRR movements": "Where each month's change of MRR comes from: MRR at the start (the month before) + new + "
                     "expansion + reactivation - contraction - churned = MRR at the end of the month, exactly. A "
                     "customer's MRR in a month is the sum of their recurring revenue booked for it (0 without any).",
    "New MRR": "MRR in the month of customers paying for the first time: they had no MRR in any earlier month.",
    "Expansion MRR": "The increase of customers who paid in both the month before and this month, and pay more now.",
    "Reactivation MRR": "MRR in the month of customers who paid nothing the month before but had paid in some "
                        "earlier month: returning customers.",
    "Contraction MRR": "The decrease of customers who paid in both the month before and this month, and pay less now.",
    "Churned MRR": "The MRR of the month before of customers who paid then and pay nothing this month.",
    "Churn probability": "The churn model's calibrated chance that an active customer churns within the horizon "
                         "(default 90 days) after the scoring day; a 10 % customer churns 1 time in 10.",
    "Risk tier": "The churn model's tiers: high risk at or above the churn probability where an outreach's expected "
                 "value (probability x success rate x value of a save) exceeds its cost; medium risk from half that "
                 "threshold; low risk below. (Red, amber and green name health bands, never risk tiers.)",
    "ROC-AUC": "The chance that the model ranks a random churner above a random stayer (0.5 = guessing, "
               "1 = perfect), measured on held-out customers the model never saw, with a 95 % bootstrap interval.",
    "PR-AUC": "Average precision on held-out customers: how pure the flagged list stays as more churners are "
              "caught; compare it with the churn rate (what a random list achieves).",
    "Brier score": "Mean squared gap between predicted probability and outcome (0 or 1) on held-out customers; "
                   "lower is better, and it rewards honest probabilities, not just ranking.",
    "Lift": "Churn rate in a risk decile divided by the overall churn rate: how much better than random the "
            "riskiest customers are picked.",
    "SHAP value": "How much one feature moves one customer's predicted churn log-odds away from the average "
                  "customer's; a customer's values plus the average add up to the model's output.",
    "Controllable driver": "A feature a retention play can move (usage, support speed, surveys, plan or price), as "
                           "opposed to context such as region or tenure.",
    "Health score": "0 to 100: the weighted sum of measure points (usage, support, surveys, revenue, renewal; for "
                    "buyers without a contract, days since the last purchase instead of renewal), weights by "
                    "lifecycle stage adding up to 100; a measure without data is dropped and the others "
                    "re-weighted, so the measures' contributions add up to the score.",
    "Health band": "Red for a health score up to 50, amber up to 75, green above (the limits are part of the "
                   "saved configuration and can be edited).",
    "Lifecycle stage": "Onboarding in the first 90 days after signup; renewal window in the 90 days before the "
                       "next annual renewal; adoption otherwise (default windows, editable in the configuration).",
    "Health back-test AUC": "How well past health scores ranked the customers who churned within the horizon (90 "
                            "days unless set otherwise) after each back-test month end: "
                            "the chance that a churner had a lower score than a customer who stayed (0.5 = no "
                            "better than chance, 1 = perfect).",
    "NPS": "Net promoter score: % of 0-10 answers that are 9-10 (promoters) minus % that are 0-6 (detractors), "
           "-100 to 100, with a 95 % normal interval.",
    "CSAT": "Customer satisfaction: % of 1-5 answers that are 4 or 5, with a 95 % Wilson interval.",
    "CES": "Customer effort score: the mean 1-7 answer (higher = easier), with a 95 % Student t interval.",
    "Sentiment": "VADER's compound score of a verbatim, -1 (most negative) to +1; negative at or below -0.05, "
                 "positive at or above +0.05. A verbatim also counts as negative when its score is low (NPS 0-6, "
                 "CSAT 1-2, CES 1-3, 1-2 stars).",
    "Theme": "A codebook entry with a stable id: a verbatim names the theme when it contains one of its keywords "
             "or phrases as whole words (and none of its exclusions); a sub-theme's verbatims count for its parent.",
    "NPS impact": "NPS of every NPS answer in the window minus NPS of the answers whose comment does not name the "
                  "theme: how many points the theme's answers move the total (negative = pulls NPS down).",
    "Churn impact": "Churn rate within 180 days after a customer first named the theme, minus the churn rate within "
                    "180 days after the first verbatim of customers who did not (95 % Newcombe interval); only "
                    "customers whose 180 days have passed count.",
    "MRR at risk": "The latest MRR of still-active customers who named the theme in a negative verbatim in the "
                   "window.",
    "Churn signal": "A verbatim with a word such as cancel, switching, leave, not renew or disappointed that is "
                    "not negated (\"we will not cancel\" is no signal): flagged for immediate outreach.",
    "Closure rate": "Of a team's follow-up items (negative or churn-signal verbatims naming its themes), the share "
                    "whose status is closed.",
    "Reopen rate": "Of a team's follow-up items ever closed (closed now, or reopened since), the share reopened at "
                   "least once (a ticket's reopenings are the help desk's).",
    "Days to close": "From the day of a follow-up item (the answer, review or ticket) to the day it was closed; the "
                     "median over the closed items (a ticket closes when it is resolved).",
    "Holdout": "Customers picked for a play at random and deliberately not contacted, so the play can be measured "
               "against what would have happened anyway.",
    "Eligible contact": "A contact whose whole measurement window lies inside the data and whose customer was still "
                        "a customer on the contact date; only eligible contacts are in the denominators.",
    "Play effect": "Retention (or another outcome) of the contacted arm minus that of the holdout over the window "
                   "after contact, with a 95 % interval (Wald for a yes/no outcome, Welch for an amount).",
    "CUPED": "The play effect after removing the part of each outcome that a value measured before contact "
             "(revenue or usage) predicts: the same expected effect, a narrower interval.",
    "Sample ratio mismatch": "Arm sizes that do not fit the planned split (chi-square p below 0.001): assignment or "
                             "logging is broken and the play's estimates should not be trusted.",
    "Customers saved": "Play effect on retention x contacts treated: customers still here at the end of the window "
                       "because of the play (with CUPED on, as in the review, the CUPED-adjusted effect).",
    "Revenue saved": "Play effect on revenue kept in the window x contacts treated x gross margin.",
    "ROI": "(Revenue saved - cost) / cost. The projected ROI values each customer saved at their MRR before "
           "contact for an assumed number of months, times the margin.",
    "Time to impact": "The difference in the share still a customer, contacted minus held out, on each day since "
                      "contact: when the play starts to work and whether the gain holds.",
    "Power": "The chance that a play with a given true effect shows a significant difference; the sample size is "
             "the number of contacts (treated and held out) needed for 80 % power.",
    "Contact fatigue": "How a play's effect changes with the other contacts (any play) a customer received in the 30 "
                       "days before, same day included; held-out rows were never sent, so they do not count.",
    "Expected net value": "For the next wave: the uplift model's predicted uplift x the value of a save (the "
                          "customer's MRR x months x margin, or a value given per unit) - the contact's cost. Only "
                          "customers like the play's past contacts are scored.",
    "Contacts": "Rows of a play: every customer picked for it on a date, contacted or held out.",
    "Contacts treated": "A play arm's contacts that were actually made and measured (eligible), held-out rows "
                        "excluded.",
    "Top driver": "The churn model's features ranked by mean absolute SHAP value on held-out customers: what moves "
                  "predicted churn most, whichever way.",
    "Customers scored": "Active customers with at least the configuration's minimum number of health measures (3 "
                        "unless changed) on the day; a customer with fewer has no score and no band.",
    "MRR in red": "Monthly recurring revenue of the customers whose health band is red on the day.",
    "Band churn rate": "In the health back-test, the share of a band's scored customers who churned within the "
                       "horizon (90 days unless set otherwise) after the month end they were scored on, over every "
                       "back-test month.",
    "Red/green churn ratio": "The red band's back-test churn rate divided by the green band's: how many times more "
                             "often red customers left.",
    "Mentions": "Verbatims in the window that name the theme (a sub-theme's count for its parent).",
    "Undated verbatims": "Verbatims without a date (reviews exported without one): no date range or quarter holds "
                         "them, so they count only in the all-dates view of the Feedback themes page.",
    "Cost": "The cost recorded on a play's treated contacts (holdout rows cost nothing).",
    "Value of customers saved": "Customers saved x their mean MRR before contact x the months a saved customer is "
                                "assumed to stay x gross margin (the assumptions are in the review's register).",
    "Net value": "Value (revenue saved in the window, or the projected value of customers saved) minus cost.",
    "Active buyers": "Customers with at least one purchase in the 12 whole months ending with the as-of month (a "
                     "purchase: a purchase row, or a one-off sale that is not a return).",
    "Repeat-purchase rate": "Of the active buyers, the share that bought on at least 2 distinct days in the 12 "
                            "months.",
    "Revenue": "One-off revenue booked in the 12 months ending with the as-of month, net of returns (a return is "
               "a negative amount).",
    "Revenue per buyer": "Revenue (net of returns) in the 12 months divided by the active buyers.",
    "Purchase frequency": "Purchase days per active buyer in the 12 months: distinct days with a purchase, "
                          "averaged over the buyers (several purchases on one day count once).",
    "Revenue retention by cohort": "A cohort is the month of its customers' first purchase; cell k is the "
                                   "cohort's revenue (net of returns) in month k divided by its revenue in month 0 "
                                   "(months after the as-of month are empty).",
    "Lapse churn": "A purchase log's churn: a buyer has churned when no purchase follows the last one within N days; "
                   "the churn date is the last purchase plus N days, once that day has come. N is proposed as the "
                   "90th percentile of the gaps between a customer's consecutive purchase days, rounded up.",
    "Lifetime value (buyers)": "What a buyer's purchases over the coming months are worth today: expected purchases "
                               "(BG/NBD) x expected value per purchase (Gamma-Gamma), month by month, discounted at "
                               "the monthly rate.",
    "Chance still a buyer": "BG/NBD's probability that a buyer has not dropped out, from how often and how recently "
                            "they bought; a buyer who bought only once counts as still a buyer (drop-out follows a "
                            "repeat purchase in the model).",
    "Expected purchases": "BG/NBD's expected purchase days of a buyer in the coming period, given their frequency, "
                          "recency and time since the first purchase.",
    "Churn after a ticket": "Of the tickets judged, the share whose customer churned within N days (90 by default) "
    "of the ticket's opening day; judged once those days have passed, if its customer was in the store and not gone.",
    "Adjusted churn after a ticket": "The churn after a ticket a band would show with the segments, plans and tenures "
    "of all tickets judged (a linear probability model, standardised); 95 % intervals clustered by customer. An "
    "association adjusted for those factors, not an experiment.",
    "Cumulative incidence": "Of the customers who signed up, the share who had churned of one cause (a cancellation, "
    "or a failed payment) by each month since signup, the other causes competing: a customer gone by one cause can no "
    "longer leave by another (Aalen-Johansen, 95 % log(-log) interval). The causes add up to one minus survival.",
    "Adjusted gap between bands": "A band's adjusted churn after a ticket minus that of the reference band (the first "
    "band with a rate, such as resolved under 1 day), in percentage points, from the same fit, with its 95 % interval "
    "clustered by customer. An association adjusted for segment, plan and tenure, not an experiment.",
    "MRR kept after a ticket": "Of the MRR the tickets' customers had in the month of each ticket (once per ticket), "
    "the share whose customer had not churned within N days.",
    "Reopened ticket": "A ticket the help desk reopened after it was resolved: banded by the times it was reopened "
    "(the tickets' import's reopen count).",
    "First-contact resolution": "A ticket resolved at first contact: the help desk's own yes/no where the import has "
    "one; otherwise a ticket resolved with at most one agent reply and never reopened (a one-touch ticket). A ticket "
    "not resolved yet was not resolved at first contact.",
    "Ticket effort score": "The customer effort score (CES) the customer gave a ticket, 1-7, higher = easier; banded "
    "1-3 (hard), 4-5 and 6-7 (easy).",
    "Detractor follow-up": "Of the NPS answers of 0 to 6 whose customer is in the store, the share followed up "
    "(called or written back to) within the target days of the answer; and the churn within N days of the answer of "
    "those followed up in time against the others (later or never), each judged once N days have passed. An "
    "association, not an experiment.",
    "Incident churn gap": "For an incident or outage, the churn within N days of its start of the customers it hit "
    "against comparable customers no incident hit within N days either side, in points, adjusted for segment, plan "
    "and tenure (a factor that decides who was hit is left out), with a 95 % interval clustered by customer. An "
    "association, not an experiment.",
    "Incident churn difference in differences": "For incidents that hit a segment, plan or region: the churn of the "
    "customers it hit in the N days after its start less in the N days before (each window's own customers: those on "
    "its first day), less the same change for comparable unaffected customers, in points, adjusted like the churn "
    "gap. An incident naming its customers names only those still there when it began, so it has none.",
    "Incident usage effect": "For an incident or outage, the change in active days per 30 days from the N days before "
    "its start to the N days after, of the customers it hit less that of comparable unaffected customers (a "
    "difference in differences), adjusted like the churn gap; only customers who were customers for the whole N days "
    "before count, and one who left counts as inactive for the rest of the window.",
    "Leading indicator": "An operational signal checked for every active customer at each month's end (repeated "
    "escalations, a ticket left open, usage halved), against churn within N days (90 by default) of that month end.",
    "Churners caught": "Of the customers who churned, the share a signal flagged at a month end in the N days before "
    "they left (95 % Wilson interval).",
    "Lead time": "For a churner a signal caught, the days from the first month end it flagged them (within the N days "
    "before their churn) to the churn; the median over the churners caught.",
}
