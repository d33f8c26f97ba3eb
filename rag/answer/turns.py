"""Whether a chat turn leans on the chat or is a complete new question: a fitted decision.

The signals are general features of the turn's wording (a connector, a pronoun, a topic of its
own, a kommun named at length, …; `turn_features` below computes them from the lexicon's
words); how much each weighs is fitted on labelled chat turns (`python -m eval fit-turns`,
`rag/data/turns.json`): follow-ups of every kind, and complete questions asked after unrelated
chats, which must inherit nothing.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import RagError
from ..lexicon import LEXICON
from ..years import YEAR_RE
from .features import NamedFeatures
from .turn_words import (COMPLETE_WORDS, CONNECTOR, PRONOUNS, QUESTION_START, RESTRICT_START,
                         STRONG_ANAPHORA, WHY, asked_topic, is_english, kommuner_named, months_in, narrowing_part,
                         pointing_words, words_of, year_shift)

TURNS_PATH = Path(__file__).resolve().parent.parent / "data" / "turns.json"


@dataclass(frozen=True, kw_only=True)
class TurnFeatures(NamedFeatures):
    """What the decision knows of one turn, given the chat's last question."""

    bias: float = 1.0  # constant
    own_topic: float  # content words of its own, kommun, period, question and group words aside
    topic_words: float  # log(1 + how many)
    names_kommun: float  # it names a kommun
    length: float  # log(1 + words)
    kommun_at_length: float  # it names a kommun and has six words or more
    connector: float  # it opens as a follow-up does ("Och …", "What about …")
    strong_anaphora: float  # a word that points back whatever else is said ("då", "samma", "också")
    short_pronoun: float  # four words or fewer, one a pronoun ("Och det?")
    pointing: float  # a pronoun standing for a thing, no kommun of its own, the last question named one
    restrict: float  # it opens by restricting ("Bara …", "Only …")
    narrowing: float  # it names a part to narrow the last question to ("Och i vuxensektionen?")
    names_year: float  # it names a year
    relative_year: float  # it shifts the year ("året innan", "i fjol")
    names_month: float  # it names a month
    names_report: float  # it names a report type
    why: float  # it asks why
    across_kommuner: float  # it asks across kommuner ("Vilken kommun …", "rangordna")
    question_word_start: float  # it opens with a question word (vad, hur, which, …)
    english: float  # it is in English


@dataclass(frozen=True)
class TurnModel:
    """A logistic decision over `TurnFeatures`: P(the turn leans on the chat)."""

    coef: tuple[float, ...]
    threshold: float
    meta: dict

    def probability(self, f: TurnFeatures) -> float:
        z = sum(c * v for c, v in zip(self.coef, f.vector()))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def follows(self, f: TurnFeatures) -> bool:
        return self.probability(f) >= self.threshold

    def to_json(self) -> dict:
        return {"features": list(TurnFeatures.names()), "coef": list(self.coef), "threshold": self.threshold,
                "meta": self.meta}


def turn_model_from_json(d: dict, where: str = "turns.json") -> TurnModel:
    """The model, its feature names checked against `TurnFeatures`'s fields in order."""
    names = tuple(d.get("features", ()))
    if names != TurnFeatures.names():
        missing = [n for n in TurnFeatures.names() if n not in names]
        raise RagError(f"{where} was fitted on other turn features (missing {missing or 'none'}, "
                       f"stored {len(names)}, expected {len(TurnFeatures.names())}); run `python -m eval fit-turns`")
    return TurnModel(tuple(float(c) for c in d["coef"]), float(d["threshold"]), dict(d.get("meta", {})))


@cache
def turn_model(path: Path = TURNS_PATH) -> TurnModel:
    try:
        return turn_model_from_json(json.loads(path.read_text(encoding="utf-8")), str(path))
    except FileNotFoundError:
        raise RagError(f"no fitted turn model at {path}; run `python -m eval fit-turns`") from None


def save_turn_model(model: TurnModel, path: Path = TURNS_PATH) -> None:
    from ..files import write_atomic

    write_atomic(path, (json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def turn_features(question: str, base: str, corpus: tuple[str, ...]) -> TurnFeatures:
    """The signals of a turn, asked after `base` (the chat's last question, resolved), for the
    fitted decision whether it leans on the chat."""
    text = re.sub(r"\s+", " ", question).strip()
    low, words = text.lower(), words_of(text)
    english = is_english(low)
    kommuner = kommuner_named(text, corpus)
    topic = asked_topic(text, kommuner, english)
    return TurnFeatures(
        own_topic=float(bool(topic)), topic_words=math.log1p(len(topic)), names_kommun=float(bool(kommuner)),
        length=math.log1p(len(words)), kommun_at_length=float(bool(kommuner) and len(words) >= COMPLETE_WORDS),
        connector=float(bool(CONNECTOR.match(low))),
        strong_anaphora=float(any(w in STRONG_ANAPHORA for w in words)),
        short_pronoun=float(len(words) <= 4 and any(w in PRONOUNS for w in words)),
        pointing=float(bool(pointing_words(words)) and not kommuner and bool(kommuner_named(base, corpus))),
        restrict=float(bool(RESTRICT_START.match(low))),
        narrowing=float(bool(topic) and bool(narrowing_part(text, kommuner, english))),
        names_year=float(bool(YEAR_RE.search(text))),
        relative_year=float(bool(year_shift(text))),
        names_month=float(bool(months_in(words))), names_report=float(bool(LEXICON.report_types_in(text))),
        why=float(bool(WHY.search(low))), across_kommuner=float(LEXICON.is_rank(text)), question_word_start=float(bool(words) and words[0] in QUESTION_START),
        english=float(english),
    )
