"""``python -m core roi``: what each retention play measurably did, against its own holdout.

One action per call. With no option, the plays table (retention over ``--window`` days, treated vs
control). ``--play NAME`` alone compares each treatment arm with the control arm (plain and CUPED
difference, 95 % intervals) and checks the sample ratio; with ``--money``, ``--impact`` or
``--export`` it prints the money table, the time to impact, or writes a workbook; with ``--next-wave
--budget MONEY`` it lists whom to contact next (:func:`core.roi.wave.next_wave`). ``--plan`` sizes a new
test (with ``--play``, at that play's pace). ``--out`` writes the action's table (.csv or .xlsx) instead
of printing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.cli.format import text_table, write_table
from core.errors import DataValidationError
from core.health import monitor as hm
from core.roi import effect as roi
from core.roi import uplift as up
from core.roi import wave as rw

#: the actions besides the default (the plays table, or the comparison with ``--play``)
ACTIONS = ("money", "impact", "plan", "export", "next_wave")
#: rows of the next wave printed (--out writes them all)
WAVE_ROWS = 20
#: defaults of --margin, --value-months, --power and --holdout-share (as the Intervention ROI page)
MARGIN, VALUE_MONTHS, POWER, HOLDOUT_SHARE = 0.8, 12, 0.8, 0.15
#: days of the time to impact printed (every 7th; the last day is always added)
IMPACT_STEP = 7
#: what each option goes with: actions, "compare" (``--play NAME`` alone) and "plays" (no option: the plays table)
GOES_WITH = {"outcome": ("compare", "money", "export", "next_wave"), "covariate": ("compare", "money", "export"),
             "margin": ("money", "export", "next_wave"), "value_months": ("money", "export", "next_wave"),
             "budget": ("next_wave",), "cost": ("next_wave",), "value_per_save": ("next_wave",),
             "rest_days": ("next_wave",), "renewing_within": ("next_wave",), "p_control": ("plan",),
             "effect": ("plan",), "power": ("plan",), "alpha": ("plan",), "per_month": ("plan",),
             "holdout_share": ("compare", "export", "plan"),
             "out": ("plays", "compare", "money", "impact", "plan", "next_wave")}
_MODE_NAMES = {"compare": "--play NAME alone", "plays": "the plays table"}


def add_parser(sub) -> None:
    """Register the ``roi`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    ro = sub.add_parser("roi", help="intervention ROI: each play against its holdout, money, time to impact, planning",
                        description="With no option: one row per play, retention over --window days after the "
                                    "contact, treated arms vs the control arm.")
    ro.add_argument("--window", type=int, default=roi.WINDOW_DAYS, metavar="DAYS",
                    help="measure outcomes over this many days after each contact (default %(default)s)")
    ro.add_argument("--play", metavar="NAME",
                    help="compare each treatment arm of this play with its control arm, and check the sample ratio")
    ro.add_argument("--control", metavar="ARM", help="the arm the others are compared with (default: holdout, else "
                    "the play's smallest arm)")
    ro.add_argument("--outcome", metavar="NAME", help=f"{roi.RETAINED}, {roi.REVENUE}, or a numeric column imported "
                    f"with the play (default: {roi.RETAINED}, or the first imported column of a campaign the store "
                    f"does not follow); with --money, the amount valued (default {roi.REVENUE}, or the campaign's "
                    "first amount)")
    ro.add_argument("--covariate", metavar="NAME", help=f"CUPED covariate: {roi.PRE_USAGE}, {roi.PRE_REVENUE}, an "
                    f"imported column, or none (default: {roi.PRE_USAGE} for {roi.RETAINED}, {roi.PRE_REVENUE} for "
                    f"{roi.REVENUE}, none for an imported outcome); with --money, the amount's (none: every "
                    "estimate plain)")
    ro.add_argument("--holdout-share", type=float, metavar="SHARE",
                    help=f"planned share of the control arm: the sample-ratio check's split (default {HOLDOUT_SHARE} "
                         f"for a play with two arms, equal arms for more) and --plan's (default {HOLDOUT_SHARE})")
    ro.add_argument("--money", action="store_true",
                    help="with --play: customers saved, revenue saved, cost, net value and ROI per treatment arm")
    ro.add_argument("--margin", type=float, metavar="SHARE",
                    help=f"--money / --export: gross margin between 0 and 1 (default {MARGIN})")
    ro.add_argument("--value-months", type=int, metavar="MONTHS",
                    help=f"--money / --export: months of revenue a saved customer brings (default {VALUE_MONTHS})")
    ro.add_argument("--impact", action="store_true",
                    help=f"with --play: share still a customer every {IMPACT_STEP} days after contact, arm vs control")
    ro.add_argument("--plan", action="store_true",
                    help="contacts and months a test needs to detect --effect over --p-control")
    ro.add_argument("--p-control", type=float, metavar="RATE",
                    help="--plan: retention expected without the play, e.g. 0.87 (default with --play: its control "
                         "arm's retention over --window days)")
    ro.add_argument("--effect", type=float, metavar="POINTS",
                    help="--plan: retention the play should add, e.g. 0.05 for five points")
    ro.add_argument("--power", type=float, metavar="P", help=f"--plan: chance to detect the effect (default {POWER})")
    ro.add_argument("--alpha", type=float, metavar="A",
                    help=f"--plan: two-sided significance level (default {roi.ALPHA})")
    ro.add_argument("--per-month", type=float, metavar="CONTACTS",
                    help="--plan: contacts a month (default: the --play's average from first to last contact month)")
    ro.add_argument("--next-wave", action="store_true",
                    help="with --play and --budget: whom to contact next, ranked by the play's uplift model (fitted "
                         "on its contacts; churn risk too once a churn model is saved), only customers like its "
                         "contacts, until the budget is spent")
    ro.add_argument("--budget", type=float, metavar="MONEY", help="--next-wave: money for the wave")
    ro.add_argument("--cost", type=float, metavar="MONEY",
                    help="--next-wave: cost of one contact (default: the play's average cost of a treated contact)")
    ro.add_argument("--value-per-save", type=float, metavar="MONEY",
                    help="--next-wave: what one more unit of the outcome is worth (default for retained: each "
                         "customer's MRR x --value-months x --margin; needed for another outcome)")
    ro.add_argument("--rest-days", type=int, metavar="DAYS",
                    help=f"--next-wave: leave out customers contacted (any play) in the last DAYS days (default "
                         f"{rw.REST_DAYS}; 0 keeps them)")
    ro.add_argument("--renewing-within", type=int, metavar="DAYS",
                    help="--next-wave: only customers whose renewal date is in the next DAYS days")
    ro.add_argument("--out", type=Path, metavar="FILE",
                    help="write the plays table, the comparison, --money, --impact (every day), --plan or "
                         "--next-wave here (.csv or .xlsx) instead of printing it")
    ro.add_argument("--export", type=Path, metavar="FILE.xlsx",
                    help="with --play: one workbook: Comparison, Money, Time to impact, SRM")


# -- options -------------------------------------------------------------------------------------


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _given(a, name: str) -> bool:
    v = getattr(a, name)
    return v is not None and v is not False


def _goes_with(allowed) -> str:
    names = [_MODE_NAMES.get(n) or _flag(n) for n in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _check(a) -> str | None:
    """The one action asked for (None: the plays table, or the comparison with ``--play``); raises on options
    that do not go together."""
    asked = [n for n in ACTIONS if _given(a, n)]
    if len(asked) > 1:
        raise DataValidationError(f"Choose one action at a time: {' and '.join(_flag(n) for n in asked)} were "
                                  "given together.")
    action = asked[0] if asked else None
    if action in ("money", "impact", "export", "next_wave") and a.play is None:
        raise DataValidationError(f"{_flag(action)} measures one play: name it with --play NAME (`python -m core "
                                  "roi` lists the plays).")
    for opt in ("control", "outcome", "covariate"):
        if _given(a, opt) and a.play is None:
            raise DataValidationError(f"{_flag(opt)} goes with --play NAME.")
    mode = action or ("compare" if a.play is not None else "plays")
    for opt, allowed in GOES_WITH.items():
        if _given(a, opt) and mode not in allowed:
            raise DataValidationError(f"{_flag(opt)} goes with {_goes_with(allowed)}.")
    if action == "next_wave" and a.budget is None:
        raise DataValidationError("--next-wave needs --budget MONEY: the money available for the wave.")
    if a.value_per_save is not None and (a.value_months is not None or a.margin is not None):
        raise DataValidationError("Give --value-per-save, or --value-months and --margin (a save worth the "
                                  "customer's MRR x months x margin), not both.")
    for opt in ("rest_days", "renewing_within"):
        if getattr(a, opt) is not None and getattr(a, opt) < 0:
            raise DataValidationError(f"{_flag(opt)} must be 0 days or more, not {getattr(a, opt)}.")
    if a.window < 1:
        raise DataValidationError(f"--window must be at least 1 day, not {a.window}.")
    if action == "plan" and a.effect is None:
        raise DataValidationError("--plan needs --effect POINTS: the retention the play should add, e.g. 0.05 for "
                                  "five points.")
    if action == "plan" and a.p_control is None and a.play is None:
        raise DataValidationError("--plan needs --p-control RATE (retention expected without the play, e.g. 0.87), "
                                  "or --play NAME to start from its control arm's retention.")
    if a.per_month is not None and not a.per_month > 0:
        raise DataValidationError(f"--per-month must be more than 0 contacts, not {a.per_month:g}.")
    if action == "export" and a.export.suffix.lower() != ".xlsx":
        raise DataValidationError(f"--export writes an Excel workbook: give a file name ending in .xlsx, not "
                                  f"{a.export.name}.")
    return action


