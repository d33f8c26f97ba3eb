"""The corpus folder as a whole: every readable report loaded, an upload added, a report removed.

The corpus degrades instead of failing: `load_corpus` leaves out a report it cannot read (or
that repeats another's doc_id or text) with a warning naming it, and serves the rest. An upload
is checked whole before anything is written, and the file and manifest are each replaced
atomically.
"""
from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import CorpusError
from ..files import write_atomic
from ..models import Report
from .detect import detect_report
from .document import DOCUMENT_SUFFIXES
from .manifest import MANIFEST, check_entry, manifest_entries, salvage_entry, save_manifest
from .parse import ParsedReport, parse_report
from .report_files import (REPORT_SUFFIXES, check_report_name, corpus_files, read_report_text, report_text,
                           sha256, source_path)

log = logging.getLogger(__name__)


def load_corpus(corpus_dir: Path, problems: list[str] | None = None) -> list[ParsedReport]:
    """Every readable report in the folder: manifest entries first, then detected ones.

    A report that cannot be read, lies outside the folder, or repeats another's
    doc_id or text is left out with a warning naming it (also appended to
    `problems`); the rest is served. Only a folder with no readable report fails.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    loading = _Loading(corpus_dir, problems if problems is not None else [])
    try:
        entries = manifest_entries(corpus_dir)
    except CorpusError as e:
        loading.leave_out(f"{e} (its reports are detected from their text instead)")
        entries = []
    listed = {str(e.get("source")) for e in entries if isinstance(e, dict)}
    for i, entry in enumerate(entries):
        where = f"{MANIFEST} entry {i + 1}"
        loading.add(where, loading.listed_report, entry, where)
    for path in corpus_files(corpus_dir):
        if path.name not in listed:
            loading.add(path.name, loading.unlisted_report, path)
    if not loading.parsed:
        problems = loading.problems
        raise CorpusError(f"{corpus_dir}: no readable reports found" + (f" ({problems[0]})" if problems else ""))
    return loading.parsed


class _Loading:
    """One pass of `load_corpus`: the reports kept so far, and why the others were left out."""

    def __init__(self, corpus_dir: Path, problems: list[str]) -> None:
        self.corpus_dir, self.problems = corpus_dir, problems
        self.parsed: list[ParsedReport] = []
        self.by_id: dict[str, str] = {}
        self.by_sha: dict[str, str] = {}

    def leave_out(self, message: str) -> None:
        self.problems.append(f"{message}; left out")
        log.warning("%s; left out", message)

    def add(self, where: str, load, *args) -> None:
        """`load(*args)` -> (report, text), parsed and kept; or the report left out and the reason logged."""
        try:
            got = load(*args)
        except CorpusError as e:
            return self.leave_out(str(e))
        except Exception as e:  # a reader library failing on a hostile PDF/Word file
            return self.leave_out(f"{where}: cannot be read ({type(e).__name__}: {e})")
        self.keep(*got)

    def keep(self, report: Report, text: str) -> None:
        sha = sha256(text)
        if report.doc_id in self.by_id:
            return self.leave_out(f"{report.source}: doc_id {report.doc_id!r} is already used by "
                                  f"{self.by_id[report.doc_id]}")
        if sha in self.by_sha:
            return self.leave_out(f"{report.source}: the same text as {self.by_sha[sha]}")
        try:
            self.parsed.append(parse_report(Report(**{**asdict(report), "sha256": sha}), text))
        except CorpusError as e:  # a limit on what a report may cost
            return self.leave_out(str(e))
        except Exception as e:  # a hostile file must not take the corpus down
            return self.leave_out(f"{report.source}: cannot be parsed ({type(e).__name__}: {e})")
        self.by_id[report.doc_id] = self.by_sha[sha] = report.source

    def listed_report(self, entry, where: str) -> tuple[Report, str]:
        try:
            r = check_entry(entry, where)
        except CorpusError as e:  # the entry degrades alone: its report is read with what can be detected
            source = entry.get("source") if isinstance(entry, dict) else None
            if not isinstance(source, str) or not source.strip():
                raise
            text = read_report_text(source_path(self.corpus_dir, source, where))
            r = salvage_entry(entry, text)
            self.problems.append(f"{e}; read as {r.kommun}, {r.report_type}, {r.period_start}–{r.period_end}")
            log.warning("%s", self.problems[-1])
            return r, text
        return r, read_report_text(source_path(self.corpus_dir, r.source, where))

    def unlisted_report(self, path: Path) -> tuple[Report, str]:
        text = read_report_text(source_path(self.corpus_dir, path.name, path.name))
        detected = detect_report(text, path.name)
        log.warning("%s: not in %s; detected %s, %s, %s", path.name, MANIFEST,
                    detected.kommun, detected.report_type, detected.period_end)
        return detected, text


@dataclass(frozen=True)
class Known:
    """A report already in the corpus, as far as an upload must not repeat it."""

    doc_id: str
    source: str
    sha256: str
    label: str


def known_reports(corpus_dir: Path, entries: list) -> list[Known]:
    """doc_id, file and text hash of every readable report in the folder (no parsing)."""
    out = []
    listed = set()
    for entry in entries:
        try:
            r = check_entry(entry, MANIFEST)
            listed.add(r.source)
            text = read_report_text(source_path(corpus_dir, r.source, MANIFEST))
        except Exception:  # unreadable or invalid: load_corpus leaves it out, nothing to compare with
            continue
        out.append(Known(r.doc_id, r.source, sha256(text), f"{r.kommun} – {r.title}"))
    for path in corpus_files(corpus_dir):
        if path.name in listed:
            continue
        try:
            text = read_report_text(source_path(corpus_dir, path.name, path.name))
        except Exception:
            continue
        try:
            r = detect_report(text, path.name)
            out.append(Known(r.doc_id, path.name, sha256(text), f"{r.kommun} – {r.title}"))
        except CorpusError:
            out.append(Known("", path.name, sha256(text), path.name))
    return out


def add_report(corpus_dir: Path, name: str, data: bytes, report: Report | None = None) -> ParsedReport:
    """Validate an uploaded report and add it to the corpus folder and manifest.

    Everything is checked before anything is written; the file and the manifest
    are each replaced atomically, and nothing already there is overwritten. A
    report whose text or doc_id is already in the corpus is refused, whatever its
    file name, with the name of the report it repeats.
    """
    name = check_report_name(name)
    if Path(name).suffix.lower() not in REPORT_SUFFIXES:
        raise CorpusError(f"{name}: only {', '.join(REPORT_SUFFIXES)} files are accepted")
    text = report_text(data, name)
    entries = manifest_entries(corpus_dir)
    report = _new_report(corpus_dir, entries, name, text, report)
    parsed = parse_report(Report(**{**asdict(report), "sha256": sha256(text)}), text)
    if not parsed.sections:
        raise CorpusError(f"{name}: no text sections found")
    write_atomic(corpus_dir / name, data if Path(name).suffix.lower() in DOCUMENT_SUFFIXES else text.encode("utf-8"))
    try:
        save_manifest(corpus_dir, entries + [report])
    except BaseException:
        (corpus_dir / name).unlink(missing_ok=True)
        raise
    return parsed


def _new_report(corpus_dir: Path, entries: list, name: str, text: str, report: Report | None) -> Report:
    """The manifest entry of an upload, refused where its file name, text or doc_id is already in the corpus."""
    known = known_reports(corpus_dir, entries)
    if (corpus_dir / name).exists() or any(isinstance(e, dict) and e.get("source") == name for e in entries):
        raise CorpusError(f"{name}: a report with this file name is already in the corpus")
    sha = sha256(text)
    if dup := next((k for k in known if k.sha256 == sha), None):
        raise CorpusError(f"{name}: the same text is already in the corpus as {dup.source} ({dup.label})")
    report = report or detect_report(text, name)
    if dup := next((k for k in known if k.doc_id == report.doc_id), None):
        raise CorpusError(f"{name}: doc_id {report.doc_id!r} is already in the corpus, used by {dup.source} "
                          f"({dup.label})")
    return check_entry({**asdict(report), "source": name}, name)


def remove_report(corpus_dir: Path, doc_id: str) -> Report:
    """Take one report out of the corpus: its manifest entry (rewritten atomically) and its file.

    The file is first moved aside, so a failed manifest write puts it back and
    nothing is lost; the index follows on the next build."""
    entries = manifest_entries(corpus_dir)
    listed = [(i, e) for i, e in enumerate(entries) if isinstance(e, dict) and e.get("doc_id") == doc_id]
    if listed:
        report = check_entry(listed[0][1], MANIFEST)
    else:
        detected = [k for k in known_reports(corpus_dir, entries) if k.doc_id == doc_id]
        if not detected:
            raise CorpusError(f"doc_id {doc_id!r} is not in the corpus")
        report = detect_report(read_report_text(corpus_dir / detected[0].source), detected[0].source)
    path = source_path(corpus_dir, report.source, MANIFEST)
    aside = path.with_name(f".{path.name}.removed")
    if path.exists():
        os.replace(path, aside)
    try:
        if listed:
            save_manifest(corpus_dir, [e for i, e in enumerate(entries) if i != listed[0][0]])
    except BaseException:
        if aside.exists():
            os.replace(aside, path)
        raise
    aside.unlink(missing_ok=True)
    log.info("removed %s (%s) from the corpus", doc_id, report.source)
    return report
