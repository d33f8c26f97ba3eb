"""Questions that ask about nothing the reports cover, told by general features before any evidence
is looked at, so that they get a reason and never a figure: instructions to the system, requests for
the whole store, secrets and personal data, SQL or markup, and greetings that ask nothing else.

The words are the reviewed lexicon group `not_about_reports`; the syntax of SQL and markup is here.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from ..lexicon import LEXICON_PATH

REASONS = {
    "code": "frågan ser ut som en databasfråga (SQL) eller kod, inte som en fråga om rapporterna",
    "instructions": "frågan ger systemet instruktioner i stället för att fråga om rapporterna; "
                    "appen svarar bara på frågor om rapporternas innehåll",
    "dump": "appen lämnar inte ut hela underlaget eller dess lagring, bara svar på frågor om rapporterna",
    "secrets": "rapporterna innehåller inga lösenord, personnummer eller andra personuppgifter, och appen lämnar "
               "inte ut sådana",
    "small_talk": "frågan nämner inget som rapporterna handlar om; fråga till exempel om kostnader, "
                  "sjukfrånvaro eller placeringar i en kommun",
    "nothing": "frågan nämner inget som rapporterna handlar om; fråga till exempel om kostnader, "
               "sjukfrånvaro eller placeringar i en kommun",
    "fragment": "frågan är en följdfråga men det finns ingen tidigare fråga att läsa den mot; skriv hela frågan, "
                "till exempel «Hur hög var sjukfrånvaron i Solna 2023?»",
}
#: SQL statements, tautologies and comment tricks; HTML or template markup.
_CODE = re.compile(
    r"\b(select\s+[\w*,\s]+\s+from|union\s+(all\s+)?select|drop\s+(table|database)|insert\s+into|delete\s+from"
    r"|update\s+\w+\s+set|truncate\s+table|alter\s+table|exec(ute)?\s*\(|xp_cmdshell)\b"
    r"|['\"]\s*(or|and)\s+['\"]?\w+['\"]?\s*=|;\s*(drop|delete|insert|update|select|shutdown)\b|--\s*$|/\*|\*/"
    r"|<\s*/?\s*(script|img|iframe|svg|a|style|object)\b|\{\{|\$\{|\bjavascript:", re.I)
_ALWAYS = ("instructions", "dump", "secrets")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[re.Pattern, ...]]:
    group = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))["not_about_reports"]
    return {k: tuple(re.compile(p, re.I) for p in v) for k, v in group.items() if not k.startswith("_")}


def kinds_in(text: str) -> list[str]:
    """The kinds of not-a-question the text shows, in the order of REASONS."""
    low = " ".join(text.lower().split())
    found = ["code"] if _CODE.search(text) else []
    return found + [k for k, rxs in _patterns().items() if any(rx.search(low) for rx in rxs)]


def _without_small_talk(text: str) -> str:
    low = text.lower()
    for rx in _patterns()["small_talk"]:
        low = rx.sub(" ", low)
    return low


def not_about_reports(text: str, topic_words: tuple[str, ...], kommuner: tuple[str, ...],
                      years: tuple[int, ...]) -> str:
    """The Swedish reason a question is no question about the reports, or '' when it may be one.

    Instructions, dumps, secrets and code refuse whatever else is named; small talk only when the
    question asks nothing else; a question with no topic, kommun or year names nothing to look up."""
    kinds = kinds_in(text)
    for kind in ("code", *_ALWAYS):
        if kind in kinds:
            return REASONS[kind]
    rest = _without_small_talk(text)
    topics = [w for w in topic_words if w in rest]
    if "small_talk" in kinds and not topics and not kommuner and not years:
        return REASONS["small_talk"]
    if not topic_words and not kommuner and not years:
        return REASONS["nothing"]
    return ""