def _control(frame: pd.DataFrame, play: str, given: str | None) -> str:
    """The control arm: ``given`` (which must be an arm of the play) or :func:`core.roi.effect.default_control`."""
    counts = frame["arm"].value_counts()
    arms = ", ".join(f"{a} ({n:,})" for a, n in counts.items())
    if given is not None and given not in counts.index:
        raise DataValidationError(f"The play '{play}' has no arm '{given}'. Arms: {arms}.")
    if len(counts) < 2:
        raise DataValidationError(f"The play '{play}' has a single arm ({arms}): there is no control to compare "
                                  "with. Import the held-out customers with the play.")
    return given if given is not None else roi.default_control(frame)


def _no_store(frame: pd.DataFrame, play: str, window: int) -> str:
    """Why the store's retention and revenue do not apply to ``play`` (:func:`core.roi.effect.store_outcomes_apply`)."""
    return (f"'{play}' has no retention or revenue the store can measure: the store holds no signup, revenue, churn "
            "date or usage of its customers (as for a campaign file that created them)")


def _outcome(frame: pd.DataFrame, play: str, given: str | None, window: int) -> str:
    """The outcome to compare: ``given``, else ``retained`` (the first imported column when the store's outcomes
    do not apply, as the page does)."""
    store, imported = roi.store_outcomes_apply(frame), roi.imported_columns(frame)
    if given is None:
        if store or not imported:
            given = roi.RETAINED
        else:
            return imported[0]
    if given in (roi.RETAINED, roi.REVENUE) and not store:
        if imported:
            raise DataValidationError(_no_store(frame, play, window) + "; or measure one of the play's own columns "
                                      f"with --outcome: {', '.join(imported)}.")
        raise DataValidationError(_no_store(frame, play, window) + ", and no outcome column (such as converted or "
                                  "spend) was imported with the play.")
    roi.measured(frame, given)  # an unknown outcome raises, listing the play's outcomes
    return given


