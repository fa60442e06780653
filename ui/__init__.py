"""Streamlit-only helpers shared by the pages: cached loaders, widgets, error display.

Importing the package gives every chart the workbench's style (:mod:`ui.chart_style`)."""

from ui import chart_style

chart_style.enable()
