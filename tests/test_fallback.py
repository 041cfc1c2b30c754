"""`--backend auto` never fails where torch runs: a model CTranslate2 cannot convert is translated
with torch (one warning, the manifest names the fallback); asked for by name, CTranslate2 is exit 4
naming the model and the alternative; the requested dtype is part of the choice."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.backends import resolve_backend
from jobs.backends.device import cpu_supports_bf16
from jobs.cli import app
from jobs.errors import ExitCode
from tests.conftest import SEED_PAGE

runner = CliRunner()
pytestmark = pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed")


@pytest.fixture(scope="module")
def resized_marian(tiny_models, tmp_path_factory) -> Path:
    """The tiny Marian with its embedding grown past its tokenizer's vocabulary, as resized
    fine-tunes often are: torch runs it, CTranslate2's converter refuses it."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    folder = tmp_path_factory.mktemp("resized-marian")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_models["ru"])
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["ru"])
    model.resize_token_embeddings(len(tokenizer) + 64, mean_resizing=False)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def fast_auto(monkeypatch, tmp_path):
    """`auto` as users get it (the suite pins torch with JOBS_FAST_AUTO=0), with its own conversion cache."""
    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    monkeypatch.setenv("JOBS_CT2_CACHE", str(tmp_path / "ct2-cache"))
    return tmp_path / "ct2-cache"


def _run(tiny_config, model: Path, out: Path, *extra: str):
    args = ["run", "--config", str(tiny_config), "--lang", "ru", "--model", f"ru={model}", "--no-summary"]
    return runner.invoke(app, [*args, "--input", str(SEED_PAGE), "--out", str(out), "--device", "cpu", *extra])


def _translation_model(out: Path) -> dict:
    manifest = json.loads(((out / "ru" / "latest").resolve() / "manifest.json").read_text(encoding="utf-8"))
    return manifest["models"]["translation"]


def test_auto_translates_an_unconvertible_model_with_torch(tmp_path, tiny_config, resized_marian, fast_auto):
    out = tmp_path / "out"
    result = _run(tiny_config, resized_marian, out)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "cannot run on CTranslate2" in line]
    assert len(warnings) == 1 and resized_marian.name in warnings[0], result.output
    model = _translation_model(out)
    assert model["backend"] == "torch" and model["asked"]["backend"] == "auto"
    assert model["fallback"]["from"] == "ctranslate2" and "vocabulary" in model["fallback"]["reason"]
    assert model["loaded"] is True
    # The next run knows the conversion fails (nothing converted again) and says the same.
    assert [p.name for p in fast_auto.iterdir() if p.name.endswith(".failed")]
    again = _run(tiny_config, resized_marian, out, "--force")
    assert again.exit_code == 0, again.output
    assert _translation_model(out)["fallback"] == model["fallback"]


def test_a_convertible_model_stays_on_ctranslate2_with_no_fallback(tmp_path, tiny_config, tiny_models, fast_auto):
    out = tmp_path / "out"
    result = _run(tiny_config, tiny_models["ru"], out)
    assert result.exit_code == 0, result.output
    model = _translation_model(out)
    assert model["backend"] == "ctranslate2" and "fallback" not in model
    assert "cannot run on CTranslate2" not in result.output


def test_explicit_ctranslate2_is_exit_4_naming_the_model_and_torch(tmp_path, tiny_config, resized_marian, fast_auto):
    out = tmp_path / "out"
    result = _run(tiny_config, resized_marian, out, "--backend", "ctranslate2")
    assert result.exit_code == ExitCode.MISSING_MODEL, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith("error: ru: ") and str(resized_marian) in errors[0], errors
    assert "--backend torch" in errors[0]
    assert not (out / "ru").exists()  # nothing published
    # The alternative it names works.
    fixed = _run(tiny_config, resized_marian, out, "--backend", "torch")
    assert fixed.exit_code == 0, fixed.output


def test_auto_with_bf16_on_a_cpu_ctranslate2_cannot_serve_chooses_torch(monkeypatch):
    """The choice itself, everywhere: a CPU with bf16 instructions where CTranslate2 has no bfloat16."""
    import ctranslate2

    monkeypatch.setenv("JOBS_FAST_AUTO", "1")
    monkeypatch.setattr("jobs.backends.device.cpu_supports_bf16", lambda: True)
    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda kind: {"int8", "int8_float32", "float32"})
    assert resolve_backend("auto", "cpu", "bf16", "none") == "torch"
    assert resolve_backend("auto", "cpu", "auto", "none") == "ctranslate2"
    assert resolve_backend("auto", "cpu", "fp16", "none") == "torch"  # torch then says what is wrong
    assert resolve_backend("ctranslate2", "cpu", "bf16", "none") == "ctranslate2"  # asked for: not changed


@pytest.mark.skipif(not cpu_supports_bf16(), reason="this CPU has no bf16 instructions (AVX512-BF16 or AMX)")
def test_dtype_bf16_alone_runs_where_the_cpu_has_bf16(tmp_path, tiny_config, tiny_models, fast_auto):
    out = tmp_path / "out"
    result = _run(tiny_config, tiny_models["ru"], out, "--dtype", "bf16")
    assert result.exit_code == 0, result.output
    model = _translation_model(out)
    assert model["dtype"] in ("bf16", "bfloat16"), model
