"""Issue 27: what reading one file may cost is bounded inside the readers. Each hostile file is
built here (a zip bomb, a Flate bomb, a page of drawing operators, 20 000 tiny tables, a text of
table rows), refused with a Swedish message naming the limit, within a time and a memory bound,
and the corpus's other reports are still read."""
from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile
import zlib

import pytest

from rag.errors import CorpusError
from rag.ingest.corpus import load_corpus
from rag.ingest.pdfreader import read_pdf
from rag.ingest.document import ReadLimits, UnreadableReport
from rag.ingest.readers import read_docx, read_document

BUNDLED = {"enkoping-delar-2024-08", "enkoping-tertial-2024-04", "eskilstuna-delar2-2023-08",
           "solna-arsredovisning-2023", "huddinge-delar-2023-08"}
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _costs(fn, *args):
    """(exception, CPU seconds, peak MB of Python allocations) of fn(*args), which must raise. CPU
    time, not wall time: the bound is on the work a hostile file causes, whatever else shares the
    machine (two clean-clone CI runs side by side took a refusal from 6 to 11 wall seconds)."""
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(CorpusError) as err:
            fn(*args)
    finally:
        seconds = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return str(err.value), seconds, peak


def _docx(body: str = "", extra: dict[str, int] | None = None) -> bytes:
    """A Word file made by python-docx, its body replaced by `body` (XML) and `extra` members of
    that many zero bytes added (written a megabyte at a time: the test never holds them)."""
    from docx import Document

    buf = io.BytesIO()
    d = Document()
    d.add_paragraph("Socialnämnden i Solna stad. Årsredovisning 2023. Text om verksamheten.")
    d.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if body and info.filename == "word/document.xml":
                data = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}'
                        '</w:body></w:document>').encode()
            dst.writestr(info.filename, data)
        for name, size in (extra or {}).items():
            with dst.open(name, "w", force_zip64=True) as f:
                for _ in range(size >> 20):
                    f.write(bytes(1 << 20))
    return out.getvalue()


def _pdf(content: bytes, flate: bool = True) -> bytes:
    """A one-page PDF whose page content is `content` (Flate-compressed unless told not)."""
    stream = zlib.compress(content, 9) if flate else content
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d%s >>\nstream\n" % (len(stream), b" /Filter /FlateDecode" if flate else b"")
            + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


TEXT = b"BT /F1 12 Tf 72 760 Td (Socialnamnden i Solna stad, arsredovisning 2023.) Tj ET\n"

CASES = {  # name: (file, the limit its message names)
    "zipbomb.docx": (lambda: _docx(extra={"word/media/image1.bin": 200 << 20}), "max_stream_bytes"),
    "tabeller.docx": (lambda: _docx("<w:tbl><w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>" * 20_000),
                      "max_elements"),
    "tomma.docx": (lambda: _docx("<w:p/>" * 3_000_000), "max_elements"),
    "noder.docx": (lambda: _docx("<w:p>" + "<w:r/>" * 2_000_000 + "</w:p>"), "max_xml_nodes"),
    "flatebomb.pdf": (lambda: _pdf(TEXT + b" " * (300 << 20)), "max_stream_bytes"),
    "ritningar.pdf": (lambda: _pdf(TEXT + b"0 0 m 1 1 l S\n" * 200_000), "max_page_operators"),
    "rektanglar.pdf": (lambda: _pdf(TEXT + b"".join(b"%d %d 2 2 re f\n" % (k % 500, k // 500)
                                                    for k in range(6_000))), "max_page_drawings"),
}


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return {name: make() for name, (make, _) in CASES.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_file_is_refused_naming_its_limit_in_bounded_time_and_memory(hostile, name):
    message, seconds, peak = _costs(read_document, hostile[name], name)
    assert name in message and CASES[name][1] in message and "högst" in message and "läses" in message
    assert seconds < 10, f"{name}: {seconds:.1f} s"
    assert peak < 200, f"{name}: {peak:.0f} MB"


def test_limits_are_checked_inside_the_loops_and_name_the_time_limit():
    doc = _docx("<w:p><w:r><w:t>Socialnämnden i Solna. Årsredovisning 2023.</w:t></w:r></w:p>" * 2000)
    with pytest.raises(UnreadableReport, match=r"mer än 0 s \(Word-filen packas upp\).*max_seconds"):
        read_docx(doc, "lang.docx", ReadLimits(max_seconds=0.0))
    with pytest.raises(UnreadableReport, match=r"sida 1.*max_seconds"):
        read_pdf(_pdf(TEXT), "kort.pdf", ReadLimits(max_seconds=0.0))


def test_each_limit_can_be_set_and_an_ordinary_file_is_read_within_them():
    pdf = _pdf(TEXT + b"0 0 m 1 1 l S\n" * 100)
    assert "Solna" in read_pdf(pdf, "ok.pdf").text
    with pytest.raises(UnreadableReport, match="max_page_operators"):
        read_pdf(pdf, "ok.pdf", ReadLimits(max_page_operators=50))
    with pytest.raises(UnreadableReport, match="max_page_objects"):
        read_pdf(pdf, "ok.pdf", ReadLimits(max_page_objects=20))
    with pytest.raises(UnreadableReport, match="max_unpacked_bytes"):
        read_pdf(pdf, "ok.pdf", ReadLimits(max_unpacked_bytes=500))
    doc = _docx("<w:p><w:r><w:t>Socialnämnden i Solna. Årsredovisning 2023.</w:t></w:r></w:p>" * 20)
    assert "Solna" in read_docx(doc, "ok.docx").text
    with pytest.raises(UnreadableReport, match="max_unpacked_bytes"):
        read_docx(doc, "ok.docx", ReadLimits(max_unpacked_bytes=1000))


def _rows_text(rows: int) -> bytes:
    head = "Socialnämnden i Solna stad\n\nÅrsredovisning 2023\n\nTabell 1. Kostnader\nEnhet\tBudget\tUtfall\n"
    return (head + "".join(f"Enhet {k}\t{k}\t{k + 1}\n" for k in range(rows))).encode()


def test_a_corpus_with_every_hostile_file_still_reads_its_own_reports(corpus_copy, hostile):
    for name, data in hostile.items():
        (corpus_copy / name).write_bytes(data)
    (corpus_copy / "rader.txt").write_bytes(_rows_text(250_000)[:4_900_000])  # the probe's 4.9 MB of rows
    problems: list[str] = []
    tracemalloc.start()
    started = time.monotonic()
    try:
        served = {p.report.doc_id for p in load_corpus(corpus_copy, problems)}
    finally:
        seconds, peak = time.monotonic() - started, tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    assert served == BUNDLED
    for name, (_, limit) in CASES.items():
        assert any(m.startswith(f"{name}:") and limit in m for m in problems), (name, problems)
    assert any(m.startswith("rader.txt:") and "max_table_rows" in m for m in problems), problems
    assert seconds < 60 and peak < 400, (seconds, peak)
    assert not any(re.search(r"Traceback|RecursionError|MemoryError", m) for m in problems)
