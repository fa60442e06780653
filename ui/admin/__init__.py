"""The Admin page's sections: who may open it and how an action's outcome shows (:mod:`ui.admin.gate`), the
accounts (:mod:`ui.admin.accounts`), who may see per-customer risk lists (:mod:`ui.admin.risk_lists`), the audit
trail (:mod:`ui.admin.trail`), erasing a customer (:mod:`ui.admin.erase`) and the retention policy
(:mod:`ui.admin.retention`)."""
