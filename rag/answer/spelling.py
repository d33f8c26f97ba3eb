"""Typos in a question, read against the reports' own words.

A politician types "prognsen" or "personalomsättnigen"; the lexical features then find
nothing, and the answer is a refusal although the report says it. A word the reports never
use, that is no inflection or compound of words they use, and that lies one edit from a word
they do use (a long word also two: a letter lost in one place and one added in another), is
read as that word, the most frequent one when several are as near. The vocabulary is the corpus, so
this carries to any kommun's report; nothing here lists words.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_WORD = re.compile(r"[a-zåäöéü]+")
#: words shorter than this are never corrected: too many real words lie one edit apart
MIN_LENGTH = 6
#: from this length a word may be two edits from the one meant
LONG = 10


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(frozen=True)
class Speller:
    """Word counts of the corpus and an index of their one-letter deletions."""

    counts: dict[str, int]
    by_delete: dict[str, tuple[str, ...]]
    known: frozenset[str]  # words never corrected (question words, lexicon terms, kommun names)

    @staticmethod
    def from_texts(texts, known=()) -> "Speller":
        counts = Counter(w for t in texts for w in _WORD.findall(t.lower()))
        index: dict[str, list[str]] = {}
        for w in counts:
            if len(w) >= MIN_LENGTH - 1:
                for d in _deletes(w):
                    index.setdefault(d, []).append(w)
        return Speller(dict(counts), {d: tuple(ws) for d, ws in index.items()},
                       frozenset(w.lower() for w in known))

    def suggest(self, word: str) -> str | None:
        """The corpus word meant by `word`, or None when it is not a typo of one."""
        w = word.lower()
        if len(w) < MIN_LENGTH or w in self.counts or w in self.known:
            return None
        return self._nearest(w) or self._compound(w)

    def _nearest(self, w: str) -> str | None:
        """The most frequent report word one edit from `w` (a long word: two)."""
        limit = 2 if len(w) >= LONG else 1
        near = set(self.by_delete.get(w, ()))  # a letter left out
        for d in _deletes(w):
            if d in self.counts:
                near.add(d)  # a letter too many
            near.update(self.by_delete.get(d, ()))  # a letter wrong or two swapped
            if limit == 2:  # two letters too many ("personalkostnaderan")
                near.update(d2 for d2 in _deletes(d) if d2 in self.counts)
        scored = [(d, -self.counts[c], c) for c in near if (d := edit_distance(w, c)) <= limit]
        return min(scored)[2] if scored else None

    def _compound(self, w: str) -> str | None:
        """A compound the reports never write whole, of a report word and a misspelt one
        ("vuxenverksamhten": vuxen + verksamheten), the longest first part first."""
        for i in range(len(w) - MIN_LENGTH, MIN_LENGTH - 2, -1):
            head, tail = w[:i], w[i:]
            if head in self.counts and tail not in self.counts and tail not in self.known \
                    and (fixed := self._nearest(tail)):
                return head + fixed
        return None

    def correct(self, question: str, is_known=lambda w: False) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The question with its typos replaced, and the (typo, word) pairs. `is_known(word)` tells
        a word that is no typo although the corpus lacks it (an inflection, a compound)."""
        fixes: list[tuple[str, str]] = []

        def fix(m: re.Match) -> str:
            word = m.group()
            if is_known(word.lower()):
                return word
            new = self.suggest(word)
            if new is None:
                return word
            fixes.append((word, new))
            return new.capitalize() if word[:1].isupper() else new

        text = re.sub(r"[A-Za-zÅÄÖåäöÉéÜü]+", fix, question)
        return text, tuple(fixes)


def question_speller(texts) -> Speller:
    """A speller over the reports' texts that leaves alone the words questions are made of:
    question and stop words, the lexicon's terms and the names of Sweden's kommuner."""
    from ..kommuner import KOMMUNER
    from ..search.lexical import STOPWORDS
    from ..lexicon import LEXICON

    known = set(LEXICON.question_words) | set(STOPWORDS) | set(LEXICON.months)
    known |= LEXICON.direction_up | LEXICON.direction_down
    for group in LEXICON.synonyms + tuple(LEXICON.units.values()) + tuple(LEXICON.column_kinds.values()):
        known |= {w for phrase in group for w in _WORD.findall(phrase.lower())}
    known |= {w for k in KOMMUNER for w in _WORD.findall(k.lower())}
    return Speller.from_texts(texts, known)
