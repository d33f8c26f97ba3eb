"""The Streamlit app, driven through streamlit.testing.v1.AppTest with the fake embedder
and throw-away copies of the corpus and index (uploads never touch the real corpus)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
from streamlit.testing.v1 import AppTest

from rag.config import E5_MODEL

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")

SICK = "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023?"
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


def e5_copy(base: Path, e5_engine) -> tuple[Path, Path]:
    """A corpus copy with a copy of the session's e5 index: answers need the real model,
    and nothing is embedded again except what a test uploads."""
    corpus, index = fresh_dirs(base)
    shutil.copytree(e5_engine.config.index_dir, index, ignore=shutil.ignore_patterns("feedback.sqlite"))
    return corpus, index


@pytest.fixture(scope="module")
def shared_dirs(tmp_path_factory, e5_engine) -> tuple[Path, Path]:
    """One corpus/index copy for the chat tests (the app's engine is loaded once per process)."""
    return e5_copy(tmp_path_factory.mktemp("shared"), e5_engine)


def use_dirs(monkeypatch, corpus: Path, index: Path, model: str = "fake-hash-embedder") -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("RAG_MODEL", model)
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))


@pytest.fixture
def app(monkeypatch, shared_dirs) -> AppTest:
    """The app on the real e5 model (marked `model`): the answers are the ones a person gets."""
    use_dirs(monkeypatch, *shared_dirs, model=E5_MODEL)
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def fresh_e5_app(monkeypatch, tmp_path, e5_engine) -> tuple[AppTest, Path, Path]:
    corpus, index = e5_copy(tmp_path, e5_engine)
    use_dirs(monkeypatch, corpus, index, model=E5_MODEL)
    monkeypatch.setenv("RAG_EDITOR_TOKEN", EDITOR_TOKEN)
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    return log_in(at), corpus, index


EDITOR_TOKEN = "rätt-lösenord-123"


def log_in(at: AppTest, token: str = EDITOR_TOKEN) -> AppTest:
    at.sidebar.text_input(key="editor-token").set_value(token).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def fresh_app(monkeypatch, tmp_path) -> tuple[AppTest, Path, Path]:
    """The app on the fake embedder, for what needs no answers (start page, uploads refused, removal),
    with an editor token configured and entered."""
    corpus, index = fresh_dirs(tmp_path)
    use_dirs(monkeypatch, corpus, index)
    monkeypatch.setenv("RAG_EDITOR_TOKEN", EDITOR_TOKEN)
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    return log_in(at), corpus, index


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


