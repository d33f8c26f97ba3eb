"""The corpus folder: a manifest plus report text files, read and split into sections.

A report is accepted only whole: bad bytes, an empty file or a manifest entry
pointing at nothing raise `CorpusError` naming the file (and line), before
anything is written anywhere. The corpus as a whole degrades instead of failing:
`load_corpus` leaves out a report it cannot read (or that repeats another's
doc_id or text) with a warning naming it, and serves the rest.

Parsing stays linear in the input: headings are recognised by a scan, never a
regex that can backtrack over a long line, and only lines short enough to be a
heading are looked at as one.
"""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import BadFileName, CorpusError
from ..kommuner import kommuner_in
from ..models import Fact, Report, Section
from .document import (DEFAULT_LIMITS, DOCUMENT_SUFFIXES, MAX_REPORT_BYTES, ReadLimits,  # noqa: F401
                       decode_report, over_limit)
from .markup import plain_line
from ..files import write_atomic  # noqa: F401  (callers write reports through the corpus)
from .readers import read_document
from .tables import ParseWarning, Table, clean_cell, doc_money_unit, parse_tables, table_facts
from ..years import YEAR

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
REPORT_SUFFIXES = (".txt", ".md") + DOCUMENT_SUFFIXES  # PDF and Word go through rag.ingest.readers
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Report periods outside these years are typing errors, not reports.
MIN_YEAR, MAX_YEAR = 1990, 2100
#: Longer upload names fail on common file systems (255 bytes) once a temp prefix is added.
MAX_NAME_CHARS = 100
#: No heading is longer; longer lines are body text and are never matched as headings.
MAX_HEADING_CHARS = 200
#: A manifest is a flat list of entries: some 300 bytes each.
MAX_MANIFEST_BYTES = 2_000_000
MANIFEST_FIELDS = ("doc_id", "kommun", "namnd", "report_type", "title", "period_start", "period_end", "source")


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


# --- reading -------------------------------------------------------------------

def report_text(data: bytes, name: str) -> str:
    """Text of a report file: UTF-8 for text exports; PDF and Word through rag.ingest.readers,
    returned as a str that also carries the page/place of every line."""
    if Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
        return read_document(data, name).as_text()
    return decode_report(data, name)


def read_report_text(path: Path) -> str:
    try:
        limit = ReadLimits().max_bytes if path.suffix.lower() in DOCUMENT_SUFFIXES else MAX_REPORT_BYTES
        if path.stat().st_size > limit:
            raise CorpusError(f"{path.name}: {path.stat().st_size} bytes is larger than the {limit} allowed")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path.name}: file not found in {path.parent}") from None
    except OSError as e:
        raise CorpusError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    return report_text(data, path.name)


