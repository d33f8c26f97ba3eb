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

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..kommuner import kommuner_in
from ..lexicon import LEXICON
from ..years import YEAR_RE
from .turns import TurnFeatures, turn_model

_WORD = re.compile(r"[0-9A-Za-zÅÄÖåäöÉéÜü]+(?:-[0-9A-Za-zÅÄÖåäöÉéÜü]+)*")
_WORDS = LEXICON.conversation  # the reviewed words (rag/data/lexicon.json, "conversation")


def _rx(name: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in _WORDS[name]), re.I)


_CONNECTOR = _rx("connector")
_RESTRICT_START = _rx("restrict_start")
_COMPARE_LAST = _rx("compare_last")
_ACROSS = _rx("across_kommuner")
_NARROW_START = _rx("narrow_start")
_WHY = _rx("why")
_WHY_START = _rx("why_start")
_LEAD = _rx("lead")
_LEAD_VERB = _rx("lead_verb")
_RELATIVE_YEAR = {-1: _rx("year_back"), +1: _rx("year_forward")}
_SAY_FRAME = _rx("say_frame")
_RETURN_TO = _rx("return_to")
_FIRST_QUESTION = _rx("first_question")
_WHICH_OF_THEM = _rx("which_of_them")

MONTHS = LEXICON.months
LEXICON_MONTHS_ENGLISH = tuple(_WORDS["months_english"])
_MONTH_NAMES = "|".join(sorted({*MONTHS, *(m[:3] for m in MONTHS), *(m.lower() for m in _WORDS["months_english"])},
                               key=len, reverse=True))
#: the months of a year a question names ("januari–augusti", "till och med augusti", "until August")
_PART_OF_YEAR = re.compile(rf"\b(?:(?:{_MONTH_NAMES})\s*[–-]\s*(?:{_MONTH_NAMES})|(?:till och med|until|up to|per) "
                           rf"(?:{_MONTH_NAMES}))\b", re.I)
#: Measure / period words a follow-up may swap ("Och budgeten?"), with the form put into a question.
_MEASURES = tuple((re.compile(rx), form) for form, rx in _WORDS["measures"].items())
_MEASURES_ENGLISH: dict[str, str] = dict(_WORDS["measures_english"])  # the same forms in an English question
#: Population groups a follow-up may restrict to ("Bara för kvinnor?"), with the Swedish form.
_GROUPS: dict[str, str] = dict(_WORDS["groups"])
_ENGLISH_ONLY_GROUPS: dict[str, str] = dict(_WORDS["english_only_groups"])
#: Words that say how something is asked or point back, never what about.
_FUNCTION = frozenset(_WORDS["function_words"])
_LINKS = frozenset(_WORDS["links"])
_STRONG_ANAPHORA = frozenset(_WORDS["strong_anaphora"])
_PRONOUNS = frozenset(_WORDS["pronouns"])
_POINTING = frozenset(_WORDS["pointing"])  # pronouns that stand for a thing named before
_PRONOUN_PREPOSITIONS = frozenset(_WORDS["pronoun_prepositions"])
_QUESTION_START = frozenset(_WORDS["question_start"])  # words a complete question opens with
_UP_DOWN = _rx("up_down")
_ADJ = _rx("adjective")
#: a question this long that names its own kommun is complete even when its only content is a
#: measure and a period ("Vilken helårsprognos hade Enköpings socialnämnd i april 2024?"); shorter
#: ones ("Och i Huddinge 2022?") lean on the chat
_COMPLETE_WORDS = 6


@dataclass(frozen=True)
class Resolved:
    """A question made standalone; `reading` says how a follow-up was read."""

    question: str
    used_history: bool
    reading: str = ""
    kind: str = ""  # what the follow-up changed: kommun, år, mått, varför, grupp, ämne (comma-joined)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _kommuner(text: str, corpus: Iterable[str]) -> list[str]:
    found = kommuner_in(text)
    for k in corpus:
        if k not in found and re.search(rf"\b{re.escape(k)}s?\b", text, re.I):
            found.append(k)
    return found


