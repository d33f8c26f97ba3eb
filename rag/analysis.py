"""Question analysis: which kommun, which period, what is asked, and how.

Everything here is rules over the question's words; no model is involved, so
the same question is always read the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import QuestionError
from .kommuner import kommuner_in
from .lexical import STOPWORDS, content_words

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}

#: Words that say how or what is asked, never what about: they need no evidence.
QUESTION_WORDS = frozenset("""
vad varför hur vilken vilket vilka när var vem mycket många stor stort stora liten små hög högt höga
låg lågt låga blev blir bli var är har hade ha fanns finns kostar kostade kosta kostat beräknas beräknades
förändrats förändrades förändring utvecklats utvecklades utveckling utvecklingen ökade ökat ökar ökning
minskade minskat minskar minskning föll fallit sjönk sjunkit steg stigit gick gått gjordes gjort genomfördes
genomförts genomförs genomfört arbetar arbetade jämför jämfört jämförelse jämfört skillnad skillnaden
enligt mellan mot totalt total sammanlagt per under till med och i på för om den det de en ett
kommun kommunen kommunens stad staden stads socialnämnd socialnämnden socialnämndens nämnden nämndens
nämnd socialförvaltning socialförvaltningen socialförvaltningens socialförvaltningar förvaltningen
år året årets helår helåret hela jan aug januari augusti tom t.o.m rapport rapporten rapporterna
delårsrapport delårsrapporten tertialrapport tertialrapporten årsredovisning årsredovisningen
uppgick uppgår uppgå nå når nådde negativ negativa positiv positiva så sådan igen egentligen ungefär
what is was were how why which does did do the a an of for in on to its it's full-year year forecast
deviation cost costs much many compare between versus vs full
socialnämnds antalet antal gällande avseende föregående förra senaste aktuella
åren år två tre fyra fem sex sju åtta nio tio förklarar förklara förklaras innan efter före står stod
går gick gått ligger låg legat sista första klara klar
""".split())

_WHY = re.compile(r"\b(varför|vad beror|beror det|vad förklarar|förklaring|orsak|orsaken|anledning|why)\b", re.I)
_COMPARE = re.compile(r"\b(jämför|jämfört med ett|skillnad|skillnaden|mot varandra|compare|versus|vs)\b", re.I)
_TREND = re.compile(r"\b(förändrats|förändrades|utvecklats|utvecklades|utvecklingen|trend|jämfört med föregående|"
                    r"föregående år|förra året|över tid|changed)\b", re.I)
_LIST = re.compile(r"^\s*(vilka|lista|nämn|list|which)\b", re.I)
_UP = re.compile(r"\b(ökade|ökat|ökar|ökning|steg|stigit|höjdes|högre|increase\w*|rose)\b", re.I)
_DOWN = re.compile(r"\b(minskade|minskat|minskar|minskning|föll|fallit|sjönk|sjunkit|lägre|decrease\w*|fell)\b", re.I)

_PERIOD_WORD = re.compile(
    r"^(prognos\w*|årsprognos\w*|helårsprognos\w*|budget\w*|utfall\w*|avvikelse\w*|budgetavvikelse\w*|"
    r"bokslut\w*|överskott\w*|underskott\w*|helår\w*|forecast|deviation|"
    + "|".join(MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sep|okt|nov|dec)$")

PERIOD_WORDS = {
    "utfall": r"\butfall\w*|\bkostade\b|\bvar\b|\buppgick\b",
    "budget": r"\bbudget\w*",
    "prognos": r"\bprognos\w*|\bårsprognos\w*|\bhelårsprognos\w*|\bforecast\w*|\bberäknas\b",
    "avvikelse": r"\bavvikelse\w*|\bbudgetavvikelse\w*|\bdeviation\b|\böverskott\w*|\bunderskott\w*",
    "bokslut": r"\bbokslut\w*",
    "helår": r"\bhelår\w*|\bårs\w*prognos|\bfull-year\b|\bfull year\b",
    "föregående år": r"\bföregående år\w*|\bförra året\b|\bfjol\w*",
}


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    kommuner: tuple[str, ...]  # named and present in the corpus
    foreign_kommuner: tuple[str, ...]  # named but not in the corpus
    years: tuple[int, ...]
    months: tuple[int, ...]
    report_hint: str  # "tertialrapport" | "delårsrapport" | "årsredovisning" | ""
    period_words: frozenset[str]
    intent: str  # lookup | why | trend | compare | list
    direction: str  # up | down | ""
    topic_words: tuple[str, ...]  # content words that name what is asked about
    english: bool = False
    period_terms: tuple[str, ...] = ()  # the question's own period words (prognosen, budget, ...)
    topic_text: str = ""  # the question with kommun, period and question words blanked out
    numbers: tuple[str, ...] = field(default=())


def check_question(question: object, max_chars: int = 500) -> str:
    """A usable question, or a QuestionError saying why not."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    q = re.sub(r"\s+", " ", question).strip()
    if not q:
        raise QuestionError("the question is empty; ask about the reports, e.g. "
                            "'Hur stor var sjukfrånvaron i Solna 2023?'")
    if len(q) > max_chars:
        raise QuestionError(f"the question is {len(q)} characters long; keep it under {max_chars}")
    if len(re.findall(r"[A-Za-zÅÄÖåäöéü]{2,}", q)) < 2:
        raise QuestionError(f"{q!r} is not a question in words; ask in Swedish about the reports")
    return q


