"""Issue 27: an index replaced whole. A build is killed after each of its write steps; each time the
last complete index still answers (writable, and on a read-only mount), and the next build completes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from rag.config import FAKE_MODEL, Config
from rag.engine import Engine, build_index, index_status, open_engine
from rag.search import versions
from rag.search.embedding import FakeEmbedder

from tests.conftest import CORPUS, ROOT
from tests.search.recording import RecordingEmbedder

SOLNA = "003_c2ca7959cafa510e.txt"
SUNDBYBERG = (CORPUS / SOLNA).read_bytes().replace("Solna".encode(), "Sundbyberg".encode())
QUESTION = "Hur stor var sjukfrånvaron i Solna 2023?"


class Killed(BaseException):
    """A kill -9 as the build sees it: nothing after the failing step runs (no cleanup either)."""


def versions_tree(index_dir) -> dict[str, bytes]:
    """Every file of the index folder: the pointer, every version's files, the embedding cache."""
    return {str(p.relative_to(index_dir)): p.read_bytes() for p in sorted(index_dir.rglob("*")) if p.is_file()}


def _can_mount_read_only() -> bool:
    if not shutil.which("unshare") or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null || exit 3; exit 0"],
                           capture_output=True)
    return probe.returncode == 0


READ_ONLY = _can_mount_read_only()

ANSWER_SCRIPT = """
import json, sys
from pathlib import Path
from rag.config import Config
from rag.engine import open_engine
from rag.search.embedding import FakeEmbedder
corpus, index, model, scorer = sys.argv[1:5]
cfg = Config(corpus_dir=Path(corpus), index_dir=Path(index), model=model, scorer_path=Path(scorer))
out = {}
for build in (False, True):
    engine = open_engine(cfg, FakeEmbedder(), build_if_needed=build)
    a = engine.ask("%s")
    out[str(build)] = {"reports": sorted(engine.reports), "answered": a.answered, "cited": len(a.citations)}
print(json.dumps(out))
""" % QUESTION


