"""Conversation state: read a follow-up in the context of the chat, as text.

`resolve` turns "Och i Huddinge?" after "Hur hög var sjukfrånvaron i Solnas
socialförvaltning 2023?" into a complete question, so the answer path never
needs to know about chats. It works on the question text alone (no model, no
index), by general features: a follow-up starts with a connector (och, men,
what about), leans on a pronoun (det, då, där), or has no topic words of its
own once kommun, period, question and group words are removed. A question that
names its own topic is complete and inherits nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..lexicon import LEXICON
from ..years import YEAR_RE
from .rewriting import (activity_of, append_phrase, from_why, narrowed, ranked_over, replace_groups, replace_measures,
                        shift_years, swap_kommuner, swap_report, swap_superlative, swap_topic, to_why,
                        without_uncovered_years)
from .turn_words import (ACROSS, CHANGE_ASKED, CHANGE_ASKED_ENGLISH, COMPARE_LAST, CONNECTOR, COUNTED_NOUN,
                         FIRST_QUESTION, LEAD, LEXICON_MONTHS_ENGLISH, MONTHS, PARTITIVE, PART_OF_YEAR, POSSESSIVES,
                         RESTRICT_START, RETURN_TO, TARGET_AS_OUTCOME, THAN_KOMMUN, THAT_AGE_GROUP, THAT_THING,
                         UP_DOWN, WHICH_OF_THEM, WHY, WHY_START, age_range, asked_topic, capitalise, groups_named,
                         is_english, kommuner_named, measures_named, months_in, narrowing_part, pointing_words,
                         subject_of, subject_pronoun, topic_words, word_beginnings, words_of, year_shift, years_said)
from .turns import turn_features, turn_model

@dataclass(frozen=True)
class Resolved:
    """A question made standalone; `reading` says how a follow-up was read."""

    question: str
    used_history: bool
    reading: str = ""
    kind: str = ""  # what the follow-up changed: kommun, år, mått, varför, grupp, ämne (comma-joined)


def said_reading(question: str) -> str:
    """How a follow-up was read, said as the question it was read as, so a person can check it."""
    said = capitalise(question)
    return f"Jag läser frågan som: «{said if said.endswith(('?', '.', '!')) else said + '?'}»"


def is_fragment(question: str, corpus: Iterable[str] = ()) -> bool:
    """A follow-up's words with nothing to follow ("Och i Solna?", "Och 2022?", "Men varför?"): it
    opens with a connector and names no topic of its own. Asked alone it asks nothing."""
    text = re.sub(r"\s+", " ", question).strip()
    low = text.lower()
    return bool(CONNECTOR.match(low)) and not asked_topic(text, kommuner_named(text, tuple(corpus)), is_english(low))


@dataclass(frozen=True)
class Turn:
    """A chat turn's words, read once for every rule below."""

    text: str
    low: str
    english: bool
    words: tuple[str, ...]
    kommuner: tuple[str, ...]
    topic: tuple[str, ...]  # topic words of its own (`asked_topic`)

    @classmethod
    def read(cls, question: str, corpus: tuple[str, ...]) -> "Turn":
        text = re.sub(r"\s+", " ", question).strip()
        low = text.lower()
        english = is_english(low)
        kommuner = kommuner_named(text, corpus)
        return cls(text, low, english, tuple(words_of(text)), tuple(kommuner),
                   tuple(asked_topic(text, kommuner, english)))

    @property
    def restricts(self) -> bool:
        return bool(RESTRICT_START.match(self.low))


def _resolve_one(question: str, base: str | None, corpus: tuple[str, ...],
                 years_covered: Mapping[str, frozenset[int]] | None = None, earlier: tuple[str, ...] = ()) -> Resolved:
    turn = Turn.read(question, corpus)
    if not base or not turn.text:
        return Resolved(turn.text, False)
    base_kommuner = kommuner_named(base, corpus)
    pointed = _points_back(turn, base, base_kommuner, corpus, years_covered)
    if pointed:
        return pointed
    change = CHANGE_ASKED.match(turn.low)  # "Har det ökat?": of the last answer, whatever its words
    if not change and not turn_model().follows(turn_features(turn.text, base, corpus)):
        return Resolved(turn.text, False)  # a complete question: it inherits nothing
    if not change and _names_new_topic(turn, base) and (read := _new_subject(turn, base, base_kommuner, corpus, earlier)):
        return read
    out, kinds = _shifted_context(turn, base, base_kommuner, years_covered)
    out, more = _shifted_question(turn, out)
    return Resolved(out, True, said_reading(out), ",".join(kinds + more))


