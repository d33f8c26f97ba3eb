"""Sweden's 290 municipalities, to recognise a kommun named in a question or report."""
from __future__ import annotations

import re

KOMMUNER = tuple(sorted(set("""
Ale Alingsås Alvesta Aneby Arboga Arjeplog Arvidsjaur Arvika Askersund Avesta Bengtsfors Berg Bjurholm Bjuv
Boden Bollebygd Bollnäs Borgholm Borlänge Borås Botkyrka Boxholm Bromölla Bräcke Burlöv Båstad Dals-Ed
Danderyd Degerfors Dorotea Eda Ekerö Eksjö Emmaboda Enköping Eskilstuna Eslöv Essunga Fagersta Falkenberg
Falköping Falun Filipstad Finspång Flen Forshaga Färgelanda Gagnef Gislaved Gnesta Gnosjö Gotland Grums
Grästorp Gullspång Gällivare Gävle Göteborg Götene Habo Hagfors Hallsberg Hallstahammar Halmstad Hammarö
Haninge Haparanda Heby Hedemora Helsingborg Herrljunga Hjo Hofors Huddinge Hudiksvall Hultsfred Hylte Håbo
Hällefors Härjedalen Härnösand Härryda Hässleholm Höganäs Högsby Hörby Höör Jokkmokk Järfälla Jönköping
Kalix Kalmar Karlsborg Karlshamn Karlskoga Karlskrona Karlstad Katrineholm Kil Kinda Kiruna Klippan Knivsta
Kramfors Kristianstad Kristinehamn Krokom Kumla Kungsbacka Kungsör Kungälv Kävlinge Köping Laholm Landskrona
Laxå Lekeberg Leksand Lerum Lessebo Lidingö Lidköping Lilla_Edet Lindesberg Linköping Ljungby Ljusdal Ljusnarsberg
Lomma Ludvika Luleå Lund Lycksele Lysekil Malmö Malung-Sälen Malå Mariestad Mark Markaryd Mellerud Mjölby Mora
Motala Mullsjö Munkedal Munkfors Mölndal Mönsterås Mörbylånga Nacka Nora Norberg Nordanstig Nordmaling Norrköping
Norrtälje Norsjö Nybro Nykvarn Nyköping Nynäshamn Nässjö Ockelbo Olofström Orsa Orust Osby Oskarshamn Ovanåker
Oxelösund Pajala Partille Perstorp Piteå Ragunda Robertsfors Ronneby Rättvik Sala Salem Sandviken Sigtuna
Simrishamn Sjöbo Skara Skellefteå Skinnskatteberg Skurup Skövde Smedjebacken Sollefteå Sollentuna Solna Sorsele
Sotenäs Staffanstorp Stenungsund Stockholm Storfors Storuman Strängnäs Strömstad Strömsund Sundbyberg Sundsvall
Sunne Surahammar Svalöv Svedala Svenljunga Säffle Säter Sävsjö Söderhamn Söderköping Södertälje Sölvesborg
Tanum Tibro Tidaholm Tierp Timrå Tingsryd Tjörn Tomelilla Torsby Torsås Tranemo Tranås Trelleborg Trollhättan
Trosa Tyresö Täby Töreboda Uddevalla Ulricehamn Umeå Upplands-Bro Upplands_Väsby Uppsala Uppvidinge Vadstena
Vaggeryd Valdemarsvik Vallentuna Vansbro Vara Varberg Vaxholm Vellinge Vetlanda Vilhelmina Vimmerby Vindeln
Vingåker Vårgårda Vänersborg Vännäs Värmdö Värnamo Västervik Västerås Växjö Ydre Ystad Åmål Ånge Åre Årjäng
Åsele Åstorp Åtvidaberg Älmhult Älvdalen Älvkarleby Älvsbyn Ängelholm Öckerö Ödeshög Örebro Örkelljunga
Örnsköldsvik Östersund Österåker Östhammar Östra_Göinge Överkalix Övertorneå Lilla_Edet
""".split()))
)
KOMMUNER = tuple(sorted({w.replace("_", " ") for w in KOMMUNER}))

# Names that are also ordinary Swedish words; only recognised with "kommun"/"stad".
_AMBIGUOUS = {"Berg", "Mark", "Vara", "Salem", "Kil", "Ale", "Eda", "Heby", "Hjo", "Nora", "Orsa", "Sala", "Tanum"}

_NAMES = KOMMUNER
_PATTERN = re.compile(
    r"\b(" + "|".join(sorted((re.escape(n) for n in set(_NAMES)), key=len, reverse=True)) + r")(s)?\b"
)


def kommuner_in(text: str) -> list[str]:
    """Municipalities named in a text, genitive (`Solnas`) included, in order of appearance."""
    found: list[str] = []
    for m in _PATTERN.finditer(text):
        name = m.group(1)
        if name in _AMBIGUOUS:
            tail = text[m.end():m.end() + 8].lower()
            if not (tail.startswith(" kommun") or tail.startswith(" stad")):
                continue
        if name not in found:
            found.append(name)
    return found
