"""Optional LLM rewrite: a chat model turns the composed answer into prose from the
same citations. Off by default. The rewrite is used only if it says what the
composed answer says: the same kommuner, years, months, figures (with their signs
and units), direction words and no new causes, and a `[n]` marker on every
sentence. Otherwise the composed answer stands.

The guard compares meaning with simple, explainable rules (`check_rewrite`
returns the reasons); it errs towards rejecting, since a rejected rewrite only
costs prose, while an accepted wrong one costs the user's trust.
"""
from __future__ import annotations

import logging
import re

from ..config import Config
from ..errors import RagError
from ..kommuner import kommuner_in
from ..models import Answer
from ..numbers import Number, find_numbers, same_value
from ..years import is_year

log = logging.getLogger(__name__)

PROMPT = (
    "Du skriver om ett svar till en lokalpolitiker på svenska. Använd bara uppgifterna i svaret och källorna "
    "nedan. Behåll varje siffra exakt som den står, med tecken, enhet och period, behåll kommunernas namn och "
    "årtalen, och sätt källhänvisningen [n] i varje mening. Lägg inte till något som svaret inte säger, "
    "inga orsaker och inga slutsatser.\n\nFråga: {question}\n\n"
    "Svar att skriva om:\n{answer}\n\nKällor:\n{sources}\n\nOmskrivet svar:"
)

#: Words that tie a figure to a unit; the value is the unit's canonical name.
_UNITS = {"mnkr": "mnkr", "mkr": "mnkr", "miljoner kronor": "mnkr", "miljoner": "mnkr", "mdkr": "mdkr",
          "miljarder kronor": "mdkr", "miljarder": "mdkr", "tkr": "tkr", "tusen kronor": "tkr", "tusen": "tkr",
          "kr": "kr", "kronor": "kr", "%": "%", "procent": "%", "procentenheter": "pe"}
_UNIT_RE = re.compile(r"\s?(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")(?![a-zåäö])",
                      re.I)
_UNIT_WORD_RE = re.compile(r"(?<![a-zåäö])(" + "|".join(sorted((re.escape(u) for u in _UNITS if u != "%"),
                                                             key=len, reverse=True)) + r")(?![a-zåäö])", re.I)
_MONTHS = {m: i + 1 for i, names in enumerate((
    "januari jan", "februari feb", "mars mar", "april apr", "maj", "juni jun", "juli jul", "augusti aug",
    "september sep sept", "oktober okt", "november nov", "december dec")) for m in names.split()}
_CAUSAL = ("beror på", "berodde på", "beroende på", "på grund av", "pga", "eftersom", "till följd av", "orsak",
           "förklaras", "förklaring", "därför", "ledde till", "leder till", "bidrog till", "bidrar till",
           "tack vare", "med anledning av", "resultatet av")
_NEGATIONS = ("inte", "ej", "icke", "aldrig", "ingen", "inget", "inga")
#: Glue words a faithful rephrasing may add although the composed answer lacks them.
_GLUE = set("""jämfört jämförelse samma period perioden perioder uppgick uppgår uppgått blev blivit hade varit
under medan mellan enligt rapporten rapporterna rapport nivån nivå motsvarar motsvarande totalt sammanlagt
ungefär cirka förändring förändringen förändrades skillnaden skillnad värdet värde siffran siffrorna andelen
andel kostnaden kostnaderna kostnad tidigare föregående innevarande året åren detta dessa vilket vilken
också även därmed alltså uppgiften uppgifterna visar visade redovisar redovisade anger angav eller samt
medan vilket nämnden kommunen kommunens""".split())
_MARKER_RE = re.compile(r"\[(\d+)\]")
#: Content words not found in the composed answer or its sources that a rewrite may use.
MAX_NEW_WORDS = 2


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
                      api_key=config.llm_api_key or "none", temperature=0, timeout=30, max_retries=1)


# --- what a text says ----------------------------------------------------------------

def _is_year(n: Number) -> bool:
    return is_year(n.text)


def _figures(text: str) -> list[Number]:
    return [n for n in find_numbers(_MARKER_RE.sub(" ", text)) if not _is_year(n)]


def _years(text: str) -> set[int]:
    return {int(n.value) for n in find_numbers(_MARKER_RE.sub(" ", text)) if _is_year(n)}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zåäöéü]+", text.lower())


def _months(text: str) -> set[int]:
    return {_MONTHS[w] for w in _words(text) if w in _MONTHS}


def _directions(text: str) -> set[str]:
    """up / down / surplus / deficit, from word stems (kostnadsökning counts, ansökan does not)."""
    out = set()
    for w in _words(text):
        if ("ökn" in w or "ökade" in w or "ökat" in w or w.startswith(("ök", "höj")) or w == "högre") \
                and not any(x in w for x in ("ansök", "besök", "försök", "undersök")):
            out.add("up")
        if "minsk" in w or w.startswith("sänk") or w == "lägre":
            out.add("down")
        if "överskott" in w:
            out.add("surplus")
        if "underskott" in w:
            out.add("deficit")
    return out


def _unit_after(text: str, n: Number) -> str:
    m = _UNIT_RE.match(text, n.end)
    return _UNITS[m.group(1).lower()] if m else ""