def _names_new_topic(turn: Turn, base: str) -> bool:
    """Whether a follow-up names a topic the last question did not ("Varför blir det ett överskott
    där?" after a question about a surplus names none: it asks why of the last question)."""
    named = word_beginnings(base)
    return any(w[:5] not in named for w in turn.topic)


def _points_back(turn: Turn, base: str, base_kommuner: list[str], corpus: tuple[str, ...],
                 years_covered: Mapping[str, frozenset[int]] | None) -> Resolved | None:
    """A turn that points at the last answer whatever else it names (it follows the chat whatever
    the fitted decision would say): set beside another kommun, asked why of another kommun, or set
    beside every other kommun. None for any other turn."""
    text, low = turn.text, turn.low
    added = [k for k in turn.kommuner if k not in base_kommuner]
    if base_kommuner and added and _set_beside(low, added):
        # "Är det mer än i Eskilstuna?", "Säger Huddinges rapport samma sak?": the last question,
        # asked of its kommuner and the one named
        if own := _own_period(turn, base):  # "Hur står sig det mot Enköpings prognos för 2024?"
            out = append_phrase(base, f"{'compared with' if is_english(base.lower()) else 'jämfört med'} {own}")
            return Resolved(out, True, said_reading(out), "kommun,jämför")
        both = base_kommuner + added
        out = swap_kommuner(base, base_kommuner, both, is_english(base.lower()))
        if years_covered and not YEAR_RE.search(text):
            out = without_uncovered_years(out, both, years_covered)
        return Resolved(out, True, said_reading(out), "kommun,jämför")
    if turn.kommuner and WHY.search(low) and not turn.topic and (said := subject_pronoun(list(turn.words))) \
            and (subject := subject_of(base, corpus)):
        # "Varför är de så höga i Eskilstuna?" after a question about personalkostnader: the pronoun is
        # the last question's subject, asked of the kommun named
        out = capitalise(re.sub(rf"\b{said}\b", subject.lower(), text, count=1, flags=re.I))
        return Resolved(out, True, said_reading(out), "varför,kommun")
    others = LEXICON.comparison["other_kommuner"]
    if base_kommuner and not turn.kommuner and others.search(low) and not others.search(base) \
            and not asked_topic(others.sub(" ", text), [], turn.english):
        # "Hur ser det ut i de andra kommunerna?": the last question, set beside every other kommun
        out = append_phrase(base, "compared with the other municipalities" if is_english(base.lower())
                            else "jämfört med de andra kommunerna")
        return Resolved(out, True, said_reading(out), "kommun,jämför")
    return None


def _own_period(turn: Turn, base: str) -> str:
    """What a turn sets the last answer beside when it names a year or a kind of figure the last
    question did not ("… mot Enköpings prognos för 2024" after Solna's costs of 2023): said as it
    stands, so each kommun keeps its period. '' when it names only the kommun, or the last
    question's own period."""
    m = COMPARE_LAST.search(turn.low)
    rest = turn.text[m.end():].strip(" ?.!") if m else ""
    low, base_low = rest.lower(), base.lower()
    named = set(YEAR_RE.findall(rest)) - set(YEAR_RE.findall(base)) or any(
        LEXICON.period_words[k].search(low) and not LEXICON.period_words[k].search(base_low) for k in ("prognos", "budget"))
    return rest if named else ""


