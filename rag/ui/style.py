"""The page's own CSS and the Swedish names for Streamlit's own controls.

CSS: a smaller title, tables that scroll rather than overflow, a source [n] links to (and an answer)
scrolled into view below the top bar rather than under it, a phone layout, and the file
uploader's English texts ('Drag and drop', 'Limit 200MB per file', 'Upload') hidden, its button
reading 'Välj fil'. Streamlit has no setting for its language, so a small script renames the
labels of its fixed controls (the send button, the sidebar toggle, the password eye, …) from the
table below: only attributes and text nodes that equal an entry exactly, nothing a report says. The
same script scrolls a new question to the top of the view, so its answer is read from the start
(Streamlit's own bottom chat box would keep the page scrolled to the end of a long answer)."""
from __future__ import annotations

import json

CSS = """
h1 {font-size: 1.6rem !important; padding-top: 0.2rem !important;}
[data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
[data-testid="stMarkdownContainer"] td, [data-testid="stMarkdownContainer"] th {white-space: nowrap;}
[data-testid="stChatMessage"], a[id^="kalla-"] {scroll-margin-top: 4rem;}  /* not under the page's top bar */
[data-testid="stFileUploaderDropzoneInstructions"], [data-testid="InputInstructions"] {display: none;}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] {
  display: none;}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "Välj fil"; font-size: 0.9rem;}
@media (max-width: 640px) {
  h1 {font-size: 1.2rem !important;}
  .block-container {padding-left: 0.6rem !important; padding-right: 0.6rem !important; padding-top: 2.6rem !important;}
  [data-testid="stChatMessage"] {padding: 0.3rem !important; gap: 0.4rem !important;}
  [data-testid="stChatMessageAvatarUser"], [data-testid="stChatMessageAvatarAssistant"] {display: none;}
}
"""

#: Streamlit's fixed English labels (aria-label, title, button text) and what the page says instead.
STREAMLIT_SWEDISH = {
    "Send message": "Skicka frågan",
    "Skip to main content": "Hoppa till innehållet",
    "Expand sidebar": "Visa sidofältet",
    "Collapse sidebar": "Dölj sidofältet",
    "Sidebar": "Sidofält",
    "Show password": "Visa lösenordet",
    "Hide password": "Dölj lösenordet",
    "Remove file": "Ta bort filen",
    "file upload": "Välj fil",
    "Add files": "Byt fil",
    "add icon": "Byt fil",
    "Delete": "Ta bort",
    "Clear": "Rensa",
    "Close": "Stäng",
    "Running...": "Arbetar …",
    "Stop": "Avbryt",
    "Fullscreen": "Helskärm",
    "Close fullscreen": "Stäng helskärm",
    "Exit fullscreen": "Stäng helskärm",
    "Chat message from user": "Din fråga",
    "Chat message from assistant": "Svaret",
    "Show data": "Visa siffrorna",
    "Hide data": "Dölj siffrorna",
    "Download as PNG": "Spara som bild (PNG)",
    "Download as SVG": "Spara som bild (SVG)",
    "Copy Vega-Lite spec": "Kopiera diagrammets beskrivning",
    "Download as CSV": "Spara som CSV",
    "Search": "Sök",
    "Notifications": "Meddelanden",
}
#: Button labels (aria-label only) Streamlit builds from a fixed English start and a name: "Remove rapport.pdf".
STREAMLIT_SWEDISH_STARTS = {"Remove ": "Ta bort "}

_SCRIPT = """
(() => {
  if (window.__ragSwedish) return;
  window.__ragSwedish = true;
  const [sv, starts] = %s;
  const swedish = (v, attr) => {
    if (sv[v]) return sv[v];
    const start = attr === 'aria-label' && Object.keys(starts).find(s => v.startsWith(s));
    return start ? starts[start] + v.slice(start.length) : null;
  };
  const fix = node => {
    if (node.nodeType === Node.TEXT_NODE) {
      const t = node.nodeValue.trim();
      if (sv[t]) node.nodeValue = node.nodeValue.replace(t, sv[t]);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const el of [node, ...node.querySelectorAll('[aria-label], [title]')]) {
      for (const a of ['aria-label', 'title']) {
        const v = el.getAttribute(a), s = v && swedish(v, a);
        if (s) el.setAttribute(a, s);
      }
    }
    const walk = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let t = walk.nextNode(); t; t = walk.nextNode()) fix(t);
  };
  // A new question is kept at the top of the view while its answer comes in, so the answer is read from
  // its first line; the reader's own scrolling, tapping or typing ends that.
  let asked = 0, target = null, pending = false;
  for (const e of ['wheel', 'touchmove', 'keydown', 'mousedown'])
    document.addEventListener(e, () => { target = null; }, {capture: true, passive: true});
  const follow = () => {
    pending = false;
    const users = document.querySelectorAll('[data-testid="stChatMessageAvatarUser"]');
    const last = () => users[users.length - 1].closest('[data-testid="stChatMessage"]');
    if (users.length > asked || (target && !target.isConnected)) target = users.length ? last() : null;
    asked = users.length;
    target?.scrollIntoView({block: 'start'});
  };
  fix(document.body);
  new MutationObserver(changes => {
    changes.forEach(c => { if (c.type === 'childList') c.addedNodes.forEach(fix); else fix(c.target); });
    if (!pending) { pending = true; requestAnimationFrame(follow); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                              attributeFilter: ['aria-label', 'title']});
})();
"""


def page_head() -> str:
    """The CSS and the renaming script, for `st.html(..., unsafe_allow_javascript=True)`: fixed text of
    this module, nothing from a report or a visitor."""
    tables = json.dumps([STREAMLIT_SWEDISH, STREAMLIT_SWEDISH_STARTS], ensure_ascii=False)
    return f"<style>{CSS}</style><script>{_SCRIPT % tables}</script>"
