"""Answers: refusals outside the reports, numbers traced to citations, verbatim citations."""
from __future__ import annotations

import re

import pytest

from rag.errors import QuestionError
from rag.models import Report
from rag.numbers import find_numbers, same_value
from rag.years import years_in

from tests.conftest import CORPUS, said_without_derived

CORPUS_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt"))

QUESTIONS = [
    "Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?",
    "Hur många hushåll hade utbetalningar av ekonomiskt bistånd i Solna i december 2023?",
    "Vad blev Solnas socialnämnds nettokostnad 2023?",
    "Jämför antalet anställda i Solnas och Huddinges socialförvaltningar.",
    "Vilka åtgärdskluster arbetar Huddinge med för att nå en budget i balans?",
    "Hur har kostnaderna för köpt vård förändrats i Enköping jämfört med föregående år?",
]


@pytest.mark.parametrize("question, reason", [
    ("Hur många platser har Malmö stads skyddade boenden?", "Malmö"),
    ("Hur stor blir Solnas socialnämnds budget 2026?", "2026"),
    ("Hur mycket kostade äldreomsorgen i Enköping 2024?", "äldreomsorgen"),
    ("Hur många hushåll fick ekonomiskt bistånd i Huddinge 2019?", "2019"),
])
def test_questions_outside_the_reports_are_refused_with_the_reason(fake_engine, question, reason):
    """Two sentences: the specific reason, then the nearest thing the reports say, whole and cited;
    what the corpus covers comes apart (`coverage`), for the app to fold away."""
    ans = fake_engine.ask(question)
    assert not ans.answered and not ans.facts and len(ans.citations) <= 1  # at most the nearest evidence, cited
    lines = ans.answer.splitlines()
    assert lines[0].startswith("Rapporterna säger inte det") and reason in lines[0] and len(lines) <= 2
    assert "Solna: Årsredovisning 2023 (2023-12)" in ans.coverage  # says what the reports do cover …
    assert "Årsredovisning 2023 (2023-12)" not in ans.answer  # … apart from the text
    assert ans.to_json()["coverage"] == ans.coverage
    if ans.citations:
        assert lines[1].startswith("Närmast, men inte ett svar på frågan: ") and lines[1].endswith(("[1]"))
        assert re.search(r"[.!?…]\s*\[1\]$", lines[1])  # a whole sentence, not one cut off


def test_a_refusal_for_a_kommun_outside_the_corpus_names_those_in_it_and_the_nearest_row(fake_engine):
    ans = fake_engine.ask("Hur stor var sjukfrånvaron i Malmö 2023?")
    assert not ans.answered
    assert "inga rapporter från Malmö, bara från Enköping, Eskilstuna, Huddinge och Solna" in ans.answer
    assert ans.citations and ans.citations[0].kind == "table" and "[1]" in ans.answer.splitlines()[1]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_number_is_traced_and_every_citation_is_verbatim(fake_engine, question):
    ans = fake_engine.ask(question)
    assert ans.answered and ans.citations
    cited = " ".join(f"{c.text} {c.report} {c.period} {c.section}" for c in ans.citations)
    cited_values = [n.value for n in find_numbers(cited)]
    years = [float(y) for c in ans.citations for y in (int(c.period[:4]), int(c.period[:4]) - 1)]
    for line in ans.answer.splitlines():
        body = said_without_derived(re.sub(r"\[\d+\]", "", line))
        for n in find_numbers(body):
            assert any(same_value(n.value, v) for v in cited_values + years), (n.text, line)
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", ans.answer)}
    assert markers == {c.n for c in ans.citations}
    for c in ans.citations:
        for part in c.text.split("\n"):
            assert part in CORPUS_TEXT
    for f in ans.facts:
        assert any(f.row_text in c.text for c in ans.citations if c.kind == "table")


@pytest.mark.model
def test_lookup_reads_the_right_cell(e5_engine):
    ans = e5_engine.ask("Hur många hushåll hade utbetalningar av ekonomiskt bistånd i Solna i december 2023?")
    assert ("2023", "dec", 114, "antal") in [(f.row, f.column, f.value, f.unit) for f in ans.facts]
    ans = e5_engine.ask("Vilken helårsprognos hade Huddinges socialnämnd för verksamhetens intäkter?")
    assert any(f.column.lower().startswith("prognos") for f in ans.facts)


@pytest.mark.parametrize("question", ["Hur stor andel av personalen är kvinnor i Huddinge?",
                                      "Hur stor del av personalen är kvinnor i Huddinge?"])  # "del" names no subject
def test_a_share_asked_in_other_words_is_read_in_the_same_sentence(e5_engine, question):
    ans = e5_engine.ask(question)
    assert ans.answered and "82,2 procent" in ans.answer.splitlines()[0]


