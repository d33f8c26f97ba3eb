"""How a table figure is said in a Swedish sentence: what, where, when and the figure as a person
says it ("I Enköping var kostnaden för institutionsvård vuxna 6,3 mnkr under januari–augusti
2024"). A cost is an amount (tables print costs as negative figures), a deviation from budget is an
överskott or underskott, a change in a percentage is in procentenheter. Each function returns its
text and the numbers it computed (a difference, an amount in mnkr, a year a column implies), so the
answer's number check can trace them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import LEXICON
from ..models import Fact, Report
from ..numbers import find_numbers, format_sv
from .periods import KRONOR, in_mnkr, is_cost, span_of
from .rows import column_info
from ..years import YEAR, is_year

MONTHS = LEXICON.months
#: the noun a column of each kind is said with ("budgeten för …"); an outcome of a cost is its cost
KIND_NOUN = {"utfall": "utfallet", "bokslut": "utfallet", "budget": "budgeten", "prognos": "prognosen",
             "mål": "målet"}
#: the noun with an indefinite article, for a further figure of the lead row ("och en budget på …")
_A_NOUN = {"utfallet": "ett utfall", "kostnaden": "en kostnad", "budgeten": "en budget", "prognosen": "en prognos",
           "målet": "ett mål", "etappmålet": "ett etappmål"}
#: a column heading's words that only say its kind and period; what is left names something of its
#: own ("Kvinnor 2023", "Direktupphandling") and is said with the figure
_KIND_WORDS = ("utfall", "budget", "prognos", "bokslut", "helår", "årsbudget", "årsprognos", "ackumulerad",
               "perioden", "mål", "etappmål", "tom", "per", "föregående", "år", "avvikelse", "budgetavvikelse",
               "mot", "august")
_PERIOD_WORDS = re.compile(r"\b(?:" + "|".join(_KIND_WORDS + MONTHS + tuple(m[:3] for m in MONTHS))
                           + r")\b|\d+|[-–/().,]", re.I)
BARE_TOTAL = re.compile(r"(?:summa|totalt|total|summa totalt)", re.I)
_UNIT_IN_LABEL = re.compile(r"\s*(?:\((?:mnkr|mkr|tkr|kr|%)\)|,?\s*%)\s*$|\s*\*+\s*$", re.I)
#: a tkr amount this large is said in mnkr too ("13 387 tkr (13,4 mnkr)")
MNKR_FROM_TKR = 1000


@dataclass(frozen=True)
class Said:
    """A sentence part and the numbers computed for it (not printed in any cited text)."""

    text: str
    computed: tuple[float, ...] = ()


def lower_first(text: str) -> str:
    """"Institutionsvård vuxna" inside a sentence; an acronym or a name in capitals stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text.lower() if text.isupper() and len(text) > 3 else text


def clean_label(label: str) -> str:
    """A row label without a unit in brackets or a footnote star ("Summa totalt (mkr)",
    "Personalomsättning (%) inom …")."""
    label = re.sub(r"\s*\((?:mnkr|mkr|tkr|kr|%)\)(?=\s)", "", _UNIT_IN_LABEL.sub("", label.strip()))
    return re.sub(r"\s+", " ", _UNIT_IN_LABEL.sub("", label)).strip(" ,")


def what_of(f: Fact, report: Report, parent: str = "") -> str:
    """The row's name inside a sentence: a year row by its caption, a bare total by the committee
    (or, for a percentage, by its caption), a sub-row with the row it belongs to."""
    label = clean_label(f.row)
    if is_year(f.row) or not label:
        return lower_first(clean_label(f.caption or f.table))
    if BARE_TOTAL.fullmatch(label):
        if f.unit in KRONOR and LEXICON.committee_total(label, f.table):
            return lower_first(report.namnd)
        return f"{lower_first(clean_label(f.caption or f.table))}, totalt"
    if m := re.match(r"summa\s+(.+)", label, re.I):
        label = f"{lower_first(m.group(1))} totalt"
    if parent and not re.search(r"\d", parent):
        if m := re.match(r"(varav|därav)\s+(.+)", label, re.I):  # "antal anställda, varav kvinnor,"
            return f"{lower_first(clean_label(parent))}, {m.group(1).lower()} {m.group(2)},"
        return f"{lower_first(label)} ({lower_first(clean_label(parent))})"
    return lower_first(label)


