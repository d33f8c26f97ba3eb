"""Compose a cited Swedish answer from table facts and report sentences: the steps for the
question's intent, in order, until one answers; then `layout`, which checks every number against
the cited texts. There is no generative model: the lead sentence is built from the looked-up facts,
the explanation is the reports' own sentences, each ending in `[n]`. When the evidence is too weak
the answer is a refusal that says what the reports do cover.

A new intent is a new step (a function from the question to an answer or None) in `STEPS`, or a
new `IntentPolicy` for the evidence step, never a branch in a long function.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from ..lexicon import LEXICON
from ..models import Answer
from .anchored import anchored_probs
from .changes import asks_change_ranking, change_answer
from .compare import comparison_answer
from .corpus_view import CorpusView
from .dialogue import Anchor
from .draft import Draft
from .evidence import Evidence, absent_words, gather
from .layout import layout
from .months import month_step
from .refusal import refuse
from .figures_said import counted_stems, gives_figure
from .picking import figure_kind_of_best_row, usable
from .plan import Plan
from .question import QuestionAnalysis
from .candidates import Candidate
from .row_match import score_row
from .rows import asked_cell, asked_figure
from .score import Scorer
from .shares import share_step
from .steps import POLICIES, Scope, borrowed_rows, evidence_draft, targets_of
from .topic import topic_units
from .turn_words import groups_named, words_of

#: how well a row must name a refused question's topic (`score_row`: 1.0 names all of it) to be
#: shown as the nearest thing the reports say: lower shows a row for more refusals, and more rows
#: that name only part of what was asked
NEAREST_ROW = 0.5

Step = Callable[[CorpusView, QuestionAnalysis, Evidence, Scorer, "np.ndarray | None"], "Answer | None"]


def measure_step(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs) -> Answer | None:
    """Kommuner side by side on one catalogue measure (`compare.py`)."""
    plan = ev.plan
    if plan.intent in ("compare", "rank") or (plan.named and len(plan.kommuner) > 1):
        compared = change_answer(view, a, plan) if asks_change_ranking(a, plan) else comparison_answer(view, a, plan)
        if compared is None and plan.intent == "rank" and not plan.named:
            # "vilken kommun har flest …" ranks kommuner on one measure; without one that every
            # kommun's figure can be read as, the nearest row or sentence would rank nothing (named
            # kommuner are still answered each in its own rows, by the evidence step)
            return refuse(a, view.reports, "frågan ber om en rangordning av kommunerna, men rapporterna redovisar "
                                           "inget mått för det som kan jämföras mellan kommunerna")
        return compared
    return None


def anchor_step(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs) -> Answer | None:
    """A follow-up asking another cell of the last answer's row (`anchored.py`)."""
    if ev.anchor is None:
        return None
    if probs is None:
        probs = scorer.score(list(ev.candidates))
    th = scorer.thresholds
    lifted = anchored_probs(view, a, ev, np.asarray(probs), max(th.answer, th.absent) if ev.topic_absent else th.answer)
    return None if lifted is None else evidence_step(view, a, ev, scorer, lifted)


