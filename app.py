"""Streamlit chat over the municipal reports: `streamlit run app.py`.

The app is a thin edge over the same library calls as the CLI: `config_from_env`
for settings, `open_engine` / `Engine.ask` (with the chat's earlier questions as
history) for answers, `add_report` / `remove_report` + `build_index` for the
report list and `add_feedback` for ratings. Library errors are shown as plain
Swedish messages, never as tracebacks.
"""
from __future__ import annotations

import hashlib
import secrets
import html
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from rag.config import config_from_env
from rag.config import Config
from rag.ingest.corpus import add_report
from rag.ingest.detect import detect_report
from rag.ingest.report_files import REPORT_SUFFIXES, report_text
from rag.ingest.hidden import hidden_reports, hide_report, restore_report
from rag.errors import BadFileName, CorpusError, RagError, StorageError
from rag.answer.evidence import start_sentence_warming
from rag.kommuner import kommuner_in
from rag.models import Answer, Citation, Fact, Report
from rag.years import YEAR, YEAR_RE, years_in
from rag.ingest.pdfreader import page_image
from rag.ingest.document import UnreadableReport
from rag.engine import build_index, open_engine
from rag.ui.render import escape_markdown
from rag.ui.roles import READ_ONLY_NOTE, editing_enabled, is_editor, log_change, shown
from rag.search.store import add_feedback, update_feedback

log = logging.getLogger("rag.app")

EXAMPLES = (
    "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023?",
    "Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?",
    "Jämför antalet anställda i Solnas och Huddinges socialförvaltningar.",
)
STAGES = {"embedding": "Läser in textavsnitt"}
MARKER = re.compile(r"\[(\d+)\]")
#: Columns that hold a difference rather than a value; left out of charts.
CHANGE_COLUMN = re.compile(r"förändr|avvik|skillnad|differens|diff\b|%\s*\d\d/\d\d", re.I)
META_FIELDS = (("kommun", "Kommun"), ("namnd", "Nämnd"), ("report_type", "Rapporttyp"), ("title", "Rapportens titel"),
               ("period_start", "Perioden börjar (ÅÅÅÅ-MM)"), ("period_end", "Perioden slutar (ÅÅÅÅ-MM)"))
UPLOAD_TYPES = [s.lstrip(".") for s in REPORT_SUFFIXES]
REPORT_TYPES = ("årsredovisning", "delårsrapport", "tertialrapport", "verksamhetsberättelse", "månadsrapport",
                "uppföljning", "bokslut")
CSS = """
<style>
h1 {font-size: 1.6rem !important; padding-top: 0.2rem !important;}
[data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
[data-testid="stMarkdownContainer"] td, [data-testid="stMarkdownContainer"] th {white-space: nowrap;}
[data-testid="stFileUploaderDropzoneInstructions"] {display: none;}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] {font-size: 0 !important;}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "Välj fil"; font-size: 0.9rem;}
@media (max-width: 640px) {
  h1 {font-size: 1.2rem !important;}
  .block-container {padding-left: 0.6rem !important; padding-right: 0.6rem !important; padding-top: 2.6rem !important;}
  [data-testid="stChatMessage"] {padding: 0.3rem !important; gap: 0.4rem !important;}
  [data-testid="stChatMessageAvatarUser"], [data-testid="stChatMessageAvatarAssistant"] {display: none;}
}
</style>
"""


# --- engine: loaded once per process, shared by every visitor --------------------------

@dataclass
class EngineSlot:
    """The process-wide engine and the progress of loading it, seen by every visitor."""

    engine: object | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None
    stage: str = "Kontrollerar indexet"
    done: int = 0
    total: int = 0
    started: float = 0.0
    stage_started: float = 0.0
    error: str = ""
    warm_seconds: float = 0.0
    embedder: object | None = None  # kept across reloads (after an upload), so the model loads once


@st.cache_resource(show_spinner=False)
def engine_slot(key: str) -> EngineSlot:
    return EngineSlot()


def progress_text(stage: str, done: int, total: int, elapsed: float = 0.0) -> str:
    """'Läser in textavsnitt: 120 av 918 (ungefär 2 min kvar)'."""
    text = f"{STAGES.get(stage, stage)}: {done} av {total}"
    if 0 < done < total and elapsed > 2:
        left = (total - done) * elapsed / done
        text += f" (ungefär {round(left / 60)} min kvar)" if left >= 90 else f" (ungefär {max(5, round(left, -1)):.0f} s kvar)"
    return text


def warm_up(engine) -> None:
    """Load the embedding model and the answer caches now, so the first question is as fast as the rest."""
    try:
        engine.embedder.embed(["värm upp"], query=True)
        engine.ask("Hur stor var sjukfrånvaron 2023?")
    except Exception:  # a failed warm-up only costs the first visitor time
        log.exception("warm-up failed")


