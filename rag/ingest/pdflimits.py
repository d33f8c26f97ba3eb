"""Bounds on what reading a PDF may cost, enforced inside pdfminer's own decoding.

pdfminer inflates every Flate stream whole (`zlib.decompress`), so a 2 MB file of compressed
zeros took 4 GB. While `read_pdf` reads a file, the zlib that `pdfminer.pdftypes` calls is
`_BoundedZlib`: it inflates a megabyte at a time and stops a stream past `max_stream_bytes`
or a file past `max_unpacked_bytes` (content, fonts, CMaps and object streams alike).
Outside `bounded()` it is plain zlib, so other users of pdfminer see no difference.
A page's operators are counted from its content (and its forms') before pdfminer interprets
them into one Python object each.
"""
from __future__ import annotations

import contextlib
import contextvars
import re
import zlib
from dataclasses import dataclass

from .document import ReadLimits, UnreadableReport, over_limit


@dataclass
class _Budget:
    name: str
    limits: ReadLimits
    total: int = 0
    refusal: UnreadableReport | None = None  # kept: pdfminer may swallow the exception itself

    def refuse(self, what: str, found: int, limit: int, setting: str) -> UnreadableReport:
        self.refusal = self.refusal or over_limit(self.name, what, found, limit, setting)
        return self.refusal


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("pdf_budget", default=None)


class _BoundedZlib:
    """zlib for pdfminer: `decompress` bounded while a budget is set, the rest as zlib."""

    error = zlib.error

    def __getattr__(self, attr):
        return getattr(zlib, attr)

    def decompress(self, data, *args):
        budget = _BUDGET.get()
        if budget is None:
            return zlib.decompress(data, *args)
        lim = budget.limits
        d = zlib.decompressobj()
        out: list[bytes] = []
        size = 0
        view = memoryview(bytes(data))
        try:
            for k in range(0, len(view), 1 << 16):
                chunk = view[k:k + (1 << 16)]
                while chunk:
                    piece = d.decompress(chunk, 1 << 20)
                    size += len(piece)
                    budget.total += len(piece)
                    if size > lim.max_stream_bytes:
                        raise budget.refuse("uppackad storlek (byte) för en ström i PDF-filen", size,
                                            lim.max_stream_bytes, "max_stream_bytes")
                    if budget.total > lim.max_unpacked_bytes:
                        raise budget.refuse("PDF-filens uppackade storlek (byte)", budget.total,
                                            lim.max_unpacked_bytes, "max_unpacked_bytes")
                    out.append(piece)
                    chunk = d.unconsumed_tail
                if d.eof:
                    break
        except zlib.error:
            if not out:
                raise  # nothing readable: pdfminer's own fallback (at most one megabyte) decides
        return b"".join(out)  # a truncated or damaged stream gives what could be read, as pdfminer's fallback


_ZLIB = _BoundedZlib()


@contextlib.contextmanager
def bounded(name: str, limits: ReadLimits):
    """Decoding in this thread bounded by `limits` while the block runs; the budget is yielded."""
    from pdfminer import pdftypes

    pdftypes.zlib = _ZLIB  # idempotent; unbounded outside a budget
    budget = _Budget(name, limits)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


# an operator: 1-3 letters (or ' " *) standing alone; names (/F1), numbers and most string text are not
_OPERATOR = re.compile(rb"(?<![^\s\[\]<>{}])[A-Za-z'\"][A-Za-z*0-9]{0,2}(?![^\s\[\]()<>/{}%])")


def _streams(page_obj, depth: int = 3, seen: set | None = None):
    """The page's content streams and the form XObjects it can draw, to `depth` levels."""
    from pdfminer.pdftypes import PDFStream, resolve1

    seen = set() if seen is None else seen
    yield from (s for s in getattr(page_obj, "contents", ()) if isinstance(s, PDFStream))
    stack = [(resolve1(getattr(page_obj, "resources", None) or {}), 0)]
    while stack:
        res, level = stack.pop()
        xobjects = resolve1(res.get("XObject")) if isinstance(res, dict) else None
        for ref in (xobjects or {}).values() if isinstance(xobjects, dict) else ():
            obj = resolve1(ref)
            if not isinstance(obj, PDFStream) or id(obj) in seen or getattr(resolve1(obj.get("Subtype")), "name", "") != "Form":
                continue
            seen.add(id(obj))
            yield obj
            if level + 1 < depth:
                stack.append((resolve1(obj.get("Resources")), level + 1))


def check_operators(page_obj, number: int, budget: _Budget, deadline) -> None:
    """Refuse a page whose content holds more operators than `max_page_operators`, before pdfminer
    interprets them (its streams are decoded here, bounded, and kept for the interpreter)."""
    count = 0
    for stream in _streams(page_obj):
        deadline.check(f" (sida {number})")
        data = stream.get_data()
        if budget.refusal:
            raise budget.refusal
        count += len(_OPERATOR.findall(data))
        if count > budget.limits.max_page_operators:
            raise over_limit(budget.name, f"antalet ritoperationer på sida {number}", count,
                             budget.limits.max_page_operators, "max_page_operators")


def check_objects(page, number: int, limits: ReadLimits, name: str) -> None:
    """Characters, rectangles, lines and curves of a read page within the limits, before tables are sought."""
    drawings = len(page.rects) + len(page.lines) + len(page.curves)
    objects = drawings + len(page.chars)
    if objects > limits.max_page_objects:
        raise over_limit(name, f"antalet tecken och ritobjekt på sida {number}", objects,
                         limits.max_page_objects, "max_page_objects")
    if drawings > limits.max_page_drawings:
        raise over_limit(name, f"antalet linjer och rektanglar på sida {number}", drawings,
                         limits.max_page_drawings, "max_page_drawings")
