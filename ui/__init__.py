"""Streamlit-only helpers shared by the pages: cached loaders, widgets, error display."""