def load_in_background(slot: EngineSlot, config: Config) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        if stage != slot.stage:
            slot.stage, slot.stage_started = stage, time.monotonic()
        slot.done, slot.total = done, total

    try:
        engine = open_engine(config, embedder=slot.embedder, progress=progress)
        slot.stage, slot.total = "Läser in språkmodellen", 0
        t0 = time.perf_counter()
        warm_up(engine)
        slot.warm_seconds = time.perf_counter() - t0
        log.info("engine ready; model loaded and warmed in %.1f s", slot.warm_seconds)
        slot.embedder = engine.embedder
        slot.engine = engine
        start_sentence_warming(engine)  # so that no question waits for its sentences to be embedded
    except RagError as e:
        log.error("cannot open the engine: %s", e)
        slot.error = swedish_error(e)
    except Exception as e:
        log.exception("cannot open the engine")
        slot.error = f"Ett internt fel inträffade ({type(e).__name__}); se serverloggen."


def start_loading(slot: EngineSlot, config: Config) -> None:
    with slot.lock:
        if slot.engine is None and (slot.thread is None or not slot.thread.is_alive()):
            slot.error, slot.stage, slot.done, slot.total = "", "Kontrollerar indexet", 0, 0
            slot.started = slot.stage_started = time.monotonic()
            slot.thread = threading.Thread(target=load_in_background, args=(slot, config), daemon=True,
                                           name="rag-engine-loader")
            slot.thread.start()


def get_engine(config: Config):
    """The shared engine; while it loads (or the index is built), every visitor sees the same progress."""
    slot = engine_slot(repr(config))
    if slot.engine is not None:
        return slot.engine
    start_loading(slot, config)
    box = st.empty()
    with box.container(), st.status("Förbereder rapporterna …", expanded=True) as status:
        st.caption("Första gången byggs ett sökindex över rapporterna; det tar några minuter. "
                   "Alla som öppnar sidan under tiden ser samma förlopp.")
        bar = st.progress(0.0, text="Kontrollerar indexet …")
        while slot.engine is None and not slot.error and slot.thread is not None and slot.thread.is_alive():
            if slot.total:
                bar.progress(slot.done / slot.total, text=progress_text(slot.stage, slot.done, slot.total,
                                                                        time.monotonic() - slot.stage_started))
            else:
                bar.progress(0.0, text=f"{slot.stage} … ({time.monotonic() - slot.started:.0f} s)")
            time.sleep(0.3)
        if slot.engine is None:
            status.update(label="Rapporterna kunde inte läsas in", state="error")
            raise RagError(slot.error or "inläsningen avbröts")
        status.update(label="Klart", state="complete", expanded=False)
    box.empty()  # the progress gives way to the page
    return slot.engine


# --- errors in plain Swedish ------------------------------------------------------------

_FIELD_NAMES = {"kommun": "kommun", "namnd": "nämnd", "report_type": "rapporttyp", "title": "titel",
                "period_start": "periodens början", "period_end": "periodens slut", "doc_id": "dokumentnamn",
                "source": "filnamn", "report type": "rapporttyp", "period": "period"}
_SWEDISH = (
    (r"not UTF-8", "Filen är inte sparad som vanlig text (UTF-8). Spara eller exportera rapporten som text i UTF-8 "
                   "och försök igen."),
    (r"the file is empty|holds no readable text", "Filen innehåller ingen läsbar text."),
    (r"NUL bytes|not a text export", "Filen ser inte ut att vara en textfil. Exportera rapporten som text."),
    (r"larger than", "Filen är för stor för att läggas till."),
    (r"only .* accepted|not a supported|unsupported",
     "Den filtypen kan inte läggas till. Välj en rapport som PDF, Word (.docx) eller text (.txt, .md)."),
    (r"same text is already in the corpus as \S+ \((?P<label>[^)]*(?:\)[^)]*)*)\)",
     "Rapporten finns redan i underlaget, som {label}. Den lades inte till igen."),
    (r"already in the corpus|already used|file name is already", "Rapporten finns redan i underlaget."),
    (r"could not detect (?P<what>.+?)(?: from the text|;|$)", "Det gick inte att läsa ut {what} ur texten; fyll i uppgifterna själv."),
    (r"lacks (?P<what>[\w, ]+)", "Uppgifter saknas: {what}."),
    (r"is not YYYY-MM", "Perioden ska skrivas som år och månad, till exempel 2024-08."),
    (r"outside the corpus folder|cannot be resolved", "Filen kunde inte sparas i underlaget."),
    (r"does not exist", "Mappen med rapporter finns inte ({text})."),
    (r"no (readable )?reports found", "Det finns inga läsbara rapporter i underlaget."),
    (r"is empty; ask", "Frågan är tom. Skriv en fråga om rapporterna."),
    (r"characters long", "Frågan är för lång; korta den."),
    (r"not a question in words", "Skriv frågan med ord, till exempel: Hur hög var sjukfrånvaron i Solna 2023?"),
)


