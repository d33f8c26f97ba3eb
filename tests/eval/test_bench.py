"""`python -m eval bench` machinery with the fake embedder and a one-municipality scale run.

Everything happens in temporary folders; the corpus is only read."""
from __future__ import annotations

import json
import random
import re

from eval.bench.measure import pct
from eval.bench.scale import perturb_numbers, rename_kommuner
from eval.__main__ import main


def test_perturb_numbers_keeps_format_and_years():
    text = "SIS-placering 6 750 kr per dygn, prognos 46,7 mnkr 2023, andel 7.0 %, period 2024-08."
    out = perturb_numbers(text, random.Random(1))
    assert re.search(r"SIS-placering \d \d{3} kr per dygn, prognos \d{2},\d mnkr 2023, andel \d\.\d %, period 2024-\d\d\.", out)
    assert out != text


def test_rename_kommuner_all_forms():
    out = rename_kommuner("Enköpings kommun, ENKÖPING, www.enkoping.se och Solna stad", ["Enköping", "Solna"], "Synt001")
    assert out == "Synt001s kommun, SYNT001, www.synt001.se och Synt001 stad"


def test_pct():
    r = pct([0.001 * i for i in range(1, 101)])
    assert r["n"] == 100 and 50 <= r["p50_ms"] <= 51 and 94 <= r["p95_ms"] <= 96


def positive(x) -> bool:
    return isinstance(x, (int, float)) and x > 0


def test_bench_fake_model_tiny_scale(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("RAG_MODEL", "fake-hash-embedder")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "never-used"))
    out = tmp_path / "bench.json"
    assert main(["bench", "--scale", "1", "--out", str(out)]) == 0
    assert not (tmp_path / "never-used").exists()
    r = json.loads(out.read_text(encoding="utf-8"))

    b = r["build"]
    assert positive(b["scratch"]["seconds"]) and positive(b["scratch"]["embedded_per_s"])
    assert b["scratch"]["embedded"] == b["scratch"]["passages"] > 0
    assert b["warm_cache"]["embedded"] == 0
    inc = b["incremental"]
    assert inc["embedded"] == inc["added_report_passages"] > 0 and inc["passages"] == b["scratch"]["passages"]
    for name in ("build", "warm_start", "serving", "cold_start"):
        assert positive(r["processes"][name]["wall_s"]) and positive(r["processes"][name]["peak_rss_mb"])
    assert r["processes"]["cold_start"]["answered"] in (True, False)
    warm = r["processes"]["warm_start"]
    assert len(warm["runs_s"]) == 3 and min(warm["runs_s"]) <= warm["median_s"] <= max(warm["runs_s"])
    t = r["targets"]
    assert t["fresh_first_answer_median_s"] == warm["median_s"] and positive(t["add_one_report_s"])
    assert t["build_scratch_s"] >= b["scratch"]["seconds"] and "naive_build_s" not in t
    assert [x["municipalities"] for x in t["scale"]] == [1] and positive(t["scale"][0]["serve_rss_mb"])
    for call in ("ask", "search"):
        assert positive(r["queries"][call]["p50_ms"]) and positive(r["queries"][call]["p95_ms"])
    assert 0 < r["queries"]["hit_at_5"] <= 1

    (size,) = r["scale"]["sizes"]
    assert size["municipalities"] == 1 and size["reports"] == 10
    assert size["build"]["passages"] > b["scratch"]["passages"]
    for key in ("seconds", "store_mb", "faiss_mb", "peak_rss_mb"):
        assert positive(size["build"][key])
    assert positive(size["serve"]["ask"]["p50_ms"]) and positive(size["serve"]["peak_rss_mb"])
    assert size["serve"]["index_status_s"] >= 0 and positive(size["serve"]["engine_load_s"])
    assert size["ann"]["flat"]["recall_at_10"] == 1.0 and 0 < size["ann"]["hnsw"]["recall_at_10"] <= 1
    assert positive(size["est_build_s_real_model"])

    table = capsys.readouterr().out
    assert "## Index build" in table and "## Scale" in table and "flat" in table and "## Issue 12 figures" in table