@pytest.mark.model
def test_women_or_men_asked_where_the_evidence_names_neither_is_refused_not_answered_with_the_total(e5_engine):
    ans = e5_engine.ask("hur många av deltagarna på joar socia är kvinnor respektive män i enköpng?")
    assert not ans.answered and "delar inte upp uppgiften på kvinnor och män" in ans.answer
    ans = e5_engine.ask("And what was the share of men?", history=("Hur hög var sjukfrånvaron i Solna 2023?",))
    assert not ans.answered and "8,5 %" in ans.answer  # the total, said only as the nearest
    ans = e5_engine.ask("Hur många kvinnor är anställda i Solna?")  # "varav kvinnor 165" names them
    assert ans.answered and "165" in ans.answer.splitlines()[0]


@pytest.mark.model
def test_a_share_where_the_report_prints_only_counts_is_computed_from_the_part_and_its_total(e5_engine):
    ans = e5_engine.ask("Hur stor andel av de anställda i Solnas socialnämnd är kvinnor?")
    first = ans.answer.splitlines()[0]
    assert first.startswith("I Solna var 165 av 221 anställda kvinnor under 2023 [1][2], det vill säga 74,7 procent.")
    assert "räknad här ur de två antalen" in first  # said as worked out, not as the report's
    assert [c.kind for c in ans.citations] == ["table", "table"] and "varav kvinnor" in ans.citations[0].text
    assert [(f.row, f.column, f.value) for f in ans.facts] == [("varav kvinnor", "2023", 165), ("Antal anställda", "2023", 221)]


@pytest.mark.model
def test_a_deviation_asked_without_a_year_is_the_report_years(e5_engine):
    first = e5_engine.ask("Varför gick Solna med överskott mot budget medan Eskilstuna går med underskott?") \
        .answer.splitlines()[0]
    assert "underskott mot budget på 29,3 mnkr under januari–augusti 2023" in first and "16,9" not in first


@pytest.mark.model
def test_change_questions_get_both_periods_and_the_difference(e5_engine):
    ans = e5_engine.ask("Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?")
    assert [(f.column, f.value) for f in ans.facts][:2] == [("Utfall jan-aug 2024", -6.3), ("Utfall jan-aug 2023", -10.0)]
    first = ans.answer.splitlines()[0]  # both figures, the direction and the change, as a person says them
    assert first.startswith("I Enköping minskade kostnaden för institutionsvård vuxna från 10,0 mnkr under "
                            "januari–augusti 2023 till 6,3 mnkr under januari–augusti 2024, en minskning med 3,7 mnkr "
                            "(37 %)")
    assert "rapporten förklarar: ”" in first  # and the report's stated cause, in the same sentence


@pytest.mark.model
@pytest.mark.parametrize("question", ["Hur stor var sjukfrånvaron bland medarbetarna?",
                                      "Varför föll kostnaderna för institutionsvård?"])
def test_no_kommun_named_answers_under_each_kommuns_own_heading(e5_engine, question):
    ans = e5_engine.ask(question)
    assert ans.answered
    cited = {c.kommun for c in ans.citations}
    heads = [ln for ln in ans.answer.splitlines() if ln.startswith(("**", "Enligt"))]
    assert {k for k in cited if any(k in h for h in heads)} == cited  # whose figure it is, always said
    assert len(heads) == len(cited)


def test_english_words_are_not_taken_as_topics_the_reports_lack(fake_engine):
    """Swedish reports never use 'services'; that says nothing about what they cover."""
    from rag.answer.evidence import absent_words

    swedish = fake_engine.analyse("Hur mycket kostade rymdresorna i Huddinge?")
    assert absent_words(fake_engine.view, swedish, "Huddinge") != ([], [])
    english = fake_engine.analyse("How much did social services spend on staff in Huddinge?")
    assert english.english and absent_words(fake_engine.view, english, "Huddinge") == ([], [])


def test_the_word_after_hur_asks_how_and_names_no_missing_subject(fake_engine):
    """'Hur vanligt …' asks how common something is; that Solna never writes 'vanligt' says nothing."""
    from rag.answer.evidence import absent_words

    a = fake_engine.analyse("Hur vanligt var det med rymdresorna i Solna 2023?")
    here, nowhere = absent_words(fake_engine.view, a, "Solna")
    assert "rymdresorna" in here + nowhere
    assert "vanligt" not in here + nowhere


def test_sidebar_filter_limits_the_answer(fake_engine):
    ans = fake_engine.ask("Hur stor var sjukfrånvaron?", kommuner=("Huddinge",))
    assert ans.answered and {c.kommun for c in ans.citations} == {"Huddinge"}


@pytest.mark.parametrize("question", ["", "   ", "??", "x" * 600, 42])
def test_bad_questions_raise_a_clear_error(fake_engine, question):
    with pytest.raises(QuestionError):
        fake_engine.ask(question)


