"""What an index is built from, recorded in its manifest so that a stale index is told from a
current one without parsing a report: the corpus files (size, date, content hash) and one hash
over the parsing, chunking and lexical code and data (`parser_sha`)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .index import file_sha256

#: The code and data a build's output depends on: when any of them changes, the index is rebuilt
#: (with a warm embedding cache, only what changed is embedded). This replaces re-parsing the
#: whole corpus on every start to compare passages.
PARSER_FILES = ("ingest/corpus.py", "ingest/manifest.py", "ingest/detect.py", "ingest/report_files.py", "ingest/parse.py",
                "ingest/sections.py", "ingest/document.py", "ingest/markup.py", "ingest/readers.py", "ingest/pdfreader.py",
                "ingest/pdflimits.py", "ingest/tables.py", "ingest/chunking.py", "numbers.py", "years.py", "kommuner.py",
                "models.py", "search/store.py", "search/lexical.py", "lexicon.py", "data/lexicon.json")


def parser_sha() -> str:
    """sha256 over PARSER_FILES: the parser/format version an index was built with."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent.parent
    for name in PARSER_FILES:
        path = here / name
        if path.is_file():
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _corpus_paths(corpus_dir: Path) -> dict[str, Path]:
    """Every file a build may read: the folder's visible files and the manifest's sources."""
    out = {p.name: p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".")}
    try:
        entries = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8")).get("reports") or []
    except (OSError, ValueError, AttributeError):
        entries = []
    for e in entries:
        src = e.get("source") if isinstance(e, dict) else None
        if isinstance(src, str) and src not in out and (corpus_dir / src).is_file():
            out[src] = corpus_dir / src
    return out


def corpus_state(corpus_dir: Path, known: dict[str, list] | None = None) -> dict[str, list]:
    """name -> [size, mtime_ns, sha256] of the corpus files. A file whose size and mtime
    match `known` keeps its recorded hash (not re-read); any other one is hashed."""
    out = {}
    for name, path in sorted(_corpus_paths(corpus_dir).items()):
        st = path.stat()
        old = (known or {}).get(name)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            out[name] = list(old)
        else:
            out[name] = [st.st_size, st.st_mtime_ns, file_sha256(path)]
    return out


def source_doc_ids(corpus_dir: Path) -> dict[str, str]:
    """source file -> doc_id, from the corpus manifest (for readable staleness reasons)."""
    try:
        entries = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8")).get("reports") or []
        return {e["source"]: e["doc_id"] for e in entries if isinstance(e, dict) and "source" in e and "doc_id" in e}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}
