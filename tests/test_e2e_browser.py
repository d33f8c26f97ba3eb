"""End to end: `streamlit run app.py` in a subprocess, driven by a real headless Chromium.

Needs Debian's /usr/bin/chromium (apt-get install chromium); skipped without it.
Runs on the fake embedder against a throw-away copy of the corpus.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "tests" / "e2e_screenshot.png"
QUESTION = "Hur stor var sjukfrånvaron i Solnas socialförvaltning 2023?"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.e2e,
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


@pytest.fixture
def server(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_MODEL": "fake-hash-embedder",
           "RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp_path / "index"),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
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


def test_chat_answers_with_sources_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, log = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(url, wait_until="domcontentloaded")
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_visible(timeout=120_000)  # first start builds the index
            box.fill(QUESTION)
            box.press("Enter")
            reply = page.get_by_test_id("stChatMessage").filter(has_text="Enligt Solna")
            expect(reply).to_be_visible(timeout=60_000)
            expect(reply).to_contain_text("8,5")
            expect(reply.get_by_text("Källor")).to_be_visible()
            expect(reply.get_by_text("Solna – Årsredovisning 2023").first).to_be_visible()
            expect(reply.locator("sup a").first).to_have_attribute("href", "#kalla-2-1")
            assert page.locator("[id='kalla-2-1']").count() == 1, "the source anchor is missing"
            expect(page.get_by_test_id("stException")).to_have_count(0)
            chart = reply.get_by_test_id("stVegaLiteChart").locator("canvas, svg").first
            expect(chart).to_be_visible(timeout=30_000)  # the 2023 vs 2022 bar chart has rendered
            page.wait_for_timeout(500)
            shot = tmp_path / "e2e_screenshot.png"
            page.screenshot(path=str(shot), full_page=True)
            shutil.copyfile(shot, SCREENSHOT)
        except Exception:
            print(log.read_text()[-3000:])
            raise
        finally:
            browser.close()
