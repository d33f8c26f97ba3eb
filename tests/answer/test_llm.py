"""The optional LLM rewrite: used only when it says what the composed answer says.

A stub OpenAI-compatible server on 127.0.0.1 returns crafted rewrites through the
real client (langchain-openai); each wrong one is rejected, the faithful one used.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.config import FAKE_MODEL, Config
from rag.answer.llm import chat_model_from_config, check_rewrite, rewrite
from rag.models import Answer, Citation

from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def answer(parsed) -> Answer:
    """A composed answer in the engine's format, quoting Enköping's real report."""
    enk = next(p for p in parsed if p.report.doc_id == "enkoping-delar-2024-08")
    row = next(f for f in enk.facts if f.row == "Institutionsvård vuxna" and f.column == "Utfall jan-aug 2024")
    para = next(ln for ln in enk.lines if "Minskningen i år är ett led i" in ln)
    why = next(s for s in para.split(". ") if s.startswith("Minskningen i år")) + "."
    r = enk.report
    cites = (Citation(1, "table", r.doc_id, r.kommun, r.title, r.period_end, row.section, row.citation_text, row.line),
             Citation(2, "passage", r.doc_id, r.kommun, r.title, r.period_end, row.section, para, 394))
    text = (f"Enligt Enköping ({r.title}):\n"
            "- Institutionsvård vuxna (Verksamhet (mnkr)) – Utfall jan-aug 2024: -6,3 mnkr; Utfall jan-aug 2023: "
            f"-10,0 mnkr (förändring -3,7 mnkr, -37 %) [1]\n- {why} [2]")
    return Answer("Varför minskade kostnaderna för institutionsvård för vuxna i Enköping under 2024?", True, text,
                  cites, (row,))


FAITHFUL = ("Kostnaderna för institutionsvård för vuxna i Enköping var -6,3 mnkr under januari–augusti 2024, "
            "jämfört med -10,0 mnkr samma period 2023, en förändring med -3,7 mnkr eller -37 % [1]. Minskningen "
            "är ett led i att använda öppenvårdsinsatser i större utsträckning, så kallade hemmaplanslösningar [2].")

WRONG = {
    "flipped direction": FAITHFUL.replace("Minskningen", "Ökningen"),
    "swapped kommun": FAITHFUL.replace("Enköping", "Solna"),
    "swapped years": FAITHFUL.replace("augusti 2024", "augusti 2023").replace("period 2023", "period 2024"),
    "changed unit": FAITHFUL.replace("-6,3 mnkr", "-6,3 miljarder kronor"),
    "dropped figures": ("Kostnaderna för institutionsvård för vuxna i Enköping minskade under januari–augusti 2024 "
                        "jämfört med samma period 2023 [1]. Minskningen är ett led i att använda "
                        "öppenvårdsinsatser, så kallade hemmaplanslösningar [2]."),
    "invented cause": FAITHFUL + " Minskningen beror på att fler brukare flyttade till egna lägenheter [2].",
    "invented claim without a cause word": FAITHFUL + " Personalen har fått utbildning i motiverande samtal [2].",
    "flipped sign": FAITHFUL.replace("-6,3", "6,3"),
    "added negation": FAITHFUL.replace("Minskningen är", "Minskningen är inte"),
    "a sentence without a marker": FAITHFUL.replace(" [1].", "."),
    "a marker that cites nothing": FAITHFUL.replace("[2]", "[5]"),
    "an invented number": FAITHFUL.replace("-37 %", "-41 %"),
    "dropped period": FAITHFUL.replace("under januari–augusti 2024", "under 2024"),
}


def test_the_faithful_rephrasing_passes_the_guard(answer):
    assert check_rewrite(answer, FAITHFUL) == []


@pytest.mark.parametrize("case", sorted(WRONG))
def test_each_crafted_wrong_rewrite_is_caught(answer, case):
    assert check_rewrite(answer, WRONG[case]), case


class StubOpenAI(BaseHTTPRequestHandler):
    """`POST /v1/chat/completions` answering with the server's current `reply` (HTTP 500 when None)."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        if self.server.reply is None:
            self.send_response(500)
            self.end_headers()
            return
        out = json.dumps({"id": "stub", "object": "chat.completion", "created": 0, "model": body["model"],
                          "choices": [{"index": 0, "finish_reason": "stop",
                                       "message": {"role": "assistant", "content": self.server.reply}}],
                          "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubOpenAI)
    server.reply, server.requests = None, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chat(stub):
    cfg = Config(corpus_dir=CORPUS, model=FAKE_MODEL, llm_base_url=f"http://127.0.0.1:{stub.server_port}/v1",
                 llm_model="stub-model")
    return chat_model_from_config(cfg)


def test_the_stub_servers_faithful_rewrite_is_used(answer, stub, chat):
    stub.reply = FAITHFUL
    out = rewrite(answer, chat)
    assert out.answer == FAITHFUL and out.citations == answer.citations and "llm-rewrite" in out.notes
    sent = stub.requests[-1]
    assert sent["model"] == "stub-model" and "-6,3 mnkr" in sent["messages"][-1]["content"]


@pytest.mark.parametrize("case", ["flipped direction", "swapped kommun", "swapped years", "changed unit",
                                  "dropped figures", "invented cause"])
def test_the_stub_servers_wrong_rewrites_are_rejected(answer, stub, chat, case):
    stub.reply = WRONG[case]
    assert rewrite(answer, chat) == answer


def test_a_failing_endpoint_keeps_the_composed_answer(answer, stub, chat):
    stub.reply = None
    assert rewrite(answer, chat) == answer


def test_a_refusal_is_never_sent_to_the_model(stub, chat):
    refusal = Answer("Hur stor var sjukfrånvaron i Malmö 2023?", False, "Malmö finns inte i underlaget.")
    before = len(stub.requests)
    assert rewrite(refusal, chat) == refusal and len(stub.requests) == before
