"""The vector index: FAISS's own file format plus a JSON manifest that says what
built it, and an embedding cache keyed by content hash so that adding one
report re-embeds only that report's passages.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..files import write_atomic
from ..errors import IndexMismatch, IndexMissing
from ..models import Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 2: facts carry page/place (PDF and Word reports); 3: corpus files, parser hash, lexical.npz
#: "auto" picks exact search. HNSW is available by name, but `bench --scale` measured its
#: recall@10 falling to 0.67 at 95k vectors (efSearch 128), and a kommun-filtered query asks
#: for more neighbours than the graph returns; exact search took 13 ms at 95k. Revisit with
#: real vectors before switching it on.
HNSW_FROM = 10**9


#: The lock file that lets one build at a time write an index folder.
LOCK_NAME = "build.lock"


@contextmanager
def build_lock(index_dir: Path):
    """Hold the index folder's build lock, waiting for a running build to finish first.

    An flock on `build.lock`: the kernel releases it when the holder exits, even on
    kill -9, so a stale lock file never blocks anything.
    """
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another build is writing %s; waiting for it to finish", index_dir)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def build_running(index_dir: Path) -> bool:
    """Whether some process (or thread) holds the build lock right now."""
    import fcntl

    try:
        fd = os.open(index_dir / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def passages_sha(passages: list[Passage]) -> str:
    return hashlib.sha256("\n".join(p.sha for p in passages).encode()).hexdigest()


def vector_checksum(blob: bytes) -> str:
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def _damaged(e: sqlite3.DatabaseError) -> bool:
    """A damaged file (not a database, malformed), as opposed to a locked or read-only one."""
    return type(e) is sqlite3.DatabaseError or getattr(e, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT")


class EmbeddingCache:
    """Vectors by (model, content sha) in SQLite, float32 bytes with a per-row checksum.

    The cache verifies itself: a row whose length, dimension or checksum is off is
    dropped and re-embedded, and a file SQLite cannot read (a damaged header) is
    set aside and recreated, with a warning. It is only a cache: losing it costs
    time, never answers.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._open()
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise
            self._recreate(e)

    def _open(self) -> None:
        self.con = sqlite3.connect(self.path, check_same_thread=False)
        try:
            with self.con:
                self.con.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, sha TEXT, dim INTEGER, vec BLOB,"
                                 " checksum TEXT, PRIMARY KEY (model, sha))")
                columns = {r[1] for r in self.con.execute("PRAGMA table_info(vectors)")}
                if "checksum" not in columns:  # a cache from before checksums: rows are checked by shape
                    self.con.execute("ALTER TABLE vectors ADD COLUMN checksum TEXT")
        except BaseException:
            self.con.close()
            raise

    def _recreate(self, error: Exception) -> None:
        log.warning("embedding cache %s is damaged (%s); starting a new one", self.path.name, error)
        if getattr(self, "con", None) is not None:
            self.con.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self._open()

    def _verify(self, dim: int, blob, checksum: str | None, expected_dim: int | None) -> np.ndarray | None:
        if not isinstance(blob, bytes) or not isinstance(dim, int) or dim <= 0 or len(blob) != 4 * dim:
            return None
        if expected_dim is not None and dim != expected_dim:
            return None
        if checksum is not None and checksum != vector_checksum(blob):
            return None
        vec = np.frombuffer(blob, dtype=np.float32, count=dim)
        if not np.all(np.isfinite(vec)):
            return None
        if checksum is None:  # an old row: accept only a unit (or zero) vector, as embedders return
            norm = float(np.linalg.norm(vec))
            if norm != 0.0 and abs(norm - 1.0) > 1e-3:
                return None
        return vec

    def get(self, model: str, shas: list[str], dim: int | None = None) -> dict[str, np.ndarray]:
        """Verified vectors for the shas found; damaged rows are deleted (and so re-embedded)."""
        try:
            return self._get(model, shas, dim)
        except sqlite3.DatabaseError as e:  # damage past the header shows up on reading
            if not _damaged(e):
                raise
            self._recreate(e)
            return {}

    def _get(self, model: str, shas: list[str], dim: int | None) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        bad: list[str] = []
        for i in range(0, len(shas), 500):
            chunk = shas[i:i + 500]
            q = (f"SELECT sha, dim, CAST(vec AS BLOB), checksum FROM vectors WHERE model=? "  # a text vec is damage too
                 f"AND sha IN ({','.join('?' * len(chunk))})")
            for sha, d, vec, checksum in self.con.execute(q, (model, *chunk)):
                v = self._verify(d, vec, checksum, dim)
                if v is None:
                    bad.append(sha)
                else:
                    out[sha] = v
        if bad:
            log.warning("embedding cache: %d damaged rows dropped; they are embedded again", len(bad))
            with self.con:
                self.con.executemany("DELETE FROM vectors WHERE model=? AND sha=?", [(model, s) for s in bad])
        return out

    def put(self, model: str, items: dict[str, np.ndarray]) -> None:
        rows = []
        for sha, v in items.items():
            blob = np.ascontiguousarray(v, dtype=np.float32).tobytes()
            rows.append((model, sha, int(v.shape[0]), blob, vector_checksum(blob)))
        try:
            with self.con:
                self.con.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?,?)", rows)
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise
            self._recreate(e)
            with self.con:
                self.con.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?,?)", rows)

    def close(self) -> None:
        self.con.close()