def number_of(f: Fact) -> str:
    """The figure without its sign, as printed (a cell holding two figures gives this fact's own)."""
    if len(find_numbers(f.raw)) > 1:
        return format_sv(abs(f.value))
    return f.raw.replace("%", "").strip(" *").lstrip("-−– ").strip()


def is_deviation(f: Fact) -> bool:
    """An amount that is a deviation from budget or forecast, by its column or its row ("Resultat
    vård vuxna - Avvikelse mot budget" in a column "Utfall 2023 jan-aug")."""
    return f.unit in KRONOR and "avvikelse" in (column_info(f.column).kind, column_info(f.row).kind)


def value_of(f: Fact, in_words: bool = True) -> Said:
    """The figure and its unit without a sign; in a sentence, a large tkr amount in mnkr too."""
    unit = "" if f.unit in ("", "antal") else " %" if f.unit == "%" else f" {f.unit}"
    text = f"{number_of(f)}{unit}"
    mnkr = in_mnkr(f)
    if in_words and f.unit == "tkr" and abs(f.value) >= MNKR_FROM_TKR and mnkr is not None:
        return Said(f"{text} ({format_sv(round(abs(mnkr), 1), 1)} mnkr)", (round(abs(mnkr), 1),))
    return Said(text)


def signed_value(f: Fact, in_words: bool = True) -> Said:
    """The figure as a person says it: a cost as an amount, a deviation as överskott or underskott,
    a change of a percentage in procentenheter, a change or a result with its sign."""
    v = value_of(f, in_words)
    kind = column_info(f.column).kind
    negative = f.value < 0
    if is_deviation(f):
        word = "underskott" if negative else "överskott" if f.value else "ingen avvikelse"
        return Said(f"{word} {v.text}" if f.value else word, v.computed)
    if kind == "förändring" and f.unit == "%" and "%" not in f.column:
        return Said(f"{'-' if negative else ''}{number_of(f)} procentenheter")
    if negative and not is_cost(f):
        return Said(f"-{v.text}", v.computed)
    return v


def _period(f: Fact, report: Report) -> tuple[str, int]:
    """When the figure is of ("januari–augusti 2024", "2023", "december 2023") and its year."""
    info = column_info(f.column)
    if is_year(f.row) and info.month:
        return f"{MONTHS[info.month - 1]} {f.row}", int(f.row)
    span = span_of(f, report)
    if re.fullmatch(YEAR, f.column.strip()) or span.full_year:
        return f"{span.year}", span.year
    months = "januari" if span.months == 1 else f"januari–{MONTHS[span.months - 1]}"
    return f"{months} {span.year}", span.year


def period_of(f: Fact, report: Report) -> str:
    """When a figure is of, in words; a column that names something of its own, by its name."""
    if not _pure_period(f.column):
        return lower_first(clean_label(f.column))
    period, year = _period(f, report)
    kind = column_info(f.column).kind
    full = span_of(f, report).full_year
    if kind == "prognos" and full:
        return f"helårsprognos {year}"
    if kind in ("budget", "prognos", "mål", "avvikelse"):
        return f"{kind} {year if full else period}"
    return period


def _pure_period(column: str) -> bool:
    """A heading that says only a kind and a period ("Utfall jan-aug 2024", "Budget helår")."""
    return not _PERIOD_WORDS.sub(" ", column).strip()


