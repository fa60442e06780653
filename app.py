"""Retention workbench: the frame only (page config, global filters, glossary, navigation)."""

from pathlib import Path

import streamlit as st

from ui.frame import bootstrap, filters, glossary, loaders, signin
from ui.frame import page as frame

# the tab's icon from the repository: a ":material/...:" page icon is fetched from fonts.gstatic.com by the browser
st.set_page_config(page_title="Retention Workbench", page_icon=Path(__file__).parent / "assets" / "favicon.png",
                   layout="wide")

nav = st.navigation(
    {
        "Dashboards": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page("pages/cohort_curves.py", title="Cohort curves", icon=":material/stacked_line_chart:"),
            st.Page("pages/churn_drivers.py", title="Churn drivers", icon=":material/psychology:"),
            st.Page("pages/health_scores.py", title="Health scores", icon=":material/ecg_heart:"),
            st.Page("pages/feedback_themes.py", title="Feedback themes", icon=":material/forum:"),
            st.Page("pages/intervention_roi.py", title="Intervention ROI", icon=":material/savings:"),
            st.Page("pages/playbooks.py", title="Playbooks", icon=":material/checklist:"),
            st.Page("pages/service_operations.py", title="Service operations", icon=":material/support_agent:"),
            st.Page("pages/quarterly_review.py", title="Quarterly review", icon=":material/summarize:"),
        ],
        "Data": [
            st.Page("pages/data.py", title="Data", icon=":material/database:"),
        ],
        "Admin": [
            st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"),
        ],
    }
)
frame.mark_ready()
# before the first start's demo load: on a shared store nobody writes, nor sees a page, without signing in
signin.gate(loaders.get_engine(loaders.store_url()))
bootstrap.ensure_store(nav)
filters.show()
glossary.show()
nav.run()
