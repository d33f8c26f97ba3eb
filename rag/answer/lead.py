"""The first sentence of an answer, the one read aloud: for a lookup what, where, when and the
figure as a person says it; for a trend both figures and the direction; for a why the change and
the report's stated cause; for a comparison or ranking the order. Without a table figure, the
report's own sentence that best answers opens the answer. Built from the checked lines of the
draft, each part cited like the rest."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..lexicon import LEXICON
from ..models import Fact, Report
from ..numbers import find_numbers
from ..search.lexical import terms, words
from ..search.retrieval import sentence_pieces
from ..years import is_year
from .draft import Lead, Line
from .periods import KRONOR, is_cost, span_of
from .figures_said import counted_stems, gives_figure, gives_rate, has_figure
from .plan import Plan, names_two_reports
from .question import QuestionAnalysis
from .rows import asked_cell as cell_kind, asked_figure, cell_fits, column_info
from .wording import (Said, against, clean_label, extra_clause, fact_clause, is_deviation, is_trend, lower_first,
                      period_of, report_said, signed_value, trend_clause, what_of)

Mark = Callable[[tuple[int, ...]], str]  # citation keys -> "[1][2]"
#: the cells of the lead row said in the first sentence (more go to the table below it)
LEAD_CELLS = 3
#: the kommuner or rows a ranking sentence names before "…" (the table below holds every one)
RANKED_NAMED = 4
#: a table row this improbable (the scorer's probability) opens the answer only where no report
#: sentence is more probable
ROW_LEADS = 0.1
#: a report's words whose sign is in the word itself: "underskott om -3,2 mnkr" is said "underskott om 3,2 mnkr"
_SIGN_IN_WORD = re.compile(r"\b(underskott|negativt resultat|negativ avvikelse|negativ budgetavvikelse)"
                           r"((?:\s+[^\s\d.]+){0,4}?\s+(?:om|på|med|av|uppgående till))\s*[-−–]\s*(?=\d)", re.I)


@dataclass(frozen=True)
class Section:
    """One kommun's checked lines: its table rows and its report sentences."""

    kommun: str
    head: str  # "Enköping (Delårsrapport januari–augusti 2024)"
    rows: tuple[Line, ...]
    texts: tuple[Line, ...]
    text_reports: tuple[str, ...] = ()  # the report (its doc_id) each of `texts` is cited from


@dataclass(frozen=True)
class Opening:
    text: str
    computed: tuple[float, ...] = ()
    quoted: tuple[tuple[int, int, str], ...] = ()  # (section, text line, sentence) said here, not again below
    facts: tuple[Fact, ...] = ()  # cells stated here that the draft's facts may lack (another report's forecast)


def said_signs(text: str) -> str:
    return _SIGN_IN_WORD.sub(r"\1\2 ", text)


#: a text answer about up to this many named kommuner opens with a sentence of each (more: one
#: opening line that takes too long to read aloud; the first kommun's sentence then opens alone)
SAID_EACH_MAX = 3


