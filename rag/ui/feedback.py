"""Rating an answer and saying what was wrong: one changeable feedback row per answer."""
from __future__ import annotations

import logging

import streamlit as st

from rag.config import Config
from rag.ui.chat import Reply, store_feedback

log = logging.getLogger("rag.app")


def _reply(mid: int) -> Reply | None:
    return next((t for t in st.session_state.messages if isinstance(t, Reply) and t.id == mid), None)


def on_rating(config: Config, mid: int) -> None:
    value = st.session_state.get(f"fb-{mid}")
    reply = _reply(mid)
    if reply is None:
        return
    try:
        store_feedback(config, reply, None if value is None else (1 if value == 1 else -1))
        if value is not None:
            st.toast("Tack! Du kan ändra ditt omdöme när som helst.")
    except Exception:  # a full disk must not break the chat
        log.exception("could not store feedback")
        st.session_state.notice = ("error", "Omdömet kunde inte sparas.")


def on_comment(config: Config, mid: int) -> None:
    text = str(st.session_state.get(f"fbtext-{mid}", "")).strip()
    reply = _reply(mid)
    if reply is None or reply.feedback_row is None:
        return
    try:
        store_feedback(config, reply, reply.rating, text)
        st.toast("Tack, vi har sparat din kommentar.")
    except Exception:
        log.exception("could not store feedback comment")
        st.session_state.notice = ("error", "Kommentaren kunde inte sparas.")


def render_feedback(config: Config, reply: Reply) -> None:
    mid = reply.id
    value = st.feedback("thumbs", key=f"fb-{mid}", on_change=on_rating, args=(config, mid))
    if value == 0:
        st.text_input("Vad var fel? (valfritt)", key=f"fbtext-{mid}", on_change=on_comment, args=(config, mid),
                      placeholder="Till exempel: fel siffra, fel kommun, källan säger något annat")
