"""End to end: `streamlit run app.py` in a subprocess, driven by a real headless Chromium,
at desktop width and at 390 px (a phone): a question, a follow-up (and it asked as written), a duplicate
upload; the start page opening at its title with no English UI text; a why answer, a ranking, a refusal
and an upload whose details are read from the file.

Needs Debian's /usr/bin/chromium (apt-get install chromium); skipped without it.
Runs on the real e5 model (answers need it) against throw-away copies of the corpus and index. Screenshots are
written to tests/screenshots/ (committed, and looked at by a person).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.config import E5_MODEL

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "tests" / "screenshots"
QUESTION = "Hur hög var sjukfrånvaron i Solnas socialförvaltning 2023?"
FOLLOW_UP = "Och i Huddinge?"
DUPLICATE = "003_c2ca7959cafa510e.txt"  # Solna's report, uploaded again under another name
WHY = "Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?"  # an example button
RANKING = "Vilken verksamhet har störst underskott mot budget i Enköping?"
REFUSED = "Hur många platser har Malmö stads skyddade boenden?"
#: Streamlit's own English texts and labels, none of which may reach a Swedish reader.
ENGLISH = ("Drag and drop", "Browse files", "Thumbs up", "Thumbs down", "Help for", "Upload", "Limit 200MB",
           "Press Enter", "Send message", "Show password", "Expand sidebar", "Collapse sidebar", "Link to heading",
           "Chat message from", "Show data", "Download as")
#: The visible text (icons, which are aria-hidden ligatures, left out) and the labels a screen reader reads.
PAGE_WORDS = """() => {
  const out = [];
  const shown = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                       return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const p = n.parentElement;
    if (p && n.nodeValue.trim() && shown(p) && !p.closest('[aria-hidden=true], script, style')) out.push(n.nodeValue);
  }
  for (const e of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
  for (const e of document.querySelectorAll('*')) {
    const after = getComputedStyle(e, '::after').content;
    if (shown(e) && after && after !== 'none' && after !== 'normal') out.push(after);
  }
  return out;
}"""
EDITOR_TOKEN = "e2e-redaktor-123"  # uploading needs an editor (rag/ui/roles.py)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit did not become healthy in {timeout:.0f}s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_app(tmp: Path, corpus: Path, index: Path, **env_extra: str):
    """The Streamlit app over `corpus` and `index` on a free port, healthy; its URL and log."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_MODEL": E5_MODEL, "RAG_CORPUS_DIR": str(corpus),
           "RAG_INDEX_DIR": str(index), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env_extra}
    log = tmp / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def copies(tmp: Path, e5_engine) -> tuple[Path, Path]:
    """Copies of the corpus and of the session's e5 index, so a test may change them."""
    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    shutil.copytree(e5_engine.config.index_dir, tmp / "index", ignore=shutil.ignore_patterns("feedback.sqlite"))
    return tmp / "corpus", tmp / "index"


@contextmanager
def editor_app(tmp_path_factory, e5_engine, name: str):
    """The app on the real e5 model, with the editor's token, over copies of the corpus and of the
    session's e5 index in a folder of its own: (url, log, folder, corpus)."""
    tmp = tmp_path_factory.mktemp(name)
    corpus, index = copies(tmp, e5_engine)
    with running_app(tmp, corpus, index, RAG_EDITOR_TOKEN=EDITOR_TOKEN) as (url, log):
        yield url, log, tmp, corpus


@pytest.fixture(scope="module")
def server(tmp_path_factory, e5_engine):
    """The app shared by the tests that leave its corpus as it is."""
    with editor_app(tmp_path_factory, e5_engine, "e2e") as (url, log, _, corpus):
        yield url, log, corpus


