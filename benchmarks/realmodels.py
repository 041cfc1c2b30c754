"""Random-weight models with the exact shapes of the job's default models, built offline.

Each model is built from the real model's config.json committed under configs/real/<name>/
(see the README there for where each value comes from), with weights drawn from
`torch.manual_seed(SEED)`, and a tokenizer of the real family and the real vocabulary size:

* Marian (opus-mt-en-ru, opus-mt-en-zh): a sentencepiece BPE model trained on the seed page
  plus filler pieces up to the real vocab size (62,518 / 65,001), `</s>`=0, `<unk>`=1,
  `<pad>` = last id, as in the real vocab.json;
* M2M100 (m2m100_418M): the same kind of sentencepiece model, the 100 language tokens and the
  8 "madeup words" (128,112 embedding rows);
* BART (distilbart-cnn-12-6): a byte-level BPE trained on the seed page plus filler tokens up
  to 50,264 entries.

The sentencepiece model is trained to about 1.3 tokens per English word on the seed page
(opus-mt's own vocabularies give about that on news text), so input lengths are realistic. The
filler pieces never occur in English input; a random model may still emit them.

The weights are random, so the models translate nothing: they have exactly the compute and
memory of the real ones, which is all a speed benchmark needs. Output lengths are forced by the
benchmark (min = max new tokens), not by the model.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL_CONFIGS = REPO / "configs" / "real"
SEED_TEXT = REPO / "seeds" / "international-news.txt"
SEED = 20261129
SPM_VOCAB = 2500  # BPE pieces: about 1.3 tokens per word on the seed page
BUILD_VERSION = "2"  # bump when the builder changes what it writes

GENERATION_KEYS = (
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
    "decoder_start_token_id",
    "forced_bos_token_id",
    "forced_eos_token_id",
    "bad_words_ids",
    "num_beams",
    "max_length",
    "min_length",
    "no_repeat_ngram_size",
    "length_penalty",
    "early_stopping",
)
# Real model name -> (folder under configs/real, family)
MODELS = {
    "opus-mt-en-ru": "marian",
    "opus-mt-en-zh": "marian",
    "m2m100_418M": "m2m100",
    "distilbart-cnn-12-6": "bart",
}
# Target-language tokens of the real opus-mt-en-zh vocabulary that matter to the job.
ZH_TARGET_TOKENS = (">>cmn_Hans<<", ">>cmn_Hant<<", ">>yue_Hans<<", ">>yue_Hant<<")


def seed_lines() -> list[str]:
    lines = []
    for raw in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip("•").strip()
        if line and not line.startswith("Tag:"):
            lines.append(line)
    return lines


def config_of(name: str) -> dict:
    return json.loads((REAL_CONFIGS / name / "config.json").read_text(encoding="utf-8"))


def build_key(name: str) -> str:
    """Changes when the config, the seed text or this builder changes."""
    digest = hashlib.sha256()
    digest.update((REAL_CONFIGS / name / "config.json").read_bytes())
    digest.update(SEED_TEXT.read_bytes())
    digest.update(f"{BUILD_VERSION}:{SEED}:{SPM_VOCAB}".encode())
    return digest.hexdigest()[:12]


def build(name: str, root: Path) -> Path:
    """Build (or reuse) the random-weight model `name` under root; returns its folder."""
    folder = Path(root) / f"{name}-{build_key(name)}"
    if (folder / ".complete").is_file():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    family = MODELS[name]
    try:
        {"marian": _build_marian, "m2m100": _build_m2m100, "bart": _build_bart}[family](name, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / ".complete").write_text("ok\n")
    tmp.rename(folder)
    return folder


def _train_spm(vocab_size: int) -> bytes:
    import sentencepiece as spm

    writer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(seed_lines()),
        model_writer=writer,
        model_type="bpe",
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
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=proto)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))]


def _fill(vocab: dict[str, int], size: int, prefix: str = "\u2581fill") -> None:
    """Filler entries up to `size` entries, so the vocabulary has the real model's size."""
    i = 0
    while len(vocab) < size:
        vocab.setdefault(f"{prefix}{i}", len(vocab))
        i += 1


