"""Export: how figures are written (``units``), and the files they leave in (``xlsx``, ``csv``), safe for data.

Every page, the CLI, the review workbook and the printed report write a figure through :mod:`core.export.units`,
so one figure reads the same everywhere; every table file goes through :mod:`core.export.xlsx` or
:mod:`core.export.csv`, which never let a value from the data become a spreadsheet formula.
"""
