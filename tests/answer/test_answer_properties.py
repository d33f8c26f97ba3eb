"""Properties over whole question sets with the real e5 model: every figure traced to a cited
cell or sentence, markers valid, the first sentence's figure a cited fact, refusals present no
figure as the answer; and the leave-one-kommun-out run, with honest floors."""
from __future__ import annotations

import re

import pytest

from eval.crossval import cross_validate, gather_all, paraphrase_agreement
from eval.questions import default_files, load_questions
from rag.ingest.markup import plain_line
from rag.numbers import find_numbers, same_value

from tests.conftest import CORPUS, ROOT, first_sentence, said_without_derived

pytestmark = pytest.mark.model
# the reports as read: markup turned into text, line by line (rag/ingest/markup.py)
CORPUS_TEXT = "\n".join(plain_line(line) for p in CORPUS.glob("*.txt") for line in p.read_text(encoding="utf-8").split("\n"))
# the sets the project reads: public, dev/, dev2/, its own questions.*.jsonl and written/ (not heldout2)
OWN_FILES = default_files() + [str(ROOT / "eval" / "questions.heldout.jsonl")] \
    + sorted(str(p) for p in (ROOT / "eval" / "written").glob("*.jsonl")) \
    + sorted(str(p) for p in (ROOT / "eval" / "dev2").glob("*.jsonl")) \
    + [str(ROOT / "eval" / "questions.followup.jsonl"), str(ROOT / "eval" / "questions.extra.jsonl")]
FILES = OWN_FILES + [str(ROOT / "eval" / "heldout2" / "questions.jsonl")]


def said_values(facts) -> list[float]:
    """What an answer may say of its facts: each as printed, and an amount in mnkr to one decimal."""
    from rag.answer.periods import in_mnkr

    return [f.value for f in facts] + [round(abs(in_mnkr(f)), 1) for f in facts if in_mnkr(f) is not None]


@pytest.fixture(scope="module")
def answers(e5_engine):
    qs = load_questions(FILES)
    return [(q, e5_engine.ask(q["question"], history=tuple(q.get("history", ())))) for q in qs]


def test_every_number_is_traced_to_a_cited_text_or_a_difference_of_cited_facts(answers):
    for q, ans in answers:
        if not ans.answered:
            continue
        cited = " ".join(f"{c.text} {c.report} {c.period} {c.section}" for c in ans.citations)
        values = [n.value for n in find_numbers(cited)]
        facts = [f.value for f in ans.facts]
        diffs = [abs(abs(a) - abs(b)) for a in facts for b in facts] + said_values(ans.facts)
        diffs += [float(y) for y in re.findall(r"\b20\d\d\b", " ".join(f.column for f in ans.facts) + cited)]
        diffs += [float(int(c.period[:4]) - 1) for c in ans.citations]  # a column "föregående år"
        for line in ans.answer.splitlines():
            if ans.read_as and line.startswith("Jag läser frågan som:"):
                continue  # the chat's questions restated: their numbers are the user's, not the reports'
            body = said_without_derived(re.sub(r"\[\d+\]", "", line))
            for n in find_numbers(body):
                assert any(same_value(n.value, v) for v in values + diffs), (q["id"], n.text, line)


def test_markers_and_citations_agree_and_citations_are_verbatim(answers):
    for q, ans in answers:
        if not ans.answered:
            continue
        markers = {int(m) for m in re.findall(r"\[(\d+)\]", ans.answer)}
        assert markers == {c.n for c in ans.citations}, q["id"]
        for c in ans.citations:
            for part in c.text.split("\n"):
                assert part in CORPUS_TEXT, (q["id"], part[:80])


def test_a_quoted_sentence_carries_no_markup_of_the_report(answers):
    """Huddinge's export marks headings "**Upphörande av våld i nära relation.**": a quote says the
    words without the markers (which the app would show as asterisks); its citation keeps them."""
    quoted = [ln for _, ans in answers if ans.answered for ln in ans.answer.splitlines() if ln.startswith("- ")]
    assert len(quoted) > 300
    assert not [ln for ln in quoted if "**" in ln or "__" in ln]


@pytest.fixture(scope="module")
def own_answers(answers):
    """The answers to the project's own sets (every one but heldout2's), with the contract's verdict."""
    from eval.scoring import score

    own = {(q["file"], q["id"]) for q in load_questions(OWN_FILES)}
    return [(q, ans, score(q, ans.to_json())["correct"]) for q, ans in answers if (q["file"], q["id"]) in own]


