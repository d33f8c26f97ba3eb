"""Table fidelity on the five real reports, units, and malformed tables."""
from __future__ import annotations

import re

import pytest

from rag.ingest.parse import parse_report
from rag.models import Report
from rag.ingest.tables import clean_cell, parse_tables

# An independent reading of "a numeric cell": optional sign, digits with space-grouped
# thousands, optional decimals, optional % or *; markup stripped first.
NUMERIC = re.compile(r"^[-−–]?\s?\d{1,3}(?:[ \u00a0]\d{3})*(?:[,.]\d+)?\s*%?\s*\*?$|^[-−–]?\d+(?:[,.]\d+)?\s*%?$")


def expected_cells(lines: list[str]):
    """(line, column index, cell) of every numeric body cell, re-derived from raw lines."""
    out, block, toc = [], [], False
    for n, line in enumerate(lines + [""], start=1):
        is_row = ("\t" in line and line.strip()) or line.strip().startswith("|")
        if is_row:
            block.append((n, line))
            continue
        if block:
            above = next((lines[i].strip() for i in range(block[0][0] - 2, -1, -1) if lines[i].strip()), "")
            toc = above.lower().startswith(("innehåll", "# innehåll")) or any("...." in l for _, l in block)
            rows = []
            for ln, raw in block:
                s = raw.strip()
                cells = [clean_cell(c) for c in (s.strip("|").split("|") if s.startswith("|") else raw.split("\t"))]
                if all(re.fullmatch(r":?-*:?", c) for c in cells):
                    continue
                rows.append((ln, cells))
            if rows and len(rows[0][1]) > 1 and not any(rows[0][1][1:]):
                rows = rows[1:]  # a title row
            header = rows[0][1] if rows else []
            pages = [r[1] for r in rows]
            looks_toc = len(pages) >= 3 and all(
                len([c for c in r if c]) == 2 and re.fullmatch(r"\d{1,3}", [c for c in r if c][1]) for r in pages)
            if not toc and not looks_toc:
                for ln, cells in rows[1:]:
                    if cells == header or not cells[0].strip("- "):
                        continue
                    for j, c in enumerate(cells[1:], start=1):
                        if NUMERIC.match(c):
                            out.append((ln, j, c))
            block = []
    return out


def test_every_numeric_cell_is_a_fact_with_labels(parsed):
    missing, total = [], 0
    for p in parsed:
        facts = {(f.line, f.raw): f for f in p.facts}
        for ln, j, cell in expected_cells(list(p.lines)):
            total += 1
            f = facts.get((ln, cell))
            if f is None or not f.row or not f.column:
                missing.append((p.report.source, ln, cell))
    share = 1 - len(missing) / total
    print(f"table fidelity: {total - len(missing)}/{total} numeric cells found ({share:.1%})")
    assert total > 2000
    assert missing == []


def test_every_fact_is_found_again_in_the_report_text(parsed):
    for p in parsed:
        for f in p.facts:
            assert p.lines[f.line - 1] == f.row_text
            assert p.lines[f.header_line - 1] == f.header_text
            assert f.raw in clean_cell(f.row_text) or f.raw in f.row_text


def fact(parsed, doc_id, row, column):
    hits = [f for p in parsed for f in p.facts if f.doc_id == doc_id and f.row == row and f.column == column]
    assert len(hits) >= 1, (doc_id, row, column)
    return hits[0]