def _swedish_fields(text: str) -> str:
    for en, sv in sorted(_FIELD_NAMES.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{re.escape(en)}\b", sv, text)
    return text


def swedish_error(error: Exception | str) -> str:
    """A library error message in plain Swedish words (the technical text goes to the log)."""
    if isinstance(error, UnreadableReport):
        return str(error)  # the PDF and Word readers say what is wrong in Swedish already
    if isinstance(error, BadFileName):
        return f"Filnamnet går inte att använda: {error.swedish}. Byt namn på filen och försök igen."
    if isinstance(error, RagError) and error.swedish:
        return error.swedish[:1].upper() + error.swedish[1:].rstrip(".") + "."
    if isinstance(error, (OSError, StorageError)):  # no server paths on screen
        return "Filen kunde inte sparas: mappen är skrivskyddad eller disken är full."
    text = str(error)
    for pattern, message in _SWEDISH:
        m = re.search(pattern, text)
        if m:
            groups = {k: _swedish_fields(v) for k, v in m.groupdict().items() if v}
            return message.format(text=text, **groups)
    return f"Det gick inte: {text}"


# --- uploads (plain functions, tested directly) -------------------------------------------

def report_title(text: str, fallback: str = "") -> str:
    """The report's own title: the first short line near the top naming a report type (or year)."""
    lines = [ln.strip().strip("#*").strip() for ln in text.split("\n")[:80]]
    lines = [ln for ln in lines if 3 <= len(ln) <= 120 and not ln.endswith((".", ",", ":"))]
    for ln in lines:
        low = ln.lower()
        if any(t in low for t in REPORT_TYPES) and YEAR_RE.search(ln):
            return re.sub(r"\s+", " ", ln)
    for ln in lines:
        low = ln.lower()
        if any(t in low for t in REPORT_TYPES):
            return re.sub(r"\s+", " ", ln)
    return fallback


def make_doc_id(meta: dict[str, str]) -> str:
    words = f"{meta.get('kommun', '')} {meta.get('report_type', '')} {meta.get('period_end', '')}".lower()
    words = words.translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "rapport"


def upload_defaults(name: str, data: bytes) -> tuple[dict[str, str], str]:
    """Prefilled metadata for an uploaded file and a note when detection failed.

    Raises CorpusError when the bytes are not a readable report at all."""
    text = report_text(data, name)
    try:
        r = detect_report(text, name)
    except CorpusError as e:
        return {"kommun": "", "namnd": "Socialnämnden", "report_type": "", "title": report_title(text),
                "period_start": "", "period_end": ""}, swedish_error(e)
    meta = {k: getattr(r, k) for k, _ in META_FIELDS}
    meta["title"] = report_title(text, r.title)
    return meta, ""


def duplicate_of(data: bytes, name: str, reports) -> Report | None:
    """The report already in the corpus with this exact text, if any (whatever its file name)."""
    try:
        text = report_text(data, name)
    except (CorpusError, ValueError):
        return None
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return next((r for r in reports if r.sha256 == sha), None)


def handle_upload(config: Config, name: str, data: bytes, meta: dict[str, str] | None = None,
                  progress=None, embedder=None) -> tuple[bool, str]:
    """Validate and add a report, then rebuild the index incrementally: (ok, message in Swedish).

    On a bad file nothing in the corpus folder changes and the message says why."""
    try:
        report = None
        if meta:
            fields = {k: str(meta.get(k, "")).strip() for k, _ in META_FIELDS}
            report = Report(doc_id=str(meta.get("doc_id") or make_doc_id(fields)), **fields, source=name)
        parsed = add_report(config.corpus_dir, name, data, report)
    except (RagError, ValueError, OSError) as e:
        log.info("upload of %s refused: %s", shown(name), shown(e))
        return False, f"Rapporten lades inte till. {swedish_error(e)}"
    r = parsed.report
    try:
        stats = build_index(config, embedder=embedder, progress=progress)
    except RagError as e:
        log.error("index rebuild after adding %s failed: %s", shown(name), e)
        return False, f"{name} lades till, men sökindexet kunde inte byggas om: {swedish_error(e)}"
    return True, (f"{r.kommun} – {r.title} lades till: {len(parsed.facts)} tabellvärden och "
                  f"{stats.embedded} nya textavsnitt.")


def _change_and_rebuild(config: Config, doc_id: str, change, verb: str, could_not: str, did: str, done: str,
                        embedder=None) -> tuple[bool, str]:
    """Hide or restore one report, then rebuild the index; nothing else changes."""
    try:
        report = change(config.corpus_dir, doc_id)
    except (RagError, ValueError, OSError) as e:
        log.error("%s %s failed: %s", verb, shown(doc_id), shown(e))
        return False, f"Rapporten kunde inte {could_not}. {swedish_error(e)}"
    try:
        build_index(config, embedder=embedder)
    except RagError as e:
        log.error("index rebuild after %s %s failed: %s", verb, shown(doc_id), e)
        return False, f"{report.label} {did}, men sökindexet kunde inte byggas om: {swedish_error(e)}"
    return True, f"{report.label} {done}"


def handle_remove(config: Config, doc_id: str, embedder=None) -> tuple[bool, str]:
    """Hide one report (its file and entry move to corpus/.removed/, nothing is deleted) and rebuild."""
    return _change_and_rebuild(config, doc_id, hide_report, "removing", "tas bort", "togs bort",
                               "togs bort ur underlaget. Den kan återställas.", embedder)


def handle_restore(config: Config, doc_id: str, embedder=None) -> tuple[bool, str]:
    """Put a hidden report back and rebuild the index."""
    return _change_and_rebuild(config, doc_id, restore_report, "restoring", "återställas", "återställdes",
                               "finns åter i underlaget.", embedder)


# --- filters against the question ---------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What to answer for, and a note when the question overrides the sidebar filter."""

    kommuner: tuple[str, ...]
    doc_ids: tuple[str, ...]
    note: str = ""


def scope_for(question: str, history: tuple[str, ...], engine, kommuner: tuple[str, ...],
              doc_ids: tuple[str, ...]) -> Scope:
    """The filter, unless the question names a kommun or a kind of report outside it: then the
    question wins, and the note says so."""
    resolved = engine.read_question(question, history).resolved
    low = resolved.question.lower()
    named = tuple(k for k in kommuner_in(resolved.question) if k in engine.kommuner)
    types = {r.report_type for r in engine.reports.values() if r.report_type and r.report_type[:-1] in low}
    chosen_docs = [engine.reports[d] for d in doc_ids if d in engine.reports]
    chosen = ", ".join(kommuner) if kommuner else ", ".join(r.label for r in chosen_docs)
    outside = [k for k in named if (kommuner and k not in kommuner)
               or (chosen_docs and k not in {r.kommun for r in chosen_docs})]
    if outside:
        keep_docs = tuple(r.doc_id for r in chosen_docs if r.kommun in named)
        return Scope(named, keep_docs, f"Frågan gäller {' och '.join(outside)}, men urvalet i sidofältet är "
                                       f"{chosen}. Svaret gäller {' och '.join(named)}, som frågan nämner.")
    if types and chosen_docs and not any(r.report_type in types for r in chosen_docs):
        scope = set(named or kommuner or {r.kommun for r in chosen_docs})
        docs = tuple(r.doc_id for r in engine.reports.values() if r.report_type in types and r.kommun in scope)
        if docs:
            return Scope(kommuner, docs, f"Frågan gäller {' och '.join(sorted(types))}en, men urvalet i sidofältet är "
                                         f"{chosen}. Svaret hämtas ur {', '.join(engine.reports[d].label for d in docs)}.")
    return Scope(kommuner, doc_ids)


# --- rendering helpers ---------------------------------------------------------------------

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

    def text(line: str) -> str:
        return MARKER.sub(link, escape_markdown(line, keep=MARKER))

    out = []  # the answer's own line structure: list items stay a list, a table a table, other lines paragraphs
    for line in answer.answer.split("\n"):
        if not line.strip():
            continue
        if line.startswith("|"):  # a comparison's side-by-side table: each cell escaped, the pipes kept
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            row = "| " + " | ".join(c if re.fullmatch(r":?-+:?", c) else text(c) for c in cells) + " |"
            out.append(row if out and out[-1].lstrip("\n").startswith("|") else "\n" + row)
            continue
        item = re.match(r"^\s*[-•]\s+", line)
        heading = re.fullmatch(r"\*\*(.+)\*\*", line.strip())  # the answer's own per-kommun heading
        if heading:
            out.append(f"\n**{text(heading.group(1))}**\n")
        else:
            out.append(f"- {text(line[item.end():])}" if item else f"\n{text(line.strip())}\n")
    return "\n".join(out).strip()


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
        text = escape_markdown(text)  # escapes | too
        return f"**{text}**" if i in asked and text else text

    out = ["| " + " | ".join(cell(h, i) for i, h in enumerate(header)) + " |",
           "|" + "---|" * width]
    out += ["| " + " | ".join(cell(c, i) for i, c in enumerate(r + [""] * (width - len(r)))) + " |" for r in rows]
    return "\n".join(out)


_MONTH_ABBR = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def period_group(column: str, report: Report | None) -> tuple[str, str] | None:
    """Which columns may share a chart: outcomes of the same months, or plans (budget, prognos) for a year.

    None for a column that is neither (a target, a breakdown such as 'Kvinnor 2023')."""
    low = column.lower()
    years = [str(y) for y in years_in(low)]
    rest = re.sub(rf"\b{YEAR}\b|[-–/.,()%]|\b\d{{1,2}}\b", " ", low)
    if re.search(r"budget|prognos", low):
        return ("plan", years[-1] if years else (report.period_end[:4] if report else ""))
    months = [m for m in _MONTH_ABBR if re.search(rf"\b{m}\w*", rest)]
    words = set(re.findall(r"[a-zåäö]+", rest)) - set(_MONTH_ABBR) - {"utfall", "bokslut", "helår", "helåret", "per",
                                                                       "tom", "t", "o", "m", "januari", "augusti",
                                                                       "april", "december", "år", "året"}
    words = {w for w in words if not any(w.startswith(m) for m in _MONTH_ABBR)}
    if words:
        return None
    if months:
        return ("utfall", months[-1])
    if "bokslut" in low or "helår" in low:
        return ("utfall", "helår")
    if years and report is not None and years[-1] == report.period_end[:4] and not report.period_end.endswith("-12"):
        return ("utfall", _MONTH_ABBR[int(report.period_end[5:]) - 1])  # this year's figure in a part-year report
    return ("utfall", "helår") if years else None


def _ranking_chart(facts: tuple[Fact, ...]) -> dict | None:
    """One chart for a table's rows ranked by one column ("vilken verksamhet har störst …"): a bar per row."""
    if len(facts) < 2 or len({(f.doc_id, f.header_line, f.column, f.unit) for f in facts}) != 1 \
            or len({f.row for f in facts}) != len(facts):
        return None
    values = [f.value for f in facts]
    cost = all(v <= 0 for v in values) and any(v < 0 for v in values) and not CHANGE_COLUMN.search(facts[0].column)
    return {"title": f"{facts[0].kommun}: {facts[0].column}" + (" (kostnad)" if cost else ""),
            "unit": facts[0].unit or "antal", "columns": [f.row for f in facts],
            "values": [abs(v) if cost else v for v in values]}


def _comparison_chart(facts: tuple[Fact, ...]) -> dict | None:
    """One chart for kommuner set side by side on one measure: a bar per kommun, in mnkr (costs as
    amounts, deviations with their sign), as the answer's first sentence says them."""
    from rag.answer.periods import in_mnkr

    if len(facts) < 2 or len({f.kommun for f in facts}) != len(facts) or any(in_mnkr(f) is None for f in facts):
        return None
    values = [in_mnkr(f) for f in facts]
    cost = all(v <= 0 for v in values) and any(v < 0 for v in values)
    return {"title": f"{facts[0].row}: per kommun" + (" (kostnad)" if cost else ""), "unit": "mnkr",
            "columns": [f.kommun for f in facts], "values": [round(abs(v) if cost else v, 1) for v in values]}


def chart_data(answer: Answer, all_facts: list[Fact], reports: dict[str, Report] | None = None) -> list[dict]:
    """For each asked table row: the values of the columns comparable with the asked one.

    Costs (all values negative) are shown as positive amounts; no chart when fewer than two
    comparable values share a unit."""
    reports = reports or {}
    ranked = _ranking_chart(answer.facts) or _comparison_chart(answer.facts)
    if ranked:
        return [ranked]
    asked: dict[tuple[str, int], set[str]] = {}
    for f in answer.facts:
        asked.setdefault((f.doc_id, f.line), set()).add(f.column)
    cells: dict[tuple[str, int], list[Fact]] = {k: [] for k in asked}
    for f in all_facts:
        if (f.doc_id, f.line) in cells and not CHANGE_COLUMN.search(f.column):
            cells[(f.doc_id, f.line)].append(f)
    charts = []
    for key, row in cells.items():
        report = reports.get(key[0])
        groups = {period_group(c, report) for c in asked[key]} - {None}
        if len(groups) != 1:
            continue
        group = groups.pop()
        same = [f for f in row if period_group(f.column, report) == group]
        columns = [f.column for f in same]
        if len(same) < 2 or len({f.unit for f in same}) != 1 or len(set(columns)) != len(columns) \
                or not asked[key] & set(columns):  # a chart of other columns than the asked one says nothing
            continue
        values = [f.value for f in same]
        cost = all(v <= 0 for v in values) and any(v < 0 for v in values)
        f0 = same[0]
        unit = f0.unit or "antal"
        row_name = re.sub(rf"\s*(,\s*{re.escape(unit)}|\({re.escape(unit)}\))\s*$", "", f0.row) or f0.row
        charts.append({"title": f"{f0.kommun}: {row_name}" + (" (kostnad)" if cost else ""), "unit": unit,
                       "columns": columns, "values": [abs(v) if cost else v for v in values]})
    return charts


def render_citation(c: Citation, answer: Answer, mid: int) -> None:
    st.markdown(f'<a id="{anchor(mid, c.n)}"></a>**[{c.n}] {escape_markdown(c.kommun)} – {escape_markdown(c.report)}** '
                f"({c.period}) · {escape_markdown(c.section)}" + (f" · {escape_markdown(c.place)}" if c.place else ""),
                unsafe_allow_html=True)
    if c.kind == "table":
        columns = {f.column for f in answer.facts if f.doc_id == c.doc_id and f.line == c.line}
        st.markdown(table_markdown(c, columns))
    else:
        st.markdown("\n".join("> " + escape_markdown(ln) for ln in c.text.split("\n")))


def cited_page_png(config: Config, c: Citation, reports: dict[str, Report]) -> bytes | None:
    """The cited page of a PDF report as an image, the cited row marked; None for text and Word reports."""
    report = reports.get(c.doc_id)
    if not c.page or report is None or not report.source.lower().endswith(".pdf"):
        return None
    lines = c.text.split("\n")
    mark = lines[1].split("\t")[0] if c.kind == "table" and len(lines) > 1 else c.text[:40]
    try:
        return page_image((config.corpus_dir / report.source).read_bytes(), c.page, mark)
    except (OSError, ValueError, RuntimeError) as e:  # pdfium raises RuntimeError subclasses
        log.warning("could not render page %s of %s: %s", c.page, report.source, e)
        return None


def render_cited_page(config: Config, c: Citation, mid: int) -> None:
    engine = engine_slot(repr(config)).engine
    if engine is None or not c.page:
        return
    if st.checkbox(f"Visa sidan (s. {c.page})", key=f"page-{mid}-{c.n}"):
        png = cited_page_png(config, c, engine.reports)
        if png:
            st.image(png, caption=escape_markdown(f"{c.kommun} – {c.report}, s. {c.page}"))
        else:
            st.caption("Sidan kunde inte visas.")


def render_chart(chart: dict) -> None:
    """Horizontal bars: full column names stay readable on a phone."""
    import altair as alt

    st.caption(escape_markdown(f"{chart['title']}, {chart['unit']}"))
    frame = pd.DataFrame({"Kolumn": chart["columns"], "Värde": chart["values"],
                          "Etikett": swedish_numbers(chart["values"])})
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("Kolumn:N", sort=None, title=None, axis=alt.Axis(labelLimit=220, labelFontSize=12)),
        x=alt.X("Värde:Q", title=chart["unit"], axis=alt.Axis(tickCount=5, labelExpr="replace(datum.label, '.', ',')"),
                scale=alt.Scale(domain=[min(0.0, 1.2 * min(chart["values"])), 1.2 * max(0.0, *chart["values"]) or 1.0])),
        tooltip=[alt.Tooltip("Kolumn:N"), alt.Tooltip("Etikett:N", title=chart["unit"])])
    labels = bars.mark_text(align="left", dx=3, fontSize=12).encode(text="Etikett:N")
    st.altair_chart((bars + labels).properties(height=42 * len(chart["columns"]) + 40), width="stretch")


