"""Swedish number formats: `2 500`, `- 196,6`, `7,3 %`, `7.0%`, `−4`.

One parser serves table cells, prose and the answer check, so a number is
read the same way wherever it appears.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_MINUS = "-−–"
_SPACE = " \u00a0\u202f"

# A number in running text: grouped thousands (`2 548`, `11 353`) or plain.
NUMBER_RE = re.compile(
    r"(?<![\w,.])(?P<sign>[-−–]\s?)?"
    r"(?P<num>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?|\d+(?:[,.]\d+)?)"
    r"(?![\d])"
)

_CELL_RE = re.compile(
    r"^(?P<sign>[-−–]\s*)?(?P<num>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?|\d+(?:[,.]\d+)?)"
    r"\s*(?P<unit>%|procent)?\s*\**$"
)


@dataclass(frozen=True)
class Number:
    value: float
    start: int
    end: int
    text: str


def to_float(num: str, sign: str | None = None) -> float:
    """`2 548,5` -> 2548.5; a `.` is a decimal point here (`7.0%`)."""
    digits = re.sub(f"[{_SPACE}]", "", num).replace(",", ".")
    value = float(digits)
    return -value if sign and sign.strip() else value


def parse_cell(text: str) -> tuple[float, str] | None:
    """A table cell that is one number, with `%` if printed; else None."""
    cell = text.strip()
    m = _CELL_RE.match(cell)
    if not m:
        return None
    unit = "%" if m.group("unit") else ""
    return to_float(m.group("num"), m.group("sign")), unit


def find_numbers(text: str) -> list[Number]:
    """Every number in prose, signs kept (`-5,4`), years included."""
    out = []
    for m in NUMBER_RE.finditer(text):
        out.append(Number(to_float(m.group("num"), m.group("sign")), m.start(), m.end(), m.group(0)))
    return out


def same_value(a: float, b: float) -> bool:
    """Equal as printed numbers, ignoring sign (tables print costs negative)."""
    return abs(abs(a) - abs(b)) < 1e-6


def format_sv(value: float, decimals: int | None = None) -> str:
    """Format as a Swedish report would: `2 548`, `-6,3`."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    s = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("-" if value < 0 else "") + s
