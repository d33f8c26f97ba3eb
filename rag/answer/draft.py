"""What the composition steps hand to the layout: the lines of the answer per kommun, each citing
rows or passages by key, the facts shown, the figures computed from them, and the lead facts the
first sentence is made of. Built by one step, read by `layout`; no step lays anything out."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Fact, Report


@dataclass(frozen=True)
class Line:
    """A report sentence, or a table row's cells (its text then says them, for the number check)."""

    text: str
    cites: tuple[int, ...]  # keys into the draft's citation list (passages or table rows)
    computed: tuple[float, ...] = ()
    cells: tuple[Fact, ...] = ()  # a table row: the cells that answer, shown first
    others: tuple[Fact, ...] = ()  # and the row's other values, shown in its details
    parent: str = ""  # the row a sub-row belongs to
    p: float = 0.0  # how probably the row or sentence answers (the scorer's)
    explains: bool = False  # the leading row's own explanation (the text below a table of the row alone)


@dataclass(frozen=True)
class Lead:
    """A fact the first sentence may state: its kommun, report, and the row it belongs to (sub-rows)."""

    kommun: str
    fact: Fact
    report: Report
    parent: str = ""
    cells: tuple[Fact, ...] = ()  # every cell of the row that answers (fact first)
    cite: int = -1  # the row's key in the draft's citation list
    p: float = 0.0  # how probably the row answers (the scorer's)


Source = tuple[str, "Passage | FactRow"]  # ("p", a passage) or ("r", a table row)


@dataclass
class Draft:
    """An answer before its numbers are checked and its citations numbered."""

    sections: list[tuple[str, list[Line]]] = field(default_factory=list)  # per kommun, in order
    sources: list[Source] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    computed: list[float] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # kommuner asked about that the reports do not answer

    def cite(self, kind: str, obj) -> int:
        """The key of a passage ("p") or table row ("r") among the draft's sources, added if new."""
        ident = (kind, obj.id if kind == "p" else (obj.doc_id, obj.line))
        for i, (k, o) in enumerate(self.sources):
            if (k, o.id if k == "p" else (o.doc_id, o.line)) == ident:
                return i
        self.sources.append((kind, obj))
        return len(self.sources) - 1

    def has_lines(self) -> bool:
        return bool(self.sections)