def idle(page) -> None:
    """Wait until the app's script run has finished (typing into a rerunning page can be lost)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=120_000)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@contextmanager
def app_page(url: str, log: Path, width: int, height: int, tag: str):
    """A page of the running app in headless Chromium at this size (a phone's touch and viewport for
    'phone'), opened once its chat box shows; the server's log is printed when the test fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height},
                                    is_mobile=tag == "phone", has_touch=tag == "phone")
            page.goto(url, wait_until="domcontentloaded")
            expect_visible(page.get_by_test_id("stChatInputTextArea"), 180_000)  # the first start builds the index
            yield page
        except Exception:
            print(log.read_text()[-3000:])
            raise
        finally:
            browser.close()


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_follow_up_and_duplicate_upload_in_a_real_browser(server, width, height, tag):
    from playwright.sync_api import expect

    url, log, corpus = server
    with app_page(url, log, width, height, tag) as page:
        box = page.get_by_test_id("stChatInputTextArea")
        expect(page.get_by_text("Det här finns i underlaget")).to_be_visible()
        expect(page.get_by_text("Urval: alla kommuner och rapporter")).to_be_visible()
        page.get_by_text("Det här finns i underlaget").scroll_into_view_if_needed()
        shoot(page, f"{tag}-1-start.png")

        idle(page)
        box.fill(QUESTION)
        box.press("Enter")
        first = page.get_by_test_id("stChatMessage").filter(has_text="Årsredovisning 2023")
        expect(first).to_contain_text("8,5", timeout=120_000)
        idle(page)
        box.fill(FOLLOW_UP)
        box.press("Enter")
        reply = page.get_by_test_id("stChatMessage").filter(has_text="Jag läser frågan som: «Hur hög var sjukfrånvaron i Huddinge")
        expect(reply).to_be_visible(timeout=120_000)
        expect(reply).to_contain_text("7")
        expect(reply).to_contain_text("Delårsrapport per 31 augusti 2023")
        expect(reply.locator("sup a").first).to_be_visible()
        expect(reply.get_by_text("Källor").first).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        reply.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, f"{tag}-2-follow-up.png")  # sources folded: the answer stays in view
        reply.get_by_text("Källor").first.click()
        source = reply.get_by_text("Huddinge – Delårsrapport per 31 augusti 2023").first
        expect(source).to_be_visible()
        source.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, f"{tag}-3-sources.png")
        # two more turns (why, then the year before): each reading said as a whole question
        for turn, reading in (("Varför då?", "«Varför var sjukfrånvaron i Huddinges socialförvaltning 2023"),
                              ("Och året innan?", "«Varför var sjukfrånvaron i Huddinges socialförvaltning 2022")):
            idle(page)
            box.fill(turn)
            box.press("Enter")
            msg = page.get_by_test_id("stChatMessage").filter(has_text=f"Jag läser frågan som: {reading}").last
            expect(msg).to_be_visible(timeout=120_000)
            expect(msg.locator("sup a").first).to_be_visible()
        msg.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, f"{tag}-3b-four-turns.png")

        if tag == "phone":  # the sidebar is folded away on a phone; open it
            page.get_by_test_id("stExpandSidebarButton").click()
        sidebar = page.get_by_test_id("stSidebar")
        token = sidebar.locator('input[aria-label="Redaktörslösenord"]')
        token.fill(EDITOR_TOKEN)
        token.press("Enter")
        sidebar.get_by_text("Lägg till rapport").click()
        sidebar.locator("input[type=file]").set_input_files(str(corpus / DUPLICATE))
        refused = sidebar.get_by_text("Rapporten finns redan i underlaget")
        expect(refused).to_be_visible(timeout=120_000)
        expect(refused).to_contain_text("Solna – Årsredovisning 2023")
        refused.evaluate("e => e.scrollIntoView({block: 'center'})")
        shoot(page, f"{tag}-4-duplicate-upload.png")
        assert sorted(p.name for p in corpus.iterdir()) == sorted(p.name for p in (ROOT / "corpus").iterdir())


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_a_follow_up_asked_as_written_in_a_real_browser(server, width, height, tag):
    """Under a follow-up's answer, a Swedish button asks the question as written: the answer in its place
    says so and reads nothing into it ('Och i Huddinge?' alone asks nothing), and offers the way back."""
    from playwright.sync_api import expect

    url, log, _ = server
    with app_page(url, log, width, height, tag) as page:
        box = page.get_by_test_id("stChatInputTextArea")
        idle(page)
        box.fill(QUESTION)
        box.press("Enter")
        expect(page.get_by_test_id("stChatMessage").filter(has_text="Årsredovisning 2023")).to_contain_text(
            "8,5", timeout=120_000)
        idle(page)
        box.fill(FOLLOW_UP)
        box.press("Enter")
        reply = page.get_by_test_id("stChatMessage").filter(has_text="Jag läser frågan som: «Hur hög")
        button = reply.get_by_role("button", name="Fråga som den är skriven")
        expect(button).to_be_visible(timeout=120_000)
        idle(page)
        button.evaluate("e => e.scrollIntoView({block: 'center'})")
        assert in_view_and_on_top(page, button), button.bounding_box()  # on a phone too: nothing covers it
        assert english_on(page) == []
        shoot(page, f"{tag}-2a-ask-as-written.png")
        button.click()
        replaced = page.get_by_test_id("stChatMessage").filter(has_text="Besvarad som den är skriven")
        expect(replaced).to_contain_text("Rapporterna säger inte det", timeout=120_000)
        idle(page)
        expect(page.get_by_test_id("stChatMessage")).to_have_count(4)  # in the answer's place
        expect(page.get_by_test_id("stChatMessage").filter(has_text="Jag läser frågan som")).to_have_count(0)
        expect(replaced.get_by_role("button", name="Läs den som följdfråga igen")).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert english_on(page) == []
        replaced.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, f"{tag}-2b-asked-as-written.png")