def _require_store(frame: pd.DataFrame, play: str, window: int, what: str) -> None:
    if not roi.store_outcomes_apply(frame):
        raise DataValidationError(f"{what} needs the churn dates of the play's customers: " + _no_store(frame, play,
                                                                                                          window) + ".")


def _covariate(frame: pd.DataFrame, outcome: str, given: str | None) -> str | None:
    """The CUPED covariate: ``given`` (``none`` for no adjustment) or the outcome's default."""
    if given is None:
        return {roi.RETAINED: roi.PRE_USAGE, roi.REVENUE: roi.PRE_REVENUE}.get(outcome)
    if given.strip().lower() == "none":
        return None
    allowed = ([roi.PRE_USAGE, roi.PRE_REVENUE] if roi.store_outcomes_apply(frame) else []) + [
        c for c in roi.imported_columns(frame) if c != outcome]
    if given not in allowed:
        raise DataValidationError(f"--covariate {given!r} is not a value of this play known before the contact: "
                                  f"choose {', '.join(allowed + ['none'])}.")
    return given


# -- formatting ----------------------------------------------------------------------------------


def _pct(x) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def _pp(x) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:+.1f}"


def _p(p) -> str:
    return "n/a" if pd.isna(p) else "<0.001" if p < 0.001 else f"{p:.3f}"


def _share(x: float) -> str:
    return f"{100 * x:g}%"


def _amount(decimals: int, signed: bool = False):
    def fmt(x) -> str:
        return "n/a" if pd.isna(x) else f"{x:+,.{decimals}f}" if signed else f"{x:,.{decimals}f}"

    return fmt


def _with_ci(d, lo, hi, fmt) -> str:
    return "n/a" if pd.isna(d) else f"{fmt(d)} [{fmt(lo)}, {fmt(hi)}]"


# -- the plays table -----------------------------------------------------------------------------

PLAYS_HEADERS = ("play", "channel", "arms", "contacts", "held out", "first", "last", "eligible", "cost", "treated",
                 "control", "difference pp [95% CI]")


def plays_rows(table: pd.DataFrame) -> list[list[str]]:
    """The printed cells of each :func:`core.roi.effect.plays_table` row (see :data:`PLAYS_HEADERS`).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`core.roi.effect.plays_table` output.

    Returns
    -------
    list of list of str
        Counts with thousands separators, dates as YYYY-MM-DD, cost rounded to whole units, retention in
        % to 1 decimal, the difference and its interval in percentage points to 1 decimal; ``n/a`` where
        retention is not measured.
    """
    return [[str(r.play), r.channel or "", f"{r.arms:,}", f"{r.contacts:,}", f"{r.held_out:,}", f"{r.first:%Y-%m-%d}",
             f"{r.last:%Y-%m-%d}", f"{r.eligible:,}", _amount(0)(r.cost), _pct(r.retention_treated),
             _pct(r.retention_control), _with_ci(r.difference, r.low, r.high, _pp)]
            for r in table.itertuples(index=False)]


def _plays(inputs: roi.RoiInputs, a) -> None:
    table = roi.plays_table(inputs, window=a.window)
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