def _english(low: str) -> bool:
    return bool(re.search(r"\b(what|how|why|which|about|the|only|and|for)\b", low)) and not re.search(r"[åäö]", low)


def _groups(words: list[str], english: bool) -> list[str]:
    table = {**_GROUPS, **(_ENGLISH_ONLY_GROUPS if english else {})}
    return list(dict.fromkeys(table[w] for w in words if w in table))


def _measures(words: list[str]) -> list[str]:
    out = []
    for w in words:
        for rx, form in _MEASURES:
            if rx.match(w) and form not in out:
                out.append(form)
    return out


def _topic_words(text: str, kommuner: list[str], english: bool) -> list[str]:
    """Content words that name what is asked about."""
    names = {k.lower() for k in kommuner} | {k.lower() + "s" for k in kommuner}
    groups = {**_GROUPS, **(_ENGLISH_ONLY_GROUPS if english else {})}
    out = []
    for w in _words(text):
        if (w in _FUNCTION or w in names or w.isdigit() or w in groups or w in MONTHS or len(w) < 2
                or any(rx.match(w) for rx, _ in _MEASURES)):
            continue
        out.append(w)
    return out


def _asked_topic(text: str, kommuner: list[str], english: bool) -> list[str]:
    """The topic words of a turn, without the words that ask why ("hur kom det sig", "vad påverkade
    det") or move the year ("the year before", "året innan"): those name no topic of their own."""
    for rx in (_WHY, *_RELATIVE_YEAR.values()):
        text = rx.sub(" ", text)
    return _topic_words(text, kommuner, english)


def _swap_kommuner(base: str, old: list[str], new: list[str], english: bool = False) -> str:
    if not new or old == new:
        return base
    def joined(names: list[str]) -> str:
        return " och ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " och " + names[-1]

    if not old:  # "What was the share in 2021 in Huddinge?"
        return _append(base, f"{'in' if english else 'i'} {joined(new)}")
    first = True

    def repl(m: re.Match) -> str:
        nonlocal first
        if not first:
            return ""
        first = False
        return joined([k + (m.group(2) or "") for k in new])  # "Enköpings och Eskilstunas socialnämnd"

    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(old, key=len, reverse=True)) + r")(s)?\b")
    out = pattern.sub(repl, base)
    out = re.sub(r"\s+(och|,)\s+(?=[,?.]|\s|$)", " ", out)  # "Solna och Huddinge" with both replaced
    return re.sub(r"\s{2,}", " ", out)


def _append(base: str, phrase: str) -> str:
    stem = base.rstrip().rstrip("?.!").rstrip()
    return f"{stem} {phrase}?"


def _shift_years(base: str, delta: int) -> str:
    return YEAR_RE.sub(lambda m: str(int(m.group()) + delta), base)


_WHY_FILLER = frozenset(_WORDS["why_filler"])


def _why_tail(f_low: str) -> str:
    """What a why follow-up adds after its pronoun: 'Varför är de högre än budget?' -> 'högre än budget'."""
    m = _WHY.search(f_low)
    words = _WORD.findall(f_low[m.end():] if m else f_low)
    while words and words[0] in _WHY_FILLER:
        words.pop(0)
    if words and _UP_DOWN.fullmatch(words[0]):
        return ""
    return " ".join(words)


