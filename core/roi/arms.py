"""The measured contacts of a play split into its treated and held-out arms, as every uplift figure reads them.

"Treated" pools every arm but the control unless one ``arm`` is named; only measured rows count
(:func:`core.roi.outcomes.measured`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.roi.outcomes import measured


def measured_arms(frame: pd.DataFrame, outcome: str, control: str,
                  arm: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The measured rows of the control arm and of the treated arm(s), and a treated flag per row.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of one play.
    outcome : str
        The outcome column (rows where it is measured are kept).
    control : str
        The held-out arm.
    arm : str, optional
        One treatment arm; by default every arm but the control.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The rows, and True for each treated row.

    Raises
    ------
    DataValidationError
        The control, or ``arm``, is not an arm of these contacts.
    """
    rows = measured(frame, outcome)
    present = set(frame["arm"].astype(str))
    if control not in present:
        raise DataValidationError(f"There is no control arm '{control}' in these contacts. Arms: "
                                  f"{', '.join(sorted(present)) or 'none'}; pass the held-out arm as control.")
    if arm is not None:
        if arm == control or arm not in present:
            raise DataValidationError(f"'{arm}' is not a treatment arm of these contacts. Arms: "
                                      f"{', '.join(sorted(present - {control})) or 'none'}.")
        rows = rows[rows["arm"].isin([arm, control])]
    return rows, (rows["arm"] != control).to_numpy()
