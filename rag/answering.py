"""Compose a cited Swedish answer from table facts and report sentences.

There is no generative model: the lead sentence is built from the looked-up
facts, the explanation is the reports' own sentences, each ending in `[n]`.
Before returning, every number in the answer is checked against the cited
texts (and the differences computed from cited facts); a line that fails is
dropped. When the evidence is too weak the answer is a refusal that says
what the reports do cover.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass

from .analysis import QuestionAnalysis
from .lexical import canon_terms, canon_units, split_compound, stem, words
from .models import Answer, Citation, Fact, Hit, Passage, Report
from .numbers import find_numbers, format_sv, same_value
from .retrieval import hybrid_search, sentences
from .tablelookup import (FactRow, best_rows, cached_terms, column_info, group_rows, matched, pick_columns,
                          topic_units, unit_weight)

log = logging.getLogger(__name__)

CAUSAL = re.compile(r"\b(beror|berodde|på grund av|förklaras|till följd av|ett led i|orsak\w*|eftersom|"
                    r"därför|med anledning av|medför\w*|resulterar|vilket (?:innebär|leder)|då det|"
                    r"minskning\w*|ökning\w*|minskat|ökat|effekt\w*|främsta|bidragit)\b", re.I)
STRONG_CAUSE = re.compile(r"\b(beror (?:främst |till stor del |i huvudsak )?på|berodde på|förklaras (?:främst |i huvudsak )?av|"
                          r"på grund av|till följd av|orsaken|anledningen|ett led i|vilket (?:i huvudsak )?förklaras)\b", re.I)
MAX_SENTENCES = 3
MIN_SENTENCE_SCORE = 0.45


@dataclass(frozen=True)
class Line:
    text: str
    cites: tuple[int, ...]  # keys into the citation list (passage ids or fact rows)
    computed: tuple[float, ...] = ()


def _cached(engine, name: str, build):
    """Per-engine derived data (idf, fact rows, vocabularies), built on first use."""
    cache = engine.__dict__.setdefault("_derived", {})
    if name not in cache:
        cache[name] = build()
    return cache[name]


def engine_idf(engine) -> dict[str, float]:
    """Inverse document frequency of canonical terms (stems and synonym-group tokens)."""
    def build():
        df: Counter[str] = Counter()
        for p in engine.passages:
            df.update(set(canon_terms(p.index_text, engine.bm25.vocab)))
        n = max(1, len(engine.passages))
        return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    return _cached(engine, "idf", build)


def fact_rows(engine) -> list[FactRow]:
    return _cached(engine, "rows", lambda: group_rows(engine.facts))


def _kommun_words(engine) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    """Per kommun: its surface words and its adjacent word-stem pairs."""
    def build():
        out: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}
        for p in engine.passages:
            ws = words(p.index_text)
            vocab, pairs = out.setdefault(p.kommun, (set(), set()))
            vocab.update(ws)
            pairs.update(zip(map(stem, ws), map(stem, ws[1:])))
        return out
    return _cached(engine, "kommun_words", build)


# --- refusal ------------------------------------------------------------------

def coverage_summary(reports: dict[str, Report]) -> str:
    by_k: dict[str, list[str]] = {}
    for r in sorted(reports.values(), key=lambda r: (r.kommun, r.period_end)):
        by_k.setdefault(r.kommun, []).append(f"{r.title} ({r.period_end})")
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in by_k.items())


def refusal_reason(engine, a: QuestionAnalysis, kommuner: set[str]) -> str:
    """Why the reports cannot answer, or '' when they might."""
    if a.foreign_kommuner and not a.kommuner:
        return f"rapporterna gäller inte {', '.join(a.foreign_kommuner)}"
    scope = [r for r in engine.reports.values() if not kommuner or r.kommun in kommuner]
    if not scope:
        return "inga rapporter finns för det urvalet"
    known_years = {int(r.period_end[:4]) for r in scope} | {int(r.period_end[:4]) - 1 for r in scope}
    kw = _kommun_words(engine)
    all_words, all_pairs = _cached(engine, "all_words", lambda: (set().union(*(v for v, _ in kw.values())),
                                                                 set().union(*(p for _, p in kw.values()))))
    for y in a.years:
        if y not in known_years and not any(str(y) in v for k, (v, _) in kw.items() if not kommuner or k in kommuner):
            return f"rapporterna säger inget om {y}"
    if kommuner:
        in_scope = [kw[k] for k in kommuner if k in kw]
        scope_words, scope_pairs = set().union(*(v for v, _ in in_scope)), set().union(*(p for _, p in in_scope))
    else:
        scope_words, scope_pairs = all_words, all_pairs
    for w in a.topic_words:
        # Only specific nouns can show a question is off the reports' subject; verb forms cannot.
        if len(w) < 7 or re.search(r"(ar|er|or|ade|ades|ats|ande|ende|it|at|ts)$", w) \
                or (a.english and not re.search(r"[åäö]", w)):
            continue
        if _present(w, scope_words, engine.bm25.vocab, scope_pairs):
            continue
        if _present(w, all_words, engine.bm25.vocab, all_pairs):
            where = ", ".join(sorted(kommuner)) if kommuner else "rapporterna"
            return f"{where} nämner inte {w!r}"
    return ""


def _present(word: str, vocabulary: set[str], stems, pairs: set[tuple[str, str]]) -> bool:
    """Whether a word occurs in any inflection (same first letters), or as its compound
    parts written apart (`vårddygn` as `vård dygn`)."""
    prefix = word[:max(5, len(word) - 3)]
    if any(v.startswith(prefix) for v in vocabulary):
        return True
    parts = split_compound(word, stems)
    return len(parts) == 2 and (stem(parts[0]), stem(parts[1])) in pairs


# --- sentences -----------------------------------------------------------------

def _sentence_score(text: str, query: list[tuple[tuple, float]], idf: dict[str, float], vocab,
                    a: QuestionAnalysis) -> float:
    total = sum(unit_weight(u, idf) * w for u, w in query) or 1.0
    have = cached_terms(text, vocab)
    s = sum(unit_weight(u, idf) * w * matched(u, have) for u, w in query) / total
    low = text.lower()
    if a.intent == "why" and CAUSAL.search(low):
        s += 0.25
    if a.intent in ("lookup", "trend", "compare") and find_numbers(re.sub(r"\b(19|20)\d\d\b", "", text)):
        s += 0.15
    if a.direction == "down" and re.search(r"minsk|lägre|färre|överskott", low):
        s += 0.1
    if a.direction == "up" and re.search(r"ök|högre|fler|underskott", low):
        s += 0.1
    if a.years and any(str(y) in text for y in a.years):
        s += 0.05
    return s


def sentence_query(a: QuestionAnalysis, vocab) -> list[tuple[tuple, float]]:
    q = [(u, 1.0) for u in topic_units(a, vocab)]
    q += [(u, 0.5) for u in canon_units(" ".join(a.period_terms), vocab)]
    return q or [(u, 1.0) for u in canon_units(a.text, vocab)]


def pick_sentences(hits: list[Hit], a: QuestionAnalysis, idf, vocab, limit: int = MAX_SENTENCES
                   ) -> list[tuple[float, Passage, str]]:
    """The best sentences (or sentence pairs, when the second leans on the first) from the hits."""
    query = sentence_query(a, vocab)
    total = sum(unit_weight(u, idf) * w for u, w in query) or 1.0

    def heading_cover(p: Passage) -> float:
        head = cached_terms(p.section.split(" > ")[-1], vocab)
        return sum(unit_weight(u, idf) * w * matched(u, head) for u, w in query) / total

    topic = [u for u, w in query if w == 1.0]
    topic_total = sum(unit_weight(u, idf) for u in topic) or 1.0

    def on_topic(text: str, p: Passage) -> bool:
        """Some of the question's own topic is in the sentence or its heading (bonuses aside)."""
        if not topic:
            return True
        have = cached_terms(text, vocab) | cached_terms(p.section.split(" > ")[-1], vocab)
        credit = [matched(u, have) for u in topic]  # a compound's first part alone (0.4) is not the topic
        return sum(unit_weight(u, idf) * c for u, c in zip(topic, credit) if c >= 0.6) / topic_total >= 0.3

    found: list[tuple[float, int, int, Passage, str]] = []
    for h in hits:
        if h.passage.kind != "text":
            continue
        text = h.passage.text
        spans = [sp for sp in sentences(text) if len(words(text[sp[0]:sp[1]])) >= 4]
        bonus = 0.1 / h.rank + 0.25 * heading_cover(h.passage)
        for i, (s0, s1) in enumerate(spans):
            sent = text[s0:s1].strip()
            score = _sentence_score(sent, query, idf, vocab, a) + bonus
            if a.intent == "list" and sent.endswith(":") and i + 1 < len(spans):
                found.append((score + 0.2, h.rank, s0, h.passage, text[s0:spans[-1][1]].strip()))
                continue
            found.append((score, h.rank, s0, h.passage, sent))
            if i + 1 < len(spans):  # a pair: "… Joar Socia …. Hittills har 15 deltagare lyckats med detta."
                pair = text[s0:spans[i + 1][1]].strip()
                if len(pair) <= 600:
                    found.append((_sentence_score(pair, query, idf, vocab, a) + bonus - 0.12, h.rank, s0, h.passage, pair))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    out: list[tuple[float, int, Passage, str]] = []
    seen: list[set[str]] = []
    per_passage: dict[int, int] = {}
    for score, _, pos, p, sent in found:
        if score < MIN_SENTENCE_SCORE or len(out) >= limit:
            break
        if not on_topic(sent, p):
            continue
        key = set(words(sent))
        if any(len(key & k) / max(1, min(len(key), len(k))) > 0.6 for k in seen):
            continue
        if per_passage.get(p.id, 0) >= 2:
            continue
        seen.append(key)
        per_passage[p.id] = per_passage.get(p.id, 0) + 1
        out.append((score, pos, p, sent))
    if a.intent == "why":  # a topical sentence brings the cause the report gives right after it
        for _, pos, p, sent in list(out):
            text = p.text
            for s0, s1 in sentences(text):
                if s0 <= pos or s0 > pos + len(sent) + 400:
                    continue
                cand = text[s0:s1].strip()
                if STRONG_CAUSE.search(cand) and not any(cand in o[3] or o[3] in cand for o in out):
                    out.append((0.0, s0, p, cand))
                    break
    # Keep the report's own order within a passage, so a cause follows what it explains.
    ranked_passages = list(dict.fromkeys(p.id for _, _, p, _ in out))
    out.sort(key=lambda t: (ranked_passages.index(t[2].id), t[1]))
    return [(score, p, sent) for score, _, p, sent in out]