def test_answer_json_keeps_the_contract(fake_engine):
    d = fake_engine.ask(QUESTIONS[0]).to_json()
    assert list(d) == ["question", "answered", "answer", "citations", "facts"]
    assert set(d["citations"][0]) == {"n", "kind", "doc_id", "kommun", "report", "period", "section", "text"}
    assert set(d["facts"][0]) == {"doc_id", "kommun", "period", "section", "caption", "table", "row", "column",
                                  "value", "unit", "raw"}


@pytest.mark.model
def test_an_empty_cell_of_the_asked_year_is_a_refusal_that_names_the_column(e5_engine):
    """The table has "Utfall 2023" but leaves it empty: no figure, and not 2022's or the target."""
    ans = e5_engine.ask("Vilket motivationsindex fick Eskilstunas medarbetare 2023?")
    assert not ans.answered and not ans.facts
    assert "«Utfall 2023»" in ans.answer and ans.citations[0].kind == "table"


@pytest.mark.model
def test_a_why_answer_gives_the_reports_explanation_of_its_leading_row(e5_engine):
    """The text right after a table explains its figures; it follows the row it explains."""
    ans = e5_engine.ask("Varför har insatser till personer med funktionsnedsättning i Huddinge en positiv "
                        "avvikelse mot budget?")
    first = ans.answer.splitlines()[0]
    assert first.startswith("I Huddinge hade insatser till personer med funktionsnedsättning")
    cause = first.split("rapporten förklarar: ”")[1]  # the explanation, quoted in the first sentence …
    assert "beror på" in cause
    n = int(re.search(r"\[(\d+)\]$", cause).group(1))  # … from the text that speaks of the row
    assert "funktionsnedsättning" in ans.citations[n - 1].text


def test_commentary_is_the_text_between_a_rows_table_and_the_next_table(fake_engine):

    tables = {}  # doc -> the start lines of its table-row passages
    for p in fake_engine.passages:
        for loc in p.locations:
            if p.kind == "table":
                tables.setdefault(loc.doc_id, []).append(loc.start_line)
    rows = fake_engine.view.rows
    found = 0
    for row in rows:
        own_end = max(r.line for r in rows if (r.doc_id, r.first.header_line) == (row.doc_id, row.first.header_line))
        below = fake_engine.view.commentary(row)
        found += bool(below)
        for p in below:
            assert p.kind == "text"
            # it stands after the row's table, with no row of another table in between (a repeated
            # paragraph is one passage with several locations: one of them)
            assert any(start > own_end and not [s for s in tables[row.doc_id] if own_end < s < start]
                       for start in (loc.start_line for loc in p.locations if loc.doc_id == row.doc_id)), \
                (row.label, p.text[:60])
    assert found > 100


@pytest.mark.parametrize("column, period_end, months", [
    ("Utfall jan-aug", "2023-08", 8), ("Utfall Aug 2023", "2023-08", 8), ("Prognos helår", "2023-08", 12),
    ("Bokslut 2023", "2024-08", 12), ("Budget 2024", "2024-08", 12), ("2023", "2023-12", 12),
    ("Utfall jan-april 2024", "2024-04", 4), ("jan-aug 2023", "2023-08", 8),
    # a closed year named without a month, beside this year's "2023-31 aug": all of that year
    ("2022", "2023-08", 12), ("Utfall 2022", "2023-08", 12), ("Utfall Aug 2022", "2023-08", 8),
    ("Utfall 2023", "2023-08", 8),
])
def test_months_covered_tells_a_part_year_from_a_full_year(column, period_end, months):
    from rag.answer.periods import months_covered

    report = Report("d", "K", "Socialnämnden", "delårsrapport", "R", period_end[:4] + "-01", period_end, "d.txt")
    assert months_covered(column, report) == months


def test_a_figure_key_finds_the_same_row_under_another_kommuns_wording(fake_engine):
    from rag.answer.topic import figure_key

    vocab = fake_engine.bm25.vocab
    assert figure_key("Lokalkostnader", vocab) == figure_key("Lokaler", vocab) == {"lokal"}
    assert figure_key("Personalkostnader", vocab) == figure_key("Personal", vocab)
    assert figure_key("Personalkostnader", vocab) != figure_key("Lokalkostnader", vocab)


@pytest.mark.model
def test_a_comparison_reads_each_kommun_in_the_row_that_counts_the_same_thing(e5_engine):
    """Huddinge calls it "Lokaler", Eskilstuna "Lokalkostnader": both are shown, ranked in kronor,
    each figure in its own unit and period."""
    ans = e5_engine.ask("Hur stora var lokalkostnaderna i Huddinge jämfört med Eskilstuna 2023?")
    rows = {(f.kommun, f.row) for f in ans.facts}
    assert ("Huddinge", "Lokaler") in rows and ("Eskilstuna", "Lokalkostnader") in rows
    first = ans.answer.splitlines()[0]
    assert first.startswith("Lokalkostnader (utfall jan–aug 2023):") and first.endswith("Högst: Eskilstuna.")


