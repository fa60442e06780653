"""``python -m core retention show|set|apply``: the retention policy for personal data (admins only, once a store
has users, to set or apply it). ``show`` prints the policy in force, who set it, and what applying it would change;
``set`` stores a new policy; ``apply`` masks and clears what the policy says (``--dry-run``: only say what)."""

from __future__ import annotations

import datetime as dt

from core.cli.who import acting_user
from core.errors import DataValidationError
from core.export import units  # plain Python: --help stays fast

NAME = "retention"
#: preview keys -> the words ``show`` and ``apply`` print them with
_COUNTS = {"feedback verbatims masked": "feedback verbatims masked", "ticket texts masked": "ticket texts masked",
           "customers' contact details cleared": "customers whose contact details are cleared",
           "snapshots redacted": "review snapshots redacted", "undated verbatims kept": "undated verbatims kept"}


def _period(text: str) -> int | None:
    """``off`` or a whole number (checked by core.access.retention.Policy)."""
    t = str(text).strip().lower()
    if t == "off":
        return None
    if not t.isdigit():
        raise DataValidationError(f"'{text}' is not a period: give a whole number or off.")
    return int(t)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise DataValidationError(f"'{text}' is not a day: write it as 2026-12-31.") from None


def add_parser(sub) -> None:
    """Register the ``retention`` sub-command and its actions."""
    re_ = sub.add_parser(NAME, help="the retention policy for personal data: show, set or apply it")
    acts = re_.add_subparsers(dest="retention_action", required=True)
    show = acts.add_parser("show", help="the policy in force, who set it, and what applying it would change")
    show.add_argument("--today", help="measure ages from this day (default: the data's last day)")
    st = acts.add_parser("set", help="store a new policy (admins)")
    st.add_argument("--verbatim-months", required=True, metavar="N|off",
                    help="mask verbatim text older than N months (score, date and channel stay)")
    st.add_argument("--contact-days", required=True, metavar="N|off",
                    help="clear a churned customer's name, e-mail, phone and address N days after churn")
    ap = acts.add_parser("apply", help="apply the policy in force (admins); audited")
    ap.add_argument("--today", help="measure ages from this day (default: the data's last day)")
    ap.add_argument("--dry-run", action="store_true", help="only say what would change")


def _print_counts(counts: dict, would: bool) -> None:
    from core.cli.format import text_table  # in run, for a fast --help

    when = f"as of {counts['today']}"
    cut = [f"verbatims dated before {counts['verbatims before']}" if counts["verbatims before"] else None,
           f"customers churned on or before {counts['churned on or before']}" if counts["churned on or before"]
           else None]
    print(f"{'would change' if would else 'changed'} {when}: " + "; ".join(c for c in cut if c))
    print(text_table(("what", "count"), [[w, units.count(counts[k])] for k, w in _COUNTS.items()], left=[0]))


def _show(engine, a) -> None:
    from core.access import retention  # pandas loads here, not for --help

    p = retention.policy(engine)
    past = retention.history(engine)
    print("retention policy: " + ("none set (everything is kept)" if p.off else p.describe()))
    if len(past):
        print(f"set by {past['user'].iloc[0]} on {past['at'].iloc[0]:%Y-%m-%d %H:%M} UTC "
              f"({units.count(len(past))} versions)")
    if not p.off:
        _print_counts(retention.preview(engine, p, _day(a.today) if a.today else None), would=True)


def run(engine, a) -> int:
    """Run ``python -m core retention``; returns the exit code."""
    from core.access import guard, retention, rights  # SQLAlchemy and pandas load here, not for --help

    if a.retention_action == "show":
        _show(engine, a)
    elif a.retention_action == "set":
        p = retention.Policy(_period(a.verbatim_months), _period(a.contact_days))
        retention.set_policy(engine, p, user=acting_user(a))
        print("retention policy set: " + p.describe())
    elif a.dry_run:
        guard.require(engine, acting_user(a), rights.RETENTION)
        _print_counts(retention.preview(engine, None, _day(a.today) if a.today else None), would=True)
    else:
        _print_counts(retention.apply(engine, user=acting_user(a), today=_day(a.today) if a.today else None),
                      would=False)
    return 0
