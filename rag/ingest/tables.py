"""Find the tables in a report's lines and turn every numeric cell into a Fact.

Tables arrive as tab-separated lines or markdown pipe tables, with `<b>` markup,
repeated header rows, separator rows, title rows, ragged rows and tables that a
blank line breaks in two. Units come from the cell, the column, the row, the
table heading, a `Volymenhet` column, or the caption, in that order.

Parsing is linear in the input: a cell longer than MAX_CELL_CHARS is text, never
read as a number, and no regex here can backtrack over a long run of digits or
spaces (the old quantity pattern took 36 s on a cell of 40 000 digits).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Fact
from ..numbers import parse_cell, to_float

log = logging.getLogger(__name__)

_TAG_RE = re.compile(r"</?(?:b|i|p|sup|sub|br|strong|em)\s*/?>", re.I)
_SEP_CELL_RE = re.compile(r"^:?-{2,}:?$")
_TOC_RE = re.compile(r"\.{4,}|…")
_MONEY_UNIT_RE = re.compile(r"\b(mnkr|mkr|tkr|kr|miljoner kronor|tusen kronor)\b", re.I)
#: A figure with its unit (`83 insatser`), starting only where a digit run starts, so each run is tried once.
_QUANTITY_RE = re.compile(
    r"(?<![\d,])(?P<num>\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)\s?(?P<unit>%|[a-zåäö]+)", re.I
)
#: A table cell holding figures is short; longer cells are text.
MAX_CELL_CHARS = 200


def _number_cell(cell: str) -> tuple[float, str] | None:
    """`parse_cell` for cells short enough to be a figure."""
    return parse_cell(cell) if len(cell) <= MAX_CELL_CHARS else None


@dataclass(frozen=True)
class ParseWarning:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int  # 1-based
    text: str  # the line as it stands
    cells: tuple[str, ...]  # markup removed, stripped


@dataclass(frozen=True)
class Table:
    """A parsed table: header row, body rows, and where it stands."""

    start_line: int
    end_line: int
    header: Row
    rows: tuple[Row, ...]
    caption: str
    title: str  # a title row inside the table, if any
    is_toc: bool

    @property
    def name(self) -> str:
        first = self.header.cells[0] if self.header.cells else ""
        return self.title or first or self.caption


def clean_cell(text: str) -> str:
    text = _TAG_RE.sub(" ", text).replace("**", "").replace("\\*", "*")
    return re.sub(r"\s+", " ", text).strip()


def is_table_line(line: str) -> bool:
    s = line.strip()
    return "\t" in line.rstrip("\n") and bool(s) or (s.startswith("|") and s.count("|") >= 2)


def split_cells(line: str) -> tuple[str, ...]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
        if s.endswith("|"):
            s = s[:-1]
        parts = s.split("|")
    else:
        parts = line.rstrip("\n").split("\t")
    return tuple(clean_cell(p) for p in parts)


def _is_separator(cells: tuple[str, ...]) -> bool:
    return all(not c or _SEP_CELL_RE.match(c) for c in cells) and any(c for c in cells)


def _caption_above(lines: list[str], start: int) -> str:
    """The heading or line just above a table (0-based `start`)."""
    for i in range(start - 1, max(-1, start - 5), -1):
        s = lines[i].strip()
        if not s:
            continue
        if is_table_line(lines[i]):
            return ""
        s = re.sub(r"^#+\s*", "", s)
        s = clean_cell(s)
        return s if len(s) <= 200 else ""
    return ""


def find_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of table lines, as 0-based [start, end) pairs."""
    blocks = []
    i = 0
    while i < len(lines):
        if is_table_line(lines[i]):
            j = i
            while j < len(lines) and is_table_line(lines[j]):
                j += 1
            blocks.append((i, j))
            i = j
        else:
            i += 1
    return blocks


def _numeric_share(cells: tuple[str, ...]) -> float:
    body = [c for c in cells[1:] if c]
    if not body:
        return 0.0
    return sum(_number_cell(c) is not None for c in body) / len(body)


