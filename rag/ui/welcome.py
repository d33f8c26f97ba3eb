"""The start page: what the reports cover, three example questions, how to read an answer."""
from __future__ import annotations

import streamlit as st

from rag.ui.render import escape_markdown
from rag.ui.swedish import period_words

EXAMPLES = (
    "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023?",
    "Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?",
    "Jämför antalet anställda i Solnas och Huddinges socialförvaltningar.",
)
HOW_TO_READ = ("**Så läser du svaret**\n\n"
               "- Siffrorna står med enhet och period, och en hänvisning som **[1]** pekar på källan.\n"
               "- Under **Källor** finns tabellraden eller textstycket ur rapporten; den efterfrågade kolumnen är "
               "fetstil.\n"
               "- Du kan ställa följdfrågor, till exempel *Och i Huddinge?* eller *Hur var det förra året?*; "
               "svaret börjar då med hur frågan tolkades.\n"
               "- Står svaret inte i rapporterna säger appen det i stället för att gissa.")


def welcome(engine) -> str | None:
    """The start page; the example question chosen, if one was."""
    st.markdown("Ställ en fråga om socialtjänstens ekonomi och verksamhet. Svaren hämtas bara ur rapporterna "
                "nedan, och varje siffra visar varifrån den kommer.")
    st.markdown("**Det här finns i underlaget**\n\n" + "\n".join(
        f"- **{escape_markdown(r.kommun)}**: {escape_markdown(r.title)}, {period_words(r)}"
        for r in sorted(engine.reports.values(), key=lambda r: (r.kommun, r.period_end))))
    st.markdown("**Prova att fråga**")
    chosen = None
    for i, q in enumerate(EXAMPLES):
        if st.button(q, key=f"example-{i}", width="stretch"):
            chosen = q
    st.markdown(HOW_TO_READ)
    return chosen
