"""One way in for a question, whoever asks (the CLI, the app, the cross-validation): the follow-up
resolved against the chat's earlier questions, typos read as the report words they misspell, the
analysis, and a report type carried over from history dropped where the kommun asked about
publishes no such report."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Report
from .conversation import Resolved, is_fragment, resolve, said_reading
from .dialogue import Anchor
from .rewriting import without_report_type
from .offtopic import REASONS, kinds_in, not_about_reports
from .question import QuestionAnalysis

#: period words that name the accounts themselves: a question naming one is about the reports
_ACCOUNTS = frozenset({"avvikelse", "budget", "prognos", "bokslut"})


@dataclass(frozen=True)
class Reading:
    """How a question was read: what was asked, what it was resolved to, and the analysis."""

    asked: str
    resolved: Resolved
    analysis: QuestionAnalysis
    fixes: tuple[tuple[str, str], ...] = ()  # (typo, the report word it was read as)
    anchor: Anchor | None = None  # a follow-up's: what the chat's last answer was about

    @property
    def used_history(self) -> bool:
        return self.resolved.used_history


def read_question(question: str, history: tuple[str, ...], reports: dict[str, Report], read) -> Reading:
    """`read(text) -> (analysis, fixes)` is the engine's spelling-aware analyser."""
    years: dict[str, set[int]] = {}
    for r in reports.values():
        years.setdefault(r.kommun, set()).update(range(int(r.period_start[:4]), int(r.period_end[:4]) + 1))
    covered = {k: frozenset(v) for k, v in years.items()}
    history = tuple(h for h in history if is_question_text(h))  # an instruction is never read back as a question
    resolved = resolve(question, tuple(history), frozenset(covered), covered)  # "Och 2022?" is checked once resolved
    a, fixes = read(resolved.question)
    if resolved.used_history and a.report_types and not LEXICON.report_types_in(question):
        # a report type carried over from an earlier question ("… i Solnas årsredovisning", then
        # "Och i Eskilstuna?") is dropped where the kommun now asked about publishes no such report
        have = {r.report_type for r in reports.values() if not a.kommuner or r.kommun in a.kommuner}
        if not set(a.report_types) <= have:
            read_as = resolved.question
            for kind in LEXICON.report_types_in(read_as):
                read_as = without_report_type(read_as, kind)
            resolved = dataclasses.replace(resolved, question=read_as, reading=said_reading(read_as))
            a, fixes = read(read_as)
            a = dataclasses.replace(a, report_hint="", report_types=())
    # "Vilken socialnämnd går mest över sin budget?" names no topic word, but a budget is the reports' subject
    named = a.topic_words or tuple(sorted(a.period_words & _ACCOUNTS))
    reason = not_about_reports(resolved.question, named, a.kommuner, a.years) or \
        not_about_reports(a.text, named, a.kommuner, a.years) or \
        (REASONS["fragment"] if not resolved.used_history and is_fragment(question, covered) else "")
    if reason:
        a = dataclasses.replace(a, not_about=reason)
        if resolved.used_history:  # the reading is not echoed for a text that is no question
            resolved = dataclasses.replace(resolved, reading="")
    return Reading(question, resolved, a, tuple(fixes))


def is_question_text(text: object) -> bool:
    """An earlier chat turn that may be read as a question: text, and no instruction, dump, secret or code."""
    return isinstance(text, str) and bool(text.strip()) and not set(kinds_in(text)) & (set(REASONS) - {
        "small_talk", "nothing", "fragment"})