def _looks_like_toc(rows: list[Row]) -> bool:
    """Dotted leaders, or title / page-number pairs with the pages never going back."""
    if sum(bool(_TOC_RE.search(r.text)) for r in rows) * 2 >= len(rows):
        return True
    pages = []
    for r in rows:
        cells = [c for c in r.cells if c]
        if len(cells) != 2 or not re.fullmatch(r"\d{1,3}", cells[1]):
            return False
        pages.append(int(cells[1]))
    return len(pages) >= 3 and pages == sorted(pages)


def parse_tables(lines: list[str], source: str = "", warnings: list | None = None) -> list[Table]:
    """Every table in the report, broken tables joined, repeated headers dropped."""
    warnings = warnings if warnings is not None else []
    tables: list[Table] = []
    for start, end in find_blocks(lines):
        rows = []
        for i in range(start, end):
            cells = split_cells(lines[i])
            if _is_separator(cells):
                continue
            rows.append(Row(i + 1, lines[i].rstrip("\n"), cells))
        if not rows:
            continue
        # A block after a blank line that has no header of its own continues the table above.
        prev = tables[-1] if tables else None
        if (
            prev is not None
            and not prev.is_toc
            and start - prev.end_line <= 2
            and all(not lines[k].strip() for k in range(prev.end_line, start))
            and len(rows[0].cells) == len(prev.header.cells)
            and _numeric_share(rows[0].cells) >= 0.5
            and rows[0].cells != prev.header.cells
        ):
            tables[-1] = Table(prev.start_line, end, prev.header, prev.rows + tuple(rows),
                               prev.caption, prev.title, prev.is_toc)
            continue
        caption = _caption_above(lines, start)
        if not caption and prev is not None and start - prev.end_line <= 2:
            caption = prev.caption
        title = ""
        header, body = rows[0], rows[1:]
        if len(header.cells) > 1 and not any(header.cells[1:]) and body:
            title, header, body = header.cells[0], body[0], body[1:]
        if not title and prev is not None and not prev.is_toc and start - prev.end_line <= 2 \
                and len(header.cells) > 2 and header.cells[1:] == prev.header.cells[1:]:
            # the columns of the table just above under a label heading of their own ("Föregående år"
            # after "Åldersgrupp"): that table, continued, is what its rows are read in
            title = prev.name
        is_toc = caption.lower().startswith("innehåll") or _looks_like_toc(rows)
        if not any(any(r.cells) for r in body) and not is_toc and len(rows) == 1 and (end - start) > 1:
            warnings.append(ParseWarning(source, header.line, "table has a header but no rows"))
        kept = []
        for r in body:
            if r.cells == header.cells:
                continue  # a repeated header row
            if len(r.cells) > len(header.cells) and any(r.cells[len(header.cells):]):
                warnings.append(ParseWarning(
                    source, r.line,
                    f"ragged row: {len(r.cells)} cells under a {len(header.cells)}-column header"))
            kept.append(r)
        tables.append(Table(start + 1, end, header, tuple(kept), caption, title, is_toc))
    return tables


# --- units -------------------------------------------------------------------

_UNIT_WORDS = {
    "mnkr": "mnkr", "mkr": "mkr", "tkr": "tkr", "kr": "kr",
    "miljoner kronor": "mnkr", "tusen kronor": "tkr",
}


def unit_in(text: str) -> str:
    """A unit stated in a heading: `(mnkr)`, `, tkr`, `(%)`, `%`, `antal ...`."""
    t = text.lower()
    m = _MONEY_UNIT_RE.search(t)
    if m:
        return _UNIT_WORDS[m.group(1)]
    if "%" in t or "procent" in t or re.search(r"\bandel\b", t):
        return "%"
    return ""


