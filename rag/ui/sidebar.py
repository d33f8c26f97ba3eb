"""The sidebar: the choice of kommuner and reports, the editor's password, and the report list where
an editor hides and restores reports (each change rebuilds the index and reloads the engine)."""
from __future__ import annotations

import secrets

import streamlit as st

from rag.config import Config
from rag.errors import RagError
from rag.ingest.hidden import hidden_reports
from rag.ui.loading import engine_slot
from rag.ui.notices import notify
from rag.ui.render import escape_markdown
from rag.ui.roles import READ_ONLY_NOTE, editing_enabled, is_editor, log_change
from rag.ui.swedish import period_words, swedish_error
from rag.ui.uploads import handle_remove, handle_restore


def sidebar_filters(engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kommuner and reports chosen (none chosen: all). No `help=` tooltips anywhere in the app:
    Streamlit names them 'Help for …' to a screen reader, so the help is a caption."""
    st.header("Urval")
    st.caption("Välj kommuner eller rapporter för att begränsa svaren. Inget valt: alla.")
    kommuner = st.pills("Kommuner", sorted(engine.kommuner), selection_mode="multi", key="kommuner",
                        format_func=escape_markdown)
    reports = sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end))
    doc_ids = st.pills("Rapporter", [r.doc_id for r in reports], selection_mode="multi", key="doc_ids",
                       format_func=lambda d: escape_markdown(engine.reports[d].label if d in engine.reports else d))
    return tuple(kommuner or ()), tuple(doc_ids or ())


def session_tag() -> str:
    """A random tag per browser session, for the change log (no personal data)."""
    return st.session_state.setdefault("session_tag", secrets.token_hex(4))


def current_editor() -> bool:
    """Checked on every run against the configured token, never remembered as a flag."""
    return is_editor(st.session_state.get("editor-token"))


def sidebar_role() -> bool:
    """Read-only note, or the editor token field; True when this session may change the corpus."""
    if not editing_enabled():
        st.caption(READ_ONLY_NOTE)
        return False
    st.text_input("Redaktörslösenord", type="password", key="editor-token")
    if current_editor():
        st.caption("Du kan ändra underlaget.")
        return True
    if st.session_state.get("editor-token"):
        st.caption("Fel lösenord; underlaget kan bara läsas.")
    else:
        st.caption("Behövs för att lägga till, ta bort och återställa rapporter. Läsa och fråga kan alla.")
    return False


def sidebar_reports(config: Config, engine, editor: bool) -> None:
    with st.expander(f"Rapporter i underlaget ({len(engine.reports)})"):
        for r in sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end)):
            st.markdown(f"**{escape_markdown(r.kommun)}** – {escape_markdown(r.title)} ({period_words(r)})")
            if editor:
                remove_button(config, engine, r)
    if editor:
        sidebar_hidden(config, engine)


def remove_button(config: Config, engine, r) -> None:
    """'Ta bort …', then a confirmation naming what the removal costs."""
    if st.session_state.get("confirm_remove") != r.doc_id:
        if st.button("Ta bort …", key=f"remove-{r.doc_id}"):
            st.session_state.confirm_remove = r.doc_id
            st.rerun()
        return
    st.warning(f"Ta bort {escape_markdown(r.label)} ur underlaget? Frågor kan sedan inte längre besvaras "
               "ur den rapporten. Filen sparas och rapporten kan återställas.")
    yes, no = st.columns(2)
    if yes.button("Ja, ta bort", key=f"remove-yes-{r.doc_id}", type="primary"):
        change_corpus(config, engine, "removed", r.doc_id)
    if no.button("Avbryt", key=f"remove-no-{r.doc_id}"):
        st.session_state.confirm_remove = None
        st.rerun()


def sidebar_hidden(config: Config, engine) -> None:
    try:
        hidden = hidden_reports(config.corpus_dir)
    except RagError as e:
        st.error(escape_markdown(swedish_error(e)))
        return
    last = st.session_state.get("last_removed")
    if last and any(r.doc_id == last for r in hidden):
        if st.button("Ångra borttagningen", key="undo-remove", type="primary"):
            change_corpus(config, engine, "restored", last)
    if hidden:
        with st.expander(f"Borttagna rapporter ({len(hidden)})"):
            for r in hidden:
                st.markdown(f"{escape_markdown(r.label)} ({period_words(r)})")
                if st.button("Återställ", key=f"restore-{r.doc_id}"):
                    change_corpus(config, engine, "restored", r.doc_id)


def change_corpus(config: Config, engine, action: str, doc_id: str) -> None:
    """Hide or restore one report (editors only, checked again here) and reload the engine."""
    if not current_editor():
        notify("error", "Bara en redaktör kan ändra underlaget.", "sidebar")
        st.rerun()
    slot = engine_slot(repr(config))
    handle = handle_remove if action == "removed" else handle_restore
    with st.spinner("Uppdaterar underlaget och bygger om sökindexet …"), slot.lock:
        ok, message = handle(config, doc_id, embedder=engine.embedder)
        if ok:
            slot.engine = None
    log_change(session_tag(), action if ok else f"failed to have {action}", doc_id)
    st.session_state.confirm_remove = None
    st.session_state.last_removed = doc_id if ok and action == "removed" else None
    notify("success" if ok else "error", message, "sidebar")
    st.rerun()
