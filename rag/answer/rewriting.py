"""A chat's last question rewritten by a follow-up: a kommun, a year, a measure, a group or the
topic swapped, a why made of a what. Each function takes the question and returns a new one."""
from __future__ import annotations

import re
from typing import Mapping

from ..kommuner import kommuner_in
from ..lexicon import LEXICON
from ..years import YEAR_RE
from .turn_words import (ADJ, ENGLISH_ONLY_GROUPS, FUNCTION, GROUPS, LEAD, LEAD_VERB, LINKS, MEASURES, MEASURES_ENGLISH,
                         SAY_FRAME, UP_DOWN, WHY, WHY_FILLER, WHY_START, WORD, is_english, subject_of, topic_words,
                         word_beginnings, words_of)

def swap_kommuner(base: str, old: list[str], new: list[str], english: bool = False) -> str:
    if not new or old == new:
        return base
    and_ = " and " if english else " och "

    def joined(names: list[str]) -> str:
        return and_.join(names) if len(names) <= 2 else ", ".join(names[:-1]) + and_ + names[-1]

    if not old:  # "What was the share in 2021 in Huddinge?"
        return append_phrase(base, f"{'in' if english else 'i'} {joined(new)}")
    first = True

    def repl(m: re.Match) -> str:
        nonlocal first
        if not first:
            return ""
        first = False
        return joined([k + (m.group(2) or "") for k in new])  # "Enköpings och Eskilstunas socialnämnd"

    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(old, key=len, reverse=True)) + r")(s)?\b")
    out = pattern.sub(repl, base)
    out = re.sub(r"\s+(och|and|,)\s+(?=[,?.]|\s|$)", " ", out)  # "Solna och Huddinge" with both replaced
    return re.sub(r"\s{2,}", " ", out)


def append_phrase(base: str, phrase: str) -> str:
    stem = base.rstrip().rstrip("?.!").rstrip()
    return f"{stem} {phrase}?"


def shift_years(base: str, delta: int) -> str:
    return YEAR_RE.sub(lambda m: str(int(m.group()) + delta), base)


def _why_tail(f_low: str, base: str = "") -> str:
    """What a why follow-up adds after its pronoun: 'Varför är de högre än budget?' -> 'högre än budget';
    nothing when its words are only small words and words the last question names ("Varför blir det
    ett överskott där?" after a question about a surplus, "Why did they go up?")."""
    m = WHY.search(f_low)
    words = WORD.findall(f_low[m.end():] if m else f_low)
    while words and words[0] in WHY_FILLER:
        words.pop(0)
    if words and UP_DOWN.fullmatch(words[0]):
        return ""
    named = word_beginnings(base)
    if all(w in FUNCTION or w in WHY_FILLER or w in LINKS or w[:5] in named for w in words):
        return ""
    return " ".join(words)


def to_why(base: str, f_low: str) -> str:
    """'Hur hög var sjukfrånvaron i X 2023?' -> 'Varför var sjukfrånvaron i X 2023 så hög?'."""
    if WHY.search(base):
        return base
    m = LEAD.match(base)
    rest = base[m.end():] if m else base
    adj = ADJ.match(m.group(1).strip()) if m else None
    rest = rest.rstrip().rstrip("?.!").rstrip()
    if m and (said := SAY_FRAME.match(rest)):  # "Vad säger X om Y?" -> "Vad förklarar Y enligt X?"
        return f"Vad förklarar {said.group('subject')} enligt {said.group('source')}?"
    first = rest.split(" ", 1)[0]
    if not m and first[:1].isupper() and not first[1:2].isupper() and not kommuner_in(first):
        rest = rest[0].lower() + rest[1:]  # "Varför räknade Enköping …?"; "SIS", "Enköpings" stay
    if tail := _why_tail(f_low, base):
        return f"Varför {rest} {tail}?"
    if adj and not LEAD_VERB.match(rest) and (attributive := _noun_then_verb(rest)):
        # "Hur stort underskott prognostiseras för helåret?" -> "Varför prognostiseras ett så stort underskott …?"
        noun, verb, after = attributive
        article = {"t": "ett ", "a": ""}.get(adj.group(1)[-1:].lower(), "en ")
        # "hade Solna(s socialnämnd) så stora kostnader": a subject after the verb stays right after it
        subject = re.match(r"\s+(?:[A-ZÅÄÖ]\w*s\s+\w+|[A-ZÅÄÖ]\w*|de|den|nämnden|socialnämnden)(?=\s|$)", after)
        said = subject.group().strip() + " " if subject else ""
        after = after[subject.end():] if subject else after
        return f"Varför {verb} {said}{article}så {adj.group(1).lower()} {noun}{after}?"
    direction = UP_DOWN.search(f_low)
    if direction and not UP_DOWN.search(rest) and m and _HOW_MANY.match(m.group(1)) and not is_english(base.lower()):
        # "Hur många orosanmälningar kom in i Solna 2023?", then "Varför har den siffran ökat?": why the
        # number moved, the count asked as it was
        moved = re.sub(r"(?:ade|ar)$", "at", direction.group(1).lower())  # "har … ökat", "har … minskat"
        return f"Varför har antalet {moved} – {base[0].lower()}{base[1:].rstrip()}"
    if direction and not UP_DOWN.search(rest):
        rest = LEAD_VERB.sub("", rest)
        rest = f"{direction.group(1).lower()} {rest}"
        adj = None
    tail = f" så {adj.group(1).lower()}" if adj else ""
    if is_english(base.lower()):  # "What did Eskilstuna spend …?" -> "Why did Eskilstuna spend …?"
        return f"Why {rest}?"
    return f"Varför {rest}{tail}?"