def test_a_question_asking_how_something_is_done_opens_with_the_reports_words(own_answers):
    """"Hur arbetar X och Y med …", "Vad gör X för att …" ask for what the reports say is done, not
    for a table row's figure: every one answered opens with a quoted sentence (`QuestionAnalysis.manner`)."""
    from rag.lexicon import LEXICON

    asked = [(q, ans) for q, ans, _ in own_answers if ans.answered and LEXICON.intents["manner"].search(q["question"].lower())]
    assert len(asked) >= 15
    for q, ans in asked:
        first = next(ln for ln in ans.answer.splitlines() if ln and not ln.startswith("Jag läser"))
        assert first.startswith("Enligt "), (q["id"], first[:80])


def test_the_first_sentence_holds_the_asked_figure(own_answers):
    """A politician reads the first sentence aloud: of the correct answers that give figures, at least
    nine in ten hold an asked figure in it (0.80 of first lines before this release; 0.90 now)."""
    from eval.scoring import number_group_ok

    held = [any(number_group_ok(first_sentence(ans.answer), g) for g in q["numbers"])
            for q, ans, correct in own_answers if correct and q["numbers"]]
    assert len(held) >= 350 and sum(held) / len(held) >= 0.90, (sum(held), len(held))


def test_no_cost_is_said_with_a_minus_sign_in_the_first_sentence(own_answers, e5_engine):
    """A cost is an amount ("kostnaden … 6,3 mnkr"): no cost of a cited row is printed negative in the
    first sentence, and a report's own "underskott om -3,2 mnkr" is said without the sign."""
    from rag.answer.periods import is_cost

    at: dict[tuple[str, int], list] = {}
    for f in e5_engine.facts:
        at.setdefault((f.doc_id, f.line), []).append(f)
    said = 0
    for q, ans, _ in own_answers:
        if not ans.answered:
            continue
        first = first_sentence(ans.answer)
        costs = [f.value for c in ans.citations if c.kind == "table" for f in at.get((c.doc_id, c.line), ())
                 if is_cost(f)]
        own_words = re.sub(r"”[^”]*”|^Enligt [^:]*\):", "", first)  # the answer's words, not a quote's
        for m in re.finditer(r"(?<![\w–-])[-−]\s?(\d[\d ]*(?:,\d+)?)", own_words):
            assert not any(same_value(float(m.group(1).replace(" ", "").replace(",", ".")), v) for v in costs), \
                (q["id"], first)
        signed_word = re.search(r"\b(?:underskott|kostnad\w*)\s+(?:om|på|med|av|till)\s+[-−–]\s?\d", first)
        assert not signed_word, (q["id"], first)
        said += bool(costs)
    assert said >= 100


def test_no_answer_shows_markup(answers):
    """Report markup is read as text: no answer or citation shows an HTML tag or entity."""
    markup = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]+|#\d+);")
    for q, ans in answers:
        assert not markup.search(ans.answer), (q["id"], ans.answer[:200])
        assert not any(markup.search(c.text) for c in ans.citations), q["id"]


def test_the_first_sentence_states_a_cited_fact(answers):
    for q, ans in answers:
        if not ans.answered or not ans.facts:
            continue
        lines = [ln for ln in ans.answer.splitlines() if ln and not ln.startswith("Jag läser frågan som")]
        first = lines[0]
        if first.startswith(("Enligt", "**", "Rangordning", "Ingen rangordning")):
            continue  # no single lead figure (several kommuner, or a ranking line leads)
        # the figure after the last colon ("…, Utfall jan-aug 2024 (…): 6,3 mnkr"), or one of a
        # comparison's side by side ("Antal anställda: Solna 221 [1] (…); Huddinge 394 [2] (…)")
        figures = [n.value for n in find_numbers(re.sub(r"\[\d+\]", "", first.split(":")[-1]))] \
            + [n.value for n in find_numbers(re.sub(r"\[\d+\]", "", first))]
        said = said_values(ans.facts)
        # a ranking of changes leads with each kommun's change: the difference of two of its cited facts
        changes = [round(abs(a - b), 1) for a in said for b in said]
        assert any(same_value(v, w) for v in figures for w in said + changes), (q["id"], first)


