"""Tiny, randomly initialised seq2seq models of the real architectures, for offline tests.

Every builder trains its tokenizer locally on ``seeds/international-news.txt`` (plus a
handful of fixed Russian / Kazakh / Chinese lines, so target-side scripts are not all
``<unk>``), builds a randomly initialised model of the real architecture, and writes both
with ``save_pretrained`` into one folder.  The folder loads back through the ordinary
``AutoTokenizer.from_pretrained(dir)`` / ``AutoModelForSeq2SeqLM.from_pretrained(dir)``
path, exactly like a hub checkpoint, with no network access.

Builders (each returns the folder as a ``Path``):

* ``build_marian(path, target_tokens=())`` -- ``MarianMTModel`` + ``MarianTokenizer``
  (``source.spm`` / ``target.spm`` unigram sentencepiece models + ``vocab.json``).  Like
  Helsinki-NLP/opus-mt: ``</s>``=0, ``<unk>``=1, ``<pad>`` = last id = decoder start
  token; shared source/target vocab.  ``target_tokens`` such as ``">>cmn_Hans<<"`` are put
  in ``vocab.json`` (right after ``<unk>``) so that a source text starting with the token
  gets it as one id, as multi-target Marian models expect.
* ``build_m2m100(path)`` -- ``M2M100ForConditionalGeneration`` + ``M2M100Tokenizer``
  (``sentencepiece.bpe.model`` BPE + ``vocab.json``), with the 100 fairseq m2m100 language
  codes (``__en__``, ``__ru__``, ``__kk__``, ``__zh__``, ...).  Target language: pass
  ``forced_bos_token_id=tokenizer.get_lang_id("kk")`` to ``generate``.  v5 quirk: the
  tokenizer only registers the ``__xx__`` tokens as special tokens when they come in as
  ``additional_special_tokens`` (as from the real tokenizer_config.json); otherwise
  ``len(tokenizer)`` leaves them out and ``decode(skip_special_tokens=True)`` keeps
  ``__kk__`` in the text.  The builder passes them.
* ``build_nllb(path)`` -- NLLB-style: ``M2M100ForConditionalGeneration`` + ``NllbTokenizer``
  (in transformers v5 a tokenizers-backed BPE class fed with ``vocab=``/``merges=``), with
  the 202 FLORES codes (``eng_Latn``, ``rus_Cyrl``, ``kaz_Cyrl``, ``zho_Hans``, ...) as
  special tokens.  Target language: ``forced_bos_token_id =
  tokenizer.convert_tokens_to_ids("kaz_Cyrl")``.
* ``build_bart(path, max_positions=256)`` -- ``BartForConditionalGeneration`` + byte-level
  BPE (``ByteLevelBPETokenizer`` from ``tokenizers``; v5 loads it back as
  ``RobertaTokenizer`` == ``BartTokenizer``).  ``max_positions`` sets both
  ``config.max_position_embeddings`` and ``tokenizer.model_max_length``.
* ``build_all(root)`` -- ``{"ru", "zh", "kk", "kk_nllb", "summary"}`` -> folders.

Model sizes: d_model 64, 2 encoder + 2 decoder layers, 4 heads, FFN 128, dropout 0,
``init_std`` 0.5 (see below); ``max_position_embeddings`` 256 for Marian / M2M100 / NLLB
(tokenizer ``model_max_length`` 256), ``max_positions`` for BART.  Vocabularies (``len(tokenizer)``):
Marian 1200 (+1 per target token), M2M100 1201 + 100 language codes = 1301 (model
embedding 1309: + the 8 "madeup words", like the real checkpoints), NLLB 1200 +
``<mask>`` + 202 codes = 1403 (``<mask>`` comes before the codes, unlike real NLLB),
BART 1500.  Parameters: 0.28 M (Marian, BART) to 0.53 M (NLLB).  Weights come from ``torch.manual_seed(SEED)``: the same build gives the same
model, bit for bit.

Inputs longer than the window: Marian (static sinusoidal table) and BART (learned
positions) raise ``IndexError`` in ``generate`` -- a truncation / chunking bug in the job
shows up loudly; M2M100 / NLLB sinusoidal positions grow on demand, so they do not.

``init_std`` is 0.5 instead of the usual 0.02: with tiny random weights at 0.02 every
input gives the same output, at 0.5 cross-attention matters and different inputs give
different outputs (useful to catch batches put back in the wrong order).  Outputs are
random subword salad, often repeating one piece.

``single_thread()`` is a context manager setting ``torch.set_num_threads(1)``: these
models are too small for intra-op threads, and on 2 shared cores 2 threads made the test
file ~4x slower.

Keeping generation non-empty and bounded: a random model tends to emit EOS at once (empty
output) or never.  So the models are made unable to *choose* a special token: a large
negative logit bias (``SPECIAL_BIAS`` = -1000) is put on every special token (eos, pad, bos,
unk, mask, language codes), and generation then always runs to ``max_new_tokens`` /
``max_length`` (default ``generation_config.max_length`` = 64) with a non-empty text.
Forced tokens still work: ``ForcedBOSLogitsProcessor`` / ``ForcedEOSLogitsProcessor``
overwrite the scores, so ``forced_bos_token_id`` puts the language code first.

* Marian and BART have a ``final_logits_bias`` buffer (saved in the checkpoint): the bias
  is written there.
* M2M100 has no logits bias and ties ``lm_head`` to the input embeddings, so the M2M100 /
  NLLB models are saved with ``tie_word_embeddings=False``; one hidden dimension ``k`` of
  the decoder's final LayerNorm is pinned to the constant 1 (weight 0, bias 1), the
  untied ``lm_head`` column ``k`` is zero except ``SPECIAL_BIAS`` on the special rows.  That
  is an exact per-token logit bias.

Generation config: greedy (``num_beams=1``, ``do_sample=False``), ``max_length=64``, ids
consistent with the tokenizer; Marian and BART also carry ``forced_eos_token_id`` like the
real checkpoints (the last position is EOS when ``max_length`` is reached), BART carries
``forced_bos_token_id=0`` like bart-large-cnn.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

import sentencepiece as spm
import torch

SEED_TEXT = Path(__file__).parents[1] / "seeds" / "international-news.txt"
SEED = 1234
MAX_POSITIONS = 256
SPECIAL_BIAS = -1000.0
INIT_STD = 0.5
GEN_MAX_LENGTH = 64
CHECK_SENTENCE = "The Chinese president visited Kazakhstan."

TINY = dict(
    d_model=64,
    encoder_layers=2,
    decoder_layers=2,
    encoder_attention_heads=4,
    decoder_attention_heads=4,
    encoder_ffn_dim=128,
    decoder_ffn_dim=128,
    dropout=0.0,
    attention_dropout=0.0,
    activation_dropout=0.0,
    # Much larger than the usual 0.02: with tiny random weights every input gives the same
    # output; at this scale cross-attention matters and different inputs give different texts.
    init_std=INIT_STD,
)

# A few target-language lines so the translation tokenizers know Cyrillic / Kazakh / CJK
# characters (the seed text is English only).
EXTRA_LINES = [
    "Председатель КНР Си Цзиньпин прибыл в Астану с государственным визитом.",
    "Китай и Казахстан связывает давняя традиция дружбы.",
    "Шанхайская организация сотрудничества провела саммит в Астане.",
    "ҚХР Төрағасы Си Цзиньпин мемлекеттік сапармен Астанаға келді.",
    "Қытай мен Қазақстан арасындағы достық ұзақ дәстүрге ие.",
    "Шанхай ынтымақтастық ұйымының саммиті Астанада өтті.",
    "中国国家主席习近平抵达阿斯塔纳进行国事访问。",
    "中国和哈萨克斯坦有着悠久的友好传统。",
    "上海合作组织峰会在阿斯塔纳举行。",
]


# --------------------------------------------------------------------------- helpers


def seed_lines(extra: bool = True) -> list[str]:
    """Non-empty, stripped lines of the seed text (bullets removed), plus EXTRA_LINES."""
    lines = []
    for raw in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip("•").strip()
        if line:
            lines.append(line)
    if extra:
        lines.extend(EXTRA_LINES)
    return lines


def _train_spm(model_type: str, vocab_size: int, lines: list[str]) -> bytes:
    """Train a sentencepiece model in memory and return its serialized proto."""
    writer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=writer,
        model_type=model_type,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=2,
        minloglevel=2,
    )
    return writer.getvalue()


def _pieces(proto: bytes) -> list[str]:
    """Normal (non-control, non-unk) pieces of a sentencepiece model, in id order."""
    sp = spm.SentencePieceProcessor(model_proto=proto)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))]


def _fresh_dir(path) -> Path:
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


@contextlib.contextmanager
def single_thread():
    """Run torch on one intra-op thread, restoring the old setting afterwards.

    The models are so small that extra threads only add overhead, and when the 2 CPU cores
    are shared with another busy process, 2 torch threads make generate() about 4x slower
    (measured: this test file 44 s with 2 threads, 11 s with 1).
    """
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _special_ids(tok) -> list[int]:
    ids = set(tok.all_special_ids)
    ids.discard(None)
    return sorted(ids)


def _bias_final_logits(model, token_ids) -> None:
    """Marian / BART: put SPECIAL_BIAS on ``final_logits_bias`` for the given tokens."""
    with torch.no_grad():
        model.final_logits_bias.zero_()
        model.final_logits_bias[0, list(token_ids)] = SPECIAL_BIAS


def _bias_m2m100_lm_head(model, token_ids) -> None:
    """M2M100 (untied lm_head): hidden dim 0 of the decoder output is pinned to 1, and the
    lm_head column 0 carries the bias, which makes an exact per-token logit bias."""
    k = 0
    with torch.no_grad():
        ln = model.model.decoder.layer_norm
        ln.weight[k] = 0.0
        ln.bias[k] = 1.0
        model.lm_head.weight[:, k] = 0.0
        model.lm_head.weight[list(token_ids), k] = SPECIAL_BIAS


def _mostly_known(tok, text: str = CHECK_SENTENCE) -> None:
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert ids, f"{type(tok).__name__} encoded {text!r} to nothing"
    unk = sum(1 for i in ids if i == tok.unk_token_id)
    assert unk <= len(ids) // 4, f"{type(tok).__name__}: {unk}/{len(ids)} unk ids for {text!r}: {ids}"


def verify(path, expected_len: int | None = None, **generate_kwargs):
    """Reload ``path`` through the Auto classes and check tokenizer and generate().

    Returns ``(tokenizer, model)``.
    """
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    assert len(tok) > 500, f"{path}: tokenizer has only {len(tok)} entries"
    if expected_len is not None:
        assert len(tok) == expected_len, f"{path}: len(tokenizer) {len(tok)} != {expected_len}"
    _mostly_known(tok)
    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    model.eval()
    assert model.config.vocab_size >= len(tok), (model.config.vocab_size, len(tok))
    batch = tok([CHECK_SENTENCE], return_tensors="pt")
    with torch.no_grad(), single_thread():
        out = model.generate(**batch, max_new_tokens=8, **generate_kwargs)
    text = tok.batch_decode(out, skip_special_tokens=True)[0]
    assert isinstance(text, str) and text.strip(), f"{path}: empty generation {out.tolist()}"
    return tok, model


# --------------------------------------------------------------------------- Marian


def build_marian(path, target_tokens=(), vocab_size: int = 1200) -> Path:
    """MarianMTModel + MarianTokenizer, like Helsinki-NLP/opus-mt-en-xx (shared vocab)."""
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    path = _fresh_dir(path)
    target_tokens = tuple(target_tokens)
    proto = _train_spm("unigram", vocab_size, seed_lines())
    (path / "source.spm").write_bytes(proto)
    (path / "target.spm").write_bytes(proto)

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for t in target_tokens:
        assert t.startswith(">>") and t.endswith("<<"), f"not a Marian target token: {t!r}"
        vocab.setdefault(t, len(vocab))
    for piece in _pieces(proto):
        vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    (path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")

    tok = MarianTokenizer(
        source_spm=str(path / "source.spm"),
        target_spm=str(path / "target.spm"),
        vocab=str(path / "vocab.json"),
        source_lang="en",
        model_max_length=MAX_POSITIONS,
    )
    n = len(vocab)
    assert len(tok) == n, (len(tok), n)
    pad, eos, unk = tok.pad_token_id, tok.eos_token_id, tok.unk_token_id
    assert (pad, eos, unk) == (n - 1, 0, 1), (pad, eos, unk)

    torch.manual_seed(SEED)
    config = MarianConfig(
        vocab_size=n,
        decoder_vocab_size=n,
        max_position_embeddings=MAX_POSITIONS,
        pad_token_id=pad,
        eos_token_id=eos,
        bos_token_id=eos,
        decoder_start_token_id=pad,
        forced_eos_token_id=eos,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        activation_function="swish",
        **TINY,
    )
    model = MarianMTModel(config)
    # Same bias on every special token (eos, pad, unk) as the real models' bad_words_ids=[[pad]]
    # and more; the target-language tokens are source-side only, so bias them too.
    _bias_final_logits(model, {pad, eos, unk, *(vocab[t] for t in target_tokens)})
    model.generation_config = GenerationConfig(
        decoder_start_token_id=pad,
        pad_token_id=pad,
        eos_token_id=eos,
        bos_token_id=eos,
        forced_eos_token_id=eos,
        max_length=GEN_MAX_LENGTH,
        num_beams=1,
        do_sample=False,
    )
    model.save_pretrained(path)
    tok.save_pretrained(path)

    tok2, _ = verify(path, expected_len=n)
    for t in target_tokens:
        ids = tok2(f"{t} {CHECK_SENTENCE}")["input_ids"]
        assert ids[0] == vocab[t], (t, ids)
        assert tok2.convert_tokens_to_ids(t) == vocab[t] != unk
        assert tok2(t, add_special_tokens=False)["input_ids"] == [vocab[t]], t
    return path


# --------------------------------------------------------------------------- M2M100


def build_m2m100(path, vocab_size: int = 1200) -> Path:
    """M2M100ForConditionalGeneration + M2M100Tokenizer with the 100 m2m100 language codes."""
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    path = _fresh_dir(path)
    proto = _train_spm("bpe", vocab_size, seed_lines())
    (path / "sentencepiece.bpe.model").write_bytes(proto)
    vocab: dict[str, int] = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in _pieces(proto):
        vocab.setdefault(piece, len(vocab))
    (path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")

    # v5 quirk: M2M100Tokenizer.__init__ never registers the language tokens itself (its
    # chained ``lang_code not in str(token) not in ...`` test is always False), so, like the
    # real facebook/m2m100 tokenizer_config.json, pass them as additional special tokens.
    # They then get ids len(vocab) + i == tokenizer.get_lang_id(code), count in len(tok), and
    # are skipped by decode(skip_special_tokens=True).
    lang_tokens = [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]
    tok = M2M100Tokenizer(
        vocab_file=str(path / "vocab.json"),
        spm_file=str(path / "sentencepiece.bpe.model"),
        src_lang="en",
        model_max_length=MAX_POSITIONS,
        additional_special_tokens=lang_tokens,
    )
    n = len(tok)
    assert n == len(vocab) + len(lang_tokens), (n, len(vocab))
    for code in ("en", "ru", "kk", "zh"):
        lang_id = tok.get_lang_id(code)
        assert lang_id >= len(vocab) and tok.convert_tokens_to_ids(f"__{code}__") == lang_id, code
        assert tok.convert_ids_to_tokens(lang_id) == f"__{code}__", code
    # Like the real checkpoints, the embedding also covers the tokenizer's "madeup words".
    model_vocab = n + tok.num_madeup_words
    bos, pad, eos, unk = tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id
    assert (bos, pad, eos, unk) == (0, 1, 2, 3), (bos, pad, eos, unk)

    torch.manual_seed(SEED)
    config = M2M100Config(
        vocab_size=model_vocab,
        max_position_embeddings=MAX_POSITIONS,
        bos_token_id=bos,
        pad_token_id=pad,
        eos_token_id=eos,
        decoder_start_token_id=eos,
        scale_embedding=True,
        tie_word_embeddings=False,
        activation_function="relu",
        **TINY,
    )
    model = M2M100ForConditionalGeneration(config)
    _bias_m2m100_lm_head(model, set(_special_ids(tok)) | set(tok.lang_code_to_id.values()) | set(range(n, model_vocab)))
    model.generation_config = GenerationConfig(
        decoder_start_token_id=eos,
        bos_token_id=bos,
        pad_token_id=pad,
        eos_token_id=eos,
        max_length=GEN_MAX_LENGTH,
        num_beams=1,
        do_sample=False,
    )
    model.save_pretrained(path)
    tok.save_pretrained(path)

    tok2, _ = verify(path, expected_len=n, forced_bos_token_id=tok.get_lang_id("kk"))
    tok2.src_lang = "en"
    assert tok2(CHECK_SENTENCE)["input_ids"][0] == tok2.get_lang_id("en")
    return path


# --------------------------------------------------------------------------- NLLB

NLLB_CODES = ("eng_Latn", "rus_Cyrl", "kaz_Cyrl", "zho_Hans")


def build_nllb(path, vocab_size: int = 1200) -> Path:
    """NLLB-style: M2M100ForConditionalGeneration + NllbTokenizer (BPE, v5 tokenizers backend)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer

    path = _fresh_dir(path)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    bpe = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bpe.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False)
    bpe.train_from_iterator(seed_lines(), trainer=trainer)
    state = json.loads(bpe.to_str())["model"]
    vocab = dict(state["vocab"])
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    assert [vocab[s] for s in specials] == [0, 1, 2, 3], [vocab[s] for s in specials]

    tok = NllbTokenizer(vocab=vocab, merges=merges, src_lang="eng_Latn", model_max_length=MAX_POSITIONS)
    n = len(tok)
    assert n > len(vocab) + 200, (n, len(vocab))
    for code in NLLB_CODES:
        assert tok.convert_tokens_to_ids(code) not in (None, tok.unk_token_id), code
    bos, pad, eos, unk = tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id
    assert (bos, pad, eos, unk) == (0, 1, 2, 3), (bos, pad, eos, unk)

    torch.manual_seed(SEED)
    config = M2M100Config(
        vocab_size=n,
        max_position_embeddings=MAX_POSITIONS,
        bos_token_id=bos,
        pad_token_id=pad,
        eos_token_id=eos,
        decoder_start_token_id=eos,
        scale_embedding=True,
        tie_word_embeddings=False,
        activation_function="relu",
        **TINY,
    )
    model = M2M100ForConditionalGeneration(config)
    _bias_m2m100_lm_head(model, _special_ids(tok))
    model.generation_config = GenerationConfig(
        decoder_start_token_id=eos,
        bos_token_id=bos,
        pad_token_id=pad,
        eos_token_id=eos,
        max_length=GEN_MAX_LENGTH,
        num_beams=1,
        do_sample=False,
    )
    model.save_pretrained(path)
    tok.save_pretrained(path)

    tok2, _ = verify(path, expected_len=n, forced_bos_token_id=tok.convert_tokens_to_ids("kaz_Cyrl"))
    for code in NLLB_CODES:
        assert tok2.convert_tokens_to_ids(code) == tok.convert_tokens_to_ids(code), code
    tok2.src_lang = "eng_Latn"
    assert tok2(CHECK_SENTENCE)["input_ids"][0] == tok2.convert_tokens_to_ids("eng_Latn")
    return path


