"""`python -m eval.measure_mapping`: precision and recall of the row → measure mapping against the
hand-labelled rows in `eval/measures/labelled_rows.jsonl`, per report."""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "measures" / "labelled_rows.jsonl"


def evaluate(path: Path = LABELS, show: bool = False) -> dict[str, dict[str, float]]:
    from rag.answer.measures import row_measure

    per: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "n": 0})
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        got = row_measure(r["row"], r["caption"], r["table"], set(r["units"]))
        pred = got.measure if got else ""
        c = per[r["doc_id"]]
        c["n"] += 1
        if pred and pred == r["measure"]:
            c["tp"] += 1
        elif pred:
            c["fp"] += 1
            if show:
                print(f"WRONG {r['doc_id'][:12]} {r['row']!r} [{r['caption'][:30]}] -> {pred} ({got.name}) "
                      f"expected {r['measure'] or '-'}", file=sys.stderr)
        if r["measure"] and pred != r["measure"]:
            c["fn"] += 1
            if show and not pred:
                print(f"MISS  {r['doc_id'][:12]} {r['row']!r} [{r['caption'][:30]}] expected {r['measure']}",
                      file=sys.stderr)
    out = {}
    tot = {"tp": 0, "fp": 0, "fn": 0, "n": 0}
    for doc, c in sorted(per.items()):
        for k in tot:
            tot[k] += c[k]
        out[doc] = _rates(c)
    out["all"] = _rates(tot)
    return out


def _rates(c: dict[str, int]) -> dict[str, float]:
    return {"rows": c["n"], "precision": round(c["tp"] / max(1, c["tp"] + c["fp"]), 3),
            "recall": round(c["tp"] / max(1, c["tp"] + c["fn"]), 3)}


if __name__ == "__main__":
    for doc, r in evaluate(show="-v" in sys.argv).items():
        print(f"{doc:28} rows {r['rows']:4}  precision {r['precision']:.3f}  recall {r['recall']:.3f}")