def test_every_table_figure_is_the_kind_of_figure_asked_for(answers, e5_engine):
    """"Hur många" is never answered with an amount of money, "hur stor andel" only with a
    percentage, "vad kostade" only with an amount: over every question of the sets."""
    from rag.answer.plan import make_plan
    from rag.answer.rows import asked_figure, cell_fits

    checked = 0
    for q, ans in answers:
        if not ans.answered or not ans.facts or q.get("history"):
            continue
        a, _ = e5_engine.read(q["question"])
        figure = asked_figure(a, make_plan(a, e5_engine.reports).measure)
        checked += bool(figure)
        for f in ans.facts:
            assert cell_fits(f, figure), (q["id"], figure, f.row, f.column, f.unit)
    assert checked >= 20


def test_a_count_of_people_is_never_answered_by_a_row_counting_days_or_households(answers):
    """"Hur många ungdomar …", "hur många i åldern 13–20 år …": no figure from a row of vårddygn,
    hushåll or besök that the question does not name, over every question of the sets."""
    from rag.answer.figures_said import counts_other_than_people, counts_people

    checked = 0
    for q, ans in answers:
        if not ans.answered or q.get("history") or not counts_people(q["question"]):
            continue
        checked += 1
        for f in ans.facts:
            assert not counts_other_than_people(f"{f.row} {f.caption} {f.table}", q["question"]), (q["id"], f.row)
    assert checked >= 10


def test_a_lookup_answered_by_text_alone_gives_the_kind_of_figure_asked_for(answers, e5_engine):
    """"Vad kostade …" answered without a table fact must quote an amount of kronor (a count of
    placements is no answer to it), "hur stor andel …" a percentage."""
    from rag.answer.figures_said import gives_figure
    from rag.answer.plan import make_plan
    from rag.answer.rows import asked_figure

    checked = 0
    for q, ans in answers:
        if not ans.answered or ans.facts or q.get("history"):
            continue
        a, _ = e5_engine.read(q["question"])
        plan = make_plan(a, e5_engine.reports)
        figure = asked_figure(a, plan.measure)
        if plan.intent != "lookup" or figure not in ("money", "share"):
            continue
        checked += 1
        # the quoted items: the bullets, and the opening quote ("Enligt X (rapport): …"), each with
        # the lines it runs on to (a quoted table row keeps its line breaks)
        items: list[str] = []
        open_item = False
        for line in ans.answer.splitlines():
            if line.startswith(("- ", "Enligt ")):
                items.append(line)
                open_item = True
            elif open_item and line.strip():
                items[-1] += " " + line
            else:
                open_item = False
        quoted = [re.sub(r"^Enligt [^:]*\)\s*:\s*", "", item) for item in items]
        assert any(gives_figure(line, figure) for line in quoted), (q["id"], figure, ans.answer[:200])
    assert checked >= 5


def test_nothing_shown_is_another_target_groups(answers):
    """Asked about adults, no table figure comes from the children's row and no line of the answer
    speaks of the young alone (or the reverse)."""
    from rag.lexicon import LEXICON

    grouped = [(q, a) for q, a in answers if len(LEXICON.groups_in(q["question"])) == 1 and a.answered]
    assert len(grouped) >= 10
    for q, ans in grouped:
        for f in ans.facts:
            assert not LEXICON.other_group(q["question"], f.row), (q["id"], f.row)
        for line in ans.answer.splitlines():
            assert not LEXICON.other_group(q["question"], line), (q["id"], line)


def test_every_kommun_a_question_names_is_answered_or_said_to_have_no_answer(answers):
    """"Vilken av Enköping och Solna …": an answer about Solna alone says what Enköping's reports lack,
    rather than leaving Enköping out."""
    named = [(q, a, r) for q, a in answers if a.answered and len(r := _reading(a, q)) > 1]
    assert len(named) >= 30
    for q, ans, kommuner in named:
        said = {c.kommun for c in ans.citations} | {f.kommun for f in ans.facts}
        for k in kommuner:
            assert k in said or re.search(rf"^\*\*{k}:\*\* inget i rapporterna", ans.answer, re.M), \
                (q["id"], k, ans.answer[:300])


