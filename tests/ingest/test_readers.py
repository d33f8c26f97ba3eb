"""PDF and Word reports read into the same sections, tables and facts as the text exports.

The five bundled reports are rebuilt as the Word file and the PDF a kommun would publish
(tests/docgen.py) and read back; their facts must match the text export's, and the public
questions must get the same answers from either format. Broken files get a Swedish message
and change nothing.
"""
from __future__ import annotations

import io
import json
import logging
import re
from collections import Counter
from pathlib import Path

import pytest

from rag.config import FAKE_MODEL, Config
from rag.ingest.corpus import add_report
from rag.ingest.detect import detect_report
from rag.ingest.manifest import load_manifest
from rag.ingest.parse import parse_report
from rag.ingest.report_files import read_report_text, report_text
from rag.errors import CorpusError
from rag.models import Report
from rag.ingest.pdfreader import read_pdf
from rag.ingest.document import ReadLimits, UnreadableReport, join_wrapped
from rag.ingest.readers import read_document, read_docx
from tests import docgen
from tests.conftest import CORPUS, ROOT, snapshot

REPORTS = load_manifest(CORPUS)


def _docname(r: Report, kind: str) -> str:
    return Path(r.source).stem + "." + kind


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    """docx/ and pdf/ corpus folders: the bundled reports as Word and PDF files, same manifest."""
    root = tmp_path_factory.mktemp("documents")
    for kind in ("docx", "pdf"):
        folder = root / kind
        folder.mkdir()
        entries = []
        for r in REPORTS:
            text = read_report_text(CORPUS / r.source)
            docx, pdf = docgen.report_documents(r, text)
            (folder / _docname(r, kind)).write_bytes(docx if kind == "docx" else pdf)
            entries.append({**{k: getattr(r, k) for k in ("doc_id", "kommun", "namnd", "report_type", "title",
                                                            "period_start", "period_end")},
                            "source": _docname(r, kind)})
        (folder / "manifest.json").write_text(json.dumps({"reports": entries}, ensure_ascii=False))
    return {"docx": root / "docx", "pdf": root / "pdf"}


def _cells(facts) -> Counter:
    """Cells by row, column, value and unit; a heading hyphenated across a line in one format
    ("Budget- avvikelse") and joined in another ("Budgetavvikelse") is one column."""
    return Counter((f.row, re.sub(r"(?<=\w)- (?=[a-zåäö])", "", f.column), round(f.value, 6), f.unit) for f in facts)


def _read(folder: Path, r: Report, kind: str):
    name = _docname(r, kind)
    return parse_report(r, report_text((folder / name).read_bytes(), name))


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_facts_from_word_and_pdf_match_the_text_export(documents, kind, capsys):
    logging.disable(logging.WARNING)
    try:
        same = total = extra = 0
        per_report = []
        for r in REPORTS:
            want = _cells(parse_report(r, read_report_text(CORPUS / r.source)).facts)
            got = _cells(_read(documents[kind], r, kind).facts)
            same += sum((want & got).values())
            total += sum(want.values())
            extra += sum((got - want).values())
            per_report.append(f"{r.doc_id} {sum((want & got).values())}/{sum(want.values())}")
    finally:
        logging.disable(logging.NOTSET)
    share = same / total
    with capsys.disabled():
        print(f"\n{kind}: {same}/{total} cells (row, column, value, unit) match the text export "
              f"= {share:.1%}; {extra} cells read differently; " + ", ".join(per_report))
    assert total > 2000 and share >= 0.98


def test_pdf_tables_run_over_page_breaks_and_facts_cite_their_page(documents):
    r = next(r for r in REPORTS if r.doc_id == "enkoping-delar-2024-08")
    parsed = _read(documents["pdf"], r, "pdf")
    spanning = [t for t in parsed.tables if len({parsed.pages[row.line - 1] for row in (t.header,) + t.rows}) > 1]
    assert spanning, "some table should continue over a page break and be read as one"
    t = spanning[0]
    assert all(row.cells != t.header.cells for row in t.rows)  # the repeated header row is not a data row
    fact = next(f for f in parsed.facts if f.row == "Institutionsvård vuxna" and f.column == "Utfall jan-aug 2024")
    assert fact.value == -6.3 and fact.page > 1 and fact.place == f"s. {fact.page}"
    text = "\n".join(parsed.lines)
    assert "Sida " not in text and f"{r.kommun} – {r.title}" not in text  # page furniture dropped


