"""The reviewed domain lexicon (`rag/data/lexicon.json`), loaded once and validated.

Words live in data, not code, so that a reviewer can read every entry in one
place and check that it holds for any kommun's report, not one question.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import RagError

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.json"
#: the end of an age range written without one ("65- år"): older than anyone
OPEN_AGE = 150
_REQUIRED = ("months", "report_types", "units", "column_kinds", "measures", "rank_patterns", "causal_patterns",
             "direction_up", "direction_down", "synonyms", "question_words", "committee_words", "intents", "period_words",
             "period_terms")


@dataclass(frozen=True)
class Lexicon:
    months: tuple[str, ...]
    report_types: dict[str, tuple[re.Pattern, ...]]
    units: dict[str, tuple[str, ...]]
    column_kinds: dict[str, tuple[str, ...]]
    measure_patterns: dict[str, tuple[re.Pattern, ...]]
    rank_patterns: tuple[re.Pattern, ...]
    causal: re.Pattern
    direction_up: frozenset[str]
    direction_down: frozenset[str]
    synonyms: tuple[tuple[str, ...], ...]
    question_words: frozenset[str]
    committee: re.Pattern  # words for the committee or administration as a whole
    intents: dict[str, re.Pattern]  # why, list, compare, trend (lookup when none matches)
    period_words: dict[str, re.Pattern]  # utfall, budget, prognos, … as a question words them
    period_term: re.Pattern  # one word that names a period or measure, not a topic
    contrast: re.Pattern = re.compile(r"(?!)")  # "X jämfört med Y", "X respektive Y"
    time_words: frozenset[str] = frozenset()  # words that make "jämfört med …" a contrast of periods
    approximations: frozenset[str] = frozenset()  # words before a figure that say it is about so much ("nästan")
    english_terms: tuple[tuple[re.Pattern, str], ...] = ()  # an English phrase, the Swedish report word
    months_english: tuple[re.Pattern, ...] = ()  # January … December; a name with a capital matches only so
    money: re.Pattern = re.compile(r"(?!)")  # words that ask for an amount of money (kostnad, överskott)
    duration: re.Pattern = re.compile(r"(?!)")  # words that ask how long (hur länge, väntetid)
    duration_units: frozenset[str] = frozenset()  # the units such a figure is given in (dagar, veckor)
    people_nouns: frozenset[str] = frozenset()  # nouns that count people (personer, klienter, ungdomar)
    people_general: frozenset[str] = frozenset()  # … of them, those that count people of any kind (personer)
    other_units: frozenset[str] = frozenset()  # what a row counts instead of people (vårddygn, hushåll)
    direction_comparative: frozenset[str] = frozenset()  # direction words comparing levels (högre, lower)
    unitless: re.Pattern = re.compile(r"(?!)")  # a row label naming a figure that has no unit (an index, a grade)
    measure_words: frozenset[str] = frozenset()  # words naming the kind of figure (kostnad, antal), never the subject
    label_filler: frozenset[str] = frozenset()  # words in a row label that join or qualify, never name a measure
    target_groups: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)  # vuxna, barn och unga: exclusive
    sex_groups: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)  # kvinnor, män, flickor, pojkar
    rate: re.Pattern = re.compile(r"(?!)")  # "per dygn", "kostar ett dygn": a figure per unit, the unit in its group
    rate_units: dict[str, str] = field(default_factory=dict)  # the unit asked -> the form reports print
    age_range: re.Pattern = re.compile(r"(?!)")  # an age range ("13–20 år"); its two groups or the next two are its ends
    age_from: re.Pattern = re.compile(r"(?!)")  # a range without an end ("65- år", "över 65 år"): either group is its start

    superlatives: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)  # which, max, min, negative
    rank_named: tuple[re.Pattern, ...] = ()  # "vilken av" before the kommuner it ranks
    comparison: dict[str, re.Pattern] = field(default_factory=dict)  # over_budget, forecast, full_year, …
    conversation: dict = field(default_factory=dict)  # the follow-up words, as data (read by answer/turn_words.py)
    committee_rows: re.Pattern = re.compile(r"(?!)")  # a row label that is the committee's own total
    side_tables: re.Pattern = re.compile(r"(?!)")  # a table whose sum is no total of the committee
    _groups_seen: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def superlative(self, text: str) -> str:
        """For a question asking which row stands out: 'max' (the highest, "högst kostnad"), 'min' (the
        lowest) or 'negative' (the most negative, "störst underskott"); '' for any other question, and
        for "vilken kommun", which is a rank of kommuner."""
        low = text.lower()
        has = {k: any(rx.search(low) for rx in rxs) for k, rxs in self.superlatives.items()}
        if not has.get("which") or self.is_rank(low) or has.get("max") == has.get("min"):
            return ""
        if has.get("negative"):
            return "negative" if has.get("max") else ""  # "minst underskott" is too rare to guess at
        return "max" if has.get("max") else "min"

    def ordering(self, text: str) -> str:
        """The order a question asks figures in, also when it ranks kommuner: 'max', 'min' or
        'negative' (the most over budget first); '' when it asks no order."""
        low = text.lower()
        has = {k: any(rx.search(low) for rx in rxs) for k, rxs in self.superlatives.items()}
        if self.comparison["overspend"].search(low) or has.get("negative") and not has.get("min"):
            return "negative"  # "störst underskott", "sämst mot budget"; "minst underskott" is the other end
        if has.get("max") != has.get("min"):
            return "max" if has.get("max") else "min"
        return ""

    def names_comparison(self, word: str) -> bool:
        """Whether a word is one the comparison or order patterns read ("spräcker", "överskrider"): a
        word the answer path understands, which the speller leaves alone although the reports lack it."""
        low = word.lower()
        return any(rx.search(low) for rx in self.comparison.values()) or \
            any(rx.search(low) for rxs in self.superlatives.values() for rx in rxs)

    def groups_in(self, text: str) -> frozenset[str]:
        """The target groups a text names ("vuxna", "barn och unga"); remembered, as every row label of
        the reports is read again for every question."""
        got = self._groups_seen.get(text)
        if got is None:
            if len(self._groups_seen) > 100_000:
                self._groups_seen.clear()
            low = text.lower()
            got = self._groups_seen[text] = frozenset(g for g, rxs in self.target_groups.items()
                                                      if any(rx.search(low) for rx in rxs))
        return got

    def other_group(self, question: str, label: str) -> bool:
        """Whether a label names only target groups other than the one a question names."""
        asked, named = self.groups_in(question), self.groups_in(label)
        return len(asked) == 1 and bool(named) and not (named & asked)

    def ages_in(self, text: str) -> frozenset[tuple[int, int]]:
        """The age ranges a text names, as (from, to): "ungdomar 13–20 år" and "13-20 år" alike."""
        closed = {(int(m[0] or m[2]), int(m[1] or m[3])) for m in self.age_range.findall(text)}
        return frozenset(closed | {(int(m[0] or m[1]), OPEN_AGE) for m in self.age_from.findall(text)})

    def swedish_for(self, english: str) -> list[str]:
        """The Swedish report words for the domain phrases of an English question."""
        return [sv for rx, sv in self.english_terms if rx.search(english)]

    def committee_total(self, label: str, table: str) -> bool:
        """Whether a row (its label without a unit in brackets) is the committee's own total."""
        return bool(self.committee_rows.fullmatch(label.strip())) and not self.side_tables.search(table)

    def ranks_named(self, text: str, kommuner: tuple[str, ...]) -> bool:
        """Whether the question asks which of the kommuner named right after the asking words ("Vilken
        av Enköping och Solna …") stands out: a ranking of them."""
        names = tuple(k.lower() for k in kommuner)
        low = text.lower()
        return bool(names) and any(low[m.end():].startswith(names) for rx in self.rank_named for m in rx.finditer(low))

    def is_rank(self, text: str) -> bool:
        low = text.lower()
        return any(rx.search(low) for rx in self.rank_patterns)

    def asked_rate(self, text: str) -> str:
        """The unit a question asks a figure per ("dygn" for "vad kostar ett dygn", "per day"), '' when none."""
        for m in self.rate.finditer(text):
            unit = next((u for u in m.groups() if u), "").lower()
            if unit in self.rate_units:
                return self.rate_units[unit]
        return ""

    def spell_out(self, text: str) -> str:
        """Abbreviations of the synonym groups (a short word with capitals after its first letter:
        BoU, HVB, LVU) followed by their written-out form, `Öppna insatser BoU (barn och unga)`:
        a dense model reads the long form, while the abbreviation may mean nothing to it."""
        longs = _long_forms(self.synonyms)
        low = text.lower()

        def one(m: re.Match) -> str:
            word = m.group(0)
            long = longs.get(word.lower())
            capitals_inside = any(c.isupper() for c in word[1:])
            return f"{word} ({long})" if capitals_inside and long and long.lower() not in low else word
        return _ABBREVIATION.sub(one, text)

    def report_types_in(self, text: str) -> tuple[str, ...]:
        """Report types the text names, in the order they are named."""
        low = text.lower()
        found = []
        for name, patterns in self.report_types.items():
            pos = min((m.start() for rx in patterns for m in [rx.search(low)] if m), default=-1)
            if pos >= 0:
                found.append((pos, name))
        return tuple(name for _, name in sorted(found))