def plain(markdown: str) -> str:
    """Rendered markdown source with the app's escapes (\\: \\( &gt;) undone, for reading."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def charts(block) -> list:
    return [c for kind in ("vega_lite_chart", "arrow_vega_lite_chart") for c in block.get(kind)]


# --- the chat ------------------------------------------------------------------------------

def test_start_page_says_what_is_covered_and_offers_examples(fresh_app):
    app = fresh_app[0]
    page = texts(app.main)
    assert "Det här finns i underlaget" in page and "Så läser du svaret" in page
    covered = next(m.value for m in app.markdown if "Det här finns i underlaget" in m.value)
    for line in ("**Solna**: Årsredovisning 2023, helåret 2023",
                 "**Enköping**: Tertialrapport april 2024, januari–april 2024",
                 "**Huddinge**: Delårsrapport per 31 augusti 2023, januari–augusti 2023"):
        assert line in covered
    assert len([b for b in app.main.button if b.key and b.key.startswith("example-")]) == 3
    assert any("Urval: alla kommuner" in plain(c.value) for c in app.caption)


@pytest.mark.model
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
    assert "Det här finns i underlaget" not in texts(app.main)  # the start page gives way to the chat


@pytest.mark.model
def test_follow_up_is_read_in_the_context_of_the_chat(app):
    ask(app, SICK)
    msg = ask(app, "Och i Huddinge?")
    answer = plain(msg.markdown[0].value)
    assert answer.startswith("Jag läser frågan som: «Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2023?»")
    assert "7%" in answer.replace(" ", "") or "7 procent" in answer
    assert 'href="#kalla-' in answer
    body = texts([e for e in msg.expander if e.label.startswith("Källor")][0])
    assert "Huddinge" in body and "Solna" not in body


@pytest.mark.model
def test_a_follow_up_can_be_asked_as_written_in_its_place_and_read_as_a_follow_up_again(app, shared_dirs):
    from rag.search.store import list_feedback

    feedback = shared_dirs[1] / "feedback.sqlite"
    rows = len(list_feedback(feedback)) if feedback.exists() else 0
    first = ask(app, SICK)
    assert not [b for b in first.button if b.key.startswith("again-")]  # a question read alone offers nothing
    ask(app, "Och i Huddinge?")
    button = next(b for b in assistant(app).button if b.key.startswith("again-"))
    assert button.label == "Fråga som den är skriven" and not button.help
    button.click().run()
    assert not app.exception, app.exception
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2  # in the answer's place
    msg = assistant(app)
    shown = plain(texts(msg))
    assert "Besvarad som den är skriven, utan de tidigare frågorna i samtalet." in shown
    assert "Jag läser frågan som" not in shown and "Rapporterna säger inte det" in shown  # alone it asks nothing
    assert "7 %" not in shown
    back = next(b for b in msg.button if b.key.startswith("again-"))
    assert back.label == "Läs den som följdfråga igen"
    back.click().run()
    answer = plain(assistant(app).markdown[0].value)
    assert answer.startswith("Jag läser frågan som: «Hur hög var sjukfrånvaron i Huddinges socialförvaltning 2023?»")
    assert "7 %" in answer and len(app.chat_message) == 4
    assert (len(list_feedback(feedback)) if feedback.exists() else 0) == rows  # answering stores nothing


@pytest.mark.model
def test_a_four_turn_chat_shows_each_reading_as_a_sentence(app):
    """A kommun, another kommun, why, the year before: each follow-up opens with how it was read, as a
    whole question a person can check, and the chat's kommun and year travel with it."""
    ask(app, SICK)
    readings = []
    for follow_up in ("Och i Huddinge?", "Varför då?", "Och året innan?"):
        answer = plain(ask(app, follow_up).markdown[0].value)
        m = re.match(r"Jag läser frågan som: «([^»]+\?)»", answer)
        assert m, answer[:200]
        readings.append(m.group(1))
    assert all("Huddinge" in r and "sjukfrånvaro" in r.lower() for r in readings)
    assert readings[1].startswith("Varför") and "2023" in readings[1]
    assert "2022" in readings[2] and "2023" not in readings[2]


@pytest.mark.model
def test_a_complete_second_question_ignores_the_first(app):
    ask(app, SICK)
    msg = ask(app, "Hur många familjerådgivningssamtal genomfördes i Huddinge till och med augusti 2023?")
    answer = plain(msg.markdown[0].value)
    assert "996" in answer and not answer.startswith("Sjukfrånvaron")


@pytest.mark.model
def test_question_outside_the_filter_is_answered_and_the_conflict_named(app):
    app.sidebar.pills(key="kommuner").set_value(["Huddinge"]).run()
    assert any("Urval: Huddinge" in plain(c.value) for c in app.caption)
    msg = ask(app, "Hur stor var sjukfrånvaron i Solna 2023?")
    note = plain(" ".join(i.value for i in msg.info))
    assert "Frågan gäller Solna" in note and "urvalet i sidofältet är Huddinge" in note
    assert "8,5" in msg.markdown[0].value


@pytest.mark.model
def test_kommun_filter_limits_an_unnamed_question(app):
    app.sidebar.pills(key="kommuner").set_value(["Huddinge"]).run()
    msg = ask(app, "Hur stor var sjukfrånvaron 2023?")
    body = texts(msg)
    assert "Huddinge" in body and "Solna" not in body and not msg.info