def answer_read_only(cfg: Config) -> dict:
    """Open and ask in a process that sees the index folder mounted read-only (EROFS on any write)."""
    idx = cfg.index_dir
    cmd = (f"mount --bind {idx} {idx} && mount -o remount,bind,ro {idx} && "
           f"exec {sys.executable} -c \"$0\" {cfg.corpus_dir} {idx} {FAKE_MODEL} {cfg.scorer_path}")
    out = subprocess.run(["unshare", "-m", "sh", "-c", cmd, ANSWER_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _after(real, step):
    def crashing(*args, **kwargs):
        real(*args, **kwargs)
        raise Killed(step)
    return crashing


def _before(step):
    def crashing(*args, **kwargs):
        raise Killed(step)
    return crashing


#: Each write step of a build, and whether the new version is current once the build dies there.
STEPS = {
    "store written": ("rag.engine.write_store", False),
    "lexical written": ("rag.engine.write_lexical", False),
    "faiss and manifest written": ("rag.engine.save_index", False),
    "label and sentence vectors written": ("rag.engine.write_text_vectors", False),
    "pointer written, not renamed": ("rag.search.versions._replace", False),
    "pointer renamed, not pruned": ("rag.search.versions.prune", True),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_build_killed_after_each_write_step_leaves_the_last_complete_index_answerable(
        step, corpus_copy, tmp_path, monkeypatch, fake_config):
    cfg = Config(corpus_dir=corpus_copy, index_dir=tmp_path / "index", model=FAKE_MODEL,
                 scorer_path=fake_config.scorer_path)  # a scorer fitted on the fake embedder's vectors
    build_index(cfg, FakeEmbedder())
    build_index(cfg, FakeEmbedder())  # two complete versions: the older one must survive the crash too
    (corpus_copy / "sundbyberg.txt").write_bytes(SUNDBYBERG)  # the next build adds a report
    target, switched = STEPS[step]
    module, name = target.rsplit(".", 1)
    real = getattr(sys.modules[module], name)
    with monkeypatch.context() as m:
        m.setattr("rag.engine._discard", lambda version: None)  # a killed build cleans nothing up
        m.setattr(target, _before(step) if name == "_replace" else _after(real, step))
        with pytest.raises(Killed):
            build_index(cfg, FakeEmbedder())
    assert not (cfg.index_dir / "manifest.json").exists()  # nothing written over in the flat layout

    before = versions_tree(cfg.index_dir)
    engine = open_engine(cfg, FakeEmbedder(), build_if_needed=False)
    answer = engine.ask(QUESTION)
    assert answer.answered and answer.citations
    assert ("sundbyberg" in engine.reports) is switched and len(engine.reports) == 5 + switched
    assert versions_tree(cfg.index_dir) == before  # answering wrote nothing into the index folder

    if READ_ONLY:
        seen = answer_read_only(cfg)
        for build in ("False", "True"):  # asked to build, it cannot write, and answers from the last index
            assert seen[build]["answered"] and seen[build]["cited"]
            assert ("sundbyberg" in seen[build]["reports"]) is switched
        assert versions_tree(cfg.index_dir) == before

    stats = build_index(cfg, FakeEmbedder())  # the next build completes and tidies up
    assert stats.reports == 6 and index_status(cfg) == ""
    assert "sundbyberg" in Engine(cfg, FakeEmbedder()).reports
    folders = sorted(p.name for p in cfg.index_dir.iterdir() if p.is_dir())
    assert len(folders) == 2 and cfg.index_files().folder.name == folders[-1]
    assert not (cfg.index_dir / "CURRENT.tmp").exists()


@pytest.mark.skipif(not READ_ONLY, reason="needs root and unshare to mount a folder read-only")
def test_a_read_only_mount_answers_and_is_not_written(corpus_copy, tmp_path, fake_config):
    cfg = Config(corpus_dir=corpus_copy, index_dir=tmp_path / "index", model=FAKE_MODEL,
                 scorer_path=fake_config.scorer_path)
    build_index(cfg, FakeEmbedder())
    seen = answer_read_only(cfg)
    assert seen["False"]["answered"] and seen["True"]["reports"] == seen["False"]["reports"]


def test_an_old_flat_index_is_read_then_replaced_cleanly(tmp_path):
    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path / "index", model=FAKE_MODEL)
    build_index(cfg, FakeEmbedder())
    folder = cfg.index_files().folder
    for name in versions.FILES:  # the layout before versions: the files directly in index/
        shutil.move(folder / name, cfg.index_dir / name)
    folder.rmdir()
    (cfg.index_dir / "CURRENT").unlink()
    assert cfg.index_files().folder == cfg.index_dir and index_status(cfg) == ""
    flat = Engine(cfg, FakeEmbedder())
    ids = [h.passage.id for h in flat.search(QUESTION)]

    build_index(cfg, FakeEmbedder())  # the flat files are now the previous version, kept
    assert (cfg.index_dir / "store.sqlite").exists() and cfg.index_files().folder != cfg.index_dir
    assert [h.passage.id for h in Engine(cfg, FakeEmbedder()).search(QUESTION)] == ids
    build_index(cfg, FakeEmbedder())  # two versions now: the flat files go
    assert not any((cfg.index_dir / name).exists() for name in versions.FILES)
    assert [h.passage.id for h in flat.search(QUESTION)] == ids  # an engine open on removed files still reads


@pytest.mark.parametrize("pointer", ["", "../../etc", "v-missing", "\udcff"])
def test_a_bad_pointer_is_reported_and_rebuilt(tmp_path, pointer):
    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path / "index", model=FAKE_MODEL)
    build_index(cfg, FakeEmbedder())
    (cfg.index_dir / "CURRENT").write_text(pointer, encoding="utf-8", errors="surrogateescape")
    assert index_status(cfg)  # no index where the pointer leads
    assert len(open_engine(cfg, FakeEmbedder()).passages) > 500
    assert (cfg.index_dir / "CURRENT").read_text().strip().startswith("v-")




def test_answering_reads_label_and_sentence_vectors_from_the_build_and_never_writes(tmp_path, fake_config):
    from rag.answer.evidence import answer_texts, row_label_vectors, warm_sentence_vectors

    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path / "index", model=FAKE_MODEL, scorer_path=fake_config.scorer_path)
    build_index(cfg, FakeEmbedder())
    before = versions_tree(cfg.index_dir)
    emb = RecordingEmbedder()  # label and sentence vectors must come from the build
    engine = open_engine(cfg, emb, build_if_needed=False)
    for q in (QUESTION, "Varför ökade kostnaderna för HVB-placeringar?", "försörjningsstöd hushåll Eskilstuna"):
        engine.ask(q)
    keys, matrix = row_label_vectors(engine)
    assert warm_sentence_vectors(engine) > 100 and len(keys) == len(matrix) > 100
    texts = answer_texts(engine)
    assert not set(emb.texts) & set(texts["label"] + texts["sentence"])  # none embedded again at question time
    expected = FakeEmbedder().embed(texts["sentence"][:5])
    got = engine.vectors.sentences(texts["sentence"][:5])
    assert np.allclose([got[s] for s in texts["sentence"][:5]], expected, atol=1e-6)
    new = engine.vectors.sentences(["En mening som ingen rapport innehåller."])  # embedded in memory only
    assert emb.texts[-1] == "En mening som ingen rapport innehåller." and len(new) == 1
    assert versions_tree(cfg.index_dir) == before


def test_a_damaged_vectors_file_costs_time_not_answers(tmp_path, fake_config, caplog):
    cfg = Config(corpus_dir=CORPUS, index_dir=tmp_path / "index", model=FAKE_MODEL, scorer_path=fake_config.scorer_path)
    build_index(cfg, FakeEmbedder())
    good = open_engine(cfg, FakeEmbedder(), build_if_needed=False).ask(QUESTION)
    path = cfg.index_files().vectors
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with caplog.at_level("WARNING", logger="rag.search.vectors"):
        answer = open_engine(cfg, FakeEmbedder(), build_if_needed=False).ask(QUESTION)
    assert "vectors.npz cannot be used" in caplog.text
    assert answer.answer == good.answer
