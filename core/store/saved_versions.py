"""The saved versions of a configuration (a health score's, a playbook's): one version by number, or the newest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import DataValidationError


def saved_version(engine: Engine, model, version: int | None, what: str):
    """The row of ``model`` (a table with a ``version`` column) at ``version``, or the newest when ``version`` is
    None; None when nothing is saved.

    Raises
    ------
    DataValidationError
        ``version`` is not saved (named as "There is no ``what`` version N.").
    """
    with Session(engine) as s:
        q = select(model)
        q = q.where(model.version == int(version)) if version is not None else \
            q.order_by(model.version.desc()).limit(1)
        row = s.exec(q).first()
    if row is None:
        if version is not None:
            raise DataValidationError(f"There is no {what} version {version}.")
        return None
    return row if isinstance(row, model) else row[0]