def _reading(ans, q) -> list[str]:
    """The corpus kommuner the question, as it was read, names (a follow-up's reading included)."""
    from rag.kommuner import kommuner_in

    m = re.match(r"Jag läser frågan som: «(.+?)»", ans.answer)
    return [k for k in kommuner_in(m.group(1) if m else q["question"]) if k in {"Enköping", "Eskilstuna", "Huddinge", "Solna"}]


def test_a_refusal_presents_no_figure_as_the_answer(answers):
    refused = [(q, a) for q, a in answers if not a.answered]
    assert refused
    for q, ans in refused:
        assert not ans.facts, q["id"]
        lines = [ln for ln in ans.answer.splitlines() if ln and not ln.startswith("Jag läser frågan som: «")]
        assert lines[0].startswith("Rapporterna säger inte det"), q["id"]
        for line in lines[1:]:  # the nearest evidence, how a typo was read
            assert line.startswith(("Närmast, men inte ett svar på frågan", "(Frågan lästes med")), (q["id"], line)
            assert line.startswith("Närmast") or not find_numbers(line), (q["id"], line)


def test_leave_one_kommun_out(e5_engine):
    """Fitted on three kommuner, scored on the fourth. Floors sit below the measured figures
    (README); they catch a regression, they do not claim the issue's targets are met."""
    questions = load_questions(default_files())
    rows = cross_validate(e5_engine, gather_all(e5_engine, questions))
    n = len(rows)
    accuracy = sum(r["correct"] for r in rows) / n
    answered = [r for r in rows if not r["refused"]]
    bad = sum(r["mode"] in ("wrong", "false_answer") for r in answered) / len(answered)
    refused_right = sum(r["mode"] == "ok" for r in rows if r["type"] == "unanswerable")
    assert accuracy >= 0.85, accuracy
    assert bad <= 0.10, bad
    assert refused_right / sum(r["type"] == "unanswerable" for r in rows) >= 0.85
    agree, total = paraphrase_agreement(rows, questions)
    assert total >= 20 and agree / total >= 0.35


def _typo(word: str, seed: int) -> str:
    """One slip of the keyboard, the same every run: two letters swapped, one dropped or doubled."""
    i = 1 + seed % (len(word) - 3)
    return (word[:i] + word[i + 1] + word[i] + word[i + 2:], word[:i] + word[i + 1:],
            word[:i] + word[i] + word[i:])[seed % 3]


@pytest.mark.parametrize("template, column_kind, typo", [
    ("Vad kostade {label} i {kommun}?", "", False),
    ("Vad var budgeten för {label} i {kommun}?", "budget", False),
    ("What was the budget for {label} in {kommun}?", "budget", False),
    ("vad kostade {label} i {kommun}", "", True),
])
def test_a_money_row_asked_for_by_its_own_label_is_answered_with_its_figure(e5_engine, template, column_kind, typo):
    """Generated from the reports: for every money row of every table, the question the template
    makes of its label (with a typo in its longest word, for the last) must be answered with that
    row's figure of the asked column kind, never with a figure of another kind. Some rows cannot
    answer (a table of budgets and deviations has no outcome), some labels stand in two reports in
    other words; the floors sit under the measured 77/87, 77/83, 79/83 and 79/85 (72, 75, 58 and 77
    before this release)."""
    from rag.answer.rows import MONEY_UNITS, TOTAL_RE, column_info

    asked: dict[tuple[str, str], str] = {}
    for row in e5_engine.view.rows:
        if len(row.facts) >= 3 and all(f.unit in MONEY_UNITS for f in row.facts) and len(row.label) > 6 \
                and not TOTAL_RE.match(row.label) and not row.label.startswith("-") \
                and (not column_kind or any(column_info(f.column).kind == column_kind for f in row.facts)):
            asked.setdefault((e5_engine.reports[row.doc_id].kommun, row.label.lower()), row.label)
    right = 0
    for n, ((kommun, _), label) in enumerate(asked.items()):
        words = label.split()
        if typo:
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = _typo(words[longest], n) if len(words[longest]) >= 6 else words[longest]
        ans = e5_engine.ask(template.format(label=" ".join(words), kommun=kommun))
        assert all(f.unit in MONEY_UNITS for f in ans.facts), (label, ans.facts)
        first = ans.facts[0] if ans.answered and ans.facts else None
        right += first is not None and first.row.lower() == label.lower() \
            and (not column_kind or column_info(first.column).kind == column_kind)
    assert len(asked) >= 60
    assert right / len(asked) >= 0.85, (right, len(asked))


