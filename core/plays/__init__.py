"""Playbooks: triggers that turn the store's signals into an action queue, guarded, each play with its own
randomised holdout."""
