"""Question analysis: which kommun, which period, what is asked, and how.

Everything here is rules over the question's words; no model is involved, so
the same question is always read the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import QuestionError
from ..kommuner import kommuner_in
from ..search.lexical import STOPWORDS, content_words, stem
from ..lexicon import LEXICON

MONTHS = LEXICON.months
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}

#: Words that say how or what is asked, never what about: they need no evidence (from the lexicon).
QUESTION_WORDS = LEXICON.question_words

_YEAR = re.compile(r"(?<!\d)(?<!\d[ ,.])(1[89]\d\d|2\d\d\d)(?!\d)(?![,.]\d)|\b(?:år|year)\s+(\d{4})\b", re.I)
#: A number written where a year goes: after "år"/"året"/"year" (any sign, any length), or a bare 3- to
#: 5-digit number ending the question or after a period preposition ("i Enköping 3023?", "under 3023").
_YEARISH = re.compile(r"\b(?:år|året|year)\s+([-−–]?\s?\d{1,6})(?![\d,.]\d)"
                      r"|(?:\b(?:under|inför|sedan|mellan|för|till|från|i)\s+|[a-zåäöé]\s+)([-−–]?\d{3,5})(?![\d,.]\d)"
                      r"(?=\s*[?.!]*\s*$|\s+(?:och|eller|till|jämfört|respektive)\b)", re.I)
#: Years a report can be about (rag.ingest.manifest checks report periods against the same span).
YEAR_SPAN = (1990, 2100)
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
#: A capitalised name after a place preposition ("i Atlantis", "in Gotham City").
_PLACE = re.compile(r"\b(?:i|in|för|från|kommunen)\s+((?:[A-ZÅÄÖ][a-zåäöéü\-]+)(?:\s+[A-ZÅÄÖ][a-zåäöéü\-]+)?)")

_PERIOD_WORD = LEXICON.period_term
#: the words that only ask, by stem (a misspelt one keeps its stem: "hittils" is "hittills")
_QUESTION_STEMS: dict[str, list[str]] = {}
for _w in QUESTION_WORDS:
    if len(_w) >= 6:
        _QUESTION_STEMS.setdefault(stem(_w), []).append(_w)


def _misspelt_question_word(word: str) -> bool:
    """A word one letter away from a question word of the same stem ("hittils"), not an inflection
    of it that names something ("gäller" beside "gällande")."""
    return any(abs(len(q) - len(word)) <= 1 and q != word for q in _QUESTION_STEMS.get(stem(word), ()))
PERIOD_WORDS = LEXICON.period_words


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
    foreign_places: tuple[str, ...] = ()  # kommuner and other places named that the corpus does not cover
    report_types: tuple[str, ...] = ()  # every report type named ("tertialrapporten i april och delårsrapporten")
    contrast: tuple[str, ...] = ()  # two things set against each other ("kvinnor", "män"), not two periods
    odd_years: tuple[str, ...] = ()  # a year written that no report can cover ("3023", "år -500"), as written
    not_about: str = ""  # why the question asks about nothing the reports cover (rag.answer.offtopic), or ''
    manner: bool = False  # it asks how something is done ("hur arbetar …", "vad gör … för att"), not for a figure


_ARTICLES = frozenset({"ett", "en", "det", "den", "de", "the", "a", "an"})
_TOKEN = re.compile(r"[\wåäöÅÄÖéü][\wåäöÅÄÖéü\-]*")


def contrast_of(question: str, names: set[str]) -> tuple[str, ...]:
    """The two things a question sets against each other ("kvinnor respektive män", "Område
    Myndighet jämfört med Område Resurs"): the words after a contrast marker up to a function
    word, and as many before it. A contrast with a period or a measure ("jämfört med föregående år", "… med
    budget") is no contrast of things and gives ()."""
    m = LEXICON.contrast.search(question)
    if not m:
        return ()
    stop = (STOPWORDS | QUESTION_WORDS | names) - {"och"}

    def side(tokens: list[str]) -> list[str]:
        out: list[str] = []
        for t in tokens:
            low = t.lower()
            if low in stop or low.isdigit() or len(out) == 4:
                break
            out.append(t)
        while out and out[-1].lower() == "och":
            out.pop()
        return out

    after = _TOKEN.findall(question[m.end():])
    while after and after[0].lower() in _ARTICLES:
        after = after[1:]
    right = side(after)
    # the left side mirrors the right one's length, taking in "x och y" pairs ("barn och unga")
    before = side(_TOKEN.findall(question[:m.start()])[::-1])
    n = min(len(right), len(before))
    while n + 1 < len(before) and before[n].lower() == "och":
        n += 2
    left = before[:n][::-1]
    while left and left[0].lower() == "och":
        left = left[1:]
    words_ = [w.lower() for w in left + right]
    if not left or not right or any(w in LEXICON.time_words or LEXICON.period_term.match(w) or _YEAR.match(w)
                                    for w in words_):
        return ()
    return " ".join(left), " ".join(right)


def looks_english(question: str) -> bool:
    return bool(re.search(r"\b(what|how|why|which|the|is|was)\b", question.lower()))


def check_question(question: object, max_chars: int = 500) -> str:
    """A usable question, or a QuestionError saying why not."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}",
                            swedish="frågan måste vara text")
    q = re.sub(r"\s+", " ", _ZERO_WIDTH.sub("", question)).strip()
    if not q:
        raise QuestionError("the question is empty; ask about the reports, e.g. "
                            "'Hur stor var sjukfrånvaron i Solna 2023?'",
                            swedish="frågan är tom; fråga om rapporterna, till exempel "
                                    "«Hur stor var sjukfrånvaron i Solna 2023?»")
    if len(q) > max_chars:
        raise QuestionError(f"the question is {len(q)} characters long; keep it under {max_chars}",
                            swedish=f"frågan är för lång ({len(q)} tecken); korta den till högst {max_chars}")
    if len(re.findall(r"[A-Za-zÅÄÖåäöéü]{2,}", q)) < 2:
        raise QuestionError(f"{q!r} is not a question in words; ask in Swedish about the reports",
                            swedish="frågan består inte av ord; skriv den på svenska, till exempel "
                                    "«Hur stor var sjukfrånvaron i Solna 2023?»")
    return q


def _foreign_places(question: str, named: tuple[str, ...], corpus_kommuner, known_stems) -> tuple[str, ...]:
    """Places the question names that are neither a kommun of the corpus nor a word the reports use."""
    out = []
    for m in _PLACE.finditer(question):
        name = m.group(1)
        first = name.split()[0]
        if name in corpus_kommuner or first in corpus_kommuner or first.rstrip("s") in corpus_kommuner:
            continue
        if name in named or first.lower() in QUESTION_WORDS or first.lower() in STOPWORDS:
            continue
        if known_stems is not None and all(stem(w.lower()) in known_stems for w in name.split()):
            continue  # a word of the reports ("i Sverige", "för Barn"), not an unknown place
        if known_stems is None:
            continue
        out.append(name)
    return tuple(dict.fromkeys(out))


def analyse(question: str, corpus_kommuner: set[str] | frozenset[str], known_stems=None) -> QuestionAnalysis:
    """Rules over the question's words; `known_stems` (the corpus vocabulary) lets an unknown
    capitalised place name ("i Atlantis") be told from a word the reports use."""
    named = kommuner_in(question)
    low_q = question.lower()
    for k in sorted(corpus_kommuner):  # the corpus's own kommuner are recognised in lower case too ("i solna")
        if k not in named and re.search(rf"\b{re.escape(k.lower())}s?\b", low_q):
            named.append(k)
    named.sort(key=lambda k: low_q.find(k.lower()))
    kommuner = tuple(k for k in named if k in corpus_kommuner)
    foreign = tuple(k for k in named if k not in corpus_kommuner)
    low = question.lower()
    years = tuple(sorted({int(a or b) for a, b in _YEAR.findall(question)}))
    odd = odd_years(question, years)
    # a month as a word, or as the first part of a report's name ("augustirapporten")
    months = sorted({i + 1 for i, m in enumerate(MONTHS) if re.search(rf"\b{m}(?:\b|(?=rapport))", low)}
                    | {n for a, n in _MONTH_ABBR.items() if re.search(rf"\b{a}\b(?!\w)", low)})
    english = looks_english(low)
    if english:
        months = sorted(set(months) | {i + 1 for i, rx in enumerate(LEXICON.months_english) if rx.search(question)})
    report_types = LEXICON.report_types_in(low)
    hint = report_types[0] if report_types else ""
    period_words = frozenset(k for k, rx in PERIOD_WORDS.items() if rx.search(low))
    intents = LEXICON.intents
    contrast = contrast_of(question, {k.lower() for k in named} | {k.lower() for k in corpus_kommuner})
    if intents["why"].search(low):
        intent = "why"
    elif intents["list"].search(low):
        intent = "list"
    elif intents["compare"].search(low) or len(kommuner) >= 2 or contrast:
        intent = "compare"
    elif intents["trend"].search(low):
        intent = "trend"
    else:
        intent = "lookup"
    ws = set(re.findall(r"[a-zåäöéü]+", low))
    if intent == "compare" and len(kommuner) >= 2:  # "högre i Solna än i Huddinge": levels, not a change
        ws -= LEXICON.direction_comparative
    direction = "up" if ws & LEXICON.direction_up else "down" if ws & LEXICON.direction_down else ""
    names = {k.lower() for k in named} | {k.lower() + "s" for k in named}
    topic, period_terms = [], []
    for w in content_words(question):
        if _PERIOD_WORD.match(w):
            period_terms.append(w)
            continue
        if w in names or w.isdigit() or w in QUESTION_WORDS or w in STOPWORDS or len(w) < 3 \
                or _misspelt_question_word(w):  # "hittils": "hittills" misspelt, not a subject
            continue
        if w.endswith("s") and (w[:-1] in names or w[:-1] in QUESTION_WORDS):
            continue  # a genitive: "Eskilstunas", "socialnämnds", "kommuns"
        if w not in topic:
            topic.append(w)
    keep = set(topic) | STOPWORDS | {n for n in re.findall(r"\b\d{1,3}\b", low)}  # "0–20 år", "120 dagar"
    topic_text = " ".join(w if w in keep else "|" for w in re.findall(r"[\wåäöÅÄÖ]+|\S", low))
    if english:  # the report's own words for an English question's domain terms, for the lexical features
        topic_text = " ".join([topic_text, *dict.fromkeys(LEXICON.swedish_for(low))])
    return QuestionAnalysis(question, kommuner, foreign, years, tuple(months), hint, period_words, intent,
                            direction, tuple(topic), english, tuple(period_terms), topic_text,
                            foreign_places=foreign + _foreign_places(question, named, corpus_kommuner, known_stems),
                            report_types=report_types, contrast=contrast, odd_years=odd,
                            manner=bool(intents["manner"].search(low)))


def odd_years(question: str, years: tuple[int, ...]) -> tuple[str, ...]:
    """Years written in the question that lie outside every span a report can have, however written."""
    out = [str(y) for y in years if not YEAR_SPAN[0] <= y <= YEAR_SPAN[1]]
    for m in _YEARISH.finditer(question):
        written = re.sub(r"\s", "", m.group(1) or m.group(2)).replace("−", "-").replace("–", "-")
        if not YEAR_SPAN[0] <= int(written) <= YEAR_SPAN[1] and written not in out:
            out.append(written)
    return tuple(out)

