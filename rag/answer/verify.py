"""Citations and the number check every answer passes: each number in an answer must stand in a
cited text (or be a difference or conversion computed from cited facts); a line that fails is
dropped before the answer is shown."""
from __future__ import annotations

import re

from ..models import Citation, Passage, Report
from ..numbers import find_numbers, same_value
from .rows import FactRow


def cite_passage(p: Passage, reports: dict[str, Report], n: int) -> Citation:
    loc = p.locations[0]
    r = reports[loc.doc_id]
    return Citation(n, "passage", loc.doc_id, r.kommun, r.title, r.period_end, loc.section, p.text, loc.start_line,
                    loc.page, loc.place)


def cite_row(row: FactRow, reports: dict[str, Report], n: int) -> Citation:
    f = row.first
    r = reports[row.doc_id]
    return Citation(n, "table", row.doc_id, r.kommun, r.title, r.period_end, f.section, f.citation_text, f.line,
                    f.page, f.place)


def allowed_numbers(citations: list[Citation], computed: list[float]) -> list[float]:
    vals = [n.value for c in citations for n in find_numbers(c.text)]
    vals += [n.value for c in citations for n in find_numbers(f"{c.report} {c.period} {c.section}")]
    return vals + list(computed)


def check_numbers(line: str, allowed: list[float]) -> list[str]:
    """Numbers in a line that no cited text or computed difference holds."""
    body = re.sub(r"\[\d+\]", "", line)
    return [n.text for n in find_numbers(body) if not any(same_value(n.value, v) for v in allowed)]
