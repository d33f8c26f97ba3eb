"""Table rows as the answer reads them, and which of a row's cells answer a question.

Pure functions over Facts: a row is its table line's facts (`FactRow`), a column heading is read
as its kind, years and month (`column_info`), and the cells are chosen by what the question asks
for (utfall, budget, prognos, avvikelse, a month, the previous year) and the kind of figure it
asks (an amount, a share, a count). How well a row names the topic is `row_match.py`.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from .question import MONTHS, QuestionAnalysis
from ..lexicon import LEXICON
from ..models import Fact, Report
from ..ingest.tables import split_cells
from ..years import is_year, years_in
from .topic import cached_terms, topic_terms

_MONTH_COL = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
#: markup a report keeps in a label ("<b>Summa</b>")
MARKUP = re.compile(r"</?\w+>")
#: what differs between two reports' prints of one row: markup, a unit in brackets, punctuation
#: ("Institutionsvård BoU SOL, LVU" in April is "Institutionsvård BoU SOL LVU" in August)
_LABEL_NOISE = re.compile(MARKUP.pattern + r"|\((?:mnkr|mkr|tkr|kr|%)\)|[,.;:]", re.I)
_SPACES = re.compile(r"\s+")
#: A column heading naming a month before December is part of a year ("Utfall Aug 2022", "jan-april").
_PART_YEAR = re.compile(r"\b(?:" + "|".join(f"{m[:3]}(?:{m[3:]})?" for m in MONTHS[:11])
                        + r")\b(?!\s*[-–]\s*dec)", re.I)


@dataclass(frozen=True)
class FactRow:
    """All facts of one table row, with the words that describe it."""

    doc_id: str
    line: int
    facts: tuple[Fact, ...]
    parent: str = ""  # the row a sub-row belongs to ("Antal anställda" for "varav kvinnor"), or ""
    total: str = ""  # the named total that closes the row's run ("Summa intäkter" for "Bidrag"), or ""

    @property
    def group(self) -> str:
        """What the row is part of, read with its label when it is matched to a question."""
        return self.parent or self.total

    @property
    def first(self) -> Fact:
        return self.facts[0]

    @property
    def label(self) -> str:
        return self.first.row

    @property
    def key(self) -> str:
        """The label as the same row reads in another report: without markup or a unit in
        brackets ("Summa totalt (mnkr)" in one report is "Summa totalt (mkr)" in the next)."""
        return _SPACES.sub(" ", _LABEL_NOISE.sub(" ", self.label)).strip().lower()


@dataclass(frozen=True)
class Column:
    kind: str  # utfall | budget | prognos | avvikelse | bokslut | mål | förändring | annat
    years: tuple[int, ...]
    month: int  # a month-by-year table's month column, else 0
    previous: bool  # "föregående år"
    helar: bool


def group_rows(facts: list[Fact]) -> list[FactRow]:
    """The facts of each table row together, each row with what it is part of: the row a sub-row
    belongs to (`row_parents`) and the named total that closes its run (`_named_totals`)."""
    rows: dict[tuple[str, int], list[Fact]] = {}
    for f in facts:
        rows.setdefault((f.doc_id, f.line), []).append(f)
    plain = [FactRow(d, ln, tuple(fs)) for (d, ln), fs in rows.items()]
    parents, totals = row_parents(plain), _named_totals(plain)
    return [dataclasses.replace(r, parent=parents.get((r.doc_id, r.line), ""), total=totals.get((r.doc_id, r.line), ""))
            for r in plain]


#: a total that names what it adds up ("Summa intäkter", "<b>Summa KOSTNADER</b>")
_NAMED_TOTAL = re.compile(r"^\s*(?:<\w+>\s*)?summa\s+[a-zåäö]{3,}", re.I)
#: a sub-row: a dash or bullet, or "varav"/"därav"
_SUB_ROW = re.compile(r"^\s*(?:[-–•]\s*|(?:varav|därav)\b)", re.I)


def _tables_of(rows: list[FactRow]) -> list[list[FactRow]]:
    """The rows of each table, in the order printed."""
    tables: dict[tuple[str, int], list[FactRow]] = {}
    for r in sorted(rows, key=lambda r: (r.doc_id, r.line)):
        tables.setdefault((r.doc_id, r.first.header_line), []).append(r)
    return list(tables.values())


def _named_totals(rows: list[FactRow]) -> dict[tuple[str, int], str]:
    """Each row's named total: the rows of a table after one total and up to the next are what
    that next total adds up, when it names it. "Bidrag" in a resultaträkning is a kind of income
    because "Summa intäkter" closes its run, though no heading says so."""
    out: dict[tuple[str, int], str] = {}
    for table in _tables_of(rows):
        run: list[FactRow] = []
        for r in table:
            label = MARKUP.sub("", r.label).strip()
            if _NAMED_TOTAL.match(r.label):
                out.update({(x.doc_id, x.line): label for x in run})
                run = []
            elif TOTAL_RE.match(label):
                run = []
            else:
                run.append(r)
    return out


def row_parents(rows: list[FactRow]) -> dict[tuple[str, int], str]:
    """For each sub-row, the label of the row it belongs to. `varav kvinnor` alone says little;
    under `Antal anställda` it says what it counts. A run of sub-rows belongs to the row above it,
    unless that row is a total (which closes the group before): then to the total that follows
    the run (`- Personalkostnader` … `Summa KOSTNADER`)."""
    out: dict[tuple[str, int], str] = {}
    for table in _tables_of(rows):
        sub = [bool(_SUB_ROW.match(r.label) or _SUB_ROW.match(r.first.row_text.lstrip("| "))) for r in table]
        for i, r in enumerate(table):
            if not sub[i]:
                continue
            above = next((table[j] for j in range(i - 1, -1, -1) if not sub[j]), None)
            below = next((table[j] for j in range(i + 1, len(table)) if not sub[j]), None)
            if above is not None and not TOTAL_RE.match(above.label):
                out[(r.doc_id, r.line)] = above.label.strip()
            elif below is not None and TOTAL_RE.match(below.label):
                out[(r.doc_id, r.line)] = below.label.strip()
    return out


def column_info(label: str) -> Column:
    low = label.lower()
    years = years_in(low)
    short = re.fullmatch(r"(\d\d)/(\d\d)", low.replace("%", "").strip())
    month = _MONTH_COL.get(low.strip()[:3], 0) if re.fullmatch(r"[a-zåäö]{3,9}", low.strip()) else 0
    if "avvikelse" in low or "differens" in low:
        kind = "avvikelse"
    elif "%" in low and ("/" in low or "förändring" in low) or "förändring" in low or short:
        kind = "förändring"
    elif "prognos" in low:
        kind = "prognos"
    elif "budget" in low:
        kind = "budget"
    elif "bokslut" in low:
        kind = "bokslut"
    elif "mål" in low:
        kind = "mål"
    elif "utfall" in low or years or month or re.search(r"\baugust", low):
        kind = "utfall"
    else:
        kind = "annat"
    previous = "föregående" in low or "förra" in low
    helar = "helår" in low or "årsprognos" in low or "årsbudget" in low
    return Column(kind, years, month, previous, helar)


def is_year_label(label: str) -> bool:
    """A row labelled by a year alone: a month-by-year table's row."""
    return is_year(label)


