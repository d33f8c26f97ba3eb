"""Swedish lexical retrieval: stems, compound parts, domain synonyms and BM25.

Pure functions over token lists and arrays; the stemmer is the only model.
"""
from __future__ import annotations

import itertools
import math
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..lexicon import LEXICON

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

#: Groups of equivalent domain expressions (the reviewed lexicon); any member in a query brings the others in.
SYNONYMS: tuple[tuple[str, ...], ...] = LEXICON.synonyms


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


#: a verb of the -era class in any form (investera, investerar, investerade, investeras): its action
#: noun ends in -ering (investering), the word a report's table or heading uses
_ERA_VERB = re.compile(r"^([a-zåäö]{4,})er(?:a|ar|ade|at|as|ades|ats)$")


def _era_noun(word: str) -> str:
    m = _ERA_VERB.match(word)
    return f"{m.group(1)}ering" if m else ""


def canon_units(text: str, vocab: frozenset[str] | set[str] = frozenset()) -> list[tuple[tuple[str, float], ...]]:
    """The text's terms grouped per word: a compound matches in full (1.0), by its
    head, the last part (0.8), or by its first part (0.4); a synonym phrase is one unit; a verb
    of the -era class also by its -ering noun."""
    units = []
    for t in _canon(text, vocab, split=False):
        if t.startswith("§") or not t.isalpha():
            units.append(((stem(t) if not t.startswith("§") else t, 1.0),))
            continue
        alts = [(stem(t), 1.0)]
        if noun := _era_noun(t):  # "investera" asks about "investeringar"
            alts.append((stem(noun), 1.0))
        parts = split_compound(t, vocab)
        if parts:
            alts.append((f"{stem(parts[0])}+{stem(parts[1])}", 1.0))  # written apart: `vård dygn`
            if stem(t) not in vocab:
                alts += [(stem(parts[-1]), 0.6), (stem(parts[0]), 0.4)]
        units.append(tuple(alts))
    return units


@lru_cache(maxsize=1)
def _synonym_phrases() -> dict[str, list[tuple[list[str], str]]]:
    """First stem -> (phrase stems, group token), longest phrases first: a word is
    compared only with the phrases it could start."""
    out: dict[str, list[tuple[list[str], str]]] = {}
    for i, group in enumerate(SYNONYMS):
        for p in group:
            stems = [stem(w) for w in words(p)]
            if stems:
                out.setdefault(stems[0], []).append((stems, f"§{i}"))
    for starting in out.values():
        starting.sort(key=lambda t: -len(t[0]))
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
        match = _longest_phrase(phrases.get(stems[i], ()), stems, ws, i, vocab)
        if match is not None:  # a tail: "barn- och ungdoms|verksamheten" is the phrase, then "verksamheten"
            n, token, rest = match
            out.append(token)
            if rest:
                out.extend([stem(rest), *(stem(x) for x in split_compound(rest, vocab))] if split else [rest])
            i += n
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


def _longest_phrase(starting, stems: list[str], ws: list[str], i: int, vocab) -> tuple[int, str, str] | None:
    """The longest synonym phrase at word i (`starting` longest first), written out or ending inside
    a compound; at equal length the written-out one. (words taken, group token, the compound's rest)."""
    for n, group in itertools.groupby(starting, key=lambda pt: len(pt[0])):
        same = list(group)
        exact = next((t for p, t in same if stems[i:i + n] == p), None)
        if exact is not None:
            return n, exact, ""
        tail = next(((t, rest) for p, t in same if (rest := _compound_tail(p, stems, ws, i, vocab))), None)
        if tail is not None:
            return n, tail[0], tail[1]
    return None


def _compound_tail(phrase: list[str], stems: list[str], ws: list[str], i: int, vocab) -> str:
    """A coordinated compound ("barn- och ungdomsverksamheten", "individ- och familjeomsorgsenheten")
    ends a synonym phrase inside its last word: that word's remaining part, else ''."""
    n = len(phrase)
    if n < 2 or i + n > len(ws) or stems[i:i + n - 1] != phrase[:-1]:
        return ""
    parts = split_compound(ws[i + n - 1], vocab)
    return parts[-1] if len(parts) == 2 and stem(parts[0]) == phrase[-1] else ""


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

    postings: Mapping[str, tuple[np.ndarray, np.ndarray]]  # a dict when built, _Postings when loaded
    doc_len: np.ndarray
    vocab: frozenset[str]
    k1: float = 1.2
    b: float = 0.75

    @property
    def n_docs(self) -> int:
        return len(self.doc_len)