@pytest.mark.model
def test_figures_of_different_periods_are_compared_on_the_full_year_each_said_as_what_it_is(e5_engine):
    """Solna's full year 2023 against Huddinge's January–August: compared on the full year both have
    (Solna's outcome, Huddinge's forecast), each named as such; the outcomes so far follow, unordered."""
    ans = e5_engine.ask("Jämför personalkostnaderna i Solna och Huddinge 2023")
    first = ans.answer.splitlines()[0]
    assert first.startswith("Personalkostnader (helår 2023): Solna 140,6 mnkr (utfall helår 2023) [1], "
                            "Huddinge 293,4 mnkr (helårsprognos 2023) [2]")
    so_far = next(ln for ln in ans.answer.splitlines() if ln.startswith("Hittills under året"))
    assert "Huddinge 193,8 mnkr (utfall jan–aug 2023)" in so_far and "inte rangordnat" in so_far


def test_a_sentence_the_report_repeats_is_quoted_once():
    from rag.answer.picking import near_same

    a = "Kostnaderna har ökat med 2,3 mkr (0,9 %) varav 9,6 mkr avser högre personalkostnader."
    b = "Kostnaderna har ökat med 2,3 mkr (0,9 %) jämfört med föregående år varav 9,6 mkr avser högre personalkostnader."
    assert near_same(a, b)
    assert not near_same(a, "Sjukfrånvaron minskade till 8,5 procent under 2023 jämfört med 10,2 procent.")


def test_a_cell_holding_two_figures_shows_each_with_its_own_unit():
    from rag.answer.layout import _value
    from rag.models import Fact

    def fact(value, unit):
        return Fact("d", "K", "2023-08", "S", "C", "T", "Öppenvård", "Inom ramavtal", value, unit,
                    "32 insatser 71 procent", 1, 0, "", "")
    assert _value(fact(32.0, "insatser")) == "32 insatser"
    assert _value(fact(71.0, "%")) == "71%"


@pytest.mark.model
def test_a_question_naming_two_months_is_answered_from_each_report(e5_engine):
    """Enköping's tertialrapport ends in April and its delårsrapport in August: a lookup that names
    both months shows the row from each, not only the newest."""
    ans = e5_engine.ask("Vilken helårsprognos för ekonomiskt bistånd hade Enköping i april och i augusti?")
    docs = {f.doc_id for f in ans.facts if f.row == "Ekonomiskt bistånd"}
    assert docs == {"enkoping-tertial-2024-04", "enkoping-delar-2024-08"}


@pytest.mark.model
def test_a_year_asked_without_a_kommun_is_not_answered_with_another_years_figures(e5_engine):
    """Only Enköping reports on 2024: Huddinge's January–August 2023 is not an answer to
    January–August 2024, while a 2023 question may still read Enköping's `Bokslut 2023`."""
    ans = e5_engine.ask("Vad kostade ekonomiskt bistånd under januari–augusti 2024?")
    assert ans.answered and ans.facts
    assert {f.kommun for f in ans.facts} == {"Enköping"}
    assert all("2024" in f.column for f in ans.facts)
    closed = e5_engine.ask("Vad kostade ekonomiskt bistånd 2023?")
    assert ("Enköping", "Bokslut 2023") in {(f.kommun, f.column) for f in closed.facts}


@pytest.mark.model
def test_the_asked_kind_of_figure_is_read_in_a_sentence():
    from rag.answer.figures_said import gives_figure

    assert gives_figure("Prognosen är ett underskott om 5,4 mnkr.", "money")
    assert gives_figure("Kostnaden var 193,8 miljoner kronor.", "money")
    assert not gives_figure("Den budgeterade volymen består av 19 årsplaceringar.", "money")
    assert gives_figure("Sjukfrånvaron var 8,5 procent.", "share")
    assert not gives_figure("Sjukfrånvaron minskade under 2023.", "count")
    # a percentage or an amount is no count; a number written as a word is one
    assert not gives_figure("Riksnormen räknades upp med 8,7% inför 2024.", "count")
    assert not gives_figure("Prognosen är ett underskott om 5,4 mnkr.", "count")
    assert gives_figure("I dagsläget är snittantalet 423 hushåll.", "count")
    assert gives_figure("Två sådana ärenden har inkommit.", "count")
    assert gives_figure("Utav nitton ungdomar har sjuutton påbörjat en insats.", "count")  # the report's spelling
    # an age range or a time is no count
    assert not gives_figure("Gruppledare har utbildats i bland annat ABC 3-11 år.", "count")
    assert not gives_figure("Handläggningen tar i snitt 14 dagar.", "count")