def opening(a: QuestionAnalysis, plan: Plan, reports: dict[str, Report], sections: list[Section],
            leads: list[Lead], mark: Mark, vocab: frozenset[str] = frozenset()) -> Opening | None:
    """The first sentence, from the lead figures of the rows shown (or a report sentence)."""
    shown = {c for s in sections for ln in s.rows for c in ln.cites}
    leads = [t for t in leads if t.cite in shown]
    first_of = {}
    for t in leads:
        first_of.setdefault(t.kommun, t)
    if len(sections) > 1 and len(first_of) >= 2:
        firsts = [first_of[s.kommun] for s in sections if s.kommun in first_of]
        if plan.intent == "rank" or LEXICON.superlative(a.text) or (plan.intent == "compare" and not a.direction):
            return side_by_side(a, plan, firsts, mark)
        return each_kommun(a, sections, firsts, mark)
    if not leads and plan.named and 1 < len(sections) <= SAID_EACH_MAX:
        # "Hur arbetar Enköping och Solna med …?": each kommun named asked is heard in the opening
        said = each_kommun_said(a, plan, sections, mark, vocab)
        if said is not None:
            return said
    mine = [t for t in leads if t.kommun == sections[0].kommun]
    if not mine and len(sections) == 1 and (said := each_report_said(a, plan, reports, sections[0], mark, vocab)):
        return said  # "enligt tertialrapporten och enligt delårsrapporten": each report's own sentence
    if not mine or (mine[0].p < ROW_LEADS and max((ln.p for ln in sections[0].texts), default=0.0) > mine[0].p
                    and not a.contrast and not LEXICON.superlative(a.text)):
        # no table row, or one read on weak evidence where a sentence is more probable: the
        # report's own sentence opens the answer
        said = text_opening(a, plan, sections, mark, vocab, strict=bool(mine))
        if said is not None or not mine:
            return said
    if _about_committee(a, plan) and not LEXICON.committee_total(clean_label(mine[0].fact.row), mine[0].fact.table):
        # "hur stor var budgetavvikelsen i Huddinge": the committee's own figure, not a part's; the
        # report's sentence about the committee leads where no total row does
        said = text_opening(a, plan, sections, mark, vocab, strict=True)
        if said is not None:
            return said
    ranked = ranked_rows(a, mine, mark)
    if ranked is not None:
        return ranked
    return row_opening(a, plan, sections, mine, mark, vocab)


def _with_report(a: QuestionAnalysis, t: Lead, section: Section) -> str:
    """The report named where the question names one or the answer reads several (April's
    forecast is not August's)."""
    several = len({ln.cells[0].doc_id for ln in section.rows}) > 1
    return f" ({lower_first(t.report.title)})" if several or a.report_types else ""


def asks_deviation(a: QuestionAnalysis) -> bool:
    """"Varför hamnade … under budget", "hur stort överskott": the answer is a deviation."""
    low = a.text.lower()
    cmp = LEXICON.comparison
    return bool(LEXICON.period_words["avvikelse"].search(low) or cmp["over_budget"].search(low)
                or cmp["beside_budget"].search(low))


def _about_committee(a: QuestionAnalysis, plan: Plan) -> bool:
    """A question about the committee as a whole: a figure of money, no topic of its own."""
    return not a.topic_words and bool(asked_kind(a) or cell_kind(a, plan.measure) == "money")


def _asks_forecast(a: QuestionAnalysis) -> bool:
    low = a.text.lower()
    return bool(LEXICON.period_words["prognos"].search(low) or LEXICON.comparison["forecast"].search(low))


def asked_kind(a: QuestionAnalysis) -> str:
    """The kind of figure a question names: a deviation, a forecast, a budget, or '' (any)."""
    if asks_deviation(a):
        return "avvikelse"
    if _asks_forecast(a):
        return "prognos"
    return "budget" if LEXICON.period_words["budget"].search(a.text.lower()) else ""


def asked_cell(a: QuestionAnalysis, t: Lead, others: tuple[Fact, ...], figure: str = "") -> Fact | None:
    """The row's cell of the kind the question names, when the cells chosen hold none of it ("what
    surplus does … forecast" read in a row whose budget was chosen): a deviation of the forecast
    (or against it) where the question names the forecast, of the months the question names."""
    kind = asked_kind(a)
    if not kind:
        return None
    forecast, months = _asks_forecast(a), max(a.months, default=0)

    def fits(f: Fact) -> tuple[bool, bool]:
        of_forecast = "prognos" in f.column.lower() or against(f, t.report)[1]
        return kind != "avvikelse" or of_forecast == forecast, \
            not months or span_of(f, t.report).months == months
    have = [f for f in t.cells if column_info(f.column).kind == kind]
    if have and any(fits(f)[0] for f in have):
        return None
    fitting = [f for f in others if column_info(f.column).kind == kind and (not have or fits(f)[0])
               and cell_fits(f, figure)]
    # of equal fit the latest year's ("Budgetavvikelse Aug 2023", not Aug 2022's)
    return max(fitting, key=lambda f: (fits(f), span_of(f, t.report).year), default=None)


def earlier_cell(f: Fact, report: Report, others: tuple[Fact, ...]) -> list[Fact]:
    """The row's figure of the same kind and months a year before, for a question about a change."""
    year = span_of(f, report).year
    same = [g for g in others if g.unit == f.unit and is_trend((f, g), report)
            and span_of(g, report).year == year - 1]
    return same[:1]


