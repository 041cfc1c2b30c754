"""Output-vocabulary shortlists (jobs.backends.shortlist) on the tiny M2M100: which tokens are kept,
that no backend generates another, that torch's sliced output layer, torch's mask and
CTranslate2's vocabulary map give the same outputs, and that the shortlist is in the identity."""

from __future__ import annotations

import importlib.util

import pytest

from jobs.backends.base import BackendOptions
from jobs.backends.shortlist import Shortlist, language_scripts, vocabulary_map
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec, build_config
from jobs.errors import ConfigError
from tests.conftest import SAMPLE_SENTENCES

KK = "script:kk-Cyrl"
needs_ct2 = pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed")


@pytest.fixture(autouse=True)
def ct2_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("JOBS_CT2_CACHE", str(tmp_path_factory.getbasetemp() / "ct2-cache"))


def kk_backend(tiny_models, shortlist=KK, backend="torch", beams=1, dtype="fp32", **options):
    options = BackendOptions(
        device="cpu",
        batch_tokens=4096,
        dtype=dtype,
        settings=GenerationSettings(num_beams=beams, max_new_tokens=16),
        **options,
    )
    spec = ModelSpec(model=str(tiny_models["kk"]), shortlist=shortlist)
    if backend == "ctranslate2":
        from jobs.backends.ctranslate2 import CT2Backend

        return CT2Backend(spec, "kk", options)
    return TorchBackend(spec, "kk", options)


def token_ids(backend, texts: list[str]) -> set[int]:
    tok = backend.text.tokenizer
    return {i for t in texts for i in tok(t, add_special_tokens=False)["input_ids"]}


def test_scripts_come_from_the_language_tag():
    assert language_scripts("kk-Cyrl") == ("Cyrl", "Latn", "Zinh", "Zyyy")
    assert language_scripts("kk") == language_scripts("kk-Cyrl")  # the language's usual script
    assert language_scripts("zh-Hans") == ("Hani", "Latn", "Zinh", "Zyyy")
    assert set(language_scripts("ja")) >= {"Hani", "Hira", "Kana"}
    assert language_scripts("sr-Latn") == ("Latn", "Zinh", "Zyyy")
    with pytest.raises(ConfigError, match="lang_tag with a script subtag"):
        language_scripts("xx")
    assert Shortlist.of(None, "kk") is None and Shortlist.of("none", "kk") is None
    assert Shortlist.of("script", "ru").tag == "ru"


def test_kept_tokens_are_written_in_the_scripts_plus_every_special_token(tiny_models):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_models["kk"])
    kept = set(Shortlist.of(KK, "kk").token_ids(tok))
    vocab = tok.get_vocab()
    removed = {t for t, i in vocab.items() if i not in kept}
    assert set(tok.all_special_ids) <= kept and tok.get_lang_id("kk") in kept and tok.get_lang_id("zh") in kept
    assert removed, "the tiny vocabulary has Chinese pieces: some must go"
    han = {t for t in vocab if any("\u4e00" <= c <= "\u9fff" for c in t)}
    assert han and han <= removed
    cyrillic_or_latin = {
        t
        for t in vocab
        if t.strip("\u2581").isalpha() and all(c.isascii() or "\u0400" <= c <= "\u04ff" for c in t.strip("\u2581"))
    }
    assert cyrillic_or_latin and not cyrillic_or_latin & removed
    assert vocabulary_map(["\u2581a", "b"]) == "\t\u2581a b\n"


