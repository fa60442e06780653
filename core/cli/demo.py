"""``python -m core demo``: load the synthetic demo business, replacing the store's data."""

from __future__ import annotations

from core.cli.who import require
from core.export import units  # plain Python: --help stays fast

NAME = "demo"


def add_parser(sub) -> None:
    """Register the ``demo`` sub-command."""
    demo = sub.add_parser(NAME, help="load the synthetic demo business, replacing the store's data")
    demo.add_argument("--customers", type=int, default=5000, metavar="N", help="customers (default 5000)")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    demo.add_argument("--incidents", action="store_true", help="add two incidents, a region's outage making some of "
                      "its customers leave (a known effect for the Service operations page's Incidents tab)")
    demo.add_argument("--slow-tickets", action="store_true", help="make some customers of tickets resolved in 7 days "
                      "or more leave (a known effect of time to resolve for the Service operations page)")


def run(engine, a) -> int:
    """Run ``python -m core demo``; returns the exit code."""
    from core.access.guard import done  # SQLAlchemy loads here, not for --help
    from core.demo.load import load_demo  # pandas and the demo generator load here, not for --help

    actor = require(engine, a, "reset")
    out = load_demo(engine, n_customers=a.customers, seed=a.seed, incidents=a.incidents, slow_tickets=a.slow_tickets)
    extras = {name: True for name in ("incidents", "slow_tickets") if getattr(a, name)}
    done(engine, actor, "load demo", f"import #{out['import_id']}", {"customers": a.customers, "seed": a.seed} | extras)
    loaded = ", ".join(f"{units.count(n)} {t}" for t, n in out["counts"].items())
    print(f"demo (seed {a.seed}) import #{out['import_id']}: loaded {loaded} in {out['seconds']:.1f} s")
    return 0
