"""Adding, hiding and restoring reports from the app: plain functions (no Streamlit), tested directly.

Each returns (ok, message in Swedish); on a bad file nothing in the corpus folder changes."""
from __future__ import annotations

import hashlib
import logging
import re

from rag.config import Config
from rag.engine import build_index
from rag.errors import CorpusError, RagError
from rag.ingest.corpus import add_report
from rag.ingest.detect import detect_fields
from rag.ingest.manifest import check_period
from rag.ingest.report_files import REPORT_SUFFIXES, report_text
from rag.ingest.hidden import hide_report, restore_report
from rag.models import Report
from rag.ui.roles import shown
from rag.ui.swedish import field_name, swedish_error
from rag.years import YEAR_RE

log = logging.getLogger("rag.app")

META_FIELDS = (("kommun", "Kommun"), ("namnd", "Nämnd"), ("report_type", "Rapporttyp"), ("title", "Rapportens titel"),
               ("period_start", "Perioden börjar (ÅÅÅÅ-MM)"), ("period_end", "Perioden slutar (ÅÅÅÅ-MM)"))
UPLOAD_TYPES = [s.lstrip(".") for s in REPORT_SUFFIXES]
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
REPORT_TYPES = ("årsredovisning", "delårsrapport", "tertialrapport", "verksamhetsberättelse", "månadsrapport",
                "uppföljning", "bokslut")


def report_title(text: str, fallback: str = "", kommun: str = "") -> str:
    """The report's own title: the first short line near the top naming a report type (or year),
    without the kommun in front of it ('Uppsala – Tertialrapport april 2025' in a PDF's page header),
    since the app shows the kommun beside every title."""
    lines = [ln.strip().strip("#*").strip() for ln in text.split("\n")[:80]]
    lines = [ln for ln in lines if 3 <= len(ln) <= 120 and not ln.endswith((".", ",", ":"))]
    if kommun:
        lines = [re.sub(rf"^{re.escape(kommun)}s?( kommun| stad)?\s*[–:-]\s*", "", ln, flags=re.I) for ln in lines]
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
    """Details read from the file's first pages, each field that is found filled in, and a note in
    Swedish naming every field that was not (or '').

    Raises CorpusError when the bytes are not a readable report at all."""
    text = report_text(data, name)
    found = detect_fields(text, name)
    meta = {k: found.get(k, "") for k, _ in META_FIELDS}
    meta["title"] = report_title(text, found["title"], found["kommun"])
    missing = [field_name(k) for k, _ in META_FIELDS if not meta[k]]
    if not missing:
        return meta, ""
    return meta, f"Det gick inte att läsa ut {_and(missing)} ur texten; fyll i det nedan."


def form_problems(meta: dict[str, str]) -> list[str]:
    """Every field of the upload form that is missing or malformed, in Swedish, in the form's order
    (all at once, so the editor fixes them in one go)."""
    problems = [f"{field_name(k).capitalize()} saknas" for k, _ in META_FIELDS if not str(meta.get(k, "")).strip()]
    periods = {k: str(meta.get(k, "")).strip() for k in ("period_start", "period_end")}
    for k, value in periods.items():
        if value:
            try:
                check_period(value, k)
            except CorpusError:
                problems.append(f"{field_name(k).capitalize()} ska skrivas som år och månad, till exempel 2024-08")
    if all(_PERIOD.fullmatch(v) for v in periods.values()) and periods["period_start"] > periods["period_end"]:
        problems.append("Perioden börjar efter att den slutar")
    return problems


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


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