@dataclass
class Play:
    """One play's contacts with their outcomes (:func:`core.roi.effect.outcomes`) and its control arm."""

    name: str
    frame: pd.DataFrame
    control: str
    window: int
    control_given: bool

    @property
    def store(self) -> bool:
        """Whether the store's retention and revenue apply (:func:`core.roi.effect.store_outcomes_apply`)."""
        return roi.store_outcomes_apply(self.frame)

    @property
    def arms(self) -> list[str]:
        return roi.arms(self.frame, self.control)

    def line(self) -> str:
        """``"Renewal save offer: 506 contacts from ... (email); arms treatment 430, holdout 76; control arm ..."``."""
        f = self.frame
        counts = f["arm"].value_counts()
        channel = ", ".join(sorted(map(str, f["channel"].dropna().unique())))
        why = ""
        if not self.control_given and self.control != roi.CONTROL:
            why = " (the smallest arm, as no arm is called holdout; choose another with --control)"
        return (f"{self.name}: {len(f):,} contacts from {f['date'].min():%Y-%m-%d} to {f['date'].max():%Y-%m-%d}"
                + (f" ({channel})" if channel else "") + "; arms " + ", ".join(f"{a} {n:,}" for a, n in counts.items())
                + f"; control arm '{self.control}'{why}")


def _label(col: str | None) -> str:
    return "none" if col is None else roi.LABELS.get(col, col).lower() if col in roi.LABELS else col


def _outcome_line(p: Play, outcome: str, covariate: str | None) -> str:
    rows = roi.measured(p.frame, outcome)
    if outcome in (roi.RETAINED, roi.REVENUE):
        what = (f"{_label(outcome)} over {p.window} days after the contact; {len(rows):,} of {len(p.frame):,} "
                "contacts eligible (the whole window observed, still a customer on the contact date)")
    else:
        what = f"{outcome} (imported with the play); {len(rows):,} of {len(p.frame):,} contacts with a value"
    return f"outcome: {what}; " + ("no CUPED covariate" if covariate is None else f"CUPED on {_label(covariate)}")


def comparison_rows(comp: pd.DataFrame, binary: bool) -> tuple[list[str], list[list[str]]]:
    """Headers and printed cells of :func:`core.roi.effect.compare` (one row per treatment arm).

    Parameters
    ----------
    comp : pandas.DataFrame
        :func:`core.roi.effect.compare` output (with the CUPED columns when a covariate was used).
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
        mean, diff, unit = _pct, _pp, " pp"
    else:
        big = len(comp) and np.nanmax(np.abs(comp[["treatment", "control"]].to_numpy(float))) >= 100
        mean, diff, unit = _amount(0 if big else 2), _amount(0 if big else 2, signed=True), ""
    word = "rate" if binary else "mean"
    headers = ["arm", "n", "control n", f"arm {word}", f"control {word}", f"difference{unit} [95% CI]", "p"]
    if cuped:
        headers += [f"CUPED difference{unit} [95% CI]", "CUPED p", "variance cut"]
    rows = []
    for r in comp.to_dict("records"):
        cells = [str(r["arm"]), f"{r['n']:,}", f"{r['n_control']:,}", mean(r["treatment"]), mean(r["control"]),
                 _with_ci(r["difference"], r["low"], r["high"], diff), _p(r["p_value"])]
        if cuped:
            cells += [_with_ci(r["cuped_difference"], r["cuped_low"], r["cuped_high"], diff), _p(r["cuped_p_value"]),
                      _pct(r["variance_reduction"])]
        rows.append(cells)
    return headers, rows


def planned_share(frame: pd.DataFrame, given: float | None) -> float | None:
    """The sample-ratio check's planned control share: ``given``, else :data:`HOLDOUT_SHARE` for a play with two
    arms and None (equal arms) for more, as the Intervention ROI page."""
    if given is not None:
        return given
    return HOLDOUT_SHARE if frame["arm"].nunique() == 2 else None


def srm_line(check: dict, control: str, share: float | None, given: bool) -> str:
    """The sample-ratio check (:func:`core.roi.effect.srm`) in one line, and what to do on a mismatch.

    Parameters
    ----------
    check : dict
        :func:`core.roi.effect.srm` output.
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
    plan = ("equal arms" if equal else f"{_share(share)} held out") + ("" if given else " (default)")
    seen = ", ".join(f"{a} {n:,}" for a, n in counts.items())
    want = ", ".join(f"{expected[a]:,.1f}" for a in counts)
    out = (f"sample ratio: {seen}; planned {plan}: {want} expected; chi-square {check['chi2']:.2f}, "
           f"p {_p(check['p_value'])}")
    if not check["mismatch"]:
        return out + "; the arm sizes fit the plan"
    out += ("; MISMATCH\n  the arm sizes do not fit the plan, so the assignment or its logging may be broken: "
            "trust no estimate until it is explained")
    if not given and control in counts and total:
        out += (f"\n  if the plan was another split, give the control arm's planned share with --holdout-share (it "
                f"holds {_share(round(counts[control] / total, 3))} of the contacts)")
    return out


