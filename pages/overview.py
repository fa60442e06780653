"""Overview: the health of the book of business at a glance."""

import streamlit as st

from core.errors import InsufficientDataError
from core.export import units
from core.metrics import GLOSSARY
from ui import components
from ui.frame import filters, loaders
from ui.frame import page as frame
from ui.overview import cached as overview

frame.require()

st.title("Overview")
url = loaders.store_url()
version = loaders.store_version(url)
try:
    h, trend = overview.headline_and_trend(url, version, filters.current())
except InsufficientDataError as exc:
    st.info(f"{components.plain(exc)} Go to the Data page to import customers and recurring revenue.")
    st.stop()

st.caption(f"Trailing 12 months to {h.as_of:%d %b %Y}; the small charts show each month of the chosen "
           "date range. Hover a figure for its definition.")
spark = overview.sparklines(trend)
row1 = st.columns(4)
row1[0].metric("Customers", units.count(h.customers), help=GLOSSARY["Customers"], border=True)
row1[1].metric("Active customers", units.count(h.active_customers), help=GLOSSARY["Active customers"],
               chart_data=spark.get("active_customers"), border=True)
row1[2].metric("Logo churn rate", units.percent(h.logo_churn_rate), help=GLOSSARY["Logo churn rate"],
               chart_data=spark.get("logo_churn_rate"), border=True)
row1[3].metric("Revenue churn rate", units.percent(h.revenue_churn_rate), help=GLOSSARY["Revenue churn rate"],
               chart_data=spark.get("revenue_churn_rate"), border=True)
row2 = st.columns(4)
row2[0].metric("MRR", units.money(h.mrr), help=GLOSSARY["MRR"], chart_data=spark.get("mrr"), border=True)
row2[1].metric("NRR", units.percent(h.nrr), help=GLOSSARY["NRR"], chart_data=spark.get("nrr"), border=True)
row2[2].metric("GRR", units.percent(h.grr), help=GLOSSARY["GRR"], chart_data=spark.get("grr"), border=True)
components.csv_download(trend, "Download the monthly trend (CSV)", "overview_trend.csv")