def check_report_name(name: str) -> str:
    """The bare file name of an upload, or BadFileName saying why it cannot be stored."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    shown = repr(base[:40] + ("…" if len(base) > 40 else ""))
    if any(ord(c) < 32 or ord(c) == 127 for c in base):
        raise BadFileName(f"{shown}: the file name contains control characters (NUL, line breaks)",
                          "filnamnet innehåller otillåtna tecken (t.ex. radbrytningar)")
    if len(base) > MAX_NAME_CHARS or len(base.encode("utf-8")) > 2 * MAX_NAME_CHARS:
        raise BadFileName(f"{shown}: the file name is {len(base)} characters long; at most {MAX_NAME_CHARS} are allowed",
                          f"filnamnet är för långt ({len(base)} tecken, högst {MAX_NAME_CHARS})")
    if not base.strip() or base.startswith("."):
        raise BadFileName(f"{shown}: the file name is empty or starts with a dot",
                          "filnamnet är tomt eller börjar med en punkt")
    return base


def source_path(corpus_dir: Path, source: str, where: str) -> Path:
    """The report file a manifest entry names, refused unless it resolves inside the corpus folder."""
    try:
        root = corpus_dir.resolve()
        real = (corpus_dir / source).resolve()
    except (OSError, RuntimeError, ValueError) as e:  # symlink loops, NUL bytes
        raise CorpusError(f"{where}: source {source!r} cannot be resolved ({e})") from None
    if not real.is_relative_to(root) or real == root:
        raise CorpusError(f"{where}: source {source!r} lies outside the corpus folder (links out are refused)")
    return corpus_dir / source


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- manifest ------------------------------------------------------------------

def _check_entry(entry: dict, where: str) -> Report:
    if not isinstance(entry, dict):
        raise CorpusError(f"{where}: a manifest entry must be an object")
    missing = [k for k in MANIFEST_FIELDS if not str(entry.get(k, "")).strip()]
    if missing:
        raise CorpusError(f"{where}: manifest entry lacks {', '.join(missing)}")
    for k in ("period_start", "period_end"):
        check_period(str(entry[k]), f"{where}: {k}")
    if str(entry["period_start"]) > str(entry["period_end"]):
        raise CorpusError(f"{where}: period_start {entry['period_start']} is after period_end {entry['period_end']}")
    return Report(**{k: str(entry[k]) for k in MANIFEST_FIELDS})


def salvage_entry(entry: dict, text: str) -> Report:
    """A report from a manifest entry that does not validate: its fields that do (strings, periods
    YYYY-MM in range, in order), the rest detected from the text; a CorpusError if neither has them."""
    good = {}
    for k in MANIFEST_FIELDS:
        v = entry.get(k)
        if isinstance(v, str) and v.strip():
            try:
                good[k] = check_period(v, k) if k.startswith("period_") else v
            except CorpusError:
                pass
    if good.get("period_start", "") > good.get("period_end", "9999-12"):
        del good["period_start"]
    detected = detect_fields(text, good["source"])
    good.update({k: detected[k] for k in MANIFEST_FIELDS if k not in good and detected[k]})
    if "title" not in good and "report_type" in good and "period_end" in good:
        good["title"] = f"{good['report_type'].capitalize()} {good['period_end']}"
    if "period_end" in good and good.get("period_start", "9999-12") > good["period_end"]:
        good["period_start"] = good["period_end"][:4] + "-01"
    missing = [k for k in MANIFEST_FIELDS if k not in good]
    if missing:
        raise CorpusError(f"{good['source']}: neither the manifest entry nor the text gives {', '.join(missing)}")
    return Report(**good)


def check_period(value: str, what: str) -> str:
    """`YYYY-MM` with a month 1–12 and a year between MIN_YEAR and MAX_YEAR, else a CorpusError."""
    if not _PERIOD_RE.match(value):
        raise CorpusError(f"{what} {value!r} is not YYYY-MM")
    if not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
        raise CorpusError(f"{what} {value!r}: the year is outside {MIN_YEAR}–{MAX_YEAR}")
    return value


def _manifest_entries(corpus_dir: Path) -> list:
    """The raw entries of manifest.json ([] without one); a CorpusError if it is not readable JSON."""
    path = corpus_dir / MANIFEST
    if not path.exists():
        return []
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise CorpusError(f"{path.name}: {path.stat().st_size} bytes is larger than the "
                              f"{MAX_MANIFEST_BYTES} allowed")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorpusError(f"{path.name}: not valid JSON ({e})") from None
    except RecursionError:
        raise CorpusError(f"{path.name}: nested too deep to be a manifest (a list of flat entries)") from None
    entries = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CorpusError(f"{path.name}: expected an object with a list under 'reports'")
    return entries


def load_manifest(corpus_dir: Path) -> list[Report]:
    """Every manifest entry, strictly: the first bad one raises."""
    entries = _manifest_entries(corpus_dir)
    reports = [_check_entry(e, f"{MANIFEST} entry {i + 1}") for i, e in enumerate(entries)]
    seen = set()
    for r in reports:
        if r.doc_id in seen:
            raise CorpusError(f"{MANIFEST}: doc_id {r.doc_id!r} appears twice")
        seen.add(r.doc_id)
    return reports


def save_manifest(corpus_dir: Path, reports: list[Report | dict]) -> None:
    """Reports, or raw entries kept as they were (an entry that does not validate is not dropped)."""
    body = {"reports": [r if isinstance(r, dict) else {k: v for k, v in asdict(r).items() if k != "sha256"}
                        for r in reports]}
    write_atomic(corpus_dir / MANIFEST, (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode())


# --- detection for reports without a manifest entry ------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    "januari februari mars april maj juni juli augusti september oktober november december".split())}
_TYPES = (("tertialrapport", "Tertialrapport"), ("delårsrapport", "Delårsrapport"),
          ("årsredovisning", "Årsredovisning"), ("verksamhetsberättelse", "Verksamhetsberättelse"),
          ("månadsrapport", "Månadsrapport"))


def detect_report(text: str, source: str) -> Report:
    """Kommun, type and period from the text itself, or a CorpusError saying what is missing."""
    found = detect_fields(text, source)
    missing = [w for w, k in (("kommun", "kommun"), ("report type", "report_type"), ("period", "period_end"))
               if not found[k]]
    if missing:
        raise CorpusError(f"{source}: could not detect {', '.join(missing)} from the text; "
                          "add an entry for it in corpus/manifest.json")
    return Report(**found)


def detect_fields(text: str, source: str) -> dict[str, str]:
    """The manifest fields the text gives, "" where it gives none."""
    head = text[:6000]
    low = head.lower()
    kommun = next(iter(kommuner_in(head)), "")
    if not kommun:
        m = re.search(r"@([a-zåäö-]{1,40})\.se\b", low)
        if m:
            for k in kommuner_in(text[:200_000]):
                if k.lower().replace("å", "a").replace("ä", "a").replace("ö", "o") == m.group(1):
                    kommun = k
    rtype = next((name for key, name in _TYPES if key in low), "")
    year = month = None
    m = re.search(r"(?:januari\s*[-–]\s*|per\s+\d{1,2}\s+|t\.?o\.?m\.?\s+)(" + "|".join(_MONTHS) + r")\s+(" + YEAR + ")", low)
    if m:
        month, year = _MONTHS[m.group(1)], int(m.group(2))
    elif (m := re.search(r"tertialrapport\s+(" + "|".join(_MONTHS) + r")\s+(" + YEAR + ")", low)):
        month, year = _MONTHS[m.group(1)], int(m.group(2))
    elif (m := re.search(r"(årsredovisning|verksamhetsberättelse)\s+(" + YEAR + ")", low)):
        month, year = 12, int(m.group(2))
    elif (m := re.search(r"delårsrapport\s+(\d)\s+(?:år\s+)?(" + YEAR + ")", low)):
        month, year = {1: 4, 2: 8}.get(int(m.group(1)), 8), int(m.group(2))
    period_end = f"{year}-{month:02d}" if year else ""
    doc_id = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-")
    title = f"{rtype} {period_end}" if rtype and year else ""
    return dict(doc_id=doc_id, kommun=kommun, namnd="Socialnämnden", report_type=rtype.lower(), title=title,
                period_start=f"{year}-01" if year else "", period_end=period_end, source=source)


# --- sections ---------------------------------------------------------------------

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


_NUM_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-ZÅÄÖ].{1,100})$")


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


def split_sections(lines: list[str], doc_id: str, tables: list[Table]) -> list[Section]:
    """Sections with heading paths: markdown and numbered headings, and short
    stand-alone lines (levelled by the report's table of contents where it has one)."""
    table_lines = {n for t in tables for n in range(t.start_line, t.end_line + 1)}
    toc = _toc_titles(tables)
    heads: list[tuple[int, int, str]] = []  # (line 1-based, level, text)
    structured = 0
    group = False  # a plain heading directly followed by another heading groups those after it
    for i, raw in enumerate(lines):
        if (i + 1) in table_lines or not raw.strip():
            continue
        s = raw.strip()
        if md := md_heading(s):
            text = clean_cell(md[1]).strip("*").strip()
            level = md[0]
            structured, group = level, False
        elif len(s) <= 110 and s[-1] not in ".:," and (m := _NUM_HEADING.match(s)):
            text, level = s, m.group(1).count(".") + 1
            structured, group = level, False
        elif (text := _plain_heading(lines, i)) is not None:
            if _norm(text) in toc:
                level = 1
                structured = 1
                group = False
            else:
                nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
                starts_group = nxt is not None and (nxt + 1) not in table_lines \
                    and _plain_heading(lines, nxt) is not None and not md_heading(lines[nxt].strip())
                if starts_group:
                    level, group = structured + 1, True
                else:
                    level = structured + (2 if group else 1)
        else:
            continue
        heads.append((i + 1, level, text))
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


# --- whole reports ------------------------------------------------------------------

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
    money = doc_money_unit(text, tables)
    parsed = ParsedReport(report, tuple(lines), tuple(sections), tuple(tables), (), ())
    facts = []
    for t in tables:
        section = parsed.section_at(t.start_line)
        sec = section_name(section)
        if not t.caption and section.heading:
            t = dataclasses.replace(t, caption=section.heading)
        facts.extend(table_facts(t, doc_id=report.doc_id, kommun=report.kommun, period=report.period_end,
                                 section=sec, money_unit=money))
    for w in warnings:
        log.warning("%s", w)
    pages, places = tuple(getattr(text, "pages", ())), tuple(getattr(text, "places", ()))  # PDF/Word provenance
    if pages or places:
        facts = [dataclasses.replace(f, page=pages[f.line - 1] if f.line <= len(pages) else 0,
                                     place=places[f.line - 1] if f.line <= len(places) else "") for f in facts]
    return ParsedReport(report, tuple(lines), tuple(sections), tuple(tables), tuple(facts), tuple(warnings),
                        pages, places)


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and p.name.lower() != "readme.md")