@pytest.mark.model
def test_unanswerable_question_is_refused(app):
    msg = ask(app, UNANSWERABLE)
    assert "Rapporterna säger inte" in texts(msg)
    labels = [e.label for e in msg.expander]
    assert "Det här täcker rapporterna" in labels  # the coverage, folded away
    # the nearest row or sentence a refusal names is cited with its source, like any answer's
    assert any(label.startswith("Källor (1)") for label in labels) == ("Närmast" in texts(msg))


@pytest.mark.model
def test_example_button_asks_and_charts_only_comparable_periods(app):
    example = [b for b in app.main.button if "institutionsvård" in b.label]
    assert example
    example[0].click().run()
    assert not app.exception, app.exception
    msg = assistant(app)
    assert "Institutionsvård vuxna" in plain(msg.markdown[0].value)
    assert charts(msg), "no bar chart for the asked row"
    caption = " ".join(c.value for c in msg.caption)
    assert "kostnad" in caption and "mnkr" in caption


@pytest.mark.model
def test_bad_question_is_a_swedish_message_not_a_traceback(app):
    msg = ask(app, "Varför " + "x" * 600)
    assert any("Frågan kan inte besvaras" in plain(e.value) and "för lång" in plain(e.value) for e in msg.error)


def test_missing_corpus_is_a_swedish_error_message(monkeypatch, tmp_path):
    use_dirs(monkeypatch, tmp_path / "no-such-corpus", tmp_path / "index")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert any("Rapporterna kunde inte läsas in" in plain(e.value) and "finns inte" in plain(e.value) for e in at.error)


@pytest.mark.model
def test_feedback_is_one_changeable_row_with_a_comment_sent_with_its_button(app, shared_dirs):
    from rag.search.store import list_feedback

    path = shared_dirs[1] / "feedback.sqlite"
    ask(app, SICK)
    before = len(list_feedback(path))
    rating = app.pills(key=next(k for k in widget_keys(app, "button_group") if k.startswith("fb-")))
    assert [o.split(": ")[-1] for o in rating.options] == ["Bra svar", "Något är fel"]
    rating.set_value("bra").run()
    rating.set_value("fel").run()
    rows = list_feedback(path)
    assert len(rows) == before + 1, "changing the rating added a second row"
    assert rows[-1]["question"] == SICK and rows[-1]["rating"] == -1
    assert "8,5" in rows[-1]["answer"]["answer"] and rows[-1]["answer"]["citations"]
    app.text_input(key=next(k for k in widget_keys(app, "text_input") if k.startswith("fbtext-"))) \
        .set_value("Fel period")
    app.button(key=next(k for k in widget_keys(app, "button") if k.startswith("fbsend-"))).click().run()
    rows = list_feedback(path)
    assert len(rows) == before + 1 and rows[-1]["comment"] == "Fel period"


def widget_keys(at: AppTest, kind: str) -> list[str]:
    return [w.key for w in at.get(kind) if getattr(w, "key", None)]


# --- uploads and removal ---------------------------------------------------------------------

def test_malformed_upload_is_refused_in_swedish_and_corpus_unchanged(fresh_app):
    at, corpus, _ = fresh_app
    before = snapshot(corpus)
    at.sidebar.file_uploader[0].upload("trasig.txt", BAD_BYTES, "text/plain").run()
    assert not at.exception, at.exception
    errors = [plain(e.value) for e in at.error]
    assert any("UTF-8" in e and "inte sparad som vanlig text" in e for e in errors), errors
    assert snapshot(corpus) == before


