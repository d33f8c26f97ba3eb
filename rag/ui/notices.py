"""A message that outlives the rerun it was made in (after an upload, a removal, a failed save),
shown once where the person who caused it is looking: the sidebar for changes to the reports (on a
phone the sidebar covers the page, so a message on the page would be hidden), the page otherwise."""
from __future__ import annotations

import streamlit as st

from rag.ui.render import escape_markdown


def notify(kind: str, text: str, where: str = "main") -> None:
    """Keep a 'success' or 'error' message for the next run, for the 'main' page or the 'sidebar'."""
    st.session_state.notice = (kind, text, where)


def show_notice(where: str) -> None:
    notice = st.session_state.get("notice")
    if notice and notice[2] == where:
        kind, text, _ = notice
        (st.success if kind == "success" else st.error)(escape_markdown(text))
        st.session_state.notice = None
