"""Kommun, report type and period of a report without a manifest entry, read from its first pages
(the title page and the e-mail addresses printed there)."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import CorpusError
from ..kommuner import kommuner_in
from ..models import Report
from ..years import YEAR

#: How far into the text the title page reaches.
_HEAD_CHARS = 6000
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
    head = text[:_HEAD_CHARS]
    low = head.lower()
    kommun = _detect_kommun(text, head, low)
    rtype = next((name for key, name in _TYPES if key in low), "")
    year, month = _detect_period_end(low)
    period_end = f"{year}-{month:02d}" if year else ""
    doc_id = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-")
    title = f"{rtype} {period_end}" if rtype and year else ""
    return dict(doc_id=doc_id, kommun=kommun, namnd="Socialnämnden", report_type=rtype.lower(), title=title,
                period_start=f"{year}-01" if year else "", period_end=period_end, source=source)


def _detect_kommun(text: str, head: str, low: str) -> str:
    """The first kommun named on the title page, else the one whose name is the domain of an
    e-mail address there (`@enkoping.se`), "" if neither."""
    kommun = next(iter(kommuner_in(head)), "")
    if not kommun:
        m = re.search(r"@([a-zåäö-]{1,40})\.se\b", low)
        if m:
            for k in kommuner_in(text[:200_000]):
                if k.lower().replace("å", "a").replace("ä", "a").replace("ö", "o") == m.group(1):
                    kommun = k
    return kommun


def _detect_period_end(low: str) -> tuple[int | None, int | None]:
    """(year, month) the report runs to, from the title page's wording; (None, None) if none."""
    months = "|".join(_MONTHS)
    if m := re.search(r"(?:januari\s*[-–]\s*|per\s+\d{1,2}\s+|t\.?o\.?m\.?\s+)(" + months + r")\s+(" + YEAR + ")", low):
        return int(m.group(2)), _MONTHS[m.group(1)]
    if m := re.search(r"tertialrapport\s+(" + months + r")\s+(" + YEAR + ")", low):
        return int(m.group(2)), _MONTHS[m.group(1)]
    if m := re.search(r"(årsredovisning|verksamhetsberättelse)\s+(" + YEAR + ")", low):
        return int(m.group(2)), 12
    if m := re.search(r"delårsrapport\s+(\d)\s+(?:år\s+)?(" + YEAR + ")", low):
        return int(m.group(2)), {1: 4, 2: 8}.get(int(m.group(1)), 8)
    return None, None