def _to_why(base: str, f_low: str) -> str:
    """'Hur hög var sjukfrånvaron i X 2023?' -> 'Varför var sjukfrånvaron i X 2023 så hög?'."""
    if _WHY.search(base):
        return base
    m = _LEAD.match(base)
    rest = base[m.end():] if m else base
    adj = _ADJ.match(m.group(1).strip()) if m else None
    rest = rest.rstrip().rstrip("?.!").rstrip()
    if m and (said := _SAY_FRAME.match(rest)):  # "Vad säger X om Y?" -> "Vad förklarar Y enligt X?"
        return f"Vad förklarar {said.group('subject')} enligt {said.group('source')}?"
    first = rest.split(" ", 1)[0]
    if not m and first[:1].isupper() and not first[1:2].isupper() and not kommuner_in(first):
        rest = rest[0].lower() + rest[1:]  # "Varför räknade Enköping …?"; "SIS", "Enköpings" stay
    if tail := _why_tail(f_low):
        return f"Varför {rest} {tail}?"
    direction = _UP_DOWN.search(f_low)
    if direction and not _UP_DOWN.search(rest):
        rest = _LEAD_VERB.sub("", rest)
        rest = f"{direction.group(1).lower()} {rest}"
        adj = None
    tail = f" så {adj.group(1).lower()}" if adj else ""
    if _english(base.lower()):  # "What did Eskilstuna spend …?" -> "Why did Eskilstuna spend …?"
        return f"Why {rest}?"
    return f"Varför {rest}{tail}?"


def _topic_span(text: str, topic: list[str]) -> tuple[int, int] | None:
    """Where a text's subject stands: from its first topic word that names no kind of figure
    ("kostnader") to its last (the words between them kept: "köp av verksamhet")."""
    spans = [m for m in _WORD.finditer(text) if m.group().lower() in topic and not _figure_kind(m.group().lower())]
    return (spans[0].start(), spans[-1].end()) if spans else None


def _figure_kind(word: str) -> bool:
    """A word naming the kind of figure asked (kostnader, budget, underskott), not its subject."""
    return word in LEXICON.measure_words or any(rx.match(word) for rx, _ in _MEASURES) \
        or any(rx.search(word) for rx in LEXICON.superlatives.get("negative", ()))


def _swap_topic(base: str, text: str, topic: list[str]) -> str:
    """The base question with its subject replaced by the turn's, as the turn words it (to its end:
    "institutionsvård för barn och unga"); "" when other words than links stand inside the base's."""
    english = _english(base.lower())
    old = _topic_words(base, [], english)
    where, said = _topic_span(base, old), _topic_span(text, topic)
    if said is None:
        return ""
    phrase = text[said[0]:].strip().rstrip("?.!").strip()
    if where is None:  # the base names only a kind of figure ("störst underskott"): of the subject named
        return _append(base, ("for " if english else "för ") + phrase)
    if any(w not in old and w not in _FUNCTION and w not in _LINKS for w in _words(base[where[0]:where[1]])):
        return ""
    return base[:where[0]] + phrase + base[where[1]:]


def _swap_superlative(base: str, f_low: str) -> str:
    """The last question with the other end asked: its word for the highest ("högst") replaced by the
    turn's word for the lowest ("lägst"), or the other way round."""
    ends = {k: LEXICON.superlatives.get(k, ()) for k in ("max", "min")}
    for asked, other in (("max", "min"), ("min", "max")):
        said = next((m for rx in ends[asked] if (m := rx.search(f_low))), None)
        there = next((m for rx in ends[other] if (m := rx.search(base.lower()))), None)
        if said and there:
            return base[:there.start()] + said.group() + base[there.end():]
    return base


def _from_why(base: str, follow: str) -> str:
    """'Varför ökade X?' followed by 'Hur mycket?' -> 'Hur mycket ökade X?'."""
    m = _LEAD.match(follow)
    if not m or not _WHY_START.match(base):
        return base
    return f"{m.group(1)[0].upper()}{m.group(1)[1:].lower()} {_WHY_START.sub('', base, count=1)}"


def _replace_measures(base: str, measures: list[str]) -> str:
    words = set(_words(base))
    english = _english(base.lower())
    if english:  # an English question keeps its language: "… according to the forecast"
        measures = [_MEASURES_ENGLISH.get(m, m) for m in measures]
    if any(any(rx.match(w) for rx, _ in _MEASURES) for w in words):
        done = False

        def repl(m: re.Match) -> str:
            nonlocal done
            w = m.group(0)
            if not any(rx.match(w.lower()) for rx, _ in _MEASURES):
                return w
            if done:
                return ""
            done = True
            return " och ".join(measures)

        return re.sub(r"\s{2,}", " ", _WORD.sub(repl, base))
    return _append(base, ("according to " if english else "enligt ") + (" and " if english else " och ").join(measures))