def lead_clause(t: Lead, a: QuestionAnalysis | None = None, others: tuple[Fact, ...] = (), figure: str = "") -> Said:
    """A lead row said as a clause: its change when it holds two periods, else its first cell
    and what the next ones add; a question naming a kind of figure (a deviation, a forecast)
    hears the row's cell of that kind too, first where no change is said."""
    cells = t.cells or (t.fact,)
    asked = asked_cell(a, t, others, figure) if a is not None else None
    if a is not None and (a.intent == "trend" or a.direction) and len(cells) == 1:
        cells += tuple(earlier_cell(cells[0], t.report, others))
    if is_trend(cells, t.report):
        said = trend_clause(cells, t.report, t.parent)
        if asked is None:
            return said
        extra = extra_clause(asked, t.report)
        return Said(f"{said.text}, {extra.text}", said.computed + extra.computed)
    if asked is not None:
        cells = (asked,) + cells
    said = fact_clause(cells[0], t.report, t.parent)
    text, computed = said.text, said.computed
    for g in cells[1:LEAD_CELLS]:
        extra = extra_clause(g, t.report)
        text, computed = f"{text}, {extra.text}", computed + extra.computed
    return Said(text, computed)


def row_opening(a: QuestionAnalysis, plan: Plan, sections: list[Section], mine: list[Lead], mark: Mark,
                vocab: frozenset[str]) -> Opening:
    """"I Enköping var kostnaden för … 6,3 mnkr under januari–augusti 2024. [1]"; both sides of a
    contrast; a why answer adds the report's stated cause."""
    chosen = mine[:2] if a.contrast and len(mine) >= 2 else mine[:1]
    others = {ln.cites[0]: ln.others for ln in sections[0].rows}
    by_report: dict[str, Lead] = {}
    for t in mine:
        by_report.setdefault(t.report.doc_id, t)
    if not a.contrast and plan.intent != "why" and names_two_reports(a, [t.report for t in by_report.values()]):
        # "mellan tertialrapporten och delårsrapporten": each report's figure, in one sentence
        said = each_report(a, list(by_report.values())[:2], others, mark)
        if said is not None:
            return said
    text, computed = "", ()
    for i, t in enumerate(chosen):
        said = lead_clause(t, a, others.get(t.cite, ()), cell_kind(a, plan.measure))
        clause = f"{said.text}{_with_report(a, t, sections[0])} {mark((t.cite,))}"
        if not i:
            text = f"I {t.kommun} {clause}"
        else:  # the other side of a contrast, in the same sentence
            text += f" och {clause[4:]}" if clause.startswith("var ") else f"; i {t.kommun} {clause}"
        computed += said.computed
    cause = _explanation(a, sections[0], vocab) if plan.intent == "why" else None
    if cause is None:
        return Opening(_end(text), computed)
    li, sentence, causal = cause
    text += f", och rapporten {'förklarar' if causal else 'skriver'}: ”{sentence}” " \
            f"{mark(sections[0].texts[li].cites)}"
    return Opening(text, computed, ((0, li, sentence),))


