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
from typing import Iterable

from ..kommuner import kommuner_in

_WORD = re.compile(r"[0-9A-Za-zÅÄÖåäöÉéÜü]+(?:-[0-9A-Za-zÅÄÖåäöÉéÜü]+)*")
_YEAR = re.compile(r"\b(20\d\d)\b")
_CONNECTOR = re.compile(
    r"^\s*(och|men|samt|också|även|likaså|dessutom|and|but|also|"
    r"what about|how about|what of|same for|"
    r"hur är det med|hur blir det med|hur var det med|vad gäller|gäller det|"
    r"hur ser det ut|hur såg det ut)\b", re.I)
_RESTRICT_START = re.compile(r"^\s*(bara|endast|enbart|only|just)\b", re.I)
_WHY = re.compile(r"\b(varför|why|vad beror|beror det|orsak\w*|anledning\w*|förklar\w*)\b", re.I)
_WHY_START = re.compile(r"^\s*(varför|why)\s+", re.I)
_LEAD = re.compile(r"^\s*(hur\s+(?:mycket|många|stor|stort|stora|hög|högt|höga|låg|lågt|låga)|vad|vilken|vilket|vilka|"
                   r"how\s+(?:much|many|high|large|big)|what)(?:\s+|(?=[?.!]|$))", re.I)
_LEAD_VERB = re.compile(r"^(var|blev|är|uppgick|uppgår|hade|har|kostade|kostar|was|were|is|did)\s+", re.I)
_RELATIVE_YEAR = {
    -1: re.compile(r"\b(förra året|föregående år\w*|året (?:innan|före)|i fjol|fjol\w*|året dessförinnan|"
                   r"last year|previous year|the year before|prior year)\b", re.I),
    +1: re.compile(r"\b(nästa år|året (?:efter|därpå)|following year|next year|the year after)\b", re.I),
}
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
#: Measure / period words a follow-up may swap ("Och budgeten?"), with the form put into a question.
_MEASURES = (
    (re.compile(r"^(budget\w*)$"), "budgeten"),
    (re.compile(r"^(prognos\w*|årsprognos\w*|helårsprognos\w*|forecast\w*)$"), "prognosen"),
    (re.compile(r"^(utfall\w*|outcome\w*|actual\w*)$"), "utfallet"),
    (re.compile(r"^(bokslut\w*)$"), "bokslutet"),
    (re.compile(r"^(avvikelse\w*|budgetavvikelse\w*|deviation\w*)$"), "avvikelsen"),
)
#: Population groups a follow-up may restrict to ("Bara för kvinnor?"), with the Swedish form.
_GROUPS = {
    "kvinnor": "kvinnor", "kvinnorna": "kvinnor", "kvinnliga": "kvinnor", "kvinnlig": "kvinnor",
    "män": "män", "männen": "män", "manliga": "män", "manlig": "män",
    "flickor": "flickor", "pojkar": "pojkar", "barn": "barn", "barnen": "barn", "unga": "unga",
    "ungdomar": "ungdomar", "vuxna": "vuxna", "äldre": "äldre",
    "women": "kvinnor", "female": "kvinnor", "girls": "flickor", "boys": "pojkar", "children": "barn",
    "adults": "vuxna", "youth": "unga",
}
_ENGLISH_ONLY_GROUPS = {"men": "män", "male": "män"}
#: Words that say how something is asked or point back, never what about.
_FUNCTION = frozenset("""
och men samt också även likaså dessutom i på för med till om av som så nu ju sen sedan egentligen bara endast
enbart då där dit det den dem denna detta dessa samma motsvarande motsvarade hur vad varför vilken vilket vilka
när var vem mycket många stor stort stora hög högt höga låg lågt låga blev blir bli är har hade ha ser såg sett
ut gäller gällde gällt kostade kostar uppgick uppgår siffran siffrorna värdet talet beror orsaken orsak anledningen
förklaring förklaringen enligt inom bland de dom högre lägre större mindre bättre sämre mer fler färre
higher lower more less bigger smaller hos från under efter före innan mot än alltså ungefär totalt sammanlagt
kommun kommunen kommunens kommuner stad staden stads socialnämnd socialnämnden socialnämndens nämnd nämnden
nämndens socialförvaltning socialförvaltningen socialförvaltningens förvaltning förvaltningen förvaltningens
år året årets åren förra föregående fjol fjolåret nästa period perioden helår helåret jan feb mar apr jun jul
aug sep okt nov dec rapport rapporten delår delåret tertial tertialet
ökade ökat ökar ökning ökningen minskade minskat minskar minskning minskningen steg stigit sjönk sjunkit föll
förändrades förändring förändringen utvecklades utveckling utvecklingen
and but also what about how why which who was were is are it its that those there then this these the a an of
for in on to so much many high low big large same too about case like look looks did does do year years last
previous prior next following only just increase increased decrease decreased rise rose fall fell change changed
""".split())
_LINKS = frozenset("för av till inom med och bland i of for in".split())
_STRONG_ANAPHORA = frozenset("då där dit samma motsvarande också även likaså there then same too also".split())
_PRONOUNS = frozenset("det den dem de dom denna detta dessa it that those this these they".split())
_UP_DOWN = re.compile(r"\b(ökade|ökat|ökar|minskade|minskat|minskar|steg|sjönk|föll|increased|decreased|rose|fell)\b",
                      re.I)
