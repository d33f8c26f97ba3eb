"""PDF reports (pdfplumber over pdfminer, pypdfium2 for checks and page images) read into
the parser's line-based text: ruled tables as tab-separated rows (multi-line cells and tables
continued over a page break joined), headings from font size and weight, running headers,
footers and page numbers dropped, paragraphs re-flowed with line-end hyphens undone.
"""
from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .document import DEFAULT_LIMITS, Deadline, Document, ReadLimits, UnreadableReport, cell_text, join_wrapped, numeric, table_lines


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    page: int
    first_w: float = 0.0  # width of the first word: would it have fitted on the line above?


@dataclass
class _Table:
    rows: list[list[str]]
    top: float
    bottom: float
    page: int


_PAGE_NO = re.compile(  # "12", "- 12 -", "Sida 12 av 40", "12 (40)", "s. 12"
    r"^(?:sida\s+|s\.\s*)?[-–]?\s*\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|(?:av|/)\s*\d{1,4})?\s*[-–]?$", re.I)
_BULLET_GLYPH = re.compile(r"^(?:\(cid:\d+\)|[•▪\uf0b7\uf0a7])\s*")  # list glyphs, as the text exports write them
_BULLET = re.compile(r"^(?:[-•●◆▪*]\s|\d{1,2}[.)]\s)")


