"""Report labels are data: a report whose kommun and title hold a markdown image, a link and HTML
shows them as characters wherever the app renders markdown (pills, captions, notes, expanders)."""
from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from tests.ui.test_app import APP, fresh_dirs, use_dirs

EVIL = " ![x](http://evil/x.png) [klicka](http://evil/) <img src=x onerror=alert(1)>"
#: GitHub-flavoured markdown with HTML allowed, as st.markdown(unsafe_allow_html=True) renders it.
RENDER = MarkdownIt("commonmark", {"html": True})


def active(markdown: str) -> list[str]:
    """The active content `markdown` would render to: tags that fetch or link, and URLs a GFM
    renderer (as Streamlit's) would turn into links on their own."""
    html = RENDER.render(markdown)
    found = re.findall(r"<(?:img|a|script|iframe)\b[^>]*>", html, re.I)
    # the app's own citation anchors (<a id="kalla-…">, no href) neither fetch nor link
    found = [t for t in found if not re.fullmatch(r'<a id="kalla-[\d-]+">', t)]
    return found + re.findall(r"https?://|www\.", markdown)


@pytest.fixture
def evil_app(monkeypatch, tmp_path) -> tuple[AppTest, object]:
    corpus, index = fresh_dirs(tmp_path)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["reports"]:
        if entry["kommun"] == "Solna":
            entry["kommun"] += EVIL
            entry["title"] += EVIL
    (corpus / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    use_dirs(monkeypatch, corpus, index)
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    return at, corpus


def rendered(at: AppTest) -> list[str]:
    """Every string the page renders as markdown: bodies, notices, captions, expander and pill labels."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        out += [e.value for e in getattr(at, kind)]
    out += [e.label for e in at.expander]
    for pills in at.get("button_group"):
        out += [o.content for o in pills.proto.options]
    return out


def test_labels_with_markdown_and_html_render_inert(evil_app):
    at, _ = evil_app
    shown = rendered(at)
    assert any("evil" in s for s in shown), "the labels under test are not on the page"
    pills = [o.content for p in at.get("button_group") for o in p.proto.options]
    assert any("Solna" in o and "evil" in o for o in pills), pills
    for s in shown:
        assert not active(s), (s, active(s))


def test_filter_caption_and_scope_note_are_inert(evil_app):
    at, _ = evil_app
    at.sidebar.pills(key="kommuner").set_value(["Solna" + EVIL]).run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption if "Urval" in c.value]
    assert captions and "evil" in captions[0]
    at.chat_input[0].set_value("Hur stor var sjukfrånvaron i Huddinge 2023?").run()
    assert not at.exception, at.exception
    notes = [i.value for i in at.info if "urvalet i sidofältet" in i.value]
    assert notes and "evil" in notes[0]
    for s in rendered(at):
        assert not active(s), (s, active(s))


def test_the_escape_keeps_the_text():
    from rag.ui.render import escape_markdown

    html = RENDER.render(escape_markdown("Solna" + EVIL))
    assert not active(escape_markdown("Solna" + EVIL))
    text = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # the same characters a reader sees: the word joiner that breaks an autolink is invisible
    assert text.strip().replace("\u2060", "").replace("&quot;", '"') == ("Solna" + EVIL).strip()
