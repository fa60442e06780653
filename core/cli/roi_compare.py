"""``python -m core roi`` with no option (the plays table) and with ``--play NAME`` alone (each
treatment arm against the control arm, and the sample-ratio check)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cli.format import text_table, with_ci, write_table
from core.cli.roi_format import label, money, outcome_writers, share_text
from core.cli.roi_play import Play
from core.export import units
from core.roi import setup
from core.roi.defaults import RETAINED, REVENUE
from core.roi.estimates import compare, is_binary
from core.roi.inputs import RoiInputs
from core.roi.outcomes import measured
from core.roi.plays import plays_table
from core.roi.sample_ratio import srm

# -- the plays table -------------------------------------------------------------------------------

PLAYS_HEADERS = ("play", "channel", "arms", "contacts", "held out", "first", "last", "eligible", "cost", "treated",
                 "control", "difference [95% CI]")


def plays_rows(table: pd.DataFrame) -> list[list[str]]:
    """The printed cells of each :func:`core.roi.plays.plays_table` row (see :data:`PLAYS_HEADERS`).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`core.roi.plays.plays_table` output.

    Returns
    -------
    list of list of str
        Written by :mod:`core.export.units`: counts (``1,234``), dates as YYYY-MM-DD, the cost as money
        (``$65,100``), retention as shares (``97.5%``), the difference and its interval in points
        (``+1.3 pts [-3.2 pts, +5.8 pts]``); :data:`core.export.units.MISSING` where retention is not measured.
    """
    return [[str(r.play), r.channel or "", units.count(r.arms), units.count(r.contacts), units.count(r.held_out),
             f"{r.first:%Y-%m-%d}", f"{r.last:%Y-%m-%d}", units.count(r.eligible), money(r.cost),
             units.percent(r.retention_treated), units.percent(r.retention_control),
             with_ci(r.difference, r.low, r.high, units.points)]
            for r in table.itertuples(index=False)]


def show_plays(inputs: RoiInputs, a) -> None:
    table = plays_table(inputs, window=a.window)
    if a.out is not None:
        write_table(table, a.out, "Plays", "plays")
        return
    print(f"{len(table)} plays; retention {a.window} days after the contact, eligible contacts only (the whole window "
          "observed, still a customer on the contact date); treated = every arm but the control (holdout, else the "
          "smallest arm)")
    print(text_table(PLAYS_HEADERS, plays_rows(table), left=(0, 1)))
    if table["difference"].isna().any():
        print(f"{units.MISSING}: retention not measured: too few eligible contacts (choose a shorter --window), or a "
              "campaign the store does not follow (measure its own columns with --play NAME --outcome COLUMN)")


# -- one play --------------------------------------------------------------------------------------

def outcome_line(p: Play, outcome: str, covariate: str | None) -> str:
    rows = measured(p.frame, outcome)
    if outcome in (RETAINED, REVENUE):
        what = (f"{label(outcome)} over {p.window} days after the contact; {units.count(len(rows))} of "
                f"{units.count(len(p.frame))} contacts eligible (the whole window observed, still a customer on the "
                "contact date)")
    else:
        what = (f"{outcome} (imported with the play); {units.count(len(rows))} of {units.count(len(p.frame))} "
                "contacts with a value")
    return f"outcome: {what}; " + ("no CUPED covariate" if covariate is None else f"CUPED on {label(covariate)}")


def comparison_rows(comp: pd.DataFrame, binary: bool) -> tuple[list[str], list[list[str]]]:
    """Headers and printed cells of :func:`core.roi.estimates.compare` (one row per treatment arm).

    Parameters
    ----------
    comp : pandas.DataFrame
        :func:`core.roi.estimates.compare` output (with the CUPED columns when a covariate was used).
    binary : bool
        A yes/no outcome: rates as shares (``91.9%``) and differences in points (``+5.0 pts``). Otherwise
        means and differences as money (``$1,235``, ``+$12``; :func:`core.cli.roi_format.outcome_writers`).

    Returns
    -------
    (headers, rows)
        Every figure written by :mod:`core.export.units`: counts, p-values (``0.042``, ``<0.001``), the
        CUPED variance cut as a share.
    """
    cuped = "cuped_difference" in comp
    mean, diff = outcome_writers(binary)
    word = "rate" if binary else "mean"
    headers = ["arm", "n", "control n", f"arm {word}", f"control {word}", "difference [95% CI]", "p"]
    if cuped:
        headers += ["CUPED difference [95% CI]", "CUPED p", "variance cut"]
    rows = []
    for r in comp.to_dict("records"):
        cells = [str(r["arm"]), units.count(r["n"]), units.count(r["n_control"]), mean(r["treatment"]),
                 mean(r["control"]), with_ci(r["difference"], r["low"], r["high"], diff), units.p_value(r["p_value"])]
        if cuped:
            cells += [with_ci(r["cuped_difference"], r["cuped_low"], r["cuped_high"], diff),
                      units.p_value(r["cuped_p_value"]), units.percent(r["variance_reduction"])]
        rows.append(cells)
    return headers, rows


def srm_line(check: dict, control: str, share: float | None, given: bool) -> str:
    """The sample-ratio check (:func:`core.roi.sample_ratio.srm`) in one line, and what to do on a mismatch.

    Parameters
    ----------
    check : dict
        :func:`core.roi.sample_ratio.srm` output.
    control : str
        The control arm.
    share : float or None
        The planned control share the check used (None: equal arms).
    given : bool
        Whether the share was given with ``--holdout-share`` (else it is the default, and a mismatch
        says how to give the real plan).
    """
    counts, expected = check["counts"], check["expected"]
    total = sum(counts.values())
    equal = share is None or control not in counts or len(counts) < 2
    plan = ("equal arms" if equal else f"{share_text(share)} held out") + ("" if given else " (default)")
    seen = ", ".join(f"{a} {units.count(n)}" for a, n in counts.items())
    want = ", ".join(units.count(expected[a]) for a in counts)
    out = (f"sample ratio: {seen}; planned {plan}: {want} expected; chi-square {units.score(check['chi2'], digits=2)}, "
           f"p {units.p_value(check['p_value'])}")
    if not check["mismatch"]:
        return out + "; the arm sizes fit the plan"
    out += ("; MISMATCH\n  the arm sizes do not fit the plan, so the assignment or its logging may be broken: "
            "trust no estimate until it is explained")
    if not given and control in counts and total:
        out += (f"\n  if the plan was another split, give the control arm's planned share with --holdout-share (it "
                f"holds {share_text(round(counts[control] / total, 3))} of the contacts)")
    return out


def srm_text(p: Play, a) -> str:
    share = setup.planned_share(p.frame, a.holdout_share)
    return srm_line(srm(p.frame, control=p.control, holdout_share=share), p.control, share,
                    a.holdout_share is not None)


def show_comparison(p: Play, a) -> None:
    outcome = setup.outcome(p.frame, p.name, a.outcome)
    covariate = setup.covariate(p.frame, outcome, a.covariate)
    comp = compare(p.frame, outcome, control=p.control, covariate=covariate)
    print(p.line())
    print(outcome_line(p, outcome, covariate))
    if a.out is not None:
        write_table(comp, a.out, "Comparison", "comparison rows")
    else:
        headers, rows = comparison_rows(comp, is_binary(measured(p.frame, outcome)[outcome]))
        print(text_table(headers, rows, left=(0,)))
    print(srm_text(p, a))


def srm_frame(check: dict, control: str, share: float | None) -> pd.DataFrame:
    """:func:`core.roi.sample_ratio.srm` as a table: one row per arm with its contacts, shares and the test."""
    counts, expected = check["counts"], check["expected"]
    total = sum(counts.values())
    equal = share is None or control not in counts or len(counts) < 2
    return pd.DataFrame([{"arm": arm, "control": arm == control, "contacts": n, "share": n / total if total else np.nan,
                          "planned_share": expected[arm] / total if total else np.nan, "expected": expected[arm],
                          "plan": "equal arms" if equal else f"{share_text(share)} held out",
                          "chi2": check["chi2"], "p_value": check["p_value"], "mismatch": check["mismatch"]}
                         for arm, n in counts.items()])
