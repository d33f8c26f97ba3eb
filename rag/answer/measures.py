"""The measure layer: which of the catalogue's measures (`rag/data/measures.json`, reviewed data
with national definitions) a table row reports, and which one a question asks for. The kommuner
print one measure under their own labels (Lokaler / Lokalkostnader / Lokalhyror); reading each
row as a catalogue measure lets a comparison put like beside like.

A row is read from its label: a catalogue name whose words all stand in the label, the one that
covers most of it; a label naming two measures of different kinds (an activity and a cost type,
"Ekonomiskt bistånd (personal)") is neither. The row's unit must fit the measure's kind (a cost is
money, a count is not), and a measure of one target group never reads a row naming another. A
row whose label says nothing (a year, a month) is read with its caption. No model is involved,
so the mapping is the same wherever it is computed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ..lexicon import LEXICON
from ..search.lexical import split_compound, stem, words
from ..years import is_year

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "measures.json"

MONEY_UNITS = frozenset({"kr", "tkr", "mkr", "mnkr"})
#: words that join or qualify a name without naming a measure (the lexicon's `label_filler`: "och",
#: "exkl", a unit, "SN" for the committee whose report it is)
_FILLER_STEMS = frozenset(stem(w) for w in LEXICON.label_filler)
TOTAL_ONLY = re.compile(r"^\W*(summa|totalt?|total)\W*$", re.I)
_MARKUP = re.compile(r"<[^>]+>|&[a-z]+;")
#: a row is read as a measure only when the matched name covers this share of its label's words:
#: lower finds more rows (recall 0.70 at 0) but reads a label that names a measure only in passing
#: ("Antal besök inom … öppna insatser") as that measure (precision 0.88 at 0, 0.99 at 0.6 on the
#: hand-labelled rows)
MIN_CONFIDENCE = 0.6
#: a row whose label names a measure beside more words of its own than this share is not even its
#: nearest row (a comparison names a nearer one as such: lower shows rows about something else)
NEAR_CONFIDENCE = 0.2


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    group: str  # kostnadsslag, intaktsslag, resultat, verksamhet, personal, volym, investering
    definition: str
    names: tuple[str, ...]
    english: tuple[str, ...]
    kind: str  # money | count | share | index | time
    sign: str  # cost | income | net | deviation | none
    target_group: str
    national: tuple[str, ...]
    better: str = ""  # "higher" | "lower": which end is the better result ("bäst HME"), "" when neither
    at_date: bool = False  # a stock counted at a date (anställda), not a flow summed over a period


@dataclass(frozen=True)
class MeasureMatch:
    """A row read as a measure: how much of its label the matched name covers (1.0: all of it)."""

    measure: str
    confidence: float
    name: str  # the catalogue name that matched
    source: str  # "label" | "caption"


def _stems(text: str) -> tuple[str, ...]:
    text = _MARKUP.sub(" ", text)
    return tuple(stem(w) for w in words(text.lower().replace("-", " ").replace("/", " ")))


def stems_of(text: str) -> tuple[str, ...]:
    """The content word stems of a name or label."""
    return _content(_stems(text))


_TOTAL_STEMS = frozenset(_stems("totalt total"))


def _content(stems: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s for s in stems if s not in _FILLER_STEMS and not s.isdigit())


@lru_cache(maxsize=1)
def _expansions() -> dict[str, frozenset[str]]:
    """An abbreviation's stem -> the content stems of its written-out form (bou -> barn, ung)."""
    from ..lexicon import _long_forms

    return {stem(k): frozenset(_content(_stems(v))) for k, v in _long_forms(LEXICON.synonyms).items()}


def near_spelling(a: str, b: str) -> bool:
    """One letter apart, in words long enough for that to be a spelling (driftskostnader,
    driftkostnader; lokallyror, lokalhyror), never in short ones."""
    if min(len(a), len(b)) < 8 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _covered(token: str, name: frozenset[str]) -> bool:
    if token in name or any(near_spelling(token, n) for n in name):
        return True
    long_form = _expansions().get(token)
    return bool(long_form) and long_form <= name


def _name_fits(name: frozenset[str], content: tuple[str, ...]) -> bool:
    """Every word of the name stands in the text (an abbreviation standing for its long form)."""
    have = set(content)
    for t in content:
        have |= _expansions().get(t, frozenset())
    return all(n in have or any(near_spelling(n, h) for h in have) for n in name)