# --------------------------------------------------------------------------- BART


def build_bart(path, max_positions: int = 256, vocab_size: int = 1500) -> Path:
    """BartForConditionalGeneration + byte-level BPE trained with ByteLevelBPETokenizer."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, GenerationConfig

    path = _fresh_dir(path)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bl = ByteLevelBPETokenizer()
    bl.train_from_iterator(
        seed_lines(extra=False),
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=specials,
        show_progress=False,
    )
    with tempfile.TemporaryDirectory() as tmp:
        bl.save_model(tmp)
        vocab = json.loads((Path(tmp) / "vocab.json").read_text(encoding="utf-8"))
        merges = [
            tuple(line.split(" "))
            for line in (Path(tmp) / "merges.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#version")
        ]
    assert [vocab[s] for s in specials] == [0, 1, 2, 3, 4]

    tok = BartTokenizer(vocab=vocab, merges=merges, model_max_length=max_positions)
    n = len(tok)
    assert n == len(vocab), (n, len(vocab))
    bos, pad, eos, unk, mask = (
        tok.bos_token_id,
        tok.pad_token_id,
        tok.eos_token_id,
        tok.unk_token_id,
        tok.mask_token_id,
    )
    assert (bos, pad, eos, unk, mask) == (0, 1, 2, 3, 4), (bos, pad, eos, unk, mask)

    torch.manual_seed(SEED)
    config = BartConfig(
        vocab_size=n,
        max_position_embeddings=max_positions,
        bos_token_id=bos,
        pad_token_id=pad,
        eos_token_id=eos,
        decoder_start_token_id=eos,
        forced_bos_token_id=bos,
        forced_eos_token_id=eos,
        scale_embedding=False,
        **TINY,
    )
    model = BartForConditionalGeneration(config)
    _bias_final_logits(model, {bos, pad, eos, unk, mask})
    model.generation_config = GenerationConfig(
        decoder_start_token_id=eos,
        bos_token_id=bos,
        pad_token_id=pad,
        eos_token_id=eos,
        forced_bos_token_id=bos,
        forced_eos_token_id=eos,
        max_length=GEN_MAX_LENGTH,
        num_beams=1,
        do_sample=False,
    )
    model.save_pretrained(path)
    tok.save_pretrained(path)

    tok2, model2 = verify(path, expected_len=n)
    assert tok2.model_max_length == max_positions, tok2.model_max_length
    assert model2.config.max_position_embeddings == max_positions
    return path


# --------------------------------------------------------------------------- all


def build_all(root) -> dict[str, Path]:
    """Build every tiny model under ``root``; returns {"ru", "zh", "kk", "kk_nllb", "summary"}."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return {
        "ru": build_marian(root / "marian-en-ru"),
        "zh": build_marian(root / "marian-en-zh", target_tokens=(">>cmn_Hans<<",)),
        "kk": build_m2m100(root / "m2m100"),
        "kk_nllb": build_nllb(root / "nllb"),
        "summary": build_bart(root / "bart", max_positions=256),
    }


if __name__ == "__main__":  # pragma: no cover - manual use: python -m tests.tiny_models DIR
    import sys
    import time

    t0 = time.perf_counter()
    dirs = build_all(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="tiny-models-"))
    for key, d in dirs.items():
        print(f"{key:8s} {d}")
    print(f"built in {time.perf_counter() - t0:.1f}s")