#: a question counting something ("hur många"): its why is of the number counted
_HOW_MANY = re.compile(r"^\s*hur\s+många\b", re.I)

#: a verb right after the noun an adjective is said of ("underskott prognostiseras", "kostnader hade")
_VERB_AFTER_NOUN = re.compile(r"^(?:var|blev|är|blir|hade|har|får|fick|\w{3,}(?:as|ades|ade|de|te))$", re.I)


def _noun_then_verb(rest: str) -> tuple[str, str, str] | None:
    """A question's rest that begins with a noun and then its verb: (noun, verb, the words after)."""
    m = re.match(r"(\w+)\s+(\w+)(.*)$", rest)
    if m is None or not _VERB_AFTER_NOUN.match(m.group(2)):
        return None
    return m.group(1), m.group(2), m.group(3)


def _topic_span(text: str, topic: list[str]) -> tuple[int, int] | None:
    """Where a text's subject stands: from its first topic word that names no kind of figure
    ("kostnader") to its last (the words between them kept: "köp av verksamhet")."""
    spans = [m for m in WORD.finditer(text) if m.group().lower() in topic and not _figure_kind(m.group().lower())]
    return (spans[0].start(), spans[-1].end()) if spans else None


def activity_of(subject: str) -> str:
    """A subject without the kind of figure it is said of: "kostnaden för insatser till personer med
    funktionsnedsättning" -> "insatser till personer med funktionsnedsättning"; else as it stands."""
    m = re.match(r"(\w+)\s+(?:för|av|inom|till|i|of|for|on)\s+(.+)$", subject, re.I)
    return m.group(2) if m and _figure_kind(m.group(1).lower()) else subject


def _figure_kind(word: str) -> bool:
    """A word naming the kind of figure asked (kostnader, budget, underskott), not its subject."""
    return word in LEXICON.measure_words or any(rx.match(word) for rx, _ in MEASURES) \
        or any(rx.search(word) for rx in LEXICON.superlatives.get("negative", ()))


def swap_topic(base: str, text: str, topic: list[str]) -> str:
    """The base question with its subject replaced by the turn's, as the turn words it (to its end:
    "institutionsvård för barn och unga"); "" when other words than links stand inside the base's."""
    english = is_english(base.lower())
    old = topic_words(base, [], english)
    where, said = _topic_span(base, old), _topic_span(text, topic)
    if said is None:
        return ""
    phrase = text[said[0]:].strip().rstrip("?.!").strip()
    if where is None:  # the base names only a kind of figure ("störst underskott"): of the subject named
        return append_phrase(base, ("for " if english else "för ") + phrase)
    if any(w not in old and w not in FUNCTION and w not in LINKS for w in words_of(base[where[0]:where[1]])):
        return ""
    return base[:where[0]] + phrase + base[where[1]:]


def swap_superlative(base: str, f_low: str) -> str:
    """The last question with the other end asked: its word for the highest ("högst") replaced by the
    turn's word for the lowest ("lägst"), or the other way round."""
    ends = {k: LEXICON.superlatives.get(k, ()) for k in ("max", "min")}
    for asked, other in (("max", "min"), ("min", "max")):
        said = next((m for rx in ends[asked] if (m := rx.search(f_low))), None)
        there = next((m for rx in ends[other] if (m := rx.search(base.lower()))), None)
        if said and there:
            return base[:there.start()] + said.group() + base[there.end():]
    return base


def from_why(base: str, follow: str) -> str:
    """'Varför ökade X?' followed by 'Hur mycket?' -> 'Hur mycket ökade X?'."""
    m = LEAD.match(follow)
    if not m or not WHY_START.match(base):
        return base
    return f"{m.group(1)[0].upper()}{m.group(1)[1:].lower()} {WHY_START.sub('', base, count=1)}"


def replace_measures(base: str, measures: list[str]) -> str:
    words = set(words_of(base))
    english = is_english(base.lower())
    if english:  # an English question keeps its language: "… according to the forecast"
        measures = [MEASURES_ENGLISH.get(m, m) for m in measures]
    if any(any(rx.match(w) for rx, _ in MEASURES) for w in words):
        done = False

        def repl(m: re.Match) -> str:
            nonlocal done
            w = m.group(0)
            if not any(rx.match(w.lower()) for rx, _ in MEASURES):
                return w
            if done:
                return ""
            done = True
            return " och ".join(measures)

        return re.sub(r"\s{2,}", " ", WORD.sub(repl, base))
    return append_phrase(base, ("according to " if english else "enligt ") + (" and " if english else " och ").join(measures))