def analyse(question: str, corpus_kommuner: set[str] | frozenset[str]) -> QuestionAnalysis:
    named = kommuner_in(question)
    kommuner = tuple(k for k in named if k in corpus_kommuner)
    foreign = tuple(k for k in named if k not in corpus_kommuner)
    low = question.lower()
    years = tuple(sorted({int(y) for y in re.findall(r"\b(20\d\d)\b", question)}))
    months = sorted({i + 1 for i, m in enumerate(MONTHS) if re.search(rf"\b{m}\b", low)}
                    | {n for a, n in _MONTH_ABBR.items() if re.search(rf"\b{a}\b(?!\w)", low)})
    hint = ""
    for key, name in (("tertial", "tertialrapport"), ("delår", "delårsrapport"), ("årsredovisning", "årsredovisning"),
                      ("bokslut", "årsredovisning")):
        if key in low:
            hint = name
            break
    period_words = frozenset(k for k, rx in PERIOD_WORDS.items() if re.search(rx, low))
    if _WHY.search(low):
        intent = "why"
    elif _LIST.search(low):
        intent = "list"
    elif _COMPARE.search(low) or len(kommuner) >= 2:
        intent = "compare"
    elif _TREND.search(low):
        intent = "trend"
    else:
        intent = "lookup"
    direction = "up" if _UP.search(low) else "down" if _DOWN.search(low) else ""
    names = {k.lower() for k in named} | {k.lower() + "s" for k in named}
    topic, period_terms = [], []
    for w in content_words(question):
        if _PERIOD_WORD.match(w):
            period_terms.append(w)
            continue
        if w in names or w.isdigit() or w in QUESTION_WORDS or w in STOPWORDS or len(w) < 3:
            continue
        if w.endswith("s") and w[:-1] in names:
            continue
        if w not in topic:
            topic.append(w)
    english = bool(re.search(r"\b(what|how|why|which|the|is|was)\b", low))
    keep = set(topic) | STOPWORDS | {n for n in re.findall(r"\b\d{1,3}\b", low)}  # "0–20 år", "120 dagar"
    topic_text = " ".join(w if w in keep else "|" for w in re.findall(r"[\wåäöÅÄÖ]+|\S", low))
    return QuestionAnalysis(question, kommuner, foreign, years, tuple(months), hint, period_words, intent,
                            direction, tuple(topic), english, tuple(period_terms), topic_text)

