"""An index replaced whole: each build writes a new version folder (`index/v-<ns>/`) and then
switches one pointer file, `index/CURRENT`, with a rename.

Why: a build that writes its files one by one over the old ones can be killed between two of
them, and then no complete index is left (and a read-only folder cannot be repaired by the next
question). Here the old version is untouched until the pointer names the new one, and a rename
is atomic, so a reader sees either the old version or the new one, never a mix; a crash at any
step leaves the last complete version answerable. An index folder without `CURRENT` is the old
flat layout (files directly in the folder) and is read as one version.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

POINTER = "CURRENT"
PREFIX = "v-"
#: The files of one version (the embedding cache, the feedback and the build lock stay at the top).
FILES = ("store.sqlite", "passages.faiss", "lexical.npz", "manifest.json", "vectors.npz")
#: Complete versions kept: the current one and the one before it (a reader that opened the previous
#: one just before a switch keeps its files).
KEEP = 2


@dataclass(frozen=True)
class IndexFiles:
    """The paths of one version, resolved once so that every file a reader opens is of that version."""
    folder: Path

    @property
    def store(self) -> Path:
        return self.folder / "store.sqlite"

    @property
    def faiss(self) -> Path:
        return self.folder / "passages.faiss"

    @property
    def lexical(self) -> Path:
        return self.folder / "lexical.npz"

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def vectors(self) -> Path:
        """Row-label and sentence vectors computed at build time (absent in an index from before them)."""
        return self.folder / "vectors.npz"


def _valid_name(name: str) -> bool:
    return name.startswith(PREFIX) and "/" not in name and "\0" not in name and name not in (".", "..")


def current_folder(index_dir: Path) -> Path:
    """The folder `CURRENT` names; the index folder itself when there is no pointer (the flat
    layout), or when the pointer cannot be read (then the readers report what is missing)."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return index_dir
    except (OSError, UnicodeDecodeError) as e:
        log.warning("index pointer %s cannot be read (%s)", index_dir / POINTER, e)
        return index_dir
    if not _valid_name(name):
        log.warning("index pointer %s names %r, not a version folder", index_dir / POINTER, name[:80])
        return index_dir
    return index_dir / name


def current(index_dir: Path) -> IndexFiles:
    return IndexFiles(current_folder(index_dir))


def new_version(index_dir: Path) -> IndexFiles:
    """A new empty version folder, named so that names sort by creation time."""
    index_dir.mkdir(parents=True, exist_ok=True)
    while True:
        folder = index_dir / f"{PREFIX}{time.time_ns():020d}"
        try:
            folder.mkdir()
            return IndexFiles(folder)
        except FileExistsError:
            continue


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(src: Path, dst: Path) -> None:
    """os.replace, on its own so that a test can crash a build exactly here."""
    os.replace(src, dst)


def publish(version: IndexFiles) -> None:
    """Make `version` the current one: its files are synced, then `CURRENT.tmp` is written and renamed
    over `CURRENT` (one atomic step), then the folder entry is synced."""
    for name in FILES:
        with open(version.folder / name, "rb") as f:  # every file, vectors.npz included, before the switch
            os.fsync(f.fileno())
    _fsync_dir(version.folder)
    index_dir = version.folder.parent
    tmp = index_dir / f"{POINTER}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(version.folder.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    _replace(tmp, index_dir / POINTER)
    _fsync_dir(index_dir)


def discard(version: IndexFiles) -> None:
    """Remove a version a failed build left unfinished (never the current one)."""
    if version.folder != current_folder(version.folder.parent):
        shutil.rmtree(version.folder, ignore_errors=True)


def prune(index_dir: Path, keep: int = KEEP) -> None:
    """Remove all but the current version and the newest complete ones before it (`keep` in all):
    unfinished folders of crashed builds, older versions and the old flat files. Run only under
    the build lock, so no folder removed here is one a build is still writing."""
    now = current_folder(index_dir)
    if now == index_dir:
        return
    versions = sorted((p for p in index_dir.iterdir() if p.is_dir() and _valid_name(p.name)), key=lambda p: p.name)
    kept = [now]
    for p in reversed(versions):
        if len(kept) < keep and p.name < now.name and (p / "manifest.json").is_file():
            kept.append(p)
    for p in versions:
        if p not in kept:
            shutil.rmtree(p, ignore_errors=True)
    if len(kept) >= keep:  # the flat files are older than every version: the oldest is dropped first
        for name in FILES:
            (index_dir / name).unlink(missing_ok=True)
    (index_dir / f"{POINTER}.tmp").unlink(missing_ok=True)
