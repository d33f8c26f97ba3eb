"""A count or a deviation from budget a report gives only in its text ("från 185 hushåll till 145
hushåll 2023", "Jämfört med budget är kostnaden för ekonomiskt bistånd 9,5 mkr lägre"): the figure
a comparison shows for a kommun whose tables lack the measure, said as the text's, never ranked
beside the tables' figures.

Only a sentence that says "antalet …" of the measure (a catalogue name) and then gives a count in
its words counts: a number followed by a noun of the measure's names or by "stycken", or the later
of "från X till Y".
Money, shares, years, ages and durations are no counts. A deviation is one amount of money in a
clause naming the budget, the measure by one of its own names and which way it went (lägre,
överskott, …); the clause is quoted as it stands. Nothing here is fitted; a sentence that gives two
figures of other words is left alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..lexicon import LEXICON
from ..models import Passage, Report
from ..numbers import Number, find_numbers
from ..search.lexical import stem
from ..search.retrieval import sentence_pieces
from ..years import YEAR_RE
from .figures_said import NOT_A_COUNT
from .measures import Measure, catalogue, stems_of

#: words a report writes after a count when it names no noun ("nästan 5 000 stycken")
_PIECES = re.compile(r"^\s*(?:stycken|st\.?)(?:\W|$)", re.I)
#: "från 2 077 till 2 548": the later figure is the one the text reports now
_FROM_TO = re.compile(r"\bfrån\s+$", re.I)
_TO = re.compile(r"\btill\s+$", re.I)
#: a sentence saying how many: "Antalet hushåll …", "antal placeringar"
_COUNT_OF = re.compile(r"\bantal(?:et)?\b", re.I)
#: how far before a number "från" or "till" may stand ("från 185 hushåll till 145")
_LOOK_BACK = 40
#: an amount of money right after its number
_MONEY_AFTER = re.compile(r"^\s*(?:mkr|mnkr|tkr|miljon\w*(?: kronor)?|kr\b|kronor)", re.I)
#: the words saying which way a figure went against the budget
_WAY = re.compile(r"\b(?:lägre|högre|överskott\w*|underskott\w*|positiv\w*|negativ\w*|avvikelse\w*|bättre|sämre)\b",
                  re.I)
#: where a sentence's clauses part ("… 9,5 mkr lägre och 0,6 mkr lägre jämfört med prognos")
_CLAUSES = re.compile(r"\s+och\s+|,\s+|;\s+|\s+men\s+|\s+vilket\s+", re.I)


@dataclass(frozen=True)
class TextFigure:
    """One kommun's count of the measure, as a sentence of its report gives it."""

    kommun: str
    report: Report
    passage: Passage
    sentence: str
    number: Number  # its place and text within `sentence`
    year: int  # the year the sentence names after it, else the report's
    clause: str = ""  # a deviation: the clause that says it, quoted as the figure

    @property
    def said(self) -> str:
        """The figure as the sentence writes it, with a word of approximation before it kept."""
        if self.clause:
            return f"«{self.clause}»"
        before = self.sentence[:self.number.start].split()[-1:] or [""]
        about = before[0] if before[0].lower() in LEXICON.approximations else ""
        return f"{about} {self.number.text}".strip()


@cache
def _nouns(measure: Measure) -> frozenset[str]:
    """The stems of the nouns a count of the measure is written with ("hushåll", "anmälningar")."""
    return frozenset(s for n in (measure.name, *measure.names) for s in stems_of(n))


def _is_count(sentence: str, n: Number, nouns: frozenset[str]) -> bool:
    after = sentence[n.end:]
    if NOT_A_COUNT.match(after):
        return False
    nxt = re.findall(r"[a-zåäöéü]+", after.lower())[:2]
    return bool(_PIECES.match(after)) or any(stem(w) in nouns for w in nxt)


