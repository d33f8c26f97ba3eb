"""The engine: build the index from the corpus, load it, search and answer.

Models load lazily: `facts` and a cached `search` that never embeds need no
torch; the first query that needs a vector loads the embedder once.
"""
from __future__ import annotations

import dataclasses
import errno
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .answer.question import QuestionAnalysis, analyse, check_question, looks_english
from .ingest.chunking import build_passages
from .config import Config
from .ingest.corpus import load_corpus
from .errors import CorpusError, IndexError_, IndexMismatch, IndexMissing, RagError, StorageError
from .lexicon import LEXICON
from .search.index import (EmbeddingCache, build_lock, build_running, embed_passages, file_sha256, load_index, make_index,
                    passages_sha, read_manifest, save_index)
from .search.lexical import load_bm25, split_compound, stem, write_lexical
from .models import Answer, Hit, Report
from .search.retrieval import hybrid_search
from .search.store import Store, write_store
from .search import versions
from .search.build_inputs import corpus_state, parser_sha, source_doc_ids
from .search.embedding import shared_embedder
from .search.vectors import Vectors
from .answer.corpus_view import CorpusView
from .answer.reading import Reading

if TYPE_CHECKING:
    from .answer.dialogue import Anchor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildStats:
    reports: int
    passages: int
    facts: int
    embedded: int  # passages newly embedded (the rest came from the cache)
    seconds: float
    warnings: tuple[str, ...]


def build_index(config: Config, embedder=None, progress: Callable[[str, int, int], None] | None = None) -> BuildStats:
    """Parse the corpus, write the store, embed (cached by content) and write FAISS + manifest.

    One build at a time per index folder (a second one waits, then finds its vectors
    cached); a folder that cannot be written gives a StorageError, not a traceback."""
    if not config.corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {config.corpus_dir} does not exist")
    try:
        with build_lock(config.index_dir):
            return _build_index(config, embedder, progress)
    except (OSError, sqlite3.OperationalError) as e:
        if isinstance(e, OSError) and not _write_error(e, config):
            raise
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise StorageError(f"cannot write the index in {config.index_dir}: {why}") from None


def _write_error(e: OSError, config: Config) -> bool:
    """A read-only folder, a full disk, or any failure on a path inside the index folder."""
    if e.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM):
        return True
    try:
        return any(f and Path(f).resolve().is_relative_to(config.index_dir.resolve()) for f in (e.filename, e.filename2))
    except (OSError, RuntimeError, TypeError, ValueError):
        return False


def _discard(version) -> None:
    """A failed build's unfinished folder goes (a killed one's goes at the next build's prune)."""
    versions.discard(version)


def _build_index(config: Config, embedder, progress) -> BuildStats:
    t0 = time.perf_counter()
    problems: list[str] = []
    files = corpus_state(config.corpus_dir)  # before parsing: a file changed meanwhile reads as stale
    parsed = load_corpus(config.corpus_dir, problems)
    passages = build_passages(parsed)
    if embedder is None:
        embedder = shared_embedder(config)
    config.index_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(config.embedding_cache_path)
    try:
        vectors, fresh = embed_passages(passages, embedder, cache, batch=config.batch_size * 2,
                                        progress=(lambda d, n: progress("embedding", d, n)) if progress else None)
    finally:
        cache.close()
    # Everything is written into a new version folder; only the pointer switch makes it current,
    # so a crash at any step leaves the last complete version as it was (rag/search/versions.py).
    version = versions.new_version(config.index_dir)
    try:
        write_store(version.store, parsed, passages)
        write_lexical(version.lexical, passages)
        index = make_index(vectors)
        save_index(index, version.faiss, version.manifest, {
            "model": embedder.name, "dimension": int(vectors.shape[1]), "n_vectors": len(passages),
            "passages_sha": passages_sha(passages), "store_sha256": file_sha256(version.store),
            "reports": {p.report.doc_id: p.report.sha256 for p in parsed},
            "files": files, "parser_sha": parser_sha(), "lexical_sha256": file_sha256(version.lexical)})
        write_text_vectors(config, version, embedder)
        versions.publish(version)
    except BaseException:
        _discard(version)
        raise
    versions.prune(config.index_dir)
    stats = BuildStats(len(parsed), len(passages), sum(len(p.facts) for p in parsed), fresh,
                       time.perf_counter() - t0, tuple(problems) + tuple(str(w) for p in parsed for w in p.warnings))
    log.info("built index: %d reports, %d passages, %d facts, %d embedded in %.1fs",
             stats.reports, stats.passages, stats.facts, stats.embedded, stats.seconds)
    return stats


