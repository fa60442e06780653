"""Accounts, roles and the audit trail: who may do what (:mod:`core.access.rights`), the local accounts
(:mod:`core.access.users`), the acting user and the check before each action (:mod:`core.access.guard`), and the
append-only record of what was done (:mod:`core.access.audit`)."""
