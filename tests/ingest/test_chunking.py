"""Passages: inside one section, exact report text, headers with kommun, duplicates folded."""
from rag.ingest.chunking import build_passages


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


def test_a_table_without_figures_is_read_as_text(parsed):
    """An internal-control matrix holds its findings in text cells: every such cell is in the passages."""
    passages = [q for q in build_passages(parsed) if q.kind == "text"]
    checked = 0
    for p in parsed:
        # passages are cut at spaces; joined again, a long cell reads whole
        joined = " ".join(" ".join(q.text.split()) for q in passages if q.locations[0].doc_id == p.report.doc_id)
        fact_lines = {f.line for f in p.facts}
        for t in p.tables:
            if t.is_toc or any(n in fact_lines for n in range(t.start_line, t.end_line + 1)):
                continue
            for row in t.rows:
                cell = max(row.cells, key=len, default="").strip()
                if len(cell.split()) >= 6 and cell in row.text:
                    checked += 1
                    assert " ".join(cell.split()) in joined, cell[:80]
    assert checked >= 5
    finding = next(q for q in passages if "3 jourhem som inte har kontrollerats" in q.text)
    assert finding.kommun == "Solna" and "Intern kontroll" in finding.header


def test_a_footnote_inside_a_table_with_figures_is_read_as_text(parsed):
    """Every line of a table with figures that is a sentence in its first cell and nothing else (a
    footnote, a goal statement) is in a text passage of its report: the rows alone would lose it."""
    passages = [q for q in build_passages(parsed) if q.kind == "text"]
    checked = 0
    for p in parsed:
        texts = [q.text for q in passages if q.locations[0].doc_id == p.report.doc_id]
        fact_lines = {f.line for f in p.facts}
        for t in p.tables:
            span = range(t.start_line, t.end_line + 1)
            if t.is_toc or fact_lines.isdisjoint(span):
                continue
            for n in span:
                cells = [c.strip() for c in p.lines[n - 1].split("\t") if c.strip()]
                if n not in fact_lines and len(cells) == 1 and len(cells[0].split()) >= 4 \
                        and cells[0][-1] in ".!?":
                    checked += 1
                    assert any(cells[0] in text for text in texts), cells[0][:80]
    assert checked >= 5
    footnote = next(q for q in passages if "omstrukturering hos leverantören" in q.text)
    assert footnote.kommun == "Solna" and "Sjukfrånvaron avser perioden" in footnote.text


def test_the_dense_model_reads_the_nearest_heading_and_the_cache_key_is_what_it_reads(parsed):
    import hashlib

    passages = build_passages(parsed)
    deep = [q for q in passages if q.header.count(" > ") >= 2]
    assert deep
    for q in deep:
        kommun_report = q.header.split(" > ")[0].rsplit(" – ", 1)[0]
        assert q.embed_text.split("\n")[0] == f"{kommun_report} – {q.header.split(' > ')[-1]}"
        assert q.embed_text.endswith(q.context or q.text)
        assert q.header in q.index_text  # BM25 still sees the whole path
    for q in passages:
        assert q.sha == hashlib.sha256(q.embed_text.encode()).hexdigest()
