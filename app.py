"""Streamlit chat over the municipal reports: `streamlit run app.py`.

The app is a thin edge over the same library calls as the CLI: `config_from_env`
for settings, `open_engine` / `Engine.ask` for answers, `add_report` +
`build_index` for uploads and `add_feedback` for ratings. Library errors are
shown as messages, never as tracebacks.
"""
from __future__ import annotations

import html
import logging
import os
import re
import threading
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from rag.cli import config_from_env
from rag.config import Config
from rag.corpus import add_report, decode_report, detect_report
from rag.errors import CorpusError, RagError
from rag.models import Answer, Citation, Fact, Report
from rag.pipeline import build_index, open_engine
from rag.store import add_feedback

log = logging.getLogger("rag.app")

EXAMPLES = (
    "Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?",
    "Hur stor var sjukfrånvaron i Solnas socialförvaltning 2023?",
    "Jämför antalet anställda i Solnas och Huddinges socialförvaltningar.",
)
STAGES = {"embedding": "Bäddar in textavsnitt"}
MARKER = re.compile(r"\[(\d+)\]")
#: Columns that hold a difference rather than a value; left out of charts.
CHANGE_COLUMN = re.compile(r"förändr|avvik|skillnad|differens|diff\b", re.I)
META_FIELDS = (("kommun", "Kommun"), ("namnd", "Nämnd"), ("report_type", "Rapporttyp"), ("title", "Titel"),
               ("period_start", "Period från (ÅÅÅÅ-MM)"), ("period_end", "Period till (ÅÅÅÅ-MM)"),
               ("doc_id", "Dokument-id"))


# --- engine: loaded once per process ------------------------------------------------

@dataclass
class EngineSlot:
    """The process-wide engine for one configuration; the lock serialises builds."""

    engine: object | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(show_spinner=False)
def engine_slot(key: str) -> EngineSlot:
    return EngineSlot()


def progress_text(stage: str, done: int, total: int) -> str:
    return f"{STAGES.get(stage, stage)}: {done}/{total}"


def get_engine(config: Config):
    """The cached engine, building the index first (with visible progress) when needed."""
    slot = engine_slot(repr(config))
    if slot.engine is not None:
        return slot.engine
    with st.spinner("Väntar på indexet …"), slot.lock:
        if slot.engine is None:
            with st.status("Läser in rapporterna och indexet …", expanded=True) as status:
                bar = st.progress(0.0, text="Kontrollerar indexet …")

                def progress(stage: str, done: int, total: int) -> None:
                    bar.progress(done / max(total, 1), text=progress_text(stage, done, total))

                try:
                    slot.engine = open_engine(config, progress=progress)
                except RagError:
                    status.update(label="Indexet kunde inte läsas in", state="error")
                    raise
                status.update(label="Indexet är klart", state="complete", expanded=False)
    return slot.engine


def reset_engine(config: Config) -> None:
    engine_slot(repr(config)).engine = None


# --- uploads (plain functions, tested directly) ------------------------------------

def upload_defaults(name: str, data: bytes) -> tuple[dict[str, str], str]:
    """Prefilled metadata for an uploaded file and a note when detection failed.

    Raises CorpusError when the bytes are not a readable report at all."""
    text = decode_report(data, name)
    try:
        r = detect_report(text, name)
    except CorpusError as e:
        stem = re.sub(r"[^a-z0-9]+", "-", name.rsplit(".", 1)[0].lower()).strip("-")
        return {"kommun": "", "namnd": "Socialnämnden", "report_type": "", "title": "", "period_start": "",
                "period_end": "", "doc_id": stem}, str(e)
    return {k: getattr(r, k) for k, _ in META_FIELDS}, ""


def handle_upload(config: Config, name: str, data: bytes, meta: dict[str, str] | None = None,
                  progress=None) -> tuple[bool, str]:
    """Validate and add a report, then rebuild the index incrementally: (ok, message).

    On a bad file nothing in the corpus folder changes and the message says why."""
    try:
        report = Report(**{k: str(meta.get(k, "")).strip() for k, _ in META_FIELDS}, source=name) if meta else None
        parsed = add_report(config.corpus_dir, name, data, report)
    except RagError as e:
        log.info("upload of %s refused: %s", name, e)
        return False, f"Rapporten lades inte till: {e}"
    r = parsed.report
    try:
        stats = build_index(config, progress=progress)
    except RagError as e:
        log.error("index rebuild after adding %s failed: %s", name, e)
        return False, f"{name} lades till, men indexet kunde inte byggas om: {e}"
    return True, (f"{r.kommun} – {r.title} ({r.period_end}) lades till: {len(parsed.facts)} tabellvärden, "
                  f"{stats.embedded} nya textavsnitt inbäddade.")


# --- rendering helpers ---------------------------------------------------------------