def each_report(a: QuestionAnalysis, leads: list[Lead], others: dict[int, tuple[Fact, ...]],
                mark: Mark) -> Opening | None:
    """Two of one kommun's reports: the asked figure of each, said once with both reports, and the
    deviation of each where the rows hold one ("I Enköping var prognosen för … 132,8 mkr för helåret
    2024 i tertialrapport april 2024 [1] och 128,3 mnkr i delårsrapport januari–augusti 2024 [2];
    avvikelsen mot budget: underskott 6,0 mkr respektive underskott 1,6 mnkr."; a forecast's deviation
    only). None where a row holds a change of its own (said by `lead_clause`)."""
    first, second = leads
    if any(is_trend(t.cells or (t.fact,), t.report) for t in leads):
        return None
    cells = [asked_cell(a, t, others.get(t.cite, ())) or (t.cells or (t.fact,))[0] for t in leads]
    said = fact_clause(cells[0], first.report, first.parent)
    value = signed_value(cells[1])
    when = period_of(cells[1], second.report)
    when = "" if when == period_of(cells[0], first.report) else f" ({when})"
    text = f"I {first.kommun} {said.text} i {report_said(first.report)} {mark((first.cite,))} och " \
           f"{value.text}{when} i {report_said(second.report)} {mark((second.cite,))}"
    computed = said.computed + value.computed + (float(span_of(cells[1], second.report).year),)
    deviations = [next((g for g in (*t.cells, *others.get(t.cite, ())) if is_deviation(g)), None) for t in leads]
    money = all(c.unit in KRONOR for c in cells)  # a volume forecast's deviation in kronor is another figure
    if money and all(column_info(c.column).kind == "prognos" for c in cells) and all(deviations):  # the forecast's own
        said_dev = [signed_value(g) for g in deviations]
        text += f"; avvikelsen mot budget: {said_dev[0].text} respektive {said_dev[1].text}"
        computed += said_dev[0].computed + said_dev[1].computed
        cells += deviations
    return Opening(_end(text), computed, facts=tuple(cells))


def _end(text: str) -> str:
    """A full stop before the sentence's last citation markers: "… 2024. [1]"."""
    m = re.search(r"(?:\s*\[\d+\])+$", text)
    return f"{text[:m.start()]}.{m.group(0)}" if m else f"{text}."


def each_kommun(a: QuestionAnalysis, sections: list[Section], leads: list[Lead], mark: Mark) -> Opening:
    """Several kommuner answer one question: each one's lead clause, in the order shown."""
    others = {ln.cites[0]: ln.others for s in sections for ln in s.rows}
    parts, computed = [], ()
    for t in leads[:RANKED_NAMED]:
        said = lead_clause(t, a, others.get(t.cite, ()))
        parts.append(f"i {t.kommun} {said.text} {mark((t.cite,))}")
        computed += said.computed
    text = "; ".join(parts)
    return Opening(text[0].upper() + text[1:] + ".", computed)


def _names_months(sentence: str, months: tuple[int, ...]) -> bool:
    """Whether a sentence names a month the question names ("per sista april")."""
    low = sentence.lower()
    return any(re.search(rf"\b{LEXICON.months[m - 1]}", low) for m in months)


def _asked_terms(a: QuestionAnalysis, vocab: frozenset[str], topic: bool = True) -> set[str]:
    """The question's topic (or, without `topic`, all its words) as index terms; an English
    question's by its Swedish report words too."""
    text = a.topic_text if topic and a.topic_text else a.text
    return set(terms(f"{text} {' '.join(LEXICON.swedish_for(a.text))}", vocab)) - set(terms(" ".join(a.kommuner)))


def _explanation(a: QuestionAnalysis, section: Section, vocab: frozenset[str]) -> tuple[int, str, bool] | None:
    """The sentence that explains: a cause given below a table of the leading row alone; else of
    those giving a cause, one that moves as the question asks ("minskningen" for "varför
    minskade"), then the one sharing most words with the question, the first of equals; without a
    cause, the sentence sharing most words with the question."""
    asked, best = _asked_terms(a, vocab, topic=False), None
    moves = {"up": LEXICON.direction_up, "down": LEXICON.direction_down}.get(a.direction, frozenset())
    for li, ln in enumerate(section.texts):
        for si, sentence in enumerate(sentence_pieces(ln.text)):
            if sentence.lstrip().startswith(("-", "•")) or LEXICON.other_group(a.text, sentence):
                continue
            moved = any(w.startswith(m) for w in words(sentence) for m in moves)
            overlap = len(asked & set(terms(sentence, vocab)))
            causal = bool(LEXICON.causal.search(sentence))
            own = ln.explains and si == 0
            # a cause given below a table of the row alone first (a cause word elsewhere may give the
            # cause of something else); then any cause; then the row's own words
            key = (own and causal, causal, own, moved, overlap, -li, -si)
            if (own or causal or overlap) and (best is None or key > best[0]):
                best = (key, li, sentence)
    return None if best is None else (best[1], best[2], best[0][1])


