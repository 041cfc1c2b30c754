"""The run config: registry file plus flags, validated in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.config import build_config, load_registry
from jobs.errors import ConfigError


def test_defaults_cover_every_configured_language():
    config = build_config()
    assert config.langs == ["en", "ru", "zh", "kk"]
    assert set(config.models) == {"ru", "zh", "kk"}  # the source language needs no model
    assert config.models["zh"].target_token == ">>cmn_Hans<<"
    assert config.inputs == ["seeds"] and config.out == Path("outputs")


def test_override_keeps_the_languages_target_token_and_drops_model_specific_quirks():
    config = build_config(
        langs=["zh", "kk"], model_overrides=["zh=/models/zh", "kk=facebook/nllb-200-distilled-600M@abc"]
    )
    assert config.langs == ["zh", "kk"]
    assert config.models["zh"].target_token == ">>cmn_Hans<<"
    assert config.models["kk"].revision == "abc" and config.models["kk"].licence is None
    assert config.models["kk"].max_input_tokens is None


def test_a_language_outside_the_registry_needs_a_model():
    with pytest.raises(ConfigError, match="unknown language 'de'"):
        build_config(langs=["de"])
    assert build_config(langs=["de"], model_overrides=["de=/models/de"]).models["de"].model == "/models/de"


def test_all_expands_and_repeats_collapse():
    assert build_config(langs=["ru", "all", "ru"]).langs == ["en", "ru", "zh", "kk"]
    assert build_config(langs=["ru", "zh", "ru"]).langs == ["ru", "zh"]


def test_a_value_may_list_languages_with_commas():
    assert build_config(langs=["ru,kk", "zh, ru"]).langs == ["ru", "kk", "zh"]
    with pytest.raises(ConfigError, match="unknown language 'xx'"):
        build_config(langs=["ru,xx"])


@pytest.mark.parametrize("text", ["languages: [", "summary: {model: x}\nlanguages: {ru: {name: R, bogus: 1}}"])
def test_a_broken_config_file_names_the_file(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_registry(path)


def test_batch_tokens_is_validated():
    with pytest.raises(ConfigError, match="batch_tokens"):
        build_config(batch_tokens=3)


def test_a_config_that_is_not_a_file_is_named_for_what_it_is(tmp_path):
    from jobs.config import find_config_file

    for path, what in (
        (tmp_path, "is a folder"),
        (Path("/dev/null"), "is not a regular file"),
        (tmp_path / "x.yaml", "does not exist"),
    ):
        with pytest.raises(ConfigError, match=what):
            find_config_file(path)