_UNIT_KIND = {"mnkr": "money", "mkr": "money", "tkr": "money", "kr": "money", "%": "share"}
MONEY_UNITS = frozenset(u for u, kind in _UNIT_KIND.items() if kind == "money")
_TOTAL_COLUMN = re.compile(r"\b(?:totalt?|summa)\b", re.I)
TOTAL_RE = re.compile(r"^(summa årets resultat|årets resultat|summa totalt|totalt|summa|verksamhetens nettokostnad)", re.I)


def blank_columns(row: FactRow, years: tuple[int, ...]) -> dict[str, str]:
    """Column kind -> the heading of the asked year's column of that kind, where the row's table
    has one but the row leaves it empty: the report gives no such figure, and the nearest year's
    is no answer."""
    if not years:
        return {}
    have = {f.column for f in row.facts}
    heads = [h for h in split_cells(row.first.header_text)[1:] if h and h not in have]
    return {c.kind: h for h, c in zip(heads, map(column_info, heads)) if max(years) in c.years}




def asked_figure(a: QuestionAnalysis, measure: str) -> str:
    """count | share | money | duration | '': the kind of figure the question's form asks for ("hur
    många", "hur stor andel", "vad kostade", "hur länge"); the measure word named first decides
    ("andel av nettokostnaden"), except that a question asking how long asks for a time."""
    if LEXICON.duration.search(a.text):
        return "duration"
    if measure in ("antal", "andel"):
        return {"antal": "count", "andel": "share"}[measure]
    return "money" if LEXICON.money.search(a.text) else ""


