"""Test documents: a bundled text report rebuilt as the Word file and the PDF a kommun would publish.

The Word file has the report's headings as Heading styles, its lists as List Bullet and
its tables as Word tables. The PDF (reportlab) has ruled tables whose rows wrap inside
their cells, tables that run over page breaks with the header row repeated, a running
header and a page number on every page. Also small broken files for the refusal tests.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from rag.ingest.parse import parse_report
from rag.models import Report
from rag.ingest.tables import _is_separator, find_blocks, split_cells

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "text" | "list" | "table" | "gap"
    text: str = ""
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


def report_blocks(report: Report, text: str) -> list[Block]:
    """The report's structure as the parser sees it: headings (level from the section
    path), paragraphs, list items, tables (one per run of table lines) and blank lines."""
    lines = text.split("\n")
    parsed = parse_report(report, text)
    heads = {s.start_line: (s.heading, len(s.path)) for s in parsed.sections if s.path}
    starts = {a: b for a, b in find_blocks(lines)}
    out: list[Block] = []
    i = 0
    while i < len(lines):
        if i in starts:
            rows = [split_cells(lines[k]) for k in range(i, starts[i])]
            rows = [r for r in rows if not _is_separator(r)]
            if rows:
                width = max(len(r) for r in rows)
                out.append(Block("table", rows=tuple(tuple(r) + ("",) * (width - len(r)) for r in rows)))
            i = starts[i]
            continue
        s = lines[i].strip()
        if not s:
            out.append(Block("gap"))
        elif (i + 1) in heads:
            out.append(Block("heading", heads[i + 1][0], level=min(heads[i + 1][1], 4)))
        elif re.match(r"^[-*]\s+\S", s):
            out.append(Block("list", re.sub(r"^[-*]\s+", "", s)))
        else:
            out.append(Block("text", s))
        i += 1
    return out


# --- Word -------------------------------------------------------------------------------

def to_docx(blocks: list[Block]) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    para = None  # consecutive text lines of one block share a paragraph (line breaks)
    for b in blocks:
        if b.kind == "gap":
            para = None
        elif b.kind == "heading":
            doc.add_heading(b.text, level=b.level)
            para = None
        elif b.kind == "list":
            doc.add_paragraph(b.text, style="List Bullet")
            para = None
        elif b.kind == "text":
            if para is None:
                para = doc.add_paragraph(b.text)
            else:
                para.add_run().add_break()
                para.add_run(b.text)
        else:
            para = None
            width = len(b.rows[0])
            table = doc.add_table(rows=len(b.rows), cols=width)
            table.style = "Table Grid"
            for row, values in zip(table.rows, b.rows):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- PDF --------------------------------------------------------------------------------

def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _safe(text: str, font: str) -> str:
    if font.startswith("Helvetica"):
        text = text.encode("cp1252", "replace").decode("cp1252")
    return escape(text)


def to_pdf(blocks: list[Block], running_header: str = "", encrypt: str | None = None) -> bytes:
    """A4 PDF: headings 18/15/13/11.5 pt bold, body 10 pt, ruled tables in 7.5 pt."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, bold = _fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=12.5, spaceBefore=3)
    first = ParagraphStyle("first", parent=body, spaceBefore=9)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=4)
    bullet_first = ParagraphStyle("bullet_first", parent=bullet, spaceBefore=9)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    heads = {lv: ParagraphStyle(f"h{lv}", fontName=bold, fontSize=sz, leading=sz * 1.25, spaceBefore=12,
                                spaceAfter=4) for lv, sz in ((1, 18), (2, 15), (3, 13), (4, 11.5))}
    width = A4[0] - 4 * cm
    story = []
    gap = True
    for b in blocks:
        if b.kind == "gap":
            gap = True
            continue
        if b.kind == "pagebreak":
            story.append(PageBreak())
        elif b.kind == "heading":
            story.append(Paragraph(_safe(b.text, bold), heads[b.level]))
        elif b.kind == "list":
            story.append(Paragraph(_safe(b.text, font), bullet_first if gap else bullet, bulletText="•"))
        elif b.kind == "text":
            story.append(Paragraph(_safe(b.text, font), first if gap else body))
        else:
            widths = _column_widths(b.rows, width, font, cell.fontSize)
            data = [[Paragraph(_safe(v, font), cell) for v in r] for r in b.rows]
            t = Table(data, colWidths=widths, repeatRows=1 if len(b.rows) > 2 else 0)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(Spacer(1, 6))
            story.append(t)
            story.append(Spacer(1, 6))
        gap = False

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        if running_header:
            canvas.drawString(2 * cm, A4[1] - 1.2 * cm, _plain(running_header, font))
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Sida {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    kwargs = {"encrypt": encrypt} if encrypt else {}
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title="Rapport", **kwargs)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()


def _column_widths(rows, width: float, font: str, size: float) -> list[float]:
    """Every column at least as wide as its longest word (no word is broken), the rest
    shared by how long the column's texts are."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    n = len(rows[0])
    least = [max((stringWidth(w, font, size) for r in rows for w in r[j].split()), default=0) + 14
             for j in range(n)]
    weights = [min(max(max(len(r[j]) for r in rows), 4), 40) for j in range(n)]
    spare = max(width - sum(least), 0)
    return [lo + spare * w / sum(weights) for lo, w in zip(least, weights)]


def _plain(text: str, font: str) -> str:
    return text.encode("cp1252", "replace").decode("cp1252") if font.startswith("Helvetica") else text


def report_documents(report: Report, text: str) -> tuple[bytes, bytes]:
    """(docx bytes, pdf bytes) for one report."""
    blocks = report_blocks(report, text)
    return to_docx(blocks), to_pdf(blocks, running_header=f"{report.kommun} – {report.title}")


# --- small and broken files ----------------------------------------------------------------

def image_only_pdf(pages: int = 2, cover: str = "") -> bytes:
    """A 'scanned' PDF: every page is a picture, no text layer (but a typed cover page if given)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    if cover:
        c.setFont("Helvetica", 14)
        c.drawString(72, 700, cover)
        c.showPage()
    for _ in range(pages):
        for y in range(100, 700, 14):  # grey bars where the scanned lines would be
            c.setFillGray(0.3)
            c.rect(72, y, 400, 8, stroke=0, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def long_pdf(pages: int) -> bytes:
    """Many short pages, each a heading, a paragraph and a small ruled table."""
    blocks: list[Block] = [Block("text", "Socialnämnden Enköpings kommun Delårsrapport januari-augusti 2024"),
                           Block("gap")]
    for k in range(1, pages + 1):
        blocks += [Block("heading", f"Avsnitt {k}", level=1), Block("gap"),
                   Block("text", f"Verksamhet {k} redovisar ett utfall om {k},5 mnkr för perioden."), Block("gap"),
                   Block("text", f"Tabell {k}"),
                   Block("table", rows=(("Verksamhet (mnkr)", "Utfall 2024", "Budget 2024"),
                                        (f"Enhet {k}", f"{k},5", f"{k + 1},0"))), Block("pagebreak")]
    return to_pdf(blocks, running_header="Enköping – Delårsrapport")