def _replace_groups(base: str, groups: list[str], english: bool) -> str:
    table = {**_GROUPS, **(_ENGLISH_ONLY_GROUPS if _english(base.lower()) else {})}
    joined = " och ".join(groups)
    # only a group named as a restriction ("för kvinnor", "bland män") is swapped, not one inside the topic
    rx = re.compile(r"\b(för|bland|for|among)\s+(" + "|".join(re.escape(g) for g in table) + r")\b", re.I)
    if rx.search(base):
        return rx.sub(lambda m: f"{m.group(1)} {joined}", base, count=1)
    return _append(base, f"för {joined}")


def _narrowing(text: str, kommuner: list[str], english: bool) -> str:
    """The part a follow-up narrows the last question to, with its preposition ("inom
    vuxensektionen"), or "". A kommun, a report, a known group (swapped instead) or a bare "för X"
    without "bara" (a new subject: "Och för ekonomiskt bistånd?") is no narrowing."""
    m = _NARROW_START.match(text)
    if not m or kommuner or LEXICON.report_types_in(text) or _groups(_words(text), english):
        return ""
    restricted = bool(_RESTRICT_START.match(re.sub(r"^\s*(?:och|men|and|but)\s+", "", text, flags=re.I)))
    prep = m.group("prep").lower()
    if prep in ("för", "for") and not restricted:
        return ""
    return f"{'inom' if prep in ('i', 'in', 'within') and not english else prep} {m.group('part').strip()}"


def _narrowed(base: str, part: str) -> str:
    """`base` for `part`: a part the base names with the same preposition ("inom barn- och
    ungdomssektion 2", then "Och i vuxensektionen?") is replaced, else the part is added. Only
    "inom" and "bland" are replaced: "för" in a question as often introduces its period."""
    prep = part.split()[0]
    if prep in ("inom", "bland", "within", "among"):
        rx = re.compile(rf"\b{prep}\s+.+?(?=\s+(?:i|för|under|per|enligt|in|for|during)\s|[?,.]|$)", re.I)
        if rx.search(base):
            return rx.sub(lambda _m: part, base, count=1)
    return _append(base, part)


def _capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def subject_of(question: str, corpus_kommuner: Iterable[str] = ()) -> str:
    """What a question asks about, as it words it: its first run of topic words, linked by small
    words ("kostnaderna för ekonomiskt bistånd"), without a kommun's name."""
    kommuner = _kommuner(question, corpus_kommuner)
    topic = set(_topic_words(question, kommuner, _english(question.lower())))
    tokens = list(_WORD.finditer(question))
    start = end = None
    for i, m in enumerate(tokens):
        w = m.group(0).lower()
        if start is None:
            if w in topic:
                start, end = m.start(), m.end()
            continue
        if w in topic or (w in _GROUPS and tokens[i - 1].group(0).lower() in _LINKS):
            end = m.end()
        elif not (w in _LINKS and i + 1 < len(tokens) and (tokens[i + 1].group(0).lower() in topic
                                                             or tokens[i + 1].group(0).lower() in _GROUPS)):
            break
    label = question[start:end] if start is not None else ""
    for k in kommuner:
        label = re.sub(rf"\s*\bi\s+{re.escape(k)}s?\b|\b{re.escape(k)}s?\b", "", label)
    return re.sub(r"\s{2,}", " ", label).strip(" ,")


def is_fragment(question: str, corpus: Iterable[str] = ()) -> bool:
    """A follow-up's words with nothing to follow ("Och i Solna?", "Och 2022?", "Men varför?"): it
    opens with a connector and names no topic of its own. Asked alone it asks nothing."""
    text = re.sub(r"\s+", " ", question).strip()
    low = text.lower()
    return bool(_CONNECTOR.match(low)) and not _asked_topic(text, _kommuner(text, tuple(corpus)), _english(low))


