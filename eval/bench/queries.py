"""ask and search latency with the models warm, and hybrid hit@5 on the answerable questions."""
from __future__ import annotations

import time

from rag.errors import QuestionError

from .measure import pct, timed

REPEATS = 2  # passes over the question set for in-process latencies


def safe_ask(engine, question: str):
    try:
        return engine.ask(question)
    except QuestionError:
        return None


def bench_queries(engine, questions: list[dict], repeats: int = REPEATS, warm_sentences: bool = True) -> dict:
    """ask and search latency with the models warm, and hybrid hit@5 on the answerable questions.

    With `warm_sentences`, each question is first asked once with the report sentences not yet
    embedded (what a question costs before the app's background warm-up has run), then the
    sentences are warmed as the app does, then the timed rounds run."""
    from eval.questions import evidence_in

    safe_ask(engine, questions[0]["question"])  # warm-up: model, caches
    engine.search(questions[0]["question"], k=5)
    extra = first_asks(engine, questions) if warm_sentences else {}
    ask, search = [], []
    for _ in range(repeats):
        for q in questions:
            ask.append(timed(safe_ask, engine, q["question"]))
            search.append(timed(engine.search, q["question"], k=5))
    answerable = [q for q in questions if not q.get("refuse")]
    hits = sum(evidence_in(q, [h.passage.text for h in engine.search(q["question"], k=5)]) for q in answerable)
    return {"ask": pct(ask), "search": pct(search), "hit_at_5": round(hits / len(answerable), 3),
            "answerable": len(answerable), **extra}


def first_asks(engine, questions: list[dict]) -> dict:
    """Each question but the warm-up one asked once before its report sentences are embedded, then
    the sentences warmed as the app does after loading."""
    from rag.answer.evidence import warm_sentence_vectors

    first = [timed(safe_ask, engine, q["question"]) for q in questions[1:]]
    t0 = time.perf_counter()
    n = warm_sentence_vectors(engine)
    return {"ask_first": pct(first), "sentence_warm_s": round(time.perf_counter() - t0, 2), "sentences_warmed": n}
