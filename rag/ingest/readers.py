"""Readers: a report file (text, PDF, Word) turned into the line-based text the parser reads.

The parser in `parse.py` (`sections.py`, `tables.py`) reads lines: markdown `#` headings, tables as
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
import zipfile
import zlib
from pathlib import Path

from .document import (DEFAULT_LIMITS, DOCUMENT_SUFFIXES, SUFFIXES, TEXT_SUFFIXES, Deadline, Document,
                       ReadLimits, UnreadableReport, over_limit, cell_text, decode_report, table_lines)

log = logging.getLogger(__name__)

_CACHE: dict[str, Document] = {}  # by sha256 of the file: a PDF is read once per process
_CACHE_SIZE = 32


def read_document(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
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


def _word_rows(table, deadline: Deadline | None = None) -> list[list[str]]:
    """Cell texts row by row; a merged cell gives its text to its first grid position only."""
    rows = []
    held, seen = [], set()  # held keeps the lxml proxies alive, so their ids stay unique
    for tr in table.rows:
        if deadline:
            deadline.check(f" (tabellrad {len(rows) + 1})")
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


_MAIN_PART = "word/document.xml"
# a start tag; group 1 is the local name where it is a paragraph, table or cell (any prefix)
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:(p|tbl|tc)(?=[\s/>])|[A-Za-z_])")


def _check_package(z: zipfile.ZipFile, name: str, limits: ReadLimits) -> str:
    """Refuse a package whose members would inflate past the limits, from the zip's own sizes
    (zipfile never inflates a member past the size it declares: a lying header reads as damaged)."""
    infos = z.infolist()
    for info in infos:
        if info.file_size > limits.max_stream_bytes:
            raise over_limit(name, f"uppackad storlek (byte) för Word-delen {info.filename[:60]!r}",
                             info.file_size, limits.max_stream_bytes, "max_stream_bytes")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > limits.max_unpacked_bytes:
        raise over_limit(name, "Word-filens uppackade storlek (byte)", unpacked, limits.max_unpacked_bytes,
                         "max_unpacked_bytes")
    names = {i.filename for i in infos}
    return _MAIN_PART if _MAIN_PART in names else next((n for n in names if n.endswith("document.xml")), _MAIN_PART)


def _count_elements(z: zipfile.ZipFile, member: str, name: str, limits: ReadLimits, deadline: Deadline) -> None:
    """Count paragraphs, tables and cells (and XML elements of any kind) in the main part by a
    streamed scan, a megabyte at a time, before python-docx builds a tree of them."""
    if member not in z.namelist():
        return  # python-docx says what is missing
    elements = nodes = 0
    tail = b""

    def count(part: bytes) -> None:
        nonlocal elements, nodes
        for m in _START_TAG.finditer(part):
            nodes += 1
            elements += m.group(1) is not None
        if elements > limits.max_elements:
            raise over_limit(name, "antalet stycken, tabeller och tabellceller", elements, limits.max_elements,
                             "max_elements")
        if nodes > limits.max_xml_nodes:
            raise over_limit(name, "antalet XML-element i Word-filen", nodes, limits.max_xml_nodes, "max_xml_nodes")

    with z.open(member) as f:
        while chunk := f.read(1 << 20):
            deadline.check(" (Word-filen packas upp)")
            buf = tail + chunk
            cut = buf.rfind(b"<")  # a tag split by the chunk boundary is counted with the next chunk
            head, tail = (buf[:cut], buf[cut:]) if cut > 0 else ((b"", buf) if cut == 0 else (buf, b""))
            count(head)
    count(tail)


def read_docx(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Word (.docx): headings from styles, tables exactly as Word holds them."""
    if len(data) > limits.max_bytes:
        raise UnreadableReport(f"{name}: filen är {len(data) // 1_000_000} MB; högst "
                               f"{limits.max_bytes // 1_000_000} MB läses")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableReport(f"{name}: Word-filen är lösenordsskyddad eller i det gamla .doc-formatet; "
                               "spara den som .docx utan lösenord")
    deadline = Deadline(name, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            main = _check_package(z, name, limits)
            _count_elements(z, main, name, limits, deadline)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise UnreadableReport(f"{name}: Word-filen är skadad och kan inte läsas (inte ett .docx-paket)") from None
    from docx import Document as open_docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as e:  # zipfile, lxml and python-docx raise many kinds on a broken package
        raise UnreadableReport(f"{name}: Word-filen är skadad och kan inte läsas ({type(e).__name__})") from None
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
        deadline.check(f" (stycke {n_par + 1})")
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
            rows = _word_rows(Table(child, doc), deadline)
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