def said_reading(question: str) -> str:
    """How a follow-up was read, said as the question it was read as, so a person can check it."""
    return f"Jag läser frågan som: «{question}»"


def _subject_pronoun(words: list[str]) -> str:
    """The pronoun a why turn stands its subject in ("Varför är de så höga …": "de"), '' when none."""
    return next((w for i, w in enumerate(words) if w in _PRONOUNS and 0 < i <= 3
                 and not (i + 1 < len(words) and len(words[i + 1]) > 3
                          and re.search(r"(?:[ae]|en|et|na)$", words[i + 1]) and words[i + 1] not in _FUNCTION)), "")


def _pointing(words: list[str]) -> list[str]:
    """Pronouns standing for a thing named before ("Varför väntas den gå med underskott?"; after a
    preposition any pronoun: "för det", "av den"). Before an adjective or a noun ("den negativa
    avvikelsen", "den budgeten") a pronoun is an article and points at a phrase of its own."""
    return [w for i, w in enumerate(words)
            if (w in _POINTING or (w in _PRONOUNS and i > 0 and words[i - 1] in _PRONOUN_PREPOSITIONS))
            and not (i + 1 < len(words) and len(words[i + 1]) > 3 and re.search(r"(?:[ae]|en|et|na)$", words[i + 1]))]


def turn_features(question: str, base: str, corpus: tuple[str, ...]) -> TurnFeatures:
    """The signals of a turn, asked after `base` (the chat's last question, resolved), for the
    fitted decision whether it leans on the chat."""
    text = re.sub(r"\s+", " ", question).strip()
    low, words = text.lower(), _words(text)
    english = _english(low)
    kommuner = _kommuner(text, corpus)
    topic = _asked_topic(text, kommuner, english)
    return TurnFeatures(
        own_topic=float(bool(topic)), topic_words=math.log1p(len(topic)), names_kommun=float(bool(kommuner)),
        length=math.log1p(len(words)), kommun_at_length=float(bool(kommuner) and len(words) >= _COMPLETE_WORDS),
        connector=float(bool(_CONNECTOR.match(low))),
        strong_anaphora=float(any(w in _STRONG_ANAPHORA for w in words)),
        short_pronoun=float(len(words) <= 4 and any(w in _PRONOUNS for w in words)),
        pointing=float(bool(_pointing(words)) and not kommuner and bool(_kommuner(base, corpus))),
        restrict=float(bool(_RESTRICT_START.match(low))),
        narrowing=float(bool(topic) and bool(_narrowing(text, kommuner, english))),
        names_year=float(bool(YEAR_RE.search(text))),
        relative_year=float(any(rx.search(text) for rx in _RELATIVE_YEAR.values())),
        names_month=float(bool(_months_in(words))), names_report=float(bool(LEXICON.report_types_in(text))),
        why=float(bool(_WHY.search(low))), across_kommuner=float(LEXICON.is_rank(text)), question_word_start=float(bool(words) and words[0] in _QUESTION_START),
        english=float(english),
    )


