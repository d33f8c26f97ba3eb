"""The corpus folder: a manifest plus report text files, read and split into sections.

A report is accepted only whole: bad bytes, an empty file or a manifest entry
pointing at nothing raise `CorpusError` naming the file (and line), before
anything is written anywhere.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import CorpusError
from .kommuner import kommuner_in
from .models import Fact, Report, Section
from .tables import ParseWarning, Table, clean_cell, doc_money_unit, parse_tables, table_facts

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
REPORT_SUFFIXES = (".txt", ".md")
MAX_REPORT_BYTES = 5_000_000
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MANIFEST_FIELDS = ("doc_id", "kommun", "namnd", "report_type", "title", "period_start", "period_end", "source")


@dataclass(frozen=True)
class ParsedReport:
    report: Report
    lines: tuple[str, ...]
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    facts: tuple[Fact, ...]
    warnings: tuple[ParseWarning, ...] = field(default=())

    def section_at(self, line: int) -> Section:
        """The section holding a 1-based line."""
        best = self.sections[0]
        for s in self.sections:
            if s.start_line <= line:
                best = s
            else:
                break
        return best


# --- reading -------------------------------------------------------------------

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


def read_report_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path.name}: file not found in {path.parent}") from None
    return decode_report(data, path.name)


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
        if not _PERIOD_RE.match(str(entry[k])):
            raise CorpusError(f"{where}: {k} {entry[k]!r} is not YYYY-MM")
    return Report(**{k: str(entry[k]) for k in MANIFEST_FIELDS})


def load_manifest(corpus_dir: Path) -> list[Report]:
    path = corpus_dir / MANIFEST
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorpusError(f"{path.name}: not valid JSON ({e})") from None
    entries = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CorpusError(f"{path.name}: expected an object with a list under 'reports'")
    reports = [_check_entry(e, f"{path.name} entry {i + 1}") for i, e in enumerate(entries)]
    seen = set()
    for r in reports:
        if r.doc_id in seen:
            raise CorpusError(f"{path.name}: doc_id {r.doc_id!r} appears twice")
        seen.add(r.doc_id)
    return reports


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary sibling, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_manifest(corpus_dir: Path, reports: list[Report]) -> None:
    body = {"reports": [{k: v for k, v in asdict(r).items() if k != "sha256"} for r in reports]}
    write_atomic(corpus_dir / MANIFEST, (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode())


# --- detection for reports without a manifest entry ------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    "januari februari mars april maj juni juli augusti september oktober november december".split())}
_TYPES = (("tertialrapport", "Tertialrapport"), ("delårsrapport", "Delårsrapport"),
          ("årsredovisning", "Årsredovisning"), ("verksamhetsberättelse", "Verksamhetsberättelse"),
          ("månadsrapport", "Månadsrapport"))


def detect_report(text: str, source: str) -> Report:
    """Kommun, type and period from the text itself, or a CorpusError saying what is missing."""
    head = text[:6000]
    low = head.lower()
    kommun = next(iter(kommuner_in(head)), "")
    if not kommun:
        m = re.search(r"@([a-zåäö-]+)\.se\b", low)
        if m:
            for k in kommuner_in(text):
                if k.lower().replace("å", "a").replace("ä", "a").replace("ö", "o") == m.group(1):
                    kommun = k
    rtype = next((name for key, name in _TYPES if key in low), "")
    year = month = None
    m = re.search(r"(?:januari\s*[-–]\s*|per\s+\d{1,2}\s+|t\.?o\.?m\.?\s+)(" + "|".join(_MONTHS) + r")\s+(20\d\d)", low)
    if m:
        month, year = _MONTHS[m.group(1)], int(m.group(2))
    elif (m := re.search(r"tertialrapport\s+(" + "|".join(_MONTHS) + r")\s+(20\d\d)", low)):
        month, year = _MONTHS[m.group(1)], int(m.group(2))
    elif (m := re.search(r"(årsredovisning|verksamhetsberättelse)\s+(20\d\d)", low)):
        month, year = 12, int(m.group(2))
    elif (m := re.search(r"delårsrapport\s+(\d)\s+(?:år\s+)?(20\d\d)", low)):
        month, year = {1: 4, 2: 8}.get(int(m.group(1)), 8), int(m.group(2))
    missing = [w for w, v in (("kommun", kommun), ("report type", rtype), ("period", year)) if not v]
    if missing:
        raise CorpusError(f"{source}: could not detect {', '.join(missing)} from the text; "
                          "add an entry for it in corpus/manifest.json")
    period_end = f"{year}-{month:02d}"
    doc_id = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-")
    title = f"{rtype} {period_end}"
    return Report(doc_id, kommun, "Socialnämnden", rtype.lower(), title, f"{year}-01", period_end, source)


# --- sections ---------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_NUM_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-ZÅÄÖ].{1,100})$")
_TOC_ENTRY = re.compile(r"^(?:(\d{1,2}(?:\.\d{1,2})*)\s+)?(.+?)\s*\.{3,}.*$|^(.+?)\s+\d{1,3}$")


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
        if m := _MD_HEADING.match(s):
            text = clean_cell(m.group(2)).strip("*").strip()
            level = len(m.group(1))
            structured, group = level, False
        elif (m := _NUM_HEADING.match(s)) and s[-1] not in ".:," and len(s) <= 110:
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
                    and _plain_heading(lines, nxt) is not None and not _MD_HEADING.match(lines[nxt].strip())
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

def parse_report(report: Report, text: str) -> ParsedReport:
    lines = text.split("\n")
    warnings: list[ParseWarning] = []
    tables = parse_tables(lines, report.source, warnings)
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
    return ParsedReport(report, tuple(lines), tuple(sections), tuple(tables), tuple(facts), tuple(warnings))


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and p.name.lower() != "readme.md")


def load_corpus(corpus_dir: Path) -> list[ParsedReport]:
    """Every report in the folder: manifest entries first, then detected ones."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    reports = load_manifest(corpus_dir)
    listed = {r.source for r in reports}
    parsed = []
    for r in reports:
        text = read_report_text(corpus_dir / r.source)
        parsed.append(parse_report(Report(**{**asdict(r), "sha256": sha256(text)}), text))
    for path in corpus_files(corpus_dir):
        if path.name in listed:
            continue
        text = read_report_text(path)
        detected = detect_report(text, path.name)
        log.warning("%s: not in %s; detected %s, %s, %s", path.name, MANIFEST,
                    detected.kommun, detected.report_type, detected.period_end)
        parsed.append(parse_report(Report(**{**asdict(detected), "sha256": sha256(text)}), text))
    if not parsed:
        raise CorpusError(f"{corpus_dir}: no reports found")
    return parsed


