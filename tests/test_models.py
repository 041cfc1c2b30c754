"""Loading models through from_pretrained, and working out their language quirks."""

from __future__ import annotations

import json
import shutil

import pytest

from jobs.backends.torch import load_model
from jobs.config import ModelSpec
from jobs.errors import ConfigError, ModelNotAvailable
from jobs.models.hub import check_available, model_revision


def load(path, lang, **quirks):
    return load_model(ModelSpec(model=str(path), **quirks), lang, source_lang="en", device="cpu")


def test_marian_multi_target_model_gets_its_target_token(tiny_models):
    loaded = load(tiny_models["zh"], "zh", target_token=">>cmn_Hans<<")
    assert loaded.family == "marian"
    assert loaded.target_token == ">>cmn_Hans<<"
    assert loaded.forced_bos_token_id is None


def test_marian_multi_target_model_without_a_token_is_a_clear_error(tiny_models):
    with pytest.raises(ConfigError, match=r"needs a target token.*>>cmn_Hans<<"):
        load(tiny_models["zh"], "zh")


def test_single_target_marian_needs_no_code(tiny_models):
    loaded = load(tiny_models["ru"], "ru", target_token=">>rus<<")
    assert (loaded.family, loaded.target_token, loaded.lang_code) == ("marian", None, None)


@pytest.mark.parametrize(("key", "family", "code"), [("kk", "m2m100", "kk"), ("kk_nllb", "nllb", "kaz_Cyrl")])
def test_language_code_is_inferred_from_the_tokenizer_family(tiny_models, key, family, code):
    loaded = load(tiny_models[key], "kk")
    assert (loaded.family, loaded.lang_code) == (family, code)
    tok = loaded.tokenizer
    expected = tok.get_lang_id("kk") if family == "m2m100" else tok.convert_tokens_to_ids("kaz_Cyrl")
    assert loaded.forced_bos_token_id == expected != tok.unk_token_id
    # The source language is set too, so the input starts with the English code.
    assert tok.src_lang == ("en" if family == "m2m100" else "eng_Latn")


def test_registry_lang_code_wins_and_is_checked(tiny_models):
    assert load(tiny_models["kk_nllb"], "kk", lang_code="rus_Cyrl").lang_code == "rus_Cyrl"
    with pytest.raises(ConfigError, match="no language code"):
        load(tiny_models["kk_nllb"], "kk", lang_code="xxx_Zzzz")


def test_summary_window_comes_from_the_model_when_the_config_is_silent(tiny_models):
    loaded = load_model(ModelSpec(model=str(tiny_models["summary"])), "summary", source_lang="en", device="cpu")
    assert loaded.family == "bart" and loaded.max_input_tokens == 256
    narrower = ModelSpec(model=str(tiny_models["summary"]), max_input_tokens=128)
    assert load_model(narrower, "summary", source_lang="en", device="cpu").max_input_tokens == 128


def test_local_revision_is_a_content_hash(tiny_models, tmp_path):
    copy = shutil.copytree(tiny_models["ru"], tmp_path / "copy")
    spec = ModelSpec(model=str(copy))
    before = model_revision(spec)
    assert before == model_revision(ModelSpec(model=str(tiny_models["ru"])))
    config = json.loads((copy / "config.json").read_text())
    config["dropout"] = 0.5
    (copy / "config.json").write_text(json.dumps(config))
    assert model_revision(spec) != before


def test_folder_without_config_is_not_a_model(tmp_path):
    with pytest.raises(ModelNotAvailable, match="no config.json"):
        check_available(ModelSpec(model=str(tmp_path)), "ru")


def test_hub_model_missing_offline_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelNotAvailable) as info:
        check_available(ModelSpec(model="Helsinki-NLP/opus-mt-en-ru@abc123"), "ru")
    message = str(info.value)
    assert "Helsinki-NLP/opus-mt-en-ru@abc123" in message
    assert "-m jobs models pull --model Helsinki-NLP/opus-mt-en-ru@abc123`" in message  # that revision


@pytest.mark.parametrize(
    ("model", "local", "repo", "revision"),
    [
        ("Helsinki-NLP/opus-mt-en-ru", False, "Helsinki-NLP/opus-mt-en-ru", None),
        ("Helsinki-NLP/opus-mt-en-ru@v1.0", False, "Helsinki-NLP/opus-mt-en-ru", "v1.0"),
        ("./models/ru", True, "./models/ru", None),
        ("/abs/models/ru@x", True, "/abs/models/ru", None),
    ],
)
def test_model_spec_tells_hub_ids_from_folders(model, local, repo, revision):
    spec = ModelSpec(model=model)
    assert (spec.is_local, spec.revision) == (local, revision)
    if not local:
        assert spec.repo_id == repo