def _resolve_one(question: str, base: str | None, corpus: tuple[str, ...],
                 years_covered: Mapping[str, frozenset[int]] | None = None) -> Resolved:
    text = re.sub(r"\s+", " ", question).strip()
    if not base or not text:
        return Resolved(text, False)
    low = text.lower()
    english = _english(low)
    words = _words(text)
    kommuner = _kommuner(text, corpus)
    topic = _asked_topic(text, kommuner, english)
    connector = _CONNECTOR.match(low)
    base_kommuner = _kommuner(base, corpus)
    pointing = _pointing(words)
    restrict = _RESTRICT_START.match(low)
    added = [k for k in kommuner if k not in base_kommuner]
    if base_kommuner and added and _COMPARE_LAST.search(low):
        # "Är det mer än i Eskilstuna?", "Säger Huddinges rapport samma sak?" point back at the last
        # answer whatever else they name: the last question, asked of its kommuner and the one named
        both = base_kommuner + added
        out = _swap_kommuner(base, base_kommuner, both)
        if years_covered and not YEAR_RE.search(text):
            out = _without_uncovered_years(out, both, years_covered)
        return Resolved(out, True, said_reading(out), "kommun,jämför")
    if kommuner and _WHY.search(low) and not topic and (said := _subject_pronoun(words)) \
            and (subject := subject_of(base, corpus)):
        # "Varför är de så höga i Eskilstuna?" after a question about personalkostnader: the pronoun is
        # the last question's subject, asked of the kommun named
        out = _capitalise(re.sub(rf"\b{said}\b", subject.lower(), text, count=1, flags=re.I))
        return Resolved(out, True, said_reading(out), "varför,kommun")
    others = LEXICON.comparison["other_kommuner"]
    if base_kommuner and not kommuner and others.search(low) and not others.search(base) \
            and not _asked_topic(others.sub(" ", text), kommuner, english):
        # "Hur ser det ut i de andra kommunerna?": the last question, set beside every other kommun
        out = _append(base, "compared with the other municipalities" if _english(base.lower())
                      else "jämfört med de andra kommunerna")
        return Resolved(out, True, said_reading(out), "kommun,jämför")
    if not turn_model().follows(turn_features(text, base, corpus)):
        return Resolved(text, False)  # a complete question: it inherits nothing
    kinds: list[str] = []
    part = _narrowing(text, kommuner, english) if topic else ""
    if part:  # "Och i vuxensektionen?", "Bara för åldersgruppen 0–6 år?": the same question, for a part
        out = _narrowed(base, part)
        return Resolved(out, True, said_reading(out), "grupp")
    if topic and not restrict and not base_kommuner and _across_kommuner(base) and (
            swapped := _swap_topic(base, text, topic)):
        # "Hur ser det ut för lokaler?" after "Vilken kommun har högst personalkostnader?": the
        # same ranking of another subject
        return Resolved(swapped, True, said_reading(swapped), "ämne")
    if topic and not restrict:
        # a new topic in the same context: "Och kostnaderna för hemtjänst?" keeps kommun and year
        body = text[connector.end():] if connector else text
        body = body.strip(" ,").rstrip("?.!").strip()
        subject = subject_of(base, corpus)
        if pointing and subject:  # "den" is what the last question was about
            body = re.sub(rf"\b{pointing[0]}\b", subject.lower(), body, count=1, flags=re.I)
        out = _capitalise(body) + "?"
        if not kommuner and base_kommuner:
            out = _swap_kommuner(out, [], base_kommuner, _english(out.lower()))
        years = YEAR_RE.findall(base)
        if not YEAR_RE.search(text) and years and not any(rx.search(text) for rx in _RELATIVE_YEAR.values()):
            out = _append(out, " och ".join(dict.fromkeys(years)))
        kinds.append("ämne")
        return Resolved(out, True, said_reading(out), ",".join(kinds))
    out = base
    if kommuner and kommuner != base_kommuner:
        out = _swap_kommuner(out, base_kommuner, kommuner)
        kinds.append("kommun")
        if years_covered and not YEAR_RE.search(text):
            out = _without_uncovered_years(out, kommuner, years_covered)
    years = YEAR_RE.findall(text)
    if years:
        old = YEAR_RE.findall(out)
        joined = " och ".join(dict.fromkeys(years))
        if old:
            latest = max(old)  # "Och 2022?" replaces the year the question is about
            out = re.sub(rf"\b{latest}\b", joined, out)
        else:
            out = _append(out, joined)
        kinds.append("år")
    else:
        for delta, rx in _RELATIVE_YEAR.items():
            if rx.search(text):
                out = _shift_years(out, delta) if YEAR_RE.search(out) else _append(
                    out, "föregående år" if delta < 0 else "året efter")
                kinds.append("år")
                break
    months = _months_in(words)
    if months:
        old = _months_in(_words(out))
        # a span's end is what a follow-up moves ("januari–augusti", then "januari–april")
        if old:
            english = LEXICON_MONTHS_ENGLISH[MONTHS.index(old[-1])]
            swedish_out = not _english(out.lower())
            new_name = months[-1] if swedish_out else LEXICON_MONTHS_ENGLISH[MONTHS.index(months[-1])].capitalize()
            out = re.sub(rf"\b(?:{old[-1]}|{english})\b", new_name, out, flags=re.I)
        else:
            out = _append(out, f"till och med {months[-1]}")
        kinds.append("år")
    report_types = LEXICON.report_types_in(text)
    if report_types:  # "Och i tertialrapporten?": the same question read in another of the kommun's reports
        out = _swap_report(out, report_types[0])
        kinds.append("rapport")
    if LEXICON.comparison["full_year"].search(low) and not LEXICON.comparison["full_year"].search(out):
        # "Och för helåret?": the whole year instead of the months the last question named
        out = re.sub(r"\s{2,}", " ", _PART_OF_YEAR.sub(" ", out))
        out = _append(out, "for the full year" if _english(out.lower()) else "för helåret")
        kinds.append("år")
    swapped = _swap_superlative(out, low)
    if swapped != out:  # "Och lägst?" after "Vilken kommun har högst …?"
        out = swapped
        kinds.append("ordning")
    why = _WHY.search(low)
    measures = _measures(_words(_why_tail(low)) if why else words)
    measures = [] if why else measures  # "Varför är de högre än budget?": the budget is part of the why
    if measures:
        out = _replace_measures(out, measures)
        kinds.append("mått")
    age = _age_range(text)
    if age:  # "Och 7–12 år?": the same question for another age group
        old_age = _age_range(out)
        out = out[:old_age.start()] + age.group() + out[old_age.end():] if old_age else \
            _append(out, f"för åldersgruppen {age.group()}")
        kinds.append("grupp")
    groups = _groups(words, english)
    if groups:
        out = _replace_groups(out, groups, english)
        kinds.append("grupp")
    if why:
        out = _to_why(out, low)
        kinds.append("varför")
    elif _WHY_START.match(out) and _LEAD.match(low):
        out = _from_why(out, text)
        kinds.append("varför")
    return Resolved(out, True, said_reading(out), ",".join(kinds))