def add_report(corpus_dir: Path, name: str, data: bytes, report: Report | None = None) -> ParsedReport:
    """Validate an uploaded report and add it to the corpus folder and manifest.

    Everything is checked before anything is written; the file and the manifest
    are each replaced atomically, and nothing already there is overwritten.
    """
    name = Path(name).name
    if Path(name).suffix.lower() not in REPORT_SUFFIXES:
        raise CorpusError(f"{name}: only {', '.join(REPORT_SUFFIXES)} text exports are accepted")
    text = decode_report(data, name)
    existing = load_manifest(corpus_dir)
    if (corpus_dir / name).exists() or any(r.source == name for r in existing):
        raise CorpusError(f"{name}: a report with this file name is already in the corpus")
    report = report or detect_report(text, name)
    if any(r.doc_id == report.doc_id for r in existing):
        raise CorpusError(f"{name}: doc_id {report.doc_id!r} is already in the corpus")
    report = _check_entry({**asdict(report), "source": name}, name)
    parsed = parse_report(Report(**{**asdict(report), "sha256": sha256(text)}), text)
    if not parsed.sections:
        raise CorpusError(f"{name}: no text sections found")
    write_atomic(corpus_dir / name, text.encode("utf-8"))
    try:
        save_manifest(corpus_dir, existing + [report])
    except BaseException:
        (corpus_dir / name).unlink(missing_ok=True)
        raise
    return parsed