_ADJ = re.compile(r"^hur\s+(stor|stort|stora|hög|högt|höga|låg|lågt|låga)$", re.I)


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
        if k not in found and re.search(rf"\b{re.escape(k)}s?\b", text):
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


def _swap_kommuner(base: str, old: list[str], new: list[str]) -> str:
    if not new or old == new:
        return base
    joined = " och ".join(new) if len(new) <= 2 else ", ".join(new[:-1]) + " och " + new[-1]
    if not old:
        return _append(base, f"i {joined}")
    first = True

    def repl(m: re.Match) -> str:
        nonlocal first
        if not first:
            return ""
        first = False
        return joined + (m.group(2) or "")

    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(old, key=len, reverse=True)) + r")(s)?\b")
    out = pattern.sub(repl, base)
    out = re.sub(r"\s+(och|,)\s+(?=[,?.]|\s|$)", " ", out)  # "Solna och Huddinge" with both replaced
    return re.sub(r"\s{2,}", " ", out)


def _append(base: str, phrase: str) -> str:
    stem = base.rstrip().rstrip("?.!").rstrip()
    return f"{stem} {phrase}?"


def _shift_years(base: str, delta: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), base)


_WHY_FILLER = frozenset("varför why vad beror det på då så de dom den dem är var blev blir it they was were is are "
                        "that this".split())


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
    if tail := _why_tail(f_low):
        return f"Varför {rest} {tail}?"
    direction = _UP_DOWN.search(f_low)
    if direction and not _UP_DOWN.search(rest):
        rest = _LEAD_VERB.sub("", rest)
        rest = f"{direction.group(1).lower()} {rest}"
        adj = None
    tail = f" så {adj.group(1).lower()}" if adj else ""
    return f"Varför {rest}{tail}?"


def _from_why(base: str, follow: str) -> str:
    """'Varför ökade X?' followed by 'Hur mycket?' -> 'Hur mycket ökade X?'."""
    m = _LEAD.match(follow)
    if not m or not _WHY_START.match(base):
        return base
    return f"{m.group(1)[0].upper()}{m.group(1)[1:].lower()} {_WHY_START.sub('', base, count=1)}"


def _replace_measures(base: str, measures: list[str]) -> str:
    words = set(_words(base))
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
    return _append(base, "enligt " + " och ".join(measures))


def _replace_groups(base: str, groups: list[str], english: bool) -> str:
    table = {**_GROUPS, **(_ENGLISH_ONLY_GROUPS if _english(base.lower()) else {})}
    joined = " och ".join(groups)
    # only a group named as a restriction ("för kvinnor", "bland män") is swapped, not one inside the topic
    rx = re.compile(r"\b(för|bland|for|among)\s+(" + "|".join(re.escape(g) for g in table) + r")\b", re.I)
    if rx.search(base):
        return rx.sub(lambda m: f"{m.group(1)} {joined}", base, count=1)
    return _append(base, f"för {joined}")


