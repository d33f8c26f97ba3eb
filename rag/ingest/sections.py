"""A report's lines split into sections with heading paths (`Verksamhet > Barn och unga`).

Parsing stays linear in the input: headings are recognised by a scan, never a regex that can
backtrack over a long line, and only lines short enough to be a heading are looked at as one.
"""
from __future__ import annotations

import re

from ..models import Section
from .tables import Table, clean_cell

#: No heading is longer; longer lines are body text and are never matched as headings.
MAX_HEADING_CHARS = 200
_NUM_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-ZÅÄÖ].{1,100})$")


def md_heading(s: str) -> tuple[int, str] | None:
    """`## Rubrik ##` -> (2, "Rubrik"), by a scan: the regex `^(#{1,6})\\s+(.+?)\\s*#*$` it replaces
    took seconds on a long line of spaces (quadratic backtracking)."""
    if not s.startswith("#") or len(s) > MAX_HEADING_CHARS:
        return None
    level = len(s) - len(s.lstrip("#"))
    rest = s[level:]
    if level > 6 or not rest[:1].isspace():
        return None
    text = rest.strip().rstrip("#").rstrip()
    return (level, text) if text else None


def _norm(s: str) -> str:
    return re.sub(r"[^a-zåäö0-9]+", " ", s.lower()).strip()


def _toc_titles(tables: list[Table]) -> set[str]:
    titles = set()
    for t in tables:
        if not t.is_toc:
            continue
        for row in (t.header, *t.rows):
            cells = [c for c in row.cells if c]
            words = [c for c in cells if not re.fullmatch(r"[\d.]+", c)]
            if words and not (cells and re.fullmatch(r"\d+(\.\d+)*", cells[0])):
                titles.add(_norm(re.sub(r"\.{3,}.*$", "", words[0])))
    return titles


def _plain_heading(lines: list[str], i: int) -> str | None:
    if len(lines[i]) > MAX_HEADING_CHARS:
        return None
    s = clean_cell(lines[i].strip())
    if s.startswith("**") or s.endswith("**"):
        s = s.strip("*").strip()
    if not (2 <= len(s) <= 90) or s[-1] in ".:,;" or not (s[0].isupper() or s[0].isdigit()):
        return None
    if s.startswith(("- ", "* ", "• ", "● ")) or not re.search(r"[A-Za-zÅÄÖåäö]{2}", s) or len(s.split()) > 12:
        return None
    before = i == 0 or not lines[i - 1].strip()
    after = i + 1 >= len(lines) or not lines[i + 1].strip()
    return s if before and after else None


def _starts_group(lines: list[str], i: int, table_lines: set[int]) -> bool:
    """A plain heading directly followed by another plain heading: the ones after it sit below it."""
    nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
    return nxt is not None and (nxt + 1) not in table_lines \
        and _plain_heading(lines, nxt) is not None and not md_heading(lines[nxt].strip())


def _headings(lines: list[str], tables: list[Table]) -> list[tuple[int, int, str]]:
    """(line 1-based, level, text) of every heading: markdown, numbered, and short stand-alone
    lines levelled below the last structured heading (or at 1 when the table of contents names them)."""
    table_lines = {n for t in tables for n in range(t.start_line, t.end_line + 1)}
    toc = _toc_titles(tables)
    heads: list[tuple[int, int, str]] = []
    structured = 0
    group = False  # a plain heading directly followed by another heading groups those after it
    for i, raw in enumerate(lines):
        if (i + 1) in table_lines or not raw.strip():
            continue
        s = raw.strip()
        if md := md_heading(s):
            text, level = clean_cell(md[1]).strip("*").strip(), md[0]
            structured, group = level, False
        elif len(s) <= 110 and s[-1] not in ".:," and (m := _NUM_HEADING.match(s)):
            text, level = s, m.group(1).count(".") + 1
            structured, group = level, False
        elif (text := _plain_heading(lines, i)) is not None:
            if _norm(text) in toc:
                level, structured, group = 1, 1, False
            elif _starts_group(lines, i, table_lines):
                level, group = structured + 1, True
            else:
                level = structured + (2 if group else 1)
        else:
            continue
        heads.append((i + 1, level, text))
    return heads


def split_sections(lines: list[str], doc_id: str, tables: list[Table]) -> list[Section]:
    """Sections with heading paths: markdown and numbered headings, and short
    stand-alone lines (levelled by the report's table of contents where it has one)."""
    heads = _headings(lines, tables)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    first = heads[0][0] if heads else len(lines) + 1
    if first > 1:
        sections.append(Section(doc_id, 0, "", (), 1, first - 1))
    for k, (line, level, text) in enumerate(heads):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        end = heads[k + 1][0] - 1 if k + 1 < len(heads) else len(lines)
        sections.append(Section(doc_id, len(sections), text, tuple(t for _, t in stack), line, end))
    return sections


def section_name(section: Section) -> str:
    return " > ".join(section.path) if section.path else "(inledning)"
