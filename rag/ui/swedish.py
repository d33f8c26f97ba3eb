"""What the app says in Swedish: library errors in plain words, progress, periods and numbers.

Plain functions without Streamlit, so they are tested directly."""
from __future__ import annotations

import re

from rag.errors import BadFileName, RagError, StorageError
from rag.ingest.document import UnreadableReport
from rag.models import Report

STAGES = {"embedding": "Läser in textavsnitt"}
_MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                "november", "december")
_FIELD_NAMES = {"kommun": "kommun", "namnd": "nämnd", "report_type": "rapporttyp", "title": "titel",
                "period_start": "periodens början", "period_end": "periodens slut", "doc_id": "dokumentnamn",
                "source": "filnamn", "report type": "rapporttyp", "period": "period"}
_SWEDISH = (
    (r"not UTF-8", "Filen är inte sparad som vanlig text (UTF-8). Spara eller exportera rapporten som text i UTF-8 "
                   "och försök igen."),
    (r"the file is empty|holds no readable text", "Filen innehåller ingen läsbar text."),
    (r"NUL bytes|not a text export", "Filen ser inte ut att vara en textfil. Exportera rapporten som text."),
    (r"larger than", "Filen är för stor för att läggas till."),
    (r"only .* accepted|not a supported|unsupported",
     "Den filtypen kan inte läggas till. Välj en rapport som PDF, Word (.docx) eller text (.txt, .md)."),
    (r"same text is already in the corpus as \S+ \((?P<label>[^)]*(?:\)[^)]*)*)\)",
     "Rapporten finns redan i underlaget, som {label}. Den lades inte till igen."),
    (r"already in the corpus|already used|file name is already", "Rapporten finns redan i underlaget."),
    (r"could not detect (?P<what>.+?)(?: from the text|;|$)", "Det gick inte att läsa ut {what} ur texten; fyll i uppgifterna själv."),
    (r"lacks (?P<what>[\w, ]+)", "Uppgifter saknas: {what}."),
    (r"is not YYYY-MM", "Perioden ska skrivas som år och månad, till exempel 2024-08."),
    (r"outside the corpus folder|cannot be resolved", "Filen kunde inte sparas i underlaget."),
    (r"does not exist", "Mappen med rapporter finns inte ({text})."),
    (r"no (readable )?reports found", "Det finns inga läsbara rapporter i underlaget."),
    (r"is empty; ask", "Frågan är tom. Skriv en fråga om rapporterna."),
    (r"characters long", "Frågan är för lång; korta den."),
    (r"not a question in words", "Skriv frågan med ord, till exempel: Hur hög var sjukfrånvaron i Solna 2023?"),
)


def field_name(field: str) -> str:
    """A manifest field as the upload form names it: 'report_type' -> 'rapporttyp'."""
    return _FIELD_NAMES.get(field, field)


def _swedish_fields(text: str) -> str:
    for en, sv in sorted(_FIELD_NAMES.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{re.escape(en)}\b", sv, text)
    return text


def swedish_error(error: Exception | str) -> str:
    """A library error message in plain Swedish words (the technical text goes to the log)."""
    if isinstance(error, UnreadableReport):
        return str(error)  # the PDF and Word readers say what is wrong in Swedish already
    if isinstance(error, BadFileName):
        return f"Filnamnet går inte att använda: {error.swedish}. Byt namn på filen och försök igen."
    if isinstance(error, RagError) and error.swedish:
        return error.swedish[:1].upper() + error.swedish[1:].rstrip(".") + "."
    if isinstance(error, (OSError, StorageError)):  # no server paths on screen
        return "Filen kunde inte sparas: mappen är skrivskyddad eller disken är full."
    text = str(error)
    for pattern, message in _SWEDISH:
        m = re.search(pattern, text)
        if m:
            groups = {k: _swedish_fields(v) for k, v in m.groupdict().items() if v}
            return message.format(text=text, **groups)
    return f"Det gick inte: {text}"


def progress_text(stage: str, done: int, total: int, elapsed: float = 0.0) -> str:
    """'Läser in textavsnitt: 120 av 918 (ungefär 2 min kvar)'."""
    text = f"{STAGES.get(stage, stage)}: {done} av {total}"
    if 0 < done < total and elapsed > 2:
        left = (total - done) * elapsed / done
        text += f" (ungefär {round(left / 60)} min kvar)" if left >= 90 else f" (ungefär {max(5, round(left, -1)):.0f} s kvar)"
    return text


def period_words(r: Report) -> str:
    """'januari–augusti 2024' rather than '2024-01 – 2024-08'."""
    try:
        (y0, m0), (y1, m1) = ((int(p[:4]), int(p[5:7])) for p in (r.period_start, r.period_end))
    except (ValueError, IndexError):
        return f"{r.period_start} – {r.period_end}"
    if (y0, m0, m1) == (y1, 1, 12):
        return f"helåret {y1}"
    start = _MONTH_NAMES[m0 - 1] + ("" if y0 == y1 else f" {y0}")
    return f"{start}–{_MONTH_NAMES[m1 - 1]} {y1}"


def swedish_numbers(values: list[float]) -> list[str]:
    """'10,0', '2 548': the reports' own way of printing numbers."""
    decimals = 0 if all(float(v).is_integer() for v in values) else 1
    return [f"{v:,.{decimals}f}".replace(",", " ").replace(".", ",") for v in values]


def loading_note(stale_reason: str, index_exists: bool) -> str:
    """What the start is doing, said as it is: with a current index it takes seconds; only a first
    build embeds every passage (minutes), and a rebuild reuses every vector already computed."""
    if index_exists and not stale_reason:
        return "Sökindexet är klart; språkmodellen läses in. Det brukar ta några sekunder."
    if not index_exists:
        return ("Sökindexet byggs för första gången: rapporterna delas upp i textavsnitt som läses in med "
                "språkmodellen. Det kan ta några minuter; förloppet och tiden som återstår visas nedan. "
                "Alla som öppnar sidan under tiden ser samma förlopp.")
    return ("Rapporterna eller programmet har ändrats sedan sökindexet byggdes, så det byggs om. Textavsnitt som "
            "redan är inlästa används igen, så det går oftast på några sekunder; förloppet visas nedan.")