def _set_beside(low: str, added: list[str]) -> bool:
    """Whether a turn sets the last answer beside a kommun it names: "Är det mer än i Eskilstuna?",
    "Säger Huddinges rapport samma sak?". A comparison with something else ("Varför blir
    lokalkostnaderna lägre än budgeterat … i Eskilstuna?") is a question of its own."""
    m = COMPARE_LAST.search(low)
    if m is None:
        return False
    if not re.search(r"\b(?:än|than)$", m.group(0)):
        return True
    names = "|".join(re.escape(k.lower()) for k in added)
    return bool(re.match(rf"\s+(?:(?:{THAN_KOMMUN})\s+){{0,2}}(?:{names})(?:s|'s)?\b", low[m.end():]))


def _new_subject(turn: Turn, base: str, base_kommuner: list[str], corpus: tuple[str, ...],
                 earlier: tuple[str, ...] = ()) -> Resolved | None:
    """A follow-up with a topic of its own: a part of the last question's subject, the same ranking
    of another subject, or a new subject in the last question's kommun and year. None for a turn
    that restricts the last question otherwise ("Bara för kvinnor?": a group, swapped later)."""
    text = turn.text
    part = narrowing_part(text, list(turn.kommuner), turn.english)
    if part:  # "Och i vuxensektionen?", "Bara för åldersgruppen 0–6 år?": the same question, for a part
        out = narrowed(base, part)
        return Resolved(out, True, said_reading(out), "grupp")
    if (out := _other_age_group(turn, base)):  # "Och ungdomarna 13–20 år?" after "… barn 0–12 år …"
        return Resolved(out, True, said_reading(out), "grupp")
    if turn.restricts:
        return None
    if not base_kommuner and _across_kommuner(base) and (swapped := swap_topic(base, text, list(turn.topic))):
        # "Hur ser det ut för lokaler?" after "Vilken kommun har högst personalkostnader?": the
        # same ranking of another subject
        return Resolved(swapped, True, said_reading(swapped), "ämne")
    # a new topic in the same context: "Och kostnaderna för hemtjänst?" keeps kommun and year
    connector = CONNECTOR.match(turn.low)
    body = (text[connector.end():] if connector else text).strip(" ,").rstrip("?.!").strip()
    # "Vad kostade den åldersgruppen …?": the range the chat last named (perhaps before a question
    # about something else, "Vad är KPB?")
    age = next((m for q in (base, *reversed(earlier)) if (m := age_range(q))), None)
    if age and (that := THAT_AGE_GROUP.search(body)):
        body = f"{body[:that.start()]}{that.group('noun')} {age.group()}{body[that.end():]}"
    pointing = pointing_words(list(turn.words))
    subject = subject_of(base, corpus)
    counted = COUNTED_NOUN.match(base)
    if (part := PARTITIVE.search(body)) and _stands_alone(body[part.end():]) and \
            (noun := counted.group("noun") if counted else subject):
        # "Hur många av dem gällde skyddat boende?": of what the last question counted
        body = f"{body[:part.start()]}{part.group('of')} {noun.lower()}{body[part.end():]}"
    elif subject and (that := THAT_THING.search(body)):  # "den verksamheten" is what the last question was about
        said = subject.lower()
        if counted and _NUMBER_NOUN.match(that.group("noun")):  # "that number" after "how many households": their number
            said = f"{'the number of' if turn.english else 'antalet'} {counted.group('noun').lower()}"
        body = f"{body[:that.start()]}{said}{body[that.end():]}"
    elif pointing and subject and pointing[0] not in POSSESSIVES and (not turn.english or (
            at := re.search(rf"\b{pointing[0]}\b", body, re.I)) is None or _stands_alone(body[at.end():])):
        # "den" is what the last question was about; "those placements" names its own (a Swedish
        # article before a noun is told by the noun's ending, `pointing_words`)
        body = re.sub(rf"\b{pointing[0]}\b", subject.lower(), body, count=1, flags=re.I)
    if subject and (there := _THERE.search(body)):
        # "Hur många placeringar har de haft där?": in the activity the last question was about
        body = f"{body[:there.start()]}{'in' if turn.english else 'inom'} {activity_of(subject)}{body[there.end():]}"
    out = capitalise(body) + "?"
    if not turn.kommuner and base_kommuner:
        out = swap_kommuner(out, [], base_kommuner, is_english(out.lower()))
    years = YEAR_RE.findall(base)
    if not YEAR_RE.search(text) and years:  # the last question's year (and months), or the one the turn moves to
        whole_year = LEXICON.comparison["full_year"].search(turn.low) or any(
            LEXICON.period_words[k].search(turn.low) for k in ("prognos", "budget"))  # a year's forecast or budget
        months = PART_OF_YEAR.search(base) if not months_in(list(turn.words)) and not whole_year else None
        said = " och ".join(dict.fromkeys(years))
        out = years_said(out, years) if year_shift(text) else append_phrase(
            out, f"{months.group().strip()} {said}" if months else said)
    return Resolved(out, True, said_reading(out), "ämne")