def _srm(p: Play, a) -> str:
    share = planned_share(p.frame, a.holdout_share)
    return srm_line(roi.srm(p.frame, control=p.control, holdout_share=share), p.control, share,
                    a.holdout_share is not None)


def _comparison(p: Play, a) -> None:
    outcome = _outcome(p.frame, p.name, a.outcome, p.window)
    covariate = _covariate(p.frame, outcome, a.covariate)
    comp = roi.compare(p.frame, outcome, control=p.control, covariate=covariate)
    print(p.line())
    print(_outcome_line(p, outcome, covariate))
    if a.out is not None:
        write_table(comp, a.out, "Comparison", "comparison rows")
    else:
        headers, rows = comparison_rows(comp, roi.is_binary(roi.measured(p.frame, outcome)[outcome]))
        print(text_table(headers, rows, left=(0,)))
    print(_srm(p, a))


# -- money -----------------------------------------------------------------------------------------


@dataclass
class MoneySetup:
    """What :func:`core.roi.effect.money` values, chosen as the Intervention ROI page does."""

    revenue: str
    retention: str | None
    revenue_covariate: str | None
    retention_covariate: str | None


def money_setup(p: Play, outcome: str | None = None, covariate: str | None = None) -> MoneySetup:
    """The amount and the yes/no outcome :func:`core.roi.effect.money` values, and their CUPED covariates.

    A play the store follows: ``revenue_kept`` (or ``outcome``, an imported amount) and ``retained``, CUPED on
    revenue and usage before the contact. A campaign the store does not follow: its first imported amount
    (or ``outcome``), no customers saved, no covariate unless ``covariate`` is given. ``covariate`` ``none``
    makes every estimate plain.

    Raises
    ------
    core.errors.DataValidationError
        ``outcome`` is not an amount of the play, or a campaign has no amount to value.
    """
    f, store = p.frame, p.store
    amounts = [c for c in roi.imported_columns(f) if not roi.is_binary(f[c].dropna())]
    choices = ([roi.REVENUE] if store else []) + amounts
    if outcome in (roi.RETAINED, roi.REVENUE) and not store:
        raise DataValidationError(_no_store(f, p.name, p.window) + (
            f"; --money can value one of the play's own amounts: --outcome {', '.join(amounts)}." if amounts else "."))
    if not choices:
        raise DataValidationError(_no_store(f, p.name, p.window) + ", and no amount to value (such as spend) was "
                                  "imported with the play.")
    if outcome is not None and outcome not in choices:
        raise DataValidationError(f"--money values an amount: --outcome {outcome!r} is not one of '{p.name}'. "
                                  f"Amounts: {', '.join(choices)}.")
    revenue = outcome or choices[0]
    retention = roi.RETAINED if store else None
    if covariate is not None and covariate.strip().lower() == "none":
        return MoneySetup(revenue, retention, None, None)
    return MoneySetup(revenue, retention, _covariate(f, revenue, covariate), roi.PRE_USAGE if store else None)


def money_rows(m: pd.DataFrame) -> list[list[str]]:
    """The printed cells of :func:`core.roi.effect.money`: ``measure, value, 95% CI, definition``.

    Contacts as whole numbers, customers to 1 decimal, currency to whole units, ratios to 2 decimals;
    the interval is left blank where the figure is known, not estimated (contacts, cost).
    """
    fmt = {"contacts": _amount(0), "customers": _amount(1), "currency": _amount(0), "ratio": _amount(2)}
    rows = []
    for r in m.itertuples(index=False):
        f = fmt.get(r.unit, _amount(2))
        known = r.unit == "contacts" or r.measure == "Cost" or pd.isna(r.value)
        rows.append([r.measure, f(r.value), "" if known else f"[{f(r.low)}, {f(r.high)}]", r.definition])
    return rows


def _settings(a) -> tuple[float, int]:
    return (MARGIN if a.margin is None else a.margin), (VALUE_MONTHS if a.value_months is None else a.value_months)


def money_table(p: Play, setup: MoneySetup, margin: float, value_months: int) -> pd.DataFrame:
    """:func:`core.roi.effect.money` of every treatment arm, with an ``arm`` column first."""
    m = pd.concat([roi.money(p.frame, arm, control=p.control, margin=margin, value_months=value_months,
                             revenue=setup.revenue, retention=setup.retention,
                             retention_covariate=setup.retention_covariate,
                             revenue_covariate=setup.revenue_covariate).assign(arm=arm) for arm in p.arms],
                  ignore_index=True)
    return m[["arm"] + [c for c in m.columns if c != "arm"]]


