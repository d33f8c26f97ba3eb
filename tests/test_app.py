"""The Streamlit app, driven through streamlit.testing.v1.AppTest with the fake embedder
and throw-away copies of the corpus and index (uploads never touch the real corpus)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

SICK = "Hur stor var sjukfrånvaron i Solnas socialförvaltning 2023?"
UNANSWERABLE = "Hur många platser har Malmö stads skyddade boenden?"
BAD_BYTES = b"\xff\xfe\x00bad"
GOOD_REPORT = """Tertialrapport april 2025

Socialnämnden i Uppsala kommun redovisar här utfallet per 30 april 2025.

Ekonomi

Kostnaderna för försörjningsstöd ökade under perioden eftersom fler hushåll saknade arbete. \
Nämnden prognostiserar ett underskott för helåret.

Verksamhet (mnkr)\tBudget 2025\tUtfall jan-apr 2025\tPrognos helår 2025
Försörjningsstöd\t-50,0\t-18,2\t-52,1
Missbruksvård vuxna\t-30,0\t-9,8\t-29,5
""".encode("utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def fresh_dirs(base: Path) -> tuple[Path, Path]:
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    return corpus, base / "index"


@pytest.fixture(scope="module")
def shared_dirs(tmp_path_factory) -> tuple[Path, Path]:
    """One corpus/index copy for the read-only tests (the engine is built once per process)."""
    return fresh_dirs(tmp_path_factory.mktemp("shared"))


def use_dirs(monkeypatch, corpus: Path, index: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("RAG_MODEL", "fake-hash-embedder")
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))


@pytest.fixture
def app(monkeypatch, shared_dirs) -> AppTest:
    use_dirs(monkeypatch, *shared_dirs)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def fresh_app(monkeypatch, tmp_path) -> tuple[AppTest, Path, Path]:
    corpus, index = fresh_dirs(tmp_path)
    use_dirs(monkeypatch, corpus, index)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    return at, corpus, index


def assistant(at: AppTest):
    msgs = [m for m in at.chat_message if m.name == "assistant"]
    assert msgs, "no assistant message rendered"
    return msgs[-1]


def texts(block) -> str:
    return "\n".join(e.value for kind in ("markdown", "warning", "info", "error", "caption")
                     for e in getattr(block, kind))


def ask(at: AppTest, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return assistant(at)


def test_question_renders_answer_with_linked_sources(app):
    msg = ask(app, SICK)
    answer = msg.markdown[0].value
    assert "8,5" in answer
    assert 'href="#kalla-' in answer and "<sup>" in answer  # [n] rendered as links to the sources
    sources = [e for e in msg.expander if e.label.startswith("Källor")]
    assert sources, "no Källor expander"
    body = texts(sources[0])
    assert "Solna" in body and "Årsredovisning 2023" in body
    assert "**8,5**" in body  # the asked cell is highlighted in the cited table row
    assert 'id="kalla-' in body
    assert not app.error


def test_unanswerable_question_is_refused(app):
    msg = ask(app, UNANSWERABLE)
    assert "Rapporterna säger inte" in texts(msg)
    assert not msg.expander  # a refusal cites nothing


def test_example_button_asks_and_charts_the_row(app):
    example = [b for b in app.sidebar.button if "institutionsvård" in b.label]
    assert example
    example[0].click().run()
    assert not app.exception, app.exception
    msg = assistant(app)
    assert "Institutionsvård vuxna" in msg.markdown[0].value
    assert [c for c in msg.get("vega_lite_chart")], "no bar chart for the budget/utfall/prognos row"
    assert "Enköping" in texts(msg)


def test_kommun_filter_limits_the_answer(app):
    app.sidebar.multiselect(key="kommuner").set_value(["Huddinge"]).run()
    msg = ask(app, "Hur stor var sjukfrånvaron 2023?")
    body = texts(msg)
    assert "Huddinge" in body and "Solna" not in body


def test_bad_question_is_an_error_message_not_a_traceback(app):
    msg = ask(app, "Varför " + "x" * 600)
    assert any("Frågan kan inte besvaras" in e.value for e in msg.error)


def test_missing_corpus_is_an_error_message(monkeypatch, tmp_path):
    use_dirs(monkeypatch, tmp_path / "no-such-corpus", tmp_path / "index")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert any("Indexet kunde inte läsas in" in e.value and "does not exist" in e.value for e in at.error)


def test_feedback_is_stored(app, shared_dirs):
    from rag.store import list_feedback

    ask(app, SICK)
    before = len(list_feedback(shared_dirs[1] / "feedback.sqlite"))
    app.feedback[-1].set_value(0).run()
    rows = list_feedback(shared_dirs[1] / "feedback.sqlite")
    assert len(rows) == before + 1
    assert rows[-1]["question"] == SICK and rows[-1]["rating"] == -1
    assert "8,5" in rows[-1]["answer"]["answer"]


def test_malformed_upload_is_refused_and_corpus_unchanged(fresh_app):
    at, corpus, _ = fresh_app
    before = snapshot(corpus)
    at.sidebar.file_uploader[0].upload("trasig.txt", BAD_BYTES, "text/plain").run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("not UTF-8" in e and "trasig.txt" in e for e in errors), errors
    assert snapshot(corpus) == before


def test_valid_upload_is_added_indexed_and_answerable(fresh_app):
    at, corpus, _ = fresh_app
    at.sidebar.file_uploader[0].upload("uppsala.txt", GOOD_REPORT, "text/plain").run()
    assert not at.exception, at.exception
    assert at.sidebar.text_input(key=next(k for k in keys(at) if k.endswith("-kommun"))).value == "Uppsala"
    at.sidebar.button(key=next(k for k in keys(at, "button") if "FormSubmitter" in k)).click().run()
    assert not at.exception, at.exception
    assert any("Uppsala" in s.value for s in at.success), [e.value for e in at.error]
    assert (corpus / "uppsala.txt").exists()
    assert "Uppsala" in at.sidebar.multiselect(key="kommuner").options
    msg = ask(at, "Hur stora var kostnaderna för försörjningsstöd i Uppsala 2025?")
    assert "-18,2" in msg.markdown[0].value and "Uppsala" in texts(msg)


def keys(at: AppTest, kind: str = "text_input") -> list[str]:
    return [w.key or w.id for w in getattr(at.sidebar, kind)]


# --- the upload handling as plain functions --------------------------------------------

def test_handle_upload_refuses_bad_bytes_and_changes_nothing(tmp_path):
    from app import handle_upload
    from rag.config import Config

    corpus, index = fresh_dirs(tmp_path)
    config = Config(corpus_dir=corpus, index_dir=index, model="fake-hash-embedder")
    before = snapshot(corpus)
    for name, data in (("trasig.txt", BAD_BYTES), ("tom.txt", b"   \n"), ("bild.png", GOOD_REPORT),
                       ("003_c2ca7959cafa510e.txt", GOOD_REPORT)):
        ok, message = handle_upload(config, name, data, None)
        assert not ok and message.startswith("Rapporten lades inte till:"), message
        assert snapshot(corpus) == before
    ok, message = handle_upload(config, "uppsala.txt", GOOD_REPORT, {"kommun": "Uppsala", "period_end": "april"})
    assert not ok and "manifest entry lacks" in message
    assert snapshot(corpus) == before


def test_upload_defaults_prefill_from_detection():
    from app import upload_defaults
    from rag.errors import CorpusError

    meta, note = upload_defaults("uppsala.txt", GOOD_REPORT)
    assert note == "" and meta["kommun"] == "Uppsala" and meta["period_end"] == "2025-04"
    meta, note = upload_defaults("okand.txt", "Ett dokument utan kommun och period men med text.".encode())
    assert note and meta["kommun"] == "" and meta["doc_id"] == "okand"
    with pytest.raises(CorpusError, match="not UTF-8"):
        upload_defaults("trasig.txt", BAD_BYTES)