def english_on(page) -> list[str]:
    """The English UI strings the page shows or reads out, with where."""
    words = page.evaluate(PAGE_WORDS)
    return [f"{e!r} in {w!r}" for w in words for e in ENGLISH if e in w]


def open_sidebar(page, tag: str):
    if tag == "phone":  # the sidebar is folded away on a phone
        page.get_by_test_id("stExpandSidebarButton").click()
    return page.get_by_test_id("stSidebar")


def log_in(page, sidebar) -> None:
    token = sidebar.locator('input[aria-label="Redaktörslösenord"]')
    token.fill(EDITOR_TOKEN)
    token.press("Enter")
    expect_visible(sidebar.get_by_text("Du kan ändra underlaget"))


def expect_visible(locator, timeout: float = 120_000) -> None:
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=timeout)


def expect_hidden(locator, timeout: float = 120_000) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_count(0, timeout=timeout)


def in_view_and_on_top(page, locator) -> bool:
    """The element is inside the viewport and nothing (a sidebar, a bar) covers its middle."""
    return locator.evaluate("""e => { const r = e.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth
               && top !== null && (e.contains(top) || top.contains(e)); }""")


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_the_start_page_opens_at_its_title_and_shows_no_english(server, width, height, tag):
    url, log, _ = server
    with app_page(url, log, width, height, tag) as page:
        idle(page)
        page.wait_for_timeout(1000)  # a page that scrolls itself does so by now
        title = page.get_by_role("heading", name="Fråga socialtjänstens rapporter")
        assert in_view_and_on_top(page, title), title.bounding_box()
        assert english_on(page) == []
        sidebar = open_sidebar(page, tag)
        log_in(page, sidebar)
        sidebar.get_by_text("Lägg till rapport").click()
        expect_visible(sidebar.get_by_test_id("stFileUploaderDropzone"))
        idle(page)
        assert english_on(page) == []  # the file uploader's own texts included
        assert '"Välj fil"' in page.evaluate(PAGE_WORDS)  # its button's text, drawn by the app's CSS