def _money(p: Play, a) -> None:
    setup = money_setup(p, a.outcome, a.covariate)
    margin, months = _settings(a)
    m = money_table(p, setup, margin, months)
    print(p.line())
    if a.out is not None:
        write_table(m, a.out, "Money", "money rows")
        return
    when = (f"over {p.window} days after the contact" if setup.revenue in (roi.RETAINED, roi.REVENUE)
            else f"{setup.revenue} as imported with the play")
    parts = [f"margin {_share(margin)}"]
    if setup.retention is not None:
        parts.append(f"a saved customer worth {months} months")
        parts.append("retention " + (f"CUPED on {_label(setup.retention_covariate)}" if setup.retention_covariate
                                     else "without CUPED"))
    parts.append(f"{_label(setup.revenue)} " + (f"CUPED on {_label(setup.revenue_covariate)}"
                                                 if setup.revenue_covariate else "without CUPED"))
    print(f"money {when}: " + "; ".join(parts))
    for arm, g in m.groupby("arm", sort=False):
        print(f"\n{arm} vs {p.control}")
        print(text_table(("measure", "value", "95% CI", "definition"), money_rows(g), left=(0, 2, 3)))


# -- time to impact --------------------------------------------------------------------------------


def impact_days(window: int) -> list[int]:
    """The days the time to impact prints: every :data:`IMPACT_STEP` days and the last."""
    days = list(range(IMPACT_STEP, window + 1, IMPACT_STEP))
    return days if days and days[-1] == window else days + [window]


def impact_table(p: Play) -> pd.DataFrame:
    """:func:`core.roi.effect.time_to_impact` of every treatment arm, with an ``arm`` column first."""
    _require_store(p.frame, p.name, p.window, "Time to impact")
    t = pd.concat([roi.time_to_impact(p.frame, arm, window=p.window, control=p.control).assign(arm=arm)
                   for arm in p.arms], ignore_index=True)
    return t[["arm"] + [c for c in t.columns if c != "arm"]]


def _impact(p: Play, a) -> None:
    t = impact_table(p)
    print(p.line())
    if a.out is not None:
        write_table(t, a.out, "Time to impact", "arm and day rows")
        return
    e = roi.measured(p.frame, roi.RETAINED)["arm"].value_counts()
    days = impact_days(p.window)
    for arm, g in t.groupby("arm", sort=False):
        print(f"\n{arm} vs {p.control}: share still a customer each day after the contact ({e.get(arm, 0):,} and "
              f"{e.get(p.control, 0):,} eligible contacts over {p.window} days)")
        g = g.set_index("day").loc[days]
        rows = [[str(d), _pct(r.treatment), _pct(r.control), _with_ci(r.difference, r.low, r.high, _pp)]
                for d, r in g.iterrows()]
        print(text_table(("day", str(arm), p.control, "difference pp [95% CI]"), rows))


# -- planning --------------------------------------------------------------------------------------


def control_rate(p: Play) -> float:
    """--plan's default retention without the play: the control arm's retention over the window, kept within
    1 % and 99 % (as the Intervention ROI page)."""
    _require_store(p.frame, p.name, p.window, "--plan without --p-control")
    e = roi.measured(p.frame, roi.RETAINED)
    rate = e.loc[e["arm"] == p.control, roi.RETAINED].mean()
    if pd.isna(rate):
        raise DataValidationError(f"The control arm '{p.control}' of '{p.name}' has no eligible contact over "
                                  f"{p.window} days: give --p-control RATE, or a shorter --window.")
    return float(min(max(rate, 0.01), 0.99))


def _plan(a, p: Play | None) -> None:
    share = HOLDOUT_SHARE if a.holdout_share is None else a.holdout_share
    power = POWER if a.power is None else a.power
    alpha = roi.ALPHA if a.alpha is None else a.alpha
    p_control = a.p_control if a.p_control is not None else control_rate(p)
    per_month = a.per_month if a.per_month is not None else roi.monthly_contacts(p.frame) if p is not None else None
    r = roi.sample_size(p_control, a.effect, holdout_share=share, alpha=alpha, power_target=power,
                        contacts_per_month=per_month)
    if a.out is not None:
        row = {"p_control": p_control, "effect": a.effect, "holdout_share": share, "power": power, "alpha": alpha,
               "contacts_per_month": np.nan if per_month is None else per_month, **r}
        write_table(pd.DataFrame([row]), a.out, "Plan", "plan row")
        return
    src = "" if a.p_control is not None else f" ('{p.name}' {p.control} retention over {p.window} days)"
    print(f"plan: detect {_pp(a.effect)} pp over {_pct(p_control)} retention{src} with {_share(power)} power at a "
          f"two-sided alpha of {alpha:g}, {_share(share)} of contacts held out")
    print(f"contacts needed: {r['n_treatment']:,} treated + {r['n_holdout']:,} held out = {r['n_total']:,}")
    if per_month is None or pd.isna(per_month):
        print("duration: give --per-month CONTACTS, or --play NAME to use the pace of a play")
    else:
        src = f" (the average of '{p.name}' from its first to its last contact month)" if a.per_month is None else ""
        print(f"duration: {r['months']:,.1f} months at {per_month:,.1f} contacts a month{src}")
    if p is None or not p.store:
        return
    e = roi.measured(p.frame, roi.RETAINED)["arm"].value_counts()
    n_c = int(e.get(p.control, 0))
    for arm in p.arms:
        n_t = int(e.get(arm, 0))
        d = roi.detectable_effect(p_control, n_t, n_c, alpha=alpha, power_target=power)
        found = f"detect {_pp(d)} pp or more" if not pd.isna(d) else "detect no gain"
        print(f"detectable now: '{arm}' with {n_t:,} and '{p.control}' with {n_c:,} eligible contacts over "
              f"{p.window} days {found} (same retention, power and alpha)")


