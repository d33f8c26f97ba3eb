"""The small frozen values that cross stage boundaries."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Report:
    """One report in the corpus, as the manifest (or detection) describes it."""

    doc_id: str
    kommun: str
    namnd: str
    report_type: str  # delårsrapport | tertialrapport | årsredovisning | ...
    title: str
    period_start: str  # YYYY-MM
    period_end: str  # YYYY-MM
    source: str  # file name inside the corpus folder
    sha256: str = ""

    @property
    def label(self) -> str:
        return f"{self.kommun} – {self.title}"


@dataclass(frozen=True)
class Section:
    doc_id: str
    ordinal: int
    heading: str
    path: tuple[str, ...]
    start_line: int  # 1-based, the heading line (or 1 for the preamble)
    end_line: int


@dataclass(frozen=True)
class Fact:
    """One numeric table cell, with everything needed to cite it."""

    doc_id: str
    kommun: str
    period: str  # the report's period end, YYYY-MM
    section: str
    caption: str
    table: str
    row: str
    column: str
    value: float
    unit: str
    raw: str  # the cell as printed
    line: int  # 1-based line of the row in the report
    header_line: int
    row_text: str  # the row line as it stands in the report
    header_text: str  # the column-heading line as it stands in the report
    page: int = 0  # PDF page of the row (0: a text export or Word file)
    place: str = ""  # where a reader found it: "s. 12", "tabell 3, rad 2" ("" for text exports)

    @property
    def citation_text(self) -> str:
        return f"{self.header_text}\n{self.row_text}"

    def to_json(self) -> dict:
        d = asdict(self)
        for k in ("line", "header_line", "row_text", "header_text"):
            d.pop(k)
        return _drop_unset_place(d)


@dataclass(frozen=True)
class Location:
    doc_id: str
    section: str
    start_line: int
    end_line: int
    page: int = 0  # PDF page where the passage starts
    place: str = ""  # "s. 12" / "stycke 4" for PDF and Word reports


@dataclass(frozen=True)
class Passage:
    """A chunk of report text (or one table row) that retrieval can return.

    `text` is exact report text; `header` ("kommun – report – section") is
    indexed with it because paragraphs rarely name their municipality.
    Identical paragraphs are folded into one passage with all `locations`.
    """

    id: int
    kind: str  # "text" | "table"
    text: str
    header: str
    locations: tuple[Location, ...]
    kommun: str
    period: str
    sha: str
    context: str = ""  # indexed instead of `text` where set (table rows linearised; abbreviations spelt out)

    @property
    def doc_id(self) -> str:
        return self.locations[0].doc_id

    @property
    def section(self) -> str:
        return self.locations[0].section

    @property
    def index_text(self) -> str:
        """What BM25 indexes: the header with the whole section path, then the text."""
        return f"{self.header}\n{self.context or self.text}"

    @property
    def embed_text(self) -> str:
        """What the dense model reads: kommun, report and the nearest heading, then the text. A deep
        section path repeated on every passage was up to a sixth of the tokens and blurred the meaning."""
        return embed_text(self.header, self.context or self.text)


def embed_text(header: str, body: str) -> str:
    path = header.split(" > ")
    head = f"{path[0].rsplit(' – ', 1)[0]} – {path[-1]}" if len(path) > 1 else header
    return f"{head}\n{body}"


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    rank: int
    sources: tuple[tuple[str, int], ...] = ()  # (ranker, rank) pairs


@dataclass(frozen=True)
class Citation:
    n: int
    kind: str  # "passage" | "table"
    doc_id: str
    kommun: str
    report: str
    period: str
    section: str
    text: str
    line: int = 0
    page: int = 0  # PDF page, shown as "s. 12"
    place: str = ""  # "s. 12" / "tabell 3, rad 2" for PDF and Word reports

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("line")
        return _drop_unset_place(d)


def _drop_unset_place(d: dict) -> dict:
    """`page`/`place` appear in JSON only for reports read from PDF or Word."""
    if not d.get("page"):
        d.pop("page", None)
    if not d.get("place"):
        d.pop("place", None)
    return d


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str
    citations: tuple[Citation, ...] = ()
    facts: tuple[Fact, ...] = ()
    notes: tuple[str, ...] = field(default=())
    coverage: str = ""  # a refusal's list of what the reports cover, kept out of the text (the app folds it)
    # a follow-up's: the whole question it was read as, which the text's first line says ("" when it was
    # read alone); kept out of the JSON (the text says it), so the app can offer to ask it as written
    read_as: str = ""

    def to_json(self) -> dict:
        out = {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "facts": [f.to_json() for f in self.facts],
        }
        if self.coverage:
            out["coverage"] = self.coverage
        return out