def count_in(sentence: str, measure: Measure) -> Number | None:
    """The count of the measure the sentence gives: the later of "från X till Y", else its one
    count; None when it does not say "antalet …" of the measure before the figure ("drygt 500
    medarbetare … har utbildats" counts those trained, not the staff) or gives no single count."""
    said = _COUNT_OF.search(sentence)
    nouns = _nouns(measure)
    if said is None or not nouns & {stem(w) for w in re.findall(r"[a-zåäöéü]+", sentence.lower())} \
            or measure.id not in {m[0] for m in catalogue().matches(sentence)}:  # the catalogue's match, when likely
        return None
    numbers = [n for n in find_numbers(sentence) if not YEAR_RE.fullmatch(n.text.strip()) and said.end() <= n.start]
    for i, n in enumerate(numbers):
        if i and _TO.search(sentence[max(0, n.start - _LOOK_BACK):n.start]) and \
                _FROM_TO.search(sentence[max(0, numbers[i - 1].start - _LOOK_BACK):numbers[i - 1].start]) and \
                not NOT_A_COUNT.match(sentence[n.end:]):
            return n
    counts = [n for n in numbers if _is_count(sentence, n, nouns)]
    if len({c.value for c in counts}) == 1 or counts and _said_first(sentence, counts[0], measure):
        return counts[0]
    return None


def _said_first(sentence: str, n: Number, measure: Measure) -> bool:
    """Whether the count stands right after the measure is named ("antalet bidragshushåll ökat till ett
    månadssnitt om 423 stycken hushåll i jämförelse med 407"): the figure of now, the rest compared."""
    named = min((sentence.lower().find(w) for w in (measure.name.lower(), *measure.names) if w in sentence.lower()),
                default=-1)
    return 0 <= named < n.start and not any(m.start < n.start for m in find_numbers(sentence[named:n.start]))


def deviation_in(sentence: str, measure: Measure) -> tuple[Number, str] | None:
    """The deviation from budget of the measure the sentence gives, with the clause saying it: one
    amount of money in a clause that names the budget, the measure by one of its own names and
    which way it went. None for anything else (two amounts, the forecast, another measure)."""
    low = sentence.lower()
    if "budget" not in low or not any(_names(low, n) for n in (measure.name.lower(), *measure.names)):
        return None
    start, found = 0, []
    for m in [*_CLAUSES.finditer(sentence), None]:
        end = m.start() if m else len(sentence)
        clause = sentence[start:end]
        if "budget" in clause.lower() and _WAY.search(clause):
            found += [(n, clause, start) for n in find_numbers(clause) if _MONEY_AFTER.match(clause[n.end:])]
        start = m.end() if m else start
    if len(found) != 1:
        return None
    n, clause, offset = found[0]
    said = clause.strip().rstrip(".")
    if offset > 0:  # a clause from within its sentence is quoted as a part ("… motsvarar ett överskott om 6,9 mnkr")
        said = f"… {said}"
    return Number(n.value, n.start + offset, n.end + offset, n.text), said


def _names(low: str, name: str) -> bool:
    return bool(re.search(rf"\b{re.escape(name)}\b", low))


#: the (measure kind, column kind) pairs a report's text is read for: a count's outcome, an amount's deviation
TEXT_FIGURE_KINDS = frozenset({("count", "utfall"), ("money", "avvikelse")})


def text_figure(passages: list[Passage], reports: dict[str, Report], kommun: str, measure: Measure,
                doc_ids: tuple[str, ...], kind: str = "utfall") -> TextFigure | None:
    """The kommun's count of the measure (or, `kind` avvikelse, its deviation from budget) in the
    text of its reports in scope, its newest report's first."""
    if (measure.kind, kind) not in TEXT_FIGURE_KINDS:
        return None
    docs = sorted((d for d in doc_ids if reports[d].kommun == kommun), key=lambda d: reports[d].period_end,
                  reverse=True)
    for doc in docs:
        for p in passages:
            if p.kind != "text" or p.doc_id != doc or not (_COUNT_OF.search(p.text) if kind == "utfall"
                                                             else "budget" in p.text.lower()):
                continue
            for sentence in sentence_pieces(p.text):
                n, clause = (count_in(sentence, measure), "") if kind == "utfall" else \
                    (deviation_in(sentence, measure) or (None, ""))
                if n is not None:
                    years = [int(y) for y in YEAR_RE.findall(sentence[n.end:n.end + 20])]
                    return TextFigure(kommun, reports[doc], p, sentence, n,
                                      years[0] if years else int(reports[doc].period_end[:4]), clause)
    return None
