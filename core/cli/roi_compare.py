"""``python -m core roi`` with no option (the plays table) and with ``--play NAME`` alone (each
treatment arm against the control arm, and the sample-ratio check)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cli.format import text_table, write_table
from core.cli.roi_format import amount, label, p_text, pct, pp, share_text, with_ci
from core.cli.roi_play import Play, covariate_for, outcome_for, planned_share
from core.roi.defaults import RETAINED, REVENUE
from core.roi.estimates import compare, is_binary
from core.roi.inputs import RoiInputs
from core.roi.outcomes import measured
from core.roi.plays import plays_table
from core.roi.sample_ratio import srm

# -- the plays table -------------------------------------------------------------------------------

PLAYS_HEADERS = ("play", "channel", "arms", "contacts", "held out", "first", "last", "eligible", "cost", "treated",
                 "control", "difference pp [95% CI]")


def plays_rows(table: pd.DataFrame) -> list[list[str]]:
    """The printed cells of each :func:`core.roi.plays.plays_table` row (see :data:`PLAYS_HEADERS`).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`core.roi.plays.plays_table` output.

    Returns
    -------
    list of list of str
        Counts with thousands separators, dates as YYYY-MM-DD, cost rounded to whole units, retention in
        % to 1 decimal, the difference and its interval in percentage points to 1 decimal; ``n/a`` where
        retention is not measured.
    """
    return [[str(r.play), r.channel or "", f"{r.arms:,}", f"{r.contacts:,}", f"{r.held_out:,}", f"{r.first:%Y-%m-%d}",
             f"{r.last:%Y-%m-%d}", f"{r.eligible:,}", amount(0)(r.cost), pct(r.retention_treated),
             pct(r.retention_control), with_ci(r.difference, r.low, r.high, pp)]
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
        print("n/a: retention not measured: too few eligible contacts (choose a shorter --window), or a campaign the "
              "store does not follow (measure its own columns with --play NAME --outcome COLUMN)")


# -- one play --------------------------------------------------------------------------------------

def outcome_line(p: Play, outcome: str, covariate: str | None) -> str:
    rows = measured(p.frame, outcome)
    if outcome in (RETAINED, REVENUE):
        what = (f"{label(outcome)} over {p.window} days after the contact; {len(rows):,} of {len(p.frame):,} "
                "contacts eligible (the whole window observed, still a customer on the contact date)")
    else:
        what = f"{outcome} (imported with the play); {len(rows):,} of {len(p.frame):,} contacts with a value"
    return f"outcome: {what}; " + ("no CUPED covariate" if covariate is None else f"CUPED on {label(covariate)}")


def comparison_rows(comp: pd.DataFrame, binary: bool) -> tuple[list[str], list[list[str]]]:
    """Headers and printed cells of :func:`core.roi.estimates.compare` (one row per treatment arm).

    Parameters
    ----------
    comp : pandas.DataFrame
        :func:`core.roi.estimates.compare` output (with the CUPED columns when a covariate was used).
    binary : bool
        A yes/no outcome: means in % to 1 decimal and differences in percentage points to 1 decimal.
        Otherwise means and differences as amounts, to whole units when a mean reaches 100, else to
        2 decimals.

    Returns
    -------
    (headers, rows)
        p-values to 3 decimals (``<0.001`` below that); the CUPED variance cut in % to 1 decimal.
    """
    cuped = "cuped_difference" in comp
    if binary:
        mean, diff, unit = pct, pp, " pp"
    else:
        big = len(comp) and np.nanmax(np.abs(comp[["treatment", "control"]].to_numpy(float))) >= 100
        mean, diff, unit = amount(0 if big else 2), amount(0 if big else 2, signed=True), ""
    word = "rate" if binary else "mean"
    headers = ["arm", "n", "control n", f"arm {word}", f"control {word}", f"difference{unit} [95% CI]", "p"]
    if cuped:
        headers += [f"CUPED difference{unit} [95% CI]", "CUPED p", "variance cut"]
    rows = []
    for r in comp.to_dict("records"):
        cells = [str(r["arm"]), f"{r['n']:,}", f"{r['n_control']:,}", mean(r["treatment"]), mean(r["control"]),
                 with_ci(r["difference"], r["low"], r["high"], diff), p_text(r["p_value"])]
        if cuped:
            cells += [with_ci(r["cuped_difference"], r["cuped_low"], r["cuped_high"], diff), p_text(r["cuped_p_value"]),
                      pct(r["variance_reduction"])]
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
    seen = ", ".join(f"{a} {n:,}" for a, n in counts.items())
    want = ", ".join(f"{expected[a]:,.1f}" for a in counts)
    out = (f"sample ratio: {seen}; planned {plan}: {want} expected; chi-square {check['chi2']:.2f}, "
           f"p {p_text(check['p_value'])}")
    if not check["mismatch"]:
        return out + "; the arm sizes fit the plan"
    out += ("; MISMATCH\n  the arm sizes do not fit the plan, so the assignment or its logging may be broken: "
            "trust no estimate until it is explained")
    if not given and control in counts and total:
        out += (f"\n  if the plan was another split, give the control arm's planned share with --holdout-share (it "
                f"holds {share_text(round(counts[control] / total, 3))} of the contacts)")
    return out


def srm_text(p: Play, a) -> str:
    share = planned_share(p.frame, a.holdout_share)
    return srm_line(srm(p.frame, control=p.control, holdout_share=share), p.control, share,
                    a.holdout_share is not None)


def show_comparison(p: Play, a) -> None:
    outcome = outcome_for(p.frame, p.name, a.outcome, p.window)
    covariate = covariate_for(p.frame, outcome, a.covariate)
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
