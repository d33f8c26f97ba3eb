"""`python -m eval [run] [FILES] [--cv]`, `python -m eval fit`, `python -m eval fit-turns`, `python -m eval bench`: scoring question sets,
fitting the evidence scorer on them, and the speed benchmarks. The library never imports this package."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from .scoring import WRONG_ANSWER_COST


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    p.add_argument("--corpus-dir", dest="corpus_dir")
    p.add_argument("--index-dir", dest="index_dir")
    p.add_argument("--model")
    sub = p.add_subparsers(dest="command")
    e = sub.add_parser("run", help="score question sets (default: eval/questions.public.jsonl)")
    e.add_argument("questions", nargs="*")
    e.add_argument("--report", help="write a per-question JSONL report here")
    e.add_argument("--retrieval", action="store_true", help="also compare retrieval modes and the naive baseline")
    e.add_argument("--cv", action="store_true", help="also cross-validate: one kommun out, one topic out (dev2)")
    e.add_argument("--cv-report", dest="cv_report", help="write the out-of-fold per-question JSONL report here")
    e.add_argument("--wrong-cost", dest="wrong_cost", type=float, default=WRONG_ANSWER_COST,
                   help="the cross-validation's folds choose their thresholds at this cost (as `fit` does)")
    ft = sub.add_parser("fit", help="fit the evidence scorer on question files (default: public, dev, dev2 and the follow-up chats)")
    ft.add_argument("questions", nargs="*")
    ft.add_argument("--out", help="where to write the scorer JSON (default: rag/data/scorer.json)")
    ft.add_argument("--kind", choices=("linear", "trees"), default="linear")
    ft.add_argument("--wrong-cost", dest="wrong_cost", type=float, default=WRONG_ANSWER_COST,
                    help="how many correct answers one wrong answer costs when thresholds are chosen")
    tt = sub.add_parser("fit-turns", help="fit the decision whether a chat turn leans on the chat")
    tt.add_argument("questions", nargs="*")
    tt.add_argument("--out", help="where to write the model JSON (default: rag/data/turns.json)")
    b = sub.add_parser("bench", help="speed and memory benchmarks")
    b.add_argument("--scale", type=int, default=0, help="also run a synthetic corpus of N municipalities")
    b.add_argument("--naive", action="store_true", help="include the naive LangChain pipeline")
    b.add_argument("--backends", action="store_true", help="compare the ONNX and torch embedding backends (e5 only)")
    b.add_argument("--out", help="write the figures as JSON here")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not {"run", "fit", "fit-turns", "bench", "-h", "--help"} & set(argv):
        argv.insert(0, "run")  # `python -m eval FILES --cv`, as before
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rag.config import config_from_env
    from rag.errors import RagError

    cfg = config_from_env(args)
    try:
        if args.command == "fit":
            from .crossval import fit_main

            return fit_main(args, cfg)
        if args.command == "fit-turns":
            from .turns import main as turns_main

            return turns_main(args, cfg)
        if args.command == "bench":
            from .bench.run import main as bench_main

            return bench_main(args, cfg)
        from .runner import main as run_main

        return run_main(args, cfg)
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
