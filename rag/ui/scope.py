"""The sidebar's choice of kommuner and reports against what a question names. No Streamlit."""
from __future__ import annotations

from dataclasses import dataclass

from rag.kommuner import kommuner_in


@dataclass(frozen=True)
class Scope:
    """What to answer for, and a note when the question overrides the sidebar filter."""

    kommuner: tuple[str, ...]
    doc_ids: tuple[str, ...]
    note: str = ""


def scope_for(question: str, history: tuple[str, ...], engine, kommuner: tuple[str, ...],
              doc_ids: tuple[str, ...]) -> Scope:
    """The filter, unless the question names a kommun or a kind of report outside it: then the
    question wins, and the note says so."""
    resolved = engine.read_question(question, history).resolved
    low = resolved.question.lower()
    named = tuple(k for k in kommuner_in(resolved.question) if k in engine.kommuner)
    types = {r.report_type for r in engine.reports.values() if r.report_type and r.report_type[:-1] in low}
    chosen_docs = [engine.reports[d] for d in doc_ids if d in engine.reports]
    chosen = ", ".join(kommuner) if kommuner else ", ".join(r.label for r in chosen_docs)
    outside = [k for k in named if (kommuner and k not in kommuner)
               or (chosen_docs and k not in {r.kommun for r in chosen_docs})]
    if outside:
        keep_docs = tuple(r.doc_id for r in chosen_docs if r.kommun in named)
        return Scope(named, keep_docs, f"Frågan gäller {' och '.join(outside)}, men urvalet i sidofältet är "
                                       f"{chosen}. Svaret gäller {' och '.join(named)}, som frågan nämner.")
    if types and chosen_docs and not any(r.report_type in types for r in chosen_docs):
        scope = set(named or kommuner or {r.kommun for r in chosen_docs})
        docs = tuple(r.doc_id for r in engine.reports.values() if r.report_type in types and r.kommun in scope)
        if docs:
            return Scope(kommuner, docs, f"Frågan gäller {' och '.join(sorted(types))}en, men urvalet i sidofältet är "
                                         f"{chosen}. Svaret hämtas ur {', '.join(engine.reports[d].label for d in docs)}.")
    return Scope(kommuner, doc_ids)


def filter_caption(engine, kommuner: tuple[str, ...], doc_ids: tuple[str, ...]) -> str:
    """'Urval: alla kommuner och rapporter', or what the sidebar has chosen."""
    if not kommuner and not doc_ids:
        return "Urval: alla kommuner och rapporter"
    parts = list(kommuner) + [engine.reports[d].label for d in doc_ids if d in engine.reports]
    return "Urval: " + ", ".join(parts) + " (ändra i sidofältet)"
