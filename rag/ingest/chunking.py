"""Section-aware passages: paragraphs that never cross a heading, plus one
passage per table row, each carrying a "kommun – report – section" header.

Identical (or near-identical) paragraphs within a municipality's reports are
folded into one passage that keeps every location. No passage is longer than
MAX_CHARS: text without sentence ends is cut at a space (or, failing that, hard).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .parse import ParsedReport
from .sections import section_name
from ..lexicon import LEXICON
from ..models import Location, Passage, embed_text

MAX_CHARS = 1500
SHORT_CHARS = 80
_SENT_ENDS = ".!?:)\"”»"
LIST_ITEM = re.compile(r"^\s*(?:[-*•●◆]|\d{1,2}[.)])\s+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    kind: str
    text: str  # exact report text
    context: str  # what is indexed instead of the text (table rows: a readable line; abbreviations spelt out)
    section: str
    start_line: int
    end_line: int


def _paragraphs(lines: tuple[str, ...], start: int, end: int, skip: set[int]) -> list[tuple[int, int]]:
    """Blank-line separated runs of non-table lines, as 1-based inclusive ranges."""
    runs, cur = [], None
    for n in range(start, end + 1):
        line = lines[n - 1]
        if n in skip or not line.strip():
            if cur:
                runs.append(cur)
                cur = None
            continue
        cur = (cur[0], n) if cur else (n, n)
    if cur:
        runs.append(cur)
    return runs


def _text(lines: tuple[str, ...], a: int, b: int) -> str:
    return "\n".join(lines[a - 1:b]).strip()


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-zÅÄÖåäö]{2,}", text))


def _merge(lines: tuple[str, ...], runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a lead-in with its list, a sentence broken by a blank line, and short scraps."""
    out: list[tuple[int, int]] = []
    for run in runs:
        if out:
            prev = _text(lines, *out[-1])
            cur = _text(lines, *run)
            lead_in = prev.endswith(":") or (LIST_ITEM.match(cur) and LIST_ITEM.match(prev.split("\n")[-1]))
            broken = prev.rstrip()[-1:] not in _SENT_ENDS and cur[:1].islower()
            short = len(prev) < SHORT_CHARS and not LIST_ITEM.match(prev)
            if (lead_in or broken or short) and len(prev) + len(cur) <= MAX_CHARS:
                out[-1] = (out[-1][0], run[1])
                continue
        out.append(run)
    return out