def test_a_price_per_unit_is_an_amount_in_kronor_said_with_the_unit():
    from rag.answer.figures_said import gives_rate

    assert gives_rate("Snittpriset per dygn under 2024 är 895 kronor i jämförelse med budgeterad nivå.", "dygn")
    assert gives_rate("Snittkostnaden har ökat från 821 kr per dygn till 892 kr per dygn.", "dygn")
    assert not gives_rate("Prognosen är -2,5 mnkr. Avvikelsen beror på att snittkostnaden per dygn har ökat.", "dygn")
    assert not gives_rate("Placeringarna kostade 895 kronor mer än budget.", "dygn")


@pytest.mark.model
@pytest.mark.parametrize("question, first, second", [
    ("How many households get financial assistance per month in Enköping – April report versus August report?",
     "415", "423"),
    ("Vad kostade ett dygn i Enköpings egna familjehem enligt tertialrapporten och enligt delårsrapporten?",
     "892", "895"),
])
def test_two_reports_named_are_each_read_in_their_text_and_each_opens_the_answer(e5_engine, question, first, second):
    """The report type named first does not crowd the other out: each report is searched on its own,
    and where no table row answers, the opening says each report's sentence, the older first."""
    ans = e5_engine.ask(question)
    assert {c.doc_id for c in ans.citations} == {"enkoping-tertial-2024-04", "enkoping-delar-2024-08"}
    opening = ans.answer.splitlines()[0]
    assert opening.startswith("Enligt Enköping (Tertialrapport april 2024): ")
    assert "Enligt Enköping (Delårsrapport januari–augusti 2024): " in opening
    assert first in ans.answer and second in ans.answer


def test_a_figure_word_is_not_a_subject_the_reports_never_mention(fake_engine):
    """'nettokostnaden' names the kind of figure: no refusal may say a kommun's reports lack it."""
    from rag.answer.evidence import absent_words

    a = fake_engine.analyse("Vad blev nettokostnaden för individ- och familjeomsorgen i Eskilstuna 2023?")
    here, nowhere = absent_words(fake_engine.view, a, "Eskilstuna")
    assert "nettokostnaden" not in here + nowhere


def test_which_row_stands_out_is_answered_from_a_table_ranked(e5_engine):
    """No row is named: the table is read, its rows ordered by the asked column, the extreme first,
    each figure cited to its row."""
    ans = e5_engine.ask("Vilken verksamhet har störst underskott mot budget i Enköping?")
    assert ans.answered and len(ans.facts) >= 2
    values = [f.value for f in ans.facts]
    assert values == sorted(values) and values[0] < 0
    assert {f.column for f in ans.facts} == {ans.facts[0].column}
    assert len(ans.citations) >= len(ans.facts)
    assert ans.answer.startswith("Störst underskott i Enköping")  # the reader hears which end of the ranking leads


def test_a_cost_column_printed_without_a_unit_answers_a_cost_question(e5_engine):
    """A table of kronor printed without a unit (Eskilstuna's KPB, kostnad per brukare): a question
    about the cost per user is read in that column, not in the one that has a unit (kr per invånare)."""
    from rag.answer.rows import cell_fits

    ans = e5_engine.ask("Vilken åldersgrupp har lägst kostnad per brukare i Eskilstuna?")
    assert ans.answered and ans.facts
    assert {f.column for f in ans.facts} == {"KPB"} and not ans.facts[0].unit
    values = [f.value for f in ans.facts]
    assert values == sorted(values)
    kpb_table = [f for f in e5_engine.facts if f.column in ("KPB", "# Brukare")]
    assert {f.column for f in kpb_table} == {"KPB", "# Brukare"}
    assert {f.column for f in kpb_table if cell_fits(f, "money")} == {"KPB"}  # a head count is no amount
    assert {f.column for f in kpb_table if cell_fits(f, "count")} == {"# Brukare"}  # and an amount no count


def test_a_cost_per_user_asked_in_words_is_read_in_the_column_an_abbreviation_names(e5_engine):
    """"Vad kostade … per brukare": the heading "KPB" spelt out is kostnad per brukare, a cost and a
    per-user figure, not the age group's total cost ("Kostnader") nor its head count."""
    ans = e5_engine.ask("Vad kostade åldersgruppen 0–6 år per brukare i Eskilstuna 2022?")
    assert ans.answered and ans.facts[0].column == "KPB" and "0-6" in ans.facts[0].row
    counted = e5_engine.ask("Hur många brukare i åldern 0–6 år hade Eskilstunas individ- och familjeomsorg 2022?")
    assert counted.answered and counted.facts[0].column == "# Brukare"


