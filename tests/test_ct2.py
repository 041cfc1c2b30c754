"""The CTranslate2 backend on tiny models: conversion cache, parity with torch, the whole job."""

from __future__ import annotations

import importlib.util
import json

import pytest

from jobs.backends import make_backend
from jobs.backends.base import BackendOptions
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec, build_config
from jobs.errors import ConfigError
from tests.conftest import SAMPLE_SENTENCES, SEED_PAGE

TEXTS = SAMPLE_SENTENCES
needs_ct2 = pytest.mark.skipif(
    importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed (pip install -e '.[ct2]')"
)


@pytest.fixture(autouse=True)
def ct2_cache(tmp_path_factory, monkeypatch):
    """One conversion cache for the whole module, never the user's own."""
    monkeypatch.setenv("JOBS_CT2_CACHE", str(tmp_path_factory.getbasetemp() / "ct2-cache"))


def settings(role: str) -> GenerationSettings:
    if role == "summary":
        return GenerationSettings(num_beams=1, max_new_tokens=12, min_new_tokens=4)
    return GenerationSettings(num_beams=1, max_new_tokens=8)


def spec_for(tiny_models, key: str) -> ModelSpec:
    return ModelSpec(model=str(tiny_models[key]), target_token=">>cmn_Hans<<" if key == "zh" else None)


def ct2_backend(tiny_models, key: str, **options):
    from jobs.backends.ctranslate2 import CT2Backend

    role = "kk" if key.startswith("kk") else key
    options.setdefault("device", "cpu")
    return CT2Backend(
        spec_for(tiny_models, key),
        role,
        BackendOptions(batch_tokens=4096, settings=settings(role), translation=role != "summary", **options),
    )


def test_missing_package_is_a_clear_error(tiny_models, tiny_config, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ctranslate2" else real_find_spec(name, *a)
    )
    config = build_config(
        config_file=tiny_config,
        langs=["ru"],
        model_overrides=[f"ru={tiny_models['ru']}"],
        device="cpu",
        backend="ctranslate2",
    )
    with pytest.raises(ConfigError, match=r"pip install .*ctranslate2"):
        make_backend(config.models["ru"], "ru", config, translation=True)


def test_compute_types_per_device_and_options():
    from jobs.backends.ctranslate2 import compute_type

    assert compute_type("cpu", "auto", "none") == "int8"
    assert compute_type("cpu", "auto", "int8") == "int8"
    assert compute_type("cpu", "fp32", "none") == "float32"
    assert compute_type("cuda", "auto", "none") == "float16"
    assert compute_type("cuda", "auto", "int8") == "int8_float16"
    assert compute_type("cuda", "bf16", "int8") == "int8_bfloat16"
    with pytest.raises(ConfigError, match="fp16 is not supported on CPU"):
        compute_type("cpu", "fp16", "none")


@needs_ct2
@pytest.mark.parametrize("key", ["ru", "zh", "kk", "kk_nllb", "summary"])
def test_float32_outputs_equal_torch_greedy_outputs(tiny_models, key):
    """Same model, same tokens, same quirks: CTranslate2 in float32 gives torch's greedy outputs."""
    role = "kk" if key.startswith("kk") else key
    options = BackendOptions(device="cpu", batch_tokens=4096, settings=settings(role), translation=role != "summary")
    torch_out = TorchBackend(spec_for(tiny_models, key), role, options).generate(TEXTS)
    ct2 = ct2_backend(tiny_models, key, dtype="fp32")
    out = ct2.generate(TEXTS)
    assert out.texts == torch_out.texts
    assert out.hit_limit == torch_out.hit_limit and out.output_tokens == torch_out.output_tokens
    assert ct2.describe()["dtype"] == "float32" and ct2.describe()["backend"] == "ctranslate2"


@needs_ct2
def test_int8_is_the_cpu_default_and_keeps_the_units(tiny_models):
    ru = ct2_backend(tiny_models, "ru")
    out = ru.generate(TEXTS)
    assert ru.compute_type == "int8" and ru.describe()["dtype"] == "int8"
    assert [bool(t) for t in out.texts] == [True, True, True, False, True]
    assert out.output_tokens == 4 * 8 and all(out.hit_limit[i] for i in (0, 1, 2, 4))


