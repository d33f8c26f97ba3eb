"""Rating an answer and saying what was wrong: one changeable feedback row per answer.

The rating is two Swedish buttons (Streamlit's own thumbs read 'Thumbs up' to a screen reader);
the comment is sent with its button or with Enter."""
from __future__ import annotations

import logging

import streamlit as st

from rag.config import Config
from rag.ui.chat import Reply, store_feedback
from rag.ui.notices import notify

log = logging.getLogger("rag.app")

GOOD, BAD = "bra", "fel"
RATING_LABELS = {GOOD: ":material/thumb_up: Bra svar", BAD: ":material/thumb_down: Något är fel"}


def _reply(mid: int) -> Reply | None:
    return next((t for t in st.session_state.messages if isinstance(t, Reply) and t.id == mid), None)


def on_rating(config: Config, mid: int) -> None:
    value = st.session_state.get(f"fb-{mid}")
    reply = _reply(mid)
    if reply is None:
        return
    try:
        store_feedback(config, reply, None if value is None else (1 if value == GOOD else -1))
        if value is not None:
            st.toast("Tack! Du kan ändra ditt omdöme när som helst.")
    except Exception:  # a full disk must not break the chat
        log.exception("could not store feedback")
        notify("error", "Omdömet kunde inte sparas.")


def on_comment(config: Config, mid: int) -> None:
    """Store the comment once, whether Enter or the button sent it (both may fire for one text)."""
    text = str(st.session_state.get(f"fbtext-{mid}", "")).strip()
    reply = _reply(mid)
    if reply is None or reply.feedback_row is None or not text or text == reply.comment:
        return
    try:
        store_feedback(config, reply, reply.rating, text)
        reply.comment = text
        st.toast("Tack, vi har sparat din kommentar.")
    except Exception:
        log.exception("could not store feedback comment")
        notify("error", "Kommentaren kunde inte sparas.")


def render_feedback(config: Config, reply: Reply) -> None:
    mid = reply.id
    value = st.pills("Vad tycker du om svaret?", list(RATING_LABELS), format_func=RATING_LABELS.get,
                     key=f"fb-{mid}", on_change=on_rating, args=(config, mid), label_visibility="collapsed")
    if value != BAD:
        return
    st.text_input("Vad var fel? (valfritt)", key=f"fbtext-{mid}", on_change=on_comment, args=(config, mid),
                  placeholder="Till exempel: fel siffra, fel kommun, källan säger något annat")
    st.button("Skicka kommentaren", key=f"fbsend-{mid}", on_click=on_comment, args=(config, mid))
