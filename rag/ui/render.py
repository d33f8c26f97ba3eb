"""Report text made safe to show where the app renders markdown with HTML allowed.

Report text is data, not markup: `![bild](http://…)` in an uploaded report must
show as those characters, not make the reader's browser fetch a remote image.
Every character markdown or HTML gives a meaning is escaped, and the patterns
that become links on their own (`http://`, `www.`, `a@b.se`) are broken with an
invisible word joiner, so they render as the same characters and link nowhere.
"""
from __future__ import annotations

import re

#: ASCII punctuation markdown reads as syntax (CommonMark lets any of them be backslash-escaped).
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~$=:^")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
#: Autolink triggers, broken by writing one character as a numeric reference.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def escape_markdown(text: str, keep: re.Pattern[str] | None = None) -> str:
    """`text` as literal text in markdown-with-HTML; spans matching `keep` (e.g. `[n]`
    markers the caller turns into links next) are left as they are."""
    pieces, last = [], 0
    for m in keep.finditer(text) if keep is not None else ():
        pieces.append(_escape_plain(text[last:m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(_escape_plain(text[last:]))
    return "".join(pieces)


def _escape_plain(text: str) -> str:
    parts = _AUTOLINK.split(text)
    return "".join(_break_autolink(p) if i % 2 else _escape(p) for i, p in enumerate(parts))


#: invisible, and no autolink reads across it (a character reference is decoded before links are
#: found, in the browser's markdown renderer, so `&#58;//` still became a link there)
_JOINER = "\u2060"


def _break_autolink(trigger: str) -> str:
    if trigger == "://":
        return f":{_JOINER}//"
    return f"{_JOINER}@" if trigger == "@" else f"{trigger[:3]}{_JOINER}."
