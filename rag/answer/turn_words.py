"""What a chat turn's words say: the conversation words of the lexicon as patterns, and the readings
of a text that every follow-up rule asks for (its kommuner, topic words, measure and group words,
months, whether it is English). Text in, values out: no model, no index."""
from __future__ import annotations

import re
from typing import Iterable

from ..kommuner import KOMMUNER, kommuner_in
from ..lexicon import LEXICON

WORD = re.compile(r"[0-9A-Za-zÅÄÖåäöÉéÜü]+(?:-[0-9A-Za-zÅÄÖåäöÉéÜü]+)*")
WORDS = LEXICON.conversation  # the reviewed words (rag/data/lexicon.json, "conversation")


def _rx(name: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in WORDS[name]), re.I)


CONNECTOR = _rx("connector")
RESTRICT_START = _rx("restrict_start")
COMPARE_LAST = _rx("compare_last")
ACROSS = _rx("across_kommuner")
NARROW_START = _rx("narrow_start")
WHY = _rx("why")
WHY_START = _rx("why_start")
LEAD = _rx("lead")
LEAD_VERB = _rx("lead_verb")
RELATIVE_YEAR = {-1: _rx("year_back"), +1: _rx("year_forward")}
YEARS_BACK = _rx("years_back")  # "två år tidigare": as many years back as it says
NUMBER_WORDS: dict[str, int] = dict(WORDS["number_words"])
SAY_FRAME = _rx("say_frame")
RETURN_TO = _rx("return_to")
FIRST_QUESTION = _rx("first_question")
WHICH_OF_THEM = _rx("which_of_them")
#: small words between "än" and the kommun a turn compares with ("mer än vad Eskilstuna …", "än i Solna")
THAN_KOMMUN = "|".join(WORDS["than_kommun"])
THAT_AGE_GROUP = _rx("that_age_group")  # "den åldersgruppen": the age range the last question named
#: a target's word and the outcome's that stands for it once a turn moves to a year the reports have passed
TARGET_AS_OUTCOME: dict[str, str] = dict(WORDS["target_as_outcome"])
PARTITIVE = _rx("partitive")  # "av dem", "of those": part of what the last question counted
COUNTED_NOUN = _rx("counted_noun")  # "Hur många insatser …": what a question counts
THAT_THING = _rx("that_thing")  # "den verksamheten", "that item": what the last question was about

MONTHS = LEXICON.months
LEXICON_MONTHS_ENGLISH = tuple(WORDS["months_english"])
MONTH_NAMES = "|".join(sorted({*MONTHS, *(m[:3] for m in MONTHS), *(m.lower() for m in WORDS["months_english"])},
                               key=len, reverse=True))
#: the months of a year a question names ("januari–augusti", "till och med augusti", "until August")
PART_OF_YEAR = re.compile(rf"\b(?:(?:{MONTH_NAMES})\s*[–-]\s*(?:{MONTH_NAMES})|(?:till och med|until|up to|per) "
                           rf"(?:{MONTH_NAMES}))\b", re.I)
#: Measure / period words a follow-up may swap ("Och budgeten?"), with the form put into a question.
MEASURES = tuple((re.compile(rx), form) for form, rx in WORDS["measures"].items())
MEASURES_ENGLISH: dict[str, str] = dict(WORDS["measures_english"])  # the same forms in an English question
#: Population groups a follow-up may restrict to ("Bara för kvinnor?"), with the Swedish form.
GROUPS: dict[str, str] = dict(WORDS["groups"])
ENGLISH_ONLY_GROUPS: dict[str, str] = dict(WORDS["english_only_groups"])
#: Words that say how something is asked or point back, never what about.
FUNCTION = frozenset(WORDS["function_words"])
LINKS = frozenset(WORDS["links"])
STRONG_ANAPHORA = frozenset(WORDS["strong_anaphora"])
PRONOUNS = frozenset(WORDS["pronouns"])
POINTING = frozenset(WORDS["pointing"])
POSSESSIVES = frozenset(WORDS["possessives"])  # "dess": a thing named before, before any noun  # pronouns that stand for a thing named before
PRONOUN_PREPOSITIONS = frozenset(WORDS["pronoun_prepositions"])
QUESTION_START = frozenset(WORDS["question_start"])  # words a complete question opens with
UP_DOWN = _rx("up_down")
#: "Har det ökat?", "Has it gone up?": whether the last answer's figure changed
CHANGE_ASKED = _rx("change_asked")
CHANGE_ASKED_ENGLISH = frozenset(WORDS["change_asked_english"])  # the words an English one opens with
ADJ = _rx("adjective")
#: a question this long that names its own kommun is complete even when its only content is a
#: measure and a period ("Vilken helårsprognos hade Enköpings socialnämnd i april 2024?"); shorter
#: ones ("Och i Huddinge 2022?") lean on the chat
COMPLETE_WORDS = 6
WHY_FILLER = frozenset(WORDS["why_filler"])


