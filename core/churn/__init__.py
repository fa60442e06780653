"""Churn: the model (``model``), the fitting pipeline and its card (``pipeline``), saved runs (``store``).

``ChurnModel`` is named here because models saved before the package move were pickled as
``core.churn.ChurnModel``; unpickling looks the class up at that path (tests/core/churn/test_store_legacy.py).
"""

from core.churn.model import ChurnModel

__all__ = ["ChurnModel"]
