"""Readers: a report file (text, PDF, Word) turned into the line-based text the parser reads.

The parser in `corpus.py` / `tables.py` reads lines: markdown `#` headings, tables as
tab-separated rows with the caption on the line above, paragraphs separated by blank
lines. A PDF or Word file is turned into exactly that, so a report in any of the three
formats becomes the same sections, tables, facts and passages. Each output line keeps
where it came from (`Document.pages`, `Document.places`): a page in a PDF, a paragraph
or table in a Word file, so a citation can say "s. 12". This module holds the interface,
the Word reader and the clean-up both share; `pdfreader.py` reads PDF.

Bad files (encrypted, scanned without a text layer, damaged, too large) raise
`UnreadableReport` with a plain Swedish message; nothing is written by a reader.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError
from .document import (DOCUMENT_SUFFIXES, SUFFIXES, TEXT_SUFFIXES, Document, DocumentText, ReadLimits,  # noqa: F401
                       UnreadableReport, cell_text, decode_report, join_wrapped, numeric, table_lines)

log = logging.getLogger(__name__)

_CACHE: dict[str, Document] = {}  # by sha256 of the file: a PDF is read once per process
_CACHE_SIZE = 32


def read_document(data: bytes, name: str, limits: ReadLimits = ReadLimits()) -> Document:
    """Any supported file, chosen by its suffix."""
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return Document(decode_report(data, name), "text")
    if suffix in DOCUMENT_SUFFIXES:
        key = f"{suffix}:{limits}:{hashlib.sha256(data).hexdigest()}"
        if key not in _CACHE:
            if suffix == ".pdf":
                from .pdfreader import read_pdf

                doc = read_pdf(data, name, limits)
            else:
                doc = read_docx(data, name, limits)
            log.info("%s: read as %s, %d pages, %d lines", name, doc.kind, doc.page_count, len(doc.pages))
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = doc
        return _CACHE[key]
    if suffix in (".doc", ".rtf", ".odt"):
        raise UnreadableReport(f"{name}: formatet {suffix} läses inte; spara rapporten som .docx eller PDF")
    raise UnreadableReport(f"{name}: okänt filformat; rapporter läses som {', '.join(SUFFIXES)}")


# --- Word --------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.I)


def _word_level(paragraph) -> int:
    """Heading level from the paragraph style (Heading N / Rubrik N / Title), or its outline level."""
    style = paragraph.style
    while style is not None:
        name = (style.name or "").strip()
        if m := _HEADING_STYLE.match(name):
            return int(m.group(1))
        if name.lower() in ("title", "rubrik"):
            return 1
        style = style.base_style
    ppr = paragraph._p.pPr
    if ppr is not None:
        lvl = ppr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl")
        if lvl is not None:
            val = lvl.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
            if val is not None and val.isdigit() and int(val) < 9:
                return int(val) + 1
    return 0


def _is_list(paragraph) -> bool:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    return (paragraph.style.name or "").lower().startswith(("list", "liststycke"))


def _word_rows(table) -> list[list[str]]:
    """Cell texts row by row; a merged cell gives its text to its first grid position only."""
    rows = []
    held, seen = [], set()  # held keeps the lxml proxies alive, so their ids stay unique
    for tr in table.rows:
        cells = []
        for cell in tr.cells:  # one entry per grid column; a merged cell repeats, across rows too
            tc = cell._tc
            if id(tc) in seen or tc.vMerge == "continue":
                cells.append("")
                continue
            held.append(tc)
            seen.add(id(tc))
            cells.append(cell_text("\n".join(p.text for p in cell.paragraphs)))
        rows.append(cells)
    return rows


def read_docx(data: bytes, name: str, limits: ReadLimits = ReadLimits()) -> Document:
    """Word (.docx): headings from styles, tables exactly as Word holds them."""
    if len(data) > limits.max_bytes:
        raise UnreadableReport(f"{name}: filen är {len(data) // 1_000_000} MB; högst "
                               f"{limits.max_bytes // 1_000_000} MB läses")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableReport(f"{name}: Word-filen är lösenordsskyddad eller i det gamla .doc-formatet; "
                               "spara den som .docx utan lösenord")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        raise UnreadableReport(f"{name}: Word-filen är skadad och kan inte läsas (inte ett .docx-paket)") from None
    if unpacked > 4 * limits.max_bytes:  # a zip bomb would exhaust memory while parsing
        raise UnreadableReport(f"{name}: Word-filen packas upp till {unpacked // 1_000_000} MB; högst "
                               f"{4 * limits.max_bytes // 1_000_000} MB läses")
    from docx import Document as open_docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as e:  # zipfile, lxml and python-docx raise many kinds on a broken package
        raise UnreadableReport(f"{name}: Word-filen är skadad och kan inte läsas ({type(e).__name__})") from None
    started = time.monotonic()
    lines: list[str] = []
    places: list[str] = []

    def emit(text: str, place: str) -> None:
        lines.append(text)
        places.append(place)

    def blank() -> None:
        if lines and lines[-1] != "":
            emit("", "")

    n_par = n_tab = 0
    prev_list = False
    for child in doc.element.body.iterchildren():
        if time.monotonic() - started > limits.max_seconds:
            raise UnreadableReport(f"{name}: läsningen tog mer än {limits.max_seconds:.0f} s och avbröts")
        if child.tag == qn("w:p"):
            p = Paragraph(child, doc)
            n_par += 1
            text = p.text.replace("\t", " ").replace("\xa0", " ")
            if not text.strip():
                blank()
                prev_list = False
                continue
            level = _word_level(p)
            is_list = not level and _is_list(p)
            if not (is_list and prev_list):
                blank()
            place = f"stycke {n_par}"
            if level:
                emit("#" * min(level, 6) + " " + re.sub(r"\s+", " ", text).strip(), place)
            else:
                for part in text.split("\n"):
                    if part.strip():
                        marker = "- " if is_list and not re.match(r"^[-•●◆*]\s", part) else ""
                        emit(marker + part.rstrip(), place)
            prev_list = is_list
        elif child.tag == qn("w:tbl"):
            n_tab += 1
            prev_list = False
            rows = _word_rows(Table(child, doc))
            if not rows:
                continue
            blank()
            for k, line in enumerate(table_lines(rows), start=1):
                emit(line, f"tabell {n_tab}, rad {k}")
            blank()
    while lines and lines[-1] == "":
        lines.pop()
        places.pop()
    text = "\n".join(lines)
    if sum(c.isalpha() for c in text) < 20:
        raise UnreadableReport(f"{name}: Word-filen innehåller ingen läsbar text")
    return Document(text, "docx", tuple(0 for _ in lines), tuple(places), 0)