def test_dates_and_list_numbers_are_no_figures_and_a_time_needs_its_unit():
    from rag.answer.figures_said import gives_figure, has_figure

    assert not has_figure("1. Delårsrapport januari – augusti 2024, daterad 2024-09-13, fastställs.")
    assert has_figure("Kostnaden blev 4,2 mnkr högre än 2023.")
    assert gives_figure("Placering sker max två månader i taget.", "duration")
    assert gives_figure("Utredningen ska vara klar inom 14 dagar.", "duration")
    assert not gives_figure("Det finns 43 insatser inom ramavtal.", "duration")
    assert not gives_figure("Vid delår 2 har flera delar av åtagandet inletts.", "count")


def test_a_count_of_something_named_comes_from_a_text_that_names_it():
    """"Hur många familjer …" is not answered by "under barnens första 18 månader"; a compound's
    head counts ("familjerådgivningssamtal" in a text about "996 samtal")."""
    from rag.answer.figures_said import counted_stems, gives_figure

    vocab = frozenset({"familjerådgivning", "samtal", "familj"})
    families = counted_stems("Hur många familjer har deltagit i hembesöksprogrammet?", vocab)
    assert not gives_figure("Hembesök görs under barnens första 18 månader.", "count", families)
    assert gives_figure("Utöver detta har 461 familjer tagit del av programmet.", "count", families)
    talks = counted_stems("Hur många familjerådgivningssamtal genomfördes?", vocab)
    assert gives_figure("Under perioden har 996 samtal genomförts.", "count", talks)
    assert counted_stems("Vad kostade vården?", vocab) == ()
    # people are counted by many words, each right after its number
    young = counted_stems("Hur många ungdomar var placerade på SIS?", vocab)
    assert gives_figure("I början av året uppgick antalet placerade till sju klienter.", "count", young)
    # the counted word is read wherever the sentence goes on ("sju klienter och sammanlagt …")
    assert gives_figure("Antalet placerade uppgick till sju klienter och en av dessa har avslutats.", "count", young)
    assert not gives_figure("Antalet uppgick till sju hushåll och en av dessa har avslutats.", "count", young)
    assert not gives_figure("Hembesök görs under barnens första 18 månader.", "count", families)


def test_a_month_table_asked_over_years_answers_with_each_years_row(fake_engine):
    """Solna's month-by-year tables give a row per year: "från 2021 till 2023" reads each of them."""
    from rag.answer.candidates import Candidate
    from rag.answer.picking import Scored, rows_of_each_year

    first = next(r for r in fake_engine.view.rows if r.doc_id.startswith("solna") and r.label.strip() == "2021"
                 and r.first.caption.startswith("Antal hushåll med utbetalningar"))
    lead = Scored(Candidate("row", "Solna", first.doc_id, (), row=first, text=first.first.row_text), 0.7)
    rows = rows_of_each_year(fake_engine.view, [lead], (2021, 2023))
    assert [r.candidate.row.label.strip() for r in rows] == ["2021", "2022", "2023"]
    assert {r.candidate.row.first.header_line for r in rows} == {first.first.header_line}
    assert rows_of_each_year(fake_engine.view, [lead], (2021, 2021)) == [lead]  # one year: the row itself


def test_rows_labelled_by_their_year_are_each_years_row(fake_engine):
    """Eskilstuna's KPB prints "Totalt 2022" under its age groups and "Totalt 2021" in a table of earlier
    years: "mellan 2021 och 2022" reads both, and the gather keeps both years' rows though no report
    is of either year."""
    from rag.answer.candidates import Candidate
    from rag.answer.evidence import gather
    from rag.answer.picking import Scored, rows_of_each_year

    total = next(r for r in fake_engine.view.rows if r.label == "Totalt 2022")
    lead = Scored(Candidate("row", "Eskilstuna", total.doc_id, (), row=total, text=total.first.row_text), 0.7)
    assert [r.candidate.row.label for r in rows_of_each_year(fake_engine.view, [lead], (2021, 2022))] == \
        ["Totalt 2021", "Totalt 2022"]
    a = fake_engine.read_question("Hur har antalet brukare inom IFO i Eskilstuna förändrats mellan 2021 och 2022?").analysis
    cands = gather(fake_engine, a).candidates
    view = fake_engine.view

    def years_of(c):
        if c.kind != "row":
            return set(years_in(c.text))
        r = c.row
        return set(years_in(r.label + " " + " ".join(f.column for f in r.facts))) | \
            set(view.table_years.get((r.doc_id, r.first.header_line), ()))
    assert cands and all(years_of(c) & {2021, 2022} for c in cands)  # every candidate is of a year asked
    assert {2021, 2022} <= set().union(*(years_of(c) for c in cands))  # and each year asked has one


def test_a_question_asking_how_long_is_refused_when_no_figure_gives_a_time(e5_engine):
    """No report gives a waiting time: a count of placements or a cost is no answer to it."""
    ans = e5_engine.ask("Hur lång är väntetiden för att få plats på ett boende i Eskilstuna?")
    assert not ans.answered and not ans.facts