@needs_ct2
def test_conversion_is_cached_by_model_revision_and_compute_type(tiny_models, monkeypatch):
    import jobs.backends.ctranslate2

    first = ct2_backend(tiny_models, "ru", dtype="fp32")
    folder = first.convert()
    assert (folder / "model.bin").is_file()
    assert first.revision.replace(":", "_") in folder.name and "float32" in folder.name
    # A second backend (a later run) reuses the folder: the converter must not run again.
    monkeypatch.setattr(jobs.backends.ctranslate2, "_converter_class", lambda: pytest.fail("converted twice"))
    second = ct2_backend(tiny_models, "ru", dtype="fp32")
    assert second.convert() == folder
    second.generate(TEXTS[:1])
    assert ct2_backend(tiny_models, "ru").converted_dir() != folder  # int8 is another folder


@needs_ct2
def test_cache_key_names_the_backend_and_the_compute_type_that_runs(tiny_models):
    options = BackendOptions(device="cpu", batch_tokens=4096, settings=settings("ru"))
    torch_key = json.loads(TorchBackend(spec_for(tiny_models, "ru"), "ru", options).identity.key())
    int8_key = json.loads(ct2_backend(tiny_models, "ru").identity.key())
    fp32_key = json.loads(ct2_backend(tiny_models, "ru", dtype="fp32").identity.key())
    assert torch_key["backend"] == "torch" and int8_key["backend"] == "ctranslate2"
    # The key holds the compute type that runs (`auto` resolved), known without loading anything.
    assert (int8_key["dtype"], fp32_key["dtype"]) == ("int8", "float32")
    assert ct2_backend(tiny_models, "ru", dtype="fp32").compute_type == "float32"
    assert len({json.dumps(k, sort_keys=True) for k in (torch_key, int8_key, fp32_key)}) == 3


@needs_ct2
def test_unsupported_devices_are_config_errors(tiny_models):
    with pytest.raises(ConfigError, match="MPS"):
        ct2_backend(tiny_models, "ru", device="mps").identity  # noqa: B018


@needs_ct2
def test_whole_job_with_the_ctranslate2_backend(tiny_models, tiny_config, tmp_path):
    """Same units, same bundles: every article, every paragraph, translated by the converted model."""
    from jobs.inputs import read_articles
    from jobs.pipeline import run_job

    config = build_config(
        config_file=tiny_config,
        langs=["kk"],
        inputs=[SEED_PAGE],
        out=tmp_path / "out",
        model_overrides=[f"kk={tiny_models['kk']}"],
        summary_model=str(tiny_models["summary"]),
        device="cpu",
        backend="ctranslate2",
    )
    report = run_job(config)
    records = [json.loads(line) for line in (report.bundles["kk"] / "articles.jsonl").read_text("utf-8").splitlines()]
    articles = read_articles([SEED_PAGE]).articles
    assert [r["id"] for r in records] == articles["id"]
    assert [len(r["paragraphs"]) for r in records] == [len(p) for p in articles["paragraphs"]]
    assert all(r["title"] and r["summary"] and all(r["paragraphs"]) for r in records)
    manifest = json.loads((report.bundles["kk"] / "manifest.json").read_text("utf-8"))
    assert manifest["models"]["translation"]["backend"] == "ctranslate2"
    assert manifest["models"]["translation"]["dtype"] == "int8"
    assert manifest["models"]["summary"]["backend"] == "ctranslate2"


@needs_ct2
def test_default_job_runs_on_ctranslate2_and_a_cached_rerun_imports_no_torch(tiny_models, tiny_config, tmp_path):
    """`--backend auto --dtype auto` as the product runs it (JOBS_FAST_AUTO on): the summarizer
    (BART, beam search) and Kazakh (M2M100) on CTranslate2 int8; nothing heavy on a cached rerun."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    args = ["run", "--config", str(tiny_config), "--input", str(SEED_PAGE), "--out", str(tmp_path / "out")]
    args += ["--lang", "kk", "--model", f"kk={tiny_models['kk']}", "--summary-model", str(tiny_models["summary"])]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "JOBS_FAST_AUTO": "1"}
    script = (
        "import sys; from jobs.cli import app\n"
        "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
        "print('RESULT', code, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=REPO, env=env)
        for _ in range(2)
    ]
    assert runs[0].stdout.split("RESULT ")[1].split()[0] == "0", runs[0].stderr
    assert runs[1].stdout.split("RESULT ")[1].split() == ["0", "False", "False"], runs[1].stderr
    manifest = json.loads(next((tmp_path / "out" / "kk").glob("2*/manifest.json")).read_text("utf-8"))
    for role in ("translation", "summary"):
        entry = manifest["models"][role]
        assert (entry["backend"], entry["dtype"]) == ("ctranslate2", "int8")
        assert entry["asked"] == {"backend": "auto", "dtype": "auto", "quantize": "none"}
