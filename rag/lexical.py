"""Swedish lexical retrieval: stems, compound parts, domain synonyms and BM25.

Pure functions over token lists and arrays; the stemmer is the only model.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[a-zåäöéü]+|\d+(?:[,.]\d+)?", re.I)

STOPWORDS = frozenset("""
och i att det som en på är av för med till den har de inte om ett var sig så men ska skall kan
vid eller från under efter även mot samt där då år dess detta denna dessa vilket vilka vilken
han hon vi ni jag man sin sina sitt deras också mer mest bara när hur vad varför vem vilket
blir blev bli varit vara finns fanns hade hos inom utan genom över enligt per sedan redan än
alla allt andra annan annat några något ingen inga many much what is the a an of for in on to
was were how why which who does did do at by from with and or its it's this that are be as
många mycket hur vilken vilka
""".split())

#: Groups of equivalent domain expressions; any member in a query brings the others in.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("hvb", "hem för vård eller boende"),
    ("köpt vård", "köp av verksamhet", "externt köpt vård", "köp av huvudverksamhet", "tjänsteköp"),
    ("sis", "statens institutionsstyrelse", "låst institution"),
    ("ekonomiskt bistånd", "försörjningsstöd", "socialbidrag", "bidragshushåll"),
    ("bou", "barn och unga", "barn och ungdom", "barn- och ungdomsvård", "ungdomar", "unga"),
    ("ifo", "individ- och familjeomsorg"),
    ("vinr", "vir", "våld i nära relation"),
    ("kpb", "kostnad per brukare"),
    ("lvu", "vård av unga"),
    ("lvm", "vård av missbrukare"),
    ("anställda", "medarbetare", "årsarbetare"),
    ("prognos", "årsprognos", "helårsprognos", "prognos helår"),
    ("nettokostnad", "nettokostnader", "verksamhetens nettokostnader"),
    ("avvikelse", "budgetavvikelse", "prognosavvikelse"),
    ("personalomsättning", "omsättning"),
    ("sjukfrånvaro", "sjuktal"),
    ("missbruk", "beroende", "missbruksproblem"),
    ("orosanmälningar", "anmälningar", "aktualiseringar"),
    ("skyddat boende", "skyddsplaceringar", "skyddsplacering"),
    ("familjehem", "familjehemsvård"),
    ("kostnad", "kostnader", "kostade", "kostar", "utfall"),
    # English questions
    ("forecast", "prognos"),
    ("deviation", "avvikelse"),
    ("full-year", "helår"),
    ("full year", "helår"),
    ("cost", "kostnad"),
    ("average payment", "average monthly payment", "snittbidrag", "genomsnittligt bidrag"),
    ("per invånare", "kr. / inv.", "kr/inv", "per inv"),
    ("costs", "kostnader"),
    ("budget", "budget"),
    ("households", "hushåll"),
    ("employees", "anställda"),
    ("staff", "personal"),
    ("sick leave", "sjukfrånvaro"),
    ("social assistance", "ekonomiskt bistånd"),
    ("institutional care", "institutionsvård"),
    ("children", "barn"),
    ("adults", "vuxna"),
    ("result", "resultat"),
    ("net cost", "nettokostnad"),
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: Snowball's Swedish stemmer

    return Stemmer.Stemmer("swedish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem, applied twice so `prognos` and `prognosen` meet."""
    s = _stemmer()
    out = s.stemWord(s.stemWord(word))
    if len(out) >= 6 and out[-1] == "n" and out[-2] in "aoiuy":
        out = out[:-1]  # definite -n after a vowel (sjukfrånvaron), which Snowball keeps
    if len(out) >= 5 and out[-1] == out[-2] and out[-1] in "bdfgklmnprst":
        out = out[:-1]  # programm(et) / program
    return out


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text.replace("&", " och "))]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def split_compound(word: str, vocab: frozenset[str] | set[str]) -> tuple[str, ...]:
    """`familjerådgivningssamtal` -> (`familjerådgivning`, `samtal`) when both parts occur
    (as stems) in the corpus on their own; the longest head wins, a linking `s` is allowed."""
    if len(word) < 8 or not word.isalpha() or not vocab:
        return ()
    for i in range(len(word) - 4, 3, -1):
        head, tail = word[:i], word[i:]
        if stem(tail) not in vocab:
            continue
        if stem(head) in vocab:
            return head, tail
        if head.endswith("s") and len(head) >= 5 and stem(head[:-1]) in vocab:
            return head[:-1], tail
    return ()