def test_word_headings_come_from_styles_and_places_from_paragraphs(documents):
    r = next(r for r in REPORTS if r.doc_id == "enkoping-delar-2024-08")
    parsed = _read(documents["docx"], r, "docx")
    assert "# 1 Sammanfattning" in parsed.lines
    heads = [s.heading for s in parsed.sections]
    assert "6.2 Uppföljning volymer" in heads
    fact = next(f for f in parsed.facts if f.row == "Institutionsvård vuxna" and f.column == "Utfall jan-aug 2024")
    assert fact.page == 0 and fact.place.startswith("tabell ") and ", rad " in fact.place


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_kommun_type_and_period_are_detected_from_the_first_pages(documents, kind):
    compared = 0
    for r in REPORTS:
        try:
            want = detect_report(read_report_text(CORPUS / r.source), r.source)
        except CorpusError:
            continue
        name = _docname(r, kind)
        got = detect_report(report_text((documents[kind] / name).read_bytes(), name), name)
        assert (got.kommun, got.report_type, got.period_end) == (want.kommun, want.report_type, want.period_end)
        compared += 1
    assert compared >= 3


def _answers(engine, questions: list[dict]) -> list[tuple]:
    out = []
    for q in questions:
        a = engine.ask(q["question"])
        out.append((a.answered, sorted(_cells(a.facts).elements()), a.answer))
    return out


def test_public_questions_get_the_same_answers_from_every_format(documents, fake_engine, tmp_path, capsys):
    """The evidence scorer is fitted here, on the text corpus with the fake embedder, and then used
    for all three formats: the comparison must not hinge on how the shipped scorer (fitted for e5)
    suits the fake embedder, which refuses most questions."""
    from eval.crossval import fit_all, gather_all
    from rag.search.embedding import FakeEmbedder
    from rag.answer.score import save_scorer
    from rag.engine import open_engine

    questions = [json.loads(line) for line in (ROOT / "eval" / "questions.public.jsonl").read_text().splitlines()
                 if line.strip()]
    scorer = tmp_path / "scorer.json"
    save_scorer(fit_all(fake_engine, gather_all(fake_engine, questions)), scorer)

    def answers(corpus: Path, name: str) -> list[tuple]:
        config = Config(corpus_dir=corpus, index_dir=tmp_path / name, model=FAKE_MODEL, scorer_path=scorer)
        return _answers(open_engine(config, embedder=FakeEmbedder()), questions)

    want = answers(CORPUS, "txt")
    assert sum(a[0] for a in want) >= len(questions) // 2  # enough answers for the comparison to mean something
    for kind in ("docx", "pdf"):
        got = answers(documents[kind], kind)
        differ = [q["id"] for q, a, b in zip(questions, want, got) if a[:2] != b[:2]]
        same_text = sum(a[2] == b[2] for a, b in zip(want, got))
        with capsys.disabled():
            print(f"\n{kind}: {len(questions) - len(differ)}/{len(questions)} public questions answered alike "
                  f"(answered: {sum(b[0] for b in got)}, same facts); {same_text}/{len(questions)} word for word")
        assert not differ, f"{kind}: answered/facts differ for {differ}"


# --- bad files -----------------------------------------------------------------------------

def _small_pdf(**kw) -> bytes:
    blocks = [docgen.Block("text", "Socialnämnden i Solna stad. Årsredovisning 2023 för socialnämnden."),
              docgen.Block("gap"), docgen.Block("text", "Tabell 1 Kostnader (mkr)"),
              docgen.Block("table", rows=(("Verksamhet", "Utfall 2023", "Budget 2023"),
                                          ("Ekonomiskt bistånd", "-51,1", "-52,4"),
                                          ("Köpt vård", "2\u00a0548,5", "– 12"),
                                          ("Andel (%)", "7,3 %", "6,9 %")))]
    return docgen.to_pdf(blocks, **kw)


