"""Years as reports and questions write them: one pattern, and the few questions asked of it.

A year is a four-digit 19xx/20xx token standing alone; anything that reads
years (a row label `2023`, a column `Utfall 2024`, a sentence's numbers that
are not figures) asks here, so they all agree on what a year is.
"""
from __future__ import annotations

import re

YEAR = r"(?:19|20)\d\d"  # for building larger patterns (`delårsrapport 2 2024`)
YEAR_RE = re.compile(rf"\b{YEAR}\b")


def years_in(text: str) -> tuple[int, ...]:
    """Every year the text names, in order."""
    return tuple(int(m.group()) for m in YEAR_RE.finditer(text))


def is_year(text: str) -> bool:
    """Whether the text is a year and nothing else (a row label `2023`, a number `2024`)."""
    return re.fullmatch(rf"\s*{YEAR}\s*", text) is not None


def without_years(text: str, replacement: str = "") -> str:
    """The text with its years taken out, so the numbers left are figures."""
    return YEAR_RE.sub(replacement, text)