def _comparison_rows(ans) -> list[tuple[str, int]]:
    """The side-by-side table of a comparison answer: (the cell as printed, the citation it names)."""
    out = []
    for line in ans.answer.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and (m := re.search(r"\[(\d+)\]\s*$", cells[4])):
            out.append((cells[2], int(m.group(1))))
    return out


def test_a_ranking_orders_only_figures_of_one_measure_span_and_kind_of_unit(answers, e5_engine):
    """No ranking puts figures of different spans (eight months against a year), kinds of column or
    kinds of unit in one order without saying so ("Ingen rangordning: …"); headcounts of different
    months are ranked, each said with its month."""
    from rag.answer.measures import catalogue
    from rag.answer.periods import in_mnkr, span_of
    from rag.lexicon import LEXICON

    ranked = 0
    for q, ans in answers:
        first = next((ln for ln in ans.answer.splitlines() if ln and not ln.startswith("Jag läser")), "")
        if not ans.answered or not _comparison_rows(ans) or "Ingen rangordning" in first:
            continue
        if not first.startswith(("Högst", "Lägst", "Störst")):
            continue
        if "Ordningen gäller förändringen i procent" in ans.answer:  # a ranking of changes (`changes.py`):
            for now, before in zip(ans.facts[::2], ans.facts[1::2]):  # each kommun's latest, the year before
                s_now, s_before = (span_of(f, e5_engine.reports[f.doc_id]) for f in (now, before))
                assert (s_now.months, s_now.year - 1) == (s_before.months, s_before.year), q["id"]
            continue
        ranked += 1
        ranked_facts = ans.facts[:len(_comparison_rows(ans))]  # the figures so far may follow them
        spans = {(span_of(f, e5_engine.reports[f.doc_id]).kind, span_of(f, e5_engine.reports[f.doc_id]).months)
                 for f in ranked_facts}
        measures = {m for f in ranked_facts for m in e5_engine.view.row_measure_ids.get((f.doc_id, f.line), ())}
        if spans == {("utfall", 12), ("prognos", 12)}:  # the full year: an outcome beside forecasts, each said
            assert "helårsprognos" in first and "utfall helår" in first, q["id"]
        elif measures and all(catalogue().measures[m].at_date for m in measures):
            # a stock counted at a date (a headcount): each figure says the month it was counted
            assert all(f"{LEXICON.months[s.months - 1]} {s.year}" in first for s in
                       (span_of(f, e5_engine.reports[f.doc_id]) for f in ranked_facts)), q["id"]
        else:
            assert len(spans) == 1, (q["id"], spans)
        assert len({in_mnkr(f) is None for f in ranked_facts}) == 1, q["id"]
    assert ranked >= 10


def test_every_figure_in_a_comparison_table_is_a_cited_fact(answers):
    """Each row of a comparison's table prints a figure that stands in the row it cites and is one
    of the answer's facts."""
    tables = 0
    for q, ans in answers:
        rows = _comparison_rows(ans)
        if not ans.answered or not rows:
            continue
        tables += 1
        cited = {c.n: c.text for c in ans.citations}
        for printed, n in rows:
            number = find_numbers(printed)[0]
            assert any(same_value(number.value, v.value) for v in find_numbers(cited[n])), (q["id"], printed)
            assert any(same_value(number.value, f.value) for f in ans.facts), (q["id"], printed)
    assert tables >= 15


def test_the_cross_validation_answers_what_a_user_gets(e5_engine):
    """The cross-validation reads each question through the same `read_question` as `Engine.ask`
    (the report-type rule of a follow-up included): with the shipped scorer, its in-sample answers
    are the ones a user gets, for every public and dev question."""
    from eval.crossval import gather_all
    from rag.answer.compose import compose

    items = gather_all(e5_engine, load_questions(default_files()))
    for it in items:
        q = it.question
        asked = e5_engine.ask(q["question"], history=tuple(q.get("history", ())))
        composed = compose(e5_engine.view, it.analysis, it.evidence, e5_engine.scorer)
        assert (composed.answered, composed.facts, [c.text for c in composed.citations]) == \
            (asked.answered, asked.facts, [c.text for c in asked.citations]), q["id"]
