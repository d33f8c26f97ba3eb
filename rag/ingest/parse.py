"""One report's text parsed: its lines, sections, tables and one `Fact` per numeric table cell,
with the page or place of each line where the file was a PDF or Word document."""
from __future__ import annotations

import bisect
import dataclasses
import logging
from dataclasses import dataclass, field

from ..models import Fact, Report, Section
from .document import DEFAULT_LIMITS, ReadLimits, over_limit
from .markup import plain_line
from .sections import section_name, split_sections
from .tables import ParseWarning, Table, doc_money_unit, parse_tables, table_facts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedReport:
    report: Report
    lines: tuple[str, ...]
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    facts: tuple[Fact, ...]
    warnings: tuple[ParseWarning, ...] = field(default=())
    pages: tuple[int, ...] = ()  # per line: PDF page (rag.ingest.readers), empty for text exports
    places: tuple[str, ...] = ()  # per line: "s. 12" / "stycke 4" / "tabell 3, rad 2"

    def section_at(self, line: int) -> Section:
        """The section holding a 1-based line (bisect: a report with many tables and headings stays linear)."""
        k = bisect.bisect_right(self._starts, line) - 1
        return self.sections[max(k, 0)]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [s.start_line for s in self.sections])


def check_size(source: str, lines: list[str], tables: list[Table], limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Refuse a report with more table rows or passages than `limits` allow, before its facts and
    sections are made (a 4.9 MB text of table rows was 124 598 passages, 40 minutes of embedding)."""
    rows = sum(len(t.rows) + 1 for t in tables)
    if rows > limits.max_table_rows:
        raise over_limit(source, "antalet tabellrader", rows, limits.max_table_rows, "max_table_rows")
    in_table = bytearray(len(lines) + 2)
    for t in tables:
        in_table[t.start_line:t.end_line + 1] = b"\1" * (t.end_line + 1 - t.start_line)
    paragraphs, prev, chars = 0, False, 0
    for n, line in enumerate(lines, start=1):
        text = not in_table[n] and bool(line.strip())
        paragraphs += text and not prev
        chars += len(line) if text else 0
        prev = text
    passages = rows + paragraphs + chars // 1500  # a paragraph longer than a passage is cut
    if passages > limits.max_passages:
        raise over_limit(source, "antalet textavsnitt (tabellrader och stycken)", passages, limits.max_passages,
                         "max_passages")


def parse_report(report: Report, text: str, limits: ReadLimits = DEFAULT_LIMITS) -> ParsedReport:
    lines = [plain_line(line) for line in text.split("\n")]
    warnings: list[ParseWarning] = []
    tables = parse_tables(lines, report.source, warnings)
    check_size(report.source, lines, tables, limits)
    sections = split_sections(lines, report.doc_id, tables)
    parsed = ParsedReport(report, tuple(lines), tuple(sections), tuple(tables), (), ())
    facts = _table_facts(parsed, doc_money_unit(text, tables))
    for w in warnings:
        log.warning("%s", w)
    pages, places = tuple(getattr(text, "pages", ())), tuple(getattr(text, "places", ()))  # PDF/Word provenance
    if pages or places:
        facts = [dataclasses.replace(f, page=pages[f.line - 1] if f.line <= len(pages) else 0,
                                     place=places[f.line - 1] if f.line <= len(places) else "") for f in facts]
    return ParsedReport(report, tuple(lines), tuple(sections), tuple(tables), tuple(facts), tuple(warnings),
                        pages, places)


def _table_facts(parsed: ParsedReport, money: str) -> list[Fact]:
    """The facts of every table, each named by its section (a table without a caption takes the heading's)."""
    report, facts = parsed.report, []
    for t in parsed.tables:
        section = parsed.section_at(t.start_line)
        sec = section_name(section)
        if not t.caption and section.heading:
            t = dataclasses.replace(t, caption=section.heading)
        facts.extend(table_facts(t, doc_id=report.doc_id, kommun=report.kommun, period=report.period_end,
                                 section=sec, money_unit=money))
    return facts
