"""A report whose title and kommun hold markdown images, links and HTML, in a real browser: none of
them is active anywhere on the page (the sidebar's pills, the selection caption, the coverage list).
Needs Debian's /usr/bin/chromium; skipped without it."""
from __future__ import annotations

import json

import pytest

from tests.ui.test_e2e_browser import CHROMIUM, CHROMIUM_ARGS, copies, idle, running_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.model,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]

HOSTILE_TITLE = 'Årsredovisning ![x](http://evil.invalid/t.png) [klicka](http://evil.invalid/l) <img src="http://evil.invalid/i.png" onerror="alert(1)">'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, e5_engine):
    tmp = tmp_path_factory.mktemp("e2e-inject")
    corpus, index = copies(tmp, e5_engine)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for r in manifest["reports"]:
        if r["doc_id"].startswith("solna"):
            r["title"] = HOSTILE_TITLE
    (corpus / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    with running_app(tmp, corpus, index) as (url, _log):
        yield url


def test_report_labels_are_inert_in_a_real_browser(hostile_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            fetched: list[str] = []
            page.on("request", lambda r: fetched.append(r.url) if "evil.invalid" in r.url else None)
            page.goto(hostile_server, wait_until="domcontentloaded")
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=180_000)
            idle(page)
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text("evil.invalid", exact=False).first).to_be_visible()  # shown, as text
            active = page.evaluate("""() => ({
                imgs: [...document.querySelectorAll('img')].filter(i => (i.src || '').includes('evil')).length,
                links: [...document.querySelectorAll('a')].filter(a => (a.href || '').includes('evil')).length,
                handlers: document.querySelectorAll('[onerror]').length})""")
            assert active == {"imgs": 0, "links": 0, "handlers": 0}, active
            assert fetched == []
        finally:
            browser.close()
