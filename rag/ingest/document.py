"""What every reader shares: a read document with the origin of each line, the limits a
file's reading may cost, and the text clean-up the Word, PDF and text readers all apply.
Nothing here imports another reader, so the readers import it without a circle."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from ..errors import CorpusError

MAX_REPORT_BYTES = 5_000_000
TEXT_SUFFIXES = (".txt", ".md")
DOCUMENT_SUFFIXES = (".pdf", ".docx")
SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES


class UnreadableReport(CorpusError):
    """A PDF or Word file that cannot be read as it is (message in Swedish)."""


@dataclass(frozen=True)
class ReadLimits:
    """What reading one file may cost, so that a hostile or broken document cannot stall the
    service or exhaust its memory. Each bound trades a refused (rare, huge) report against the
    memory and time one file may take; the bundled reports use a tenth of each or less."""

    #: File size on disk. Larger reports are refused before anything is read.
    max_bytes: int = 50_000_000
    #: PDF pages. About 0.1 s of reading per page: 500 pages is under a minute.
    max_pages: int = 500
    #: Wall clock per file, checked inside the readers' loops (per page, paragraph, table row,
    #: decompressed megabyte), so one page or table cannot run far past it.
    max_seconds: float = 300.0
    #: One .docx member or one PDF stream decompressed. A zip/Flate bomb is refused from its
    #: headers or after this many bytes of inflating, never inflated whole. A report's main
    #: XML is a few MB; 40 MB of XML is about 400 MB parsed.
    max_stream_bytes: int = 40_000_000
    #: All .docx members (python-docx holds every part in memory, images included) or all checked
    #: PDF streams together, decompressed.
    max_unpacked_bytes: int = 100_000_000
    #: Word: paragraphs + tables + table cells. The bundled reports have at most 4 000, a
    #: 300-page report some 30 000; 20 000 tiny
    #: tables (150 KB zipped) would be 20 000 passages, hours of embedding.
    max_elements: int = 60_000
    #: Word: XML elements of any kind in the main document. Each costs about 200 bytes parsed,
    #: so this bounds the tree at a few hundred MB (a report has about 200 000).
    max_xml_nodes: int = 1_500_000
    #: PDF: drawing and text operators in one page's content, counted before it is interpreted
    #: (each becomes a Python object of about 1 KB, interpreted at some 3 000 a second). The
    #: bundled reports as PDF have at most 4 000 objects a page.
    max_page_operators: int = 30_000
    #: PDF: characters + rectangles + lines + curves on one page once it is read.
    max_page_objects: int = 60_000
    #: PDF: rectangles + lines + curves on one page. Finding ruled tables compares every
    #: vertical edge with every horizontal one, so its time grows with the square of this.
    max_page_drawings: int = 5_000
    #: Table rows per report after parsing (each is a passage and facts). The bundled reports
    #: have at most 184; a 4.9 MB text of rows had 124 598.
    max_table_rows: int = 20_000
    #: Passages (table rows + paragraphs) per report after parsing; each is embedded (about
    #: 20 ms on 2 cores), so 10 000 is a few minutes of building. The bundled have at most 299.
    max_passages: int = 10_000


#: The limits every reader and the corpus use unless given others.
DEFAULT_LIMITS = ReadLimits()


class Deadline:
    """The wall-clock budget of reading one file, checked inside the readers' long loops."""

    def __init__(self, name: str, limits: ReadLimits) -> None:
        self.name, self.seconds = name, limits.max_seconds
        self.started = time.monotonic()

    def check(self, where: str = "") -> None:
        if time.monotonic() - self.started > self.seconds:
            raise UnreadableReport(f"{self.name}: läsningen tog mer än {self.seconds:.0f} s{where} och avbröts "
                                   f"(gränsen för lästid per fil, max_seconds)")


def over_limit(name: str, what: str, found: int, limit: int, setting: str) -> UnreadableReport:
    """A refusal that names the limit: `found` of `what` where at most `limit` are read."""
    return UnreadableReport(f"{name}: {what} är {found:,}".replace(",", " ") +
                            f"; högst {limit:,}".replace(",", " ") + f" läses (gräns {setting})")


@dataclass(frozen=True)
class Document:
    """A report as lines of text, with the origin of every line."""

    text: str
    kind: str  # "text" | "pdf" | "docx"
    pages: tuple[int, ...] = ()  # per line: 1-based PDF page, 0 where unknown
    places: tuple[str, ...] = ()  # per line: "s. 12", "stycke 14", "tabell 3, rad 2"
    page_count: int = 0
    dropped: tuple[str, ...] = field(default=())  # repeated page headers/footers removed

    def as_text(self) -> "DocumentText":
        return DocumentText(self)


class DocumentText(str):
    """The text of a read document that still knows where each line came from, so it can
    pass through code that handles report text as `str` (hashing, detection, parsing)."""

    pages: tuple[int, ...]
    places: tuple[str, ...]
    kind: str

    def __new__(cls, doc: Document) -> "DocumentText":
        obj = super().__new__(cls, doc.text)
        obj.pages, obj.places, obj.kind = doc.pages, doc.places, doc.kind
        return obj


# --- shared text clean-up ------------------------------------------------------------

_KEEP_HYPHEN = {"och", "eller", "samt", "respektive", "resp", "till", "som", "men", "utan"}


def join_wrapped(parts: list[str]) -> str:
    """Lines of one paragraph or cell joined with spaces; a word hyphenated at a
    line end is put back together (`verk-` + `samheten`), `barn- och` is kept."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not out:
            out = part
            continue
        first = re.match(r"\w+", part)
        if (re.search(r"[a-zåäöé]-$", out) and first and part[0].islower()
                and first.group(0).lower() not in _KEEP_HYPHEN):
            out = out[:-1] + part
        else:
            out = f"{out} {part}"
    return out


def cell_text(text: str | None) -> str:
    if not text:
        return ""
    return re.sub(r"[\t ]+", " ", join_wrapped(text.replace("\r", "\n").split("\n"))).strip()


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows as tab-separated lines; a row keeps at least one tab so it stays a table line."""
    width = max((len(r) for r in rows), default=0)
    out = []
    for r in rows:
        cells = list(r) + [""] * (width - len(r))
        out.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t")
    return out


def numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-−–]?\s*\d[\d \u00a0,.]*\s*%?", cell.strip()))


def decode_report(data: bytes, source: str) -> str:
    """Bytes to text, or a CorpusError naming file and line."""
    if not data.strip():
        raise CorpusError(f"{source}: the file is empty")
    if len(data) > MAX_REPORT_BYTES:
        raise CorpusError(f"{source}: {len(data)} bytes is larger than the {MAX_REPORT_BYTES} allowed")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CorpusError(f"{source}:{line}: not UTF-8 text (byte 0x{data[e.start]:02x}); "
                          "export the report as UTF-8") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CorpusError(f"{source}:{line}: contains NUL bytes; not a text export")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if sum(c.isalpha() for c in text) < 20:
        raise CorpusError(f"{source}: holds no readable text")
    return text