_ABBREVIATION = re.compile(r"\b[A-ZÅÄÖ][A-Za-zåäö]{1,4}\b")


@lru_cache(maxsize=4)
def _long_forms(groups: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """Each one-word member of at most five letters -> the group's first member of several words."""
    out = {}
    for g in groups:
        long = next((m for m in g if " " in m), None)
        for m in g:
            if long and " " not in m and len(m) <= 5:
                out[m] = long
    return out


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p, re.I))
        except re.error as e:
            raise RagError(f"lexicon {where}: bad pattern {p!r}: {e}") from None
    return tuple(out)


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RagError(f"cannot read the lexicon {path}: {e}") from None
    missing = [k for k in _REQUIRED if k not in d]
    if missing:
        raise RagError(f"the lexicon {path} lacks {', '.join(missing)}")
    return Lexicon(
        months=tuple(d["months"]),
        report_types={k: _compile(v, f"report_types.{k}") for k, v in d["report_types"].items()},
        units={k: tuple(v) for k, v in d["units"].items()},
        column_kinds={k: tuple(v) for k, v in d["column_kinds"].items()},
        measure_patterns={k: _compile(v, f"measures.{k}") for k, v in d["measures"].items()},
        rank_patterns=_compile(d["rank_patterns"], "rank_patterns"),
        causal=re.compile("|".join(f"(?:{p})" for p in d["causal_patterns"]), re.I),
        direction_up=frozenset(d["direction_up"]),
        direction_down=frozenset(d["direction_down"]),
        direction_comparative=frozenset(d.get("direction_comparative", {}).get("words", ())),
        synonyms=tuple(tuple(g) for g in d["synonyms"]),
        question_words=frozenset(d["question_words"].split()),
        intents={k: re.compile("|".join(f"(?:{p})" for p in v), re.I) for k, v in d["intents"].items()
                 if not k.startswith("_")},
        period_words={k: re.compile("|".join(f"(?:{p})" for p in v), re.I) for k, v in d["period_words"].items()},
        period_term=re.compile("^(?:" + "|".join(d["period_terms"] + d["months"]) + "|" +
                               "|".join(m[:3] for m in d["months"]) + ")$"),
        committee=re.compile(r"\b(?:" + "|".join(re.escape(w) for w in d["committee_words"]) + r")\b", re.I),
        contrast=re.compile(r"\b(?:" + "|".join(re.escape(w) for w in d.get("contrast_markers", ())) + r")\b", re.I)
        if d.get("contrast_markers") else re.compile(r"(?!)"),
        time_words=frozenset(d.get("time_words", ())),
        approximations=frozenset(d.get("approximations", ())),
        english_terms=tuple((re.compile(rf"\b{k}\b", re.I), v) for k, v in d.get("english_terms", {}).items()
                            if not k.startswith("_")),
        months_english=tuple(re.compile(rf"\b{m}\b", 0 if m != m.lower() else re.I) for m in d.get("months_english", ())),
        money=re.compile("|".join(f"(?:{p})" for p in d["money_words"]), re.I)
        if d.get("money_words") else re.compile(r"(?!)"),
        duration=re.compile("|".join(f"(?:{p})" for p in d["durations"]["asking"]), re.I)
        if d.get("durations") else re.compile(r"(?!)"),
        duration_units=frozenset(d.get("durations", {}).get("units", ())),
        people_nouns=frozenset(d.get("people_nouns", {}).get("words", ())),
        people_general=frozenset(d.get("people_nouns", {}).get("general", ())),
        other_units=frozenset(d.get("people_nouns", {}).get("other_units", ())),
        unitless=re.compile("|".join(f"(?:{p})" for p in d["unitless_labels"]), re.I)
        if d.get("unitless_labels") else re.compile(r"(?!)"),
        measure_words=frozenset(d.get("measure_words", ())),
        label_filler=frozenset(d.get("label_filler", ())),
        target_groups={k: _compile(v, f"target_groups.{k}") for k, v in d.get("target_groups", {}).items()
                       if not k.startswith("_")},
        sex_groups={k: _compile(v, f"sex_groups.{k}") for k, v in d.get("sex_groups", {}).items()
                    if not k.startswith("_")},
        rate=re.compile("|".join(f"(?:{p})" for p in d["rates"]["asking"]), re.I) if d.get("rates") else re.compile(r"(?!)"),
        rate_units=dict(d.get("rates", {}).get("units", {})),
        age_range=re.compile(d["age_range"]["pattern"], re.I) if d.get("age_range") else re.compile(r"(?!)"),
        age_from=re.compile(d["age_range"]["open_pattern"], re.I) if d.get("age_range") else re.compile(r"(?!)"),
        rank_named=_compile(d.get("rank_named", {}).get("patterns", []), "rank_named"),
        superlatives={k: _compile(v, f"superlatives.{k}") for k, v in d.get("superlatives", {}).items()
                      if not k.startswith("_")},
        conversation={k: v for k, v in d.get("conversation", {}).items() if not k.startswith("_")},
        comparison={k: re.compile("|".join(f"(?:{p})" for p in v), re.I) for k, v in d.get("comparison", {}).items()
                    if not k.startswith("_")},
        committee_rows=re.compile("(?:" + "|".join(d["committee_totals"]["rows"]) + ")", re.I)
        if d.get("committee_totals") else re.compile(r"(?!)"),
        side_tables=re.compile(r"\b(?:" + "|".join(d["committee_totals"]["side_tables"]) + ")", re.I)
        if d.get("committee_totals") else re.compile(r"(?!)"),
    )


LEXICON = load_lexicon()
