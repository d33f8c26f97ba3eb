"""Scoring rules of the answer contract, as pure functions over answer JSON."""
from __future__ import annotations

import re

from rag.numbers import find_numbers, same_value, to_float
from rag.years import is_year

#: How many right answers one wrong answer (or an answer to a question the reports do not answer)
#: costs when the scorer's answer threshold is chosen: at 1 an answer is given when it is more
#: likely right than wrong; higher refuses more of the doubtful ones (a politician repeats a wrong
#: figure, while a refusal only says the reports do not say), and loses some right answers with them.
WRONG_ANSWER_COST = 1.0


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def value_of(printed: str) -> float:
    """`2 548`, `2548`, `2 548,0`, `11.4` all as values."""
    nums = find_numbers(printed)
    if not nums:
        raise ValueError(f"{printed!r} holds no number")
    return nums[0].value if len(nums) == 1 else to_float(printed.replace(" ", ""))


def number_group_ok(answer_text: str, group: list[str]) -> bool:
    body = re.sub(r"\[\d+\]", " ", answer_text)
    have = [n.value for n in find_numbers(body)]
    return any(any(same_value(value_of(alt), v) for v in have) for alt in group)


def quote_group_ok(citations: list[dict], group: list[str]) -> bool:
    texts = [_norm(c.get("text", "")) for c in citations]
    return any(_norm(alt) in t for alt in group for t in texts)


def kommun_ok(answer: dict, kommun: str) -> bool:
    named = {c.get("kommun", "").lower() for c in answer.get("citations", [])}
    named |= {f.get("kommun", "").lower() for f in answer.get("facts", [])}
    return kommun.lower() in named


def lead_figure(answer: dict, quoted: bool = True) -> float | None:
    """The figure a reader would repeat: the first cited table fact, else (when `quoted`) the first
    figure, not a year, of the answer's quoted lines; None when the answer gives none."""
    if answer.get("facts"):
        return answer["facts"][0]["value"]
    if not quoted:
        return None
    for line in answer.get("answer", "").splitlines():
        quote = re.match(r"Enligt [^:]*\)\s*:\s+(?=\S)", line)  # the opening quote: "Enligt X (rapport): …"
        if line.startswith("- ") or quote:
            body = re.sub(r"\[\d+\]", " ", line[quote.end():] if quote else line)
            nums = [n.value for n in find_numbers(body) if not is_year(n.text)]
            if nums:
                return nums[0]
    return None


def wrong_figure(question: dict, answer: dict) -> bool:
    """An answer whose lead figure is none of the expected numbers: the worst kind of wrong answer,
    a figure a politician would repeat. Only for answered questions that expect a figure; for a why
    or list question only a table fact leads (a quoted explanation's figures are its context)."""
    if question.get("refuse") or not answer.get("answered") or not question.get("numbers"):
        return False
    lead = lead_figure(answer, quoted=question.get("type") not in ("why", "list"))
    want = [value_of(alt) for g in question["numbers"] for alt in g]
    return lead is not None and not any(same_value(lead, w) for w in want)


def score(question: dict, answer: dict) -> dict:
    """Per-question verdict with the parts that make it up."""
    refused = not answer.get("answered", False)
    if question.get("refuse"):
        return {"correct": refused, "refused": refused, "numbers": None, "quotes": None, "kommun": None,
                "cited": None, "wrong_figure": False}
    text = answer.get("answer", "")
    cits = answer.get("citations", [])
    nums = [number_group_ok(text, g) for g in question.get("numbers", [])]
    quotes = [quote_group_ok(cits, g) for g in question.get("quotes", [])]
    kommuner = [kommun_ok(answer, k) for k in question.get("kommun", [])]
    cited = bool(cits) and bool(re.search(r"\[\d+\]", text))
    correct = (not refused) and all(nums) and all(quotes) and all(kommuner) and cited
    return {"correct": correct, "refused": refused, "numbers": nums, "quotes": quotes, "kommun": kommuner,
            "cited": cited, "wrong_figure": not correct and wrong_figure(question, answer)}
