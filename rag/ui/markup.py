"""An answer and its sources as markdown: [n] markers as links to their source entry, a cited table
row as a table with the asked column in bold, a cited PDF page as an image. No Streamlit."""
from __future__ import annotations

import html
import logging
import re

from rag.config import Config
from rag.models import Answer, Citation, Report
from rag.ui.render import escape_markdown

log = logging.getLogger("rag.app")

MARKER = re.compile(r"\[(\d+)\]")


def anchor(mid: int, n: int) -> str:
    """The HTML id of source [n] of message `mid` (unique on a page of many answers)."""
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


def citation_heading(c: Citation, mid: int) -> str:
    """'[1] Solna – Årsredovisning 2023 (2023-12) · Sjukfrånvaro · s. 12', with the anchor its [n] links to."""
    return (f'<a id="{anchor(mid, c.n)}"></a>**[{c.n}] {escape_markdown(c.kommun)} – {escape_markdown(c.report)}** '
            f"({c.period}) · {escape_markdown(c.section)}" + (f" · {escape_markdown(c.place)}" if c.place else ""))


def citation_body(c: Citation, answer: Answer) -> str:
    """A cited table row as a table (the asked columns in bold), a cited passage as a quote."""
    if c.kind == "table":
        return table_markdown(c, {f.column for f in answer.facts if f.doc_id == c.doc_id and f.line == c.line})
    return "\n".join("> " + escape_markdown(ln) for ln in c.text.split("\n"))


def cited_page_png(config: Config, c: Citation, reports: dict[str, Report]) -> bytes | None:
    """The cited page of a PDF report as an image, the cited row marked; None for text and Word reports."""
    from rag.ingest.pdfreader import page_image

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