#: A report for each width (the same text twice would be refused as a duplicate).
NEW_REPORTS = {tag: f"""Tertialrapport april 2025

Socialnämnden i {kommun} kommun redovisar här utfallet per 30 april 2025.

Ekonomi

Kostnaderna för försörjningsstöd ökade under perioden eftersom fler hushåll saknade arbete.

Verksamhet (mnkr)\tBudget 2025\tUtfall jan-apr 2025\tPrognos helår 2025
Försörjningsstöd\t-50,0\t-18,2\t-52,1
Missbruksvård vuxna\t-30,0\t-9,8\t-29,5
""" for tag, kommun in (("desktop", "Uppsala"), ("phone", "Örebro"))}


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory, e5_engine):
    """A server of its own, so that the reports added here leave the other tests' corpus as it is."""
    with editor_app(tmp_path_factory, e5_engine, "e2e-upload") as (url, log, tmp, _):
        yield url, log, tmp


def chat_turns(page, turns):
    """Each (question, text its answer shows) typed into the chat in turn, each answer awaited; the
    last answer's message."""
    from playwright.sync_api import expect

    box = page.get_by_test_id("stChatInputTextArea")
    for turn, expected in turns:
        idle(page)
        box.fill(turn)
        box.press("Enter")
        msg = page.get_by_test_id("stChatMessage").filter(has_text=expected).last
        expect(msg).to_be_visible(timeout=120_000)
    return msg


def ask_and_show(page, question: str, expected: str, name: str, typed: bool = True):
    """Ask (typed, or by the example button already clicked); the reply, shot at its top. The page itself
    has kept the question at the top of the view, so the answer is read from its first line."""
    if typed:
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(question)
        box.press("Enter")
    else:  # the start page gives way to the chat
        expect_hidden(page.get_by_text("Det här finns i underlaget"))
    reply = page.get_by_test_id("stChatMessage").filter(has_text=expected).last
    expect_visible(reply)
    idle(page)
    asked = page.get_by_test_id("stChatMessage").filter(has_text=question).last
    assert in_view_and_on_top(page, asked), asked.bounding_box()
    reply.evaluate("e => e.scrollIntoView({block: 'start'})")
    shoot(page, name)
    return reply


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_why_ranking_refusal_and_upload_in_a_real_browser(upload_server, width, height, tag):
    from playwright.sync_api import expect

    url, log, tmp = upload_server
    with app_page(url, log, width, height, tag) as page:
        idle(page)
        page.get_by_role("button", name=WHY).click()
        why = ask_and_show(page, WHY, "Institutionsvård vuxna", f"{tag}-5-why.png", typed=False)
        expect(why.get_by_test_id("stVegaLiteChart")).to_be_visible()
        expect(why.get_by_text("Bra svar")).to_be_visible()
        assert english_on(page) == []  # the rating, the chart's toolbar, the chat's labels
        ranking = ask_and_show(page, RANKING, "Störst underskott", f"{tag}-6-ranking.png")
        expect(ranking).to_contain_text("Ekonomiskt bistånd")
        ask_and_show(page, REFUSED, "Rapporterna säger inte", f"{tag}-7-refusal.png")

        sidebar = open_sidebar(page, tag)
        log_in(page, sidebar)
        sidebar.get_by_text("Lägg till rapport").click()
        kommun = "Uppsala" if tag == "desktop" else "Örebro"
        path = tmp / f"{kommun.lower()}-tertial.txt"
        path.write_text(NEW_REPORTS[tag], encoding="utf-8")
        sidebar.locator("input[type=file]").set_input_files(str(path))
        expect(sidebar.locator('input[aria-label="Kommun"]')).to_have_value(kommun, timeout=120_000)
        expect(sidebar.locator('input[aria-label="Perioden slutar (ÅÅÅÅ-MM)"]')).to_have_value("2025-04")
        expect(sidebar.locator('input[aria-label="Rapportens titel"]')).to_have_value("Tertialrapport april 2025")
        sidebar.get_by_text("Uppgifterna är hämtade ur rapportens text") \
            .evaluate("e => e.scrollIntoView({block: 'start'})")  # the prefilled form in the shot
        assert english_on(page) == []  # the chosen file's chip, its remove and replace buttons
        shoot(page, f"{tag}-8-upload-form.png")
        sidebar.get_by_role("button", name="Lägg till i underlaget").click()
        added = sidebar.get_by_test_id("stAlert").filter(has_text="lades till")
        expect(added).to_contain_text(f"{kommun} – Tertialrapport april 2025 lades till", timeout=180_000)
        idle(page)
        assert in_view_and_on_top(page, added), added.bounding_box()  # not hidden behind anything
        shoot(page, f"{tag}-9-upload-added.png")
        expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_a_chat_that_points_back_and_a_comparison_of_two_levels_in_a_real_browser(server, width, height, tag):
    """"den verksamheten" two turns on, then the same period another year: each reading a whole
    question, the last answer the row the chat is about; then two kommuner's levels side by side."""
    from playwright.sync_api import expect

    url, log, _ = server
    with app_page(url, log, width, height, tag) as page:
        msg = chat_turns(page, (("Hur mycket går till barn- och ungdomsvården i Huddinge 2023?", "Barn & ungdomsvård"),
                                ("Vad blev utfallet för den verksamheten jan–aug?", "Jag läser frågan som"),
                                ("Och samma period 2021?", "139 351")))
        expect(msg).to_contain_text("Barn & ungdomsvård")
        expect(msg).not_to_contain_text("Nämnd- & styrelseverksamhet")
        msg.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, f"{tag}-10-that-activity.png")
        idle(page)
        levels = ask_and_show(page, "Är sjukfrånvaron högre i Solna än i Huddinge?", "Högst: Solna",
                              f"{tag}-11-higher-than.png")
        expect(levels).to_contain_text("Huddinge 7 %")
        expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_counts_from_the_text_and_a_change_asked_of_the_last_answer_in_a_real_browser(server, width, height, tag):
    """A count two kommuner give only in their text, quoted side by side and not ranked; then "Har
    det ökat?" of a single count: the reading says the whole question, the answer both years."""
    from playwright.sync_api import expect

    url, log, _ = server
    with app_page(url, log, width, height, tag) as page:
        counts = ask_and_show(page, "Vilken kommun har flest hushåll med ekonomiskt bistånd?", "inte rangordnat",
                              f"{tag}-12-text-counts.png")
        expect(counts).to_contain_text("Enköping 423")
        expect(counts).to_contain_text("Solna 145")
        msg = chat_turns(page, (("Hur många samtal har familjerådgivningen i Huddinge genomfört i år?", "996"),
                                ("Har det ökat?", "och har det ökat?")))
        expect(msg).to_contain_text("806")
        msg.evaluate("e => e.scrollIntoView({block: 'start'})")
        shoot(page, f"{tag}-13-has-it-grown.png")
        expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("width, height, tag", [(1400, 1100, "desktop"), (390, 844, "phone")])