# --- composition ---------------------------------------------------------------

def _value(f: Fact) -> str:
    unit = "" if f.unit in ("", "antal") else (f.unit if f.unit == "%" else " " + f.unit)
    return f"{f.raw.replace(' %', '').replace('%', '').strip()}{unit}" if f.unit == "%" else f"{f.raw.strip(' *')}{unit}"


def fact_sentence(row: FactRow, chosen: list[Fact], report: Report) -> tuple[str, tuple[float, ...]]:
    f0 = chosen[0]
    what = f0.row if not re.fullmatch(r"(19|20)\d\d", f0.row.strip()) else f"{f0.caption}, {f0.row}"
    parts = [f"{f.column}: {_value(f)}" for f in chosen]
    text = f"{what} ({f0.table}) – " + "; ".join(parts)
    computed: tuple[float, ...] = ()
    kinds = [column_info(f.column).kind for f in chosen]
    if len(chosen) == 2 and kinds == ["utfall", "utfall"] and chosen[0].unit == chosen[1].unit and chosen[0].unit != "%":
        diff = round(abs(chosen[0].value) - abs(chosen[1].value), 3)
        if chosen[1].value:
            pct = round(100 * diff / abs(chosen[1].value))
            text += f" (förändring {format_sv(diff, 1 if not float(diff).is_integer() else 0)}" \
                    f"{'' if f0.unit in ('', 'antal') else ' ' + f0.unit}, {pct:+d} %)".replace("+", "+")
            computed = (diff, float(pct))
    return text, computed