def terms(text: str, vocab: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Index terms: stems of content words plus stems of their compound parts."""
    out = []
    for w in content_words(text):
        out.append(stem(w))
        for part in split_compound(w, vocab):
            out.append(stem(part))
    return out


def canon_units(text: str, vocab: frozenset[str] | set[str] = frozenset()) -> list[tuple[tuple[str, float], ...]]:
    """The text's terms grouped per word: a compound matches in full (1.0), by its
    head, the last part (0.8), or by its first part (0.4); a synonym phrase is one unit."""
    units = []
    for t in _canon(text, vocab, split=False):
        if t.startswith("§") or not t.isalpha():
            units.append(((stem(t) if not t.startswith("§") else t, 1.0),))
            continue
        alts = [(stem(t), 1.0)]
        parts = split_compound(t, vocab)
        if parts:
            alts.append((f"{stem(parts[0])}+{stem(parts[1])}", 1.0))  # written apart: `vård dygn`
            if stem(t) not in vocab:
                alts += [(stem(parts[-1]), 0.6), (stem(parts[0]), 0.4)]
        units.append(tuple(alts))
    return units


@lru_cache(maxsize=1)
def _synonym_phrases() -> list[tuple[list[str], str]]:
    """(phrase words, group token), longest phrases first."""
    out = []
    for i, group in enumerate(SYNONYMS):
        for p in group:
            out.append(([stem(w) for w in words(p)], f"§{i}"))
    out.sort(key=lambda t: -len(t[0]))
    return out


def canon_terms(text: str, vocab: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Like `terms`, but a synonym phrase becomes its group's token, so `köpt vård`
    in a question and `Köp av verksamhet` in a row label are the same term."""
    return _canon(text, vocab, split=True)


def _canon(text: str, vocab, split: bool) -> list[str]:
    """Synonym phrases to group tokens; other words to stems (+ compound parts) or, with
    split=False, kept as surface words for `canon_units`."""
    ws = words(text)
    stems = [stem(w) for w in ws]
    out: list[str] = []
    i = 0
    phrases = _synonym_phrases()
    while i < len(ws):
        for p, token in phrases:
            if stems[i:i + len(p)] == p:
                out.append(token)
                i += len(p)
                break
        else:
            w = ws[i]
            if w not in STOPWORDS and (len(w) > 1 or w.isdigit()):
                if split:
                    out.append(stem(w))
                    out.extend(stem(part) for part in split_compound(w, vocab))
                else:
                    out.append(w)
            i += 1
    return out


def _phrase_in(phrase: str, text_words: list[str]) -> bool:
    p = words(phrase)
    n = len(p)
    return any(text_words[i:i + n] == p for i in range(len(text_words) - n + 1))


def expand_query(text: str, vocab: frozenset[str] | set[str] = frozenset()) -> dict[str, float]:
    """Query terms with weights: 1.0 as asked, 0.5 for synonyms brought in."""
    weights: dict[str, float] = {}
    for t in terms(text, vocab):
        weights[t] = 1.0
    ws = words(text)
    for group in SYNONYMS:
        if any(_phrase_in(p, ws) for p in group):
            for p in group:
                for t in terms(p, vocab):
                    weights.setdefault(t, 0.5)
    return weights


@dataclass(frozen=True)
class BM25Index:
    """An inverted index of term -> (doc ids, term frequencies), plus doc lengths."""

    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    doc_len: np.ndarray
    vocab: frozenset[str]
    k1: float = 1.2
    b: float = 0.75

    @property
    def n_docs(self) -> int:
        return len(self.doc_len)


def build_vocab(texts: list[str]) -> frozenset[str]:
    """Stems of the corpus's words, the parts compounds may split into."""
    return frozenset(stem(w) for t in texts for w in content_words(t) if w.isalpha() and len(w) >= 3)


def build_bm25(texts: list[str], vocab: frozenset[str] | None = None) -> BM25Index:
    vocab = vocab if vocab is not None else build_vocab(texts)
    tmp: dict[str, tuple[list[int], list[int]]] = {}
    lens = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        tf = Counter(terms(text, vocab))
        lens[i] = sum(tf.values())
        for t, n in tf.items():
            ids, fs = tmp.setdefault(t, ([], []))
            ids.append(i)
            fs.append(n)
    postings = {t: (np.asarray(ids, dtype=np.int64), np.asarray(fs, dtype=np.float32))
                for t, (ids, fs) in tmp.items()}
    return BM25Index(postings, lens, vocab)


def bm25_scores(index: BM25Index, query: dict[str, float]) -> np.ndarray:
    """BM25 score of every document for weighted query terms."""
    scores = np.zeros(index.n_docs, dtype=np.float32)
    if index.n_docs == 0:
        return scores
    avg = float(index.doc_len.mean()) or 1.0
    for t, w in query.items():
        post = index.postings.get(t)
        if post is None:
            continue
        ids, tf = post
        idf = math.log(1 + (index.n_docs - len(ids) + 0.5) / (len(ids) + 0.5))
        norm = tf + index.k1 * (1 - index.b + index.b * index.doc_len[ids] / avg)
        scores[ids] += w * idf * tf * (index.k1 + 1) / norm
    return scores
