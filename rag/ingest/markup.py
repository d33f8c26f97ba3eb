"""Report markup turned into text when a report is read: some exports carry HTML tags (`<b>`,
`<p>`) and entities (`&amp;`) in their lines, which no answer, source or chart should show.
Line by line, so that line numbers (and with them citations) stay as they were."""
from __future__ import annotations

import html
import re

_BLOCK = re.compile(r"</?(?:p|br|div|li|ul|ol|tr|td|th|h[1-6])\b[^>]*>", re.I)  # a break between words
_INLINE = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>", re.I)  # <b>, <span class=…>: no break
_ENTITY = re.compile(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.I)


def plain_line(line: str) -> str:
    """The line without markup; a line without any is returned as it is."""
    if "<" not in line and "&" not in line:
        return line
    if not (_INLINE.search(line) or _ENTITY.search(line)):
        return line
    text = _BLOCK.sub(" ", line)
    text = _INLINE.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    text = re.sub(r" {2,}", " ", text)
    return re.sub(r" *\t *", "\t", text).strip(" ")