def _age_range(text: str) -> re.Match | None:
    """The first age range a text names, as written ("0–6 år", "över 65 år")."""
    found = [m for rx in (LEXICON.age_range, LEXICON.age_from) if (m := rx.search(text))]
    return min(found, key=lambda m: m.start()) if found else None


def _months_in(words: list[str]) -> list[str]:
    """The months a text names, in the order named, Swedish or English."""
    english = [m.lower() for m in LEXICON_MONTHS_ENGLISH]
    out = []
    for w in words:
        if w in MONTHS:
            out.append(w)
        elif w in english:
            out.append(MONTHS[english.index(w)])
    return out


def _swap_report(question: str, report_type: str) -> str:
    """The question read in a report of another type: the type it names replaced, else added."""
    for name, patterns in LEXICON.report_types.items():
        for rx in patterns:
            if rx.search(question):
                return rx.sub(f"{report_type}en", question, count=1) if name != report_type else question
    return _append(question, f"enligt {report_type}en")


def _without_uncovered_years(question: str, kommuner: list[str], years_covered: Mapping[str, frozenset[int]]) -> str:
    """"Och Huddinge?" after a question about Enköping in 2024 asks for Huddinge's own figure: a year
    none of the new kommuner's reports is of is left out, so their latest report answers."""
    covered = set().union(*(years_covered.get(k, frozenset()) for k in kommuner))
    for year in set(YEAR_RE.findall(question)):
        if covered and int(year) not in covered:
            question = re.sub(rf"\s*\b(?:för|under|i|år|in|for|during)?\s*\b{year}\b", "", question)
    return re.sub(r"\s+([?.!,])", r"\1", question)


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
        kommuner = _kommuner(base, corpus) or ([] if _across_kommuner(base) else kommuner)
        readings.append((base, kommuner))
        discussed = list(dict.fromkeys((discussed if read.used_history else []) + kommuner))
    which = _WHICH_OF_THEM.match(re.sub(r"\s+", " ", question))
    if which and base and len(discussed) > 1 and _end_of(which.group("end")):
        # "Vilken är högst?" after answers about two kommuner: the subject, ranked over them
        out = _ranked_over(base, discussed, which.group("end"), corpus)
        return Resolved(out, True, said_reading(out), "kommun,jämför")
    back = _RETURN_TO.match(re.sub(r"\s+", " ", question))
    if back and len(readings) > 1 and _only_shifts(back.group("rest"), corpus):
        # "Tillbaka till X – hur många var det 2022?": the rest moves the earlier reading about X
        base, kommuner = _earlier_about(back.group("topic"), readings, corpus)
        question = _capitalise(back.group("rest").strip())
    return _resolve_one(question, _with_kommuner(base, kommuner, corpus), corpus, years_covered)