def text_opening(a: QuestionAnalysis, plan: Plan, sections: list[Section], mark: Mark,
                 vocab: frozenset[str] = frozenset(), strict: bool = False) -> Opening | None:
    """No table figure leads: the report sentence that best answers ("Enligt Solna (…): …"), one
    on the question's topic that gives the asked kind of figure (a count of what is counted, an
    amount) and shares most words with the question; a why question adds the sentence that best
    gives the cause. `strict`: only such a sentence, else None."""
    section = sections[0]
    topic, words = _asked_terms(a, vocab), _asked_terms(a, vocab, topic=False)
    figure = asked_figure(a, plan.measure)
    counted = () if a.english else counted_stems(a.text, vocab)
    rate = LEXICON.asked_rate(a.text)  # "vad kostar ett dygn": a price per dygn before any other amount
    figures, causes = [], []
    for li, ln in enumerate(section.texts):
        for si, sentence in enumerate(sentence_pieces(ln.text)):
            if LEXICON.other_group(a.text, sentence):  # a sentence about another target group answers nothing
                continue
            said = set(terms(sentence, vocab))
            overlap = (len(topic & said), len(words & said))
            # a trend is told by a sentence giving two figures ("från 500 till 474")
            change = plan.intent == "trend" and sum(not is_year(n.text) for n in find_numbers(sentence)) >= 2
            if overlap[0] or not strict or (not topic and overlap[1]):
                figures.append((gives_figure(sentence, figure, counted), not rate or gives_rate(sentence, rate),
                                has_figure(sentence), change, overlap[0],
                                _names_months(sentence, a.months), overlap[1], ln.p, -li, -si, li, sentence))
            if LEXICON.causal.search(sentence):
                causes.append((overlap, -li, -si, li, sentence))
    if not figures or (strict and not max(figures)[0]):
        return None
    *_, li, sentence = max(figures)
    cause = max(causes) if plan.intent == "why" and causes else None
    if cause is None or cause[-1] == sentence:
        return Opening(f"Enligt {section.head}: {said_signs(sentence)} {mark(section.texts[li].cites)}", (),
                       ((0, li, sentence),))
    *_, cli, because = cause
    text = f"Enligt {section.head}: {said_signs(sentence).rstrip('.')} {mark(section.texts[li].cites)}, och " \
           f"rapporten förklarar: ”{because}” {mark(section.texts[cli].cites)}"
    return Opening(text, (), ((0, li, sentence), (0, cli, because)))


def each_kommun_said(a: QuestionAnalysis, plan: Plan, sections: list[Section], mark: Mark,
                     vocab: frozenset[str] = frozenset()) -> Opening | None:
    """Several named kommuner answered in the reports' words: each one's best sentence, in the order
    shown ("Enligt Enköping (…): … [1] Enligt Solna (…): … [3]"), each left out of its list below."""
    parts, quoted = [], []
    for i, section in enumerate(sections):
        said = text_opening(a, plan, [section], mark, vocab)
        if said is not None:
            parts.append(said.text)
            quoted += [(i, li, sentence) for _, li, sentence in said.quoted]
    return Opening(" ".join(parts), (), tuple(quoted)) if len(parts) > 1 else None


def each_report_said(a: QuestionAnalysis, plan: Plan, reports: dict[str, Report], section: Section, mark: Mark,
                     vocab: frozenset[str] = frozenset()) -> Opening | None:
    """A question naming two of the kommun's reports answered in their words: each report's best
    sentence, oldest report first ("Enligt Enköping (Tertialrapport april 2024): … [2] Enligt Enköping
    (Delårsrapport januari–augusti 2024): … [1]"). None unless two named reports each have one."""
    docs = sorted({d for d in section.text_reports if d in reports}, key=lambda d: reports[d].period_end)
    if len(docs) < 2 or not names_two_reports(a, [reports[d] for d in docs]):
        return None
    parts, quoted = [], []
    for doc in docs:
        at = [i for i, d in enumerate(section.text_reports) if d == doc]
        own = Section(section.kommun, f"{section.kommun} ({reports[doc].title})", (),
                      tuple(section.texts[i] for i in at))
        said = text_opening(a, plan, [own], mark, vocab)
        if said is None:
            return None
        parts.append(said.text)
        quoted += [(0, at[li], sentence) for _, li, sentence in said.quoted]
    return Opening(" ".join(parts), (), tuple(quoted))