def test_torch_outputs_use_only_kept_tokens_and_the_sliced_layer_equals_the_mask(tiny_models):
    plain = kk_backend(tiny_models, shortlist=None).generate(SAMPLE_SENTENCES)
    fast = kk_backend(tiny_models)
    out = fast.generate(SAMPLE_SENTENCES)
    kept = set(fast.shortlist_ids)
    assert fast.fast_greedy and fast.describe()["shortlist_tokens"] == len(kept)
    assert fast.loaded.model.jobs_shortlist_head.out_features == len(kept) < fast.loaded.model.config.vocab_size
    assert token_ids(fast, plain.texts) - kept, "the tiny model writes removed tokens without the shortlist"
    assert not token_ids(fast, out.texts) - kept
    assert out.texts != plain.texts
    masked = kk_backend(tiny_models)
    masked.fast_greedy = False  # generate() with the mask instead of the sliced layer
    assert not masked.fast_greedy
    assert masked.generate(SAMPLE_SENTENCES).texts == out.texts


def test_torch_beam_search_and_int8_keep_to_the_shortlist(tiny_models):
    beams = kk_backend(tiny_models, beams=2)
    out = beams.generate(SAMPLE_SENTENCES)
    assert not beams.fast_greedy and not token_ids(beams, out.texts) - set(beams.shortlist_ids)
    int8 = kk_backend(tiny_models, dtype="auto", quantize="int8")
    out = int8.generate(SAMPLE_SENTENCES)
    assert int8.fast_greedy and not token_ids(int8, out.texts) - set(int8.shortlist_ids)


@needs_ct2
@pytest.mark.parametrize("beams", [1, 2])
def test_ctranslate2_vocabulary_map_gives_torch_outputs(tiny_models, beams):
    torch_out = kk_backend(tiny_models, beams=beams).generate(SAMPLE_SENTENCES)
    ct2 = kk_backend(tiny_models, backend="ctranslate2", beams=beams)
    out = ct2.generate(SAMPLE_SENTENCES)
    assert out.texts == torch_out.texts
    folder = ct2.describe()["converted"]
    assert folder.endswith(ct2.shortlist.digest(ct2.shortlist_ids)) and ct2.describe()["shortlist_tokens"] > 0
    vmap = (ct2.converted_dir().parent / folder / "vmap.txt").read_text(encoding="utf-8")
    assert vmap.startswith("\t") and len(vmap.split()) == len(ct2.shortlist_ids)
    plain = kk_backend(tiny_models, shortlist=None, backend="ctranslate2", beams=beams)
    plain.generate(SAMPLE_SENTENCES[:1])
    assert plain.describe()["converted"] == str(ct2.converted_dir())  # the plain folder has no vmap
    assert not (ct2.converted_dir() / "vmap.txt").exists()


def test_shortlist_is_in_the_identity_only_when_set(tiny_models):
    with_list, without = kk_backend(tiny_models).identity, kk_backend(tiny_models, shortlist=None).identity
    assert '"shortlist": {"kind": "script", "lang_tag": "kk-Cyrl"' in with_list.key()
    assert "shortlist" not in without.key()  # keys made before shortlists stay valid
    assert with_list.manifest()["shortlist"]["scripts"] == ["Cyrl", "Latn", "Zinh", "Zyyy"]


def test_registry_switch_takes_the_language_tag_and_survives_a_model_override(tiny_models, tiny_config, tmp_path):
    import yaml

    config = build_config(config_file=tiny_config, langs=["kk", "ru"])
    assert config.models["kk"].shortlist == KK and config.models["ru"].shortlist is None
    overridden = build_config(config_file=tiny_config, langs=["kk"], model_overrides=[f"kk={tiny_models['kk']}"])
    assert overridden.models["kk"].shortlist == KK
    registry = yaml.safe_load(tiny_config.read_text(encoding="utf-8"))
    registry["languages"]["kk"]["shortlist"] = "none"
    registry["languages"]["zh"]["shortlist"] = "script"
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    config = build_config(config_file=path, langs=["kk", "zh"])
    assert config.models["kk"].shortlist is None and config.models["zh"].shortlist == "script:zh-Hans"
    registry["languages"]["kk"]["shortlist"] = "words"
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    with pytest.raises(ConfigError, match="shortlist"):
        build_config(config_file=path, langs=["kk"])