def canon_idf(texts: list[str], vocab: frozenset[str] | set[str]) -> dict[str, float]:
    """Inverse document frequency of canonical terms (stems and synonym-group tokens): the
    weight the answerer gives a word of the question."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(canon_terms(text, vocab)))
    n = max(1, len(texts))
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}


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


class _Postings(Mapping):
    """Postings loaded from disk: one array per field, sliced per term on lookup, so that
    opening the index costs one dict of term -> row whatever the corpus size."""

    def __init__(self, terms: list[str], offsets: np.ndarray, ids: np.ndarray, tfs: np.ndarray):
        self._row = {t: i for i, t in enumerate(terms)}
        self._offsets, self._ids, self._tfs = offsets, ids, tfs

    def __getitem__(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        i = self._row[term]
        lo, hi = self._offsets[i], self._offsets[i + 1]
        return self._ids[lo:hi], self._tfs[lo:hi]

    def __iter__(self):
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def _words_array(ws) -> np.ndarray:
    """Strings as one UTF-8 byte array joined by newlines (terms never hold one)."""
    return np.frombuffer("\n".join(ws).encode("utf-8"), dtype=np.uint8)


def _words_list(a: np.ndarray) -> list[str]:
    text = a.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def save_bm25(index: BM25Index, path: Path, tables: dict[str, dict[str, float]] | None = None) -> None:
    """Write the index (and named term -> float tables built with it) as one .npz of plain
    arrays, never serialised Python objects (numpy loads it with allow_pickle=False). Atomic: temp file + rename."""
    terms = sorted(index.postings)
    sizes = np.array([len(index.postings[t][0]) for t in terms], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    arrays = {
        "terms": _words_array(terms), "offsets": offsets,
        "ids": np.concatenate([index.postings[t][0] for t in terms]).astype(np.int32) if terms else empty_i,
        "tfs": np.concatenate([index.postings[t][1] for t in terms]).astype(np.float32) if terms else empty_f,
        "doc_len": index.doc_len.astype(np.float32), "vocab": _words_array(sorted(index.vocab)),
        "params": np.array([index.k1, index.b], dtype=np.float64),
    }
    for name, table in (tables or {}).items():
        keys = sorted(table)
        arrays[f"table.{name}.keys"] = _words_array(keys)
        arrays[f"table.{name}.values"] = np.array([table[k] for k in keys], dtype=np.float64)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_bm25(path: Path) -> tuple[BM25Index, dict[str, dict[str, float]]]:
    """The index written by save_bm25 and its named tables; ValueError when unreadable."""
    try:
        with np.load(path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        terms = _words_list(a["terms"])
        if len(a["offsets"]) != len(terms) + 1 or not int(a["offsets"][-1]) == len(a["ids"]) == len(a["tfs"]):
            raise ValueError("postings do not add up")
        tables = {}
        for key in a:
            if key.startswith("table.") and key.endswith(".keys"):
                name = key[len("table."):-len(".keys")]
                tables[name] = dict(zip(_words_list(a[key]), a[f"table.{name}.values"].tolist()))
        k1, b = (float(x) for x in a["params"])
        postings = _Postings(terms, a["offsets"], a["ids"].astype(np.int64), a["tfs"])
        return BM25Index(postings, a["doc_len"], frozenset(_words_list(a["vocab"])), k1, b), tables
    except (OSError, KeyError, ValueError, UnicodeDecodeError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path.name} is not a readable lexical index ({e})") from None


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


def write_lexical(path: Path, passages) -> None:
    """The BM25 index and the canonical-term idf the answerer weighs words with, computed
    once at build time instead of on every start (both loop over every passage)."""
    texts = [p.index_text for p in passages]
    bm25 = build_bm25(texts)
    save_bm25(bm25, path, {"idf": canon_idf(texts, bm25.vocab)})
