"""What every reader shares: a read document with the origin of each line, the limits a
file's reading may cost, and the text clean-up the Word, PDF and text readers all apply.
Nothing here imports another reader, so the readers import it without a circle."""
from __future__ import annotations

import re
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
    """Bounds per file, so that a hostile document cannot stall the service."""

    max_bytes: int = 50_000_000
    max_pages: int = 500
    max_seconds: float = 300.0


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
