"""The engine, loaded once per process and shared by every visitor, and the page that shows its
progress while it loads (or the index is built)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import streamlit as st

from rag.answer.evidence import start_sentence_warming
from rag.config import Config
from rag.engine import index_status, open_engine
from rag.errors import RagError
from rag.ui.swedish import loading_note, progress_text, swedish_error

log = logging.getLogger("rag.app")


@dataclass
class EngineSlot:
    """The process-wide engine and the progress of loading it, seen by every visitor."""

    engine: object | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None
    stage: str = "Kontrollerar indexet"
    done: int = 0
    total: int = 0
    started: float = 0.0
    stage_started: float = 0.0
    error: str = ""
    warm_seconds: float = 0.0
    embedder: object | None = None  # kept across reloads (after an upload), so the model loads once


@st.cache_resource(show_spinner=False)
def engine_slot(key: str) -> EngineSlot:
    return EngineSlot()


def warm_up(engine) -> None:
    """Load the embedding model and the answer caches now, so the first question is as fast as the rest."""
    try:
        engine.embedder.embed(["värm upp"], query=True)
        engine.ask("Hur stor var sjukfrånvaron 2023?")
    except Exception:  # a failed warm-up only costs the first visitor time
        log.exception("warm-up failed")


def load_in_background(slot: EngineSlot, config: Config) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        if stage != slot.stage:
            slot.stage, slot.stage_started = stage, time.monotonic()
        slot.done, slot.total = done, total

    try:
        engine = open_engine(config, embedder=slot.embedder, progress=progress)
        slot.stage, slot.total = "Läser in språkmodellen", 0
        t0 = time.perf_counter()
        warm_up(engine)
        slot.warm_seconds = time.perf_counter() - t0
        log.info("engine ready; model loaded and warmed in %.1f s", slot.warm_seconds)
        slot.embedder = engine.embedder
        slot.engine = engine
        start_sentence_warming(engine)  # so that no question waits for its sentences to be embedded
    except RagError as e:
        log.error("cannot open the engine: %s", e)
        slot.error = swedish_error(e)
    except Exception as e:
        log.exception("cannot open the engine")
        slot.error = f"Ett internt fel inträffade ({type(e).__name__}); se serverloggen."


def start_loading(slot: EngineSlot, config: Config) -> None:
    with slot.lock:
        if slot.engine is None and (slot.thread is None or not slot.thread.is_alive()):
            slot.error, slot.stage, slot.done, slot.total = "", "Kontrollerar indexet", 0, 0
            slot.started = slot.stage_started = time.monotonic()
            slot.thread = threading.Thread(target=load_in_background, args=(slot, config), daemon=True,
                                           name="rag-engine-loader")
            slot.thread.start()


def index_state(config: Config) -> tuple[str, bool]:
    """Why the index must be (re)built ('' when it is current), and whether there is one at all."""
    try:
        return index_status(config), config.index_files().manifest.exists()
    except Exception:  # only the note depends on it; the loader reports real errors
        log.exception("cannot check the index")
        return "unknown", True


def get_engine(config: Config):
    """The shared engine; while it loads (or the index is built), every visitor sees the same progress."""
    slot = engine_slot(repr(config))
    if slot.engine is not None:
        return slot.engine
    start_loading(slot, config)
    box = st.empty()
    with box.container(), st.status("Förbereder rapporterna …", expanded=True) as status:
        st.caption(loading_note(*index_state(config)))
        bar = st.progress(0.0, text="Kontrollerar indexet …")
        while slot.engine is None and not slot.error and slot.thread is not None and slot.thread.is_alive():
            if slot.total:
                bar.progress(slot.done / slot.total, text=progress_text(slot.stage, slot.done, slot.total,
                                                                        time.monotonic() - slot.stage_started))
            else:
                bar.progress(0.0, text=f"{slot.stage} … ({time.monotonic() - slot.started:.0f} s)")
            time.sleep(0.3)
        if slot.engine is None:
            status.update(label="Rapporterna kunde inte läsas in", state="error")
            raise RagError(slot.error or "inläsningen avbröts")
        status.update(label="Klart", state="complete", expanded=False)
    box.empty()  # the progress gives way to the page
    return slot.engine