def index_status(config: Config) -> str:
    """'' when the index matches the corpus, the code and the model, else the reason it does not.

    Reads the manifest and the corpus files' sizes and dates (hashing only files whose
    size or date changed); never parses a report, so it takes the same time at any size."""
    files = config.index_files()
    try:
        m = read_manifest(files.manifest)
    except IndexError_ as e:
        return str(e)
    if m.model != config.model:
        return f"the index was built with {m.model!r}, {config.model!r} is configured"
    if not config.corpus_dir.is_dir():
        return f"the corpus cannot be read: {config.corpus_dir} is not a folder"
    try:
        now = corpus_state(config.corpus_dir, m.files)
    except OSError as e:
        return f"the corpus cannot be read: {e}"
    if now != m.files:
        ids = source_doc_ids(config.corpus_dir)
        def named(names):
            return sorted(ids.get(n, n) for n in names)
        added = named(n for n in now if n not in m.files)
        changed = named(n for n in now if n in m.files and now[n][::2] != m.files[n][::2])
        removed = named(n for n in m.files if n not in now)
        if added or changed or removed:
            return f"the corpus changed (added {added}, changed {changed}, removed {removed})"
    if m.parser_sha != parser_sha():
        return "the parsing, chunking or lexical code changed since the index was built"
    for path in (files.store, files.faiss, files.lexical):
        if not path.exists():
            return f"{path.name} is missing"
    return ""


def write_text_vectors(config: Config, version: versions.IndexFiles, embedder) -> int:
    """Embed every row label and report sentence the answer path compares questions with into the
    version's vectors.npz (through the shared embedding cache, so a rebuild embeds only new texts):
    questions then read them and never write. Returns how many texts it holds."""
    from .answer.evidence import answer_texts
    from .search.vectors import embed_texts, save_text_vectors, text_sha

    engine = Engine(config, embedder, files=version)
    items = {text_sha(kind, t): t for kind, texts in answer_texts(engine).items() for t in texts}
    engine.store.close()
    cache = EmbeddingCache(config.embedding_cache_path)
    try:
        vectors = embed_texts(items, embedder, cache, batch=config.batch_size * 2)
    finally:
        cache.close()
    save_text_vectors(version.vectors, vectors, embedder.dimension)
    log.info("label and sentence vectors: %d texts", len(items))
    return len(items)