# -- the next wave ---------------------------------------------------------------------------------


def wave_for(engine, inputs: roi.RoiInputs, p: Play, outcome: str, *, budget: float, cost: float | None = None,
             value_per_save: float | None = None, value_months: float | None = None, margin: float | None = None,
             rest_days: int | None = rw.REST_DAYS, renewing_within: int | None = None):
    """Fit the play's uplift model (:func:`core.roi.wave.model_features`, churn risk at contact once a churn model
    is saved) and list its next wave (:func:`core.roi.wave.next_wave`), as the Intervention ROI page.

    Returns
    -------
    (core.roi.uplift.UpliftResult, core.roi.wave.NextWave, float)
        The model, the wave, and the cost of a contact used.
    """
    frame, scores = rw.with_saved_risk(engine, p.frame) if p.store else (p.frame, None)
    features = rw.model_features(frame)
    if not features:
        raise DataValidationError(f"The contacts of '{p.name}' carry no value known before contact (segment, plan, "
                                  "MRR, usage) to model uplift on.")
    res = up.fit_uplift(frame, list(features), outcome=outcome, control=p.control)
    if cost is None:
        treated = frame.loc[frame["arm"] != p.control, "cost"]
        cost = float(treated.mean()) if treated.notna().any() else 0.0
    if value_per_save is None and outcome != roi.RETAINED:
        raise DataValidationError(f"Give --value-per-save MONEY: what one more unit of '{outcome}' is worth.")
    if value_per_save is None:
        value_months = VALUE_MONTHS if value_months is None else value_months
        margin = MARGIN if margin is None else margin
    wave = rw.next_wave(inputs, frame, res, budget=budget, cost_per_contact=cost, value_per_save=value_per_save,
                        value_months=value_months, margin=1.0 if margin is None else margin, outcome=outcome,
                        churn_scores=scores, rest_days=rest_days or None, renewing_within_days=renewing_within)
    return res, wave, cost


def wave_rows(targets: pd.DataFrame, binary: bool) -> list[list[str]]:
    """The printed cells of :attr:`core.roi.wave.NextWave.targets` (see :data:`WAVE_HEADERS`): risk in %, MRR and
    money to whole units, the predicted uplift in points (yes/no outcome) or units to 2 decimals."""
    up_fmt = _pp if binary else _amount(2, signed=True)
    money = _amount(0 if len(targets) and targets["expected_value"].abs().max() >= 100 else 2)
    return [[str(r.customer_id), str(r.segment), str(r.plan), str(r.region), _pct(r.risk), _amount(0)(r.mrr_before),
             up_fmt(r.predicted_uplift), money(r.expected_value), _amount(2)(r.cost),
             money(r.cumulative_cost)] for r in targets.itertuples(index=False)]


WAVE_HEADERS = ("customer", "segment", "plan", "region", "risk", "MRR", "uplift", "expected value", "cost",
                "cumulative cost")


def _next_wave(engine, inputs: roi.RoiInputs, p: Play, a) -> None:
    outcome = _outcome(p.frame, p.name, a.outcome, p.window)
    res, w, cost = wave_for(engine, inputs, p, outcome, budget=a.budget, cost=a.cost, value_per_save=a.value_per_save,
                            value_months=a.value_months, margin=a.margin,
                            rest_days=rw.REST_DAYS if a.rest_days is None else a.rest_days,
                            renewing_within=a.renewing_within)
    binary = roi.is_binary(roi.measured(p.frame, outcome)[outcome])
    print(p.line())
    print(f"uplift model on {', '.join(res.features)} ({_label(outcome)}"
          + (f" over {p.window} days" if outcome in (roi.RETAINED, roi.REVENUE) else "")
          + f"); Qini coefficient {_pp(res.qini_coefficient) + ' pp' if binary else f'{res.qini_coefficient:+.3f}'} "
          "(cross-fitted)")
    if a.value_per_save is not None:
        value = f"one more {_label(outcome)} worth {a.value_per_save:,.2f}"
    else:
        value = (f"a save worth the customer's MRR x {VALUE_MONTHS if a.value_months is None else a.value_months} "
                 f"months x {_share(MARGIN if a.margin is None else a.margin)} margin")
    print(f"budget {a.budget:,.0f}; a contact costs {cost:,.2f}; {value}")
    print(text_table(("step", "customers", "rule"),
                      [[r.step, f"{r.customers:,}", r.rule] for r in w.funnel.itertuples(index=False)], left=(0, 2)))
    if a.out is not None:
        write_table(w.targets, a.out, "Next wave", "customers")
        return
    gain = (f"{w.expected_gain:,.1f} more customers kept" if outcome == roi.RETAINED
            else f"{w.expected_gain:,.1f} more {outcome}" if binary else f"{w.expected_gain:+,.2f} {outcome}")
    print(f"next wave: {len(w.targets):,} customers, cost {w.spend:,.2f}; expected {gain}, net value "
          f"{w.expected_value:,.2f}")
    for line in rw.cautions(res, p.frame, outcome, p.control):
        print("caution: " + line)
    if len(w.targets):
        print(text_table(WAVE_HEADERS, wave_rows(w.targets.head(WAVE_ROWS), binary), left=(0, 1, 2, 3)))
    if len(w.targets) > WAVE_ROWS:
        print(f"... {len(w.targets) - WAVE_ROWS:,} more: --out FILE writes them all")


