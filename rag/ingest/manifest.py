"""`corpus/manifest.json`: one entry per report (kommun, type, period, file), read strictly or
salvaged field by field, and written atomically (a crash leaves the old manifest or the new one)."""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

from ..errors import CorpusError
from ..files import write_atomic
from ..models import Report
from .detect import detect_fields

MANIFEST = "manifest.json"
MANIFEST_FIELDS = ("doc_id", "kommun", "namnd", "report_type", "title", "period_start", "period_end", "source")
#: A manifest is a flat list of entries: some 300 bytes each.
MAX_MANIFEST_BYTES = 2_000_000
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Report periods outside these years are typing errors, not reports.
MIN_YEAR, MAX_YEAR = 1990, 2100


def check_period(value: str, what: str) -> str:
    """`YYYY-MM` with a month 1–12 and a year between MIN_YEAR and MAX_YEAR, else a CorpusError."""
    if not _PERIOD_RE.match(value):
        raise CorpusError(f"{what} {value!r} is not YYYY-MM")
    if not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
        raise CorpusError(f"{what} {value!r}: the year is outside {MIN_YEAR}–{MAX_YEAR}")
    return value


def check_entry(entry: dict, where: str) -> Report:
    """The report one manifest entry describes, or a CorpusError naming `where` and what is wrong."""
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


def manifest_entries(corpus_dir: Path) -> list:
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
    entries = manifest_entries(corpus_dir)
    reports = [check_entry(e, f"{MANIFEST} entry {i + 1}") for i, e in enumerate(entries)]
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
