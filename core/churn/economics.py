"""What an outreach costs and what a save is worth: the inputs of the churn model's threshold, and their defaults
for the kind of store (recurring revenue, a purchase log, neither), each with the reason shown beside them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import DataValidationError
from core.export import units
from core.history.inputs import ChurnInputs


@dataclass
class Economics:
    """What an outreach costs and what a save is worth (the inputs of the threshold).

    Attributes
    ----------
    value_saved : float
        Value of keeping a customer who would have churned (for example a year of MRR).
    outreach_cost : float
        Cost of one outreach (a call, a discount).
    success_rate : float
        Share of would-be churners an outreach keeps (0-1).
    basis : str
        Where the defaults came from, in words (shown beside the inputs and on the model card).
    """

    value_saved: float = 1000.0
    outreach_cost: float = 100.0
    success_rate: float = 0.25
    basis: str = "round defaults (the store has no revenue to value a save from): change them to your own figures"

    def __post_init__(self):
        if not (self.value_saved > 0 and self.outreach_cost >= 0 and 0 < self.success_rate <= 1):
            raise DataValidationError("Value of a save must be above 0, cost at least 0, and the success rate "
                                      "between 0 and 1 (for example 0.25).")

    @property
    def break_even(self) -> float:
        """The churn probability above which an outreach's expected value exceeds its cost."""
        return min(1.0, self.outreach_cost / (self.success_rate * self.value_saved))


def default_economics(inputs: ChurnInputs) -> Economics:
    """Starting points the page lets the user change, 25 % success each time.

    * recurring revenue: a year of the median customer's latest MRR as the value of a save, 150 per outreach;
    * a purchase log (its lapse rule has the buyers' revenue): the buyers' mean revenue over the 12 months to the
      as-of day (revenue per buyer, as the Overview shows it) as the value of a save, and a tenth of it per
      outreach (the ratio of the round defaults);
    * otherwise 1,000 and 100.
    """
    r = inputs.revenue
    if len(r) and r["mrr"].notna().any():
        latest = r.sort_values("period").groupby("customer_id")["mrr"].last()
        value = round(float(12 * latest.median()), -1)
        return Economics(value_saved=value, outreach_cost=150.0, success_rate=0.25,
                         basis=f"a save is worth a year of the median customer's latest MRR ({units.money(value)})")
    rule = inputs.lapse
    value = float("nan") if rule is None else rule.value_per_buyer
    if np.isfinite(value) and value > 0:
        value, cost = round(value, 2), round(value / 10, 2)
        return Economics(value_saved=value, outreach_cost=cost, success_rate=0.25,
                         basis=f"a save is worth the buyers' mean revenue over the 12 months to "
                               f"{rule.as_of:%Y-%m-%d} ({units.money(value)}, revenue per buyer); an outreach costs "
                               f"a tenth of it ({units.money(cost)})")
    return Economics()