def _other_age_group(turn: Turn, base: str) -> str:
    """The last question asked of another age group the turn names with a noun for its people
    ("Och ungdomarna 13–20 år?" after "Hur många barn 0–12 år var placerade …"): the range
    replaced. '' when the turn names anything else of its own, or either names no range."""
    new, old = age_range(turn.text), age_range(base)
    said = re.search(r"(\w+)\s+$", turn.text[:new.start()]) if new else None
    if not old or not said or set(turn.topic) - {said.group(1).lower()}:
        return ""
    return base[:old.start()] + new.group() + base[old.end():]


#: a noun for the figure itself ("den siffran", "that number"): of a count, the number of what was counted
_NUMBER_NOUN = re.compile(r"^(?:siffra|antal|number|figure)", re.I)

#: "där"/"there" closing a follow-up: the place is the last question's activity
_THERE = re.compile(r"\b(?:där|there)\s*$", re.I)

#: what follows a pronoun standing for a noun ("av dem gällde", "of them were"), not an article before one
_AFTER_ALONE = re.compile(r"^\s*(?:[?.!,]|$|(?:var|är|blev|blir|hade|har|gällde|gäller|fick|kom|som|were|was|are|"
                          r"is|had|have|did|that|who|\w+(?:ade|de|te|ed))\b)", re.I)


def _stands_alone(after: str) -> bool:
    """Whether a partitive's pronoun stands for the last question's noun ("Hur många av dem gällde …")
    rather than being the article of a noun of its own ("of those placements")."""
    return bool(_AFTER_ALONE.match(after))


def _shifted_context(turn: Turn, base: str, base_kommuner: list[str],
                     years_covered: Mapping[str, frozenset[int]] | None) -> tuple[str, list[str]]:
    """The last question moved to the turn's kommun, year, months, report or whole year."""
    text, out, kinds = turn.text, base, []
    kommuner = list(turn.kommuner)
    if kommuner and kommuner != base_kommuner:
        out = swap_kommuner(out, base_kommuner, kommuner)
        kinds.append("kommun")
        if years_covered and not YEAR_RE.search(text):
            out = without_uncovered_years(out, kommuner, years_covered)
    years = YEAR_RE.findall(text)
    if years:
        old = YEAR_RE.findall(out)
        joined = " och ".join(dict.fromkeys(years))
        # "Och 2022?" replaces the year the question is about
        if old and years_covered and _past_target(int(max(old)), [int(y) for y in years], years_covered):
            out = _target_as_outcome(out)  # "målet för 2030", then "Och 2021?": what it was in 2021
        out = re.sub(rf"\b{max(old)}\b", joined, out) if old else append_phrase(out, joined)
        kinds.append("år")
    elif (delta := year_shift(text)) and not CHANGE_ASKED.match(turn.low):  # "Har det ökat sedan förra året?" moves no year
        out = shift_years(out, delta) if YEAR_RE.search(out) else append_phrase(
            out, "föregående år" if delta == -1 else "året efter" if delta == 1 else f"{abs(delta)} år tidigare")
        kinds.append("år")
    months = months_in(list(turn.words))
    if months:
        out = _months_moved(out, months[-1])
        kinds.append("år")
    report_types = LEXICON.report_types_in(text)
    if report_types:  # "Och i tertialrapporten?": the same question read in another of the kommun's reports
        out = swap_report(out, report_types[0], keep_month=bool(months))
        kinds.append("rapport")
    full_year = LEXICON.comparison["full_year"]
    if full_year.search(turn.low) and not full_year.search(out):
        # "Och för helåret?": the whole year instead of the months the last question named
        out = re.sub(r"\s{2,}", " ", PART_OF_YEAR.sub(" ", out))
        out = append_phrase(out, "for the full year" if is_english(out.lower()) else "för helåret")
        kinds.append("år")
    return out, kinds


