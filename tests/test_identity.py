"""ModelIdentity: the cache key holds what runs (`auto` resolved, torch-free), so a shared cache
never serves one precision's outputs to another."""

from __future__ import annotations

import json

import datasets
import pytest

import jobs.backends.device
from jobs.backends.base import BackendOptions
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec
from jobs.errors import ConfigError
from jobs.stages.cache import Cache
from jobs.stages.translate import translate_units
from tests.conftest import SAMPLE_SENTENCES

SETTINGS = GenerationSettings(num_beams=1, max_new_tokens=6)


def ru(tiny_models, **options) -> TorchBackend:
    return TorchBackend(ModelSpec(model=str(tiny_models["ru"])), "ru", BackendOptions(settings=SETTINGS, **options))


def units() -> datasets.Dataset:
    """Body units of one article, as segment_articles makes them (the columns translate_units reads)."""
    texts = [t for t in SAMPLE_SENTENCES if t]
    return datasets.Dataset.from_dict(
        {
            "article_id": ["a"] * len(texts),
            "part": ["body"] * len(texts),
            "paragraph": list(range(len(texts))),
            "text": texts,
        }
    )


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(jobs.backends.device, "cuda_device_count", lambda: 0)


@pytest.fixture
def simulated_gpu(monkeypatch):
    """What the torch-free detector says on a machine with a CUDA build of torch and one card."""
    monkeypatch.setattr(jobs.backends.device, "cuda_device_count", lambda: 1)
    monkeypatch.setattr(jobs.backends.device, "mps_possible", lambda: False)


def test_fp32_and_int8_runs_sharing_a_cache_file_never_serve_each_other(tiny_models, tmp_path, no_gpu):
    fp32, int8 = ru(tiny_models, device="cpu", dtype="fp32"), ru(tiny_models, device="cpu", quantize="int8")
    assert fp32.identity.key() != int8.identity.key()
    first = Cache(tmp_path / "cache.sqlite3")
    translate_units(units(), fp32, "ru", cache=first)
    assert (first.hits, first.misses) == (0, len(units()))
    first.close()
    second = Cache(tmp_path / "cache.sqlite3")
    translate_units(units(), int8, "ru", cache=second)
    assert second.hits == 0 and second.misses == len(units())
    second.close()
    again = Cache(tmp_path / "cache.sqlite3")  # the same settings again: everything cached
    translate_units(units(), ru(tiny_models, device="cpu", quantize="int8"), "ru", cache=again)
    assert again.hits == len(units())


def test_a_gpu_runs_outputs_are_not_served_to_a_cpu_run_with_the_same_flags(tiny_models, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs.backends.device, "cuda_device_count", lambda: 1)
    on_gpu = ru(tiny_models)  # --device auto --dtype auto on a GPU machine: cuda, fp16
    assert (on_gpu.identity.device, on_gpu.identity.dtype) == ("cuda", "fp16")
    cache = Cache(tmp_path / "cache.sqlite3")
    from jobs.stages.cache import Cached

    cache.put_many(on_gpu.identity.key(), [(t, Cached(f"fp16 output of {t}", False)) for t in units()["text"]])
    cache.close()
    monkeypatch.setattr(jobs.backends.device, "cuda_device_count", lambda: 0)
    on_cpu = ru(tiny_models)  # the same flags on a CPU machine: cpu, fp32
    assert (on_cpu.identity.device, on_cpu.identity.dtype) == ("cpu", "fp32")
    shared = Cache(tmp_path / "cache.sqlite3")
    outputs = translate_units(units(), on_cpu, "ru", cache=shared)
    assert shared.hits == 0 and not any(t.startswith("fp16 output") for t in outputs.texts)
    shared.close()


@pytest.mark.parametrize(
    ("asked", "resolved"),
    [
        ({"device": "auto", "dtype": "auto"}, {"device": "cpu", "dtype": "fp32"}),
        ({"device": "auto", "quantize": "int8"}, {"device": "cpu", "dtype": "fp32", "quantize": "int8"}),
    ],
)
def test_auto_and_its_resolved_value_share_the_key_on_cpu(tiny_models, no_gpu, asked, resolved):
    assert ru(tiny_models, **asked).identity.key() == ru(tiny_models, **resolved).identity.key()


def test_auto_and_its_resolved_value_share_the_key_on_a_simulated_gpu(tiny_models, simulated_gpu):
    auto = ru(tiny_models, device="auto", dtype="auto").identity
    assert auto.key() == ru(tiny_models, device="cuda", dtype="fp16").identity.key()
    assert json.loads(auto.key())["device"] == "cuda" and auto.manifest()["dtype"] == "fp16"


def test_loading_where_torch_sees_another_device_than_predicted_is_a_config_error(tiny_models, simulated_gpu):
    backend = ru(tiny_models, device="auto")
    with pytest.raises(ConfigError, match="pass --device"):
        backend.generate(["Hello there."])
    assert not backend.is_loaded


def test_the_label_names_a_local_folder_as_given_and_the_key_as_resolved(tiny_models, monkeypatch, no_gpu):
    monkeypatch.chdir(tiny_models["ru"].parent)
    backend = TorchBackend(ModelSpec(model="./" + tiny_models["ru"].name), "ru", BackendOptions(device="cpu"))
    # str(spec.path), as records have always named local models: relative, not resolved.
    assert backend.identity.label == f"{tiny_models['ru'].name}@{backend.revision}" == backend.label
    assert json.loads(backend.identity.key())["model"] == str(tiny_models["ru"].resolve())


def test_the_identity_is_worked_out_without_importing_torch(tiny_models, tmp_path):
    """A fully cached cron run computes every key; it must not pay for importing torch."""
    import subprocess
    import sys

    code = (
        "import sys; from jobs.backends import make_backend; from jobs.backends.base import BackendOptions;"
        "from jobs.backends.torch import TorchBackend; from jobs.config import ModelSpec;"
        f"b = TorchBackend(ModelSpec(model={str(tiny_models['ru'])!r}), 'ru', BackendOptions());"
        "b.identity.key(); b.describe(); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