def against(f: Fact, report: Report) -> tuple[str, bool]:
    """What a deviation is measured against, and whether it is the year's forecast's."""
    low = f.column.lower()
    if "prognos" in low and not re.search(r"budget|års|helår", low) and report.period_end.endswith("-12"):
        return "mot prognosen", False
    part_year = not report.period_end.endswith("-12")
    forecast = "prognos" in low or (part_year and span_of(f, report).full_year)
    return "mot budget", forecast


def fact_clause(f: Fact, report: Report, parent: str = "") -> Said:
    """The clause after "I Kommun": verb, what, figure, when."""
    what, kind = what_of(f, report, parent), column_info(f.column).kind
    v = value_of(f)
    period, year = _period(f, report)
    computed = v.computed + (float(year),)
    if is_deviation(f):
        vs, forecast = against(f, report)
        word = "ett underskott" if f.value < 0 else "ett överskott"
        amount = f"{word} {vs} på {v.text}" if f.value else f"ingen avvikelse {vs} ({v.text})"
        if forecast:
            return Said(f"visar prognosen för {what} {amount} för helåret {year}", computed)
        return Said(f"hade {what} {amount} under {period}", computed)
    if kind == "förändring":
        unit = " procentenheter" if f.unit == "%" and "%" not in f.column else ""
        moved = "ökade" if f.value > 0 else "minskade" if f.value < 0 else "förändrades inte"
        said = f"{number_of(f)}{unit or (' %' if f.unit == '%' else '')}"
        return Said(f"{moved} {what} med {said} ({lower_first(clean_label(f.column))})" if f.value
                    else f"förändrades {what} inte ({lower_first(clean_label(f.column))})", computed)
    v = signed_value(f)  # from here on a figure keeps its sign unless it is a cost
    if not _pure_period(f.column):
        if LEXICON.ages_in(f.row):  # a table of age groups, its measures as columns: "antal brukare för 0-6 år"
            measure = lower_first(_COUNT_SIGN.sub("antal ", clean_label(f.column)))
            return Said(f"var {measure.lower() if measure.startswith('antal') else measure} för {what} {v.text}",
                        v.computed)
        return Said(f"var {what} {v.text} ({lower_first(clean_label(f.column))})", v.computed)
    noun = _noun(f, kind)
    prep = "för" if kind in ("budget", "prognos", "mål") else "under"
    if kind == "prognos" and span_of(f, report).full_year:
        period = f"helåret {year}"
    subject = f"{noun} för {what}" if noun else what
    return Said(f"var {subject} {v.text} {prep} {period}", computed)


#: a column heading's "#" is a count ("# Brukare")
_COUNT_SIGN = re.compile(r"^#\s*")


def _noun(f: Fact, kind: str) -> str:
    if kind in ("utfall", "bokslut", "annat"):
        if f.unit not in KRONOR or "kostnad" in f.row.lower():  # "personalkostnader" is said as it is
            return ""
        return "kostnaden" if is_cost(f) else "utfallet"
    if kind == "mål" and "etapp" in f.column.lower():
        return "etappmålet"
    return KIND_NOUN.get(kind, "")


def extra_clause(g: Fact, report: Report) -> Said:
    """A further cell of the lead row, said after the first ("…, med ett överskott mot budget på
    1,5 mkr under januari–april 2024", "… och en budget på 14,8 mnkr för 2024")."""
    kind, v = column_info(g.column).kind, value_of(g)
    period, year = _period(g, report)
    if is_deviation(g):
        vs, forecast = against(g, report)
        word = "ett underskott" if g.value < 0 else "ett överskott" if g.value else ""
        said = f"{word} {vs} på {v.text}" if word else f"ingen avvikelse {vs} ({v.text})"
        if forecast:
            return Said(f"och prognosen för helåret {year} visar {said}", v.computed + (float(year),))
        return Said(f"med {said} under {period}", v.computed + (float(year),))
    v = signed_value(g)
    if not _pure_period(g.column) or kind in ("förändring", "annat"):
        return Said(f"och {v.text} ({lower_first(clean_label(g.column))})", v.computed)
    noun = _A_NOUN.get(_noun(g, kind), "")
    if not noun:
        return Said(f"och {v.text} ({lower_first(clean_label(g.column))})", v.computed)
    prep = "för" if kind in ("budget", "prognos", "mål") else "under"
    if kind == "prognos" and span_of(g, report).full_year:
        period = f"helåret {year}"
    return Said(f"och {noun} på {v.text} {prep} {period}", v.computed + (float(year),))


