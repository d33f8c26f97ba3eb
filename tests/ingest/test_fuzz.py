"""Report parsing (corpus, tables, chunking) under hostile input: it never fails, never
yields an oversized passage, and takes time roughly linear in the input's size.

Hypothesis builds texts from the pieces reports are made of (headings, tabs, pipes,
digits, units, dots, markup) with a per-input deadline; the inputs that were
quadratic before (issue 11) are fixed regression cases at 100 KB and 1 MB. Time
is CPU time of this process, compared against generous bounds (a quadratic
parser is 100 times slower at 10 times the size; these allow 30).
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest.chunking import MAX_CHARS, report_chunks
from rag.ingest.detect import detect_report
from rag.ingest.document import decode_report
from rag.ingest.parse import parse_report
from rag.ingest.document import ReadLimits
from rag.errors import CorpusError
from rag.models import Report
from rag.ingest.tables import MAX_CELL_CHARS

REPORT = Report("fuzz", "Solna", "Socialnämnden", "årsredovisning", "Årsredovisning 2023", "2023-01", "2023-12",
                "fuzz.txt")

PIECES = ["#", "## ", " ", "  ", "\t", "|", "\n", "\n\n", "0", "1", "12", "1 234", ",", ",5", "%", " %", "-", "−",
          "mnkr", "tkr", " procent", ".", "....", "…", "<b>", "</b>", "**", "Solna", "2023", "januari", "augusti",
          "Årsredovisning", "Delårsrapport", "1.2 ", "Rubrik", "Budget", "Utfall", "Volymenhet", "antal", "x", "å",
          ":", "(", ")", "!", "?", "@solna.se", "Innehåll", "\u00a0", "\u200b", "---", ":---:"]

texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=400).map("".join)
runs = st.lists(st.tuples(st.sampled_from(PIECES), st.integers(1, 3000)), min_size=1, max_size=6).map(
    lambda parts: "".join(p * n for p, n in parts))

UNBOUNDED = ReadLimits(max_table_rows=10**9, max_passages=10**9)


def parse(text: str):
    parsed = parse_report(REPORT, text, UNBOUNDED)  # the parser's own cost; the limits are test_limits'
    chunks = report_chunks(parsed)
    try:
        detect_report(text, "fuzz.txt")
    except CorpusError:
        pass
    return parsed, chunks


def check(text: str) -> None:
    parsed, chunks = parse(text)
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(len(f.raw) <= MAX_CELL_CHARS for f in parsed.facts)
    starts = [s.start_line for s in parsed.sections]
    assert starts == sorted(starts)


@settings(max_examples=300, deadline=timedelta(seconds=3), database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_mix_of_report_pieces_parses(text):
    check(text)


@settings(max_examples=100, deadline=timedelta(seconds=5), database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(runs)
def test_long_runs_of_one_piece_parse_in_time(text):
    check(text)


@settings(max_examples=100, deadline=timedelta(seconds=3), database=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_text_or_a_corpus_error(data):
    try:
        text = decode_report(data, "fuzz.txt")
    except CorpusError as e:
        assert str(e).startswith("fuzz.txt")
        return
    check(text)


# --- the inputs that were quadratic (issue 11), at 100 KB and 1 MB -----------------------

HEADER = "Verksamhet (mnkr)\tUtfall 2023\tBudget 2023\n"

CRAFTED = {
    "markdown heading of spaces": lambda n: "# x" + " " * n + "y\n",
    "cell of digits then !": lambda n: HEADER + "Rad\t" + "1" * n + "!\t1\n",
    "cell of digit groups": lambda n: HEADER + "Rad\t" + "123 " * (n // 4) + "x\t1\n",
    "text without sentence ends": lambda n: "ord " * (n // 4),
    "one sentence of one word": lambda n: "a" * n,
    "headings and tables alternating": lambda n: "Rubrik\n\nRad\t1\n\n" * (n // 14),
    "numbered heading of spaces": lambda n: "1 " + " " * n + "X\n",
    "a line of dots": lambda n: "Innehåll " + "." * n + "\n",
    "open tags": lambda n: "Rad\t" + "<b " * (n // 3) + "\n",
    "a line of pipes": lambda n: "|" * n + "\n",
    "a line of tabs": lambda n: "Rad" + "\t" * n + "1\n",
    "many bold lines": lambda n: "**\n\n" * (n // 4),
    "table of contents lines": lambda n: "Rubrik ........ 12\n" * (n // 19),
    "sentence ends and spaces": lambda n: ("." + " " * 50 + "x") * (n // 52),
}


def _cpu_seconds(text: str) -> float:
    t0 = time.process_time()
    check(text)
    return time.process_time() - t0


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_worst_cases_parse_in_linear_time(case):
    small, large = CRAFTED[case](100_000), CRAFTED[case](1_000_000)
    t_small = _cpu_seconds(small)
    t_large = _cpu_seconds(large)
    assert t_large < 30 * t_small + 1.5, (case, t_small, t_large)
    assert t_large < 20, (case, t_large)
