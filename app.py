"""Streamlit chat over the municipal reports: `streamlit run app.py`.

The app is a thin edge over the same library calls as the CLI: `config_from_env` for settings,
`open_engine` / `Engine.ask` (with the chat's earlier questions as history) for answers,
`add_report` / `hide_report` + `build_index` for the report list and `add_feedback` for ratings.
Library errors are shown as plain Swedish messages, never as tracebacks. This file wires the page;
what it shows lives in `rag/ui/` (plain functions apart from the views, so they are tested directly).
Streamlit runs the whole script again on every click, so `main` draws the page from session state.
"""
from __future__ import annotations

import logging
import os

import streamlit as st

from rag.config import config_from_env
from rag.errors import RagError
from rag.ui.answer_view import new_id, render_turn
from rag.ui.chat import Asked, answer_turn, questions_so_far
from rag.ui.loading import get_engine
from rag.ui.notices import show_notice
from rag.ui.render import escape_markdown
from rag.ui.scope import filter_caption
from rag.ui.sidebar import sidebar_filters, sidebar_reports, sidebar_role
from rag.ui.style import page_head
from rag.ui.swedish import swedish_error
from rag.ui.upload_view import sidebar_upload
from rag.ui.welcome import welcome

TITLE = "Fråga socialtjänstens rapporter"


def init_state() -> None:
    for key, value in (("messages", []), ("next_id", 0), ("upload_round", 0), ("notice", None),
                       ("confirm_remove", None)):
        st.session_state.setdefault(key, value)


def sidebar(config, engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sidebar's choice of kommuner and reports; an editor also manages the reports there."""
    with st.sidebar:
        kommuner, doc_ids = sidebar_filters(engine)
        if st.button("Ny konversation", key="new-chat"):
            st.session_state.messages = []
            st.rerun()
        editor = sidebar_role()
        show_notice("sidebar")  # on a phone the sidebar covers the page: a change is reported where it was made
        sidebar_reports(config, engine, editor)
        if editor:
            sidebar_upload(config, engine)
    return kommuner, doc_ids


def chat(config, engine, kommuner: tuple[str, ...], doc_ids: tuple[str, ...]) -> None:
    """The start page until the first question, then the chat so far and the answer to a new question."""
    turns = st.session_state.messages
    with st.bottom:
        st.caption(escape_markdown(filter_caption(engine, kommuner, doc_ids)))
        # put in `st.bottom` by hand: Streamlit's own bottom chat box keeps the page scrolled to its end, so a
        # phone opened below the title and a long answer at its last line (rag/ui/style.py scrolls instead)
        question = st.chat_input("Ställ en fråga om rapporterna …", key="question")
    example = welcome(engine) if not turns and not question else None
    question = question or example
    for turn in turns:
        render_turn(turn, config, engine)
    if not question:
        return
    history = questions_so_far(turns)
    asked = Asked(new_id(), question)
    turns.append(asked)
    render_turn(asked, config, engine)
    with st.spinner("Söker i rapporterna …"):
        reply = answer_turn(engine, new_id(), question, history, kommuner, doc_ids)
    turns.append(reply)
    render_turn(reply, config, engine)
    if example:
        st.rerun()  # the start page gives way to the chat


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from pinned packages, never a hub
    st.set_page_config(page_title=TITLE, page_icon="📊", layout="wide", initial_sidebar_state="auto")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    st.html(page_head(), unsafe_allow_javascript=True)
    init_state()
    config = config_from_env()
    st.title(TITLE, anchor=False)
    try:
        engine = get_engine(config)
    except RagError as e:
        st.error(escape_markdown(f"Rapporterna kunde inte läsas in. {swedish_error(e)}"))
        st.stop()
    kommuner, doc_ids = sidebar(config, engine)
    show_notice("main")
    chat(config, engine, kommuner, doc_ids)


if __name__ == "__main__":  # streamlit runs the script as __main__
    main()