def test_a_share_worked_out_from_counts_and_two_reports_side_by_side_in_a_real_browser(server, width, height, tag):
    """A share the report prints only as counts, said as worked out from the two cited rows; then a
    question naming both of Enköping's reports, opened by each report's own sentence."""
    from playwright.sync_api import expect

    url, log, _ = server
    with app_page(url, log, width, height, tag) as page:
        for question, expected, name in (
                ("Hur stor andel av de anställda i Solnas socialnämnd är kvinnor?", "74,7 procent",
                 f"{tag}-14-share-from-counts.png"),
                ("Hur många hushåll fick ekonomiskt bistånd per månad i Enköping enligt tertialrapporten och enligt "
                 "delårsrapporten?", "Tertialrapport april 2024", f"{tag}-15-two-reports.png")):
            msg = chat_turns(page, ((question, expected),))
            expect(msg.get_by_text("Källor")).to_be_visible(timeout=120_000)  # the whole answer drawn
            idle(page)
            msg.evaluate("e => e.scrollIntoView({block: 'start'})")
            shoot(page, name)
            if name.endswith("share-from-counts.png"):
                expect(msg).to_contain_text("165 av 221 anställda kvinnor")
                expect(msg).to_contain_text("räknad här ur de två antalen")
            else:
                expect(msg).to_contain_text("Delårsrapport januari–augusti 2024")
        expect(page.get_by_test_id("stException")).to_have_count(0)