class Catalogue:
    """The measures and the names they go by."""

    def __init__(self, measures: tuple[Measure, ...], residual: dict[str, str] | None = None,
                 residual_labels: tuple[str, ...] = ()):
        self.measures = {m.id: m for m in measures}
        self.residual = dict(residual or {})  # group -> the measure that is the rest of its lines
        self.residual_label = re.compile(r"^\s*[-–]?\s*(?:" + "|".join(map(re.escape, residual_labels)) + r")\s*$",
                                         re.I) if residual_labels else re.compile(r"(?!)")

    @classmethod
    def load(cls, path: Path = CATALOGUE_PATH) -> "Catalogue":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(Measure(m["id"], m["name"], m["group"], m["definition"], tuple(m["names"]),
                                 tuple(m.get("english", ())), m["kind"], m["sign"], m.get("target_group", ""),
                                 tuple(m.get("national", ())), m.get("better", ""), bool(m.get("at_date", False)))
                             for m in data["measures"]),
                   {m["group"]: m["id"] for m in data["measures"] if m.get("residual")},
                   tuple(data.get("residual_labels", ())))

    def residual_of(self, label: str, groups_above: list[str]) -> str | None:
        """The measure a bare 'Övrigt' reports, from the groups of the lines just above it (the last
        two of one group): the rest of that group's lines. None for any other label."""
        if not self.residual_label.match(_MARKUP.sub("", label)) or len(groups_above) < 2:
            return None
        last = groups_above[-2:]
        return self.residual.get(last[0]) if last[0] == last[1] else None

    @cached_property
    def phrases(self) -> tuple[tuple[frozenset[str], int, str, str], ...]:
        """(content stems, their count, measure id, name) for every Swedish and English name,
        longest first."""
        out = []
        for m in self.measures.values():
            for name in (m.name, *m.names, *m.english):
                content = frozenset(_content(_stems(name)))
                if content:
                    out.append((content, len(content), m.id, name))
        return tuple(sorted(out, key=lambda t: -t[1]))

    def matches(self, text: str) -> list[tuple[str, str, frozenset[str], float]]:
        """Every measure some name of which stands whole in `text`: (id, name, the stems it
        covers, the share of the text's content words it covers), the best per measure."""
        content = _content(_stems(text))
        # "HME, totalt" is the total of the measure named: read also without the word for a total
        # (a name may hold it: "Summa totalt")
        readings = {content, tuple(t for t in content if t not in _TOTAL_STEMS)}
        best: dict[str, tuple[str, str, frozenset[str], float]] = {}
        for reading in filter(None, readings):
            for stems, n, mid, name in self.phrases:
                if _name_fits(stems, reading):
                    share = sum(1 for t in reading if _covered(t, stems)) / len(reading)
                    if share > 0 and (mid not in best or share > best[mid][3]):
                        best[mid] = (mid, name, stems, share)
        return sorted(best.values(), key=lambda t: (-t[3], -len(t[2])))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return Catalogue.load()


def _unit_fits(measure: Measure, units: frozenset[str]) -> bool:
    money = bool(units & MONEY_UNITS)
    if measure.kind == "money":
        return money
    if measure.kind == "share":
        return "%" in units
    if measure.kind == "count":
        return not money and "%" not in units
    return not money  # an index or a time is never an amount of kronor


def _best(cat: Catalogue, text: str, units: frozenset[str], context: str, source: str) -> MeasureMatch | None:
    found = [m for m in cat.matches(text) if _unit_fits(cat.measures[m[0]], units)]
    groups = LEXICON.groups_in(context)
    found = [m for m in found if not cat.measures[m[0]].target_group
             or not groups or cat.measures[m[0]].target_group in groups]
    if not found:
        return None
    top = found[0]
    # a result or deviation named with an activity in words of its own ("Resultat vård barn och
    # unga - Avvikelse mot budget") is the activity's deviation: the activity, its columns read as
    # deviations (`span_of`); one word ("vuxna") names no activity beside a result
    activity = [m for m in found if cat.measures[m[0]].group == "verksamhet"]
    if activity and len(activity[0][2]) >= 2 and cat.measures[top[0]].group == "resultat" \
            and all(cat.measures[m[0]].group in ("verksamhet", "resultat") for m in found):
        # the label's words are the activity's and the deviation's: its confidence covers both
        words = len(activity[0][2]) / activity[0][3]
        covered = len(set().union(*(m[2] for m in found))) / words
        top, found = (activity[0][0], activity[0][1], activity[0][2], min(1.0, covered)), activity
    # a label naming two measures of different groups on words of its own (an activity and a cost
    # type) reports neither alone
    for other in found[1:]:
        if cat.measures[other[0]].group != cat.measures[top[0]].group and not other[2] & top[2] \
                and other[3] >= 0.3:
            return None
    return MeasureMatch(top[0], round(top[3], 3), top[1], source)