def asked_cell(a: QuestionAnalysis, measure: str) -> str:
    """The kind of table cell that answers: `asked_figure`, and for "budgeten för X" or "prognosen för
    X" an amount unless a count or share is named anywhere (a volume budget in placements answers
    only a question about placements). Text is not held to this: "visade en avvikelse" asks no sum."""
    figure = asked_figure(a, measure)
    if figure or measure not in ("budget", "prognos", "avvikelse"):
        return figure
    low = a.text.lower()
    counted = any(rx.search(low) for m in ("antal", "andel") for rx in LEXICON.measure_patterns.get(m, ()))
    return "" if counted else "money"


def unit_fits(unit: str, figure: str) -> bool:
    """Whether a cell of this unit can be the asked kind of figure: a count is never an amount
    or a share, a share is a percentage, an amount is in kronor."""
    if figure == "count":
        return unit not in MONEY_UNITS and unit != "%"
    if figure == "share":
        return unit == "%"
    if figure == "money":
        return unit in MONEY_UNITS
    if figure == "duration":
        return unit in LEXICON.duration_units
    return True


_OUTCOME = re.compile(r"\butfall|\boutcome", re.I)


def cell_fits(fact: Fact, figure: str) -> bool:
    """`unit_fits` for a cell: an amount may also be a cell without a unit in a column that names a
    cost (`KPB`, kostnad per brukare, in a table that prints kronor without a unit), and such a cell
    is no count."""
    if figure == "count" and not fact.unit and _names_cost(fact.column):
        return False  # "KPB" printed without "kr" is still an amount, never a count
    if unit_fits(fact.unit, figure):
        return True
    return figure == "money" and not fact.unit and _names_cost(fact.column)


@lru_cache(maxsize=4096)
def _names_cost(column: str) -> bool:
    """Whether a column heading, abbreviations spelt out, names an amount of money (`KPB`)."""
    return bool(LEXICON.money.search(LEXICON.spell_out(column).lower()))


def pick_columns(row: FactRow, a: QuestionAnalysis, report: Report, vocab=None, figure: str = "") -> list[Fact]:
    """The cell(s) that answer: the asked period's value, and for change questions the one to compare with.
    Only cells that can be the asked kind of figure (see `cell_fits`) are considered."""
    cells = _Cells.of(row, a, report, figure)
    if not cells.cols:
        return []
    named = cells.named_column(vocab)
    if named is not None:  # the question names a column ("externa utförare"): that cell answers
        return [named]
    month_cols = [(f, c) for f, c in cells.cols if c.month]
    if month_cols:  # a month-by-year table answers only a question that names the month
        return [f for f, c in month_cols if c.month in a.months] if a.months else []
    pw = _period_words(a, report, cells.year)
    wanted = next((k for k in ("avvikelse", "prognos", "budget", "bokslut") if k in pw), "utfall")
    if wanted in blank_columns(row, a.years):  # the table has the asked year's column, and this row leaves it empty
        return []
    primary, deviation = _by_period_word(cells, pw)
    if deviation is not None:  # a forecast is read against the budget: its deviation comes along
        return [primary[0][0], deviation]
    if not primary and any(rx.search(a.text) for rx in LEXICON.measure_patterns.get("mål", ())):
        primary = cells.by_year(cells.prefer(("mål",)))  # "målvärdet till 2030": the target's column
    if not primary:
        primary = _outcome(cells, row, wanted, figure)
    if not primary:  # the row has only budget, forecast, deviation or target columns: none is an outcome
        return []
    return _with_series_or_previous(cells, primary)


