"""`python -m eval.measure_mapping`: precision and recall of the row → measure mapping against the
hand-labelled rows in `eval/measures/labelled_rows.jsonl`, per report."""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "measures" / "labelled_rows.jsonl"


def evaluate(path: Path = LABELS, show: bool = False, view=None) -> dict[str, dict[str, float]]:
    """Per report and in all. With the corpus `view`, a row its label alone does not place is read as
    the answer path reads it, in its table (a bare "Övrigt" after cost lines: `CorpusView._residuals`)."""
    from rag.answer.measures import row_measure

    in_table = _table_reading(view) if view is not None else {}
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "n": 0})
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        got = row_measure(r["row"], r["caption"], r["table"], set(r["units"]))
        pred = got.measure if got else in_table.get((r["doc_id"], r["table"], r["row"]), "")
        c = per[r["doc_id"]]
        c["n"] += 1
        if pred and pred == r["measure"]:
            c["tp"] += 1
        elif pred:
            c["fp"] += 1
            if show:
                print(f"WRONG {r['doc_id'][:12]} {r['row']!r} [{r['caption'][:30]}] -> {pred} ({got.name if got else 'table'}) "
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


def _table_reading(view) -> dict[tuple[str, str, str], str]:
    """(doc_id, table, row label) -> the measure the view reads a bare "Övrigt" as in its table."""
    from rag.answer.measures import catalogue

    out = {}
    for r in view.rows:
        ids = view.row_measure_ids.get((r.doc_id, r.line), frozenset())
        if len(ids) == 1 and catalogue().residual_label.match(r.label):
            out[(r.doc_id, r.first.table, r.label)] = next(iter(ids))
    return out


def _rates(c: dict[str, int]) -> dict[str, float]:
    return {"rows": c["n"], "precision": round(c["tp"] / max(1, c["tp"] + c["fp"]), 3),
            "recall": round(c["tp"] / max(1, c["tp"] + c["fn"]), 3)}


if __name__ == "__main__":
    view = None
    if "--in-tables" in sys.argv:  # read rows in their tables, as the answer path does (opens the index)
        from rag.config import config_from_env
        from rag.engine import open_engine

        view = open_engine(config_from_env(), build_if_needed=False).view
    for doc, r in evaluate(show="-v" in sys.argv, view=view).items():
        print(f"{doc:28} rows {r['rows']:4}  precision {r['precision']:.3f}  recall {r['recall']:.3f}")
