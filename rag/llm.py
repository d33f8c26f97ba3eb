"""Optional LLM rewrite: a chat model turns the composed answer into prose from the
same citations. Off by default; whatever it writes must pass the same number check
and keep citation markers, or the composed answer stands.
"""
from __future__ import annotations

import logging
import re

from .answering import _allowed_numbers, check_numbers
from .config import Config
from .errors import RagError
from .models import Answer
from .numbers import find_numbers

log = logging.getLogger(__name__)

PROMPT = (
    "Du skriver om ett svar till en lokalpolitiker på svenska. Använd bara uppgifterna i svaret och källorna "
    "nedan. Behåll varje siffra exakt som den står, med enhet och period, och behåll källhänvisningarna [n] "
    "efter varje påstående. Lägg inte till något som källorna inte säger.\n\nFråga: {question}\n\n"
    "Svar att skriva om:\n{answer}\n\nKällor:\n{sources}\n\nOmskrivet svar:"
)


def chat_model_from_config(config: Config):
    """An OpenAI-compatible chat model when configured (RAG_LLM_BASE_URL, RAG_LLM_MODEL), else None."""
    if not config.llm_base_url:
        return None
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise RagError("RAG_LLM_BASE_URL is set but langchain-openai is not installed "
                       "(pip install langchain-openai)") from None
    return ChatOpenAI(base_url=config.llm_base_url, model=config.llm_model or "local",
                      api_key=config.llm_api_key or "none", temperature=0)


def rewrite(answer: Answer, chat_model) -> Answer:
    """The model's prose if it keeps every number traceable and cites; else the original."""
    if chat_model is None or not answer.answered:
        return answer
    sources = "\n".join(f"[{c.n}] {c.kommun} – {c.report} – {c.section}: {c.text[:800]}" for c in answer.citations)
    try:
        reply = chat_model.invoke(PROMPT.format(question=answer.question, answer=answer.answer, sources=sources))
    except Exception as e:  # a flaky endpoint must never lose the composed answer
        log.warning("LLM rewrite failed, keeping the composed answer: %s", e)
        return answer
    text = str(getattr(reply, "content", reply)).strip()
    computed = [n.value for n in find_numbers(answer.answer)]  # already checked when composed
    bad = check_numbers(text, _allowed_numbers(list(answer.citations), computed))
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", text)}
    if bad or not markers or not markers <= {c.n for c in answer.citations}:
        log.warning("LLM rewrite rejected (unsupported numbers %s, markers %s)", bad, sorted(markers))
        return answer
    return Answer(answer.question, True, text, answer.citations, answer.facts, answer.notes + ("llm-rewrite",))
