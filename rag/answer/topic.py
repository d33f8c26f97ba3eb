"""The question's topic as canonical term units, and how much of it a set of terms names.

A unit is one topic word with its alternatives (synonyms, compound parts) and their credit
(see `canon_units`); measure words (kostnad, antal) say what kind of figure is asked, never
what it is about, and are left out. Row matching (`row_match.py`), the candidates' lexical
features and the choice of a row's cell all weigh a topic this way.
"""
from __future__ import annotations

from .question import QuestionAnalysis
from ..lexicon import LEXICON
from ..search.lexical import SYNONYMS, canon_terms, canon_units, content_words, split_compound, stem, terms

#: the idf a term the corpus never uses is weighed with: about a rare word's (higher: an unknown
#: topic word outweighs the known ones, so a text naming the known ones matches less)
UNKNOWN_TERM_IDF = 4.0
#: texts whose terms are kept (a memory bound: row labels and headings recur across questions)
_TERMS_CACHE_MAX = 200_000

MEASURE_TERMS = frozenset(stem(w) for w in LEXICON.measure_words)

Units = list[tuple[tuple[str, float], ...]]

_TERMS_CACHE: dict[tuple[int, str, bool], frozenset[str]] = {}


def _memo_terms(text: str, vocab, grouped: bool) -> frozenset[str]:
    key = (id(vocab), text, grouped)
    got = _TERMS_CACHE.get(key)
    if got is None:
        if len(_TERMS_CACHE) > _TERMS_CACHE_MAX:
            _TERMS_CACHE.clear()
        got = _TERMS_CACHE[key] = frozenset((canon_terms if grouped else terms)(text, vocab or frozenset()))
    return got


def cached_terms(text: str, vocab) -> frozenset[str]:
    """canon_terms as a set, memoised: row labels and headings are scored for every question."""
    return _memo_terms(text, vocab, True)


def plain_terms(text: str, vocab) -> frozenset[str]:
    """The text's own word stems and compound parts, synonym phrases left as words (memoised)."""
    return _memo_terms(text, vocab, False)


def is_measure_word(word: str) -> bool:
    """A word naming the kind of figure (kostnad, nettokostnaden, antal), never the subject."""
    return stem(word) in MEASURE_TERMS


def figure_key(label: str, vocab) -> frozenset[str]:
    """What a row counts, as word stems with compounds split and measure words left out:
    `Lokalkostnader` and `Lokaler` are both {lokal}, so one kommun's row is found in another's table."""
    key: set[str] = set()
    for w in content_words(label):
        key |= {stem(p) for p in (split_compound(w, vocab) or (w,))}
    return frozenset(key - MEASURE_TERMS)


def topic_units(a: QuestionAnalysis, vocab) -> Units:
    """The question's topic per word (see `canon_units`), measure words (kostnad, antal) left out."""
    out: Units = []
    for unit in canon_units(a.topic_text or a.text, vocab):
        main = unit[0][0]
        if main in MEASURE_TERMS or any(u[0][0] == main for u in out):
            continue
        if main.startswith("§") and any(stem(w) in MEASURE_TERMS for w in SYNONYMS[int(main[1:])]):
            continue
        out.append(unit)
    return out


def topic_terms(a: QuestionAnalysis, vocab) -> list[str]:
    return [t for unit in topic_units(a, vocab) for t, _ in unit]


def unit_weight(unit, idf: dict[str, float], default: float = UNKNOWN_TERM_IDF) -> float:
    """A unit's weight: the idf of its rarest known alternative."""
    known = [idf[t] for t, _ in unit if t in idf]
    return max(known) if known else default


def matched(unit, terms: frozenset[str] | set[str]) -> float:
    """Credit for a unit: its best alternative present (`a+b`: both parts present)."""
    return max((c for t, c in unit if t in terms or ("+" in t and all(x in terms for x in t.split("+")))),
               default=0.0)