def evidence_step(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs) -> Answer:
    """The scored rows and sentences, kommun by kommun, as the intent's policy asks (`steps.py`)."""
    plan, th = ev.plan, scorer.thresholds
    if probs is None:
        probs = scorer.score(list(ev.candidates))
    figure, cell = asked_figure(a, plan.measure), asked_cell(a, plan.measure)
    scored = usable(ev, probs, cell)
    if a.manner:  # "hur arbetar X med …" asks what the reports say is done: no table row's figure answers it
        scored = [s for s in scored if s.candidate.kind != "row"]
    best: dict[str, float] = {}
    for s in scored:
        best[s.candidate.kommun] = max(best.get(s.candidate.kommun, 0.0), s.p)
    if max(best.values(), default=0.0) < (max(th.answer, th.absent) if ev.topic_absent else th.answer):
        nearest = max(scored, key=lambda s: s.p, default=None)
        return refuse(a, view.reports, _weak_reason(view, plan), nearest.candidate if nearest else None)
    targets = targets_of(plan, th, best)
    policy = POLICIES[plan.intent]
    borrowed = borrowed_rows(view, plan, th, scored, targets) if policy.borrow and plan.named else {}
    targets += [k for k in plan.kommuner if k in borrowed and k not in targets]
    missing = [k for k in plan.kommuner if k not in targets] if (plan.named or plan.intent == "rank") else []
    superlative = LEXICON.superlative(a.text) if policy.superlative else ""
    same_kind = figure_kind_of_best_row(scored) if policy.same_kind and len(targets) > 1 else ""
    scope = Scope(view, a, plan, th, policy, cell, scored, targets, borrowed, superlative, same_kind)
    draft, blanks = evidence_draft(scope, missing)
    if not draft.has_lines() and blanks:  # the best row leaves the asked year's cell empty
        r, heading = blanks[0].row, blanks[0].heading
        return refuse(a, view.reports, f"{r.candidate.kommun}s tabell har ingen uppgift i kolumnen «{heading}» på "
                                       f"raden «{r.candidate.row.label}»", r.candidate)
    if not draft.has_lines():
        return refuse(a, view.reports, "inget stycke eller tabellrad i rapporterna besvarar frågan tillräckligt säkert")
    if unsplit := _groups_unsaid(a, draft):  # "hur många av deltagarna är kvinnor": the total is no answer
        nearest = max(scored, key=lambda s: s.p).candidate
        return refuse(a, view.reports, f"rapporterna delar inte upp uppgiften på {unsplit}", nearest)
    counted = () if a.english else counted_stems(a.text, view.vocab)
    if plan.intent == "lookup" and figure and not draft.facts and not any(
            gives_figure(ln.text, figure, counted) for _, lines in draft.sections for ln in lines):
        # "vad kostade …" answered by sentences that give no amount (a count of placements) is no answer
        nearest = max(scored, key=lambda s: s.p).candidate
        return refuse(a, view.reports, "rapporterna anger ingen sådan siffra", nearest)
    return layout(a, view.reports, plan, draft, view.vocab)


#: the steps tried in order; the last always answers (or refuses)
STEPS: tuple[Step, ...] = (measure_step, month_step, anchor_step, share_step, evidence_step)


def compose(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs: np.ndarray | None = None) -> Answer:
    """Score the candidates (unless `probs` are given), decide answerability, and write the cited answer."""
    if ev.refusal:
        return refuse(a, view.reports, ev.refusal, nearest_row(view, a))
    for step in STEPS:
        answer = step(view, a, ev, scorer, probs)
        if answer is not None:
            return answer
    raise AssertionError("the evidence step always answers")


def nearest_row(view: CorpusView, a: QuestionAnalysis) -> Candidate | None:
    """For a question refused before any evidence is read (a kommun or a year the reports do not
    cover): the table row whose label best answers its topic, in the named kommun's reports (or
    anywhere), as the nearest thing the reports do say; none for a question about nothing they
    cover or a year no report can cover ("3023")."""
    if a.not_about or a.odd_years:  # nonsense cites nothing
        return None
    query = topic_units(dataclasses.replace(a, years=(), months=(), report_hint=""), view.vocab)
    if not query:
        return None
    scope = set(a.kommuner)
    scored = [(score_row(r, query, view.idf, view.vocab), r) for r in view.rows
              if not scope or view.reports[r.doc_id].kommun in scope]
    score, row = max(scored, key=lambda t: t[0], default=(0.0, None))
    if row is None or score < NEAREST_ROW:
        return None
    return Candidate("row", view.reports[row.doc_id].kommun, row.doc_id, (), row=row, text=row.first.row_text)


def _groups_unsaid(a: QuestionAnalysis, draft: Draft) -> str:
    """The women or men (girls or boys) a question asks about, when none of the evidence names any
    of them: the figures found are the total. '' when the question asks no such group or the
    evidence names one."""
    asked = [g for g in groups_named(words_of(a.text), a.english) if g in LEXICON.sex_groups]
    if not asked:
        return ""
    texts = [obj.text if kind == "p" else obj.first.citation_text for kind, obj in draft.sources]
    if any(rx.search(t) for g in asked for rx in LEXICON.sex_groups[g] for t in texts):
        return ""
    return " och ".join(asked)


def _weak_reason(view: CorpusView, plan: Plan) -> str:
    """Why the evidence is too weak, naming the question's words a named kommun's reports never use."""
    if plan.named:
        missing = sorted({w for k in plan.kommuner for w in absent_words(view, plan.analysis, k)[0]})
        if missing:
            return f"{', '.join(plan.kommuner)}s rapporter nämner inte {', '.join(repr(w) for w in missing)}"
    return "inget stycke eller tabellrad i rapporterna besvarar frågan tillräckligt säkert"


def answer_question(engine, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
                    scorer: Scorer | None = None, anchor: Anchor | None = None) -> Answer:
    return compose(engine.view, a, gather(engine, a, kommuner, doc_ids, anchor), scorer or engine.scorer)