class Engine:
    """A loaded index: passages, facts, BM25, FAISS, and a lazily loaded embedder."""

    def __init__(self, config: Config, embedder=None, files: versions.IndexFiles | None = None):
        self.config = config
        # one version, whatever a build switches meanwhile (a build passes the version it writes)
        files = self.files = files or config.index_files()
        manifest = read_manifest(files.manifest)
        self.store = Store(files.store)
        self.index = load_index(files.faiss, manifest, config.model if embedder is None else embedder.name,
                                files.store)
        self.passages = self.store.passages()
        if len(self.passages) != manifest.n_vectors:
            raise IndexMismatch("the store and the FAISS index hold different passage counts; rebuild")
        self.reports: dict[str, Report] = {r.doc_id: r for r in self.store.reports()}
        if not files.lexical.exists():
            raise IndexMissing(f"no lexical index at {files.lexical}; run `python -m rag build`")
        if file_sha256(files.lexical) != manifest.lexical_sha256:
            raise IndexMismatch(f"{files.lexical.name} does not match the index manifest; rebuild")
        try:
            self.bm25, tables = load_bm25(files.lexical)
        except ValueError as e:
            raise IndexMismatch(f"{e}; rebuild") from None
        if self.bm25.n_docs != len(self.passages):
            raise IndexMismatch(f"{files.lexical.name} indexes {self.bm25.n_docs} passages, not "
                                f"{len(self.passages)}; rebuild")
        # the corpus as the answer path reads it (the idf was computed at build time), and its vectors
        self.view = CorpusView(self.passages, self.reports, self.bm25, self.store.facts, tables.get("idf"))
        self.vectors = Vectors(self.index, files.vectors, lambda: shared_embedder(config), embedder)
        self.kommuner = self.view.kommuner
        self._chat = None
        self._scorer = None
        self._speller = None
        self._anchors: dict[tuple[str, ...], Anchor | None] = {}  # earlier turns -> what the last answer was about
        self.manifest = manifest

    @property
    def facts(self) -> list:
        return self.view.facts

    @property
    def embedder(self):
        return self.vectors.embedder

    @property
    def scorer(self):
        """The fitted evidence scorer (rag/data/scorer.json unless configured otherwise)."""
        if self._scorer is None:
            from .answer.score import load_scorer

            self._scorer = load_scorer(self.config.scorer_path)
        return self._scorer

    def analyse(self, question: str) -> QuestionAnalysis:
        return self.read(question)[0]

    def read(self, question: str) -> tuple[QuestionAnalysis, tuple[tuple[str, str], ...]]:
        """The question's analysis, read with its typos corrected, and the (typo, word) pairs."""
        text, fixes = self.spelling(check_question(question, self.config.max_question_chars))
        return analyse(text, self.kommuner, self.bm25.vocab), fixes

    def spelling(self, question: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The question with words the reports never use read as the report words they misspell
        (Swedish questions only: an English word is no typo of a Swedish one)."""
        from .answer.spelling import question_speller

        if looks_english(question):
            return question, ()
        if self._speller is None:
            self._speller = question_speller([p.text for p in self.passages])
        speller = self._speller
        vocab = self.bm25.vocab

        def known(word: str) -> bool:
            # a compound of corpus words is no typo; parts whose stems are three letters or fewer
            # ("verk" + "asmhet", stem "asm") are how a typo splits, not how a compound does
            parts = split_compound(word, vocab)
            return stem(word) in vocab or (bool(parts) and all(len(stem(p)) >= 4 for p in parts)) \
                or LEXICON.names_comparison(word)

        return speller.correct(question, known)

    def search(self, question: str, k: int = 5, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
               mode: str = "hybrid") -> list[Hit]:
        """The top-k passages; in hybrid mode the fitted scorer's ranking of table rows and sentences'
        passages (the evidence answers are built from) comes first, then BM25 and dense fused."""
        return self._search(self.analyse(question), k, kommuner, doc_ids, mode)

    def search_reading(self, reading: Reading, k: int = 5, kommuner: tuple[str, ...] = (),
                       doc_ids: tuple[str, ...] = (), mode: str = "hybrid") -> list[Hit]:
        """The top-k passages for a question as `read_question` read it. A follow-up is searched as its
        reading (a report type carried over dropped where the kommun has none, which the resolved text
        alone would refuse), the last answer's rows kept among the evidence as its answer keeps them; a
        question read without the chat is searched as `search` searches it."""
        if not reading.used_history:
            return self.search(reading.asked, k, kommuner, doc_ids, mode)
        return self._search(reading.analysis, k, kommuner, doc_ids, mode, reading.anchor)

    def _search(self, a: QuestionAnalysis, k: int, kommuner: tuple[str, ...], doc_ids: tuple[str, ...], mode: str,
                anchor: Anchor | None = None) -> list[Hit]:
        hits = hybrid_search(a.text, a, self.passages, self.reports, self.bm25,
                             None if mode == "bm25" else self.vectors.dense, k=k, candidates=self.config.candidates,
                             rrf_k=self.config.rrf_k, kommuner=kommuner, doc_ids=doc_ids, mode=mode)
        if mode != "hybrid":
            return hits
        from .answer.evidence import evidence_ranking

        ranked = evidence_ranking(self, a, kommuner, doc_ids, anchor=anchor)
        seen = {pid for pid, _ in ranked[:k]}
        out = [Hit(self.passages[pid], p, 0, (("scorer", i + 1),)) for i, (pid, p) in enumerate(ranked[:k])]
        out += [h for h in hits if h.passage.id not in seen]
        return [dataclasses.replace(h, rank=i + 1) for i, h in enumerate(out[:k])]

    def read_question(self, question: str, history: tuple[str, ...] = ()) -> Reading:
        """The one way a question is read (the app and the cross-validation read it here too)."""
        from .answer.reading import read_question

        if not isinstance(question, str):
            check_question(question)  # raises, naming the type
        reading = read_question(question, tuple(history), self.reports, self.read)
        if reading.used_history and self.config.dialogue_turns > 0:
            anchor = self._last_answer_anchor(tuple(history))
            if anchor is not None:
                anchor = dataclasses.replace(anchor, change=reading.resolved.kind)
            reading = dataclasses.replace(reading, anchor=anchor)
        return reading

    def _last_answer_anchor(self, history: tuple[str, ...]):
        """What the chat's last answer with table figures was about (its fact rows): a turn answered
        in the reports' words or refused passes to the one before ("Vad är KPB?" between a question
        and "Vad kostade den åldersgruppen?"); at most `dialogue_turns` back, as a subject older than
        that has been replaced or restated. Where no turn in reach has figures, the passages the
        last answer quoted."""
        from .answer.reading import is_question_text

        history = tuple(h for h in history if is_question_text(h))[-self.config.dialogue_turns:]
        said = None  # the last turn's quoted passages, when no turn in reach has table figures
        for end in range(len(history), 0, -1):
            anchor = self._turn_anchor(history[:end])
            if anchor is not None and anchor.rows:
                return anchor
            if end == len(history):
                said = anchor
        return said

    def _turn_anchor(self, turns: tuple[str, ...]):
        """The anchor of the last of `turns`, answered with the turns before it as its history."""
        from .answer.dialogue import anchor_of

        if turns not in self._anchors:
            try:
                last = self.ask(turns[-1], history=turns[:-1])
            except RagError:  # an earlier turn that cannot be answered anchors nothing
                last = None
            self._anchors[turns] = anchor_of(last, self.view) if last is not None else None
            while len(self._anchors) > 256:  # a long session's chats: the oldest go first
                self._anchors.pop(next(iter(self._anchors)))
        return self._anchors[turns]

    def ask(self, question: str, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = (),
            history: tuple[str, ...] = ()) -> Answer:
        """Answer `question`, read as a follow-up of `history` (earlier questions, oldest first)."""
        from .answer.compose import answer_question

        reading = self.read_question(question, history)
        a, fixes, resolved = reading.analysis, reading.fixes, reading.resolved
        answer = answer_question(self, a, kommuner=kommuner, doc_ids=doc_ids, anchor=reading.anchor)
        if fixes:  # say which words were read as other words, so a misreading is seen (after the answer,
            # which opens with its figure)
            read = ", ".join(f"«{typo}» som «{word}»" for typo, word in fixes)
            answer = dataclasses.replace(answer, answer=f"{answer.answer}\n\n(Frågan lästes med {read}.)")
        if self.config.llm_base_url:
            from .answer.llm import chat_model_from_config, rewrite

            if self._chat is None:
                self._chat = chat_model_from_config(self.config)
            answer = rewrite(answer, self._chat)
        if resolved.used_history:  # say how the follow-up was read; the answer belongs to the asked question
            answer = dataclasses.replace(answer, question=question,
                                         answer=f"{resolved.reading}\n\n{answer.answer}" if resolved.reading
                                         else answer.answer,
                                         read_as=resolved.question if resolved.reading else "")
        return answer


def open_engine(config: Config, embedder=None, build_if_needed: bool = True,
                progress: Callable[[str, int, int], None] | None = None) -> Engine:
    """Load the index, (re)building it first when it is missing or stale (without
    `build_if_needed`, a stale index answers as it is, with a warning).

    While another build holds the folder, or when the rebuild cannot write it (read-only,
    disk full), the last complete index answers instead, with a warning."""
    reason = index_status(config)
    if reason:
        if not build_if_needed:  # answering never builds: a stale but complete index still answers
            if engine := _last_complete(config, embedder, f"the index is stale: {reason}"):
                return engine
            raise IndexMissing(reason)
        if build_running(config.index_dir) and (engine := _last_complete(config, embedder, "a build is running")):
            return engine
        log.info("building the index: %s", reason)
        try:
            build_index(config, embedder, progress)
        except StorageError as e:
            if engine := _last_complete(config, embedder, str(e)):
                return engine
            raise
    try:
        return Engine(config, embedder)
    except IndexMismatch as e:
        if not build_if_needed:
            raise
        log.warning("rebuilding the index: %s", e)
        build_index(config, embedder, progress)
        return Engine(config, embedder)


def _last_complete(config: Config, embedder, why: str) -> Engine | None:
    """The last complete index when a rebuild cannot run now, or None when there is none."""
    try:
        engine = Engine(config, embedder)
    except IndexError_:
        return None
    log.warning("answering from the last complete index (%s)", why)
    return engine