def _open_pdf(data: bytes, name: str, limits: ReadLimits) -> int:
    """Page count from pdfium, which also tells an encrypted file from a damaged one."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise UnreadableReport(f"{name}: PDF-filen är krypterad (lösenordsskyddad); "
                                   "spara en version utan lösenord och försök igen") from None
        raise UnreadableReport(f"{name}: PDF-filen är skadad och kan inte läsas ({e})") from None
    try:
        n = len(pdf)
    finally:
        pdf.close()
    if n == 0:
        raise UnreadableReport(f"{name}: PDF-filen har inga sidor")
    if n > limits.max_pages:
        raise UnreadableReport(f"{name}: PDF-filen har {n} sidor; högst {limits.max_pages} sidor läses per fil")
    return n


def _page_items(page, number: int, deadline: Deadline | None = None) -> list[_Line | _Table]:
    """Text lines outside tables and ruled tables of one page, top to bottom."""
    found = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    tables = [t for t in found if len(t.rows) >= 1 and len(t.rows[0].cells) >= 2]
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    items: list[_Line | _Table] = []
    text_page = page.filter(outside) if boxes else page
    for ln in text_page.extract_text_lines(return_chars=True, strip=True, keep_blank_chars=False):
        if deadline:
            deadline.check(f" (sida {number})")
        chars = [c for c in ln["chars"] if c["text"].strip()]
        if not chars or not ln["text"].strip():
            continue
        size = statistics.median(round(c["size"], 1) for c in chars)
        bold = sum("bold" in c["fontname"].lower() for c in chars) * 2 > len(chars)
        text = _BULLET_GLYPH.sub("- ", ln["text"].strip())
        n_first = len(ln["text"].strip().split(" ", 1)[0])
        first_w = chars[min(n_first, len(chars)) - 1]["x1"] - chars[0]["x0"]
        items.append(_Line(text, ln["top"], ln["bottom"], ln["x0"], ln["x1"], size, bold, number, first_w))
    for t in tables:
        rows = [[cell_text(c) for c in r] for r in t.extract()]
        rows = [r for r in rows if any(r)]
        if rows:
            items.append(_Table(rows, t.bbox[1], t.bbox[3], number))
    items.sort(key=lambda it: it.top)
    return items


def _norm_margin(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def read_pdf(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """PDF: ruled tables by pdfplumber, headings by font size and weight, page furniture dropped."""
    if len(data) > limits.max_bytes:
        raise UnreadableReport(f"{name}: filen är {len(data) // 1_000_000} MB; högst "
                               f"{limits.max_bytes // 1_000_000} MB läses")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableReport(f"{name}: filen är ingen PDF (saknar %PDF-huvud) eller är skadad")
    n_pages = _open_pdf(data, name, limits)
    import pdfplumber

    from .pdflimits import bounded, check_objects, check_operators

    deadline = Deadline(name, limits)
    pages: list[list[_Line | _Table]] = []
    heights: list[float] = []
    try:
        with bounded(name, limits) as budget, pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                deadline.check(f" (sida {number} av {n_pages})")
                check_operators(page.page_obj, number, budget, deadline)
                check_objects(page, number, limits, name)
                if budget.refusal:
                    raise budget.refusal
                deadline.check(f" (sida {number} av {n_pages})")
                pages.append(_page_items(page, number, deadline))
                heights.append(float(page.height))
                page.close()
    except UnreadableReport:
        raise
    except Exception as e:  # pdfminer raises many kinds on a broken file
        if "password" in f"{type(e).__name__} {e}".lower():
            raise UnreadableReport(f"{name}: PDF-filen är krypterad (lösenordsskyddad); "
                                   "spara en version utan lösenord och försök igen") from None
        raise UnreadableReport(f"{name}: PDF-filen är skadad och kan inte läsas ({type(e).__name__})") from None
    n_chars = sum(len(it.text) for p in pages for it in p if isinstance(it, _Line)) + \
        sum(len("".join(r)) for p in pages for it in p if isinstance(it, _Table) for r in it.rows)
    if n_chars < 20:
        raise UnreadableReport(f"{name}: PDF-filen har inget textlager (troligen inskannad) och behöver OCR "
                               "innan den kan läsas; kör OCR eller ladda upp en textbaserad PDF")
    blank = [k + 1 for k, p in enumerate(pages) if sum(len(getattr(it, "text", "x" * 20)) for it in p) < 20]
    if len(blank) * 2 > len(pages):
        raise UnreadableReport(f"{name}: {len(blank)} av {len(pages)} sidor saknar textlager (inskannade) och "
                               "behöver OCR innan rapporten kan läsas")
    dropped = _drop_furniture(pages, heights)
    lines, line_pages = _compose(pages)
    text = "\n".join(lines)
    if sum(c.isalpha() for c in text) < 20:
        raise UnreadableReport(f"{name}: PDF-filen har inget textlager (troligen inskannad) och behöver OCR")
    return Document(text, "pdf", tuple(line_pages), tuple(f"s. {p}" if p else "" for p in line_pages),
                    n_pages, tuple(dropped))


def _drop_furniture(pages: list[list], heights: list[float]) -> list[str]:
    """Remove running headers/footers (the same text, digits aside, in the top or bottom
    margin of many pages) and bare page numbers in the margins."""
    margin_texts: Counter[str] = Counter()
    for items, h in zip(pages, heights):
        seen = set()
        for it in items:
            if isinstance(it, _Line) and (it.bottom < 0.1 * h or it.top > 0.9 * h):
                seen.add(_norm_margin(it.text))
        margin_texts.update(seen)
    need = max(2, (len(pages) + 1) // 2) if len(pages) > 1 else 99
    repeated = {t for t, n in margin_texts.items() if n >= need}
    dropped = []
    for items, h in zip(pages, heights):
        keep = []
        for it in items:
            in_margin = isinstance(it, _Line) and (it.bottom < 0.1 * h or it.top > 0.9 * h)
            if in_margin and (_norm_margin(it.text) in repeated or _PAGE_NO.match(it.text)):
                dropped.append(_norm_margin(it.text))
                continue
            keep.append(it)
        items[:] = keep
    return sorted(set(dropped))


def _heading_levels(pages: list[list]) -> tuple[float, dict[float, int]]:
    """Body font size (the most used) and a level for each larger size."""
    sizes: Counter[float] = Counter()
    for items in pages:
        for it in items:
            if isinstance(it, _Line):
                sizes[it.size] += len(it.text)
    if not sizes:
        return 0.0, {}
    body = sizes.most_common(1)[0][0]
    larger = sorted((s for s in sizes if s >= body + 1.0), reverse=True)[:5]
    return body, {s: i + 1 for i, s in enumerate(larger)}


def _compose(pages: list[list]) -> tuple[list[str], list[int]]:
    """Lines and tables in reading order → parser text: headings as `#`, paragraphs
    joined and separated by blank lines, tables continued over a page break joined."""
    body, levels = _heading_levels(pages)
    bold_level = len(levels) + 1
    ends = sorted(it.x1 for items in pages for it in items if isinstance(it, _Line) and it.size == body)
    right = ends[int(0.95 * (len(ends) - 1))] if ends else 0.0  # the text column's right edge
    gaps = [b.top - a.bottom for items in pages for a, b in zip(items, items[1:])
            if isinstance(a, _Line) and isinstance(b, _Line) and a.size == b.size == body and b.top > a.bottom - 1]
    wrap_gap = statistics.median(gaps) if gaps else body * 0.2
    if gaps:
        small = [g for g in gaps if g <= wrap_gap + 0.5]
        wrap_gap = max(small) if small else wrap_gap
    wrap_gap = min(wrap_gap, 0.35 * body)  # a document of one-line paragraphs has no wrapped lines to measure

    out: list[str] = []
    out_pages: list[int] = []
    para: list[str] = []
    para_page = 0
    last_table: _Table | None = None  # the table the last emitted rows belong to

    def emit(text: str, page: int) -> None:
        out.append(text)
        out_pages.append(page)

    def flush() -> None:
        nonlocal para
        if para:
            emit(join_wrapped(para), para_page)
            para = []

    def blank() -> None:
        flush()
        if out and out[-1] != "":
            emit("", 0)

    prev: _Line | None = None
    last_head: _Line | None = None
    head_at = 0
    for items in pages:
        for k, it in enumerate(items):
            if isinstance(it, _Table):
                cont = (last_table is not None and k == 0 and prev is None
                        and len(it.rows[0]) == len(last_table.rows[0]))
                rows = it.rows
                if cont and rows[0] == last_table.rows[0]:
                    rows = rows[1:]  # the header repeated on the new page
                elif cont and sum(numeric(c) for c in rows[0][1:]) * 2 < max(1, len(rows[0]) - 1):
                    cont = False  # a new table with a header of its own
                if not cont:
                    blank()
                for line in table_lines(rows):
                    emit(line, it.page)
                last_table = it if not cont else last_table
                prev = last_head = None
                continue
            if last_table is not None:
                blank()
                last_table = None
            level = levels.get(it.size, 0) or (bold_level if it.bold and it.size >= body
                                               and len(it.text) <= 120 and not it.text.endswith(".") else 0)
            if level:
                if (last_head is not None and last_head.size == it.size and last_head.page == it.page
                        and it.top - last_head.bottom <= 0.6 * it.size):
                    out[head_at] = join_wrapped([out[head_at], it.text])  # a heading that wraps
                else:
                    blank()
                    head_at = len(out)
                    emit("#" * min(level, 6) + " " + it.text, it.page)
                    blank()
                last_head, prev = it, None
                continue
            last_head = None
            new_para = prev is None
            if prev is not None:
                gap = it.top - prev.bottom if it.page == prev.page else wrap_gap  # may run over a page break
                # a line that ends although the next line's first word would have fitted ends a paragraph
                short = prev.x1 + 0.3 * prev.size + it.first_w < right - 1
                if gap > wrap_gap + max(3.0, 0.4 * body) or (short and it.page != prev.page):
                    blank()  # a paragraph that ends with its page most often ends its block too
                    new_para = True
                elif gap > wrap_gap + 1.0 or short or _BULLET.match(it.text) or abs(it.x0 - prev.x0) > 30:
                    new_para = True
            if new_para:
                flush()
            if not para:
                para_page = it.page
            para.append(it.text)
            prev = it
    flush()
    while out and out[-1] == "":
        out.pop()
        out_pages.pop()
    return out, out_pages


# --- showing a cited page ------------------------------------------------------------------

def page_image(data: bytes, page: int, mark: str = "", scale: float = 1.5) -> bytes:
    """One PDF page as PNG (pypdfium2), with the first line holding `mark` (a cited table
    row's label, or a passage's first words) outlined in red, so the reader sees the source."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page <= len(pdf):
            raise ValueError(f"page {page} is not in a {len(pdf)}-page PDF")
        image = pdf[page - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    box = _find_on_page(data, page, mark) if mark.strip() else None
    if box:
        x0, top, x1, bottom = (v * scale for v in box)
        ImageDraw.Draw(image).rectangle((x0 - 4, top - 3, x1 + 4, bottom + 3), outline=(220, 0, 0), width=3)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _find_on_page(data: bytes, page: int, mark: str) -> tuple[float, float, float, float] | None:
    """Bounding box (x0, top, x1, bottom in PDF points) of the text line that starts with `mark`."""
    import pdfplumber

    words = re.sub(r"\s+", " ", mark).strip()[:60]
    with pdfplumber.open(io.BytesIO(data), pages=[page]) as pdf:
        p = pdf.pages[0]
        for t in p.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
            for row, cells in zip(t.rows, t.extract()):
                if cells and cell_text(cells[0]) == re.sub(r"\s+", " ", mark).strip():
                    return row.bbox
        for ln in p.extract_text_lines(strip=True):
            if re.sub(r"\s+", " ", ln["text"]).startswith(words[:30]):
                return (p.bbox[0], ln["top"], p.bbox[2], ln["bottom"])
        hits = p.search(re.escape(words[:30]), regex=True) if words else []
        if hits:
            return (p.bbox[0], hits[0]["top"], p.bbox[2], hits[0]["bottom"])
    return None
