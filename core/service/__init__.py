"""Service operations: which service levels go with customers kept, and where operations lose them.

* :mod:`core.service.escalation`: when a ticket counts as escalated (one definition, the playbooks' too);
* :mod:`core.service.inputs`: the tickets, customers (with their churn dates) and MRR, read once;
* :mod:`core.service.outcomes`: each ticket's service measures and whether its customer churned within N days;
* :mod:`core.service.bands`: the bands of each service measure (first response, time to resolve ...);
* :mod:`core.service.rates`: churn rates by band, raw and adjusted, with cluster-robust 95 % intervals;
* :mod:`core.service.levels`: the table of each service level against churn and revenue kept.
"""
