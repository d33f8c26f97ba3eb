"""Passages: inside one section, exact report text, headers with kommun, duplicates folded."""
from rag.chunking import build_passages


def test_passages_never_cross_a_heading_and_are_exact_text(parsed):
    by_doc = {p.report.doc_id: p for p in parsed}
    passages = build_passages(parsed)
    for q in passages:
        for i, loc in enumerate(q.locations):
            p = by_doc[loc.doc_id]
            sec = p.section_at(loc.start_line)
            assert loc.end_line <= sec.end_line, (q.id, loc)
            there = "\n".join(p.lines[loc.start_line - 1:loc.end_line])
            if q.kind == "table":
                assert q.text.split("\n")[1] == there
            elif i == 0:
                assert q.text in there  # the cited location is exact
            else:  # a folded near-duplicate ("2001 :453" / "2001:453")
                a, b = set(q.text.split()), set(there.split())
                assert len(a & b) / len(a | b) > 0.7


def test_headers_name_kommun_report_and_section(parsed):
    passages = build_passages(parsed)
    first = next(q for q in passages if "hemmaplanslösningar, och planering" in q.text)
    assert first.header == ("Enköping – Delårsrapport januari–augusti 2024 – "
                            "6 Uppföljning ekonomi > 6.2 Uppföljning volymer > Institutionsvård vuxna")
    assert all(q.header.startswith(q.kommun + " – ") for q in passages)


def test_repeated_paragraphs_are_folded_with_all_locations(parsed):
    passages = build_passages(parsed)
    missiv = [q for q in passages if q.text.startswith("Socialnämndens mål att nå en budget i balans")]
    assert len(missiv) == 1
    assert len(missiv[0].locations) == 3
    texts = [q.text for q in passages if q.kind == "text"]
    assert len(texts) == len(set(texts))


def test_table_rows_are_passages_with_readable_context(parsed):
    passages = build_passages(parsed)
    row = next(q for q in passages if q.kind == "table" and "Institutionsvård vuxna\t-15,8" in q.text)
    assert "Utfall jan-aug 2024: -6,3 mnkr" in row.context
