"""Table lookup: pick the table rows and columns that answer a question.

Pure functions over Facts: rows are scored by how much of the question's
topic their label (or, for year-by-month tables, their caption) covers, and
columns by what the question asks for (utfall, budget, prognos, avvikelse,
a month, the previous year).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import MONTHS, QuestionAnalysis
from .lexical import SYNONYMS, canon_terms, stem
from .models import Fact, Report

_MONTH_COL = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}


@dataclass(frozen=True)
class FactRow:
    """All facts of one table row, with the words that describe it."""

    doc_id: str
    line: int
    facts: tuple[Fact, ...]

    @property
    def first(self) -> Fact:
        return self.facts[0]

    @property
    def label(self) -> str:
        return self.first.row


@dataclass(frozen=True)
class Column:
    kind: str  # utfall | budget | prognos | avvikelse | bokslut | mål | förändring | annat
    years: tuple[int, ...]
    month: int  # a month-by-year table's month column, else 0
    previous: bool  # "föregående år"
    helar: bool


def group_rows(facts: list[Fact]) -> list[FactRow]:
    rows: dict[tuple[str, int], list[Fact]] = {}
    for f in facts:
        rows.setdefault((f.doc_id, f.line), []).append(f)
    return [FactRow(d, ln, tuple(fs)) for (d, ln), fs in rows.items()]


def column_info(label: str) -> Column:
    low = label.lower()
    years = tuple(int(y) for y in re.findall(r"\b(20\d\d)\b", low))
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


def _row_terms(row: FactRow, vocab) -> tuple[set[str], set[str]]:
    f = row.first
    label = f.row
    if re.fullmatch(r"(19|20)\d\d", label.strip()) or not re.search(r"[a-zåäö]{3}", label.lower()):
        label = f"{f.caption} {f.row}"  # year-by-month tables: the caption says what is counted
    ctx = f"{f.caption} {f.table} {f.section} {f.header_text}"
    return set(canon_terms(label, vocab)), set(canon_terms(ctx, vocab))


MEASURES = {
    "money": re.compile(r"^(kostnad\w*|kostade|kostar|kosta|kostat|utgift\w*|costs?|mnkr|mkr|tkr|kronor)$"),
    "count": re.compile(r"^(antal\w*|många|number)$"),
    "share": re.compile(r"^(andel\w*|procent\w*|share)$"),
}
_UNIT_KIND = {"mnkr": "money", "mkr": "money", "tkr": "money", "kr": "money", "%": "share"}
_MEASURE_TERMS = {stem(w) for w in ("kostnad", "kostnader", "kostnaderna", "kostade", "kostar", "antal", "antalet",
                                    "andel", "andelen")}
TOTAL_RE = re.compile(r"^(summa årets resultat|årets resultat|summa totalt|totalt|summa|verksamhetens nettokostnad)", re.I)


def measure_of(a: QuestionAnalysis) -> str:
    """money | count | share | '': what kind of figure the question asks for."""
    for w in a.text.lower().replace("?", " ").split():
        for kind, rx in MEASURES.items():
            if rx.match(w):
                return kind
    return ""


def topic_terms(a: QuestionAnalysis, vocab) -> list[str]:
    """The question's topic as canonical terms, measure words (kostnad, antal) left out."""
    out = []
    for t in canon_terms(a.topic_text or a.text, vocab):
        if t in _MEASURE_TERMS or t in out:
            continue
        if t.startswith("§") and any(w in _MEASURE_TERMS for g in [SYNONYMS[int(t[1:])]] for w in map(stem, g)):
            continue
        out.append(t)
    return out


def score_row(row: FactRow, query: list[str], idf: dict[str, float], vocab) -> tuple[float, Fact | None]:
    """How well the row names the question's topic: idf-weighted recall of the topic by
    the label plus the best-matching column heading (the cell sits at their crossing),
    some precision (a label with words the question lacks is a narrower row), and a
    little credit for caption and section. Returns the score and the named column's fact."""
    total = sum(idf.get(t, 1.0) for t in query) or 1.0
    label, ctx = _row_terms(row, vocab)
    in_label = sum(idf.get(t, 1.0) for t in query if t in label)
    best_col, col_fact = 0.0, None
    for f in row.facts:
        cols = set(canon_terms(f.column, vocab)) - label
        m = sum(idf.get(t, 1.0) for t in query if t in cols and t not in _MEASURE_TERMS)
        if m > best_col:
            best_col, col_fact = m, f
    col_terms = set(canon_terms(col_fact.column, vocab)) if col_fact else set()
    in_ctx = sum(idf.get(t, 1.0) for t in query if t in ctx and t not in label and t not in col_terms)
    recall = (in_label + best_col + 0.4 * in_ctx) / total
    label = label - _MEASURE_TERMS
    label_total = sum(idf.get(t, 1.0) for t in label) or 1.0
    precision = sum(idf.get(t, 1.0) for t in label if t in query) / label_total
    return 0.75 * recall + 0.25 * precision, col_fact


