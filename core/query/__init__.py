"""The query layer: each heavy aggregation over the fact tables is one Ibis expression, run by the engine the data
lives in; statistics, models and charts stay in Python and work on the aggregates it returns.

- :mod:`core.query.sources`: which engine answers for a store (embedded DuckDB over the store's column files by
  default, PostgreSQL inside the database), and the fact tables in one shape on every engine.
- :mod:`core.query.periods`: period numbers (day, week, month, quarter) as expressions, equal to
  :mod:`core.cohorts.periods`.

The expressions of each domain live in the domain (:mod:`core.cohorts.engine_counts`: cohort sizes and retained
customers per cohort and period; :mod:`core.cohorts.engine_survival`: lifetimes as (duration, event, count) rows);
this package sits below them, beside the store.
"""
