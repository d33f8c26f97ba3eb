"""The answer as it is read: the first sentence (`lead.py`), then each kommun's table rows as one
small table and its report sentences as a list, every line ending in its citation markers. Every
number is checked against the cited texts first (`verify`); a line that fails is dropped, a first
sentence that fails is left out."""
from __future__ import annotations

import dataclasses
import logging
import re

from ..lexicon import LEXICON
from ..models import Answer, Fact, Report
from ..numbers import find_numbers, format_sv
from .draft import Draft, Line
from .lead import Section, opening
from .plan import Plan
from .question import QuestionAnalysis
from .refusal import refuse
from .rows import FactRow, column_info
from .verify import allowed_numbers, check_numbers, cite_passage, cite_row
from .wording import BARE_TOTAL, clean_label, signed_value
from ..years import YEAR, is_year

log = logging.getLogger(__name__)


def _value(f: Fact) -> str:
    """The figure as the report prints it, with its unit; a cell holding two figures
    (`32 insatser 71 procent`) gives each fact its own number."""
    unit = "" if f.unit in ("", "antal") else (f.unit if f.unit == "%" else " " + f.unit)
    if len(find_numbers(f.raw)) > 1:
        return f"{format_sv(f.value)}{unit}"
    return f"{f.raw.replace(' %', '').replace('%', '').strip()}{unit}" if f.unit == "%" else f"{f.raw.strip(' *')}{unit}"


def same_span(col_a: str, col_b: str) -> bool:
    """Two columns cover the same months of different years ("Utfall jan-aug 2024" and "Utfall
    jan-aug 2023", "2023" and "2022"): only then is a change between them meaningful."""
    strip = lambda c: re.sub(rf"\b{YEAR}\b|föregående år|\s+", " ", c.lower()).split()
    return strip(col_a) == strip(col_b) or column_info(col_b).previous and strip(col_a)[:1] == strip(col_b)[:1]


def _what(f: Fact, parent: str = "") -> str:
    """A row's name as a reader needs it: a year row with its caption, a sub-row under its row."""
    if is_year(f.row):
        return f"{f.caption}, {f.row}"
    return f"{parent} – {f.row}" if parent and not re.search(r"\d", parent) else f.row


def fact_sentence(row: FactRow, chosen: list[Fact], report: Report, parent: str = "") -> tuple[str, tuple[float, ...]]:
    f0 = chosen[0]
    what = _what(f0, parent)
    parts = [f"{f.column}: {_value(f)}" for f in chosen]
    text = f"{what} ({f0.table}) – " + "; ".join(parts)
    computed: tuple[float, ...] = ()
    kinds = [column_info(f.column).kind for f in chosen]
    if len(chosen) == 2 and kinds == ["utfall", "utfall"] and chosen[0].unit == chosen[1].unit \
            and chosen[0].unit != "%" and same_span(chosen[0].column, chosen[1].column):
        diff = round(abs(chosen[0].value) - abs(chosen[1].value), 3)
        if chosen[1].value:
            pct = round(100 * diff / abs(chosen[1].value))
            text += f" (förändring {format_sv(diff, 1 if not float(diff).is_integer() else 0)}" \
                    f"{'' if f0.unit in ('', 'antal') else ' ' + f0.unit}, {pct:+d} %)".replace("+", "+")
            computed = (diff, float(pct))
    return text, computed


def other_cells(row: FactRow, chosen: list[Fact], limit: int = 6) -> tuple[Fact, ...]:
    """The row's other values, shown under the answer; at most `limit` (a wide row is cut)."""
    return tuple(f for f in row.facts if f not in chosen)[:limit]


def layout(a: QuestionAnalysis, reports: dict[str, Report], plan: Plan, draft: Draft,
           vocab: frozenset[str] = frozenset()) -> Answer:
    """Verify every number against the citations, number the citations, and lay the answer out."""
    cite_keys = draft.sources
    provisional = [cite_passage(o, reports, i + 1) if k == "p" else cite_row(o, reports, i + 1)
                   for i, (k, o) in enumerate(cite_keys)]
    allowed = allowed_numbers(provisional, draft.computed)
    checked: list[tuple[str, list[Line]]] = []
    for kommun, lines in draft.sections:
        kept = []
        for ln in lines:
            bad = check_numbers(ln.text, allowed)
            if bad:
                log.warning("dropping a line with unsupported numbers %s: %s", bad, ln.text)
                continue
            kept.append(ln)
        if kept:
            checked.append((kommun, kept))
    if not checked:
        return refuse(a, reports, "inget i rapporterna kunde beläggas")
    order: dict[int, int] = {}
    for _, lines in checked:
        for ln in lines:
            for c in ln.cites:
                order.setdefault(c, len(order) + 1)
    citations = [dataclasses.replace(provisional[key], n=n) for key, n in sorted(order.items(), key=lambda kv: kv[1])]

    def mark(keys: tuple[int, ...]) -> str:
        return "".join(f"[{order[k]}]" for k in keys)

    sections = []
    for kommun, lines in checked:
        docs = sorted({citations[order[c] - 1].report for ln in lines for c in ln.cites})
        texts = tuple(ln for ln in lines if not ln.cells)
        sections.append(Section(kommun, f"{kommun} ({', '.join(docs)})", tuple(ln for ln in lines if ln.cells),
                                texts, tuple(provisional[ln.cites[0]].doc_id for ln in texts)))
    first = opening(a, plan, reports, sections, draft.leads, mark, vocab)
    if first is not None and (bad := check_numbers(first.text, allowed + list(first.computed))):
        log.warning("no first sentence: unsupported numbers %s in %s", bad, first.text)
        first = None
    out_lines = ([first.text] if first else []) + body(a, sections, reports, mark, first)
    for k in draft.missing:  # a paragraph of its own, not an item of the last kommun's list
        out_lines += ["", f"**{k}:** inget i rapporterna besvarar detta tillräckligt säkert."]
    facts = tuple(draft.facts) + (first.facts if first else ())
    return Answer(a.text, True, "\n".join(out_lines), tuple(citations), tuple(dict.fromkeys(facts)))