def swedish_numbers(values: list[float]) -> list[str]:
    """'10,0', '2 548': the reports' own way of printing numbers."""
    decimals = 0 if all(float(v).is_integer() for v in values) else 1
    return [f"{v:,.{decimals}f}".replace(",", " ").replace(".", ",") for v in values]


# --- feedback -----------------------------------------------------------------------------

def store_feedback(config: Config, msg: dict, rating: int | None, comment: str | None = None) -> None:
    """One row per answer: the first rating adds it, later changes update it."""
    if msg.get("answer") is None:
        return
    row = msg.get("feedback_row")
    msg["rating"] = rating
    if row is None:
        if rating is None:
            return
        payload = {**msg["answer"].to_json(), "asked_with_history": list(msg.get("history", ()))}
        msg["feedback_row"] = add_feedback(config.feedback_path, msg["question"], payload, rating, comment or "")
    else:
        update_feedback(config.feedback_path, row, rating=rating, comment=comment)


def on_rating(config: Config, mid: int) -> None:
    value = st.session_state.get(f"fb-{mid}")
    msg = next((m for m in st.session_state.messages if m["id"] == mid), None)
    if msg is None:
        return
    try:
        store_feedback(config, msg, None if value is None else (1 if value == 1 else -1))
        if value is not None:
            st.toast("Tack! Du kan ändra ditt omdöme när som helst.")
    except Exception:  # a full disk must not break the chat
        log.exception("could not store feedback")
        st.session_state.notice = ("error", "Omdömet kunde inte sparas.")