def test_a_small_pdf_reads_its_table_with_unit_and_page():
    doc = read_pdf(_small_pdf(), "liten.pdf")
    assert doc.kind == "pdf" and doc.page_count == 1
    assert "Ekonomiskt bistånd\t-51,1\t-52,4" in doc.text.split("\n")
    r = detect_report(doc.text, "liten.pdf")
    facts = parse_report(r, doc.as_text()).facts
    assert [(f.row, f.column, f.value, f.unit, f.page) for f in facts] == [
        ("Ekonomiskt bistånd", "Utfall 2023", -51.1, "mkr", 1), ("Ekonomiskt bistånd", "Budget 2023", -52.4, "mkr", 1),
        ("Köpt vård", "Utfall 2023", 2548.5, "mkr", 1), ("Köpt vård", "Budget 2023", -12.0, "mkr", 1),
        ("Andel (%)", "Utfall 2023", 7.3, "%", 1), ("Andel (%)", "Budget 2023", 6.9, "%", 1)]


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "PDF-filen är skadad"),
    (b"detta ar ingen pdf alls, bara text i en fil som heter .pdf", "ingen PDF"),
    (None, "PDF-filen är skadad"),  # a real report cut off half way
])
def test_a_damaged_pdf_is_refused_in_swedish(data, message):
    if data is None:
        full = _small_pdf()
        data = full[: len(full) // 2]
    with pytest.raises(UnreadableReport, match=message):
        read_pdf(data, "trasig.pdf")


def test_an_encrypted_pdf_is_refused_in_swedish():
    data = _small_pdf(encrypt="hemligt")
    with pytest.raises(UnreadableReport, match="krypterad"):
        read_pdf(data, "krypterad.pdf")


def test_a_scanned_pdf_without_text_says_it_needs_ocr():
    with pytest.raises(UnreadableReport, match="behöver OCR"):
        read_pdf(docgen.image_only_pdf(3), "inskannad.pdf")
    with pytest.raises(UnreadableReport, match="3 av 4 sidor saknar textlager"):  # a typed cover, scanned body
        read_pdf(docgen.image_only_pdf(3, cover="Socialnämnden Solna stad Årsredovisning 2023"), "delvis.pdf")


def test_a_300_page_pdf_is_read_whole_and_a_page_limit_refuses_it():
    data = docgen.long_pdf(300)
    doc = read_pdf(data, "lang.pdf")
    assert doc.page_count == 300
    r = detect_report(doc.text, "lang.pdf")
    assert (r.kommun, r.report_type, r.period_end) == ("Enköping", "delårsrapport", "2024-08")
    facts = parse_report(r, doc.as_text()).facts
    assert len(facts) == 600 and {f.page for f in facts} == set(range(1, 301))
    assert next(f for f in facts if f.row == "Enhet 300").page == 300
    with pytest.raises(UnreadableReport, match="300 sidor; högst 100"):
        read_pdf(data, "lang.pdf", ReadLimits(max_pages=100))
    with pytest.raises(UnreadableReport, match="MB läses"):
        read_pdf(data, "lang.pdf", ReadLimits(max_bytes=100_000))


def test_a_time_limit_stops_a_slow_file():
    with pytest.raises(UnreadableReport, match="avbröts"):
        read_pdf(docgen.long_pdf(5), "lang.pdf", ReadLimits(max_seconds=0.0))


def test_hyphenation_at_line_ends_is_undone_but_compounds_keep_their_dash():
    assert join_wrapped(["Kostnaderna för verk-", "samheten ökade"]) == "Kostnaderna för verksamheten ökade"
    assert join_wrapped(["stöd till barn-", "och ungdomsvården"]) == "stöd till barn- och ungdomsvården"
    assert join_wrapped(["Budget", "2024"]) == "Budget 2024"
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 10)
    y = 750
    for line in ("Socialnamnden redovisar att kostnaderna for den externa verk-",
                 "samheten minskade under perioden jamfort med foregaende ar och det beror pa farre",
                 "placeringar."):
        c.drawString(72, y, line)
        y -= 12.5
    c.save()
    text = read_pdf(buf.getvalue(), "avstavning.pdf").text
    assert "externa verksamheten minskade" in text and "placeringar." in text