def words_of(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def word_beginnings(text: str) -> set[str]:
    """A text's words by their first five letters: inflections alike ("överskott", "överskottet")."""
    return {w[:5] for w in words_of(text)}


def kommuner_named(text: str, corpus: Iterable[str]) -> list[str]:
    found = kommuner_in(text)
    for k in corpus:
        if k not in found and re.search(rf"\b{re.escape(k)}s?\b", text, re.I):
            found.append(k)
    return found


#: Sweden's kommuner in lower case: "Enköping" in an English question is no Swedish word
_KOMMUN_NAMES = re.compile(r"\b(?:" + "|".join(sorted((re.escape(k.lower()) for k in KOMMUNER), key=len, reverse=True))
                           + r")s?\b")


def is_english(low: str) -> bool:
    low = _KOMMUN_NAMES.sub(" ", low)
    return bool(re.search(r"\b(what|how|why|which|about|the|only|and|for)\b", low)) and not re.search(r"[åäö]", low)


def groups_named(words: list[str], english: bool) -> list[str]:
    table = {**GROUPS, **(ENGLISH_ONLY_GROUPS if english else {})}
    return list(dict.fromkeys(table[w] for w in words if w in table))


def measures_named(words: list[str]) -> list[str]:
    out = []
    for w in words:
        for rx, form in MEASURES:
            if rx.match(w) and form not in out:
                out.append(form)
    return out


def topic_words(text: str, kommuner: list[str], english: bool) -> list[str]:
    """Content words that name what is asked about."""
    names = {k.lower() for k in kommuner} | {k.lower() + "s" for k in kommuner}
    groups = {**GROUPS, **(ENGLISH_ONLY_GROUPS if english else {})}
    out = []
    for w in words_of(text):
        if (w in FUNCTION or w in names or w.isdigit() or w in groups or w in MONTHS or len(w) < 2
                or any(rx.match(w) for rx, _ in MEASURES)):
            continue
        out.append(w)
    return out


def asked_topic(text: str, kommuner: list[str], english: bool) -> list[str]:
    """The topic words of a turn, without the words that ask why ("hur kom det sig", "vad påverkade
    det"), move the year ("the year before", "året innan") or point back ("den verksamheten"): those
    name no topic of their own."""
    for rx in (WHY, YEARS_BACK, THAT_THING, *RELATIVE_YEAR.values()):
        text = rx.sub(" ", text)
    return topic_words(text, kommuner, english)


def months_in(words: list[str]) -> list[str]:
    """The months a text names, in the order named, Swedish or English."""
    english = [m.lower() for m in LEXICON_MONTHS_ENGLISH]
    out = []
    for w in words:
        if w in MONTHS:
            out.append(w)
        elif w in english:
            out.append(MONTHS[english.index(w)])
    return out


def age_range(text: str) -> re.Match | None:
    """The first age range a text names, as written ("0–6 år", "över 65 år")."""
    found = [m for rx in (LEXICON.age_range, LEXICON.age_from) if (m := rx.search(text))]
    return min(found, key=lambda m: m.start()) if found else None


def subject_pronoun(words: list[str]) -> str:
    """The pronoun a why turn stands its subject in ("Varför är de så höga …": "de"), '' when none."""
    return next((w for i, w in enumerate(words) if w in PRONOUNS and 0 < i <= 3
                 and not (i + 1 < len(words) and len(words[i + 1]) > 3
                          and re.search(r"(?:[ae]|en|et|na)$", words[i + 1]) and words[i + 1] not in FUNCTION)), "")


def pointing_words(words: list[str]) -> list[str]:
    """Pronouns standing for a thing named before ("Varför väntas den gå med underskott?"; after a
    preposition any pronoun: "för det", "av den"). Before an adjective or a noun ("den negativa
    avvikelsen", "den budgeten") a pronoun is an article and points at a phrase of its own; a
    possessive ("dess budgetavvikelse") points back whatever follows it, and so does a pronoun before
    a noun that names nothing of its own ("den verksamheten", `THAT_THING`)."""
    generic = {m.start() for m in THAT_THING.finditer(" ".join(words))}
    at = [sum(len(v) + 1 for v in words[:i]) for i in range(len(words))]
    return [w for i, w in enumerate(words)
            if at[i] in generic or
            (w in POINTING or (w in PRONOUNS and i > 0 and words[i - 1] in PRONOUN_PREPOSITIONS))
            and (w in POSSESSIVES or not (i + 1 < len(words) and len(words[i + 1]) > 3
                                          and re.search(r"(?:[ae]|en|et|na)$", words[i + 1])))]


def subject_of(question: str, corpus_kommuner: Iterable[str] = ()) -> str:
    """What a question asks about, as it words it: its first run of topic words, linked by small
    words ("kostnaderna för ekonomiskt bistånd"), without a kommun's name."""
    kommuner = kommuner_named(question, corpus_kommuner)
    topic = set(topic_words(question, kommuner, is_english(question.lower())))
    tokens = list(WORD.finditer(question))
    start = end = None
    for i, m in enumerate(tokens):
        w = m.group(0).lower()
        if start is None:
            if w in topic:
                start, end = m.start(), m.end()
            continue
        if w in topic or (w in GROUPS and tokens[i - 1].group(0).lower() in LINKS):
            end = m.end()
        elif not (w in LINKS and i + 1 < len(tokens) and (tokens[i + 1].group(0).lower() in topic
                                                             or tokens[i + 1].group(0).lower() in GROUPS)):
            break
    label = question[start:end] if start is not None else ""
    for k in kommuner:
        label = re.sub(rf"\s*\bi\s+{re.escape(k)}s?\b|\b{re.escape(k)}s?\b", "", label)
    return re.sub(r"\s{2,}", " ", label).strip(" ,")


def capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def narrowing_part(text: str, kommuner: list[str], english: bool) -> str:
    """The part a follow-up narrows the last question to, with its preposition ("inom
    vuxensektionen"), or "". A kommun, a report, a known group (swapped instead) or a bare "för X"
    without "bara" (a new subject: "Och för ekonomiskt bistånd?") is no narrowing."""
    m = NARROW_START.match(text)
    if not m or kommuner or LEXICON.report_types_in(text) or groups_named(words_of(text), english):
        return ""
    restricted = bool(RESTRICT_START.match(re.sub(r"^\s*(?:och|men|and|but)\s+", "", text, flags=re.I)))
    prep = m.group("prep").lower()
    if prep in ("för", "for") and not restricted:
        return ""
    return f"{'inom' if prep in ('i', 'in', 'within') and not english else prep} {m.group('part').strip()}"


def year_shift(text: str) -> int:
    """How many years a turn moves the period: -1 for "året innan", -2 for "två år tidigare", +1 for
    "året efter", 0 when it names no such move."""
    m = YEARS_BACK.search(text)
    if m:
        n = m.group("n").lower()
        return -(int(n) if n.isdigit() else NUMBER_WORDS[n])
    return next((delta for delta, rx in RELATIVE_YEAR.items() if rx.search(text)), 0)


def years_said(text: str, years: list[str]) -> str:
    """The turn with its move of the year said as the year it moves to ("året innan", after a
    question about 2023: "2022"); unchanged when it names no such move."""
    delta = year_shift(text)
    if not delta or not years:
        return text
    said = " och ".join(str(int(y) + delta) for y in dict.fromkeys(years))
    for rx in (YEARS_BACK, *RELATIVE_YEAR.values()):
        if rx.search(text):
            return rx.sub(said, text, count=1)
    return text