def test_duplicate_upload_under_another_name_is_refused(fresh_app):
    at, corpus, _ = fresh_app
    before = snapshot(corpus)
    data = (corpus / "003_c2ca7959cafa510e.txt").read_bytes()
    at.sidebar.file_uploader[0].upload("solna-igen.txt", data, "text/plain").run()
    assert not at.exception, at.exception
    errors = [plain(e.value) for e in at.error]
    assert any("finns redan i underlaget" in e and "Solna – Årsredovisning 2023" in e for e in errors), errors
    assert snapshot(corpus) == before


@pytest.mark.model
def test_valid_upload_is_added_with_its_own_title_and_answerable(fresh_e5_app):
    at, corpus, _ = fresh_e5_app
    at.sidebar.file_uploader[0].upload("uppsala.txt", GOOD_REPORT, "text/plain").run()
    assert not at.exception, at.exception
    field = {k.rsplit("-", 1)[-1]: k for k in keys(at) if k.startswith("meta-")}
    assert at.sidebar.text_input(key=field["kommun"]).value == "Uppsala"
    assert at.sidebar.text_input(key=field["title"]).value == "Tertialrapport april 2025"
    at.sidebar.button(key=next(k for k in keys(at, "button") if "FormSubmitter" in k)).click().run()
    assert not at.exception, at.exception
    assert any("Uppsala – Tertialrapport april 2025 lades till" in plain(s.value) for s in at.success), \
        [e.value for e in at.error]
    assert (corpus / "uppsala.txt").exists()
    assert "Uppsala" in at.sidebar.pills(key="kommuner").options
    msg = ask(at, "Hur stora var kostnaderna för försörjningsstöd i Uppsala 2025?")
    assert "18,2" in msg.markdown[0].value and "Uppsala" in texts(msg)


def test_an_upload_whose_details_cannot_be_read_names_every_missing_field_before_anything_is_added(fresh_app):
    at, corpus, _ = fresh_app
    before = snapshot(corpus)
    text = "Uppföljning av verksamheten\n\nHär beskrivs hur arbetet med ekonomiskt bistånd har gått under året.\n"
    at.sidebar.file_uploader[0].upload("okand.txt", text.encode(), "text/plain").run()
    assert not at.exception, at.exception
    note = " ".join(plain(w.value) for w in at.sidebar.warning)
    assert "kommun" in note and "periodens början och periodens slut" in note, note
    field = {k.rsplit("-", 1)[-1]: k for k in keys(at) if k.startswith("meta-")}
    assert at.sidebar.text_input(key=field["title"]).value == "Uppföljning av verksamheten"
    at.sidebar.text_input(key=field["period_end"]).set_value("augusti")
    at.sidebar.button(key=next(k for k in keys(at, "button") if "FormSubmitter" in k)).click().run()
    assert not at.exception, at.exception
    (error,) = [plain(e.value) for e in at.sidebar.error]
    assert error.startswith("Rapporten lades inte till. Fyll i eller rätta:")
    for problem in ("Kommun saknas", "Rapporttyp saknas", "Periodens början saknas",
                    "Periodens slut ska skrivas som år och månad"):
        assert problem in error, error
    assert snapshot(corpus) == before


def test_a_report_is_removed_only_after_confirmation(fresh_app):
    at, corpus, _ = fresh_app
    before = snapshot(corpus)
    at.sidebar.button(key="remove-huddinge-delar-2023-08").click().run()
    assert snapshot(corpus) == before and any("Ta bort Huddinge" in plain(w.value) for w in at.sidebar.warning)
    at.sidebar.button(key="remove-no-huddinge-delar-2023-08").click().run()
    assert snapshot(corpus) == before
    at.sidebar.button(key="remove-huddinge-delar-2023-08").click().run()
    at.sidebar.button(key="remove-yes-huddinge-delar-2023-08").click().run()
    assert not at.exception, at.exception
    assert "004_92f3905f20c0b124.txt" not in snapshot(corpus)
    assert set(snapshot(corpus)) == set(before) - {"004_92f3905f20c0b124.txt", "manifest.json"} | {"manifest.json"}
    assert "Huddinge" not in at.sidebar.pills(key="kommuner").options
    assert any("togs bort" in plain(s.value) for s in at.success)


