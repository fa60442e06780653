"""Revenue outlook: what MRR, churn and renewals the next 12 months hold, with intervals.

* :mod:`core.forecast.book`: the paying book's path from each customer's own churn probability;
* :mod:`core.forecast.trend`: new customers, reactivations, expansion and contraction, forecast by exponential
  smoothing;
* :mod:`core.forecast.outlook`: the two added up, month by month, with 80 % and 95 % intervals.
"""