def on_comment(config: Config, mid: int) -> None:
    text = str(st.session_state.get(f"fbtext-{mid}", "")).strip()
    msg = next((m for m in st.session_state.messages if m["id"] == mid), None)
    if msg is None or msg.get("feedback_row") is None:
        return
    try:
        store_feedback(config, msg, msg.get("rating", -1), text)
        st.toast("Tack, vi har sparat din kommentar.")
    except Exception:
        log.exception("could not store feedback comment")
        st.session_state.notice = ("error", "Kommentaren kunde inte sparas.")


def render_feedback(config: Config, msg: dict) -> None:
    mid = msg["id"]
    value = st.feedback("thumbs", key=f"fb-{mid}", on_change=on_rating, args=(config, mid))
    if value == 0:
        st.text_input("Vad var fel? (valfritt)", key=f"fbtext-{mid}", on_change=on_comment, args=(config, mid),
                      placeholder="Till exempel: fel siffra, fel kommun, källan säger något annat")


# --- messages -------------------------------------------------------------------------------

def render_assistant(msg: dict, config: Config) -> None:
    if msg.get("note"):
        st.info(escape_markdown(msg["note"]), icon="🔎")
    if msg.get("error"):
        st.error(escape_markdown(msg["error"]))
        return
    answer: Answer = msg["answer"]
    mid = msg["id"]
    if not answer.answered:
        st.warning(escape_markdown(answer.answer), icon="ℹ️")
    else:
        st.markdown(linked_answer(answer, mid), unsafe_allow_html=True)
        for chart in msg.get("charts", ()):
            render_chart(chart)
        with st.expander(f"Källor ({len(answer.citations)}): tabellrader och textutdrag", expanded=False):
            for c in answer.citations:
                render_citation(c, answer, mid)
                render_cited_page(config, c, mid)
    render_feedback(config, msg)