def keys(at: AppTest, kind: str = "text_input") -> list[str]:
    return [w.key or w.id for w in getattr(at.sidebar, kind)]


# --- plain functions ---------------------------------------------------------------------------

def test_handle_upload_refuses_bad_bytes_and_changes_nothing(tmp_path):
    from rag.ui.uploads import handle_upload
    from rag.config import Config

    corpus, index = fresh_dirs(tmp_path)
    config = Config(corpus_dir=corpus, index_dir=index, model="fake-hash-embedder")
    before = snapshot(corpus)
    for name, data in (("trasig.txt", BAD_BYTES), ("tom.txt", b"   \n"), ("bild.png", GOOD_REPORT),
                       ("003_c2ca7959cafa510e.txt", GOOD_REPORT)):
        ok, message = handle_upload(config, name, data, None)
        assert not ok and message.startswith("Rapporten lades inte till."), message
        assert snapshot(corpus) == before
    ok, message = handle_upload(config, "uppsala.txt", GOOD_REPORT, {"kommun": "Uppsala", "period_end": "april"})
    assert not ok and "Uppgifter saknas" in message or "år och månad" in message, message
    assert snapshot(corpus) == before


def test_upload_defaults_prefill_from_the_text():
    from rag.ui.uploads import upload_defaults
    from rag.errors import CorpusError

    meta, note = upload_defaults("uppsala.txt", GOOD_REPORT)
    assert note == "" and meta["kommun"] == "Uppsala" and meta["period_end"] == "2025-04"
    assert meta["title"] == "Tertialrapport april 2025"
    meta, note = upload_defaults("okand.txt", "Ett dokument utan kommun och period men med text.".encode())
    assert "fyll i" in note and meta["kommun"] == ""
    with pytest.raises(CorpusError, match="not UTF-8"):
        upload_defaults("trasig.txt", BAD_BYTES)


def test_upload_defaults_read_the_first_pages_of_a_pdf_and_a_word_file():
    from rag.models import Report
    from rag.ui.uploads import upload_defaults
    from tests import docgen

    report = Report("uppsala-tertial-2025-04", "Uppsala", "Socialnämnden", "tertialrapport", "Tertialrapport april 2025",
                    "2025-01", "2025-04", "uppsala.txt")
    docx, pdf = docgen.report_documents(report, GOOD_REPORT.decode())
    for name, data in (("uppsala.pdf", pdf), ("uppsala.docx", docx)):
        meta, note = upload_defaults(name, data)
        assert note == "", (name, note)
        assert (meta["kommun"], meta["report_type"], meta["period_start"], meta["period_end"]) == \
            ("Uppsala", "tertialrapport", "2025-01", "2025-04"), (name, meta)
        assert meta["title"] == "Tertialrapport april 2025", (name, meta)


def test_form_problems_are_every_missing_or_malformed_field_at_once():
    from rag.ui.uploads import form_problems

    full = {"kommun": "Uppsala", "namnd": "Socialnämnden", "report_type": "tertialrapport",
            "title": "Tertialrapport april 2025", "period_start": "2025-01", "period_end": "2025-04"}
    assert form_problems(full) == []
    assert form_problems({**full, "kommun": " ", "title": "", "period_end": "2025-13"}) == [
        "Kommun saknas", "Titel saknas", "Periodens slut ska skrivas som år och månad, till exempel 2024-08"]
    assert form_problems({**full, "period_start": "2025-05"}) == ["Perioden börjar efter att den slutar"]


def test_swedish_error_messages():
    from rag.ui.swedish import swedish_error

    assert "UTF-8" in swedish_error("x.txt:3: not UTF-8 text (byte 0xd0); export the report as UTF-8")
    assert swedish_error("x.txt: the same text is already in the corpus as 003.txt (Solna – Årsredovisning 2023)") \
        == "Rapporten finns redan i underlaget, som Solna – Årsredovisning 2023. Den lades inte till igen."
    assert swedish_error("x.txt: could not detect kommun, report type, period from the text; add an entry") \
        == "Det gick inte att läsa ut kommun, rapporttyp, period ur texten; fyll i uppgifterna själv."