def test_a_sentence_introducing_a_list_brings_its_items(fake_engine):
    """"… finns en rad forum och aktiviteter vars syfte är …;" says nothing without the bullet
    lines that follow it; those are the next passage of the same section."""
    from rag.answer.candidates import Candidate
    from rag.answer.picking import Scored, lists_that_follow

    intro = next(p for p in fake_engine.passages if p.kind == "text" and p.text.rstrip().endswith(";")
                 and (n := fake_engine.view.passage_after(p)) is not None and n.text.lstrip().startswith("- "))
    s = Scored(Candidate("sentence", intro.kommun, intro.doc_id, (), passage=intro, text=intro.text, pos=0), 0.5)
    items = lists_that_follow(fake_engine.view, [s])
    following = fake_engine.view.passage_after(intro)
    assert len(items) == following.text.count("\n- ") + 1 >= 2  # one quote per item
    assert all(i.candidate.passage.id == following.id and i.p == 0.5 for i in items)
    assert all(i.candidate.text in following.text and not i.candidate.text.startswith("-") for i in items)
    assert lists_that_follow(fake_engine.view, items) == []  # the items introduce nothing


def test_a_rows_commentary_reaches_the_paragraph_that_names_it(fake_engine):
    """Solna explains each row of its table of verksamheter in its own paragraph below the table;
    the third row's is the third paragraph, and the next section's text is not part of it."""

    row = next(r for r in fake_engine.view.rows if r.label == "Ekonomi och arbetsmarknad"
               and r.doc_id.startswith("solna"))
    below = fake_engine.view.commentary(row)
    assert any("lägre utbetalning av ekonomiskt bistånd" in p.text for p in below)
    assert len({p.section for p in below}) == 1


def test_the_same_row_in_each_report_is_the_one_of_the_same_table_kind(fake_engine):
    """Enköping's tertial report prints "Familjehem BoU egna fam.hem" in its cost table and in its
    volume table: beside August's volume row stands April's volume row, not its costs."""
    from rag.answer.candidates import Candidate
    from rag.answer.picking import Scored, same_row_in_each_report
    from rag.answer.plan import make_plan

    a = fake_engine.analyse("Hur många årsplaceringar i egna familjehem för barn och unga prognostiserade Enköping "
                            "i april respektive i augusti 2024?")
    plan = make_plan(a, fake_engine.reports)
    august = next(r for r in fake_engine.view.rows if r.doc_id == "enkoping-delar-2024-08"
                  and r.label == "Familjehem BoU egna fam.hem")
    first = Scored(Candidate("row", "Enköping", august.doc_id, (), row=august, text=august.first.row_text), 0.5)
    both = same_row_in_each_report(fake_engine.view, first, plan, "Enköping")
    assert [s.candidate.doc_id for s in both] == ["enkoping-tertial-2024-04", "enkoping-delar-2024-08"]
    assert {f.column: f.value for f in both[0].candidate.row.facts}["Volym prognos helår"] == 77


@pytest.mark.model
def test_a_group_named_after_a_count_reads_the_counts_sub_row(e5_engine):
    """"Hur många av dem var män?" after the number of employees: the row's own "- varav män"."""
    ans = e5_engine.ask("Hur många av dem var män?", history=["Hur många anställda hade Solnas socialförvaltning "
                                                               "i slutet av 2023?"])
    assert ans.answered and {f.row.strip() for f in ans.facts} == {"varav män"}
    assert "56" in ans.answer.splitlines()[2]


@pytest.mark.model
def test_a_measure_named_as_another_kommun_labels_it_is_read_in_its_row(e5_engine):
    """Huddinge labels lokalkostnader "Lokaler": the forecast is read there, not refused."""
    ans = e5_engine.ask("Vad räknar Huddinges socialnämnd med att lokalkostnaderna landar på för helåret 2023?")
    assert ans.answered and ans.facts[0].row == "Lokaler" and ans.facts[0].column == "Prognos helår"


@pytest.mark.model
def test_two_reports_of_one_kommun_in_one_first_sentence_and_one_table_with_a_column_each(e5_engine):
    from rag.ui.charts import chart_data

    ans = e5_engine.ask("Har Enköpings socialnämnd förbättrat sin helårsprognos mellan tertialrapporten i april "
                        "och delårsrapporten i augusti 2024?")
    first, head = ans.answer.splitlines()[:2]
    assert "278,2 mkr" in first and "274,7 mnkr" in first and "[1]" in first and "[2]" in first
    assert "överskott 1,5 mkr respektive överskott 5,0 mnkr" in first
    assert head == "| Summa totalt | Tertialrapport april 2024 [1] | Delårsrapport januari–augusti 2024 [2] |"
    assert "| Prognos helår 2024 | 278,2 mkr | 274,7 mnkr |" in ans.answer
    charts = chart_data(ans, e5_engine.facts, e5_engine.reports)
    assert len(charts) == 1 and charts[0].columns == ("Tertialrapport april 2024", "Delårsrapport januari–augusti 2024")
    assert charts[0].values == (278.2, 274.7)