def best_rows(rows: list[FactRow], a: QuestionAnalysis, reports: dict[str, Report], idf: dict[str, float],
              vocab, kommuner: set[str], min_score: float = 0.5) -> list[tuple[float, FactRow]]:
    """Rows whose label answers the topic, best first; with no topic, the nämnd's total rows."""
    query = topic_terms(a, vocab)
    measure = measure_of(a)
    scored = []
    for row in rows:
        r = reports.get(row.doc_id)
        if r is None or (kommuner and r.kommun not in kommuner):
            continue
        col_fact = None
        if query:
            s, col_fact = score_row(row, query, idf, vocab)
        else:
            m = TOTAL_RE.match(row.label)
            if not m or row.first.unit not in ("mnkr", "mkr", "tkr"):
                continue
            s = 0.7 + 0.1 * (len(m.group(1)) > 7)
        if s < min_score:
            continue
        kind = _UNIT_KIND.get((col_fact or row.first).unit, "count")
        if measure and kind == measure:
            s += 0.1
        elif measure in ("count", "share") and kind == "money":
            s -= 0.2
        if a.report_hint and r.report_type == a.report_hint:
            s += 0.15
        if a.years and int(r.period_end[:4]) in a.years:
            s += 0.05
        if a.months and a.report_hint and int(r.period_end[5:]) in a.months:
            s += 0.05
        s += 0.02 * (int(r.period_end[:4]) * 12 + int(r.period_end[5:])) / (2100 * 12)  # newer wins ties
        if re.fullmatch(r"(19|20)\d\d", row.label.strip()):
            year = int(row.label)
            want = a.years or (int(r.period_end[:4]),)
            if year not in want:
                continue
        scored.append((s, row))
    scored.sort(key=lambda t: (-t[0], t[1].doc_id, t[1].line))
    return scored


def pick_columns(row: FactRow, a: QuestionAnalysis, report: Report, vocab=None) -> list[Fact]:
    """The cell(s) that answer: the asked period's value, and for change questions the one to compare with."""
    cols = [(f, column_info(f.column)) for f in row.facts]
    pw = a.period_words
    year = max(a.years) if a.years else int(report.period_end[:4])

    def prefer(kinds: tuple[str, ...], helar: bool | None = None) -> list[tuple[Fact, Column]]:
        out = [(f, c) for f, c in cols if c.kind in kinds and not c.previous]
        if helar is not None and any(c.helar == helar for _, c in out):
            out = [(f, c) for f, c in out if c.helar == helar]
        return out

    def by_year(cands: list[tuple[Fact, Column]]) -> list[tuple[Fact, Column]]:
        exact = [(f, c) for f, c in cands if year in c.years]
        if exact:
            return exact
        dated = [(f, c) for f, c in cands if c.years]
        return sorted(dated, key=lambda fc: -max(fc[1].years))[:1] or cands

    asked = set(topic_terms(a, vocab)) if vocab is not None else set()
    overlap = [(len(asked & set(canon_terms(f.column, vocab or frozenset()))), f) for f, _ in cols]
    best = max((n for n, _ in overlap), default=0)
    if best:  # the question names a column ("externa utförare"): that cell answers
        return [next(f for n, f in overlap if n == best)]

    month_cols = [(f, c) for f, c in cols if c.month]
    if month_cols:
        if a.months:
            chosen = [f for f, c in month_cols if c.month in a.months]
            return chosen or [month_cols[-1][0]]
        return [month_cols[-1][0]]

    primary: list[tuple[Fact, Column]] = []
    if "avvikelse" in pw:
        primary = prefer(("avvikelse",), helar=True if ("helår" in pw or "prognos" in pw) else None)
    elif a.intent == "why" and "prognos" in pw:
        primary = prefer(("avvikelse",), helar=True) or prefer(("prognos",))
    elif "prognos" in pw:
        primary = prefer(("prognos",))
        if primary:  # a forecast is read against the budget: bring its deviation along
            dev = prefer(("avvikelse",), helar=True)
            if dev and dev[0][1].helar:
                return [primary[0][0], dev[0][0]]
    elif "budget" in pw:
        primary = prefer(("budget",))
    elif "bokslut" in pw:
        primary = prefer(("bokslut",))
    if not primary:
        primary = by_year(prefer(("utfall",))) or by_year(prefer(("bokslut",))) or prefer(("annat",))
    if not primary:
        primary = cols[:1]
    chosen = [primary[0][0]]
    if a.intent in ("why", "trend") and primary[0][1].kind == "utfall":
        cur = primary[0][1]
        prev = [f for f, c in cols if c.previous and c.kind == "utfall"]
        if not prev and cur.years:
            prev = [f for f, c in cols if c.kind == "utfall" and c.years and max(c.years) == max(cur.years) - 1]
        chosen += prev[:1]
    return chosen
