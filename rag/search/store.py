"""The SQLite store: reports, sections, facts and passages (plain rows, no serialised Python objects).

A store is written whole into a new index version folder (rag/search/versions.py), so readers
see either the old corpus or the new one, never half of each.
Feedback lives in its own file so that rebuilding never loses it.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path

from ..ingest.parse import ParsedReport
from ..errors import IndexMismatch, IndexMissing
from ..models import Fact, Location, Passage, Report, Section

SCHEMA = """
CREATE TABLE reports (doc_id TEXT PRIMARY KEY, kommun TEXT, namnd TEXT, report_type TEXT, title TEXT,
                      period_start TEXT, period_end TEXT, source TEXT, sha256 TEXT);
CREATE TABLE sections (doc_id TEXT, ordinal INTEGER, heading TEXT, path TEXT, start_line INTEGER, end_line INTEGER);
CREATE TABLE facts (id INTEGER PRIMARY KEY, doc_id TEXT, kommun TEXT, period TEXT, section TEXT, caption TEXT,
                    tbl TEXT, row TEXT, col TEXT, value REAL, unit TEXT, raw TEXT, line INTEGER,
                    header_line INTEGER, row_text TEXT, header_text TEXT, page INTEGER DEFAULT 0,
                    place TEXT DEFAULT '');
CREATE TABLE passages (id INTEGER PRIMARY KEY, kind TEXT, text TEXT, header TEXT, context TEXT,
                       kommun TEXT, period TEXT, sha TEXT, locations TEXT);
CREATE INDEX facts_doc ON facts(doc_id);
"""

FEEDBACK_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, ts REAL, question TEXT, answer TEXT,
                                     rating INTEGER, comment TEXT);
"""


def write_store(path: Path, reports: list[ParsedReport], passages: list[Passage]) -> None:
    """Write the store under a temporary name in `path`'s folder (a build's own new version folder),
    then rename it; the file gets the umask's permissions, so a service user that only reads the
    index can open it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(path.parent / f".{path.name}.tmp")
    Path(tmp).unlink(missing_ok=True)
    try:
        con = sqlite3.connect(tmp)
        with con:
            con.executescript(SCHEMA)
            for p in reports:
                con.execute("INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?)", tuple(asdict(p.report).values()))
                con.executemany("INSERT INTO sections VALUES (?,?,?,?,?,?)", [
                    (s.doc_id, s.ordinal, s.heading, json.dumps(s.path, ensure_ascii=False), s.start_line, s.end_line)
                    for s in p.sections])
                con.executemany(
                    "INSERT INTO facts (doc_id, kommun, period, section, caption, tbl, row, col, value, unit, raw,"
                    " line, header_line, row_text, header_text, page, place)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [tuple(asdict(f).values()) for f in p.facts])
            con.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?)", [
                (q.id, q.kind, q.text, q.header, q.context, q.kommun, q.period, q.sha,
                 json.dumps([asdict(loc) for loc in q.locations], ensure_ascii=False))
                for q in passages])
        con.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """Read access to a built store."""

    def __init__(self, path: Path):
        if not path.exists():
            raise IndexMissing(f"no store at {path}; run `python -m rag build`")
        try:
            self.con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self.con.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as e:
            raise IndexMismatch(f"{path} is not a readable store ({e}); rebuild with `python -m rag build`") from None
        self.path = path

    def reports(self) -> list[Report]:
        rows = self.con.execute("SELECT * FROM reports ORDER BY period_end DESC, doc_id").fetchall()
        return [Report(*r) for r in rows]

    def sections(self, doc_id: str) -> list[Section]:
        rows = self.con.execute("SELECT * FROM sections WHERE doc_id=? ORDER BY ordinal", (doc_id,)).fetchall()
        return [Section(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5]) for r in rows]

    def facts(self, kommun: str | None = None) -> list[Fact]:
        sql = ("SELECT doc_id, kommun, period, section, caption, tbl, row, col, value, unit, raw, line,"
               " header_line, row_text, header_text, page, place FROM facts")
        args: tuple = ()
        if kommun:
            sql += " WHERE lower(kommun)=lower(?)"
            args = (kommun,)
        return [Fact(*r) for r in self.con.execute(sql + " ORDER BY id", args).fetchall()]

    def passages(self) -> list[Passage]:
        out = []
        for r in self.con.execute("SELECT * FROM passages ORDER BY id").fetchall():
            locs = tuple(Location(**d) for d in json.loads(r[8]))
            out.append(Passage(r[0], r[1], r[2], r[3], locs, r[5], r[6], r[7], r[4]))
        return out

    def close(self) -> None:
        self.con.close()


def add_feedback(path: Path, question: str, answer: dict, rating: int, comment: str = "") -> int:
    """Append one rating of an answer; the file is never rewritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    try:
        with con:
            con.executescript(FEEDBACK_SCHEMA)
            cur = con.execute("INSERT INTO feedback (ts, question, answer, rating, comment) VALUES (?,?,?,?,?)",
                              (time.time(), question, json.dumps(answer, ensure_ascii=False), int(rating), comment))
            return int(cur.lastrowid)
    finally:
        con.close()


def update_feedback(path: Path, row_id: int, rating: int | None = None, comment: str | None = None) -> None:
    """Change one answer's rating (None: withdrawn, stored as 0) and/or its comment, so a changed
    mind is one row, not two."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.executescript(FEEDBACK_SCHEMA)
            cur = con.execute("UPDATE feedback SET rating = ?, ts = ? WHERE id = ?",
                              (int(rating or 0), time.time(), int(row_id)))
            if cur.rowcount != 1:
                raise ValueError(f"no feedback row {row_id!r} in {path.name}")
            if comment is not None:
                con.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, int(row_id)))
    finally:
        con.close()


def list_feedback(path: Path) -> list[dict]:
    if not path.exists():
        return []
    con = sqlite3.connect(path)
    try:
        con.executescript(FEEDBACK_SCHEMA)
        rows = con.execute("SELECT id, ts, question, answer, rating, comment FROM feedback ORDER BY id").fetchall()
    finally:
        con.close()
    return [{"id": r[0], "ts": r[1], "question": r[2], "answer": json.loads(r[3]), "rating": r[4], "comment": r[5]}
            for r in rows]