@pytest.mark.model
def test_chart_shows_only_comparable_periods_and_costs_as_positive(e5_engine):
    from rag.ui.charts import chart_data

    answer = e5_engine.ask("Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?")
    got = chart_data(answer, e5_engine.facts, e5_engine.reports)
    assert got, "no chart for the asked cost row"
    for chart in got:
        assert all(v >= 0 for v in chart.values) and "kostnad" in chart.title and chart.unit == "mnkr"
        cols = " ".join(chart.columns).lower()
        assert not ("utfall" in cols and ("budget" in cols or "prognos" in cols or "bokslut" in cols))


@pytest.mark.model
def test_a_ranked_table_answer_is_one_chart_of_its_rows_and_no_chart_leaves_out_the_asked_column(e5_engine):
    from rag.ui.charts import chart_data

    answer = e5_engine.ask("Vilken verksamhet har störst underskott mot budget i Enköping?")
    charts = chart_data(answer, e5_engine.facts, e5_engine.reports)
    assert len(charts) == 1 and charts[0].columns == tuple(f.row for f in answer.facts)
    assert charts[0].values == tuple(f.value for f in answer.facts)  # deviations keep their sign
    for q in ("Vad kostade institutionsvård för vuxna i Enköping?", SICK):
        ans = e5_engine.ask(q)
        for chart in chart_data(ans, e5_engine.facts, e5_engine.reports):
            assert {f.column for f in ans.facts} & set(chart.columns), (q, chart)


@pytest.mark.model
def test_a_comparison_chart_draws_amounts_as_the_first_sentence_says_them(e5_engine):
    """Enköping prints the cost of ekonomiskt bistånd as -38,4, Huddinge its own as 1 848: the answer
    says both as amounts, and so does the chart."""
    from rag.ui.charts import chart_data

    answer = e5_engine.ask("Which municipality spends the most on financial assistance?")
    charts = chart_data(answer, e5_engine.facts, e5_engine.reports)
    assert len(charts) == 1 and len(charts[0].values) == len(answer.facts) >= 2
    assert {f.value < 0 for f in answer.facts} == {True, False}  # the reports' signs differ
    assert all(v > 0 for v in charts[0].values)
    first = answer.answer.splitlines()[0]
    assert all(swedish(v) in first for v in charts[0].values), (first, charts[0].values)


@pytest.mark.model
def test_two_kommuners_shares_are_charted_a_bar_per_kommun(e5_engine):
    """Sick leave in Solna and Huddinge side by side: one chart in per cent, a bar per kommun (not
    Solna's own row over the years)."""
    from rag.ui.charts import chart_data

    answer = e5_engine.ask("Är sjukfrånvaron högre i Solna än i Huddinge?")
    charts = chart_data(answer, e5_engine.facts, e5_engine.reports)
    assert len(charts) == 1 and charts[0].unit == "%"
    assert dict(zip(charts[0].columns, charts[0].values)) == {"Solna": 8.5, "Huddinge": 7.0}


@pytest.mark.model
def test_a_share_worked_out_from_counts_is_one_chart_of_the_part_beside_its_total(e5_engine):
    from rag.ui.charts import chart_data

    answer = e5_engine.ask("Hur stor andel av de anställda i Solnas socialnämnd är kvinnor?")
    charts = chart_data(answer, e5_engine.facts, e5_engine.reports)
    assert len(charts) == 1 and charts[0].unit == "antal"
    assert dict(zip(charts[0].columns, charts[0].values)) == {"varav kvinnor": 165, "Antal anställda": 221}