def row_measure(label: str, caption: str, table: str, units: frozenset[str] | set[str],
                cat: Catalogue | None = None) -> MeasureMatch | None:
    """The measure a table row reports, or None when no catalogue measure fits it. A row with
    figures of two kinds (a volume table's placements and their cost) reports its count."""
    units = frozenset(u for u in units if u)
    counted = units - MONEY_UNITS - {"%"}
    found = row_measure_of(label, caption, table, counted if counted else units, cat)
    return found if found and found.confidence >= MIN_CONFIDENCE else None


def row_measure_of(label: str, caption: str, table: str, units: frozenset[str],
                   cat: Catalogue | None = None) -> MeasureMatch | None:
    """The measure the row's cells of these units report (money cells and count cells of one row
    may report different measures: an activity's cost and its volume)."""
    cat = cat or catalogue()
    context = f"{label} {caption} {table}"
    counted = " ".join(sorted(units - MONEY_UNITS - {"%", "antal"}))  # "hushåll", "årsplacering"
    if is_year(label) or not _content(_stems(label)) or TOTAL_ONLY.match(_MARKUP.sub("", label)):
        return _best(cat, f"{caption} {table} {counted}".strip(), units, context, "caption")
    return _best(cat, f"{label} {counted}".strip(), units, context, "label") \
        or (_best(cat, f"{label} {caption}", units, context, "caption") if counted or not units & MONEY_UNITS else None)


def question_measures(text: str, cat: Catalogue | None = None) -> list[tuple[str, float]]:
    """The measures a question names, best first: (id, how many content words the name covers)."""
    cat = cat or catalogue()
    out: dict[str, float] = {}
    for mid, _name, stems, _share in cat.matches(text):
        out[mid] = max(out.get(mid, 0.0), float(len(stems)))
    return sorted(out.items(), key=lambda kv: -kv[1])


def named_measures(question: str, vocab) -> list[tuple[str, float]]:
    """The measures a question names (`question_measures`), read without the words for the committee
    as a whole and those asking which kommun or committee ranks (they name no measure); a measure
    named in words of the question wins over one found in a part of a compound (personalbudgeten:
    personal budgeten)."""
    text = LEXICON.committee.sub(" ", question.lower())
    for rx in LEXICON.rank_patterns:
        text = rx.sub(" ", text)
    whole = words(text)
    return question_measures(" ".join(whole)) or \
        question_measures(" ".join(p for w in whole for p in (w, *split_compound(w, vocab))))


def near_row_measures(label: str, caption: str, table: str, units: set[str]) -> dict[bool, MeasureMatch]:
    """A row's measure read below `MIN_CONFIDENCE` (at least `NEAR_CONFIDENCE`): the label names it
    beside words of its own ("Total sjukfrånvaro, tillsvidareanställda AB-avtal"). A comparison
    shows such a row for a kommun without a confident one, named as such, never ranked."""
    out: dict[bool, MeasureMatch] = {}
    for money, kind_units in ((True, units & MONEY_UNITS), (False, units - MONEY_UNITS)):
        if kind_units:
            m = row_measure_of(label, caption, table, frozenset(u for u in kind_units if u))
            # a label naming another measure as much ("HME Motivationen hos medarbetarna") is near neither
            rival = any(other[0] != m.measure and other[3] >= m.confidence for other in catalogue().matches(label)) \
                if m is not None else False
            if m is not None and NEAR_CONFIDENCE <= m.confidence < MIN_CONFIDENCE and m.source == "label" and not rival:
                out[money] = m
    return out


def row_measures(label: str, caption: str, table: str, units: set[str]) -> dict[bool, MeasureMatch]:
    """A row's measure for its amounts (True) and for its other figures (False), each where one fits
    with at least `MIN_CONFIDENCE`: a volume table's row reports its placements and their cost."""
    out: dict[bool, MeasureMatch] = {}
    for money, kind_units in ((True, units & MONEY_UNITS), (False, units - MONEY_UNITS)):
        if kind_units:
            m = row_measure_of(label, caption, table, frozenset(u for u in kind_units if u))
            if m is not None and m.confidence >= MIN_CONFIDENCE:
                out[money] = m
    return out