@pytest.mark.model
def test_a_why_of_a_summary_tables_line_reads_the_text_below_its_own_small_table(e5_engine):
    """Huddinge's "Nämnd- & styrelseverksamhet" stands in the big operating table and again in a table
    of its own, under which the report says why it fell (the chair's fee is paid by kommunstyrelsen)."""
    ans = e5_engine.ask("Hur kom det sig?", history=["Hur mycket minskade nettokostnaden för nämnd- och "
                                                     "styrelseverksamheten i Huddinge mellan januari–augusti 2022 "
                                                     "och 2023?"])
    assert any("Arvodet för nämndens ordförande" in c.text for c in ans.citations)
    assert "Arvodet för nämndens ordförande" in ans.answer


def test_how_several_kommuner_work_with_something_is_told_in_several_passages_of_each(e5_engine):
    """"Hur arbetar Enköping och Solna med våld i nära relationer?": each kommun's work in its own
    section, more than one cited passage each, never a table figure."""
    ans = e5_engine.ask("Hur arbetar Enköping och Solna med våld i nära relationer enligt rapporterna?")
    assert ans.answered and not ans.facts
    first = ans.answer.splitlines()[0]  # each kommun asked about is heard in the opening, its sentence cited
    assert re.match(r"Enligt Enköping \(.*\[\d\] Enligt Solna \(.*\[\d\]$", first)
    said = re.findall(r"\): (.*?) \[\d\]", first)
    assert len(said) == 2 and not any(s in ans.answer.split("\n", 1)[1].split("\n\n[1]")[0] for s in said)
    sections = ans.answer.split("**")[1:]
    heads = sections[0::2]
    assert [h.split(" ")[0] for h in heads] == ["Enköping", "Solna"]
    counts = []
    for body in sections[1::2]:
        bullets = [ln for ln in body.splitlines() if ln.startswith("- ")]
        assert len(bullets) >= 2 and all(ln.rstrip().endswith("]") for ln in bullets)
        counts.append(len(bullets))
    assert max(counts) == 3  # a third passage where the report says more (two for a single kommun's question)


def test_a_price_per_day_is_never_answered_by_a_total(e5_engine):
    """"Snittkostnaden per dygn": Enköping's tables print the total cost of egna familjehem, its text the
    price per day; the total's row is no answer to a question about the price of a day."""
    ans = e5_engine.ask("Hur har snittkostnaden per dygn för egna familjehem förändrats enligt tertialrapporten?")
    assert ans.answered and not ans.facts
    assert "892 kr per dygn" in ans.answer.splitlines()[0]


@pytest.mark.parametrize("question", ["Vad kostar ett vårddygn på SiS för Eskilstuna kommun?",
                                      "Vad kostar en HVB-placering per dygn för socialnämnden i Solna?"])
def test_a_price_per_day_no_report_prints_is_refused(e5_engine, question):
    """No sentence naming a day's price: a total cost said in a sentence is no answer either."""
    ans = e5_engine.ask(question)
    assert not ans.answered, ans.answer


def test_a_table_of_words_is_quoted_a_row_at_a_time():
    """Huddinge's goal table has no figures and no full stops: each of its rows is a piece of its own."""
    from rag.search.retrieval import sentence_spans

    text = ("Nämnden följer upp sina mål.\n| Målområde | Nämndmål | Måluppfyllelse |\n|---|---|--|\n"
            "| Social hållbarhet | Fler barn tar del av förebyggande insatser | I hög grad uppfyllt |\n"
            "| Ekonomi | Budget i balans | Delvis uppfyllt |")
    pieces = [text[a:b].strip() for a, b in sentence_spans(text)]
    assert "Nämnden följer upp sina mål." in pieces
    assert "| Ekonomi | Budget i balans | Delvis uppfyllt |" in pieces
    assert not any("---" in p or p.count("\n") for p in pieces)


def test_a_count_of_people_is_told_from_a_row_counting_something_else():
    from rag.answer.figures_said import counts_other_than_people, counts_people

    assert counts_people("Hur många i åldern 13–20 år hade Solna i familjehemsvård i december 2022?")
    assert counts_people("Hur många ungdomar var placerade i familjehem?")
    assert not counts_people("Hur många vårddygn hade Solna 2023?")
    people = "Hur många ungdomar var familjehemsplacerade i Solna?"
    assert counts_other_than_people("Familjehemsvård, antal vård dygn", people)
    assert not counts_other_than_people("Familjehemsvård, antal personer", people)
    # a row counting families answers a question that names families
    assert not counts_other_than_people("Antal barn, ungdomar och familjer som nås av tidiga insatser",
                                        "Hur många barn, ungdomar och familjer har nåtts av tidiga insatser?")