# -- the workbook ----------------------------------------------------------------------------------


def srm_frame(check: dict, control: str, share: float | None) -> pd.DataFrame:
    """:func:`core.roi.effect.srm` as a table: one row per arm with its contacts, shares and the test."""
    counts, expected = check["counts"], check["expected"]
    total = sum(counts.values())
    equal = share is None or control not in counts or len(counts) < 2
    return pd.DataFrame([{"arm": arm, "control": arm == control, "contacts": n, "share": n / total if total else np.nan,
                          "planned_share": expected[arm] / total if total else np.nan, "expected": expected[arm],
                          "plan": "equal arms" if equal else f"{_share(share)} held out",
                          "chi2": check["chi2"], "p_value": check["p_value"], "mismatch": check["mismatch"]}
                         for arm, n in counts.items()])


def export_sheets(p: Play, a) -> dict[str, pd.DataFrame]:
    """The sheets of ``--export``: Comparison, Money, Time to impact, SRM (the core functions' figures, unrounded).

    Comparison holds ``--outcome`` with ``--covariate``, by default retained and revenue kept (each with its
    default covariate) for a play the store follows, every imported column for a campaign it does not.
    Money values the default amount (:func:`money_setup`) with ``--margin`` and ``--value-months``; it is
    left out for a campaign without an amount, and Time to impact for a campaign the store does not follow.
    """
    if a.outcome is not None:
        outcomes = [_outcome(p.frame, p.name, a.outcome, p.window)]
    elif p.store:
        outcomes = [roi.RETAINED, roi.REVENUE]
    else:
        outcomes = roi.imported_columns(p.frame) or [_outcome(p.frame, p.name, None, p.window)]
    parts = []
    for o in outcomes:
        cov = None if a.covariate == o else _covariate(p.frame, o, a.covariate)
        parts.append(roi.compare(p.frame, o, control=p.control, covariate=cov).assign(outcome=o, covariate=cov))
    comp = pd.concat(parts, ignore_index=True)
    sheets = {"Comparison": comp[["outcome", "covariate"] + [c for c in comp.columns
                                                             if c not in ("outcome", "covariate")]]}
    try:
        setup = money_setup(p)
    except DataValidationError:
        setup = None
    if setup is not None:
        sheets["Money"] = money_table(p, setup, *_settings(a))
    if p.store:
        sheets["Time to impact"] = impact_table(p)
    share = planned_share(p.frame, a.holdout_share)
    sheets["SRM"] = srm_frame(roi.srm(p.frame, control=p.control, holdout_share=share), p.control, share)
    return sheets


# -- the command ---------------------------------------------------------------------------------


def run(engine, a) -> int:
    """Run ``python -m core roi``; returns the exit code.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    a : argparse.Namespace
        The parsed options (see :func:`add_parser`).

    Returns
    -------
    int
        0; bad input raises :class:`core.errors.WorkbenchError` (exit code 2 in :func:`core.cli.main.main`).
    """
    action = _check(a)
    if action == "plan" and a.play is None:
        _plan(a, None)  # needs no store
        return 0
    inputs = roi.load_inputs(engine)
    if a.play is None:
        _plays(inputs, a)
        return 0
    frame = roi.outcomes(inputs, a.play, window=a.window)
    p = Play(a.play, frame, _control(frame, a.play, a.control), a.window, a.control is not None)
    if action is None:
        _comparison(p, a)
    elif action == "money":
        _money(p, a)
    elif action == "impact":
        _impact(p, a)
    elif action == "plan":
        _plan(a, p)
    elif action == "next_wave":
        _next_wave(engine, inputs, p, a)
    else:
        sheets = export_sheets(p, a)
        a.export.write_bytes(hm.to_xlsx(sheets))
        print(f"wrote {', '.join(f'{k} ({len(v):,} rows)' for k, v in sheets.items())} to {a.export}")
    return 0