@pytest.mark.model
def test_a_full_year_ranking_charts_its_ranked_figures_not_the_figures_so_far(e5_engine):
    """Ranked on the full year, with the outcomes so far listed after: the chart draws one bar per
    kommun, the ranked figures, in the order the first sentence says them."""
    from rag.ui.charts import chart_data

    answer = e5_engine.ask("Vilken socialnämnd har högst personalkostnader?")
    charts = chart_data(answer, e5_engine.facts, e5_engine.reports)
    first = answer.answer.splitlines()[0]
    assert len(charts) == 1 and len(charts[0].values) == 4 < len(answer.facts)
    assert list(charts[0].values) == sorted(charts[0].values, reverse=True)
    assert all(swedish(v) in first for v in charts[0].values), (first, charts[0].values)


def swedish(v: float) -> str:
    return f"{v:.1f}".replace(".", ",")


@pytest.mark.model
def test_no_chart_for_an_answer_from_text_only(e5_engine):
    from dataclasses import replace

    from rag.ui.charts import chart_data

    answer = e5_engine.ask(SICK)
    assert chart_data(answer, e5_engine.facts, e5_engine.reports), "the sick-leave row (2023, 2022) has a chart"
    assert chart_data(replace(answer, facts=()), e5_engine.facts, e5_engine.reports) == []


def test_period_groups():
    from rag.ui.charts import period_group
    from rag.models import Report

    delar = Report("d", "Enköping", "S", "delårsrapport", "D", "2024-01", "2024-08", "d.txt")
    assert period_group("Utfall jan-aug 2023", delar) == period_group("Utfall jan-aug 2024", delar)
    assert period_group("Budget 2024", delar) == period_group("Prognos helår 2024", delar)
    assert period_group("Bokslut 2023", delar) != period_group("Utfall jan-aug 2024", delar)
    assert period_group("Kvinnor 2023", delar) is None
    assert period_group("Utfall 2023", Report("e", "E", "S", "delårsrapport", "D", "2023-01", "2023-08", "e")) \
        != period_group("Utfall 2022", Report("e", "E", "S", "delårsrapport", "D", "2023-01", "2023-08", "e"))


def test_handle_remove_takes_one_report_out_of_corpus_and_index(tmp_path):
    import json

    from rag.ui.uploads import handle_remove
    from rag.config import Config

    corpus, index = fresh_dirs(tmp_path)
    config = Config(corpus_dir=corpus, index_dir=index, model="fake-hash-embedder")
    before = snapshot(corpus)
    ok, message = handle_remove(config, "solna-arsredovisning-2023")
    assert ok and message == "Solna – Årsredovisning 2023 togs bort ur underlaget. Den kan återställas.", message
    assert (corpus / ".removed" / "003_c2ca7959cafa510e.txt").read_bytes() == before["003_c2ca7959cafa510e.txt"]
    after = snapshot(corpus)
    assert set(before) - set(after) == {"003_c2ca7959cafa510e.txt"}
    assert all(after[k] == before[k] for k in after if k != "manifest.json")
    assert [e["doc_id"] for e in json.loads(after["manifest.json"])["reports"]] == [
        e["doc_id"] for e in json.loads(before["manifest.json"])["reports"] if e["doc_id"] != "solna-arsredovisning-2023"]
    assert "solna-arsredovisning-2023" not in json.loads(config.manifest_path.read_text())["reports"]
    ok, message = handle_remove(config, "solna-arsredovisning-2023")
    assert not ok and message.startswith("Rapporten kunde inte tas bort."), message
    assert snapshot(corpus) == after


def test_progress_text_gives_a_time_estimate():
    from rag.ui.swedish import progress_text

    assert progress_text("embedding", 0, 900) == "Läser in textavsnitt: 0 av 900"
    assert progress_text("embedding", 300, 900, elapsed=60) == "Läser in textavsnitt: 300 av 900 (ungefär 2 min kvar)"
    assert progress_text("embedding", 450, 900, elapsed=30) == "Läser in textavsnitt: 450 av 900 (ungefär 30 s kvar)"


