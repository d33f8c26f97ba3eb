"""One chat turn on the page: the question, or the answer with its links, charts and sources
(the cited table row or passage, and the cited PDF page on request), and its rating. Under a follow-up's
answer a button asks the question as written instead (and back), in the answer's place."""
from __future__ import annotations

import streamlit as st

from rag.config import Config
from rag.models import Citation
from rag.ui.charts import Chart, bar_chart
from rag.ui.chat import Asked, Reply, Turn, ask_again, can_ask_again
from rag.ui.feedback import render_feedback
from rag.ui.markup import citation_body, citation_heading, cited_page_png, linked_answer
from rag.ui.render import escape_markdown


def render_turn(turn: Turn, config: Config, engine) -> None:
    with st.chat_message("user" if isinstance(turn, Asked) else "assistant"):
        if isinstance(turn, Asked):
            st.markdown(escape_markdown(turn.text))
        else:
            render_reply(turn, config, engine)


AS_WRITTEN = "Besvarad som den är skriven, utan de tidigare frågorna i samtalet."
ASK_AS_WRITTEN, ASK_AS_FOLLOW_UP = "Fråga som den är skriven", "Läs den som följdfråga igen"


def new_id() -> int:
    """A chat turn's id, never reused in the session (widget keys are made from it)."""
    st.session_state.next_id += 1
    return st.session_state.next_id


def render_reply(reply: Reply, config: Config, engine) -> None:
    if reply.as_written:
        st.caption(AS_WRITTEN)
    if reply.note:
        st.info(escape_markdown(reply.note), icon="🔎")
    if reply.error:
        st.error(escape_markdown(reply.error))
        render_ask_again(reply, engine)
        return
    answer = reply.answer
    if not answer.answered:
        st.warning(escape_markdown(answer.answer), icon="ℹ️")
        if answer.coverage:  # what the reports do cover, folded away (the reason comes first)
            with st.expander("Det här täcker rapporterna", expanded=False):
                st.markdown(escape_markdown(answer.coverage))
    else:
        st.markdown(linked_answer(answer, reply.id), unsafe_allow_html=True)
        for chart in reply.charts:
            render_chart(chart)
    if answer.citations:  # a refusal's nearest row or sentence is cited as well
        render_sources(config, engine, reply)
    render_ask_again(reply, engine)
    render_feedback(config, reply)


def render_sources(config: Config, engine, reply: Reply) -> None:
    answer = reply.answer
    with st.expander(f"Källor ({len(answer.citations)}): tabellrader och textutdrag", expanded=False):
        for c in answer.citations:
            st.markdown(citation_heading(c, reply.id), unsafe_allow_html=True)
            st.markdown(citation_body(c, answer))
            render_cited_page(config, engine, c, reply.id)


def render_ask_again(reply: Reply, engine) -> None:
    """The question answered again in this answer's place: as written, or as the follow-up it was."""
    if not can_ask_again(reply):
        return
    if st.button(ASK_AS_FOLLOW_UP if reply.as_written else ASK_AS_WRITTEN, key=f"again-{reply.id}"):
        with st.spinner("Söker i rapporterna …"):
            ask_again(engine, st.session_state.messages, reply.id, new_id(), as_written=not reply.as_written)
        st.rerun()


def render_cited_page(config: Config, engine, c: Citation, mid: int) -> None:
    if not c.page:
        return
    if st.checkbox(f"Visa sidan (s. {c.page})", key=f"page-{mid}-{c.n}"):
        png = cited_page_png(config, c, engine.reports)
        if png:
            st.image(png, caption=escape_markdown(f"{c.kommun} – {c.report}, s. {c.page}"))
        else:
            st.caption("Sidan kunde inte visas.")


def render_chart(chart: Chart) -> None:
    st.caption(escape_markdown(f"{chart.title}, {chart.unit}"))
    st.altair_chart(bar_chart(chart), width="stretch")