def render_message(msg: dict, config: Config) -> None:
    with st.chat_message(msg["role"]):
        if msg["role"] == "user":
            st.markdown(escape_markdown(msg["content"]))
        else:
            render_assistant(msg, config)


def new_id() -> int:
    st.session_state.next_id += 1
    return st.session_state.next_id


def ask(engine, question: str, history: tuple[str, ...], kommuner: tuple[str, ...], doc_ids: tuple[str, ...]) -> dict:
    msg = {"id": new_id(), "role": "assistant", "question": question, "history": history, "answer": None,
           "charts": []}
    try:
        scope = scope_for(question, history, engine, kommuner, doc_ids)
        msg["note"] = scope.note
        t0 = time.perf_counter()
        answer = engine.ask(question, kommuner=scope.kommuner, doc_ids=scope.doc_ids, history=history)
        msg["seconds"] = time.perf_counter() - t0
        log.info("answered in %.2f s: %r", msg["seconds"], question)
    except RagError as e:
        msg["error"] = f"Frågan kan inte besvaras. {swedish_error(e)}"
        return msg
    except Exception:
        log.exception("answering %r failed", question)
        msg["error"] = "Ett internt fel inträffade när frågan besvarades; se serverloggen."
        return msg
    msg["answer"] = answer
    msg["charts"] = chart_data(answer, engine.facts, engine.reports) if answer.answered else []
    return msg


