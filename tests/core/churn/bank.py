"""A seeded bank-like churn snapshot: the 14 columns of the public bank-churn file (RowNumber, CustomerId, Surname,
CreditScore, Geography, Gender, Age, Tenure, Balance, NumOfProducts, HasCrCard, IsActiveMember, EstimatedSalary,
Exited), with churn driven by Age, NumOfProducts, IsActiveMember, Balance and Geography only.

Used by tests/core/churn/test_bank_snapshot.py (the acceptance test) and benchmarks/churn_snapshot.py, so the
benchmark times the snapshot the test checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: the columns a churn model may learn from (everything but the row number, the id, the surname and the label)
CLEAN = ["CreditScore", "Geography", "Gender", "Age", "Tenure", "Balance", "NumOfProducts", "HasCrCard",
         "IsActiveMember", "EstimatedSalary"]
SYLLABLES = ["an", "bo", "chi", "de", "el", "fa", "gu", "ha", "ion", "ju", "ka", "lo", "mi", "no", "ok", "pe", "qui",
             "ro", "su", "ta"]


def bank_snapshot(n: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """``n`` customers in file order (RowNumber 1..n); about 3,400 distinct surnames at 10,000 rows (the public
    file has 2,932), churn about 19 % (the public file: 20 %)."""
    rng = np.random.default_rng(seed)
    pool = np.unique(["".join(rng.choice(SYLLABLES, rng.integers(2, 4))).capitalize() for _ in range(9000)])
    weight = 1 / np.arange(1, len(pool) + 1) ** 0.3  # a few common surnames, a long tail of rare ones
    geography = rng.choice(["France", "Germany", "Spain"], n, p=[0.5, 0.25, 0.25])
    age = np.clip(rng.normal(39, 10, n).round(), 18, 92).astype(int)
    balance = np.where(rng.random(n) < 0.36, 0.0, rng.normal(120_000, 30_000, n).round(2))
    products = rng.choice([1, 2, 3, 4], n, p=[0.5, 0.46, 0.03, 0.01])
    active = rng.integers(0, 2, n)
    frame = pd.DataFrame({
        "RowNumber": np.arange(1, n + 1),
        "CustomerId": rng.choice(np.arange(15_565_701, 15_815_691), n, replace=False),
        "Surname": rng.choice(pool, n, p=weight / weight.sum()),
        "CreditScore": np.clip(rng.normal(650, 96, n).round(), 350, 850).astype(int),
        "Geography": geography,
        "Gender": rng.choice(["Male", "Female"], n),
        "Age": age,
        "Tenure": rng.integers(0, 11, n),
        "Balance": balance,
        "NumOfProducts": products,
        "HasCrCard": rng.integers(0, 2, n),
        "IsActiveMember": active,
        "EstimatedSalary": rng.uniform(100, 200_000, n).round(2),
    })
    z = (-1.6 + 0.07 * (age - 39) + np.select([products == 1, products == 2, products >= 3], [0.4, -1.2, 2.5])
         - 0.9 * active + 0.35 * (balance > 0) + 0.8 * (geography == "Germany"))
    frame["Exited"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return frame
