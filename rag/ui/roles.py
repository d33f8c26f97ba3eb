"""Who may change the corpus: reading is open to every visitor; adding, hiding and restoring
reports needs the editor token configured at the edge (`RAG_EDITOR_TOKEN`). With none set the
app is read-only. The token is compared in constant time and never logged."""
from __future__ import annotations

import hmac
import logging
import os

TOKEN_ENV = "RAG_EDITOR_TOKEN"
#: Shown in the sidebar when editing is off.
READ_ONLY_NOTE = ("Underlaget kan bara läsas här. För att kunna lägga till och ta bort rapporter startar den som "
                  f"driver appen den med miljövariabeln {TOKEN_ENV} satt till ett lösenord, som redaktörerna "
                  "sedan skriver in här.")

audit = logging.getLogger("rag.audit")


def editor_token() -> str:
    """The configured token, or '' (read-only). A token shorter than 8 characters counts as none."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token if len(token) >= 8 else ""


def editing_enabled() -> bool:
    return bool(editor_token())


def is_editor(given: str | None) -> bool:
    token = editor_token()
    if not token or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def shown(text: object) -> str:
    """User text (a file name, a title) for a log line: control characters escaped, so a line
    break in a name cannot forge a log line."""
    return repr(str(text))


def log_change(session: str, action: str, doc_id: str, name: str = "") -> None:
    """Who (an editor session's random tag, no personal data) changed what, and when (the log's time)."""
    audit.info("editor session %s %s report %s%s", session, action, shown(doc_id),
               f" file {shown(name)}" if name else "")