# --- sidebar ---------------------------------------------------------------------------------

def sidebar_filters(engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    st.header("Urval")
    kommuner = st.pills("Kommuner", sorted(engine.kommuner), selection_mode="multi", key="kommuner",
                        format_func=escape_markdown,
                        help="Inget valt: alla kommuner.")
    reports = sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end))
    doc_ids = st.pills("Rapporter", [r.doc_id for r in reports], selection_mode="multi", key="doc_ids",
                       format_func=lambda d: escape_markdown(engine.reports[d].label if d in engine.reports else d),
                       help="Inget valt: alla rapporter.")
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
    st.text_input("Redaktörslösenord", type="password", key="editor-token",
                  help="Behövs för att lägga till, ta bort och återställa rapporter. Läsa och fråga kan alla.")
    if current_editor():
        st.caption("Du kan ändra underlaget.")
        return True
    if st.session_state.get("editor-token"):
        st.caption("Fel lösenord; underlaget kan bara läsas.")
    return False


def sidebar_reports(config: Config, engine, editor: bool) -> None:
    with st.expander(f"Rapporter i underlaget ({len(engine.reports)})"):
        for r in sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end)):
            st.markdown(f"**{escape_markdown(r.kommun)}** – {escape_markdown(r.title)} ({r.period_start} – {r.period_end})")
            if not editor:
                continue
            if st.session_state.get("confirm_remove") == r.doc_id:
                st.warning(f"Ta bort {escape_markdown(r.label)} ur underlaget? Frågor kan sedan inte längre besvaras "
                           "ur den rapporten. Filen sparas och rapporten kan återställas.")
                yes, no = st.columns(2)
                if yes.button("Ja, ta bort", key=f"remove-yes-{r.doc_id}", type="primary"):
                    change_corpus(config, engine, "removed", r.doc_id)
                if no.button("Avbryt", key=f"remove-no-{r.doc_id}"):
                    st.session_state.confirm_remove = None
                    st.rerun()
            elif st.button("Ta bort …", key=f"remove-{r.doc_id}"):
                st.session_state.confirm_remove = r.doc_id
                st.rerun()
    if editor:
        sidebar_hidden(config, engine)


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
                st.markdown(f"{escape_markdown(r.label)} ({r.period_start} – {r.period_end})")
                if st.button("Återställ", key=f"restore-{r.doc_id}"):
                    change_corpus(config, engine, "restored", r.doc_id)


def change_corpus(config: Config, engine, action: str, doc_id: str) -> None:
    """Hide or restore one report (editors only, checked again here) and reload the engine."""
    if not current_editor():
        st.session_state.notice = ("error", "Bara en redaktör kan ändra underlaget.")
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
    st.session_state.notice = ("success" if ok else "error", message)
    st.rerun()


def upload_form(config: Config, engine, upload) -> None:
    if not current_editor():
        st.error("Bara en redaktör kan lägga till rapporter.")
        return
    data = upload.getvalue()
    dup = duplicate_of(data, upload.name, engine.reports.values())
    if dup is not None:
        st.error(escape_markdown(f"Rapporten finns redan i underlaget, som {dup.label} ({dup.source}). Den lades inte till igen."))
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
        meta = {k: st.text_input(label, value=defaults[k], key=f"meta-{upload.file_id}-{k}") for k, label in META_FIELDS}
        if not st.form_submit_button("Lägg till i underlaget"):
            return
    slot = engine_slot(repr(config))
    with slot.lock:
        bar = st.progress(0.0, text="Läser rapporten och delar upp den i avsnitt …")
        started = time.monotonic()
        ok, message = handle_upload(config, upload.name, data, meta,
                                    lambda s, d, n: bar.progress(d / max(n, 1), text=progress_text(
                                        s, d, n, time.monotonic() - started)),
                                    embedder=engine.embedder)
        if ok:
            slot.engine = None
    log_change(session_tag(), "added" if ok else "failed to add", meta.get("doc_id") or make_doc_id(meta), upload.name)
    if not ok:
        st.error(escape_markdown(message))
        return
    st.session_state.notice = ("success", message)
    st.session_state.upload_round += 1
    st.rerun()