def _scaled(t: Lead) -> float:
    """A figure to order by: an amount in kronor (a cost as the amount it is), else as printed."""
    f = t.fact
    v = abs(f.value) if is_cost(f) else f.value
    return v * KRONOR.get(f.unit, 1.0)


def _item(t: Lead, mark: Mark, named: bool) -> str:
    what = f"{what_of(t.fact, t.report, t.parent)} " if named else ""
    return f"{t.kommun} {what}{signed_value(t.fact).text} ({period_of(t.fact, t.report)}) {mark((t.cite,))}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def side_by_side(a: QuestionAnalysis, plan: Plan, leads: list[Lead], mark: Mark) -> Opening:
    """Several kommuner: each one's figure, in the asked order when they can be ordered (one kind
    of unit, the same months), otherwise side by side with the reason they are not ranked."""
    whats = {what_of(t.fact, t.report, t.parent).lower() for t in leads}
    same = len(whats) == 1
    subject = what_of(leads[0].fact, leads[0].report, leads[0].parent) if same else "Siffrorna"
    subject = subject[0].upper() + subject[1:]
    units = {t.fact.unit for t in leads}
    why_not = ""
    if len(units) != 1 and not units <= set(KRONOR):
        why_not = "siffrorna har olika enheter"
    elif len({span_of(t.fact, t.report).months for t in leads}) > 1:
        why_not = "siffrorna gäller olika långa perioder"
    elif len(kinds := {span_of(t.fact, t.report).kind for t in leads}) > 1:  # a target beside an outcome
        why_not = f"siffrorna är olika slags siffror ({', '.join(sorted(kinds))})"
    computed = tuple(c for t in leads for c in signed_value(t.fact).computed)
    # ordered only when an order is asked ("högst", "vilken kommun"): rows of different labels set
    # side by side for "hur arbetar X och Y" are no ranking of one measure
    sup = LEXICON.ordering(a.text) or ("max" if plan.intent == "rank" else "")
    if why_not or not sup:
        items = [_item(t, mark, not same) for t in leads]
        tail = f" – {why_not}, så de rangordnas inte" if why_not else ""
        return Opening(f"{subject}: {_listed(items)}{tail}.", computed)
    ordered = sorted(leads, key=_scaled, reverse=sup == "max")
    head = {"max": "Högst", "min": "Lägst", "negative": "Lägst"}[sup]
    items = [_item(t, mark, not same) for t in ordered[:RANKED_NAMED]]
    more = " med flera" if len(ordered) > RANKED_NAMED else ""
    head = f"{head} {lower_first(subject)}" if same else head  # rows of several labels: each item names its own
    return Opening(f"{head}: {items[0]}" + (f", därefter {_listed(items[1:])}{more}"
                                                                   if len(items) > 1 else "") + ".", computed)


def ranked_rows(a: QuestionAnalysis, mine: list[Lead], mark: Mark) -> Opening | None:
    """"Vilken verksamhet har störst underskott": the table's rows in order, the extreme first."""
    sup = LEXICON.superlative(a.text)
    if not sup or len(mine) < 2 or len({(t.fact.doc_id, t.fact.header_line, t.fact.column) for t in mine}) != 1:
        return None
    f0 = mine[0].fact
    deviation = is_deviation(f0)
    head = {"max": "Högst", "min": "Lägst",
            "negative": "Störst underskott" if deviation else "Mest negativ"}[sup]
    items = [f"{what_of(t.fact, t.report, t.parent)} {signed_value(t.fact).text} {mark((t.cite,))}"
             for t in mine[:RANKED_NAMED]]
    computed = tuple(c for t in mine for c in signed_value(t.fact).computed)
    more = " med flera" if len(mine) > RANKED_NAMED else ""
    rest = f", därefter {_listed(items[1:])}{more}" if len(items) > 1 else ""
    return Opening(f"{head} i {mine[0].kommun} ({lower_first(f0.column)}, {mine[0].report.title}): "
                   f"{items[0]}{rest}.", computed)