@pytest.mark.parametrize("doc_id, row, column, value, unit, caption", [
    ("enkoping-delar-2024-08", "Institutionsvård vuxna", "Utfall jan-aug 2024", -6.3, "mnkr", "Driftsredovisning"),
    ("enkoping-delar-2024-08", "Konsulentstött familjehemsvård", "Antal externa utförare per 31 augusti 2024",
     18, "antal", "7 Uppföljning av väsentliga externa utförare"),
    ("enkoping-delar-2024-08", "Institutionsvård barn och unga (HVB, Stödboende)",
     "Andel % av nettokostnad utfall jan-aug 2024", 7.3, "%", "7 Uppföljning av väsentliga externa utförare"),
    ("enkoping-delar-2024-08", "Ekonomiskt bistånd", "Volym prognos helår", 423, "hushåll", "6.2 Uppföljning volymer"),
    ("enkoping-tertial-2024-04", "Summa totalt (mkr)", "Avvikelse prognos helår mot budget", 1.5, "mkr",
     "4.1 Resultaträkning"),
    ("eskilstuna-delar2-2023-08", "Personalkostnader", "Utfall Aug 2022", -196.6, "mnkr", "Projekt: Drift + driftprojekt"),
    ("eskilstuna-delar2-2023-08", "Totalt %", "Totalt helår 2022", 7.0, "%", "Sjukfrånvaro - medel senaste 12 månaderna"),
    ("solna-arsredovisning-2023", "2023", "dec", 114, "antal", "Antal hushåll med utbetalningar"),
    ("solna-arsredovisning-2023", "Sjukfrånvaro, %", "2023", 8.5, "%", "Väsentliga personalförhållanden"),
    ("huddinge-delar-2023-08", "Årets resultat", "Avvikelse helår", -11353, "tkr", "Resultaträkning"),
    ("huddinge-delar-2023-08", "Personalomsättning (%) inom myndighetsutövningen BoU", "2023-31 aug", 10.7, "%",
     "Analys"),
])
def test_known_facts_have_value_unit_and_caption(parsed, doc_id, row, column, value, unit, caption):
    f = fact(parsed, doc_id, row, column)
    assert f.value == pytest.approx(value)
    assert f.unit == unit
    assert f.caption == caption


def test_compound_cells_give_one_fact_per_quantity(parsed):
    facts = [f for p in parsed for f in p.facts if f.row.startswith("Institutionsvård barn och unga - Med")]
    assert [(f.column, f.value, f.unit) for f in facts] == [
        ("Inom ramavtal", 83, "insatser"), ("Inom ramavtal", 80, "%"),
        ("Direktupphandling", 21, "insatser"), ("Direktupphandling", 20, "%")]


def test_table_of_contents_gives_no_facts(parsed):
    for p in parsed:
        assert any(t.is_toc for t in p.tables)
        toc_lines = {n for t in p.tables if t.is_toc for n in range(t.start_line, t.end_line + 1)}
        assert not [f for f in p.facts if f.line in toc_lines]


REPORT = Report("t", "Solna", "Socialnämnden", "årsredovisning", "Test", "2023-01", "2023-12", "t.txt")


def test_ragged_and_header_only_tables_warn_with_file_and_line():
    text = ("Rubrik\n\nKostnader (mnkr)\tBudget\tUtfall\nA\t1,0\t2,0\nB\t3,0\t4,0\t9,9\n\n"
            "Tom tabell\n\n| Verksamhet (tkr) | 2023 |\n|---|---|\n|---|---|\n")
    p = parse_report(REPORT, text)
    msgs = [str(w) for w in p.warnings]
    assert any(m.startswith("t.txt:5: ragged row") for m in msgs), msgs
    assert any(m.startswith("t.txt:9: table has a header but no rows") for m in msgs), msgs
    assert [(f.row, f.column, f.value) for f in p.facts][:4] == [
        ("A", "Budget", 1.0), ("A", "Utfall", 2.0), ("B", "Budget", 3.0), ("B", "Utfall", 4.0)]
    assert p.facts[-1].column == "kolumn 4" and p.facts[-1].value == 9.9


def test_broken_table_is_joined_and_repeated_header_dropped():
    lines = ["Antal", "", "\tjan\tfeb", "2022\t1\t2", "\tjan\tfeb", "", "2023\t3\t4"]
    tables = parse_tables(lines)
    assert len(tables) == 1
    assert [r.cells[0] for r in tables[0].rows] == ["2022", "2023"]