def test_a_word_file_with_merged_cells_keeps_rows_and_columns():
    from docx import Document

    doc = Document()
    doc.add_paragraph("Socialnämnden i Huddinge kommun. Delårsrapport per 31 augusti 2023.")
    doc.add_paragraph("Tabell: Kostnader per verksamhet (mnkr)")
    t = doc.add_table(rows=5, cols=4)
    values = [["Verksamhet (mnkr)", "Utfall 2023", "Budget 2023", "Avvikelse"],
              ["Barn och unga", "", "", ""],
              ["Placeringar", "-40,5", "-38,0", "-2,5"],
              ["Öppenvård", "-12,0", "-13,1", "1,1"],
              ["Summa", "-52,5", "-51,1", "-1,4"]]
    for row, vals in zip(t.rows, values):
        for cell, v in zip(row.cells, vals):
            cell.text = v
    title = t.cell(1, 0).merge(t.cell(1, 3))  # a title row spanning the table
    title.text = "Barn och unga"
    t.cell(2, 3).merge(t.cell(3, 3)).text = "-1,4"  # a figure merged over two rows
    buf = io.BytesIO()
    doc.save(buf)
    read = read_docx(buf.getvalue(), "sammanslagna.docx")
    lines = read.text.split("\n")
    assert "Barn och unga\t\t\t" in lines
    r = detect_report(read.text, "sammanslagna.docx")
    facts = {(f.row, f.column): (f.value, f.unit) for f in parse_report(r, read.as_text()).facts}
    assert facts[("Placeringar", "Utfall 2023")] == (-40.5, "mnkr")
    assert facts[("Placeringar", "Avvikelse")] == (-1.4, "mnkr")  # the merged figure once, on its first row
    assert ("Öppenvård", "Avvikelse") not in facts
    assert facts[("Summa", "Budget 2023")] == (-51.1, "mnkr")


@pytest.mark.parametrize("name, data, message", [
    ("trasig.docx", b"PK\x03\x04 inte en hel zip", "Word-filen är skadad"),
    ("gammal.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "spara rapporten som .docx"),
    ("skyddad.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "lösenordsskyddad"),
])
def test_a_bad_word_file_is_refused_in_swedish(name, data, message):
    with pytest.raises(UnreadableReport, match=message):
        read_document(data, name)


# --- uploads -----------------------------------------------------------------------------

def test_a_pdf_upload_is_stored_as_is_and_a_bad_one_changes_nothing(corpus_copy):
    data = _small_pdf()
    before = snapshot(corpus_copy)
    for name, bad in (("krypterad.pdf", _small_pdf(encrypt="x")), ("skannad.pdf", docgen.image_only_pdf(1))):
        with pytest.raises(CorpusError):
            add_report(corpus_copy, name, bad)
        assert snapshot(corpus_copy) == before
    parsed = add_report(corpus_copy, "solna-2023.pdf", data)
    assert (corpus_copy / "solna-2023.pdf").read_bytes() == data
    assert parsed.report.kommun == "Solna" and parsed.facts[0].page == 1
    manifest = json.loads((corpus_copy / "manifest.json").read_text())
    assert manifest["reports"][-1]["source"] == "solna-2023.pdf"


def test_a_cited_pdf_page_is_shown_with_its_row_marked(documents):
    from PIL import Image

    from rag.ui.markup import cited_page_png
    from rag.models import Citation
    from rag.ingest.pdfreader import page_image

    r = next(r for r in REPORTS if r.doc_id == "enkoping-delar-2024-08")
    parsed = _read(documents["pdf"], r, "pdf")
    f = next(f for f in parsed.facts if f.row == "Institutionsvård vuxna" and f.column == "Utfall jan-aug 2024")
    data = (documents["pdf"] / _docname(r, "pdf")).read_bytes()
    plain = Image.open(io.BytesIO(page_image(data, f.page)))
    marked = Image.open(io.BytesIO(page_image(data, f.page, f.row)))
    assert plain.size == marked.size and plain.size[0] > 600

    def red(img) -> int:
        r, g, b = (band.point(lambda v, lo=lo: 255 if (v > 200 if lo else v < 40) else 0)
                   for band, lo in zip(img.convert("RGB").split(), (True, False, False)))
        from PIL import ImageChops

        return ImageChops.multiply(ImageChops.multiply(r, g), b).histogram()[255]

    assert red(marked) > 500 and red(marked) > 10 * red(plain)
    with pytest.raises(ValueError):
        page_image(data, 999)
    c = Citation(1, "table", r.doc_id, r.kommun, r.title, r.period_end, f.section, f.citation_text, f.line,
                 f.page, f.place)
    report = Report(**{**{k: getattr(r, k) for k in ("doc_id", "kommun", "namnd", "report_type", "title",
                                                      "period_start", "period_end")},
                       "source": _docname(r, "pdf")})
    config = Config(corpus_dir=documents["pdf"], model=FAKE_MODEL)
    assert cited_page_png(config, c, {r.doc_id: report})[:8] == b"\x89PNG\r\n\x1a\n"
    assert c.to_json()["page"] == f.page and "page" not in Citation(1, "table", "d", "k", "r", "p", "s", "t").to_json()