def test_the_loading_note_says_seconds_for_a_current_index_and_minutes_only_for_a_first_build(tmp_path):
    from rag.config import Config
    from rag.ui.loading import index_state
    from rag.ui.swedish import loading_note

    corpus, index = fresh_dirs(tmp_path)
    config = Config(corpus_dir=corpus, index_dir=index, model="fake-hash-embedder")
    first = loading_note(*index_state(config))
    assert "första gången" in first and "minuter" in first
    from rag.engine import build_index
    from rag.search.embedding import FakeEmbedder

    build_index(config, FakeEmbedder())
    current = loading_note(*index_state(config))
    assert "sekunder" in current and "minuter" not in current
    (corpus / "extra.txt").write_text("Solna stad\nNy rapport", encoding="utf-8")
    assert "byggs om" in loading_note(*index_state(config))


def test_question_naming_another_kind_of_report_than_the_filter(fake_engine):
    from rag.ui.scope import scope_for

    tertial, delar = "enkoping-tertial-2024-04", "enkoping-delar-2024-08"
    got = scope_for("Vad skriver delårsrapporten om ekonomiskt bistånd i Enköping?", (), fake_engine, (), (tertial,))
    assert got.doc_ids == (delar,) and "delårsrapporten" in got.note and "Tertialrapport april 2024" in got.note
    same = scope_for("Vad skriver tertialrapporten om ekonomiskt bistånd i Enköping?", (), fake_engine, (), (tertial,))
    assert same.doc_ids == (tertial,) and same.note == ""
    follow = scope_for("Och i Solna?", ("Hur hög var sjukfrånvaron i Huddinge 2023?",), fake_engine, ("Huddinge",), ())
    assert follow.kommuner == ("Solna",) and "Frågan gäller Solna" in follow.note


def test_answer_keeps_its_list_and_escapes_report_text():
    from rag.ui.markup import linked_answer
    from rag.models import Answer, Citation

    cite = Citation(1, "table", "d", "Huddinge", "Delårsrapport", "2023-08", "Sjukfrånvaro", "rad")
    text = "Sjukfrånvaron, Huddinge, 2023:\n\nEnligt Huddinge:\n- Sjukfrånvaro: 7 % [1]\n- ![bild](http://x) <b>2</b> [1]"
    got = linked_answer(Answer("q", True, text, (cite,)), 3)
    lines = got.split("\n")
    assert lines[0].startswith("Sjukfrånvaron, Huddinge, 2023") and lines[1] == ""
    items = [ln for ln in lines if ln.startswith("- ")]
    assert len(items) == 2 and items[0].endswith('<sup><a href="#kalla-3-1" title="Huddinge – Delårsrapport – '
                                                  'Sjukfrånvaro">[1]</a></sup>')
    assert "<b>" not in got and "](http" not in got


def test_a_kommun_heading_of_the_answer_is_bold_and_its_text_escaped():
    from rag.ui.markup import linked_answer
    from rag.models import Answer

    text = "Rangordning (högst först): Solna 8,5% [1]\n**Solna (Årsredovisning 2023)**\n- a [1]\n**<b>x</b> (R)**\n- b"
    got = linked_answer(Answer("q", True, text, ()), 1)
    assert "\n**Solna \\(Årsredovisning 2023\\)**\n" in got
    assert "<b>" not in got and "\\*\\*" not in got


def test_the_plain_helpers_import_without_streamlit():
    """The app's logic is tested without a page: none of its plain modules pulls in Streamlit."""
    import subprocess
    import sys

    plain_modules = ("swedish", "chat", "scope", "markup", "charts", "uploads", "render", "roles")
    code = ("import sys\n" + "".join(f"import rag.ui.{m}\n" for m in plain_modules)
            + "assert 'streamlit' not in sys.modules, 'streamlit imported'\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