def _past_target(old: int, new: list[int], years_covered: Mapping[str, frozenset[int]]) -> bool:
    """A move from a year after every report's to years before the latest report's."""
    latest = max((y for ys in years_covered.values() for y in ys), default=0)
    return old > latest and all(y < latest for y in new)


def _target_as_outcome(question: str) -> str:
    """The question with its target's word read as the outcome's ("målet" -> "utfallet")."""
    words = "|".join(sorted(TARGET_AS_OUTCOME, key=len, reverse=True))
    return re.sub(rf"\b({words})\b", lambda m: _same_case(TARGET_AS_OUTCOME[m.group(1).lower()], m.group(1)),
                  question, flags=re.I)


def _same_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def _months_moved(question: str, month: str) -> str:
    """A span's end is what a follow-up moves ("januari–augusti", then "januari–april")."""
    old = months_in(words_of(question))
    if not old:
        return append_phrase(question, f"till och med {month}")
    old_english = LEXICON_MONTHS_ENGLISH[MONTHS.index(old[-1])]
    new_name = LEXICON_MONTHS_ENGLISH[MONTHS.index(month)].capitalize() if is_english(question.lower()) else month
    return re.sub(rf"\b(?:{old[-1]}|{old_english})\b", new_name, question, flags=re.I)


def _shifted_question(turn: Turn, out: str) -> tuple[str, list[str]]:
    """The question itself moved: the other end of a ranking, another measure, age or group, a why
    of a what, a what of a why."""
    low, kinds = turn.low, []
    swapped = swap_superlative(out, low)
    if swapped != out:  # "Och lägst?" after "Vilken kommun har högst …?"
        out = swapped
        kinds.append("ordning")
    why = WHY.search(low)
    # "Varför är de högre än budget?": the budget is part of the why, no measure swapped
    measures = [] if why else measures_named(list(turn.words))
    if measures:
        out = replace_measures(out, measures)
        kinds.append("mått")
    age = age_range(turn.text)
    if age:  # "Och 7–12 år?": the same question for another age group
        old_age = age_range(out)
        out = out[:old_age.start()] + age.group() + out[old_age.end():] if old_age else \
            append_phrase(out, f"för åldersgruppen {age.group()}")
        kinds.append("grupp")
    groups = groups_named(list(turn.words), turn.english)
    if groups:
        said = [w for w in turn.words if groups_named([w], True)]
        out = replace_groups(out, groups, turn.english, said)
        kinds.append("grupp")
    if why:
        out = to_why(out, low)
        kinds.append("varför")
    elif WHY_START.match(out) and LEAD.match(low):
        out = from_why(out, turn.text)
        kinds.append("varför")
    elif (change := CHANGE_ASKED.match(low)) and not UP_DOWN.search(out.lower()):
        # "Har det ökat?" after "Hur många samtal …?": the same question, and whether it changed
        stem, asked = out.rstrip().rstrip("?.!").rstrip(), change.group("asked").rstrip("?. ")
        english = is_english(out.lower())
        if english != (asked.split()[0] in CHANGE_ASKED_ENGLISH):  # said in the other language
            asked = "has it changed" if english else "har det förändrats"
        out = f"{stem}{', and' if english else ', och'} {asked}?"
        kinds.append("förändring")
    return out, kinds