def _capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def reading_of(question: str, corpus_kommuner: Iterable[str] = ()) -> str:
    """A short label of what a question asks: 'Sjukfrånvaron, Huddinge, 2023'."""
    low = question.lower()
    english = _english(low)
    kommuner = _kommuner(question, corpus_kommuner)
    topic = set(_topic_words(question, kommuner, english))
    tokens = list(_WORD.finditer(question))
    start = end = None  # the first run of topic words, linked by small words ("kostnaderna för ekonomiskt bistånd")
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
    for k in kommuner:  # a kommun inside the span is named separately
        label = re.sub(rf"\s*\bi\s+{re.escape(k)}s?\b|\b{re.escape(k)}s?\b", "", label)
    parts = [_capitalise(re.sub(r"\s{2,}", " ", label).strip(" ,"))] if label.strip() else []
    if _WHY.search(low):
        parts = [f"Varför: {parts[0].lower()}" if parts else "Varför"]
    parts += kommuner
    years = sorted(set(_YEAR.findall(question)))
    parts += years
    if not years:
        for delta, rx in _RELATIVE_YEAR.items():
            if m := rx.search(question):
                parts.append(m.group(1).lower())
    parts += _measures(_words(question))
    parts += [g for g in _groups(_words(question), english) if g not in label.lower()]
    return ", ".join(p for p in parts if p)


def _resolve_one(question: str, base: str | None, corpus: tuple[str, ...]) -> Resolved:
    text = re.sub(r"\s+", " ", question).strip()
    if not base or not text:
        return Resolved(text, False)
    low = text.lower()
    english = _english(low)
    words = _words(text)
    kommuner = _kommuner(text, corpus)
    topic = _topic_words(text, kommuner, english)
    connector = _CONNECTOR.match(low)
    anaphor = any(w in _STRONG_ANAPHORA for w in words) or (len(words) <= 4 and any(w in _PRONOUNS for w in words))
    restrict = _RESTRICT_START.match(low)
    if topic and not connector and not anaphor and not restrict:
        return Resolved(text, False)  # names its own topic: a complete question
    base_kommuner = _kommuner(base, corpus)
    kinds: list[str] = []
    if topic and not restrict:
        # a new topic in the same context: "Och kostnaderna för hemtjänst?" keeps kommun and year
        body = text[connector.end():] if connector else text
        body = body.strip(" ,").rstrip("?.!").strip()
        out = _capitalise(body) + "?"
        if not kommuner and base_kommuner:
            out = _swap_kommuner(out, [], base_kommuner)
        years = _YEAR.findall(base)
        if not _YEAR.search(text) and years and not any(rx.search(text) for rx in _RELATIVE_YEAR.values()):
            out = _append(out, " och ".join(dict.fromkeys(years)))
        kinds.append("ämne")
        return Resolved(out, True, reading_of(out, corpus), ",".join(kinds))
    out = base
    if kommuner and kommuner != base_kommuner:
        out = _swap_kommuner(out, base_kommuner, kommuner)
        kinds.append("kommun")
    years = _YEAR.findall(text)
    if years:
        old = _YEAR.findall(out)
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
                out = _shift_years(out, delta) if _YEAR.search(out) else _append(
                    out, "föregående år" if delta < 0 else "året efter")
                kinds.append("år")
                break
    months = [m for m in MONTHS if m in words]
    if months:
        old = [m for m in MONTHS if m in _words(out)]
        out = re.sub(rf"\b{old[0]}\b", months[0], out) if old else _append(out, f"till och med {months[0]}")
        kinds.append("år")
    why = _WHY.search(low)
    measures = _measures(_words(_why_tail(low)) if why else words)
    measures = [] if why else measures  # "Varför är de högre än budget?": the budget is part of the why
    if measures:
        out = _replace_measures(out, measures)
        kinds.append("mått")
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
    return Resolved(out, True, reading_of(out, corpus), ",".join(kinds))


def resolve(question: str, history: Iterable[str] = (), kommuner_in_corpus: Iterable[str] = ()) -> Resolved:
    """`question` made standalone using the earlier questions of the chat (oldest first).

    Each earlier question is resolved in turn, so a chain of follow-ups
    ("Och i Huddinge?", then "Och förra året?") builds on the last complete reading."""
    if isinstance(history, str):
        raise ValueError("history must be a sequence of earlier questions, not one string")
    corpus = tuple(kommuner_in_corpus)
    base: str | None = None
    for earlier in history:
        if not isinstance(earlier, str) or not earlier.strip():
            continue
        base = _resolve_one(earlier, base, corpus).question
    return _resolve_one(question, base, corpus)
