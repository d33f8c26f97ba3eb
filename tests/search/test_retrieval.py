"""Lexical pieces, fusion and filters as pure functions."""
from __future__ import annotations

from rag.answer.question import analyse
from rag.search.lexical import build_bm25, bm25_scores, canon_terms, expand_query, split_compound, stem
from rag.search.retrieval import rrf, sentences
from tests.search.recording import RecordingEmbedder


def test_rrf_sums_reciprocal_ranks_and_keeps_sources():
    fused = rrf({"bm25": [3, 1, 2], "dense": [1, 4]}, k=60)
    assert [pid for pid, _, _ in fused] == [1, 3, 4, 2]
    assert fused[0][1] == 1 / 62 + 1 / 61
    assert fused[0][2] == (("bm25", 2), ("dense", 1))


def test_swedish_stems_compounds_and_synonyms():
    vocab = frozenset(stem(w) for w in ["familjerådgivning", "samtal", "institution", "vård", "placering"])
    assert split_compound("familjerådgivningssamtal", vocab) == ("familjerådgivnings", "samtal")
    assert stem("prognos") == stem("prognosen") and stem("sjukfrånvaron") == stem("sjukfrånvaro")
    assert canon_terms("kostnaderna för köpt vård") [-1] == canon_terms("Köp av verksamhet")[0]
    # "the total" in a question is a table's "Summa" / "Totalt" row
    assert canon_terms("totala intäkter")[0] == canon_terms("Summa intäkter")[0] == canon_terms("Totalt")[0]
    q = expand_query("Vad kostar en HVB-placering?")
    assert q[stem("hvb")] == 1.0 and q[stem("boende")] == 0.5


def test_a_coordinated_compound_reads_as_the_phrase_it_abbreviates():
    """"barn- och ungdomsverksamheten" is the synonym phrase "barn och ungdom" and then "verksamheten":
    it matches a row labelled `Barn och ungdom`; a phrase written out wins over one ending in a compound."""
    vocab = frozenset(stem(w) for w in ["ungdom", "verksamhet", "vård", "familj", "omsorg"])
    label = canon_terms("Barn och ungdom", vocab)
    asked = canon_terms("barn- och ungdomsverksamheten", vocab)
    assert asked[0] == label[0] and stem("verksamheten") in asked
    assert canon_terms("barn och ungdomsvården", vocab) == label  # a phrase of its own in the lexicon
    assert canon_terms("barn", vocab) != label


def test_bm25_prefers_the_document_with_the_rare_term():
    idx = build_bm25(["kostnader för institutionsvård", "kostnader för ekonomiskt bistånd", "personal och lokaler"])
    scores = bm25_scores(idx, expand_query("ekonomiskt bistånd"))
    assert scores.argmax() == 1 and scores[2] == 0


def test_sentences_split_on_sentences_and_list_items_not_broken_lines():
    text = "Första meningen. Andra meningen om HVB på\n\nbarn- och ungdomssidan.\n- punkt ett\n- punkt två"
    assert [text[a:b] for a, b in sentences(text)] == [
        "Första meningen.", "Andra meningen om HVB på\n\nbarn- och ungdomssidan.", "- punkt ett", "- punkt två"]


def test_question_analysis_reads_kommun_period_and_intent():
    k = {"Enköping", "Solna", "Huddinge", "Eskilstuna"}
    a = analyse("Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?", k)
    assert (a.kommuner, a.years, a.intent, a.direction) == (("Enköping",), (2024,), "why", "down")
    b = analyse("Vilken helårsprognos hade Enköpings socialnämnd i tertialrapporten per april 2024?", k)
    assert b.report_hint == "tertialrapport" and b.months == (4,) and "prognos" in b.period_words
    c = analyse("Hur många platser har Malmö stads skyddade boenden?", k)
    assert c.foreign_kommuner == ("Malmö",) and c.kommuner == ()
    d = analyse("Jämför antalet anställda i Solnas och Huddinges socialförvaltningar.", k)
    assert d.intent == "compare" and d.kommuner == ("Solna", "Huddinge")


def test_search_filters_to_the_named_kommun(fake_engine):
    hits = fake_engine.search("Hur stor var sjukfrånvaron i Solna 2023?", k=8)
    assert hits and all(h.passage.kommun == "Solna" for h in hits)
    all_hits = fake_engine.search("Hur stor var sjukfrånvaron?", k=20)
    assert len({h.passage.kommun for h in all_hits}) > 1


def test_sentence_similarity_reads_each_sentence_once_and_caches_it(fake_config, tmp_path):
    """A pair of sentences is the normalised mean of its sentences' vectors (an oracle in numpy),
    and each sentence is embedded once per engine; the reports' own sentences come from the build,
    and a sentence the build did not see is embedded in memory only (answering never writes)."""
    import numpy as np

    from rag.search.embedding import FakeEmbedder
    from rag.answer.evidence import sentence_similarity
    from rag.engine import open_engine


    cfg = fake_config.replace(cache_dir=tmp_path / "cache")
    one, two = "Kostnaderna för placeringar minskade.", "Det beror på färre vårddygn i HVB."
    texts = [one, two, f"{one} {two}"]
    first = RecordingEmbedder()
    engine = open_engine(cfg, embedder=first)
    q = first.embed(["varför minskade kostnaderna för placeringar"], query=True)[0]
    got = sentence_similarity(engine.vectors, q, texts)
    v = FakeEmbedder().embed([one, two])
    mean = v.mean(axis=0) / np.linalg.norm(v.mean(axis=0))
    assert np.allclose(got, [v[0] @ q, v[1] @ q, mean @ q], atol=1e-5)
    assert sorted(first.texts) == sorted([one, two])

    assert np.allclose(sentence_similarity(engine.vectors, q, texts), got, atol=1e-5)
    assert sorted(first.texts) == sorted([one, two])  # remembered by the engine
    from rag.answer.evidence import answer_texts

    again = RecordingEmbedder()
    fresh = open_engine(cfg, embedder=again)
    assert np.allclose(sentence_similarity(fresh.vectors, q, texts), got, atol=1e-5)
    assert sorted(again.texts) == sorted([one, two])  # not stored by the first engine
    sentence_similarity(fresh.vectors, q, answer_texts(fresh)["sentence"][:20])
    assert sorted(again.texts) == sorted([one, two])  # the reports' sentences come from the build


def test_warmed_sentences_need_no_embedding_at_answer_time(fake_config, tmp_path):
    """After the background warm-up, the sentences of a question's candidates are all at hand."""
    from rag.answer.evidence import gather, row_label_vectors, warm_sentence_vectors
    from rag.engine import open_engine

    embedder = RecordingEmbedder()
    engine = open_engine(fake_config.replace(cache_dir=tmp_path / "cache"), embedder=embedder)
    assert warm_sentence_vectors(engine) > 100
    row_label_vectors(engine)  # the row labels are embedded on first use too; not what this counts
    before = len(embedder.texts)
    ev = gather(engine, engine.analyse("Varför ökade kostnaderna för ekonomiskt bistånd i Huddinge?"))
    assert any(c.kind == "sentence" for c in ev.candidates)
    assert len(embedder.texts) == before
