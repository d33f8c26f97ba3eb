"""The question files: where they are, how they are read, and whether evidence holds an answer."""
from __future__ import annotations

import json
from pathlib import Path

from .scoring import number_group_ok, quote_group_ok

DEFAULT = Path(__file__).resolve().parent / "questions.public.jsonl"


def load_questions(paths: list[str]) -> list[dict]:
    out = []
    for p in paths or [str(DEFAULT)]:
        for i, line in enumerate(Path(p).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                q = json.loads(line)
                q.setdefault("file", Path(p).name)
                out.append(q)
    return out


def evidence_in(q: dict, texts: list[str]) -> bool:
    """Every expected quote and number of the question among the texts (evidence@k)."""
    cits = [{"text": t} for t in texts]
    return all(quote_group_ok(cits, g) for g in q.get("quotes", [])) \
        and all(any(number_group_ok(t, g) for t in texts) for g in q.get("numbers", []))


def default_files() -> list[str]:
    """The public set and the development set (one file per kommun)."""
    here = Path(__file__).resolve().parent
    return [str(DEFAULT)] + sorted(str(p) for p in (here / "dev").glob("*.jsonl"))


def fit_files() -> list[str]:
    """What the shipped scorer is fitted on: the public set, `dev/`, `dev2/` (comparisons, rankings,
    several reports, follow-ups) and the project's own follow-up chats. Cross-validation leaves one
    kommun out of the first and one topic out of `dev2/`."""
    here = Path(__file__).resolve().parent
    return default_files() + sorted(str(p) for p in (here / "dev2").glob("*.jsonl")) \
        + [str(here / "questions.followup.jsonl")]