def resolve(question: str, history: Iterable[str] = (), kommuner_in_corpus: Iterable[str] = (),
            years_covered: Mapping[str, frozenset[int]] | None = None) -> Resolved:
    """`question` made standalone using the earlier questions of the chat (oldest first).

    Each earlier question is resolved in turn, so a chain of follow-ups
    ("Och i Huddinge?", then "Och förra året?") builds on the last complete reading."""
    if isinstance(history, str):
        raise ValueError("history must be a sequence of earlier questions, not one string")
    corpus = tuple(kommuner_in_corpus)
    base: str | None = None
    kommuner: list[str] = []  # the chat's kommuner: the last ones a reading named
    readings: list[tuple[str, list[str]]] = []  # each earlier reading, with the chat's kommuner then
    discussed: list[str] = []  # the kommuner named since the chat's last complete question
    for earlier in history:
        if not isinstance(earlier, str) or not earlier.strip():
            continue
        read = _resolve_one(earlier, _with_kommuner(base, kommuner, corpus), corpus, years_covered)
        base = read.question
        kommuner = kommuner_named(base, corpus) or ([] if _across_kommuner(base) else kommuner)
        readings.append((base, kommuner))
        discussed = list(dict.fromkeys((discussed if read.used_history else []) + kommuner))
    which = WHICH_OF_THEM.match(re.sub(r"\s+", " ", question))
    if which and base and len(discussed) > 1 and _end_of(which.group("end")):
        # "Vilken är högst?" after answers about two kommuner: the subject, ranked over them
        out = ranked_over(base, discussed, which.group("end"), corpus)
        return Resolved(out, True, said_reading(out), "kommun,jämför")
    back = RETURN_TO.match(re.sub(r"\s+", " ", question))
    if back and len(readings) > 1 and _only_shifts(back.group("rest"), corpus):
        # "Tillbaka till X – hur många var det 2022?": the rest moves the earlier reading about X
        base, kommuner = _earlier_about(back.group("topic"), readings, corpus)
        question = capitalise(back.group("rest").strip())
    return _resolve_one(question, _with_kommuner(base, kommuner, corpus), corpus, years_covered,
                        tuple(r for r, _ in readings))


def _only_shifts(text: str, corpus: tuple[str, ...]) -> bool:
    """A turn naming no topic or measure of its own: it moves the year, month or kommun of a reading."""
    english = is_english(text.lower())
    return not asked_topic(text, kommuner_named(text, corpus), english) and not measures_named(words_of(text))


def _end_of(word: str) -> str:
    """'max' or 'min' for a word for the highest or the lowest ("högst", "störst", "lägst"), else ''."""
    low = word.lower()
    return next((k for k in ("max", "min") if any(rx.search(low) for rx in LEXICON.superlatives.get(k, ()))), "")


def _earlier_about(topic: str, readings: list[tuple[str, list[str]]], corpus: tuple[str, ...]) -> tuple[str, list[str]]:
    """The earlier reading a turn goes back to: the first question, or the one sharing most word
    beginnings with the subject named (the latest of equals)."""
    if FIRST_QUESTION.search(topic):  # "Tillbaka till den första frågan"
        return readings[0]
    want = {w[:5] for w in topic_words(topic, kommuner_named(topic, corpus), is_english(topic.lower()))}

    def shared(reading: tuple[str, list[str]]) -> int:
        return len(want & word_beginnings(reading[0]))

    return max(reversed(readings), key=shared)


def _across_kommuner(question: str) -> bool:
    """A reading that asks about every kommun ("Vilken kommun har högst …", "… i kommunerna"): the
    chat is no longer about the kommuner named before it."""
    return LEXICON.is_rank(question) or bool(ACROSS.search(question))


def _with_kommuner(base: str | None, kommuner: list[str], corpus: tuple[str, ...]) -> str | None:
    """The last reading with the chat's kommuner when it names none: "What does the Färdplan say
    about KPB?", asked in a chat about Eskilstuna, leaves the kommun where it was, so the next
    follow-up ("And that unit's forecast?") is still about Eskilstuna. A complete question that
    names no kommun is unchanged by this (it inherits nothing); only a follow-up reads the base."""
    if not base or not kommuner or kommuner_named(base, corpus):
        return base
    return swap_kommuner(base, [], kommuner, is_english(base.lower()))