def body(a: QuestionAnalysis, sections: list[Section], reports: dict[str, Report], mark, first) -> list[str]:
    """Under the first sentence: each kommun's rows as a table and its sentences as a list (what the
    first sentence quotes is not said again), headed by the kommun where there are several."""
    quoted = {(s, li): sentence for s, li, sentence in (first.quoted if first else ())}
    out = []
    for si, sec in enumerate(sections):
        if len(sections) > 1:
            out.append(f"**{sec.head}**")
        out.extend(details(sec, reports, mark))
        bullets = []
        for li, ln in enumerate(sec.texts):
            text = re.sub(r"^[-•●*]\s+", "", re.sub(r"\s+", " ", ln.text).strip())
            if (si, li) in quoted:  # said in the first sentence: the rest of the passage only
                text = " ".join(text.replace(" ".join(quoted[(si, li)].split()), " ").split())
                if not _gives_words(text) or LEXICON.other_group(a.text, text):
                    continue  # nothing left, or what is left speaks of another target group only
            bullets.append(f"- {text} {mark(ln.cites)}")
        if bullets and len(sections) == 1 and not (first and first.text.startswith("Enligt")):
            out.append(f"Enligt {sec.head}:")
        out.extend(bullets)
    return out


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def details(sec: Section, reports: dict[str, Report], mark) -> list[str]:
    """The kommun's table rows as one small table: one row's values (the asked ones first), or, for
    several rows, each row's asked values and then its others, each row cited."""
    if not sec.rows:
        return []
    if len(sec.rows) == 1:
        ln = sec.rows[0]
        f = ln.cells[0]
        name = _what(f, ln.parent)
        if BARE_TOTAL.fullmatch(clean_label(f.row)):  # "Summa" of which table
            name = f"{name} ({f.table})"
        head = f"| {_cell(name)} | {_cell(reports[f.doc_id].title)} {mark(ln.cites)} |"
        return [head, "|---|---|"] + [f"| {_cell(g.column)} | {signed_value(g, False).text} |"
                                      for g in ln.cells + ln.others]
    by_report = _each_report_table(sec, reports, mark)
    if by_report:
        return by_report
    f0 = sec.rows[0].cells[0]
    several = len({ln.cells[0].doc_id for ln in sec.rows}) > 1
    out = [f"| {_cell(f0.table)} | {_cell(sec.kommun)} |", "|---|---|"]
    for ln in sec.rows:
        f = ln.cells[0]
        name = (f"{reports[f.doc_id].title}: " if several else "") + _what(f, ln.parent)
        for i, g in enumerate(ln.cells + ln.others):
            cited = f" {mark(ln.cites)}" if not i else ""
            out.append(f"| {_cell(name)}, {_cell(g.column)} | {signed_value(g, False).text}{cited} |")
    return out


#: a unit said in a label ("Summa totalt (mkr)"): one row although two reports print other units
_UNIT_NOTE = re.compile(r"\s*\((?:mkr|mnkr|tkr|kr|%)\)\s*", re.I)


def _each_report_table(sec: Section, reports: dict[str, Report], mark) -> list[str]:
    """One row read in each of a kommun's reports ("Summa totalt" in April's and August's): the
    reports side by side, a line per column heading, "–" where a report prints no such column.
    [] for any other rows."""
    docs = [ln.cells[0].doc_id for ln in sec.rows]
    names = {_UNIT_NOTE.sub(" ", _what(ln.cells[0], ln.parent)).strip().lower() for ln in sec.rows}
    if len(docs) < 2 or len(set(docs)) < len(docs) or len(names) > 1:
        return []
    name = _UNIT_NOTE.sub(" ", _what(sec.rows[0].cells[0], sec.rows[0].parent)).strip()
    out = [f"| {_cell(name)} | " + " | ".join(f"{_cell(reports[d].title)} {mark(ln.cites)}"
                                             for d, ln in zip(docs, sec.rows)) + " |",
           "|---|" + "---|" * len(docs)]
    cells = [{g.column: g for g in ln.cells + ln.others} for ln in sec.rows]
    for heading in dict.fromkeys(h for c in cells for h in c):
        values = [signed_value(c[heading], False).text if heading in c else "–" for c in cells]
        out.append(f"| {_cell(heading)} | " + " | ".join(values) + " |")
    return out


def _gives_words(text: str) -> bool:
    return len(re.findall(r"[A-Za-zÅÄÖåäö]{2,}", text)) >= 3