def _random_model(config, folder: Path):
    import torch
    from transformers import AutoModelForSeq2SeqLM, GenerationConfig

    torch.manual_seed(SEED)
    model = AutoModelForSeq2SeqLM.from_config(config)
    bias = getattr(model, "final_logits_bias", None)
    if bias is not None:
        # Trained Marian and BART checkpoints carry a non-zero output bias in this buffer (the
        # output layer's own bias of the original Marian model); from_config leaves it at zero,
        # which would let a job skip adding it. Random values make the benchmark pay for it.
        with torch.no_grad():
            bias.normal_(0.0, 0.1)
    # Like from_pretrained on a hub folder without generation_config.json: the generation
    # defaults in the real config.json (beams, lengths, no-repeat size, forced tokens) apply.
    raw = config.to_dict()
    model.generation_config = GenerationConfig(**{k: raw[k] for k in GENERATION_KEYS if raw.get(k) is not None})
    model.eval()
    model.save_pretrained(folder)
    return model


def _build_marian(name: str, folder: Path) -> None:
    from transformers import AutoConfig, MarianTokenizer

    raw = config_of(name)
    size = raw["vocab_size"]
    proto = _train_spm(SPM_VOCAB)
    (folder / "source.spm").write_bytes(proto)
    (folder / "target.spm").write_bytes(proto)
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for token in ZH_TARGET_TOKENS if name.endswith("-zh") else ():
        vocab[token] = len(vocab)
    for piece in _pieces(proto):
        vocab.setdefault(piece, len(vocab))
    _fill(vocab, size - 1)
    vocab["<pad>"] = size - 1
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tok = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="en",
        target_lang=name.rsplit("-", 1)[1],
        model_max_length=raw["max_position_embeddings"],
    )
    assert len(tok) == size and tok.pad_token_id == size - 1 and tok.eos_token_id == 0, (len(tok), size)
    (folder / "config.json").write_text(json.dumps(raw), encoding="utf-8")
    _random_model(AutoConfig.from_pretrained(folder), folder)
    tok.save_pretrained(folder)


def _build_m2m100(name: str, folder: Path) -> None:
    from transformers import AutoConfig, M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    raw = config_of(name)
    codes = FAIRSEQ_LANGUAGE_CODES["m2m100"]
    madeup = 8
    proto = _train_spm(SPM_VOCAB)
    (folder / "sentencepiece.bpe.model").write_bytes(proto)
    vocab: dict[str, int] = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in _pieces(proto):
        vocab.setdefault(piece, len(vocab))
    _fill(vocab, raw["vocab_size"] - len(codes) - madeup)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tok = M2M100Tokenizer(
        vocab_file=str(folder / "vocab.json"),
        spm_file=str(folder / "sentencepiece.bpe.model"),
        src_lang="en",
        model_max_length=raw["max_position_embeddings"],
        additional_special_tokens=[f"__{c}__" for c in codes],
    )
    assert len(tok) + madeup == raw["vocab_size"], (len(tok), raw["vocab_size"])
    (folder / "config.json").write_text(json.dumps(raw), encoding="utf-8")
    _random_model(AutoConfig.from_pretrained(folder), folder)
    tok.save_pretrained(folder)


def _build_bart(name: str, folder: Path) -> None:
    from tokenizers import ByteLevelBPETokenizer
    from transformers import AutoConfig, BartTokenizer

    raw = config_of(name)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(
        seed_lines(), vocab_size=3000, min_frequency=2, special_tokens=specials, show_progress=False
    )
    with tempfile.TemporaryDirectory() as tmp:
        trainer.save_model(tmp)
        vocab = json.loads((Path(tmp) / "vocab.json").read_text(encoding="utf-8"))
        merges = [
            tuple(line.split(" "))
            for line in (Path(tmp) / "merges.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#version")
        ]
    _fill(vocab, raw["vocab_size"] - 1, prefix="\u0120fill")
    vocab["<mask>"] = raw["vocab_size"] - 1
    tok = BartTokenizer(vocab=vocab, merges=merges, model_max_length=raw["max_position_embeddings"])
    assert len(tok) == raw["vocab_size"], (len(tok), raw["vocab_size"])
    (folder / "config.json").write_text(json.dumps(raw), encoding="utf-8")
    _random_model(AutoConfig.from_pretrained(folder), folder)
    tok.save_pretrained(folder)


if __name__ == "__main__":  # pragma: no cover - manual: python benchmarks/realmodels.py DIR [NAME...]
    import sys
    import time

    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="real-models-"))
    out.mkdir(parents=True, exist_ok=True)
    for model_name in sys.argv[2:] or list(MODELS):
        t0 = time.perf_counter()
        print(model_name, build(model_name, out), f"{time.perf_counter() - t0:.1f}s", flush=True)