def test_sub_rows_are_read_under_the_row_they_belong_to(parsed):
    """`varav kvinnor` belongs to the row above it; `- Personalkostnader` listed before its
    `Summa KOSTNADER` belongs to that total, not to the `Summa INTÄKTER` above it."""
    from rag.answer.evidence import row_label_text
    from rag.answer.rows import group_rows, row_parents

    rows = group_rows([f for p in parsed for f in p.facts])
    parents = row_parents(rows)
    by_label = {(r.doc_id, r.label): r for r in rows}
    named = {r.label: parents.get((r.doc_id, r.line)) for r in rows if (r.doc_id, r.line) in parents}
    assert named["varav kvinnor"] == "Antal anställda"
    assert named["Personalkostnader"] == "Summa KOSTNADER"
    assert named["Övriga intäkter"] == "Summa INTÄKTER"
    row = next(r for (d, label), r in by_label.items() if label == "varav män")
    assert row_label_text(row, named["varav män"]).endswith("Antal anställda – varav män")
    # a top-level row has no parent
    assert not any(r.label == "Antal anställda" and (r.doc_id, r.line) in parents for r in rows)


def _row(columns: dict[str, float], unit: str = "mnkr", header: str = "", label: str = "Område Resurs"):
    from rag.models import Fact
    from rag.answer.rows import FactRow

    facts = tuple(Fact("d", "Eskilstuna", "2023-08", "Ekonomi", "Underliggande enheter", "Underliggande enheter",
                       label, col, val, unit, str(val).replace(".", ","), 10, 9,
                       label + "\t" + "\t".join(str(v) for v in columns.values()), header or "\t".join(columns))
                  for col, val in columns.items())
    return FactRow("d", 10, facts)


ESKILSTUNA_DELAR = Report("d", "Eskilstuna", "Socialnämnden", "delårsrapport", "Delårsrapport 2 2023", "2023-01",
                          "2023-08", "d.txt")


