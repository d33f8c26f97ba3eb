"""Adding a report from the sidebar: choose a file, check the details read from its first pages
(every one that could not be read is named before anything is sent), add it."""
from __future__ import annotations

import time

import streamlit as st

from rag.config import Config
from rag.errors import CorpusError
from rag.ui.loading import engine_slot
from rag.ui.notices import notify
from rag.ui.render import escape_markdown
from rag.ui.roles import log_change
from rag.ui.sidebar import current_editor, session_tag
from rag.ui.swedish import progress_text, swedish_error
from rag.ui.uploads import (META_FIELDS, UPLOAD_TYPES, duplicate_of, form_problems, handle_upload, make_doc_id,
                            upload_defaults)


def sidebar_upload(config: Config, engine) -> None:
    with st.expander("Lägg till rapport", expanded=False):
        upload = st.file_uploader("Rapport (" + ", ".join(f".{t}" for t in UPLOAD_TYPES) + ")", type=UPLOAD_TYPES,
                                  key=f"upload-{st.session_state.upload_round}")
        if upload is None:
            st.caption("Välj en fil eller dra den hit. Kommun, rapporttyp, period och titel läses ur rapportens "
                       "första sidor. Samma rapport kan inte läggas till två gånger.")
        else:
            upload_form(config, engine, upload)


def upload_form(config: Config, engine, upload) -> None:
    if not current_editor():
        st.error("Bara en redaktör kan lägga till rapporter.")
        return
    data = upload.getvalue()
    dup = duplicate_of(data, upload.name, engine.reports.values())
    if dup is not None:
        st.error(escape_markdown(f"Rapporten finns redan i underlaget, som {dup.label} ({dup.source}). "
                                 "Den lades inte till igen."))
        return
    try:
        defaults, note = upload_defaults(upload.name, data)
    except (CorpusError, ValueError) as e:
        st.error(escape_markdown(f"Rapporten lades inte till. {swedish_error(e)}"))
        return
    if note:
        st.warning(escape_markdown(note))
    else:
        st.caption("Uppgifterna är hämtade ur rapportens text; rätta dem om något är fel.")
    with st.form(key=f"meta-{upload.file_id}"):
        meta = {k: st.text_input(label, value=defaults[k], key=f"meta-{upload.file_id}-{k}")
                for k, label in META_FIELDS}
        if not st.form_submit_button("Lägg till i underlaget"):
            return
    problems = form_problems(meta)
    if problems:
        st.error("Rapporten lades inte till. Fyll i eller rätta:\n" + "\n".join(f"- {p}" for p in problems))
        return
    add_upload(config, engine, upload.name, data, meta)


def add_upload(config: Config, engine, name: str, data: bytes, meta: dict[str, str]) -> None:
    """Add the report and rebuild the index with a progress bar; the page reloads the engine after."""
    slot = engine_slot(repr(config))
    with slot.lock:
        bar = st.progress(0.0, text="Läser rapporten och delar upp den i avsnitt …")
        started = time.monotonic()
        ok, message = handle_upload(config, name, data, meta,
                                    lambda s, d, n: bar.progress(d / max(n, 1), text=progress_text(
                                        s, d, n, time.monotonic() - started)),
                                    embedder=engine.embedder)
        if ok:
            slot.engine = None
    log_change(session_tag(), "added" if ok else "failed to add", meta.get("doc_id") or make_doc_id(meta), name)
    if not ok:
        st.error(escape_markdown(message))
        return
    notify("success", message, "sidebar")
    st.session_state.upload_round += 1
    st.rerun()