def _cite_passage(p: Passage, reports: dict[str, Report], n: int) -> Citation:
    loc = p.locations[0]
    r = reports[loc.doc_id]
    return Citation(n, "passage", loc.doc_id, r.kommun, r.title, r.period_end, loc.section, p.text, loc.start_line)


def _cite_row(row: FactRow, reports: dict[str, Report], n: int) -> Citation:
    f = row.first
    r = reports[row.doc_id]
    return Citation(n, "table", row.doc_id, r.kommun, r.title, r.period_end, f.section, f.citation_text, f.line)


def _allowed_numbers(citations: list[Citation], computed: list[float]) -> list[float]:
    vals = [n.value for c in citations for n in find_numbers(c.text)]
    vals += [n.value for c in citations for n in find_numbers(f"{c.report} {c.period} {c.section}")]
    return vals + list(computed)


def check_numbers(line: str, allowed: list[float]) -> list[str]:
    """Numbers in a line that no cited text or computed difference holds."""
    body = re.sub(r"\[\d+\]", "", line)
    return [n.text for n in find_numbers(body) if not any(same_value(n.value, v) for v in allowed)]


def answer_question(engine, a: QuestionAnalysis, kommuner: tuple[str, ...] = (), doc_ids: tuple[str, ...] = ()
                    ) -> Answer:
    reports = engine.reports
    scope = set(kommuner) if kommuner else set(a.kommuner)
    reason = refusal_reason(engine, a, scope)
    if reason:
        return refuse(a, reports, reason)
    idf, vocab = engine_idf(engine), engine.bm25.vocab
    hits = hybrid_search(a.text, a, engine.passages, reports, engine.bm25, engine.dense,
                         k=engine.config.evidence_k, candidates=engine.config.candidates,
                         rrf_k=engine.config.rrf_k, kommuner=tuple(scope), doc_ids=doc_ids, kinds=("text",))
    if not hits:
        return refuse(a, reports, "inget i rapporterna matchar frågan")
    # Which kommuner to answer for: those named, else every kommun with strong evidence.
    if scope:
        targets = [k for k in (kommuner or a.kommuner)]
    else:
        targets = []
        for h in hits:
            if h.passage.kommun not in targets:
                targets.append(h.passage.kommun)
    rows = fact_rows(engine)
    sections_out: list[tuple[str, list[Line]]] = []
    cite_keys: list[tuple[str, object]] = []  # ("p", Passage) | ("r", FactRow)
    facts_out: list[Fact] = []
    computed: list[float] = []

    def key_of(kind: str, obj) -> int:
        ident = (kind, obj.id if kind == "p" else (obj.doc_id, obj.line))
        for i, (k, o) in enumerate(cite_keys):
            if (k, o.id if k == "p" else (o.doc_id, o.line)) == ident:
                return i
        cite_keys.append((kind, obj))
        return len(cite_keys) - 1

    multi = not scope and len(targets) > 1
    for kommun in targets[:4]:
        k_hits = [h for h in hits if h.passage.kommun == kommun]
        lines: list[Line] = []
        ranked = best_rows(rows, a, reports, idf, vocab, {kommun}, min_score=0.6 if not multi else 0.7)
        if doc_ids:
            ranked = [(s, r) for s, r in ranked if r.doc_id in doc_ids]
        picked = ranked[:1]
        if ranked and a.intent == "compare" and len(targets) == 1:
            # one kommun, several reports (tertial vs delår): the same row from each report
            label = ranked[0][1].label.lower()
            per_doc = {}
            for sc, r in ranked:
                if r.label.lower() == label and r.doc_id not in per_doc:
                    per_doc[r.doc_id] = (sc, r)
            picked = sorted(per_doc.values(), key=lambda t: reports[t[1].doc_id].period_end)
        for _, row in picked:
            chosen = pick_columns(row, a, reports[row.doc_id], vocab)
            if not chosen:
                continue
            text, comp = fact_sentence(row, chosen, reports[row.doc_id])
            if len(picked) > 1:
                text = f"{reports[row.doc_id].title}: {text}"
            lines.append(Line(text, (key_of("r", row),), comp))
            facts_out.extend(chosen)
            computed.extend(comp)
        limit = 2 if multi else (MAX_SENTENCES if not ranked or a.intent in ("why", "list", "trend") else 2)
        for _, p, sent in pick_sentences(k_hits, a, idf, vocab, limit=limit):
            lines.append(Line(sent, (key_of("p", p),)))
        if lines:
            sections_out.append((kommun, lines))
    if not any(lines for _, lines in sections_out):
        return refuse(a, reports, "inget stycke eller tabellrad i rapporterna besvarar frågan tillräckligt säkert")
    # Check every number against the cited texts, then number citations in order of use.
    provisional = [_cite_passage(o, reports, i + 1) if k == "p" else _cite_row(o, reports, i + 1)
                   for i, (k, o) in enumerate(cite_keys)]
    allowed = _allowed_numbers(provisional, computed)
    checked: list[tuple[str, list[Line]]] = []
    for kommun, lines in sections_out:
        kept = []
        for ln in lines:
            bad = check_numbers(ln.text, allowed)
            if bad:
                log.warning("dropping a line with unsupported numbers %s: %s", bad, ln.text)
                continue
            kept.append(ln)
        if kept:
            checked.append((kommun, kept))
    if not checked:
        return refuse(a, reports, "inget i rapporterna kunde beläggas")
    order: dict[int, int] = {}
    for _, lines in checked:
        for ln in lines:
            for c in ln.cites:
                order.setdefault(c, len(order) + 1)
    citations = [dataclasses.replace(provisional[key], n=n) for key, n in sorted(order.items(), key=lambda kv: kv[1])]
    out_lines: list[str] = []
    for kommun, lines in checked:
        docs = sorted({citations[order[c] - 1].report for ln in lines for c in ln.cites})
        head = f"{kommun} ({', '.join(docs)})"
        out_lines.append(f"**{head}**" if len(checked) > 1 else f"Enligt {head}:")
        for ln in lines:
            marker = "".join(f"[{order[c]}]" for c in ln.cites)
            body = re.sub(r"^[-•●*]\s+", "", re.sub(r"\s+", " ", ln.text).strip())  # already a list item
            out_lines.append(f"- {body} {marker}")
    return Answer(a.text, True, "\n".join(out_lines), tuple(citations), tuple(dict.fromkeys(facts_out)))


def refuse(a: QuestionAnalysis, reports: dict[str, Report], reason: str) -> Answer:
    text = (f"Rapporterna säger inte det: {reason}. "
            f"Underlaget omfattar {coverage_summary(reports)}.")
    return Answer(a.text, False, text, (), (), (reason,))
