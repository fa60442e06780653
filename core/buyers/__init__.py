"""Buyers of a purchase log: buyer metrics, revenue retention by cohort, lapse and lifetime value."""