def test_an_empty_cell_of_the_asked_year_gives_no_figure_never_another_years():
    """A report that leaves 2023 empty ("redovisas i samband med bokslut") does not say the 2023
    figure; last year's value or the target is no answer to it."""
    from rag.answer.question import analyse
    from rag.answer.rows import blank_columns, pick_columns

    row = _row({"Utfall 2022": 79, "Mål 2023": 81}, unit="", label="Motivationsindex",
               header="Indikatorer\tUtfall 2022\tUtfall 2023\tMål 2023")
    asked_2023 = analyse("Vad blev motivationsindex 2023 i Eskilstuna?", {"Eskilstuna"})
    assert pick_columns(row, asked_2023, ESKILSTUNA_DELAR) == []
    assert blank_columns(row, asked_2023.years) == {"utfall": "Utfall 2023"}
    asked_2022 = analyse("Vad blev motivationsindex 2022 i Eskilstuna?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, asked_2022, ESKILSTUNA_DELAR)] == ["Utfall 2022"]
    assert blank_columns(row, asked_2022.years) == {}


def test_a_question_naming_a_target_is_answered_by_the_target_column_of_the_year():
    """"Vad är målvärdet … till 2030?": the target column of 2030, not an outcome; "målet 2023" the
    year's interim target."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"2022": 143, "2023 - 31 aug": 146, "Etappmål 2023": 200, "Målvärde 2030": 220}, unit="",
               label="Antal personer som får stöd", header="Indikator\t2022\t2023 - 31 aug\tEtappmål 2023\tMålvärde 2030")
    to_2030 = analyse("Vad är målvärdet för antal personer som får stöd till 2030 i Eskilstuna?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, to_2030, ESKILSTUNA_DELAR)] == ["Målvärde 2030"]
    goal_2023 = analyse("Vad är målet för antal personer som får stöd 2023 i Eskilstuna?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, goal_2023, ESKILSTUNA_DELAR)] == ["Etappmål 2023"]


def test_the_year_before_the_report_s_is_read_in_its_foregaende_ar_column_unless_it_is_what_a_change_is_from():
    """"januari–augusti 2022" asked of a 2023 report: "Utfall jan-aug föregående år"; "förändrats
    jämfört med 2022" measures from it, so it never answers first."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Budget jan-aug": -1907, "Utfall jan-aug": -1651, "Utfall jan-aug föregående år": -1511}, unit="tkr",
               label="Bidrag kostnader", header="Resultaträkning\tBudget jan-aug\tUtfall jan-aug\tUtfall jan-aug föregående år")
    asked_2022 = analyse("Hur stora var kostnaderna för bidrag i Eskilstuna januari–augusti 2022?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, asked_2022, ESKILSTUNA_DELAR)] == ["Utfall jan-aug föregående år"]
    change = analyse("Hur har kostnaderna för bidrag i Eskilstuna förändrats jämfört med 2022?", {"Eskilstuna"})
    assert change.intent == "trend"
    assert "Utfall jan-aug föregående år" not in [f.column for f in pick_columns(row, change, ESKILSTUNA_DELAR)][:1]


@pytest.mark.parametrize("question, figure, columns", [
    ("Hur många placeringar hade Område Resurs 2023?", "count", ["Placeringar 2023"]),
    ("Hur stor andel av budgeten hade Område Resurs använt 2023?", "share", ["Andel 2023"]),
    ("Vad kostade Område Resurs 2023?", "money", ["Utfall 2023"]),
])
def test_only_a_cell_of_the_asked_kind_of_figure_answers(question, figure, columns):
    """"Hur många" is never answered with an amount, "hur stor andel" only with a percentage."""
    from rag.answer.question import analyse
    from rag.answer.plan import make_plan
    from rag.answer.rows import asked_figure, pick_columns

    facts = _row({"Utfall 2023": -12.5}).facts + _row({"Placeringar 2023": 14}, unit="antal").facts \
        + _row({"Andel 2023": 61.0}, unit="%").facts
    from rag.answer.rows import FactRow
    row = FactRow("d", 10, facts)
    a = analyse(question, {"Eskilstuna"})
    assert asked_figure(a, make_plan(a, {"d": ESKILSTUNA_DELAR}).measure) == figure
    assert [f.column for f in pick_columns(row, a, ESKILSTUNA_DELAR, figure=figure)] == columns


def test_a_closed_years_full_year_figure_is_its_bokslut():
    """Asked for 2023 in a 2024 report, the full-year outcome is "Bokslut 2023", not the part-year
    "Utfall jan-aug 2023"; a question that names the months still gets the part-year column."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Bokslut 2023": -114.6, "Utfall jan-aug 2023": -76.2, "Utfall jan-aug 2024": -83.2})
    report = Report("e", "Enköping", "Socialnämnden", "delårsrapport", "Delårsrapport januari–augusti 2024",
                    "2024-01", "2024-08", "e.txt")
    full = analyse("Vad kostade personalen i Enköping 2023?", {"Enköping"})
    assert [f.column for f in pick_columns(row, full, report)] == ["Bokslut 2023"]
    part = analyse("Vad kostade personalen i Enköping januari–augusti 2023?", {"Enköping"})
    assert [f.column for f in pick_columns(row, part, report)][0] == "Utfall jan-aug 2023"


def test_a_year_split_by_group_is_answered_by_its_total():
    """Of "Kvinnor 2023", "Män 2023" and "Totalt 2023", a question that names no group gets the total."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Kvinnor 2023": 7.2, "Män 2023": 4.1, "Totalt 2023": 6.5, "Totalt 2022": 6.9}, unit="%",
               label="Totalt %")
    a = analyse("Hur hög var sjukfrånvaron i Eskilstuna 2023?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, a, ESKILSTUNA_DELAR)] == ["Totalt 2023"]


def test_a_year_without_a_column_gets_no_figure_never_the_nearest_years():
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Utfall 2022": -30.1, "Utfall 2023": -32.4, "Prognos": -48.0})
    asked = {q: [f.column for f in pick_columns(row, analyse(q, {"Eskilstuna"}), ESKILSTUNA_DELAR)]
             for q in ("Vad kostade Område Resurs 2021?", "Vad kostade Område Resurs 2022?",
                       "Vilken prognos har Område Resurs 2023?", "Vilken prognos hade Område Resurs 2021?")}
    assert asked == {"Vad kostade Område Resurs 2021?": [], "Vad kostade Område Resurs 2022?": ["Utfall 2022"],
                     "Vilken prognos har Område Resurs 2023?": ["Prognos"],  # undated: the report's year
                     "Vilken prognos hade Område Resurs 2021?": []}


def test_a_closed_years_accounts_are_never_a_part_year_column():
    """"I bokslutet för 2022" is the full year: "Budgetavvikelse Aug 2022" does not say it, while a
    question that names the months still reads that column."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Budgetavvikelse Aug 2022": -16.9, "Budgetavvikelse Aug 2023": -29.3,
                "Avvikelse Årsprognos aug": -46.7}, label="Summa Socialförvaltningen")
    closed = analyse("Hur stort underskott hade socialnämnden i Eskilstuna i bokslutet för 2022?", {"Eskilstuna"})
    assert pick_columns(row, closed, ESKILSTUNA_DELAR) == []
    part = analyse("Hur stort underskott hade socialnämnden i Eskilstuna januari–augusti 2022?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, part, ESKILSTUNA_DELAR)] == ["Budgetavvikelse Aug 2022"]


def test_a_forecast_or_budget_asked_for_is_never_an_outcome_cell():
    """A row with outcome columns only does not say the forecast; a row whose label names the
    measure ("Avvikelse mot budget") gives it in its outcome columns."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    history = _row({"jan-aug 2022": 1123.0, "jan-aug 2023": 837.0}, unit="tkr", label="Nämnd- & styrelseverksamhet")
    for q in ("Vad blev prognosen för nämnd- och styrelseverksamhet i Eskilstuna?",
              "Vad var budgeten för nämnd- och styrelseverksamhet i Eskilstuna?"):
        assert pick_columns(history, analyse(q, {"Eskilstuna"}), ESKILSTUNA_DELAR) == [], q
    deviation = _row({"Utfall 2022 jan- aug": -10.5, "Utfall 2023 jan- aug": -14.4},
                     label="Resultat vård vuxna - Avvikelse mot öck budget, (mkr)")
    a = analyse("Hur stor var avvikelsen mot budget för vård vuxna i Eskilstuna jan–aug 2023?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(deviation, a, ESKILSTUNA_DELAR)] == ["Utfall 2023 jan- aug"]


def test_the_rows_of_a_table_ordered_by_the_asked_extreme():
    """Deviations are ordered by sign ("störst underskott" is the most negative), costs printed as
    negative figures by size; the total row is no row to rank."""
    from rag.answer.picking import extreme_rows

    rows = [_row({"Budget": -52.4, "Avvikelse": -5.4}, label="Ekonomiskt bistånd"),
            _row({"Budget": -26.4, "Avvikelse": 2.6}, label="Institutionsvård BoU"),
            _row({"Budget": -16.5, "Avvikelse": -3.4}, label="Utredning barn"),
            _row({"Budget": -279.7, "Avvikelse": 5.0}, label="Totalt (mnkr)")]
    labels = lambda ranked: [r.label for r, _ in ranked]
    assert labels(extreme_rows(rows, "Avvikelse", "negative", n=2)) == ["Ekonomiskt bistånd", "Utredning barn"]
    assert labels(extreme_rows(rows, "Avvikelse", "max", n=1)) == ["Institutionsvård BoU"]
    assert labels(extreme_rows(rows, "Budget", "max", n=1)) == ["Ekonomiskt bistånd"]  # the largest cost
    assert labels(extreme_rows(rows, "Budget", "min", n=1)) == ["Utredning barn"]
    assert extreme_rows(rows[:1], "Budget", "max") == []


def test_one_row_is_known_across_reports_and_two_tables_rows_stay_two():
    """"Summa totalt (mnkr)" in one report is "<b>Summa totalt (mkr)</b>" in the next; a cost row and a
    volume row that share the label "Institutionsvård vuxna" are two rows, a row printed twice is one."""
    from rag.answer.picking import same_row

    assert _row({"Budget": 1.0}, label="Summa totalt (mnkr)").key == \
        _row({"Budget": 2.0}, label="<b>Summa totalt (mkr)</b>").key == "summa totalt"
    cost = _row({"Utfall": -6.3, "Budget": -14.8}, label="Institutionsvård vuxna")
    volume = _row({"Volym budget": 14.0, "Volym prognos": 8.0}, unit="årsplacering", label="Institutionsvård vuxna")
    assert same_row(cost, _row({"Utfall": -6.3, "Budget": -14.8}, label="Institutionsvård vuxna"))
    assert not same_row(cost, volume)


def test_an_index_in_an_economic_table_is_no_amount_of_money():
    text = ("Mål\n\nIndikatorer\tUtfall 2022\tUtfall 2023\tMål 2023\n"
            "HME Motivationsindex\t79\t\t81\nNettokostnad\t-12,0\t-13,5\t-13,0\n\n"
            "Verksamhet (mnkr)\tBudget\tUtfall\nA\t1,0\t2,0\n")
    units = {(f.row, f.column): f.unit for f in parse_report(REPORT, text).facts}
    assert units[("HME Motivationsindex", "Utfall 2022")] == ""
    assert units[("Nettokostnad", "Utfall 2022")] == "mnkr"


@pytest.mark.parametrize("question, column", [
    ("Vad är prognosen för helåret för Område Resurs?", "Avvikelse Årsprognos aug"),
    ("Vad var budgeten för Område Resurs 2023?", "Budget 2023"),
    ("Hur stor var budgetavvikelsen för Område Resurs i augusti 2023?", "Budgetavvikelse Aug 2023"),
])
def test_the_asked_measure_picks_its_column_never_the_first_one(question, column):
    """A forecast question over a table whose only forecast column is the full-year deviation reads
    that column, not the first column of the row (last year's deviation)."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Budgetavvikelse Aug 2022": -17.9, "Budgetavvikelse Aug 2023": -35.0, "Budget 2023": -409.9,
                "Avvikelse Årsprognos aug": -53.5})
    report = Report("d", "Eskilstuna", "Socialnämnden", "delårsrapport", "Delårsrapport 2 2023", "2023-01",
                    "2023-08", "d.txt")
    chosen = pick_columns(row, analyse(question, {"Eskilstuna"}), report)
    assert chosen and chosen[0].column == column


def test_the_current_years_full_year_in_a_part_year_report_is_its_forecast():
    """In August the year's full-year figure exists only as a forecast ("räknar med för helåret");
    in a closed year's annual report the full year is the outcome, and "utfall" asked stays utfall."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Volym budget": 76, "Volym prognos helår": 74, "Avvikelse volym": -2}, unit="årsplacering",
               label="Familjehem egna")
    asked = analyse("Hur många årsplaceringar i egna familjehem blir det för helåret i Eskilstuna?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, asked, ESKILSTUNA_DELAR, figure="count")] == ["Volym prognos helår"]
    annual = Report("s", "Eskilstuna", "Socialnämnden", "årsredovisning", "Årsredovisning 2023", "2023-01",
                    "2023-12", "s.txt")
    outcome = _row({"Utfall 2023": 70, "Prognos helår": 74}, unit="årsplacering", label="Familjehem egna")
    assert [f.column for f in pick_columns(outcome, asked, annual, figure="count")] == ["Utfall 2023"]
    said = analyse("Vad blev utfallet för helåret för egna familjehem i Eskilstuna?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(outcome, said, ESKILSTUNA_DELAR)] == ["Utfall 2023"]


@pytest.mark.parametrize("question, figure", [
    ("Med hur många miljoner kronor minskade budgetramen i Solna?", "money"),
    ("How many million kronor did Solna spend on staff?", "money"),
    ("Hur många placeringar hade Solna i december?", "count"),
    ("Med hur många procent räknas riksnormen upp i Solna?", "share"),
    ("Hur länge får en placering pågå i Huddinge?", "duration"),
    ("Hur lång är väntetiden till familjerådgivningen i Solna?", "duration"),
    ("How many days does an investigation take in Enköping?", "duration"),
    ("How much is Huddinge spending on the new strategy?", "money"),
])
def test_the_form_of_the_question_says_the_kind_of_figure(question, figure):
    """A unit named after "hur många" decides; a question asking how long wants a time."""
    from rag.answer.question import analyse
    from rag.answer.plan import make_plan
    from rag.answer.rows import asked_figure, unit_fits

    a = analyse(question, {"Solna", "Huddinge", "Enköping"})
    assert asked_figure(a, make_plan(a, {"d": ESKILSTUNA_DELAR}).measure) == figure
    assert unit_fits("dagar", "duration") and not unit_fits("tkr", "duration") and not unit_fits("insatser", "duration")


def test_a_closed_years_full_year_is_no_part_year_column_of_it():
    """"helåret 2022" asked of a 2023 report that prints only January–August 2022 has no figure; an
    annual report's own "2022" column is that full year."""
    from rag.answer.question import analyse
    from rag.answer.rows import pick_columns

    row = _row({"Budget helår": -4624, "Utfall jan-aug": -3043, "Utfall jan-aug föregående år": -2845}, unit="tkr",
               label="Socialnämnden", header="Verksamhet\tBudget helår\tUtfall jan-aug\tUtfall jan-aug föregående år")
    full_2022 = analyse("Vad blev nettokostnaden för socialnämnden i Eskilstuna för helåret 2022?", {"Eskilstuna"})
    assert pick_columns(row, full_2022, ESKILSTUNA_DELAR) == []
    part_2022 = analyse("Vad blev nettokostnaden för socialnämnden i Eskilstuna januari–augusti 2022?", {"Eskilstuna"})
    assert [f.column for f in pick_columns(row, part_2022, ESKILSTUNA_DELAR)] == ["Utfall jan-aug föregående år"]
    annual = Report("s", "Solna", "Socialnämnden", "årsredovisning", "Årsredovisning 2023", "2023-01", "2023-12", "s.txt")
    row = _row({"2023": 51.0, "2022": 48.1}, unit="mkr", label="Summa intäkter", header="Intäkter\t2023\t2022")
    full_2022 = analyse("Vad blev intäkterna i Solna för helåret 2022?", {"Solna"})
    assert [f.column for f in pick_columns(row, full_2022, annual)] == ["2022"]


def test_a_row_is_read_with_the_named_total_that_closes_its_run(parsed, fake_engine):
    """Solna's resultaträkning has no sub-row markers: "Bidrag" is an income because "Summa
    intäkter" closes its run, as Enköping prints it ("Bidrag (intäkter)"). A question about
    "bidragsintäkter" then names the whole of "Bidrag" and only part of "Summa intäkter"; the total
    is context, never a narrowing of the label."""
    from rag.answer.question import analyse
    from rag.answer.row_match import label_precision, label_recall
    from rag.answer.rows import group_rows
    from rag.answer.topic import topic_units

    rows = group_rows([f for p in parsed for f in p.facts])
    solna = {r.label: r for r in rows if r.first.kommun == "Solna" and r.first.table.startswith("Resultaträkning")}
    assert solna["Bidrag"].group == "Summa intäkter" and solna["Personalkostnader"].group == "Summa kostnader"
    assert solna["Summa intäkter"].group == "" and solna["Verksamhetens nettokostnader"].group == ""
    women = next(r for r in rows if r.first.kommun == "Solna" and r.label == "varav kvinnor")
    assert women.group == women.parent == "Antal anställda"  # a sub-row is read with its row
    vocab, idf = fake_engine.view.vocab, fake_engine.view.idf  # the corpus's words split the compound
    query = topic_units(analyse("Hur stora bidragsintäkter hade Solna 2023?", {"Solna"}), vocab)
    assert label_recall(solna["Bidrag"], query, idf, vocab) > label_recall(solna["Summa intäkter"], query, idf, vocab)
    assert label_precision(solna["Bidrag"], query, idf, vocab) == 1.0


def test_a_table_of_the_same_columns_under_a_label_heading_of_its_own_continues_the_one_above():
    """Eskilstuna's KPB table, then "Föregående år" with the same columns: its rows ("Totalt 2021")
    are read in the table above, not in a table called "Föregående år"."""
    text = ("Kostnad per brukare\n\nKonsumtion IFO totalt\t\t\nÅldersgrupp\tKostnader\tKPB\n0-6 år\t41 400 837\t33 442\n"
            "Totalt 2022\t658 914 703\t89 734\n\nFöregående år\tKostnader\tKPB\nTotalt 2021\t670 619 967\t90 289\n")
    p = parse_report(REPORT, text)
    tables = {f.row: f.table for f in p.facts}
    assert tables["Totalt 2021"] == tables["Totalt 2022"] == "Konsumtion IFO totalt"