def embed_passages(passages: list[Passage], embedder, cache: EmbeddingCache | None,
                   batch: int = 64, progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for every passage, from the cache where possible; returns (matrix, newly embedded)."""
    shas = [p.sha for p in passages]
    dim = embedder.dimension
    known = cache.get(embedder.name, shas, dim) if cache else {}
    todo = [p for p in passages if p.sha not in known]
    seen: set[str] = set()
    todo = [p for p in todo if not (p.sha in seen or seen.add(p.sha))]
    # Similar lengths share a batch: padding to the batch's longest text is most of the cost otherwise.
    todo.sort(key=lambda p: len(p.embed_text))
    for i in range(0, len(todo), batch):
        part = todo[i:i + batch]
        vecs = embedder.embed([p.embed_text for p in part])
        if vecs.shape != (len(part), dim):
            raise ValueError(f"embedder {embedder.name!r} returned {vecs.shape} vectors for {len(part)} texts "
                             f"of dimension {dim}")
        fresh = {p.sha: v for p, v in zip(part, vecs)}
        known.update(fresh)
        if cache:
            cache.put(embedder.name, fresh)
        if progress:
            progress(min(i + batch, len(todo)), len(todo))
    matrix = np.zeros((len(passages), dim), dtype=np.float32)
    for i, p in enumerate(passages):
        matrix[i] = known[p.sha]
    return matrix, len(todo)


def make_index(vectors: np.ndarray, kind: str = "auto"):
    """Exact inner-product search (vectors are normalised: cosine), HNSW past HNSW_FROM."""
    import faiss

    n, d = vectors.shape
    if kind == "auto":
        kind = "hnsw" if n >= HNSW_FROM else "flat"
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    else:
        raise ValueError(f"index kind {kind!r} is not one of 'auto', 'flat', 'hnsw'")
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def index_kind(index) -> str:
    return "hnsw" if "HNSW" in type(index).__name__ else "flat"


def search_index(index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k ids and scores for one query vector (ids -1 dropped)."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scores, ids = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
    keep = ids[0] >= 0
    return ids[0][keep], scores[0][keep]


def brute_force_topk(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The numpy oracle: exact inner-product top-k."""
    scores = vectors @ query.reshape(-1)
    order = np.argsort(-scores, kind="stable")[:k]
    return order, scores[order]


@dataclass(frozen=True)
class IndexManifest:
    format_version: int
    model: str
    dimension: int
    n_vectors: int
    faiss_type: str
    passages_sha: str
    store_sha256: str
    faiss_sha256: str
    reports: dict[str, str]  # doc_id -> sha256 of the report text
    built_at: str
    #: Corpus file name -> [size, mtime_ns, sha256] as the build found it: staleness without parsing.
    files: dict[str, list] = field(default_factory=dict)
    #: sha256 of the parsing/chunking/lexical code and data the build ran (rag/search/build_inputs.py: parser_sha).
    parser_sha: str = ""
    #: sha256 of lexical.npz (the persisted BM25 index and its term tables).
    lexical_sha256: str = ""

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)


def _atomic_tmp(path: Path) -> str:
    """A temporary name beside `path` in a build's own version folder (no other writer there); the
    file gets the umask's permissions, not mkstemp's 0600, so a reading service user can open it."""
    tmp = path.parent / f".{path.name}.tmp"
    tmp.unlink(missing_ok=True)
    return str(tmp)


def save_index(index, faiss_path: Path, manifest_path: Path, manifest: dict) -> IndexManifest:
    """Write the FAISS file, then the manifest (last, so a crash leaves a detectable mismatch)."""
    import faiss

    faiss_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _atomic_tmp(faiss_path)
    try:
        faiss.write_index(index, tmp)
        sha = file_sha256(Path(tmp))
        os.replace(tmp, faiss_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    m = IndexManifest(format_version=FORMAT_VERSION, faiss_sha256=sha, faiss_type=index_kind(index),
                      built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), **manifest)
    write_atomic(manifest_path, (m.to_json() + "\n").encode("utf-8"))
    return m


def read_manifest(manifest_path: Path) -> IndexManifest:
    if not manifest_path.exists():
        raise IndexMissing(f"no index manifest at {manifest_path}; run `python -m rag build`")
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        m = IndexManifest(**data)
    except (ValueError, TypeError) as e:
        raise IndexMismatch(f"{manifest_path.name} is corrupt ({e}); rebuild with `python -m rag build`") from None
    if m.format_version != FORMAT_VERSION:
        raise IndexMismatch(f"index format {m.format_version} is not the supported {FORMAT_VERSION}; rebuild")
    return m


def load_index(faiss_path: Path, manifest: IndexManifest, model: str, store_path: Path):
    """The FAISS index, refusing any mismatch with the manifest or the configured model."""
    import faiss

    if manifest.model != model:
        raise IndexMismatch(f"the index was built with model {manifest.model!r} but {model!r} is configured; "
                            "rebuild with `python -m rag build`")
    if not faiss_path.exists():
        raise IndexMissing(f"no FAISS file at {faiss_path}; run `python -m rag build`")
    if file_sha256(faiss_path) != manifest.faiss_sha256:
        raise IndexMismatch(f"{faiss_path.name} does not match its manifest (corrupt or partly written); rebuild")
    if file_sha256(store_path) != manifest.store_sha256:
        raise IndexMismatch(f"{store_path.name} does not match the index manifest; rebuild")
    try:
        index = faiss.read_index(str(faiss_path))
    except RuntimeError as e:
        raise IndexMismatch(f"{faiss_path.name} cannot be read by FAISS ({e}); rebuild") from None
    if index.ntotal != manifest.n_vectors or index.d != manifest.dimension:
        raise IndexMismatch(f"{faiss_path.name} holds {index.ntotal}×{index.d}, the manifest says "
                            f"{manifest.n_vectors}×{manifest.dimension}; rebuild")
    return index