def _clauses(text: str) -> list[str]:
    """Sentences cut at `;`, `, ` and parentheses: the span a year governs."""
    return [c for c in re.split(r"[;()\n]|,\s|(?<=[.!?])\s", _MARKER_RE.sub(" ", text)) if c.strip()]


def _year_of_figures(text: str) -> dict[float, set[int]]:
    """Each figure's year(s): a year in its clause, else the last year before it on its line."""
    out: dict[float, set[int]] = {}
    for line in text.split("\n"):
        last: set[int] = set()
        for clause in _clauses(line):
            years = _years(clause)
            last = years or last
            for f in _figures(clause):
                if last:
                    out.setdefault(f.value, set()).update(last)
    return out


def _sentences(text: str) -> list[str]:
    moved = re.sub(r"([.!?])((?:\s*\[\d+\])+)", r"\2\1", text)  # "… 2023. [1]" counts as marked
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", moved) if re.search(r"[A-Za-zÅÄÖåäö]", s)]


# --- the guard -------------------------------------------------------------------------

def check_rewrite(answer: Answer, text: str) -> list[str]:
    """Why `text` does not say what the composed `answer` says ([] when it does)."""
    original = answer.answer
    sources = "\n".join([original, *(f"{c.kommun} {c.report} {c.period} {c.section}\n{c.text}"
                                     for c in answer.citations)])
    problems = []
    valid = {c.n for c in answer.citations}
    markers = {int(m) for m in _MARKER_RE.findall(text)}
    if not markers:
        problems.append("no [n] markers")
    if markers - valid:
        problems.append(f"markers {sorted(markers - valid)} cite nothing")
    unmarked = [s for s in _sentences(text) if not _MARKER_RE.search(s) and not s.endswith(":")]
    if unmarked:
        problems.append(f"a sentence without a marker: {unmarked[0][:60]!r}")

    allowed = [n.value for n in find_numbers(_MARKER_RE.sub(" ", sources))]
    new = [n.text for n in find_numbers(_MARKER_RE.sub(" ", text)) if not any(same_value(n.value, v) for v in allowed)]
    if new:
        problems.append(f"numbers not in the sources: {new}")
    said = _figures(text)
    for f in _figures(original):
        same = [g for g in said if g.value == f.value]
        if not same:
            problems.append(f"the figure {f.text.strip()} is missing or its sign changed")
            continue
        unit = _unit_after(original, f)
        if unit and not any(_unit_after(text, g) == unit for g in same):
            problems.append(f"the figure {f.text.strip()} lost its unit {unit}")
    units_before = {_UNITS[u.lower()] for u in _UNIT_WORD_RE.findall(original)} | ({"%"} if "%" in original else set())
    units_after = {_UNITS[u.lower()] for u in _UNIT_WORD_RE.findall(text)} | ({"%"} if "%" in text else set())
    if units_after - units_before:
        problems.append(f"units the answer does not use: {sorted(units_after - units_before)}")

    if _years(text) != _years(original):
        problems.append(f"years {sorted(_years(text))} instead of {sorted(_years(original))}")
    before = _year_of_figures(original)
    for value, years in _year_of_figures(text).items():
        if before.get(value) and not years & before[value]:
            problems.append(f"the figure {value:g} is given for {sorted(years)}, not {sorted(before[value])}")
    if _months(text) != _months(original):
        problems.append("the period's months differ")

    required = set(kommuner_in(original))
    cited = required | {c.kommun for c in answer.citations}
    named = set(kommuner_in(text))
    if named - cited or required - named:
        problems.append(f"kommuner {sorted(named)} instead of {sorted(required)}")

    if _directions(text) != _directions(original):
        problems.append(f"direction {sorted(_directions(text))} instead of {sorted(_directions(original))}")
    low_text, low_orig = f" {' '.join(_words(text))} ", f" {' '.join(_words(original))} "
    if any(f" {c} " in low_text and f" {c} " not in low_orig for c in _CAUSAL):
        problems.append("a cause the answer does not give")
    if any(f" {w} " in low_text for w in _NEGATIONS) and not any(f" {w} " in low_orig for w in _NEGATIONS):
        problems.append("a negation the answer does not have")
    known = {w[:5] for w in _words(sources)}
    added = sorted({w for w in _words(text) if len(w) >= 5 and w not in _GLUE and w[:5] not in known})
    if len(added) > MAX_NEW_WORDS:
        problems.append(f"words the answer does not say: {added[:6]}")
    return problems


def rewrite(answer: Answer, chat_model) -> Answer:
    """The model's prose if it says what the composed answer says; else the composed answer."""
    if chat_model is None or not answer.answered:
        return answer
    sources = "\n".join(f"[{c.n}] {c.kommun} – {c.report} – {c.section}: {c.text[:800]}" for c in answer.citations)
    try:
        reply = chat_model.invoke(PROMPT.format(question=answer.question, answer=answer.answer, sources=sources))
    except Exception as e:  # a flaky endpoint must never lose the composed answer
        log.warning("LLM rewrite failed, keeping the composed answer: %s", e)
        return answer
    text = str(getattr(reply, "content", reply)).strip()
    problems = check_rewrite(answer, text)
    if problems:
        log.warning("LLM rewrite rejected: %s", "; ".join(problems))
        return answer
    return Answer(answer.question, True, text, answer.citations, answer.facts, answer.notes + ("llm-rewrite",))
