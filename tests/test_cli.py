"""The command-line contract: JSON on stdout only, errors as messages with status 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


SCORER = {}  # the fake embedder's own fitted scorer (conftest.fake_config), set by the index fixture


def run(args, index_dir, **kw):
    env = {**os.environ, "RAG_MODEL": "fake-hash-embedder", "RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1",
           **SCORER}
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, fake_config):
    SCORER["RAG_SCORER"] = str(fake_config.scorer_path)
    d = tmp_path_factory.mktemp("cli-index")
    assert run(["build"], d).returncode == 0
    return d


def test_facts_prints_every_fact_as_json_lines(index_dir):
    out = run(["facts", "--json"], index_dir)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) > 2000
    assert set(rows[0]) == {"doc_id", "kommun", "period", "section", "caption", "table", "row", "column",
                            "value", "unit", "raw", "measure", "measure_confidence", "kind", "year", "months",
                            "value_mnkr"}
    assert sum(bool(r["measure"]) for r in rows) > 500  # the rows read as a catalogue measure
    solna = [json.loads(line) for line in run(["facts", "--json", "--kommun", "Solna"], index_dir).stdout.splitlines()]
    assert solna and {r["kommun"] for r in solna} == {"Solna"}


def test_ask_and_search_print_one_json_object(index_dir):
    out = run(["ask", "--json", "Hur stor var sjukfrånvaron i Solnas socialförvaltning 2023?"], index_dir)
    d = json.loads(out.stdout)
    assert d["answered"] and "8,5" in d["answer"] and d["citations"][0]["kommun"] == "Solna"
    s = json.loads(run(["search", "--json", "-k", "3", "sjukfrånvaro Solna"], index_dir).stdout)
    assert [h["rank"] for h in s["hits"]] == [1, 2, 3]
    assert set(s["hits"][0]) >= {"rank", "score", "doc_id", "kommun", "period", "section", "text"}


def test_batch_copies_ids_and_reports_bad_lines_per_line(index_dir, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "Vad blev Solnas socialnämnds nettokostnad 2023?"}\n'
                     '{"id": "b", "question": ""}\n', encoding="utf-8")
    lines = [json.loads(x) for x in run(["ask", "--json", "--batch", str(batch)], index_dir).stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    assert lines[0]["answered"] and "198,8" in lines[0]["answer"]
    assert not lines[1]["answered"] and "empty" in lines[1]["error"]
    hits = [json.loads(x) for x in run(["search", "--json", "--batch", str(batch)], index_dir).stdout.splitlines()]
    assert hits[0]["id"] == "a" and hits[0]["hits"]


def test_errors_are_messages_not_tracebacks(index_dir, tmp_path):
    out = run(["ask", "--json", "--batch", str(tmp_path / "missing.jsonl")], index_dir)
    assert out.returncode == 2 and out.stdout == ""
    assert "error: cannot read batch file" in out.stderr and "Traceback" not in out.stderr
    out = run(["--corpus-dir", str(tmp_path / "nowhere"), "facts", "--json"], index_dir)
    assert out.returncode == 2 and "does not exist" in out.stderr and "Traceback" not in out.stderr


def test_a_question_on_a_stale_index_is_answered_from_it_without_a_build(tmp_path, fake_config):
    """Answering never builds: with a report added to the corpus after the build, `ask` answers from
    the last complete index at once and says on stderr that it is stale; the index is untouched."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    index = tmp_path / "index"
    env = {**os.environ, "RAG_CORPUS_DIR": str(corpus), "RAG_MODEL": "fake-hash-embedder",
           "RAG_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1", **SCORER}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    assert cli("build").returncode == 0
    before = (index / "CURRENT").read_text()
    (corpus / "extra.txt").write_text((corpus / "003_c2ca7959cafa510e.txt").read_text(encoding="utf-8")
                                      .replace("Solna", "Sundbyberg"), encoding="utf-8")
    out = cli("ask", "--json", "Hur hög var sjukfrånvaron i Solna 2023?")
    assert out.returncode == 0 and json.loads(out.stdout)["question"]
    assert "stale" in out.stderr and (index / "CURRENT").read_text() == before
