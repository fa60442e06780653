"""Plain helpers of the ROI effect tests (test_estimates, test_sample_ratio, test_plays): the demo's measured plays and
the window its generator's effect lasts."""

PLAYS = ("Onboarding call", "Renewal save offer")


def window_of(demo, play):
    """The generator's effect lasts ``horizon_months`` calendar months after the contact month: about
    30 days a month (the contact falls in the second half of its month)."""
    return 30 * demo.truth["plays"][play]["horizon_months"]