@dataclass(frozen=True)
class _Cells:
    """A row's cells that can be the asked kind of figure, with what choosing among them reads."""

    cols: list[tuple[Fact, Column]]
    a: QuestionAnalysis
    year: int  # the asked year, else the report's
    report_year: int
    money_asked: bool

    @staticmethod
    def of(row: FactRow, a: QuestionAnalysis, report: Report, figure: str) -> "_Cells":
        cols = [(f, column_info(f.column)) for f in row.facts if cell_fits(f, figure)]
        if "bokslut" in a.period_words and not a.months:  # the closed year's accounts: no part-year column says them
            cols = [(f, c) for f, c in cols if not _PART_YEAR.search(f.column)]
        report_year = int(report.period_end[:4])
        return _Cells(cols, a, max(a.years) if a.years else report_year, report_year,
                      bool(LEXICON.money.search(a.text)))

    def prefer(self, kinds: tuple[str, ...], helar: bool | None = None) -> list[tuple[Fact, Column]]:
        """This year's columns of these kinds (the full year's or not, when `helar` says and the row has one)."""
        # a column of the year before the report's ("Utfall jan-aug föregående år") only when that year is
        # asked about, not as what a change is measured from ("jämfört med 2022")
        earlier = self.year < self.report_year and self.a.intent not in ("trend", "why")
        out = [(f, c) for f, c in self.cols if c.kind in kinds and (not c.previous or earlier)]
        if helar is not None and any(c.helar == helar for _, c in out):
            out = [(f, c) for f, c in out if c.helar == helar]
        if self.money_asked and any(f.unit in ("mnkr", "mkr", "tkr") for f, _ in out):
            # a surplus or deficit is money: the last money column is the total deviation
            out = [(f, c) for f, c in out if f.unit in ("mnkr", "mkr", "tkr")][::-1]
        return out

    def by_year(self, cands: list[tuple[Fact, Column]]) -> list[tuple[Fact, Column]]:
        """The asked year's columns (an undated one is the report's year); none when the question
        names a year the row has no column for: never the nearest year's figure."""
        exact = [(f, c) for f, c in cands if self.year in (c.years or (self.report_year - c.previous,))]
        if exact:  # a year split by group ("Kvinnor 2023", "Män 2023", "Totalt 2023"): the total first
            return sorted(exact, key=lambda fc: not _TOTAL_COLUMN.search(fc[0].column))
        if self.a.years:
            return []
        return sorted(cands, key=lambda fc: -max(fc[1].years or (self.report_year,)))[:1]

    def named_column(self, vocab) -> Fact | None:
        """The cell whose column heading names most of the question's subject (not a period word
        an English question's topic carries too, "budget"), if any names some."""
        a = self.a
        asked = set(topic_terms(a, vocab)) - cached_terms(" ".join(a.period_terms), vocab) if vocab is not None else set()
        overlap = [(len(asked & _column_terms(f.column, vocab)), f) for f, _ in self.cols]
        best = max((n for n, _ in overlap), default=0)
        return next(f for n, f in overlap if n == best) if best else None


@lru_cache(maxsize=4096)
def _column_terms(column: str, vocab) -> frozenset[str]:
    """A heading's terms, abbreviations spelt out, and each word's own: "KPB" is kostnad per brukare
    as one term and as a cost per user ("vad kostade … per brukare")."""
    spelled = LEXICON.spell_out(column)
    return cached_terms(spelled, vocab).union(*(cached_terms(w, vocab) for w in spelled.split()))


