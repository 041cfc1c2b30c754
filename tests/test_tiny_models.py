"""The tiny offline models of tests/tiny_models.py load and generate like real checkpoints."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from tests.tiny_models import (
    CHECK_SENTENCE,
    GEN_MAX_LENGTH,
    MAX_POSITIONS,
    NLLB_CODES,
    build_all,
    build_bart,
    build_marian,
    seed_lines,
    single_thread,
)

BATCH = [CHECK_SENTENCE, "Xi hails uniqueness of China-Kazakhstan partnership at the SCO summit in Astana."]
VARIED = [line for line in seed_lines(extra=False) if 40 < len(line) < 300][:6]
NEW_TOKENS = 10


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    with single_thread():
        yield


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_all(tmp_path_factory.mktemp("tiny-models"))


def load(path):
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSeq2SeqLM.from_pretrained(path).eval()
    return tok, model


def forced_bos(key, tok):
    if key == "kk":
        return {"forced_bos_token_id": tok.get_lang_id("kk")}
    if key == "kk_nllb":
        return {"forced_bos_token_id": tok.convert_tokens_to_ids("kaz_Cyrl")}
    return {}


def generate(model, tok, texts, **kwargs):
    if ">>cmn_Hans<<" in getattr(tok, "supported_language_codes", []):
        texts = [f">>cmn_Hans<< {text}" for text in texts]  # as the job does for Marian multi-target
    batch = tok(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        return model.generate(**batch, max_new_tokens=NEW_TOKENS, **kwargs)


def test_build_all_keys(tiny):
    assert set(tiny) == {"ru", "zh", "kk", "kk_nllb", "summary"}
    for path in tiny.values():
        assert (path / "config.json").is_file()
        assert (path / "generation_config.json").is_file()


EXPECTED_CLASSES = {
    "ru": ("MarianTokenizer", "MarianMTModel"),
    "zh": ("MarianTokenizer", "MarianMTModel"),
    "kk": ("M2M100Tokenizer", "M2M100ForConditionalGeneration"),
    "kk_nllb": ("NllbTokenizer", "M2M100ForConditionalGeneration"),
    "summary": ("RobertaTokenizer", "BartForConditionalGeneration"),  # v5: BartTokenizer is RobertaTokenizer
}


@pytest.mark.parametrize("key", sorted(EXPECTED_CLASSES))
def test_reload_through_auto_classes(tiny, key):
    tok, model = load(tiny[key])
    tok_cls, model_cls = EXPECTED_CLASSES[key]
    assert type(tok).__name__ == tok_cls
    assert type(model).__name__ == model_cls
    assert 500 < len(tok) <= model.config.vocab_size
    ids = tok(CHECK_SENTENCE, add_special_tokens=False)["input_ids"]
    assert len(ids) >= 4
    assert sum(i == tok.unk_token_id for i in ids) == 0, tok.convert_ids_to_tokens(ids)
    assert tok.model_max_length == MAX_POSITIONS
    assert model.config.max_position_embeddings == MAX_POSITIONS
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params < 1_000_000, n_params
    gc = model.generation_config
    assert gc.num_beams == 1 and not gc.do_sample and gc.max_length == GEN_MAX_LENGTH
    assert gc.decoder_start_token_id == model.config.decoder_start_token_id
    assert gc.eos_token_id == tok.eos_token_id == model.config.eos_token_id
    assert gc.pad_token_id == tok.pad_token_id == model.config.pad_token_id


@pytest.mark.parametrize("key", sorted(EXPECTED_CLASSES))
def test_generate_padded_batch(tiny, key):
    tok, model = load(tiny[key])
    kwargs = forced_bos(key, tok)
    out = generate(model, tok, BATCH, **kwargs)
    # EOS is biased away, so generation runs to max_new_tokens: bounded and never empty.
    assert out.shape == (2, 1 + NEW_TOKENS)
    assert (out[:, 0] == model.config.decoder_start_token_id).all()
    texts = tok.batch_decode(out, skip_special_tokens=True)
    assert all(isinstance(t, str) and t.strip() for t in texts), texts
    # Padding does not change a row's output.
    singles = [generate(model, tok, [text], **kwargs)[0] for text in BATCH]
    for row, single in zip(out, singles):
        assert row.tolist() == single.tolist()
    # Greedy and deterministic.
    assert torch.equal(out, generate(model, tok, BATCH, **kwargs))


@pytest.mark.parametrize("key", sorted(EXPECTED_CLASSES))
def test_output_depends_on_input(tiny, key):
    """The models are random, but not input-blind: different articles give different texts."""
    tok, model = load(tiny[key])
    kwargs = forced_bos(key, tok)
    batch = tok(BATCH, return_tensors="pt", padding=True)
    start = torch.full((2, 1), model.config.decoder_start_token_id)
    with torch.no_grad():
        logits = model(**batch, decoder_input_ids=start).logits[:, -1]
    assert not torch.allclose(logits[0], logits[1])
    texts = tok.batch_decode(generate(model, tok, VARIED, **kwargs), skip_special_tokens=True)
    assert len(set(texts)) >= len(VARIED) - 2, texts


def test_default_generation_is_bounded(tiny):
    tok, model = load(tiny["ru"])
    with torch.no_grad():
        out = model.generate(**tok([CHECK_SENTENCE], return_tensors="pt"))
    assert out.shape[1] == GEN_MAX_LENGTH
    assert tok.decode(out[0], skip_special_tokens=True).strip()


def test_marian_target_token_is_one_id(tiny):
    tok, _ = load(tiny["zh"])
    token = ">>cmn_Hans<<"
    token_id = tok.convert_tokens_to_ids(token)
    assert token_id != tok.unk_token_id
    assert token in tok.supported_language_codes
    assert tok(token, add_special_tokens=False)["input_ids"] == [token_id]
    ids = tok(f"{token} {CHECK_SENTENCE}")["input_ids"]
    assert ids[0] == token_id and ids[-1] == tok.eos_token_id
    assert tok.unk_token_id not in ids
    # ru is a single-target model: no language tokens at all.
    ru_tok, _ = load(tiny["ru"])
    assert ru_tok.supported_language_codes == []


def test_marian_kazakh_target_token(tmp_path):
    path = build_marian(tmp_path / "marian-kk", target_tokens=(">>kaz_Cyrl<<", ">>rus<<"))
    tok, _ = load(path)
    for token in (">>kaz_Cyrl<<", ">>rus<<"):
        ids = tok(f"{token} {CHECK_SENTENCE}")["input_ids"]
        assert ids[0] == tok.convert_tokens_to_ids(token) != tok.unk_token_id


def test_m2m100_language_codes_and_forced_bos(tiny):
    tok, model = load(tiny["kk"])
    lang_ids = {code: tok.get_lang_id(code) for code in ("en", "ru", "kk", "zh")}
    assert len(set(lang_ids.values())) == 4
    for code, lang_id in lang_ids.items():
        assert tok.convert_ids_to_tokens(lang_id) == f"__{code}__"
        assert lang_id < len(tok)
    tok.src_lang = "en"
    ids = tok(CHECK_SENTENCE)["input_ids"]
    assert ids[0] == lang_ids["en"] and ids[-1] == tok.eos_token_id
    out = generate(model, tok, BATCH, forced_bos_token_id=lang_ids["kk"])
    assert (out[:, 0] == model.config.decoder_start_token_id).all()
    assert (out[:, 1] == lang_ids["kk"]).all()
    assert "__kk__" not in tok.batch_decode(out, skip_special_tokens=True)[0]
    out_ru = generate(model, tok, BATCH, forced_bos_token_id=lang_ids["ru"])
    assert (out_ru[:, 1] == lang_ids["ru"]).all()


def test_nllb_language_codes_and_forced_bos(tiny):
    tok, model = load(tiny["kk_nllb"])
    ids = {code: tok.convert_tokens_to_ids(code) for code in NLLB_CODES}
    assert tok.unk_token_id not in ids.values() and len(set(ids.values())) == len(NLLB_CODES)
    tok.src_lang = "eng_Latn"
    enc = tok(CHECK_SENTENCE)["input_ids"]
    assert enc[0] == ids["eng_Latn"] and enc[-1] == tok.eos_token_id
    out = generate(model, tok, BATCH, forced_bos_token_id=ids["kaz_Cyrl"])
    assert (out[:, 1] == ids["kaz_Cyrl"]).all()
    assert "kaz_Cyrl" not in tok.batch_decode(out, skip_special_tokens=True)[0]


def test_bart_window_is_small(tiny, tmp_path):
    tok, model = load(tiny["summary"])
    assert tok.model_max_length == 256 == model.config.max_position_embeddings
    path = build_bart(tmp_path / "bart-64", max_positions=64)
    tok64, model64 = load(path)
    assert tok64.model_max_length == 64 == model64.config.max_position_embeddings
    long_text = " ".join([CHECK_SENTENCE] * 40)
    assert len(tok64(long_text)["input_ids"]) > 64  # a long article really exceeds the window


def test_builds_are_deterministic(tmp_path):
    a = build_marian(tmp_path / "a")
    b = build_marian(tmp_path / "b")
    assert (a / "vocab.json").read_text() == (b / "vocab.json").read_text()
    ma = AutoModelForSeq2SeqLM.from_pretrained(a).state_dict()
    mb = AutoModelForSeq2SeqLM.from_pretrained(b).state_dict()
    assert ma.keys() == mb.keys()
    assert all(torch.equal(ma[k], mb[k]) for k in ma)
