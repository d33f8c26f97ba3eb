"""Who may change the corpus: reading is open, changes need the editor token, and a removal hides
a report (file and entry kept in corpus/.removed/) that an undo puts back byte for byte."""
from __future__ import annotations

import logging

from streamlit.testing.v1 import AppTest

from tests.ui.test_app import APP, EDITOR_TOKEN, fresh_dirs, log_in, plain, snapshot, use_dirs

SOLNA, SOLNA_FILE = "solna-arsredovisning-2023", "003_c2ca7959cafa510e.txt"


def start(monkeypatch, tmp_path, token: str | None) -> tuple[AppTest, object]:
    corpus, index = fresh_dirs(tmp_path)
    use_dirs(monkeypatch, corpus, index)
    if token is None:
        monkeypatch.delenv("RAG_EDITOR_TOKEN", raising=False)
    else:
        monkeypatch.setenv("RAG_EDITOR_TOKEN", token)
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    return at, corpus


def change_widgets(at: AppTest) -> list[str]:
    return [b.key for b in at.sidebar.button if b.key and b.key.startswith(("remove-", "restore-", "undo-"))] + \
        [u.id for u in at.sidebar.file_uploader]


def test_without_a_token_the_app_is_read_only_and_says_how_to_enable_editing(monkeypatch, tmp_path):
    at, corpus = start(monkeypatch, tmp_path, None)
    before = snapshot(corpus)
    assert change_widgets(at) == []
    note = " ".join(plain(c.value) for c in at.sidebar.caption)
    assert "kan bara läsas" in note and "RAG_EDITOR_TOKEN" in note
    assert not [t for t in at.sidebar.text_input if t.key == "editor-token"]
    assert snapshot(corpus) == before


def test_a_wrong_token_changes_nothing(monkeypatch, tmp_path):
    at, corpus = start(monkeypatch, tmp_path, EDITOR_TOKEN)
    before = snapshot(corpus)
    assert change_widgets(at) == []
    log_in(at, EDITOR_TOKEN + "x")
    assert change_widgets(at) == []
    assert any("Fel lösenord" in plain(c.value) for c in at.sidebar.caption)
    log_in(at, "")
    assert change_widgets(at) == [] and snapshot(corpus) == before


def test_a_too_short_token_leaves_the_app_read_only(monkeypatch, tmp_path):
    at, _ = start(monkeypatch, tmp_path, "kort")
    assert change_widgets(at) == [] and any("RAG_EDITOR_TOKEN" in plain(c.value) for c in at.sidebar.caption)


def test_removal_hides_a_bundled_report_and_undo_restores_it(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="rag.audit")
    at, corpus = start(monkeypatch, tmp_path, EDITOR_TOKEN)
    log_in(at)
    before = snapshot(corpus)
    at.sidebar.button(key=f"remove-{SOLNA}").click().run()
    at.sidebar.button(key=f"remove-yes-{SOLNA}").click().run()
    assert not at.exception, at.exception
    assert SOLNA_FILE not in snapshot(corpus)
    assert (corpus / ".removed" / SOLNA_FILE).read_bytes() == before[SOLNA_FILE]  # never deleted
    assert "Solna" not in at.sidebar.pills(key="kommuner").options
    assert any("togs bort" in plain(s.value) and "återställas" in plain(s.value) for s in at.success)
    assert any("removed report 'solna-arsredovisning-2023'" in r.getMessage() for r in caplog.records)
    at.sidebar.button(key="undo-remove").click().run()
    assert not at.exception, at.exception
    assert snapshot(corpus) == before  # the file and the manifest exactly as they were
    assert "Solna" in at.sidebar.pills(key="kommuner").options
    assert any("finns åter i underlaget" in plain(s.value) for s in at.success)
    assert any("restored report 'solna-arsredovisning-2023'" in r.getMessage() for r in caplog.records)


def test_hidden_reports_are_listed_and_restored_one_by_one(tmp_path):
    from rag.ui.uploads import handle_remove, handle_restore
    from rag.config import Config
    from rag.ingest.hidden import hidden_reports

    corpus, index = fresh_dirs(tmp_path)
    config = Config(corpus_dir=corpus, index_dir=index, model="fake-hash-embedder")
    before = snapshot(corpus)
    for doc_id in (SOLNA, "huddinge-delar-2023-08"):
        assert handle_remove(config, doc_id)[0]
    assert [r.doc_id for r in hidden_reports(corpus)] == [SOLNA, "huddinge-delar-2023-08"]
    ok, message = handle_restore(config, "ingen-sadan")
    assert not ok and message == "Rapporten kunde inte återställas. Rapporten finns inte bland de dolda.", message
    assert handle_restore(config, "huddinge-delar-2023-08")[0] and handle_restore(config, SOLNA)[0]  # undone in turn
    assert snapshot(corpus) == before and hidden_reports(corpus) == []


def test_a_control_character_in_a_name_cannot_forge_a_log_line(caplog):
    from rag.ui.roles import log_change

    caplog.set_level(logging.INFO, logger="rag.audit")
    log_change("abcd1234", "added", "x", "rapport.txt\nINFO rag.audit: editor session 0 removed report 'y'")
    (line,) = [r.getMessage() for r in caplog.records]
    assert "\n" not in line and "\\n" in line
