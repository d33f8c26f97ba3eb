"""A share asked where a report prints only the counts: "Hur stor andel av de anställda i Solna är
kvinnor?" against "Antal anställda 221" and "- varav kvinnor 165". The share is computed from the
part and the total it is part of, both cited, and said as what it is: the report's two counts and
a share worked out from them, not a share the report prints.

Only a row that says it is part of another ("X – varav Y") and whose total row stands in the same
table with a figure in the same column is read; the part must name what the question asks a share
of (a group it names, or one of its topic words). Nothing here is fitted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Answer, Fact, Report
from ..numbers import format_sv
from ..search.lexical import stem
from .corpus_view import CorpusView
from .evidence import Evidence
from .periods import column_info, span_of
from .picking import Scored, usable
from .question import QuestionAnalysis
from .rows import FactRow, asked_cell
from .score import Scorer
from .turn_words import groups_named, words_of
from .verify import allowed_numbers, check_numbers, cite_row
from .wording import clean_label, lower_first, number_of, period_of

#: a row that is part of another: "- varav kvinnor" under "Antal anställda", "Placeringar – varav HVB"
_PART_OF = re.compile(r"^(?P<total>.*?)\s*[–—-]?\s*\bvarav\s+(?P<part>.+)$", re.I)
#: a label that says it counts: what follows names the people or things counted
_COUNT_WORD = re.compile(r"^antal(?:et)?\s+", re.I)
#: the units of a count (a sub-row often prints none)
_COUNTS = frozenset({"", "antal"})
#: the rows read for a part: the most probable few (a share's part is among the best rows when it is there)
_ROWS_READ = 3


@dataclass(frozen=True)
class PartShare:
    """A part's count beside its total's, in one column of one table, and the share it makes."""

    kommun: str
    report: Report
    part_row: FactRow
    total_row: FactRow
    part: Fact
    total: Fact

    @property
    def share(self) -> float:
        return round(100 * self.part.value / self.total.value, 1)


def share_step(view: CorpusView, a: QuestionAnalysis, ev: Evidence, scorer: Scorer, probs) -> Answer | None:
    """One kommun asked for a share that none of its rows or sentences gives, while a row of the
    part counted and its total do: the share computed from the two, both cited."""
    plan = ev.plan
    if asked_cell(a, plan.measure) != "share" or len(plan.kommuner) != 1 or plan.intent not in ("lookup", "compare"):
        return None
    if probs is None:
        probs = scorer.score(list(ev.candidates))
    th = scorer.thresholds
    if any(s.p >= th.answer for s in usable(ev, probs, "share") if s.candidate.kind == "row" or _says_share(s)):
        return None  # the report gives the share itself
    counts = sorted((s for s in usable(ev, probs, "count") if s.candidate.kind == "row" and s.p >= th.row),
                    key=lambda s: -s.p)[:_ROWS_READ]
    found = next((p for s in counts if (p := part_share(view, a, s)) is not None), None)
    return None if found is None else _answer(view, a, found)


def _says_share(s: Scored) -> bool:
    return bool(re.search(r"%|\bprocent\b", s.candidate.text))


def part_share(view: CorpusView, a: QuestionAnalysis, s: Scored) -> PartShare | None:
    """The row's part and its total's count in the same column, when the row is the part of
    another that the question asks a share of."""
    row = s.candidate.row
    m = _PART_OF.match(row.label)
    if m is None or not _names_asked(m.group("part"), a):
        return None
    total_label = (m.group("total").strip(" –—-") or row.parent).strip().lower()
    if not total_label:
        return None
    total_row = next((r for r in view.rows_of_table(row) if r.label.strip().lower() == total_label), None)
    if total_row is None:
        return None
    report = view.reports[row.doc_id]
    # the year asked (else the first column, the report's own), never a change column
    facts = sorted((f for f in row.facts if column_info(f.column).kind == "utfall"),
                   key=lambda f: span_of(f, report).year not in a.years if a.years else 0)
    for f in facts:
        g = next((g for g in total_row.facts if g.column == f.column), None)
        if g is not None and (f.unit == g.unit or {f.unit, g.unit} <= _COUNTS) and 0 <= f.value <= g.value and g.value:
            return PartShare(s.candidate.kommun, report, row, total_row, f, g)
    return None


def _names_asked(part: str, a: QuestionAnalysis) -> bool:
    """Whether a part ("kvinnor", "HVB") is what the question asks a share of: a group it names or
    one of its topic words."""
    asked = [g for g in groups_named(words_of(a.text), a.english) if g in LEXICON.sex_groups]
    if any(rx.search(part) for g in asked for rx in LEXICON.sex_groups[g]):
        return True
    return bool({stem(w) for w in words_of(part)} & {stem(w) for w in a.topic_words})


def _answer(view: CorpusView, a: QuestionAnalysis, found: PartShare) -> Answer | None:
    citations = [cite_row(found.part_row, view.reports, 1), cite_row(found.total_row, view.reports, 2)]
    total = lower_first(clean_label(found.total_row.label))
    noun = _COUNT_WORD.sub("", total) if _COUNT_WORD.match(total) else f"({total})"  # "antal anställda": anställda
    part = clean_label(_PART_OF.match(found.part_row.label).group("part"))
    share = format_sv(found.share, 1)
    text = (f"I {found.kommun} var {number_of(found.part)} av {number_of(found.total)} {noun} {part} under "
            f"{period_of(found.part, found.report)} [1][2], det vill säga {share} procent. Rapporten anger ingen "
            f"andel; den är räknad här ur de två antalen.")
    if check_numbers(text, allowed_numbers(citations, [found.share])):
        return None
    return Answer(a.text, True, text, tuple(citations), (found.part, found.total))