def replace_groups(base: str, groups: list[str], english: bool, said: list[str] = ()) -> str:
    """`base` for the groups a follow-up names: in an English question in the follow-up's own words
    (`said`: "How many … for girls?"), else in the Swedish form ("för flickor")."""
    in_english = is_english(base.lower())
    table = {**GROUPS, **(ENGLISH_ONLY_GROUPS if in_english else {})}
    joined = " and ".join(said) if in_english and said else " och ".join(groups)
    # only a group named as a restriction ("för kvinnor", "bland män") is swapped, not one inside the topic
    rx = re.compile(r"\b(för|bland|for|among)\s+(" + "|".join(re.escape(g) for g in table) + r")\b", re.I)
    if rx.search(base):
        return rx.sub(lambda m: f"{m.group(1)} {joined}", base, count=1)
    return append_phrase(base, f"{'for' if in_english else 'för'} {joined}")


def narrowed(base: str, part: str) -> str:
    """`base` for `part`: a part the base names with the same preposition ("inom barn- och
    ungdomssektion 2", then "Och i vuxensektionen?") is replaced, else the part is added. Only
    "inom" and "bland" are replaced: "för" in a question as often introduces its period."""
    prep = part.split()[0]
    if prep in ("inom", "bland", "within", "among"):
        rx = re.compile(rf"\b{prep}\s+.+?(?=\s+(?:i|för|under|per|enligt|in|for|during)\s|[?,.]|$)", re.I)
        if rx.search(base):
            return rx.sub(lambda _m: part, base, count=1)
    return append_phrase(base, part)


def swap_report(question: str, report_type: str, keep_month: bool = False) -> str:
    """The question read in a report of another type: the type it names replaced, else added. The
    month that dated the old report goes with it ("i delårsrapporten för augusti 2024", then "Vad sa
    de i tertialrapporten?": the April report of 2024, not one for August), unless the turn moved
    it there itself (`keep_month`: "Vad säger delårsrapporten i augusti?")."""
    for name, patterns in LEXICON.report_types.items():
        for rx in patterns:
            if m := rx.search(question):
                if name == report_type:
                    return question
                rest = question[m.end():] if keep_month else _REPORT_MONTH.sub("", question[m.end():], count=1)
                return f"{question[:m.start()]}{report_type}en{rest}"
    return append_phrase(question, f"enligt {report_type}en")


# the month a report is dated by, right after its name: "för augusti", "per 31 augusti", "i april"
_REPORT_MONTH = re.compile(
    rf"^\s+(?:för|per|i|from|for|of)\s+(?:den\s+)?(?:\d{{1,2}}\s+)?(?:{'|'.join(LEXICON.months)})\b", re.I)


def without_report_type(question: str, report_type: str) -> str:
    """The question without the report type it names ("… fram i sin årsredovisning?"), for a kommun
    that publishes no report of that type."""
    for rx in LEXICON.report_types.get(report_type, ()):
        question = re.sub(rf"\s*\b(?:i|enligt|in|according to)\s+(?:sin|sitt|dess|their|its|the)?\s*(?:{rx.pattern})",
                          "", question, flags=re.I)
        # "What does Enköping's annual report say": the kommun's report, of whatever type
        question = re.sub(rx.pattern, "report" if is_english(question.lower()) else "rapport", question, flags=re.I)
    return re.sub(r"\s+([?.!,])", r"\1", question)


def without_uncovered_years(question: str, kommuner: list[str], years_covered: Mapping[str, frozenset[int]]) -> str:
    """"Och Huddinge?" after a question about Enköping in 2024 asks for Huddinge's own figure: a year
    none of the new kommuner's reports is of is left out, so their latest report answers."""
    covered = set().union(*(years_covered.get(k, frozenset()) for k in kommuner))
    for year in set(YEAR_RE.findall(question)):
        if covered and int(year) not in covered:
            question = re.sub(rf"\s*\b(?:för|under|i|år|in|for|during)?\s*\b{year}\b", "", question)
    return re.sub(r"\s+([?.!,])", r"\1", question)


def ranked_over(base: str, kommuner: list[str], end: str, corpus: tuple[str, ...]) -> str:
    """"Vilken av Huddinge och Eskilstuna har störst köp av verksamhet 2023 enligt budgeten?": the
    last question's subject, kind of figure and years, asked as a ranking of the kommuner named."""
    subject = subject_of(base, corpus)
    kinds = list(dict.fromkeys(form for w in words_of(base) for rx, form in MEASURES if rx.match(w)))
    years = list(dict.fromkeys(YEAR_RE.findall(base)))
    names = ", ".join(kommuner[:-1]) + " och " + kommuner[-1]
    out = f"Vilken av {names} har {end.lower()} {subject}"
    if kinds:
        out += " enligt " + " och ".join(kinds)
    if years:
        out += " " + " och ".join(years)
    return out + "?"
