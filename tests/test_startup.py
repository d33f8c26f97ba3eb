"""Start-up that does not grow with the corpus: the lexical index is persisted at build
time and loaded as it was built, staleness comes from the manifest's file sizes, dates
and hashes (no report is parsed), and the passage filters are precomputed columns."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from rag import engine as pipeline
from rag.answer.question import analyse
from rag.config import FAKE_MODEL, Config
from rag.search.embedding import FakeEmbedder
from rag.errors import IndexMismatch
from rag.search import lexical
from rag.search.lexical import build_bm25, bm25_scores, expand_query, load_bm25, save_bm25
from rag.engine import Engine, build_index, index_status, open_engine
from rag.search.retrieval import allowed_mask

QUESTIONS = ["Hur stor var sjukfrånvaron i Solna 2023?", "Varför ökade kostnaderna för HVB-placeringar?",
             "försörjningsstöd hushåll Eskilstuna", "köpt vård prognos helår"]


@pytest.fixture
def built(tmp_path, corpus_copy):
    cfg = Config(corpus_dir=corpus_copy, index_dir=tmp_path / "index", model=FAKE_MODEL)
    build_index(cfg, FakeEmbedder())
    return cfg


def test_bm25_round_trip_scores_the_same(tmp_path, parsed):
    from rag.ingest.chunking import build_passages

    texts = [p.index_text for p in build_passages(parsed)]
    built_now = build_bm25(texts)
    save_bm25(built_now, tmp_path / "lex.npz", {"idf": {"a": 1.5, "§3": 0.25}})
    loaded, tables = load_bm25(tmp_path / "lex.npz")
    assert tables == {"idf": {"a": 1.5, "§3": 0.25}}
    assert loaded.vocab == built_now.vocab and loaded.n_docs == built_now.n_docs
    assert set(loaded.postings) == set(built_now.postings)
    for q in QUESTIONS:
        query = expand_query(q, built_now.vocab)
        assert np.array_equal(bm25_scores(loaded, query), bm25_scores(built_now, query))


def test_a_damaged_lexical_file_is_refused_and_rebuilt(built):
    path = built.lexical_path
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexMismatch, match="lexical.npz"):
        Engine(built, FakeEmbedder())
    assert len(open_engine(built, FakeEmbedder()).passages) > 500


def test_engine_loads_without_rebuilding_bm25_or_parsing(built, monkeypatch):
    fresh = Engine(built, FakeEmbedder())
    expected = {q: [h.passage.id for h in fresh.search(q)] for q in QUESTIONS}

    def boom(*a, **k):
        raise AssertionError("called at start-up")

    monkeypatch.setattr(lexical, "build_bm25", boom)
    monkeypatch.setattr(pipeline, "load_corpus", boom)
    monkeypatch.setattr(pipeline, "build_passages", boom)
    assert index_status(built) == ""
    engine = open_engine(built, FakeEmbedder(), build_if_needed=False)
    assert {q: [h.passage.id for h in engine.search(q)] for q in QUESTIONS} == expected


def test_staleness_from_file_sizes_dates_and_hashes(built):
    corpus = built.corpus_dir
    entry = json.loads((corpus / "manifest.json").read_text())["reports"][2]
    path = corpus / entry["source"]
    # A new date alone (same bytes) is not a change.
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert index_status(built) == ""
    # Same size, one byte different: the hash finds it, named by doc_id.
    data = bytearray(path.read_bytes())
    i = data.index(b"a")
    data[i:i + 1] = b"e"
    path.write_bytes(bytes(data))
    assert index_status(built) == f"the corpus changed (added [], changed ['{entry['doc_id']}'], removed [])"
    build_index(built, FakeEmbedder())
    assert index_status(built) == ""
    (corpus / "extra.txt").write_text("Solna stad\nNy rapport", encoding="utf-8")
    assert "added ['extra.txt']" in index_status(built)


def test_a_changed_parser_makes_the_index_stale(built, monkeypatch):
    monkeypatch.setattr(pipeline, "parser_sha", lambda: "0" * 64)
    assert "code changed" in index_status(built)


def test_allowed_mask_columns_match_a_plain_loop(fake_engine):
    passages, reports = fake_engine.passages, fake_engine.reports
    docs = sorted(reports)
    for q in ("Hur mycket i Solna?", "Hur mycket?", "Enköping och Solna 2023"):
        a = analyse(q, fake_engine.kommuner)
        for kommuner in ((), ("Solna",), ("huddinge", "Enköping"), ("Okänd",)):
            for doc_ids in ((), (docs[0],), (docs[1], docs[3]), ("nope",)):
                want_k = {k.lower() for k in (kommuner or a.kommuner)}
                loop = np.array([(not want_k or p.kommun.lower() in want_k)
                                 and (not doc_ids or bool({loc.doc_id for loc in p.locations} & set(doc_ids)))
                                 for p in passages])
                assert np.array_equal(allowed_mask(passages, reports, a, kommuner, doc_ids), loop)