def sidebar_upload(config: Config, engine) -> None:
    with st.expander("Lägg till rapport", expanded=False):
        upload = st.file_uploader("Rapport (" + ", ".join(f".{t}" for t in UPLOAD_TYPES) + ")", type=UPLOAD_TYPES,
                                  key=f"upload-{st.session_state.upload_round}",
                                  help="Kommun, rapporttyp, period och titel läses ur texten.")
        if upload is None:
            st.caption("Välj en fil eller dra den hit. Samma rapport kan inte läggas till två gånger.")
        if upload is not None:
            upload_form(config, engine, upload)


# --- page --------------------------------------------------------------------------------------

_MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                "november", "december")


def period_words(r: Report) -> str:
    """'januari–augusti 2024' rather than '2024-01 – 2024-08'."""
    try:
        (y0, m0), (y1, m1) = ((int(p[:4]), int(p[5:7])) for p in (r.period_start, r.period_end))
    except (ValueError, IndexError):
        return f"{r.period_start} – {r.period_end}"
    if (y0, m0, m1) == (y1, 1, 12):
        return f"helåret {y1}"
    start = _MONTH_NAMES[m0 - 1] + ("" if y0 == y1 else f" {y0}")
    return f"{start}–{_MONTH_NAMES[m1 - 1]} {y1}"


def welcome(engine) -> str | None:
    """The start page: what the reports cover, three example questions, how to read the sources."""
    st.markdown("Ställ en fråga om socialtjänstens ekonomi och verksamhet. Svaren hämtas bara ur rapporterna "
                "nedan, och varje siffra visar varifrån den kommer.")
    st.markdown("**Det här finns i underlaget**\n\n" + "\n".join(
        f"- **{escape_markdown(r.kommun)}**: {escape_markdown(r.title)}, {period_words(r)}"
        for r in sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end))))
    st.markdown("**Prova att fråga**")
    chosen = None
    for i, q in enumerate(EXAMPLES):
        if st.button(q, key=f"example-{i}", width="stretch"):
            chosen = q
    st.markdown("**Så läser du svaret**\n\n"
                "- Siffrorna står med enhet och period, och en hänvisning som **[1]** pekar på källan.\n"
                "- Under **Källor** finns tabellraden eller textstycket ur rapporten; den efterfrågade kolumnen är fetstil.\n"
                "- Du kan ställa följdfrågor, till exempel *Och i Huddinge?* eller *Hur var det förra året?*; "
                "svaret börjar då med hur frågan tolkades.\n"
                "- Står svaret inte i rapporterna säger appen det i stället för att gissa.")
    return chosen


def init_state() -> None:
    for key, value in (("messages", []), ("next_id", 0), ("upload_round", 0), ("notice", None),
                       ("confirm_remove", None)):
        st.session_state.setdefault(key, value)


def show_notice() -> None:
    if st.session_state.notice:
        kind, text = st.session_state.notice
        (st.success if kind == "success" else st.error)(escape_markdown(text))
        st.session_state.notice = None


def filter_caption(engine, kommuner: tuple[str, ...], doc_ids: tuple[str, ...]) -> str:
    if not kommuner and not doc_ids:
        return "Urval: alla kommuner och rapporter"
    parts = list(kommuner) + [engine.reports[d].label for d in doc_ids if d in engine.reports]
    return "Urval: " + ", ".join(parts) + " (ändra i sidofältet)"


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from pinned packages, never a hub
    st.set_page_config(page_title="Fråga socialtjänstens rapporter", page_icon="📊", layout="wide",
                       initial_sidebar_state="auto")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    st.markdown(CSS, unsafe_allow_html=True)
    init_state()
    config = config_from_env()
    st.title("Fråga socialtjänstens rapporter")
    try:
        engine = get_engine(config)
    except RagError as e:
        st.error(escape_markdown(f"Rapporterna kunde inte läsas in. {swedish_error(e)}"))
        st.stop()
    with st.sidebar:
        kommuner, doc_ids = sidebar_filters(engine)
        if st.button("Ny konversation", key="new-chat", help="Börja om; följdfrågor bygger då inte på tidigare frågor."):
            st.session_state.messages = []
            st.rerun()
        editor = sidebar_role()
        sidebar_reports(config, engine, editor)
        if editor:
            sidebar_upload(config, engine)
    show_notice()
    messages = st.session_state.messages
    bottom = getattr(st, "bottom", None) or st.container()
    with bottom:
        st.caption(escape_markdown(filter_caption(engine, kommuner, doc_ids)))
    question = st.chat_input("Ställ en fråga om rapporterna …")
    example = welcome(engine) if not messages and not question else None
    question = question or example
    for msg in messages:
        render_message(msg, config)
    if question:
        history = tuple(m["content"] for m in messages if m["role"] == "user")
        user = {"id": new_id(), "role": "user", "content": question}
        messages.append(user)
        render_message(user, config)
        with st.spinner("Söker i rapporterna …"):
            reply = ask(engine, question, history, kommuner, doc_ids)
        messages.append(reply)
        render_message(reply, config)
        if example:
            st.rerun()  # the start page gives way to the chat


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import it
    main()