def md_escape(text: str) -> str:
    """Report text made safe for st.markdown with HTML allowed (no tags, no LaTeX)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("$", "\\$")


def anchor(mid: int, n: int) -> str:
    return f"kalla-{mid}-{n}"


def linked_answer(answer: Answer, mid: int) -> str:
    """The answer text with each [n] as a superscript link to its source entry."""
    by_n = {c.n: c for c in answer.citations}

    def link(m: re.Match) -> str:
        c = by_n.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        title = html.escape(f"{c.kommun} – {c.report} – {c.section}", quote=True)
        return f'<sup><a href="#{anchor(mid, c.n)}" title="{title}">[{c.n}]</a></sup>'

    return MARKER.sub(link, md_escape(answer.answer))


def split_cells(line: str) -> list[str]:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    if line.strip().startswith("|"):
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return [c for c in re.split(r"\s{2,}", line.strip())]


def table_markdown(citation: Citation, columns: set[str]) -> str:
    """A cited header line + row as a markdown table, the asked column in bold."""
    lines = [ln for ln in citation.text.split("\n") if ln.strip()]
    header, rows = split_cells(lines[0]), [split_cells(ln) for ln in lines[1:]]
    width = max(len(header), *(len(r) for r in rows)) if rows else len(header)
    header = [""] * (width - len(header)) + header  # a header often lacks the row-label cell
    asked = {i for i, h in enumerate(header) if h in columns}

    def cell(text: str, i: int) -> str:
        text = md_escape(text).replace("|", "\\|")
        return f"**{text}**" if i in asked and text else text

    out = ["| " + " | ".join(cell(h, i) for i, h in enumerate(header)) + " |",
           "|" + "---|" * width]
    out += ["| " + " | ".join(cell(c, i) for i, c in enumerate(r + [""] * (width - len(r)))) + " |" for r in rows]
    return "\n".join(out)


def chart_data(answer: Answer, all_facts: list[Fact]) -> list[dict]:
    """For each asked table row: its values across the value columns (when 2 or more share a unit)."""
    wanted = dict.fromkeys((f.doc_id, f.line) for f in answer.facts)
    cells: dict[tuple[str, int], list[Fact]] = {k: [] for k in wanted}
    for f in all_facts:
        if (f.doc_id, f.line) in cells and not CHANGE_COLUMN.search(f.column):
            cells[(f.doc_id, f.line)].append(f)
    charts = []
    for row in cells.values():
        columns = [f.column for f in row]
        if len(row) < 2 or len({f.unit for f in row}) != 1 or len(set(columns)) != len(columns):
            continue
        f0 = row[0]
        charts.append({"title": f"{f0.kommun}: {f0.row} ({f0.table})", "unit": f0.unit or "antal",
                       "columns": columns, "values": [f.value for f in row]})
    return charts


def render_citation(c: Citation, answer: Answer, mid: int) -> None:
    st.markdown(f'<a id="{anchor(mid, c.n)}"></a>**[{c.n}] {md_escape(c.kommun)} – {md_escape(c.report)}** '
                f"({c.period}) · {md_escape(c.section)}", unsafe_allow_html=True)
    if c.kind == "table":
        columns = {f.column for f in answer.facts if f.doc_id == c.doc_id and f.line == c.line}
        st.markdown(table_markdown(c, columns))
    else:
        st.markdown("\n".join("> " + md_escape(ln) for ln in c.text.split("\n")))


def render_chart(chart: dict) -> None:
    st.caption(f"{chart['title']} – {chart['unit']}")
    frame = pd.DataFrame({chart["unit"]: chart["values"]}, index=pd.Index(chart["columns"], name="Kolumn"))
    st.bar_chart(frame, sort=False, height=220, x_label="", y_label=chart["unit"])


def save_feedback(config: Config, mid: int) -> None:
    value = st.session_state.get(f"fb-{mid}")
    msg = next((m for m in st.session_state.messages if m["id"] == mid), None)
    if value is None or msg is None or msg.get("answer") is None:
        return
    try:
        add_feedback(config.feedback_path, msg["question"], msg["answer"].to_json(), 1 if value == 1 else -1)
        st.toast("Tack för återkopplingen!")
    except Exception as e:  # a full disk must not break the chat
        log.exception("could not store feedback")
        st.session_state.notice = ("error", f"Återkopplingen kunde inte sparas: {e}")


def render_assistant(msg: dict, config: Config, latest: bool) -> None:
    if msg.get("error"):
        st.error(msg["error"])
        return
    answer: Answer = msg["answer"]
    mid = msg["id"]
    if not answer.answered:
        st.warning(md_escape(answer.answer), icon="ℹ️")
    else:
        st.markdown(linked_answer(answer, mid), unsafe_allow_html=True)
        for chart in msg.get("charts", ()):
            render_chart(chart)
        with st.expander(f"Källor ({len(answer.citations)})", expanded=latest):
            for c in answer.citations:
                render_citation(c, answer, mid)
    st.feedback("thumbs", key=f"fb-{mid}", on_change=save_feedback, args=(config, mid))


def render_message(msg: dict, config: Config, latest: bool) -> None:
    with st.chat_message(msg["role"]):
        if msg["role"] == "user":
            st.markdown(md_escape(msg["content"]))
        else:
            render_assistant(msg, config, latest)


# --- asking ----------------------------------------------------------------------------

def new_id() -> int:
    st.session_state.next_id += 1
    return st.session_state.next_id


def ask(engine, question: str, kommuner: tuple[str, ...], doc_ids: tuple[str, ...]) -> dict:
    msg = {"id": new_id(), "role": "assistant", "question": question, "answer": None, "charts": []}
    try:
        answer = engine.ask(question, kommuner=kommuner, doc_ids=doc_ids)
    except RagError as e:
        msg["error"] = f"Frågan kan inte besvaras: {e}"
        return msg
    except Exception:
        log.exception("answering %r failed", question)
        msg["error"] = "Ett internt fel inträffade när frågan besvarades; se serverloggen."
        return msg
    msg["answer"] = answer
    msg["charts"] = chart_data(answer, engine.facts) if answer.answered else []
    return msg


# --- sidebar -------------------------------------------------------------------------

def sidebar_filters(engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    st.header("Urval")
    kommuner = st.multiselect("Kommuner", sorted(engine.kommuner), key="kommuner",
                              placeholder="Alla kommuner")
    reports = sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end))
    doc_ids = st.multiselect("Rapporter", [r.doc_id for r in reports], key="doc_ids", placeholder="Alla rapporter",
                             format_func=lambda d: engine.reports[d].label if d in engine.reports else d)
    return tuple(kommuner), tuple(doc_ids)


def sidebar_examples() -> str | None:
    st.header("Exempelfrågor")
    chosen = None
    for i, q in enumerate(EXAMPLES):
        if st.button(q, key=f"example-{i}", width="stretch"):
            chosen = q
    return chosen


def sidebar_reports(engine) -> None:
    with st.expander(f"Rapporter i underlaget ({len(engine.reports)})"):
        for r in sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end)):
            st.markdown(f"- **{md_escape(r.kommun)}** – {md_escape(r.title)} ({r.period_start} – {r.period_end})")


def upload_form(config: Config, upload) -> None:
    data = upload.getvalue()
    try:
        defaults, note = upload_defaults(upload.name, data)
    except CorpusError as e:
        st.error(f"Rapporten lades inte till: {e}")
        return
    if note:
        st.warning(f"Uppgifterna kunde inte läsas ut ur texten ({note}); fyll i dem.")
    with st.form(key=f"meta-{upload.file_id}"):
        meta = {k: st.text_input(label, value=defaults[k], key=f"meta-{upload.file_id}-{k}") for k, label in META_FIELDS}
        if not st.form_submit_button("Lägg till i underlaget"):
            return
    slot = engine_slot(repr(config))
    with slot.lock:
        bar = st.progress(0.0, text="Lägger till rapporten …")
        ok, message = handle_upload(config, upload.name, data, meta,
                                    lambda s, d, n: bar.progress(d / max(n, 1), text=progress_text(s, d, n)))
        if ok:
            slot.engine = None
    if not ok:
        st.error(message)
        return
    st.session_state.notice = ("success", message)
    st.session_state.upload_round += 1
    st.rerun()


def sidebar_upload(config: Config) -> None:
    with st.expander("Lägg till rapport", expanded=False):
        upload = st.file_uploader("Rapport som text (.txt, .md)", type=["txt", "md"],
                                  key=f"upload-{st.session_state.upload_round}")
        if upload is not None:
            upload_form(config, upload)


# --- page --------------------------------------------------------------------------------

def init_state() -> None:
    for key, value in (("messages", []), ("next_id", 0), ("upload_round", 0), ("notice", None)):
        st.session_state.setdefault(key, value)


def show_notice() -> None:
    if st.session_state.notice:
        kind, text = st.session_state.notice
        (st.success if kind == "success" else st.error)(text)
        st.session_state.notice = None


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from pinned packages, never a hub
    st.set_page_config(page_title="Fråga socialtjänstens rapporter", page_icon="📊", layout="wide")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    init_state()
    config = config_from_env()
    st.title("Fråga socialtjänstens rapporter")
    st.caption("Svar med källhänvisningar ur kommunernas delårsrapporter och årsredovisningar.")
    try:
        engine = get_engine(config)
    except RagError as e:
        log.error("cannot open the engine: %s", e)
        st.error(f"Indexet kunde inte läsas in: {e}")
        st.stop()
    with st.sidebar:
        kommuner, doc_ids = sidebar_filters(engine)
        example = sidebar_examples()
        sidebar_reports(engine)
        sidebar_upload(config)
    show_notice()
    messages = st.session_state.messages
    question = st.chat_input("Ställ en fråga om rapporterna …") or example
    for i, msg in enumerate(messages):
        render_message(msg, config, latest=not question and i == len(messages) - 1)
    if question:
        user = {"id": new_id(), "role": "user", "content": question}
        messages.append(user)
        render_message(user, config, latest=False)
        with st.spinner("Söker i rapporterna …"):
            reply = ask(engine, question, kommuner, doc_ids)
        messages.append(reply)
        render_message(reply, config, latest=True)


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import it
    main()