def is_trend(cells: tuple[Fact, ...], report: Report) -> bool:
    """Two or more figures of one kind and span in different years: a change to state. A share
    (per cent) is a rate, not a sum: last year's beside this year's so far is a change too, each
    said with its own period."""
    if len(cells) < 2 or len({f.unit for f in cells}) != 1:
        return False
    spans = [span_of(f, report) for f in cells]
    kinds = {column_info(f.column).kind for f in cells}
    return len({s.year for s in spans}) == len(spans) and (len({s.months for s in spans}) == 1 or cells[0].unit == "%") \
        and kinds <= {"utfall", "bokslut", "annat"} and all(_pure_period(f.column) for f in cells)


def trend_clause(cells: tuple[Fact, ...], report: Report, parent: str = "") -> Said:
    """"minskade kostnaden för X från 10,0 mnkr under januari–augusti 2023 till 6,3 mnkr under
    januari–augusti 2024, en minskning med 3,7 mnkr (37 %)"."""
    ordered = sorted(cells, key=lambda f: _period(f, report)[1])
    old, new = ordered[0], ordered[-1]
    what = what_of(new, report, parent)
    noun = _noun(new, column_info(new.column).kind)
    subject = f"{noun} för {what}" if noun else what
    signed = not is_cost(new) and new.unit in KRONOR
    a, b = (old.value, new.value) if signed else (abs(old.value), abs(new.value))
    diff = round(abs(b - a), 3)
    moved = "ökade" if b > a else "minskade" if b < a else ""
    (p_old, y_old), (p_new, y_new) = _period(old, report), _period(new, report)
    computed = [float(y_old), float(y_new), diff]
    va, vb = value_of(old), value_of(new)
    computed += list(va.computed + vb.computed)
    if not moved:
        return Said(f"var {subject} oförändrad, {vb.text} under både {p_old} och {p_new}", tuple(computed))
    sign_a = "-" if signed and old.value < 0 else ""
    sign_b = "-" if signed and new.value < 0 else ""
    middle = "".join(f" och {value_of(m).text} under {_period(m, report)[0]}" for m in ordered[1:-1])
    computed += [c for m in ordered[1:-1] for c in value_of(m).computed + (float(_period(m, report)[1]),)]
    text = f"{moved} {subject} från {sign_a}{va.text} under {p_old}{middle} till {sign_b}{vb.text} under {p_new}"
    decimals = max(_decimals(old), _decimals(new))
    noun_change = "en ökning" if moved == "ökade" else "en minskning"
    if new.unit == "%":
        text += f", {noun_change} med {format_sv(diff, decimals)} procentenheter"
    elif a:
        pct = round(100 * abs(b - a) / abs(a))
        unit = "" if new.unit in ("", "antal") else f" {new.unit}"
        text += f", {noun_change} med {format_sv(diff, decimals)}{unit} ({pct} %)"
        computed.append(float(pct))
    return Said(text, tuple(computed))


def _decimals(f: Fact) -> int:
    m = re.search(r"[,.](\d+)", number_of(f))
    return len(m.group(1)) if m else 0


def possessive(kommun: str) -> str:
    return kommun if kommun.endswith(("s", "x", "z")) else f"{kommun}s"


def report_said(report: Report) -> str:
    """A report's title inside a sentence ("delårsrapporten januari–augusti 2024")."""
    return lower_first(report.title)
