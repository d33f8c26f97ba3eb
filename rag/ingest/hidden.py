"""Hiding a report instead of deleting it: its file and manifest entry move to `corpus/.removed/`,
from where `restore_report` puts them back. Nothing the app removes is lost.

Every step is atomic (a rename, or a manifest written to a temporary file and renamed), and a
failed step undoes the ones before it. The index and the corpus loader never look inside a
dot folder, so a hidden report is simply not in the corpus.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from ..errors import CorpusError
from ..models import Report
from .corpus import known_reports
from .detect import detect_report
from .manifest import MANIFEST, check_entry, manifest_entries, save_manifest
from .report_files import read_report_text, source_path

log = logging.getLogger(__name__)

HIDDEN = ".removed"


def hidden_dir(corpus_dir: Path) -> Path:
    return corpus_dir / HIDDEN


def hidden_reports(corpus_dir: Path) -> list[Report]:
    """The reports hidden from the corpus, most recently hidden last."""
    return [check_entry(_bare(e), HIDDEN) for e in _hidden_entries(corpus_dir)]


def _bare(entry: dict) -> dict:
    """A hidden entry as the manifest had it (without where it stood)."""
    return {k: v for k, v in entry.items() if k not in ("listed", "position")}


def _hidden_entries(corpus_dir: Path) -> list[dict]:
    path = hidden_dir(corpus_dir) / MANIFEST
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get("reports") or []
    except (OSError, ValueError, AttributeError) as e:
        raise CorpusError(f"{HIDDEN}/{MANIFEST}: cannot be read ({e})",
                          swedish="listan över dolda rapporter kan inte läsas") from None
    return [e for e in entries if isinstance(e, dict)]


def hide_report(corpus_dir: Path, doc_id: str) -> Report:
    """Move one report's file and manifest entry to `.removed/`; a detected report (no manifest
    entry) is hidden with the entry detection gives it."""
    entries = manifest_entries(corpus_dir)
    listed = [i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("doc_id") == doc_id]
    if listed:
        report = check_entry(entries[listed[0]], MANIFEST)
    else:
        detected = [k for k in known_reports(corpus_dir, entries) if k.doc_id == doc_id]
        if not detected:
            raise CorpusError(f"doc_id {doc_id!r} is not in the corpus", swedish="rapporten finns inte i underlaget")
        report = detect_report(read_report_text(corpus_dir / detected[0].source), detected[0].source)
    path = source_path(corpus_dir, report.source, MANIFEST)
    store = hidden_dir(corpus_dir)
    store.mkdir(exist_ok=True)
    if (store / report.source).exists():
        raise CorpusError(f"{report.source!r} is already hidden", swedish="en dold rapport har samma filnamn")
    old_hidden = _hidden_entries(corpus_dir)
    place = {"listed": bool(listed), "position": listed[0] if listed else -1}
    entry = {k: v for k, v in asdict(report).items() if k != "sha256"} | place
    save_manifest(store, old_hidden + [entry])
    try:
        os.replace(path, store / report.source)
        try:
            if listed:
                save_manifest(corpus_dir, [e for i, e in enumerate(entries) if i != listed[0]])
        except BaseException:
            os.replace(store / report.source, path)
            raise
    except BaseException:
        save_manifest(store, old_hidden)
        raise
    return report


def restore_report(corpus_dir: Path, doc_id: str) -> Report:
    """Put a hidden report back: its file into the corpus folder and its entry into the manifest."""
    hidden = _hidden_entries(corpus_dir)
    found = [i for i, e in enumerate(hidden) if e.get("doc_id") == doc_id]
    if not found:
        raise CorpusError(f"doc_id {doc_id!r} is not hidden", swedish="rapporten finns inte bland de dolda")
    entry = hidden[found[-1]]
    report = check_entry(_bare(entry), HIDDEN)
    store = hidden_dir(corpus_dir)
    target = source_path(corpus_dir, report.source, HIDDEN)
    entries = manifest_entries(corpus_dir)
    if target.exists() or any(isinstance(e, dict) and e.get("doc_id") == doc_id for e in entries):
        raise CorpusError(f"{report.source!r} or {doc_id!r} is in the corpus again",
                          swedish="en rapport med samma namn finns redan i underlaget")
    os.replace(store / report.source, target)
    try:
        if entry.get("listed", True):
            at = entry.get("position", len(entries))
            at = at if isinstance(at, int) and 0 <= at <= len(entries) else len(entries)
            save_manifest(corpus_dir, entries[:at] + [_bare(entry)] + entries[at:])
        save_manifest(store, [e for i, e in enumerate(hidden) if i != found[-1]])
    except BaseException:
        os.replace(target, store / report.source)
        save_manifest(corpus_dir, entries)
        raise
    return report