def _period_words(a: QuestionAnalysis, report: Report, year: int) -> frozenset[str]:
    """The question's period words; the current year's full year, asked of a part-year report,
    is only a forecast."""
    pw = a.period_words
    if "helår" in pw and not pw & {"avvikelse", "prognos", "budget", "bokslut"} and not a.months \
            and year == int(report.period_end[:4]) and int(report.period_end[5:7]) < 12 and not _OUTCOME.search(a.text):
        pw = pw | {"prognos"}
    return pw


def _by_period_word(cells: _Cells, pw: frozenset[str]) -> tuple[list[tuple[Fact, Column]], Fact | None]:
    """The cells of the column a period word asks for (avvikelse, prognos, budget, bokslut), and
    for a forecast the full year's deviation to show beside it."""
    a = cells.a
    if "avvikelse" in pw:
        helar = True if ("helår" in pw or "prognos" in pw) else (False if a.months else None)
        return cells.by_year(cells.prefer(("avvikelse",), helar=helar)), None
    if a.intent == "why" and "prognos" in pw:
        return cells.prefer(("avvikelse",), helar=True) or cells.prefer(("prognos",)), None
    if "prognos" in pw:
        # a table without a forecast column may still give the full-year forecast's deviation
        primary = cells.by_year(cells.prefer(("prognos",))) or [(f, c) for f, c in cells.prefer(("avvikelse",)) if c.helar]
        if primary and primary[0][1].kind == "prognos":
            dev = cells.prefer(("avvikelse",), helar=True)
            if dev and dev[0][1].helar:
                return primary, dev[0][0]
        return primary, None
    if "budget" in pw:
        return cells.by_year(cells.prefer(("budget",))), None
    if "bokslut" in pw:
        return cells.by_year(cells.prefer(("bokslut",))), None
    return [], None


def _outcome(cells: _Cells, row: FactRow, wanted: str, figure: str) -> list[tuple[Fact, Column]]:
    """The outcome's cells where no column of the asked period word answers."""
    a = cells.a
    if wanted in ("avvikelse", "prognos", "budget") and a.intent not in ("why", "trend") \
            and figure not in ("share", "count") and column_info(row.label).kind != wanted:
        # a forecast, budget or deviation asked for ("andel av budgeten" asks a share): the row's outcome
        # is not it, unless its label names the measure
        return []
    if a.years and cells.year < cells.report_year and not a.months:
        # a year closed before the report: its full-year outcome is the bokslut, not a part-year column
        closed = [(f, c) for f, c in cells.prefer(("bokslut",)) if cells.year in c.years]
        if closed:
            return closed
        if "helår" in a.period_words:  # "helåret 2022" is no part-year column of 2022 (January–August)
            return [(f, c) for f, c in cells.by_year(cells.prefer(("utfall",))) if not _PART_YEAR.search(f.column)]
    return cells.by_year(cells.prefer(("utfall",))) or cells.by_year(cells.prefer(("bokslut",))) \
        or cells.prefer(("annat",))


def _with_series_or_previous(cells: _Cells, primary: list[tuple[Fact, Column]]) -> list[Fact]:
    """The chosen cell; for a trend every year the table gives, for a why or a trend question
    about an outcome the year before too."""
    a, chosen = cells.a, [primary[0][0]]
    dated = sorted(((max(c.years), f) for f, c in cells.cols if c.kind == "utfall" and c.years and not c.previous),
                   key=lambda t: t[0])
    if a.intent == "trend" and len({y for y, _ in dated}) >= 3:
        return [f for _, f in dated]  # a series: every year the table gives
    if a.intent in ("why", "trend") and primary[0][1].kind == "utfall":
        cur = primary[0][1]
        prev = [f for f, c in cells.cols if c.previous and c.kind == "utfall"]
        if not prev and cur.years:
            prev = [f for f, c in cells.cols if c.kind == "utfall" and c.years and max(c.years) == max(cur.years) - 1]
        chosen += prev[:1]
    return chosen