def load_corpus(corpus_dir: Path, problems: list[str] | None = None) -> list[ParsedReport]:
    """Every readable report in the folder: manifest entries first, then detected ones.

    A report that cannot be read, lies outside the folder, or repeats another's
    doc_id or text is left out with a warning naming it (also appended to
    `problems`); the rest is served. Only a folder with no readable report fails.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    problems = problems if problems is not None else []
    parsed: list[ParsedReport] = []
    by_id: dict[str, str] = {}
    by_sha: dict[str, str] = {}

    def leave_out(message: str) -> None:
        problems.append(f"{message}; left out")
        log.warning("%s; left out", message)

    def keep(report: Report, text: str) -> None:
        sha = sha256(text)
        if report.doc_id in by_id:
            return leave_out(f"{report.source}: doc_id {report.doc_id!r} is already used by {by_id[report.doc_id]}")
        if sha in by_sha:
            return leave_out(f"{report.source}: the same text as {by_sha[sha]}")
        try:
            parsed.append(parse_report(Report(**{**asdict(report), "sha256": sha}), text))
        except CorpusError as e:  # a limit on what a report may cost
            return leave_out(str(e))
        except Exception as e:  # a hostile file must not take the corpus down
            return leave_out(f"{report.source}: cannot be parsed ({type(e).__name__}: {e})")
        by_id[report.doc_id] = by_sha[sha] = report.source

    try:
        entries = _manifest_entries(corpus_dir)
    except CorpusError as e:
        leave_out(f"{e} (its reports are detected from their text instead)")
        entries = []
    listed = {str(e.get("source")) for e in entries if isinstance(e, dict)}

    def read(where: str, load):
        """`load()` -> (report, text), or None with the report left out and the reason logged."""
        try:
            return load()
        except CorpusError as e:
            leave_out(str(e))
        except Exception as e:  # a reader library failing on a hostile PDF/Word file
            leave_out(f"{where}: cannot be read ({type(e).__name__}: {e})")
        return None

    def listed_report(entry, where: str):
        try:
            r = _check_entry(entry, where)
        except CorpusError as e:  # the entry degrades alone: its report is read with what can be detected
            source = entry.get("source") if isinstance(entry, dict) else None
            if not isinstance(source, str) or not source.strip():
                raise
            text = read_report_text(source_path(corpus_dir, source, where))
            r = salvage_entry(entry, text)
            problems.append(f"{e}; read as {r.kommun}, {r.report_type}, {r.period_start}–{r.period_end}")
            log.warning("%s", problems[-1])
            return r, text
        return r, read_report_text(source_path(corpus_dir, r.source, where))

    def unlisted_report(path: Path):
        text = read_report_text(source_path(corpus_dir, path.name, path.name))
        detected = detect_report(text, path.name)
        log.warning("%s: not in %s; detected %s, %s, %s", path.name, MANIFEST,
                    detected.kommun, detected.report_type, detected.period_end)
        return detected, text

    for i, entry in enumerate(entries):
        where = f"{MANIFEST} entry {i + 1}"
        got = read(where, lambda: listed_report(entry, where))
        if got:
            keep(*got)
    for path in corpus_files(corpus_dir):
        if path.name not in listed:
            got = read(path.name, lambda: unlisted_report(path))
            if got:
                keep(*got)
    if not parsed:
        raise CorpusError(f"{corpus_dir}: no readable reports found" + (f" ({problems[0]})" if problems else ""))
    return parsed


@dataclass(frozen=True)
class Known:
    """A report already in the corpus, as far as an upload must not repeat it."""

    doc_id: str
    source: str
    sha256: str
    label: str


def known_reports(corpus_dir: Path, entries: list) -> list[Known]:
    """doc_id, file and text hash of every readable report in the folder (no parsing)."""
    out = []
    listed = set()
    for entry in entries:
        try:
            r = _check_entry(entry, MANIFEST)
            listed.add(r.source)
            text = read_report_text(source_path(corpus_dir, r.source, MANIFEST))
        except Exception:  # unreadable or invalid: load_corpus leaves it out, nothing to compare with
            continue
        out.append(Known(r.doc_id, r.source, sha256(text), f"{r.kommun} – {r.title}"))
    for path in corpus_files(corpus_dir):
        if path.name in listed:
            continue
        try:
            text = read_report_text(source_path(corpus_dir, path.name, path.name))
        except Exception:
            continue
        try:
            r = detect_report(text, path.name)
            out.append(Known(r.doc_id, path.name, sha256(text), f"{r.kommun} – {r.title}"))
        except CorpusError:
            out.append(Known("", path.name, sha256(text), path.name))
    return out


def add_report(corpus_dir: Path, name: str, data: bytes, report: Report | None = None) -> ParsedReport:
    """Validate an uploaded report and add it to the corpus folder and manifest.

    Everything is checked before anything is written; the file and the manifest
    are each replaced atomically, and nothing already there is overwritten. A
    report whose text or doc_id is already in the corpus is refused, whatever its
    file name, with the name of the report it repeats.
    """
    name = check_report_name(name)
    if Path(name).suffix.lower() not in REPORT_SUFFIXES:
        raise CorpusError(f"{name}: only {', '.join(REPORT_SUFFIXES)} files are accepted")
    text = report_text(data, name)
    entries = _manifest_entries(corpus_dir)
    known = known_reports(corpus_dir, entries)
    if (corpus_dir / name).exists() or any(isinstance(e, dict) and e.get("source") == name for e in entries):
        raise CorpusError(f"{name}: a report with this file name is already in the corpus")
    sha = sha256(text)
    if dup := next((k for k in known if k.sha256 == sha), None):
        raise CorpusError(f"{name}: the same text is already in the corpus as {dup.source} ({dup.label})")
    report = report or detect_report(text, name)
    if dup := next((k for k in known if k.doc_id == report.doc_id), None):
        raise CorpusError(f"{name}: doc_id {report.doc_id!r} is already in the corpus, used by {dup.source} "
                          f"({dup.label})")
    report = _check_entry({**asdict(report), "source": name}, name)
    parsed = parse_report(Report(**{**asdict(report), "sha256": sha}), text)
    if not parsed.sections:
        raise CorpusError(f"{name}: no text sections found")
    write_atomic(corpus_dir / name, data if Path(name).suffix.lower() in DOCUMENT_SUFFIXES else text.encode("utf-8"))
    try:
        save_manifest(corpus_dir, entries + [report])
    except BaseException:
        (corpus_dir / name).unlink(missing_ok=True)
        raise
    return parsed


def remove_report(corpus_dir: Path, doc_id: str) -> Report:
    """Take one report out of the corpus: its manifest entry (rewritten atomically) and its file.

    The file is first moved aside, so a failed manifest write puts it back and
    nothing is lost; the index follows on the next build."""
    entries = _manifest_entries(corpus_dir)
    listed = [(i, e) for i, e in enumerate(entries) if isinstance(e, dict) and e.get("doc_id") == doc_id]
    if listed:
        report = _check_entry(listed[0][1], MANIFEST)
    else:
        detected = [k for k in known_reports(corpus_dir, entries) if k.doc_id == doc_id]
        if not detected:
            raise CorpusError(f"doc_id {doc_id!r} is not in the corpus")
        report = detect_report(read_report_text(corpus_dir / detected[0].source), detected[0].source)
    path = source_path(corpus_dir, report.source, MANIFEST)
    aside = path.with_name(f".{path.name}.removed")
    if path.exists():
        os.replace(path, aside)
    try:
        if listed:
            save_manifest(corpus_dir, [e for i, e in enumerate(entries) if i != listed[0][0]])
    except BaseException:
        if aside.exists():
            os.replace(aside, path)
        raise
    aside.unlink(missing_ok=True)
    log.info("removed %s (%s) from the corpus", doc_id, report.source)
    return report