def count_unit(text: str) -> str:
    """`Antal hushåll med utbetalningar` -> `antal`; `..., antal vård dygn` -> `antal`."""
    t = text.lower()
    if re.search(r"\bantal\b|^#|\bvolym", t):
        return "antal"
    return ""


def _volume_column(header: tuple[str, ...]) -> int | None:
    for i, c in enumerate(header):
        if c.lower().startswith("volymenhet"):
            return i
    return None


def doc_money_unit(text: str, tables: list[Table]) -> str:
    """The money unit a report's tables (else its text) use most, for tables that print none."""
    headings = " ".join(" ".join((t.caption, t.title) + t.header.cells) for t in tables)
    counts: dict[str, int] = {}
    for m in _MONEY_UNIT_RE.finditer(headings.lower()) or ():
        u = _UNIT_WORDS[m.group(1)]
        counts[u] = counts.get(u, 0) + 1
    if any(u in counts for u in ("mnkr", "mkr", "tkr")):
        return max((u for u in counts if u in ("mnkr", "mkr", "tkr")), key=counts.get)
    for m in _MONEY_UNIT_RE.finditer(text.lower()):
        u = _UNIT_WORDS[m.group(1)]
        if u in ("mnkr", "mkr", "tkr"):
            counts[u] = counts.get(u, 0) + 1
    return max(counts, key=counts.get) if counts else ""


_ECONOMY_RE = re.compile(r"budget|utfall|prognos|avvikelse|bokslut", re.I)


def cell_values(cell: str) -> list[tuple[float, str]]:
    """The numbers in one cell: one value, or `83 insatser 80 procent` pairs."""
    if len(cell) > MAX_CELL_CHARS:
        return []
    single = parse_cell(cell)
    if single is not None:
        return [single]
    pairs = list(_QUANTITY_RE.finditer(cell))
    if pairs and "".join(m.group(0) for m in pairs).replace(" ", "") == cell.replace(" ", ""):
        out = []
        for m in pairs:
            unit = m.group("unit").lower()
            unit = "%" if unit in ("%", "procent") else unit
            out.append((to_float(m.group("num")), unit))
        return out
    return []


def table_facts(table: Table, *, doc_id: str, kommun: str, period: str, section: str,
                money_unit: str = "") -> list[Fact]:
    """One Fact per numeric cell, with row and column labels and a unit."""
    if table.is_toc:
        return []
    header = table.header.cells
    name = table.name
    table_unit = unit_in(header[0] if header else "") or unit_in(table.title) or unit_in(table.caption)
    vol_col = _volume_column(header)
    economic = any(_ECONOMY_RE.search(c) for c in header[1:])
    facts = []
    for row in table.rows:
        label = re.sub(r"^[-–]\s+", "", row.cells[0]) if row.cells else ""
        if not label:
            continue  # symbol legends and continuation rows carry no labelled figures
        row_unit = unit_in(label) if re.search(r"\(%\)|,\s*%|%\s*$|\bandel\b|\btkr\b|\bmnkr\b|\bmkr\b", label, re.I) else ""
        for j, cell in enumerate(row.cells[1:], start=1):
            if not cell or j == vol_col:
                continue
            column = header[j] if j < len(header) else f"kolumn {j + 1}"
            for value, cell_unit in cell_values(cell):
                unit = (
                    cell_unit
                    or unit_in(column)
                    or row_unit
                    or (row.cells[vol_col].lower() or "antal" if vol_col is not None and vol_col < len(row.cells) else "")
                    or table_unit
                    or count_unit(label) or count_unit(table.caption) or count_unit(column)
                    # an index or a grade in an economic table is still no amount of money
                    or (money_unit if economic and not LEXICON.unitless.search(label) else "")
                )
                facts.append(Fact(
                    doc_id=doc_id, kommun=kommun, period=period, section=section,
                    caption=table.caption, table=name, row=label, column=column,
                    value=value, unit=unit, raw=cell, line=row.line,
                    header_line=table.header.line, row_text=row.text, header_text=table.header.text,
                ))
    return facts

