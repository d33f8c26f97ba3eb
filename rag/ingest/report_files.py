"""Report files in the corpus folder: which files are reports, what an upload may be called,
where a manifest entry's file may lie (inside the folder only), and a file's text.

A report is accepted only whole: bad bytes, an empty or oversized file raise `CorpusError`
naming the file before anything is written anywhere.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import BadFileName, CorpusError
from .document import DOCUMENT_SUFFIXES, MAX_REPORT_BYTES, ReadLimits, decode_report
from .readers import read_document

REPORT_SUFFIXES = (".txt", ".md") + DOCUMENT_SUFFIXES  # PDF and Word go through rag.ingest.readers
#: Longer upload names fail on common file systems (255 bytes) once a temp prefix is added.
MAX_NAME_CHARS = 100


def report_text(data: bytes, name: str) -> str:
    """Text of a report file: UTF-8 for text exports; PDF and Word through rag.ingest.readers,
    returned as a str that also carries the page/place of every line."""
    if Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
        return read_document(data, name).as_text()
    return decode_report(data, name)


def read_report_text(path: Path) -> str:
    try:
        limit = ReadLimits().max_bytes if path.suffix.lower() in DOCUMENT_SUFFIXES else MAX_REPORT_BYTES
        if path.stat().st_size > limit:
            raise CorpusError(f"{path.name}: {path.stat().st_size} bytes is larger than the {limit} allowed")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path.name}: file not found in {path.parent}") from None
    except OSError as e:
        raise CorpusError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    return report_text(data, path.name)


def check_report_name(name: str) -> str:
    """The bare file name of an upload, or BadFileName saying why it cannot be stored."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    shown = repr(base[:40] + ("…" if len(base) > 40 else ""))
    if any(ord(c) < 32 or ord(c) == 127 for c in base):
        raise BadFileName(f"{shown}: the file name contains control characters (NUL, line breaks)",
                          "filnamnet innehåller otillåtna tecken (t.ex. radbrytningar)")
    if len(base) > MAX_NAME_CHARS or len(base.encode("utf-8")) > 2 * MAX_NAME_CHARS:
        raise BadFileName(f"{shown}: the file name is {len(base)} characters long; at most {MAX_NAME_CHARS} are allowed",
                          f"filnamnet är för långt ({len(base)} tecken, högst {MAX_NAME_CHARS})")
    if not base.strip() or base.startswith("."):
        raise BadFileName(f"{shown}: the file name is empty or starts with a dot",
                          "filnamnet är tomt eller börjar med en punkt")
    return base


def source_path(corpus_dir: Path, source: str, where: str) -> Path:
    """The report file a manifest entry names, refused unless it resolves inside the corpus folder."""
    try:
        root = corpus_dir.resolve()
        real = (corpus_dir / source).resolve()
    except (OSError, RuntimeError, ValueError) as e:  # symlink loops, NUL bytes
        raise CorpusError(f"{where}: source {source!r} cannot be resolved ({e})") from None
    if not real.is_relative_to(root) or real == root:
        raise CorpusError(f"{where}: source {source!r} lies outside the corpus folder (links out are refused)")
    return corpus_dir / source


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and p.name.lower() != "readme.md")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