def _hard_cuts(a: int, b: int, text: str) -> list[tuple[int, int]]:
    """[a, b) cut into spans of at most MAX_CHARS, at the last space where there is one."""
    spans = []
    while b - a > MAX_CHARS:
        cut = text.rfind(" ", a + MAX_CHARS // 2, a + MAX_CHARS)
        cut = cut if cut > a else a + MAX_CHARS
        spans.append((a, cut))
        a = cut
    return spans + [(a, b)]


def _split_long(text: str) -> list[str]:
    """Sentences packed into parts of at most MAX_CHARS; each part is an exact slice of the text."""
    if len(text) <= MAX_CHARS:
        return [text]
    bounds = [0] + [m.start() for m in _SENTENCE_SPLIT.finditer(text)] + [len(text)]
    spans = [s for a, b in zip(bounds, bounds[1:]) for s in _hard_cuts(a, b, text)]
    parts, start, end = [], spans[0][0], spans[0][0]
    for a, b in spans:
        if b - start > MAX_CHARS and end > start:
            parts.append((start, end))
            start = a
        end = b
    parts.append((start, end))
    return [t for a, b in parts if (t := text[a:b].strip())]


def _prose_line(line: str) -> bool:
    """A line inside a table that is a sentence in its first cell and nothing else: a footnote
    ("Sjukfrånvaron avser perioden 1 december 2022 till 30 november 2023."), read as text."""
    cells = [c for c in line.split("\t") if c.strip()]
    return len(cells) == 1 and _words(cells[0]) >= 4 and cells[0].rstrip()[-1:] in _SENT_ENDS


def report_chunks(parsed: ParsedReport) -> list[Chunk]:
    """Text chunks for every section and one chunk per table row with figures. A table
    without figures (an internal-control matrix, a list of measures) is read as text:
    its cells are what the report says, and would otherwise be found nowhere; so is a
    footnote printed inside a table with figures."""
    fact_lines = {f.line for f in parsed.facts}
    spans = [range(t.start_line, t.end_line + 1) for t in parsed.tables]
    table_lines = {n for t, span in zip(parsed.tables, spans) if t.is_toc or not fact_lines.isdisjoint(span)
                   for n in span if n in fact_lines or not _prose_line(parsed.lines[n - 1])}
    skip = table_lines | {s.start_line for s in parsed.sections if s.path}  # once: per section was quadratic
    chunks: list[Chunk] = []
    for sec in parsed.sections:
        name = section_name(sec)
        runs = _paragraphs(parsed.lines, sec.start_line, sec.end_line, skip)
        for a, b in _merge(parsed.lines, runs):
            text = _text(parsed.lines, a, b)
            if _words(text) < 4:
                continue
            for part in _split_long(text):
                spelt = LEXICON.spell_out(part)  # indexed with abbreviations spelt out; cited as written
                chunks.append(Chunk(parsed.report.doc_id, "text", part, spelt if spelt != part else "", name, a, b))
    fact_rows: dict[int, list] = {}
    for f in parsed.facts:
        fact_rows.setdefault(f.line, []).append(f)
    for line, facts in sorted(fact_rows.items()):
        f0 = facts[0]
        cells = "; ".join(f"{f.column}: {f.raw}{'' if f.unit in ('', 'antal') else ' ' + f.unit}" for f in facts)
        context = LEXICON.spell_out(f"{f0.caption} – {f0.table}: {f0.row} — {cells}")[:MAX_CHARS]
        # A row longer than a passage (only hostile input has one) is cited by its beginning.
        text = f0.citation_text[:MAX_CHARS]
        chunks.append(Chunk(parsed.report.doc_id, "table", text, context, f0.section, line, line))
    return chunks


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def _shingles(text: str) -> set[str]:
    w = re.findall(r"\w+", text.lower())
    return {" ".join(w[i:i + 3]) for i in range(max(1, len(w) - 2))}


def _origin(parsed: ParsedReport, line: int) -> tuple[int, str]:
    """(PDF page, place) of a 1-based line of a report read from PDF or Word; (0, "") for text."""
    page = parsed.pages[line - 1] if 0 < line <= len(parsed.pages) else 0
    place = parsed.places[line - 1] if 0 < line <= len(parsed.places) else ""
    return page, place


def _near_duplicate(sh: set[str], postings: dict[str, list[int]], sizes: dict[int, int],
                    threshold: float) -> int | None:
    """The first earlier passage whose shingle Jaccard similarity with `sh` reaches `threshold`."""
    shared: dict[int, int] = {}
    for x in sh:
        for idx in postings.get(x, ()):
            shared[idx] = shared.get(idx, 0) + 1
    for idx in sorted(shared):
        if shared[idx] / (len(sh) + sizes[idx] - shared[idx]) >= threshold:
            return idx
    return None


def build_passages(reports: list[ParsedReport], near_duplicate: float = 0.85) -> list[Passage]:
    """Passages for the whole corpus, duplicates folded, ids in corpus order."""
    by_doc = {p.report.doc_id: p.report for p in reports}
    folded: list[dict] = []
    exact: dict[tuple[str, str, str], int] = {}
    # Per kommun: shingle -> passages holding it, so a new chunk is compared only with passages it
    # shares a shingle with (all pairs made a 5 MB upload of distinct paragraphs take minutes).
    postings: dict[str, dict[str, list[int]]] = {}
    sizes: dict[int, int] = {}
    for parsed in reports:
        r = parsed.report
        for c in report_chunks(parsed):
            loc = Location(c.doc_id, c.section, c.start_line, c.end_line, *_origin(parsed, c.start_line))
            key = (r.kommun, c.kind, _norm(c.text))
            target = exact.get(key)
            sh = _shingles(c.text) if c.kind == "text" else set()
            if target is None and c.kind == "text" and len(sh) >= 8:
                target = _near_duplicate(sh, postings.get(r.kommun, {}), sizes, near_duplicate)
            if target is not None:
                folded[target]["locations"].append(loc)
                continue
            exact[key] = len(folded)
            if c.kind == "text" and len(sh) >= 8:
                sizes[len(folded)] = len(sh)
                for x in sh:
                    postings.setdefault(r.kommun, {}).setdefault(x, []).append(len(folded))
            folded.append({"chunk": c, "report": r, "locations": [loc]})
    passages = []
    for i, item in enumerate(folded):
        c, r = item["chunk"], item["report"]
        header = f"{r.kommun} – {by_doc[c.doc_id].title} – {c.section}"
        sha = hashlib.sha256(embed_text(header, c.context or c.text).encode()).hexdigest()  # what is embedded
        passages.append(Passage(i, c.kind, c.text, header, tuple(item["locations"]), r.kommun,
                                r.period_end, sha, c.context))
    return passages