def _only_shifts(text: str, corpus: tuple[str, ...]) -> bool:
    """A turn naming no topic or measure of its own: it moves the year, month or kommun of a reading."""
    english = _english(text.lower())
    return not _asked_topic(text, _kommuner(text, corpus), english) and not _measures(_words(text))


def _end_of(word: str) -> str:
    """'max' or 'min' for a word for the highest or the lowest ("högst", "störst", "lägst"), else ''."""
    low = word.lower()
    return next((k for k in ("max", "min") if any(rx.search(low) for rx in LEXICON.superlatives.get(k, ()))), "")


def _ranked_over(base: str, kommuner: list[str], end: str, corpus: tuple[str, ...]) -> str:
    """"Vilken av Huddinge och Eskilstuna har störst köp av verksamhet 2023 enligt budgeten?": the
    last question's subject, kind of figure and years, asked as a ranking of the kommuner named."""
    subject = subject_of(base, corpus)
    kinds = list(dict.fromkeys(form for w in _words(base) for rx, form in _MEASURES if rx.match(w)))
    years = list(dict.fromkeys(YEAR_RE.findall(base)))
    names = ", ".join(kommuner[:-1]) + " och " + kommuner[-1]
    out = f"Vilken av {names} har {end.lower()} {subject}"
    if kinds:
        out += " enligt " + " och ".join(kinds)
    if years:
        out += " " + " och ".join(years)
    return out + "?"


def _earlier_about(topic: str, readings: list[tuple[str, list[str]]], corpus: tuple[str, ...]) -> tuple[str, list[str]]:
    """The earlier reading a turn goes back to: the first question, or the one sharing most word
    beginnings with the subject named (the latest of equals)."""
    if _FIRST_QUESTION.search(topic):  # "Tillbaka till den första frågan"
        return readings[0]
    want = {w[:5] for w in _topic_words(topic, _kommuner(topic, corpus), _english(topic.lower()))}

    def shared(reading: tuple[str, list[str]]) -> int:
        return len(want & {w[:5] for w in _words(reading[0])})

    return max(reversed(readings), key=shared)


def _across_kommuner(question: str) -> bool:
    """A reading that asks about every kommun ("Vilken kommun har högst …", "… i kommunerna"): the
    chat is no longer about the kommuner named before it."""
    return LEXICON.is_rank(question) or bool(_ACROSS.search(question))


def _with_kommuner(base: str | None, kommuner: list[str], corpus: tuple[str, ...]) -> str | None:
    """The last reading with the chat's kommuner when it names none: "What does the Färdplan say
    about KPB?", asked in a chat about Eskilstuna, leaves the kommun where it was, so the next
    follow-up ("And that unit's forecast?") is still about Eskilstuna. A complete question that
    names no kommun is unchanged by this (it inherits nothing); only a follow-up reads the base."""
    if not base or not kommuner or _kommuner(base, corpus):
        return base
    return _swap_kommuner(base, [], kommuner, _english(base.lower()))
