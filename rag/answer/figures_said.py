"""What figure a text gives: any figure at all, an amount, a share, a time, or a count of the thing a
question counts ("hur många orosanmälningar": a sentence naming anmälningar beside its number).
Text in, values out: read by the opening sentence, the refusal check and what may answer (`picking.usable`)."""
from __future__ import annotations

import re

from ..lexicon import LEXICON
from ..numbers import find_numbers
from ..search.lexical import split_compound
from ..years import YEAR, is_year

# a date, a list item's or heading's number, a report's own number ("delår 2", "tertial 1")
_NOT_FIGURES = re.compile(rf"\b{YEAR}-\d\d-\d\d\b|^\s*\d{{1,2}}\.\s|\b(?:delår|tertial|kvartal)\s*\d\b", re.M | re.I)


# how reports write them in words (a report's own "sjuutton" too)
_SMALL_NUMBERS = "två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tretton|fjorton|femton|sexton|sju+tton|arton|nitton"
_NUMBER_WORDS = re.compile(rf"\b(?:{_SMALL_NUMBERS}|tjugo|trettio|fyrtio|femtio|hundra)\b", re.I)
# a number and the word it counts, one word between at most ("8 aktuella placeringar", "sju klienter")
_COUNT_OF = re.compile(rf"(?:\d[\d\s]*(?:,\d+)?|\b(?:{_SMALL_NUMBERS}))\s+((?:[a-zåäöé]+\s+)?[a-zåäöé]+)")


def has_figure(text: str) -> bool:
    """Whether a text gives a figure: a number that is not a year, a date or the number of a list
    item, or a number written as a word ("elva utförare")."""
    return bool(_NUMBER_WORDS.search(text)) or \
        any(not is_year(n.text) for n in find_numbers(_NOT_FIGURES.sub(" ", text)))


_AMOUNT = re.compile(r"\d\s*(?:mnkr|mkr|tkr|kr\b|kronor|miljoner|miljarder|tusen)", re.I)
_SHARE = re.compile(r"\d\s*(?:%|procent)", re.I)
#: a price of one unit is in kronor, never in thousands or millions ("895 kronor", "892 kr")
_PRICE = re.compile(r"\d\s*(?:kr|kronor)\b", re.I)
_DURATION = re.compile(rf"\b(?:\d+(?:,\d+)?|en|ett|{_SMALL_NUMBERS}|one|two|three|four|five|six)\s+(?:"
                       + "|".join(sorted(LEXICON.duration_units, key=len, reverse=True)) + r")\b", re.I)


#: the word after "hur många" is what is counted, unless a subject follows it ("hur många tror de …": a verb)
_COUNTED = re.compile(r"\b(?:hur många|antal(?:et)?)\s+(?:(?:nya|fler|olika|aktiva|unika|enskilda)\s+)?([a-zåäöé]{4,})\b"
                      r"(?!\s+(?:de|dom|ni|vi|man|han|hon|den|det)\b)")


def counted_stems(question: str, vocab) -> tuple[str, ...]:
    """What a Swedish "hur många …" ("antalet …") question counts, as word beginnings: the noun and, for a
    compound, its head ("familjerådgivningssamtal" -> "samtal"); () when it names none."""
    m = _COUNTED.search(question.lower())
    if not m:
        return ()
    noun = m.group(1)
    parts = split_compound(noun, vocab)
    own = tuple(w[:max(4, len(w) - 3)] for w in (noun, *parts[1:]))
    if noun in LEXICON.people_nouns:  # people are counted by general words too: "sju klienter", "78 personer"
        return own + tuple("#" + w for w in sorted(LEXICON.people_general))
    return own


_HOW_MANY = re.compile(r"\bhur många\b", re.I)


def counts_people(question: str) -> bool:
    """Whether a Swedish question counts people: "hur många ungdomar", or "hur många i åldern 13–20 år"
    (a count of an age group names no noun)."""
    m = _COUNTED.search(question.lower())
    if m:
        return m.group(1) in LEXICON.people_nouns
    return bool(_HOW_MANY.search(question)) and any(rx.search(question) for rx in (LEXICON.age_range, LEXICON.age_from))


def counts_other_than_people(label: str, question: str) -> bool:
    """Whether a row's words say it counts something else than people (vårddygn, hushåll, besök) that
    the question does not name ("barn, ungdomar och familjer" is asked of a row counting families)."""
    asked = set(re.findall(r"[a-zåäöé]+", question.lower()))
    return any(w in LEXICON.other_units and w not in asked for w in re.findall(r"[a-zåäöé]+", label.lower()))


def gives_figure(text: str, figure: str, counted: tuple[str, ...] = ()) -> bool:
    """Whether a text gives the asked kind of figure (`asked_figure`): an amount of kronor, a
    percentage, a time, or for a count or an unstated kind any figure that is not a year; a count
    of something named (`counted_stems`) comes from a text that names it, not from a figure of
    something else."""
    if figure == "count" and counted:
        low = text.lower()
        named = any(c in low for c in counted if not c.startswith("#"))
        people = {c[1:] for c in counted if c.startswith("#")}
        counted_as = {w for found in _COUNT_OF.findall(low) for w in found.split()}  # "sju klienter och …"
        if not named and not people & counted_as:
            return False
    if figure == "money":
        return bool(_AMOUNT.search(text))
    if figure == "share":
        return bool(_SHARE.search(text))
    if figure == "duration":
        return bool(_DURATION.search(text))
    if figure == "count":  # a percentage or an amount is no count
        return _has_count(text)
    return has_figure(text)


#: the words after a number that make it no count of the measure: money, shares, time, ages
NOT_A_COUNT = re.compile(r"^\s*(?:%|procent\w*|kr\b|kronor|tkr|mkr|mnkr|miljon\w*|miljard\w*|år\b|års\b|dagar|dygn|"
                          r"månader|veckor|timmar|[-–]\s*\d)", re.I)


def _has_count(text: str) -> bool:
    """A figure that may be a count: a number written as a word, or one that is not a year, a date,
    a percentage, an amount, an age, a time or the start of a range (`NOT_A_COUNT`)."""
    clean = _NOT_FIGURES.sub(" ", text)
    return bool(_NUMBER_WORDS.search(text)) or any(
        not is_year(n.text) and not NOT_A_COUNT.match(clean[n.end:]) for n in find_numbers(clean))


def gives_rate(text: str, unit: str) -> bool:
    """Whether a sentence gives a price per the unit asked ("Snittpriset per dygn under 2024 är 895
    kronor"): an amount in kronor and the unit's word. A cost in mnkr beside the unit ("snittkostnaden
    per dygn har ökat … -2,5 mnkr") is a total, not the price."""
    return bool(_PRICE.search(text)) and unit in text.lower()
