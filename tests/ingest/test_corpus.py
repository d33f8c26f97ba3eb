"""Reading reports: manifest, detection, sections, and bad input that changes nothing."""
from __future__ import annotations

import json

import pytest

from rag.ingest.corpus import add_report, load_corpus
from rag.ingest.detect import detect_report
from rag.ingest.document import decode_report
from rag.ingest.manifest import load_manifest
from rag.errors import CorpusError

from tests.conftest import CORPUS, snapshot


def test_manifest_describes_the_five_reports():
    reports = load_manifest(CORPUS)
    assert [(r.kommun, r.report_type, r.period_end) for r in reports] == [
        ("Enköping", "delårsrapport", "2024-08"), ("Enköping", "tertialrapport", "2024-04"),
        ("Eskilstuna", "delårsrapport", "2023-08"), ("Solna", "årsredovisning", "2023-12"),
        ("Huddinge", "delårsrapport", "2023-08")]


@pytest.mark.parametrize("data, message", [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"Rubrik\nRad ett\n\xff\xfe trasig", "t.txt:3: not UTF-8"),
    (b"Rubrik\nabc\x00def ghi jkl mno pqr stu", "t.txt:2: contains NUL"),
    (b"12 34 56", "no readable text"),
])
def test_bad_bytes_give_a_clear_error_naming_file_and_line(data, message):
    with pytest.raises(CorpusError, match=message):
        decode_report(data, "t.txt")


@pytest.mark.parametrize("entry, field, value, message", [
    (0, "source", "finns-inte.txt", "finns-inte.txt: file not found"),
    (2, "period_end", "aug 2023", "entry 3: period_end 'aug 2023' is not YYYY-MM"),
])
def test_a_bad_manifest_entry_is_reported_and_its_report_read_with_what_can_be_detected(
        corpus_copy, entry, field, value, message):
    manifest = json.loads((corpus_copy / "manifest.json").read_text())
    doc_id = manifest["reports"][entry]["doc_id"]
    manifest["reports"][entry][field] = value
    (corpus_copy / "manifest.json").write_text(json.dumps(manifest))
    if field != "source":
        with pytest.raises(CorpusError, match=message):
            load_manifest(corpus_copy)  # strict reading (uploads) still refuses it
    problems = []
    served = {p.report.doc_id: p.report for p in load_corpus(corpus_copy, problems)}
    assert any(message in m for m in problems)
    if field == "source":  # no file under that name: the entry is left out, its file detected unlisted
        assert doc_id not in served and len(served) == 5
    else:  # the entry's good fields kept, its period detected from the text
        assert served[doc_id].period_end == "2023-08" and served[doc_id].kommun == "Eskilstuna"


@pytest.mark.parametrize("fields", [{"period_end": "2024-13"}, {"period_end": 202404, "title": ["x"]},
                                    {"namnd": None, "period_start": "2025-01"}])
def test_a_report_whose_kommun_the_text_never_names_keeps_its_bad_entry(corpus_copy, fields):
    manifest = json.loads((corpus_copy / "manifest.json").read_text())
    manifest["reports"][1].update(fields)  # the Enköping tertial report: its text never names Enköping
    (corpus_copy / "manifest.json").write_text(json.dumps(manifest))
    problems = []
    served = {p.report.doc_id: p.report for p in load_corpus(corpus_copy, problems)}
    r = served["enkoping-tertial-2024-04"]
    assert (r.kommun, r.report_type, r.period_end) == ("Enköping", "tertialrapport", "2024-04")
    assert len(served) == 5 and any(m.startswith("manifest.json entry 2") for m in problems)


@pytest.mark.parametrize("text, message", [("[" * 100_000 + "]" * 100_000, "nested too deep"),
                                           ('{"reports": [' + '{"a": 1},' * 300_000 + "{}]}", "bytes is larger")])
def test_a_hostile_manifest_is_one_clear_error_and_the_reports_are_detected(corpus_copy, text, message):
    (corpus_copy / "manifest.json").write_text(text)
    with pytest.raises(CorpusError, match=message):
        load_manifest(corpus_copy)
    problems = []
    served = {p.report.kommun for p in load_corpus(corpus_copy, problems)}
    assert {"Solna", "Huddinge", "Eskilstuna", "Enköping"} <= served
    assert any(message in m for m in problems) and not any("RecursionError" in m for m in problems)


def test_detection_of_kommun_type_and_period(parsed):
    by_source = {p.report.source: p for p in parsed}
    for source, kommun, rtype, period in [
        ("000_afa95e6021fad932.txt", "Enköping", "delårsrapport", "2024-08"),
        ("002_f694a8ad6a7b67a2.txt", "Eskilstuna", "delårsrapport", "2023-08"),
        ("003_c2ca7959cafa510e.txt", "Solna", "årsredovisning", "2023-12"),
        ("004_92f3905f20c0b124.txt", "Huddinge", "delårsrapport", "2023-08"),
    ]:
        r = detect_report("\n".join(by_source[source].lines), source)
        assert (r.kommun, r.report_type, r.period_end) == (kommun, rtype, period)
    # The tertial report never names its municipality: detection says so.
    with pytest.raises(CorpusError, match="could not detect kommun"):
        detect_report("\n".join(by_source["001_73831de138b4810e.txt"].lines), "001.txt")


def test_report_without_manifest_entry_is_detected(corpus_copy):
    (corpus_copy / "nytt.txt").write_bytes((CORPUS / "003_c2ca7959cafa510e.txt").read_bytes()
                                            .replace("Solna".encode(), "Sundbyberg".encode()))
    reports = {p.report.source: p.report for p in load_corpus(corpus_copy)}
    assert reports["nytt.txt"].kommun == "Sundbyberg" and reports["nytt.txt"].period_end == "2023-12"


def test_sections_keep_heading_paths(parsed):
    enk = parsed[0]
    sec = enk.section_at(394)
    assert sec.path == ("6 Uppföljning ekonomi", "6.2 Uppföljning volymer", "Institutionsvård vuxna")
    solna = next(p for p in parsed if p.report.kommun == "Solna")
    assert solna.section_at(505).path[-2:] == ("Ungdom, 13-20 år", "Familjehemsvård, antal vård dygn")


def test_a_report_without_tables_parses_to_no_facts(corpus_copy):
    text = "Socialnämnden i Solna\n\nÅrsredovisning 2023\n\nEn text utan tabeller om ekonomiskt bistånd.\n"
    p = add_report(corpus_copy, "utan-tabeller.txt", text.encode())
    assert p.facts == () and len(p.sections) >= 1


@pytest.mark.parametrize("name, data, message", [
    ("trasig.txt", b"Solna stad\xff\xfe", "not UTF-8"),
    ("tom.txt", b"", "empty"),
    ("bild.png", b"\x89PNG\r\n", "only .txt, .md"),
    ("trasig.pdf", b"%PDF-1.4", "PDF-filen är skadad"),
    ("000_afa95e6021fad932.txt", "Solna stad Årsredovisning 2023 text".encode(), "already in the corpus"),
    ("okand.txt", "En rapport utan kommun eller period, bara ord och ord.".encode(), "could not detect"),
])
def test_a_bad_upload_changes_nothing(corpus_copy, name, data, message):
    before = snapshot(corpus_copy)
    with pytest.raises(CorpusError, match=message):
        add_report(corpus_copy, name, data)
    assert snapshot(corpus_copy) == before
